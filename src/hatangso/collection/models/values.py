from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from hatangso.utilities.expressions import NumberText
from hatangso.utilities.import_kinds import kind_label


class DataElement(models.Model):
    """One number that someone reports (DHIS2's data element)."""

    class ValueType(models.TextChoices):
        COUNT = "count", _("Số đếm (≥ 0, nguyên)")
        NUMBER = "number", _("Số")
        PERCENTAGE = "percentage", _("Phần trăm (0–100)")
        BOOLEAN = "boolean", _("Có/không (1/0)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Cộng dồn các kỳ (lưu lượng)")
        LAST = "last", _("Giá trị kỳ gần nhất (số lượng tồn)")

    class AcrossSources(models.TextChoices):
        SUM = "sum", _("Cộng các nguồn")
        MAX = "max", _("Lớn nhất giữa các nguồn")

    class Reporter(models.TextChoices):
        VILLAGE = "village", _("Thôn/TDP (do xã nhập)")
        COMMUNE = "commune", _("UBND xã, phường")
        DISTRICT = "district", _("Cấp huyện/thị xã")
        ENTERPRISE = "enterprise", _("Doanh nghiệp viễn thông")

    code = models.SlugField(_("mã"), max_length=80, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    value_type = models.CharField(_("kiểu giá trị"), max_length=12, choices=ValueType.choices)
    aggregation = models.CharField(_("tổng hợp theo thời gian"), max_length=6, choices=Aggregation.choices)
    across_sources = models.CharField(
        _("tổng hợp giữa các nguồn"),
        max_length=6,
        choices=AcrossSources.choices,
        default="sum",
        help_text=_("Phủ sóng của nhiều doanh nghiệp không cộng được: dùng giá trị lớn nhất."),
    )
    unit = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    reporter = models.CharField(_("đơn vị báo cáo"), max_length=12, choices=Reporter.choices)
    # Which indicator-source provider computes this element ("values" = reported data values).
    provider = models.CharField(_("nguồn tính"), max_length=30, default="values")

    class Meta:
        ordering = ["code"]
        verbose_name = _("phần tử dữ liệu")
        verbose_name_plural = _("phần tử dữ liệu")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ImportBatch(models.Model):
    """One import; the original file is kept under HATANGSO_HOME/imports. A rejected file (bad rows:
    nothing written) is recorded too, with its row errors, so the imports page can show them."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Đã nhập")
        REJECTED = "rejected", _("Bị từ chối")

    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=300)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)
    synthetic = models.BooleanField(default=False)
    # The reports the file's rows belong to: the original stays with each of them.
    submissions = models.ManyToManyField("collection.Submission", blank=True, related_name="imports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    # A rejected file's row errors (row, column, value, reason_vi, reason_en); [] when accepted.
    errors = models.JSONField(default=list, blank=True)
    # Who sent a rejected file through the web or the API (the page shows it to them alone).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("lần nhập dữ liệu")

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name} ({self.rows})"

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class DataValue(models.Model):
    """A value of a data element for a unit and period, from the unit itself or from an operator."""

    # No index of their own: the unique constraints and the indexes below lead with them, and a
    # national import writes every index of a million values.
    data_element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="values", db_index=False
    )
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", on_delete=models.PROTECT, related_name="data_values", db_index=False
    )
    period = models.CharField(_("kỳ"), max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    operator = models.ForeignKey(
        "registry.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="data_values"
    )
    value = models.DecimalField(max_digits=20, decimal_places=4)
    comment = models.CharField(max_length=500, blank=True)
    # DHIS2's follow-up mark: the value is flagged for a data-quality review.
    followup = models.BooleanField(_("cần xem lại"), default=False)
    synthetic = models.BooleanField(_("dữ liệu mẫu"), default=False)
    # No index: nothing looks values up by their file (an import finds its new values by their keys'
    # range), and a file is never deleted (the admin reads only); a national import writes every
    # index of a million values.
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150)
    # Optimistic locking: a change made against an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["data_element", "unit", "period"]
        verbose_name = _("giá trị dữ liệu")
        verbose_name_plural = _("giá trị dữ liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["data_element", "unit", "period", "operator"],
                condition=Q(operator__isnull=False),
                name="unique_value_per_operator",
            ),
            models.UniqueConstraint(
                fields=["data_element", "unit", "period"],
                condition=Q(operator__isnull=True),
                name="unique_value_own",
            ),
        ]
        indexes = [
            models.Index(fields=["data_element", "period_start", "period_end"]),
            # A unit's values per element and source, newest first: the scorecard's choice of each
            # source's latest value (analytics.providers) reads it in order, without a sort.
            models.Index(
                fields=["unit", "data_element", "operator", "-period_end", "-period_start"],
                name="value_by_unit_source_newest",
            ),
            # Whether any value is synthetic (demo) data, which every page says: one probe of an
            # index that holds only those, not a scan of a national home's real values per page.
            models.Index(fields=["synthetic"], condition=Q(synthetic=True), name="value_synthetic"),
        ]

    def __str__(self) -> str:
        operator = self.operator if self.operator_id else None
        return self.text(self.data_element.code, self.unit.code, self.period, operator, self.value)

    @staticmethod
    def text(element_code: str, unit_code: str, period: str, operator, value) -> str:
        """A value's text (`str`, its change log's) from its parts, for a value read without its
        model object (an import's million)."""
        source = f" [{operator}]" if operator else ""
        return f"{element_code} {unit_code} {period}{source} = {value}"

    @staticmethod
    def description():
        """The value's text as a database expression over a stored value (its change log written by
        the database: `record_inserted`), the number without trailing zeros."""
        source = Case(
            When(operator__isnull=False, then=Concat(Value(" ["), "operator__short_name", Value("]"))),
            default=Value(""),
        )
        return Concat(
            "data_element__code", Value(" "), "unit__code", Value(" "), "period", source, Value(" = "),
            NumberText("value"), output_field=models.CharField(),
        )  # fmt: skip
