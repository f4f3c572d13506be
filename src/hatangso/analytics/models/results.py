from django.db import models
from django.utils.translation import gettext_lazy as _

from hatangso.analytics.status import Status


class IndicatorResult(models.Model):
    """An indicator evaluated for a unit and period, with the evidence behind it."""

    indicator = models.ForeignKey("plans.Indicator", on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("geography.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    value = models.FloatField(null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    flags = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list)
    # Per data element: the total, the number of inputs and the provider that computed it.
    lineage = models.JSONField(default=dict)
    input_values = models.ManyToManyField("collection.DataValue", blank=True, related_name="+")
    # A fingerprint of the input values' ids as the links above hold them (analytics.services): a
    # result computed again from the same values, as most of a national scorecard is after one
    # commune's change, need not read its many thousand links to learn that none changed.
    inputs_digest = models.CharField(max_length=32, blank=True)
    computed_at = models.DateTimeField(auto_now=True)
    # The version of the data its providers read when it was computed (core.dataversion): a result
    # whose version is older than theirs now is computed again on read.
    data_version = models.PositiveBigIntegerField(null=True)
    synthetic = models.BooleanField(default=False)  # synthetic demo data went in

    class Meta:
        ordering = ["indicator__order"]
        verbose_name = _("kết quả chỉ tiêu")
        verbose_name_plural = _("kết quả chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period"], name="unique_result"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code} {self.period}: {self.value} ({self.status})"
