"""The dashboard's small pieces: period names and trend sparklines drawn as inline SVG on the
server (no JavaScript, no chart library), each with a text alternative."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hatangso.analytics.status import Status
from hatangso.utilities.numbers import format_number
from hatangso.utilities.periods import period_label
from hatangso.web.templatetags.vn import vn_unit

register = template.Library()

WIDTH, HEIGHT, PAD = 180, 40, 4


register.filter("period_label", period_label)


def trend_text(points: list[tuple[str, float | None]], unit: str) -> str:
    """The trend read out: "Xu hướng — Năm 2023: 95,1 %; Quý I/2024: chưa có số liệu; …"."""
    no_data = _("chưa có số liệu")  # outside the f-string, where makemessages finds it
    parts = [
        f"{period_label(code)}: {format_number(value)}{vn_unit(unit)}"
        if value is not None
        else f"{period_label(code)}: {no_data}"
        for code, value in points
    ]
    return _("Xu hướng") + " — " + "; ".join(parts)


def target_path_text(trend, targets: list[float], unit: str) -> str:
    """The targets of the trend's periods read out, where they change: "Kế hoạch — Năm 2025: 60 %; …"."""
    parts = [f"{period_label(code)}: {format_number(target, 0)}{vn_unit(unit)}"
             for (code, _entry), target in zip(trend, targets, strict=True)]  # fmt: skip
    return _("Kế hoạch") + " — " + "; ".join(parts)


@register.simple_tag
def sparkline(tile) -> str:
    """The indicator over the trend periods: a line (broken where there is no value), a dot per
    value, the target dashed — a step per period where a multi-year plan's target changes from
    year to year; `role="img"` with the values read out as its label."""
    indicator = tile.indicator
    points = [(code, entry.value if entry else None) for code, entry in tile.trend]
    if not points:
        return ""
    # A period without an entry shows the tile's own target (the period chosen).
    fallback = tile.entry.target if tile.entry else float(indicator.target)
    targets = [entry.target if entry else fallback for _code, entry in tile.trend]
    values = [v for _, v in points if v is not None]
    top = max([100.0, *values, *targets])
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return PAD + index * step, HEIGHT - PAD - (value / top) * (HEIGHT - 2 * PAD)

    runs, run = [], []
    for index, (_code, value) in enumerate(points):
        if value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(xy(index, value))
    if run:
        runs.append(run)
    shapes = []
    if len(set(targets)) == 1:
        y = xy(0, targets[0])[1]
        shapes.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y:.1f}" y2="{y:.1f}" class="spark-target"/>')
    else:  # a step from each period's target to the next, drawn across the period's slot
        steps = []
        for index, target in enumerate(targets):
            x, y = xy(index, target)
            steps += [(max(PAD, x - step / 2), y), (min(WIDTH - PAD, x + step / 2), y)]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in steps)
        shapes.append(f'<polyline points="{coords}" class="spark-target"/>')
    for part in runs:
        if len(part) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in part)
            shapes.append(f'<polyline points="{coords}" class="spark-line"/>')
    dots = (xy for part in runs for xy in part)
    shapes.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" class="spark-dot"/>' for x, y in dots)
    label = trend_text(points, indicator.unit)
    if len(set(targets)) > 1:
        label += "; " + target_path_text(tile.trend, targets, indicator.unit)
    # The shapes hold only numbers formatted above; the label is escaped by format_html.
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        WIDTH, HEIGHT, WIDTH, HEIGHT, label, label, mark_safe("".join(shapes)),
    )  # fmt: skip


@register.filter
def status_symbol(status: str) -> str:
    """A shape beside the rating's word and colour, so the rating never rests on colour alone."""
    return Status(status).symbol if status in Status.values else ""
