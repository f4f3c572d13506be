from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeLogEntry(models.Model):
    """Who changed what, when, from where, with the data before and after (NetBox's ObjectChange)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Tạo mới")
        UPDATE = "update", _("Cập nhật")
        DELETE = "delete", _("Xóa")

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(_("người thực hiện"), max_length=150)
    origin = models.CharField(_("nguồn thay đổi"), max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=300)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        # The newest entry of an object type in one probe (core.dataversion reads it for every
        # scorecard); SQLite's index of a column holds the row ids already, PostgreSQL's does not.
        indexes = [models.Index(fields=["object_type", "id"], name="changelog_type_newest")]
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")

    def __str__(self) -> str:
        return f"{self.time:%d/%m/%Y %H:%M} {self.actor} {self.action} {self.object_repr}"


class CommitCount(models.Model):
    """How many transactions that changed a domain's data have committed, counted after each commit
    (hatangso.core.dataversion: change-log ids are handed out at insert, not at commit)."""

    domain = models.CharField(max_length=60, unique=True)
    commits = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.domain}: {self.commits}"
