"""The registry of telecom infrastructure: what is built where, who owns it and who shares it.

Every item has a WGS84 position (lines: their coordinates, positioned at their midpoint), the
administrative unit computed from it (`unit_source` says how), a status and the dates it entered
and left service, so an indicator can be evaluated as of any period's end.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PLANNED = "planned", _("Quy hoạch / đang xây dựng")
    ACTIVE = "active", _("Đang hoạt động")
    INACTIVE = "inactive", _("Tạm ngừng")
    REMOVED = "removed", _("Đã tháo dỡ")


class UnitSource(models.TextChoices):
    POLYGON = "polygon", _("Theo ranh giới")
    DECLARED = "declared", _("Theo khai báo")
    NEAREST = "nearest", _("Ranh giới gần nhất")
    # Kept by an import's --keep-outside: the position lies outside every boundary, so no unit.
    OUTSIDE = "outside", _("Ngoài mọi ranh giới")


class RegistryItemQuerySet(models.QuerySet):
    def in_service_on(self, day: date) -> "RegistryItemQuerySet":
        """Built (or in service) on `day`: not planned, started by then, not yet removed."""
        return self.exclude(status=Status.PLANNED).filter(
            Q(in_service_from__isnull=True) | Q(in_service_from__lte=day),
            Q(in_service_to__isnull=True) | Q(in_service_to__gt=day),
        )


class RegistryItem(models.Model):
    # Optional only where a position is not known (an office's network link); imports of stations,
    # poles and lines always set it.
    lat = models.FloatField(_("vĩ độ"), null=True, blank=True)
    lon = models.FloatField(_("kinh độ"), null=True, blank=True)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị hành chính"),
    )
    unit_source = models.CharField(max_length=10, choices=UnitSource.choices, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    in_service_from = models.DateField(_("đưa vào sử dụng"), null=True, blank=True)
    in_service_to = models.DateField(_("ngừng sử dụng"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    synthetic = models.BooleanField(_("dữ liệu mẫu"), default=False)
    import_batch = models.ForeignKey(
        "collection.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistryItemQuerySet.as_manager()

    class Meta:
        abstract = True


class Site(RegistryItem):
    """A physical site (mast, rooftop, pole-mounted): where one or more operators' stations stand.

    Sites are found by the detection (stations of any operator within a distance form one site)
    and reviewed by the plan owner: a confirmed site keeps its stations on every later run.
    """

    class Kind(models.TextChoices):
        MAST = "mast", _("Cột anten")
        ROOFTOP = "rooftop", _("Trên mái nhà")
        SMALL_CELL = "small_cell", _("Trạm nhỏ / trong nhà")
        UNKNOWN = "unknown", _("Chưa rõ")

    code = models.CharField(_("mã vị trí"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200, blank=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.UNKNOWN)
    owner = models.ForeignKey(
        "registry.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="owned_sites"
    )
    owner_name = models.CharField(_("chủ sở hữu (ngoài doanh nghiệp)"), max_length=200, blank=True)
    confirmed = models.BooleanField(_("đã xác nhận"), default=False)
    confirmed_by = models.CharField(max_length=150, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("vị trí trạm")
        verbose_name_plural = _("vị trí trạm")

    def __str__(self) -> str:
        return self.code


class Station(RegistryItem):
    """An operator's base station (BTS / NodeB / eNodeB / gNodeB)."""

    class Technology(models.TextChoices):
        G2 = "2G", "2G"
        G3 = "3G", "3G"
        G4 = "4G", "4G"
        G5 = "5G", "5G"

    operator = models.ForeignKey("registry.Operator", on_delete=models.PROTECT, related_name="stations")
    code = models.CharField(_("mã trạm của doanh nghiệp"), max_length=60)
    name = models.CharField(_("tên trạm"), max_length=200, blank=True)
    technology = models.CharField(_("công nghệ"), max_length=2, choices=Technology.choices)
    antenna_height_m = models.FloatField(_("độ cao anten (m)"), null=True, blank=True)
    bands = models.CharField(_("băng tần (MHz)"), max_length=100, blank=True)
    # OpenCelliD identity, where the station came from there: (mcc, mnc, enb) for LTE.
    mcc = models.CharField(max_length=3, blank=True)
    mnc = models.CharField(max_length=3, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="stations")
    # Set by the plan owner's decision: detection leaves the station on its site.
    site_pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["operator", "code"]
        verbose_name = _("trạm BTS")
        verbose_name_plural = _("trạm BTS")
        constraints = [models.UniqueConstraint(fields=["operator", "code"], name="unique_station_code")]

    def __str__(self) -> str:
        return f"{self.operator.short_name} {self.code}"


class SharedItem(RegistryItem):
    """Passive infrastructure that operators rent space on: its tenants say whether it is shared."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    owner = models.ForeignKey(
        "registry.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(_("chủ sở hữu (ngoài doanh nghiệp)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.code


class Pole(SharedItem):
    """A pole carrying telecom cables (the operator's own, or a power pole)."""

    tenants = models.ManyToManyField(
        "registry.Operator", through="registry.PoleTenancy", related_name="poles"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("cột treo cáp")
        verbose_name_plural = _("cột treo cáp")


class DuctSegment(SharedItem):
    """A segment of cable duct (cống bể cáp) between two manholes, as a line."""

    geometry = models.JSONField(help_text="GeoJSON LineString, WGS84")
    length_m = models.FloatField(_("chiều dài (m)"))
    tenants = models.ManyToManyField(
        "registry.Operator", through="registry.DuctTenancy", related_name="ducts"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("tuyến cống bể cáp")
        verbose_name_plural = _("tuyến cống bể cáp")


class Tenancy(models.Model):
    operator = models.ForeignKey("registry.Operator", on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("từ ngày"), null=True, blank=True)
    until = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        abstract = True


class PoleTenancy(Tenancy):
    item = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="tenancies")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "operator"], name="unique_pole_tenant")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.operator.short_name}"


class DuctTenancy(Tenancy):
    item = models.ForeignKey(DuctSegment, on_delete=models.CASCADE, related_name="tenancies")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "operator"], name="unique_duct_tenant")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.operator.short_name}"


class FibreRoute(RegistryItem):
    """An operator's fibre-optic cable route (positioned at its midpoint)."""

    code = models.CharField(_("mã tuyến"), max_length=60, unique=True)
    operator = models.ForeignKey("registry.Operator", on_delete=models.PROTECT, related_name="fibre_routes")
    name = models.CharField(_("tên tuyến"), max_length=200, blank=True)
    geometry = models.JSONField(help_text="GeoJSON LineString / MultiLineString, WGS84")
    length_m = models.FloatField(_("chiều dài (m)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("tuyến cáp quang")
        verbose_name_plural = _("tuyến cáp quang")

    def __str__(self) -> str:
        return self.code


class GovernmentLink(RegistryItem):
    """An agency office's link to the government data network (mạng truyền số liệu chuyên dùng)."""

    class LinkType(models.TextChoices):
        TSLCD_2 = "tslcd_2", _("Mạng TSLCD cấp II")
        TSLCD_1 = "tslcd_1", _("Mạng TSLCD cấp I")
        OTHER = "other", _("Khác")

    code = models.CharField(_("mã"), max_length=60, unique=True)
    office = models.CharField(_("trụ sở"), max_length=200)
    # The office of the commune's People's Committee: what `commune_government_network` counts.
    commune_office = models.BooleanField(_("trụ sở UBND xã, phường"), default=False)
    agency = models.ForeignKey(
        "plans.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    link_type = models.CharField(_("loại kết nối"), max_length=10, choices=LinkType.choices)
    bandwidth_mbps = models.FloatField(_("băng thông (Mb/s)"), null=True, blank=True)
    operator = models.ForeignKey(
        "registry.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("kết nối mạng truyền số liệu chuyên dùng")
        verbose_name_plural = _("kết nối mạng truyền số liệu chuyên dùng")

    def __str__(self) -> str:
        return f"{self.office} ({self.get_link_type_display()})"


class IndustrialZone(RegistryItem):
    """An industrial zone or cluster, whose IoT coverage the plan asks for (positioned at its centre)."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    geometry = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon, WGS84")

    class Meta:
        ordering = ["code"]
        verbose_name = _("khu, cụm công nghiệp")
        verbose_name_plural = _("khu, cụm công nghiệp")

    def __str__(self) -> str:
        return self.name


class ZoneCoverage(models.Model):
    class Technology(models.TextChoices):
        NB_IOT = "nb_iot", "NB-IoT"
        LTE_M = "lte_m", "LTE-M"

    zone = models.ForeignKey(IndustrialZone, on_delete=models.CASCADE, related_name="coverage")
    operator = models.ForeignKey("registry.Operator", on_delete=models.PROTECT, related_name="+")
    technology = models.CharField(max_length=6, choices=Technology.choices)
    since = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zone", "operator", "technology"], name="unique_zone_coverage")
        ]

    def __str__(self) -> str:
        return f"{self.zone}: {self.operator} {self.get_technology_display()}"
