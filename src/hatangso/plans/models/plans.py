from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """A body that leads, coordinates or reports: a district office, a commune committee, an operator."""

    class Kind(models.TextChoices):
        DISTRICT_OFFICE = "district_office", _("Phòng chuyên môn")
        DISTRICT_UNIT = "district_unit", _("Đơn vị, cơ quan cấp huyện/thị xã")
        COMMUNE_COMMITTEE = "commune_committee", _("UBND xã, phường")
        ENTERPRISE = "enterprise", _("Doanh nghiệp")
        PROVINCE_DEPARTMENT = "province_department", _("Sở, ngành cấp tỉnh")
        LEADERSHIP = "leadership", _("Lãnh đạo UBND")

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    code = models.CharField(_("số, ký hiệu"), max_length=60, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    issuer_full = models.CharField(_("tên đầy đủ cơ quan ban hành"), max_length=200, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    area_unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("địa bàn"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    # The last year of a multi-year plan ("giai đoạn 2026–2030"); None for a plan of one year.
    end_year = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    period = models.CharField(_("kỳ kế hoạch"), max_length=10)
    report_deadline = models.DateField(_("hạn báo cáo kết quả"), null=True, blank=True)
    report_to = models.CharField(_("báo cáo về"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("kế hoạch cấp trên"),
    )
    # The parent plan as cited, when it is not loaded itself.
    parent_reference = models.JSONField(default=dict, blank=True)
    legal_basis = models.JSONField(default=list, blank=True)
    preamble = models.TextField(blank=True)
    closing = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True)
    signature = models.JSONField(default=dict, blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    # The results report's issuing body, number symbol, signature and recipients (ReportSpec).
    report_settings = models.JSONField(default=dict, blank=True)
    # An example written for the demo, not an issued document: every page, export and report says so.
    illustrative = models.BooleanField(_("kế hoạch minh họa"), default=False)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Condition(models.Model):
    """A condition some items depend on, e.g. "khi cấp tỉnh triển khai"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="conditions")
    code = models.SlugField(max_length=60)
    text = models.CharField(_("nội dung"), max_length=300)
    met = models.BooleanField(_("đã đáp ứng"), default=False)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("điều kiện")
        verbose_name_plural = _("điều kiện")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_condition")]

    def __str__(self) -> str:
        return self.text


class PlanSection(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(max_length=20)
    title = models.CharField(max_length=500)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_section")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Indicator(models.Model):
    """numerator / denominator × factor, compared with the target (DHIS2's indicator)."""

    class Comparison(models.TextChoices):
        AT_LEAST = ">=", "≥"
        ABOVE = ">", ">"
        AT_MOST = "<=", "≤"
        BELOW = "<", "<"  # "giảm … xuống dưới 5 %": achieved only strictly below

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("mã"), max_length=80)
    # The catalog entry the plan picked (same code), when the indicator is in the national catalog.
    catalog = models.ForeignKey(
        "catalog.CatalogIndicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_indicators",
        verbose_name=_("danh mục chỉ tiêu"),
    )
    name = models.CharField(_("chỉ tiêu"), max_length=300)
    text = models.TextField(_("nguyên văn kế hoạch"), blank=True)
    section = models.CharField(_("mục"), max_length=20, blank=True)
    unit = models.CharField(_("ĐVT"), max_length=30, default="%")
    numerator = models.CharField(_("tử số"), max_length=500)
    denominator = models.CharField(_("mẫu số"), max_length=500)
    factor = models.DecimalField(_("hệ số"), max_digits=12, decimal_places=4, default=100)
    comparison = models.CharField(max_length=2, choices=Comparison.choices, default=">=")
    target = models.DecimalField(_("kế hoạch"), max_digits=14, decimal_places=4)
    baseline = models.DecimalField(_("giá trị gốc"), max_digits=14, decimal_places=4, null=True, blank=True)
    maintain = models.BooleanField(_("duy trì"), default=False)
    condition = models.ForeignKey(Condition, null=True, blank=True, on_delete=models.PROTECT)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_indicator")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ratio(self) -> bool:
        """Whether the value is a ratio of two counts worth showing ("21.286 / 24.632"); a median
        speed or a count has the denominator 1."""
        return self.denominator.strip() != "1"


class IndicatorTarget(models.Model):
    """A target other than the indicator's final one: the target of one year of a multi-year plan
    (unit empty), or a target the plan assigns to one area below its own (giao chỉ tiêu), for every
    year (year empty) or one year. Where none applies, the indicator's own target does."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("địa bàn được giao"),
    )
    value = models.DecimalField(_("chỉ tiêu"), max_digits=14, decimal_places=4)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator", "unit", "year"]
        verbose_name = _("chỉ tiêu theo năm, theo địa bàn")
        verbose_name_plural = _("chỉ tiêu theo năm, theo địa bàn")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__isnull=False) | models.Q(unit__isnull=False),
                name="indicator_target_year_or_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "unit"], name="unique_indicator_target_year_unit"
            ),
            models.UniqueConstraint(
                fields=["indicator", "unit"],
                condition=models.Q(year__isnull=True),
                name="unique_indicator_target_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=models.Q(unit__isnull=True),
                name="unique_indicator_target_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year or ''} {self.unit_id or ''}: {self.value}"


class PlanItem(models.Model):
    """A numbered item of the plan: purpose, goal, task (III), measure (IV), funding, responsibility (VI)."""

    class Kind(models.TextChoices):
        PURPOSE = "purpose", _("Mục đích")
        REQUIREMENT = "requirement", _("Yêu cầu")
        GOAL = "goal", _("Mục tiêu")
        TASK = "task", _("Nhiệm vụ")
        MEASURE = "measure", _("Giải pháp")
        FUNDING = "funding", _("Kinh phí")
        RESPONSIBILITY = "responsibility", _("Trách nhiệm")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(_("mục"), max_length=20)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("nội dung"))
    lead = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_items",
        verbose_name=_("cơ quan chủ trì"),
    )
    coordinating = models.ManyToManyField(
        Agency, blank=True, related_name="coordinated_items", verbose_name=_("cơ quan phối hợp")
    )
    condition = models.ForeignKey(Condition, null=True, blank=True, on_delete=models.PROTECT)
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="items")
    # The tasks and measures that deliver a qualitative goal (the plan file's `tasks`).
    delivered_by = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="delivers", verbose_name=_("nhiệm vụ thực hiện")
    )
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("nội dung kế hoạch")
        verbose_name_plural = _("nội dung kế hoạch")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_item")]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:80]}"


class ValidationRule(models.Model):
    """left <operator> right over data elements, checked per reporting unit and period."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="validation_rules")
    code = models.SlugField(max_length=80)
    left = models.CharField(_("vế trái"), max_length=500)
    operator = models.CharField(max_length=2, choices=[(o, o) for o in ("<=", "<", ">=", ">", "==")])
    right = models.CharField(_("vế phải"), max_length=500)
    text = models.CharField(_("nội dung"), max_length=300)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_validation_rule")]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"
