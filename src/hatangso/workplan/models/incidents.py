"""Reports of shared telecom works built wrongly, unsafe or damaged (VI.3.c, VI.7.d), from anyone,
and the roads where shared infrastructure must be built, repaired or upgraded."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Road(models.Model):
    class Work(models.TextChoices):
        BUILD = "build", _("Xây dựng mới")
        REPAIR = "repair", _("Sửa chữa")
        UPGRADE = "upgrade", _("Nâng cấp, cải tạo")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Trong danh mục")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Đã hoàn thành")

    name = models.CharField(_("tên đường, tuyến"), max_length=200)
    section = models.CharField(_("đoạn (từ … đến …)"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    work = models.CharField(_("hạng mục"), max_length=10, choices=Work.choices)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    tasks = models.ManyToManyField("workplan.Task", blank=True, related_name="roads")
    note = models.TextField(_("ghi chú"), blank=True)
    synthetic = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tuyến đường hạ tầng dùng chung")
        verbose_name_plural = _("tuyến đường hạ tầng dùng chung")

    def __str__(self) -> str:
        return f"{self.name} {self.section}".strip()


class Incident(models.Model):
    class Category(models.TextChoices):
        WRONG_BUILD = "wrong_build", _("Xây dựng sai quy định")
        UNSAFE = "unsafe", _("Mất an toàn (cáp chùng, cột nghiêng…)")
        DAMAGED = "damaged", _("Hư hỏng")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        NEW = "new", _("Mới tiếp nhận")
        ASSIGNED = "assigned", _("Đã chuyển xử lý")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        RESOLVED = "resolved", _("Đã xử lý xong")
        REJECTED = "rejected", _("Không xử lý (không đúng phạm vi)")

    # The reporter's private link: unguessable, shown once, the only way to follow the report.
    token = models.CharField(max_length=64, unique=True, editable=False)
    category = models.CharField(_("loại phản ánh"), max_length=12, choices=Category.choices)
    description = models.TextField(_("mô tả"))
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.CharField(_("liên hệ (không bắt buộc)"), max_length=200, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.NEW)
    assigned_operator = models.ForeignKey(
        "registry.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    road = models.ForeignKey(Road, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("phản ánh công trình viễn thông")
        verbose_name_plural = _("phản ánh công trình viễn thông")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"


class IncidentPhoto(models.Model):
    """A photo re-encoded without its metadata (no GPS or camera data leaves the server)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.sha256[:12]}"


class IncidentEvent(models.Model):
    """The history the reporter sees: status changes and public comments."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=Incident.Status.choices)
    comment = models.TextField(blank=True)
    actor = models.CharField(max_length=150)
    time = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["time", "pk"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.status}"
