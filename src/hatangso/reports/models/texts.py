from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportText(models.Model):
    """A paragraph the plan owner writes for the results report (the data cannot write it)."""

    class Section(models.TextChoices):
        DEPLOYMENT = "trien_khai", _("Tình hình triển khai")
        ADVANTAGES = "thuan_loi", _("Thuận lợi")
        DIFFICULTIES = "kho_khan", _("Khó khăn")
        OBSTACLES = "vuong_mac", _("Vướng mắc")
        DIRECTIONS = "phuong_huong", _("Phương hướng, nhiệm vụ thời gian tới")
        PROPOSALS = "kien_nghi", _("Kiến nghị, đề xuất")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="report_texts")
    period = models.CharField(max_length=10)
    unit = models.ForeignKey("geography.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=12, choices=Section.choices)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("nội dung báo cáo")
        verbose_name_plural = _("nội dung báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["plan", "period", "unit", "section"], name="unique_report_text")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.period} {self.get_section_display()}"
