from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PublishedScorecard(models.Model):
    """A period's scorecard as the plan owner published it for citizens (IV.1 tuyên truyền): the
    area's aggregate and each commune's rate and rating, frozen at publication. Data changed later
    leave it as it was; publishing again replaces it (the older one is withdrawn)."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="publications")
    period = models.CharField(_("kỳ"), max_length=10)
    unit = models.ForeignKey("geography.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    # {"scorecard": <DESIGN.md §6 JSON, no lineage>,
    #  "communes": {code: {"name": …, "indicators": {code: {"value": …, "status": …}}}}}
    snapshot = models.JSONField()
    synthetic = models.BooleanField(_("dữ liệu mẫu"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by_name = models.CharField(max_length=150)
    published_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("kết quả đã công bố")
        verbose_name_plural = _("kết quả đã công bố")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period"], condition=Q(withdrawn_at__isnull=True), name="one_live_publication"
            ),
        ]

    def __str__(self) -> str:
        state = "đã rút / withdrawn" if self.withdrawn_at else "công bố / published"
        return f"{self.plan.code} {self.period} ({state} {self.published_at:%Y-%m-%d %H:%M})"
