"""Chart specs (Vega-Lite, built with altair) shared by the report and the web pages, and their
PNG rendering without a browser (vl-convert). Each function returns a spec dict, or None when the
data has nothing to draw."""

from __future__ import annotations

from decimal import Decimal

from hatangso.analytics.status import Status
from hatangso.geography.models import UnitBoundary
from hatangso.reports.content import ReportContent
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.numbers import unit_label
from hatangso.utilities.periods import period_label

alt = lazy_import("altair")
shapely = lazy_import("shapely")
vl_convert = lazy_import("vl_convert")


# The map's fills run from the lightest to the darkest value; both keep the communes' names
# readable (contrast ≥ 4.5:1, WCAG AA), which the darker blues of a "blues" scheme did not.
MAP_FILLS = ("#eef4fb", "#5b9bd5")
MAP_LABEL = "#1d2433"


def rating_colours() -> dict:
    """The rating colours as the arguments of altair's Scale (labels in the current language)."""
    return {"domain": [s.text for s in Status], "range": [s.colour for s in Status]}


def _short(name: str, limit: int = 48) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _config(chart: alt.Chart) -> dict:
    spec = (
        chart.configure(font="Liberation Serif").configure_axis(labelFontSize=11, titleFontSize=12).to_dict()
    )
    spec["background"] = "white"
    return spec


def indicators_vs_targets(evaluations) -> dict | None:
    """Each %-indicator's value against the target that applies to it (engine.Evaluation)."""
    rows = [
        {
            "chi_tieu": "\n".join(wrapped(f"{number}. {e.indicator.name}", 45)),
            "thuc_hien": float(e.value),
            "ke_hoach": float(e.target),
            "danh_gia": Status(e.status).text,
        }
        for number, e in enumerate(evaluations, start=1)
        if e.value is not None and e.indicator.unit == "%"
    ]
    if not rows:
        return None
    order = [r["chi_tieu"] for r in rows]
    # Whole names on up to three lines each (labelExpr splits them), never cut short.
    axis = alt.Axis(labelLimit=0, labelExpr="split(datum.label, '\\n')")
    base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("chi_tieu:N", sort=order, title=None, axis=axis))
    top = max(110, *(r["thuc_hien"] for r in rows))
    bars = base.mark_bar().encode(
        x=alt.X("thuc_hien:Q", title="Thực hiện (%)", scale=alt.Scale(domain=[0, top])),
        color=alt.Color(
            "danh_gia:N",
            scale=alt.Scale(**rating_colours()),
            title="Đánh giá",
            legend=alt.Legend(orient="bottom"),
        ),
    )
    targets = base.mark_tick(color="black", thickness=2, size=16).encode(x="ke_hoach:Q")
    chart = (bars + targets).properties(
        width=300,
        height=sum(14 * r["chi_tieu"].count("\n") + 22 for r in rows),
        title="Chỉ tiêu: thực hiện so với kế hoạch (vạch đen: kế hoạch)",
    )
    return _config(chart)


def commune_comparison(indicator, values: list[tuple[str, float | None, Decimal]]) -> dict | None:
    """One indicator per commune (name, value, the commune's target) against its target: a line when
    every commune has the same, a mark over each bar where the plan assigned them different ones."""
    rows = [{"don_vi": name, "gia_tri": value, "ke_hoach": float(target)}
            for name, value, target in values if value is not None]  # fmt: skip
    if not rows:
        return None
    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color="#123a6b")
        .encode(
            x=alt.X("don_vi:N", sort=None, title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("gia_tri:Q", title=unit_label(indicator.unit)),
        )
    )
    if len({r["ke_hoach"] for r in rows}) == 1:
        target = (
            alt.Chart(alt.Data(values=rows[:1]))
            .mark_rule(color="#b3261e", strokeDash=[4, 3])
            .encode(y="ke_hoach:Q")
        )
    else:
        target = (
            alt.Chart(alt.Data(values=rows))
            .mark_tick(color="#b3261e", thickness=2)
            .encode(x=alt.X("don_vi:N", sort=None), y="ke_hoach:Q")
        )
    chart = (bars + target).properties(
        width=460, height=220, title=f"{_short(indicator.name, 70)} theo xã, phường (đường đỏ: kế hoạch)"
    )
    return _config(chart)


def wrapped(name: str, width: int = 70) -> list[str]:
    """A long name as lines of whole words (legends show lines, never a name cut short)."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def trend(
    periods: list[str],
    series: list[tuple[str, dict[str, float | None]]],
    *,
    labels: dict[str, str] | None = None,
    units: dict[str, str] | None = None,
) -> dict | None:
    """Lines over the periods, one per (name, {period: value}), in the order given; a line needs two
    points. `labels` names the periods on the axis ("Quý I/2024"); `units` gives each name's unit,
    and names of different units are drawn in panels of their own, one y scale each."""
    labels = labels or {}
    units = units or {}
    rows = [
        {"ky": labels.get(period, period), "chi_tieu": name, "gia_tri": values[period],
         "dvt": unit_label(units.get(name, "%"))}
        for name, values in series
        if sum(values.get(p) is not None for p in periods) >= 2
        for period in periods
        if values.get(period) is not None
    ]  # fmt: skip
    if not rows:
        return None
    order = list(dict.fromkeys(r["chi_tieu"] for r in rows))
    panels = list(dict.fromkeys(r["dvt"] for r in rows))
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "ky:N", sort=[labels.get(p, p) for p in periods], title="Kỳ", axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("gia_tri:Q", title=None),
            color=alt.Color(
                "chi_tieu:N",
                sort=order,
                scale=alt.Scale(domain=order, scheme="tableau20"),
                title="Chỉ tiêu",
                legend=alt.Legend(
                    orient="bottom", columns=1, labelLimit=0, labelExpr="split(datum.label, '\\n')"
                ),
            ),
        )
        .properties(width=460, height=160 if len(panels) > 1 else 220)
    )
    if len(panels) > 1:
        chart = chart.facet(
            row=alt.Row("dvt:N", sort=panels, title=None, header=alt.Header(labelAngle=0, labelAlign="left"))
        ).resolve_scale(y="independent")
    return _config(chart.properties(title="Diễn biến theo kỳ"))


def report_trend(content: ReportContent) -> dict | None:
    """The report's trend: every indicator with values over the year before and the quarters, in
    the order of Bảng 1, its whole name in the legend."""
    # The report's own period closes the line: an indicator reported once a year has its two points.
    by_period = dict(content.trend)
    by_period[content.period.code] = {e.indicator.code: e for e in content.evaluations}
    periods = list(by_period)
    series, units = [], {}
    for number, e in enumerate(content.evaluations, start=1):
        code = e.indicator.code
        name = "\n".join(wrapped(f"{number}. {e.indicator.name} ({unit_label(e.indicator.unit)})"))
        series.append((name, {p: results[code].value for p, results in by_period.items() if code in results}))
        units[name] = e.indicator.unit
    return trend(periods, series, labels={p: period_label(p) for p in periods}, units=units)


def commune_map(indicator, values: dict[int, float | None]) -> dict | None:
    """The communes (unit pk → value) coloured by an indicator; None without boundaries."""
    boundaries = UnitBoundary.objects.filter(unit_id__in=values).select_related("unit")
    features = [
        {
            "type": "Feature",
            "geometry": b.geometry,
            "properties": {
                "ten": b.unit.name,
                "gia_tri": values[b.unit_id],
            },
        }
        for b in boundaries
    ]
    if not features:
        return None
    data = alt.Data(values=features, format=alt.DataFormat(type="json"))
    shapes = (
        alt.Chart(data)
        .mark_geoshape(stroke="white", strokeWidth=1)
        .encode(
            color=alt.Color(
                "properties.gia_tri:Q",
                title=unit_label(indicator.unit),
                scale=alt.Scale(range=list(MAP_FILLS)),
            ),
            tooltip=["properties.ten:N", "properties.gia_tri:Q"],
        )
    )
    labels = [
        {"lon": centre.x, "lat": centre.y, "ten": b.unit.name}
        for b in boundaries
        for centre in [shapely.geometry.shape(b.geometry).representative_point()]
    ]
    names = (
        alt.Chart(alt.Data(values=labels))
        .mark_text(fontSize=10, color=MAP_LABEL)
        .encode(longitude="lon:Q", latitude="lat:Q", text="ten:N")
    )
    synthetic = any(b.synthetic for b in boundaries)
    title = f"Bản đồ: {_short(indicator.name, 70)}" + (
        " (ranh giới mẫu, không phải ranh giới thật)" if synthetic else ""
    )
    chart = (shapes + names).project(type="mercator").properties(width=420, height=320, title=title)
    return _config(chart)


def render_png(spec: dict, scale: float = 2) -> bytes:
    return vl_convert.vegalite_to_png(spec, scale=scale)


def render_svg(spec: dict) -> str:
    return vl_convert.vegalite_to_svg(spec)
