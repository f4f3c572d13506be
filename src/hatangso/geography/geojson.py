"""GeoJSON FeatureCollections as import rows: (feature number, properties, geometry)."""

import json
from pathlib import Path

from hatangso.utilities.errors import UserError
from hatangso.utilities.tabular import Table, header_key
from hatangso.utilities.text import clean_text


def read_features(path: Path) -> tuple[Table, dict[int, dict]]:
    """The features' properties as a table (keys matched like spreadsheet headers) and their
    geometries by row number; the row number is the feature's position, counting from 1."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(
            f"Tệp {path.name} không phải GeoJSON hợp lệ: {exc}",
            f"File {path.name} is not valid GeoJSON: {exc}",
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise UserError(
            f"Tệp {path.name} phải là một GeoJSON FeatureCollection",
            f"File {path.name} must be a GeoJSON FeatureCollection",
        )
    rows, geometries, columns = [], {}, []
    for number, feature in enumerate(data.get("features") or [], start=1):
        properties = (feature or {}).get("properties") or {}
        cells = {header_key(str(k)): clean_text("" if v is None else v) for k, v in properties.items()}
        for column in cells:
            if column not in columns:
                columns.append(column)
        rows.append((number, cells))
        geometries[number] = (feature or {}).get("geometry")
    return Table(columns=columns, rows=rows), geometries


def checked_geometry(geometry: dict | None, kinds: set[str]):
    """The shapely geometry, or ValueError with a reason fit for a row error."""
    if not geometry or geometry.get("type") not in kinds:
        found = (geometry or {}).get("type", "không có / none")
        raise ValueError(f"{found} (cần / expected {', '.join(sorted(kinds))})")
    from shapely.geometry import shape

    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(str(exc)) from exc
    if geom.is_empty or not geom.is_valid:
        raise ValueError("hình không hợp lệ / invalid shape")
    bounds = geom.bounds
    if not (-180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90):
        raise ValueError("tọa độ ngoài phạm vi WGS84 / coordinates outside WGS84 range")
    return geom


def plain_geometry(geom) -> dict:
    """A shapely geometry as GeoJSON with lists, not tuples, so stored JSON compares equal later."""

    def as_lists(value):
        return [as_lists(v) for v in value] if isinstance(value, list | tuple) else value

    data = geom.__geo_interface__
    return {"type": data["type"], "coordinates": as_lists(data["coordinates"])}
