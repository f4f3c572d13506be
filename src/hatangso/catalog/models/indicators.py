from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogIndicator(models.Model):
    """An indicator of the national catalog (DESIGN.md §3), loaded from the shipped catalog file:
    plans pick it by code and set their own targets."""

    class Unit(models.TextChoices):
        PERCENT = "%", "%"
        MBPS = "Mb/s", "Mb/s"
        PER_100 = "per 100 inhabitants", _("trên 100 dân")
        PER_PERSON = "per person", _("bình quân đầu người")
        COUNT = "count", _("số lượng")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("càng cao càng tốt")
        LOWER = "lower", _("càng thấp càng tốt")

    class Aggregation(models.TextChoices):
        RATIO_OF_SUMS = "ratio_of_sums", _("cộng tử số và mẫu số trên địa bàn rồi chia")
        MEDIAN_OF_SAMPLES = "median_of_samples", _("trung vị các mẫu đo trong kỳ trên địa bàn")
        SUM = "sum", _("cộng trên địa bàn")

    code = models.SlugField(_("mã"), max_length=80, unique=True)
    name = models.CharField(_("chỉ tiêu"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300)
    definition = models.TextField(_("định nghĩa"))
    definition_en = models.TextField(_("định nghĩa (tiếng Anh)"))
    unit = models.CharField(_("ĐVT"), max_length=30, choices=Unit.choices)
    direction = models.CharField(_("chiều"), max_length=6, choices=Direction.choices)
    comparison = models.CharField(_("so sánh với kế hoạch"), max_length=2)
    numerator = models.CharField(_("tử số"), max_length=500)
    denominator = models.CharField(_("mẫu số"), max_length=500)
    factor = models.DecimalField(_("hệ số"), max_digits=12, decimal_places=4)
    aggregation = models.CharField(_("tổng hợp"), max_length=20, choices=Aggregation.choices)
    sources = models.JSONField(_("văn bản nguồn"), default=list)
    # The data element codes of the formula, and the forms and providers that supply them.
    elements = models.JSONField(default=list)
    collected_by = models.JSONField(default=list)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["order"]
        verbose_name = _("chỉ tiêu trong danh mục")
        verbose_name_plural = _("danh mục chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
