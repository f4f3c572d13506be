from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReportForm(models.Model):
    """What one kind of reporter sends, how often, and by when (DHIS2's data set)."""

    class PeriodType(models.TextChoices):
        MONTHLY = "monthly", _("Hằng tháng")
        QUARTERLY = "quarterly", _("Hằng quý")
        YEARLY = "yearly", _("Hằng năm")

    class Reporter(models.TextChoices):
        COMMUNE = "commune", _("UBND xã, phường")
        ENTERPRISE = "enterprise", _("Doanh nghiệp viễn thông")
        DISTRICT = "district", _("Cấp huyện/thị xã")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="forms")
    code = models.SlugField(_("mã"), max_length=60)
    name = models.CharField(_("tên biểu"), max_length=300)
    reporter = models.CharField(_("đơn vị báo cáo"), max_length=12, choices=Reporter.choices)
    period_type = models.CharField(_("kỳ báo cáo"), max_length=10, choices=PeriodType.choices)
    due_days = models.PositiveSmallIntegerField(_("hạn nộp (ngày sau kỳ)"), default=15)
    elements = models.ManyToManyField(
        "collection.DataElement", through="collection.FormElement", related_name="forms"
    )
    operators = models.ManyToManyField("registry.Operator", blank=True, related_name="forms")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("biểu báo cáo")
        verbose_name_plural = _("biểu báo cáo")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_form")]

    def __str__(self) -> str:
        return self.name

    def ordered_elements(self) -> list:
        return [f.element for f in self.fields.select_related("element").order_by("order", "pk")]


class FormElement(models.Model):
    """A field of a form, in the form's order. Fields the plan owner adds on the web (custom fields)
    are kept when the plan file is loaded again; the file's own fields follow the file."""

    # The columns of the table Django created for the plain many-to-many before fields had an order.
    form = models.ForeignKey(
        ReportForm, on_delete=models.CASCADE, db_column="reportform_id", related_name="fields"
    )
    element = models.ForeignKey(
        "collection.DataElement", on_delete=models.CASCADE, db_column="dataelement_id", related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    added_on_web = models.BooleanField(default=False)

    class Meta:
        db_table = "collection_reportform_elements"
        ordering = ["form", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["form", "element"], name="unique_form_element")]

    def __str__(self) -> str:
        return f"{self.form.code}: {self.element.code}"


class Submission(models.Model):
    """One reporter's form for one period, through draft → submitted → approved (or returned)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Đã gửi")
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Trả lại")

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey("geography.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        "registry.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("ý kiến"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["form", "period", "unit__code"]
        verbose_name = _("bản báo cáo")
        verbose_name_plural = _("bản báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "unit", "period", "operator"],
                condition=Q(operator__isnull=False),
                name="unique_submission_per_operator",
            ),
            models.UniqueConstraint(
                fields=["form", "unit", "period"],
                condition=Q(operator__isnull=True),
                name="unique_submission_own",
            ),
        ]

    def __str__(self) -> str:
        who = self.operator or self.unit
        return f"{self.form.code} {self.period} {who}: {self.get_status_display()}"
