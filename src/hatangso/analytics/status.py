"""An indicator's rating for a unit and period (DESIGN.md §3 ratings): the one list the engine, the
stored results, the pages, the map, the API, the command line and the report use, with how each
shows it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """In the order the report counts them ("12/15 chỉ tiêu hoàn thành, …") and the map's legend.
    Labels are lazy: a page shows them in the reader's language; commands and reports, which run
    in Vietnamese, get the Vietnamese names."""

    ACHIEVED = "achieved", _("Hoàn thành")
    NOT_ACHIEVED = "not_achieved", _("Chưa hoàn thành")
    NOT_APPLICABLE = "not_applicable", _("Không thực hiện")
    NO_DATA = "no_data", _("Chưa có thông tin")

    @property
    def text(self) -> str:
        """The label in the active language as a plain string (for openpyxl, python-docx, charts)."""
        return str(self.label)

    @property
    def colour(self) -> str:
        """The fill of a map area or a chart bar (the pages' text colours are in base.css)."""
        return _COLOURS[self]

    @property
    def symbol(self) -> str:
        """A shape beside the word and the colour, so a rating never rests on colour alone."""
        return _SYMBOLS[self]

    @property
    def style(self) -> str:
        """The terminal colour (rich) of `hatangso compute`."""
        return _STYLES[self]


_COLOURS = {
    Status.ACHIEVED: "#2e8b57",
    Status.NOT_ACHIEVED: "#c0392b",
    Status.NOT_APPLICABLE: "#8a909c",
    Status.NO_DATA: "#c9cdd4",
}
_SYMBOLS = {Status.ACHIEVED: "✓", Status.NOT_ACHIEVED: "✗", Status.NOT_APPLICABLE: "–", Status.NO_DATA: "?"}
_STYLES = {
    Status.ACHIEVED: "green",
    Status.NOT_ACHIEVED: "red",
    Status.NOT_APPLICABLE: "dim",
    Status.NO_DATA: "yellow",
}
