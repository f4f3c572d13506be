"""A coverage layer as GeoJSON (one square per cell, WGS84) or CSV (cell centres), with each
cell's best predicted speed, operator, measured speed (where it wins) and population."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from hatangso.analytics.measurements import population, store
from hatangso.analytics.measurements.coverage import CoverageLayer
from hatangso.analytics.measurements.mobile import register_population
from hatangso.geography.models import AdministrativeUnit
from hatangso.utilities.lazy import lazy_import

np = lazy_import("numpy")
pa = lazy_import("pyarrow")

SYNTHETIC_NOTE = "dữ liệu mẫu / synthetic demo data"
FORMATS = ("geojson", "csv")
COLUMNS = [
    "ma_o",
    "ma_don_vi",
    "kinh_do",
    "vi_do",
    "toc_do_du_bao_mbps",
    "toc_do_do_duoc_mbps",  # Ookla, when enough tests fall in the cell; it then decides dat_muc_toc_do
    "doanh_nghiep",
    "dan_so",
    "dat_muc_toc_do",
]


def _cells(layer: CoverageLayer) -> pa.Table:
    connection = store.connect()
    ids = connection.execute(
        f"SELECT DISTINCT unit_id FROM read_parquet('{layer.cells_path.as_posix()}') "
        "WHERE unit_id IS NOT NULL"
    ).fetchall()
    codes = dict(AdministrativeUnit.objects.filter(pk__in=[i for (i,) in ids]).values_list("pk", "code"))
    connection.register(
        "unit_codes", pa.table({"id": pa.array(list(codes), pa.int64()), "code": list(codes.values())})
    )
    people = "SELECT NULL::BIGINT AS ix, NULL::BIGINT AS iy, NULL::DOUBLE AS people WHERE false"
    if population.has_population():
        register_population(connection, layer)
        people = "SELECT ix, iy, sum(population) AS people FROM population_points GROUP BY ix, iy"
    measured = (
        "CASE WHEN c.effective_mbps IS DISTINCT FROM c.best_mbps THEN c.measured_mbps END, c.effective_mbps"
        if "measured" in layer.meta
        else "NULL::DOUBLE, c.best_mbps"
    )
    return connection.execute(
        f"""SELECT c.ix, c.iy, u.code, c.lon, c.lat, c.best_mbps, {measured}, c.best_operator,
                   coalesce(p.people, 0) AS people
            FROM read_parquet('{layer.cells_path.as_posix()}') c
            LEFT JOIN unit_codes u ON u.id = c.unit_id
            LEFT JOIN ({people}) p ON p.ix = c.ix AND p.iy = c.iy
            ORDER BY c.iy, c.ix"""
    ).to_arrow_table()


def export_layer(layer: CoverageLayer, fmt: str, out: Path) -> int:
    """Write the layer to `out`; returns the number of cells."""
    table = _cells(layer)
    speed = layer.meta["parameters"]["speed_mbps"]
    note = SYNTHETIC_NOTE if layer.meta.get("synthetic") else ""
    rows = table.rename_columns(
        [*table.column_names[:6], "measured", "effective", *table.column_names[8:]]
    ).to_pylist()
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*COLUMNS, "ghi_chu"])
            for r in rows:
                writer.writerow(
                    [f"{r['ix']}_{r['iy']}", r["code"] or "", f"{r['lon']:.6f}", f"{r['lat']:.6f}",
                     f"{r['best_mbps']:.1f}", "" if r["measured"] is None else f"{r['measured']:.1f}",
                     r["best_operator"] or "", f"{r['people']:g}", int(r["effective"] >= speed), note]
                )  # fmt: skip
        return len(rows)
    size = layer.cell_m
    ix, iy = table["ix"].to_numpy(), table["iy"].to_numpy()
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs(layer.crs, "EPSG:4326", always_xy=True)
    corners = [
        to_wgs84.transform((ix + dx) * size, (iy + dy) * size) for dx, dy in ((0, 0), (1, 0), (1, 1), (0, 1))
    ]
    lons = np.round(np.column_stack([c[0] for c in corners]), 6)
    lats = np.round(np.column_stack([c[1] for c in corners]), 6)
    features = []
    for n, r in enumerate(rows):
        ring = [[float(lons[n, k]), float(lats[n, k])] for k in (0, 1, 2, 3, 0)]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "ma_o": f"{r['ix']}_{r['iy']}",
                    "ma_don_vi": r["code"],
                    "toc_do_du_bao_mbps": round(r["best_mbps"], 1),
                    "toc_do_do_duoc_mbps": None if r["measured"] is None else round(r["measured"], 1),
                    "doanh_nghiep": r["best_operator"],
                    "dan_so": r["people"],
                    "dat_muc_toc_do": r["effective"] >= speed,
                    **({"ghi_chu": note} if note else {}),
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    document = {
        "type": "FeatureCollection",
        "properties": {
            "as_of": layer.as_of.isoformat(),
            "parameters": layer.meta["parameters"],
            "note": note,
        },
        "features": features,
    }
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return len(rows)
