"""Chart specs (Vega-Lite, built with altair) shared by the report and the web pages, and their
PNG rendering without a browser (vl-convert). Each function returns a spec dict, or None when the
data has nothing to draw."""

import altair as alt
import shapely.geometry
import vl_convert

from hatangso.geography.models import UnitBoundary
from hatangso.reports.content import RATINGS, ReportContent

COLOURS = alt.Scale(
    domain=list(RATINGS.values()),
    range=["#1b7a3d", "#b3261e", "#7a7f87", "#c58b00"],
)


def _short(name: str, limit: int = 48) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _config(chart: alt.Chart) -> dict:
    spec = (
        chart.configure(font="Liberation Serif").configure_axis(labelFontSize=11, titleFontSize=12).to_dict()
    )
    spec["background"] = "white"
    return spec


def indicators_vs_targets(results) -> dict | None:
    """Each %-indicator's value against its target; `results` are (indicator, value, status) —
    from the report's evaluations or the web page's stored results: one spec for both."""
    rows = [
        {
            "chi_tieu": f"{number}. {_short(indicator.name)}",
            "thuc_hien": float(value),
            "ke_hoach": float(indicator.target),
            "danh_gia": RATINGS[status],
        }
        for number, (indicator, value, status) in enumerate(results, start=1)
        if value is not None and indicator.unit == "%"
    ]
    if not rows:
        return None
    order = [r["chi_tieu"] for r in rows]
    base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("chi_tieu:N", sort=order, title=None))
    top = max(110, *(r["thuc_hien"] for r in rows))
    bars = base.mark_bar().encode(
        x=alt.X("thuc_hien:Q", title="Thực hiện (%)", scale=alt.Scale(domain=[0, top])),
        color=alt.Color("danh_gia:N", scale=COLOURS, title="Đánh giá"),
    )
    targets = base.mark_tick(color="black", thickness=2, size=16).encode(x="ke_hoach:Q")
    chart = (bars + targets).properties(
        width=420, height=22 * len(rows), title="Chỉ tiêu: thực hiện so với kế hoạch (vạch đen: kế hoạch)"
    )
    return _config(chart)


def commune_comparison(content: ReportContent, code: str) -> dict | None:
    rows = [
        {"don_vi": commune.name, "gia_tri": results[code].value}
        for commune, results in content.communes
        if code in results and results[code].value is not None
    ]
    if not rows:
        return None
    indicator = next(e.indicator for e in content.evaluations if e.indicator.code == code)
    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color="#123a6b")
        .encode(
            x=alt.X("don_vi:N", sort=None, title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("gia_tri:Q", title=f"{indicator.unit}"),
        )
    )
    target = (
        alt.Chart(alt.Data(values=[{"ke_hoach": float(indicator.target)}]))
        .mark_rule(color="#b3261e", strokeDash=[4, 3])
        .encode(y="ke_hoach:Q")
    )
    chart = (bars + target).properties(
        width=460, height=220, title=f"{_short(indicator.name, 70)} theo xã, phường (đường đỏ: kế hoạch)"
    )
    return _config(chart)


def trend(content: ReportContent) -> dict | None:
    rows = []
    for period, results in content.trend:
        for number, e in enumerate(content.evaluations, start=1):
            found = results.get(e.indicator.code)
            if found is not None and found.value is not None and e.indicator.unit == "%":
                rows.append(
                    {
                        "ky": period,
                        "chi_tieu": f"{number}. {_short(e.indicator.name, 40)}",
                        "gia_tri": found.value,
                    }
                )
    kept = {r["chi_tieu"] for r in rows if sum(x["chi_tieu"] == r["chi_tieu"] for x in rows) >= 2}
    rows = [r for r in rows if r["chi_tieu"] in kept]
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("ky:N", sort=[p for p, _ in content.trend], title="Kỳ"),
            y=alt.Y("gia_tri:Q", title="%"),
            color=alt.Color(
                "chi_tieu:N", title="Chỉ tiêu", legend=alt.Legend(orient="bottom", columns=1, labelLimit=460)
            ),
        )
        .properties(width=460, height=220, title="Diễn biến theo kỳ")
    )
    return _config(chart)


def commune_map(content: ReportContent, code: str) -> dict | None:
    """The communes coloured by an indicator; None without boundaries (nothing to draw)."""
    values = {commune.pk: results.get(code) for commune, results in content.communes}
    boundaries = UnitBoundary.objects.filter(unit_id__in=values).select_related("unit")
    features = [
        {
            "type": "Feature",
            "geometry": b.geometry,
            "properties": {
                "ten": b.unit.name,
                "gia_tri": values[b.unit_id].value if values[b.unit_id] is not None else None,
            },
        }
        for b in boundaries
    ]
    if not features:
        return None
    indicator = next(e.indicator for e in content.evaluations if e.indicator.code == code)
    data = alt.Data(values=features, format=alt.DataFormat(type="json"))
    shapes = (
        alt.Chart(data)
        .mark_geoshape(stroke="white", strokeWidth=1)
        .encode(
            color=alt.Color("properties.gia_tri:Q", title=indicator.unit, scale=alt.Scale(scheme="blues")),
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
        .mark_text(fontSize=10, color="#1d2433")
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
