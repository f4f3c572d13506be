from django.db import models
from django.utils.translation import gettext_lazy as _


class Operator(models.Model):
    """A telecom enterprise. Mobile operators carry their MCC/MNC (Vietnam: MCC 452)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên viết tắt"), max_length=40)
    mcc = models.CharField(max_length=3, blank=True)
    mnc = models.CharField(max_length=3, blank=True)
    mobile = models.BooleanField(_("di động"), default=False)
    fixed = models.BooleanField(_("cố định"), default=False)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("doanh nghiệp viễn thông")
        verbose_name_plural = _("doanh nghiệp viễn thông")

    def __str__(self) -> str:
        return self.short_name
