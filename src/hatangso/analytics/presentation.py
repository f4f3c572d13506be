"""How statuses are named and coloured wherever a scorecard is shown (DESIGN.md §3 ratings)."""

from django.utils.translation import gettext_lazy as _

# Lazy: a page shows them in the reader's language; commands and reports, which run in Vietnamese,
# get the Vietnamese names.
STATUS_LABELS = {
    "achieved": _("Hoàn thành"),
    "not_achieved": _("Chưa hoàn thành"),
    "no_data": _("Chưa có thông tin"),
    "not_applicable": _("Không thực hiện"),
}
STATUS_STYLES = {
    "achieved": "green",
    "not_achieved": "red",
    "no_data": "yellow",
    "not_applicable": "dim",
}
