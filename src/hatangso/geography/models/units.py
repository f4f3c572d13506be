from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitQuerySet(models.QuerySet):
    def valid_between(self, start: date, end: date) -> "UnitQuerySet":
        """Units whose validity overlaps [start, end]."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        )

    def valid_on(self, day: date) -> "UnitQuerySet":
        return self.valid_between(day, day)


class AdministrativeUnit(models.Model):
    """An administrative unit as it existed between two dates.

    A GSO code alone does not identify a unit: after the 2025 reorganisation the successor keeps the
    code of one predecessor. A unit is its code plus its validity.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh / thành phố")
        DISTRICT = "district", _("Huyện / quận / thị xã / thành phố thuộc tỉnh")
        COMMUNE = "commune", _("Xã / phường / thị trấn / đặc khu")
        VILLAGE = "village", _("Thôn / tổ dân phố")

    code = models.CharField(_("mã"), max_length=20, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    type_name = models.CharField(_("loại"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of primary keys ("/1/7/42/") for subtree queries with one LIKE.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    former_names = models.CharField(_("tên trước đây"), max_length=300, blank=True)
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    synthetic = models.BooleanField(
        _("dữ liệu mẫu"), default=False, help_text=_("Đơn vị tạo cho dữ liệu mẫu (synthetic demo data)")
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def validity_label(self) -> str:
        start = self.valid_from.strftime("%d/%m/%Y") if self.valid_from else "…"
        end = self.valid_to.strftime("%d/%m/%Y") if self.valid_to else "…"
        return f"{start} – {end}"

    def is_valid_between(self, start: date, end: date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )


class UnitSuccession(models.Model):
    """Crosswalk row: the predecessor's territory (wholly or partly) went to the successor."""

    class ShareBasis(models.TextChoices):
        WHOLE = "whole", _("Nhập toàn bộ")
        POPULATION = "population", _("Theo điểm dân cư")
        DECLARED = "declared", _("Theo tỷ lệ khai báo")
        UNKNOWN = "unknown", _("Chưa rõ tỷ lệ")

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessions")
    effective = models.DateField(_("ngày hiệu lực"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    source = models.CharField(_("căn cứ"), max_length=300)
    # The part of the predecessor (its population, else its declared share) that went to this
    # successor: 1 for a whole merge; empty when a partial merge's share is not known (flagged).
    share = models.DecimalField(_("tỷ lệ"), max_digits=7, decimal_places=6, null=True, blank=True, default=1)
    share_basis = models.CharField(
        _("cơ sở tỷ lệ"), max_length=10, choices=ShareBasis.choices, default=ShareBasis.WHOLE
    )

    class Meta:
        verbose_name = _("chuyển đổi đơn vị hành chính")
        verbose_name_plural = _("chuyển đổi đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession"),
        ]
        # Every scorecard asks whether a reorganisation took effect inside its period: one probe,
        # not a scan of the national crosswalk's ten thousand links.
        indexes = [models.Index(fields=["effective"], name="succession_by_effective_date")]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class UnitBoundary(models.Model):
    """A unit's shape (GeoJSON geometry in WGS84), so points find their unit by point in polygon."""

    unit = models.OneToOneField(AdministrativeUnit, on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField(help_text="GeoJSON Polygon / MultiPolygon, WGS84 (lon, lat)")
    # The bounding box, so a point's candidates are found without reading every shape.
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    synthetic = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        verbose_name = _("ranh giới đơn vị hành chính")
        verbose_name_plural = _("ranh giới đơn vị hành chính")

    def __str__(self) -> str:
        return f"{self.unit} ({self.source})"
