from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """DESIGN.md §2. The public has no role: it sees published aggregates only."""

    PLAN_OWNER = "plan_owner", _("Cơ quan chủ trì kế hoạch")
    AGENCY = "agency", _("Cơ quan phối hợp")
    COMMUNE = "commune", _("UBND xã, phường")
    ENTERPRISE = "enterprise", _("Doanh nghiệp viễn thông")
    LEADER = "leader", _("Lãnh đạo UBND")


class Membership(models.Model):
    """A user's role and where it applies: an area (unit subtree), an operator, an agency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("địa bàn"),
    )
    operator = models.ForeignKey(
        "registry.Operator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("doanh nghiệp"),
    )
    agency = models.ForeignKey(
        "plans.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan"),
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="enterprise") | Q(operator__isnull=False), name="enterprise_has_operator"
            ),
            models.CheckConstraint(
                condition=Q(role="enterprise") | Q(unit__isnull=False), name="area_roles_have_unit"
            ),
            models.CheckConstraint(
                condition=~Q(role="agency") | Q(agency__isnull=False), name="agency_role_has_agency"
            ),
        ]

    def __str__(self) -> str:
        where = self.operator or self.agency or self.unit
        return f"{self.user} — {self.get_role_display()} ({where})"


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is kept; the token is shown once when created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
