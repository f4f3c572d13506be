from django.db import models
from django.utils.translation import gettext_lazy as _


class Dhis2Mapping(models.Model):
    """A DHIS2 instance's UID for one of our codes, so files keyed by UIDs import as they are."""

    class Kind(models.TextChoices):
        DATA_ELEMENT = "data-element", _("Phần tử dữ liệu")
        ORG_UNIT = "org-unit", _("Đơn vị hành chính")
        CATEGORY_OPTION_COMBO = "category-option-combo", _("Tổ hợp phân tổ")
        ATTRIBUTE_OPTION_COMBO = "attribute-option-combo", _("Doanh nghiệp (tổ hợp thuộc tính)")
        DATA_SET = "data-set", _("Biểu báo cáo")

    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    uid = models.CharField("UID", max_length=11)
    code = models.CharField(_("mã"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["kind", "uid"]
        verbose_name = _("ánh xạ UID DHIS2")
        verbose_name_plural = _("ánh xạ UID DHIS2")
        constraints = [models.UniqueConstraint(fields=["kind", "uid"], name="unique_dhis2_uid")]

    def __str__(self) -> str:
        return f"{self.kind} {self.uid} → {self.code}"
