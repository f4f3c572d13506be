"""Registry imports: operator station lists, OpenCelliD exports, poles, ducts, fibre routes,
government-network links and industrial zones. Like every import: all-or-nothing, every bad row
named (row, column, value, reason in Vietnamese and English), the original file kept."""

import functools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from hatangso.collection.models import ImportBatch
from hatangso.collection.services import record_import_batch, record_rejected_import
from hatangso.core.changelog import Actor, record_change, record_changes, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import scope_for
from hatangso.geography.geojson import checked_geometry, plain_geometry, read_features
from hatangso.geography.locating import UnitLocator
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Agency
from hatangso.registry.models import (
    DuctSegment,
    FibreRoute,
    GovernmentLink,
    IndustrialZone,
    Operator,
    Pole,
    Station,
    Status,
    UnitSource,
    ZoneCoverage,
)
from hatangso.registry.models.infrastructure import DuctTenancy, PoleTenancy
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, RowErrors, keep_original, map_columns
from hatangso.utilities.periods import parse_day
from hatangso.utilities.tabular import Table, read_table
from hatangso.utilities.text import match_key

COMMON_COLUMNS = {
    "lat": {"vi_do", "lat", "latitude"},
    "lon": {"kinh_do", "lon", "lng", "longitude"},
    "unit_code": {"ma_don_vi", "ma_xa", "unit_code"},
    "status": {"trang_thai", "status"},
    "in_service_from": {"ngay_hoat_dong", "ngay_dua_vao_su_dung", "in_service_from", "since"},
    "in_service_to": {"ngay_ngung", "ngay_thao_do", "in_service_to", "until"},
    "note": {"ghi_chu", "note"},
}
STATION_COLUMNS = COMMON_COLUMNS | {
    "code": {"ma_tram", "station_code", "code"},
    "operator": {"doanh_nghiep", "operator"},
    "name": {"ten_tram", "name"},
    "technology": {"cong_nghe", "technology"},
    "antenna_height_m": {"do_cao_anten", "do_cao_anten_m", "antenna_height", "antenna_height_m"},
    "bands": {"bang_tan", "bands"},
}
SHARED_COLUMNS = COMMON_COLUMNS | {
    "code": {"ma_cot", "ma_tuyen", "ma", "code"},
    "owner": {"chu_so_huu", "owner"},
    "tenants": {"doanh_nghiep_dung_chung", "doanh_nghiep_thue", "tenants"},
    "geometry": {"toa_do_tuyen", "wkt", "geometry"},
    "length_m": {"chieu_dai_m", "chieu_dai", "length_m"},
}
FIBRE_COLUMNS = SHARED_COLUMNS | {"operator": {"doanh_nghiep", "operator"}, "name": {"ten_tuyen", "name"}}
LINK_COLUMNS = COMMON_COLUMNS | {
    "code": {"ma", "ma_ket_noi", "code"},
    "office": {"tru_so", "co_quan", "office"},
    "commune_office": {"tru_so_ubnd", "ubnd_xa", "commune_office"},
    "agency": {"ma_co_quan", "agency"},
    "link_type": {"loai_ket_noi", "link_type"},
    "bandwidth_mbps": {"bang_thong", "bang_thong_mbps", "bandwidth_mbps"},
    "operator": {"doanh_nghiep", "nha_cung_cap", "operator"},
}
ZONE_COLUMNS = COMMON_COLUMNS | {
    "code": {"ma", "ma_khu", "code"},
    "name": {"ten", "ten_khu", "name"},
    "iot": {"phu_song_iot", "iot"},
}
OPENCELLID_COLUMNS = {
    name: {name}
    for name in (
        "radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range", "samples", "changeable",
        "created", "updated", "averagesignal",
    )
}  # fmt: skip
OPENCELLID_RADIO = {"GSM": "2G", "UMTS": "3G", "LTE": "4G", "NR": "5G"}
STATUS_WORDS = {
    match_key(word): status
    for status, words in {
        Status.ACTIVE: ("active", "hoạt động", "đang hoạt động", "dang su dung", "đang sử dụng"),
        Status.PLANNED: ("planned", "quy hoạch", "đang xây dựng", "kế hoạch"),
        Status.INACTIVE: ("inactive", "tạm ngừng", "ngừng hoạt động"),
        Status.REMOVED: ("removed", "đã tháo dỡ", "tháo dỡ"),
    }.items()
    for word in words
}


@dataclass(frozen=True)
class RegistryImportSummary:
    kind: str
    created: int
    updated: int
    unchanged: int
    batch: ImportBatch | None = None
    notes: list[str] = field(default_factory=list)
    # Stations and OpenCelliD: file rows outside every boundary (None: the kind does not count them).
    outside: int | None = None


class _Reader:
    """Row-by-row parsing with every problem collected; knows operators and units."""

    def __init__(self, table: Table, mapping: dict[str, str], user):
        self.table, self.mapping, self.errors = table, mapping, RowErrors()
        self.operators = {}
        for operator in Operator.objects.all():
            for key in (operator.code, operator.short_name, operator.name):
                self.operators[match_key(key)] = operator
        self.units: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for unit in AdministrativeUnit.objects.all():
            self.units[unit.code].append(unit)
        self.scope = scope_for(user)
        self.number, self.cells, self.ok = 0, {}, True

    def rows(self):
        for number, cells in self.table.rows:
            self.number, self.cells, self.ok = number, cells, True
            yield number

    def text(self, name: str) -> str:
        return self.cells.get(self.mapping.get(name, ""), "")

    def fail(self, name: str, vi: str, en: str) -> None:
        self.errors.add(self.number, self.mapping.get(name, name), self.text(name), vi, en)
        self.ok = False

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.fail(name, "thiếu giá trị", "value is missing")
        return value

    def number_in(self, name: str, low: float, high: float, required: bool = True) -> float | None:
        raw = self.text(name)
        if not raw:
            if required:
                self.fail(name, "thiếu giá trị", "value is missing")
            return None
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            self.fail(name, "không phải là số", "is not a number")
            return None
        if not low <= value <= high:
            self.fail(
                name, f"phải trong khoảng {low:g} đến {high:g}", f"must be between {low:g} and {high:g}"
            )
            return None
        return value

    def day(self, name: str) -> date | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            return parse_day(raw)
        except UserError as exc:
            self.fail(name, exc.vi, exc.en)
            return None

    def status(self) -> str:
        raw = self.text("status")
        if not raw:
            return Status.ACTIVE
        found = STATUS_WORDS.get(match_key(raw)) or (raw if raw in Status.values else None)
        if found is None:
            self.fail("status", "trạng thái không rõ", f"unknown status (use {', '.join(Status.values)})")
        return found or Status.ACTIVE

    def operator(self, name: str, required: bool = True) -> Operator | None:
        raw = self.text(name)
        if not raw:
            if required:
                self.fail(name, "thiếu doanh nghiệp", "operator is missing")
            return None
        operator = self.operators.get(match_key(raw))
        if operator is None:
            self.fail(name, "không có doanh nghiệp này", "unknown operator")
        return operator

    def operators_list(self, name: str) -> list[Operator]:
        found = []
        for part in self.text(name).replace(",", ";").split(";"):
            if part.strip():
                operator = self.operators.get(match_key(part))
                if operator is None:
                    self.fail(
                        name, f"không có doanh nghiệp '{part.strip()}'", f"unknown operator '{part.strip()}'"
                    )
                elif operator not in found:
                    found.append(operator)
        return found

    def declared_unit(self, on: date, dated: bool = True) -> AdministrativeUnit | None:
        code = self.text("unit_code")
        if not code:
            return None
        units = self.units.get(code)
        if not units:
            self.fail("unit_code", f"không có đơn vị mã {code}", f"no unit has code {code}")
            return None
        valid = [u for u in units if u.is_valid_between(on, on)]
        if valid:
            return valid[0]
        if dated:
            self.fail(
                "unit_code",
                f"mã {code} không có hiệu lực ngày {on:%d/%m/%Y}",
                f"code {code} is not valid on {on.isoformat()}",
            )
            return None
        # Without a date the code means its latest unit (a unit abolished in 2025 still has one).
        return max(units, key=lambda u: u.valid_from or date.min)

    def may_write(self, name: str, operator: Operator | None) -> None:
        """An enterprise imports only its own items; the plan owner anything."""
        if self.ok and not self.scope.can_write_operator_item(operator):
            who = operator.short_name if operator else "(không ghi)"
            self.fail(name, f"{who} ngoài phạm vi của bạn", f"{who} is outside your scope")

    def unique(self, seen: dict, key, name: str) -> None:
        if key in seen:
            self.fail(name, f"trùng với dòng {seen[key]}", f"duplicates row {seen[key]}")
        else:
            seen[key] = self.number

    def reject_if_bad(self, path: Path, kind: str, actor: Actor, synthetic: bool = False) -> None:
        if self.errors:
            record_rejected_import(
                kind=kind, path=Path(path), errors=self.errors.errors, actor=actor, synthetic=synthetic
            )
            raise ImportRejected(Path(path).name, self.errors.errors)


def _place(items: list, declared: list, days: list[date]) -> list[int]:
    """Each item's unit: the commune whose boundary holds it (units in force on the item's
    in-service day), else the declared one, else the nearest boundary. Returns the indexes of the
    items outside every boundary (none when there are no boundaries to tell)."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for index, day in enumerate(days):
        by_day[day].append(index)
    outside = []
    for day, indexes in by_day.items():
        located = [i for i in indexes if items[i].lat is not None]
        locator = UnitLocator(on=day)
        placements = locator.locate_many(
            [items[i].lon for i in located], [items[i].lat for i in located], [declared[i] for i in located]
        )
        for i, placement in zip(located, placements, strict=True):
            items[i].unit, items[i].unit_source = placement.unit, placement.method
            if placement.unit is None and locator.has_boundaries:
                outside.append(i)
        for i in set(indexes) - set(located):
            items[i].unit, items[i].unit_source = declared[i], "declared" if declared[i] else ""
    return sorted(outside)


_PLACED = ("lat", "lon", "unit_id", "unit_source", "status", "in_service_from", "in_service_to", "note")
FIELDS_COMPARED = {
    Station: [*_PLACED, "name", "technology", "antenna_height_m", "bands", "mcc", "mnc"],
    Pole: [*_PLACED, "owner_id", "owner_name"],
    DuctSegment: [*_PLACED, "owner_id", "owner_name", "geometry", "length_m"],
    FibreRoute: [*_PLACED, "operator_id", "name", "geometry", "length_m"],
    GovernmentLink: [
        *_PLACED,
        "office",
        "commune_office",
        "agency_id",
        "link_type",
        "bandwidth_mbps",
        "operator_id",
    ],
    IndustrialZone: [*_PLACED, "name", "geometry"],
}


def _upsert(model, items: list, key_of, actor: Actor, batch, synthetic: bool) -> tuple[list, int, int, int]:
    """Create new items, update changed ones (one change-log row each), leave equal ones alone.
    Returns (saved items in input order, created, updated, unchanged)."""
    fields = FIELDS_COMPARED[model]
    existing = {key_of(obj): obj for obj in model.objects.all()}
    to_create, saved, updated, unchanged = [], [], 0, 0
    for item in items:
        current = existing.get(key_of(item))
        if current is None:
            item.import_batch, item.synthetic = batch, synthetic
            to_create.append(item)
            saved.append(item)
            continue
        if all(getattr(current, f) == getattr(item, f) for f in fields):
            unchanged += 1
        else:
            before = snapshot(current)
            for name in fields:
                setattr(current, name, getattr(item, name))
            current.import_batch = batch
            current.save()
            record_change(actor, ChangeLogEntry.Action.UPDATE, current, before=before)
            updated += 1
        saved.append(current)
    model.objects.bulk_create(to_create, batch_size=2000)
    if any(obj.pk is None for obj in to_create):
        by_key = {key_of(obj): obj.pk for obj in model.objects.filter(import_batch=batch)}
        for obj in to_create:
            obj.pk = by_key[key_of(obj)]
    record_changes(actor, ChangeLogEntry.Action.CREATE, to_create)
    return saved, len(to_create), updated, unchanged


def _set_tenants(tenancy_model, items: list, tenants: list[list[Operator]], actor: Actor) -> None:
    """Tenancies as the file lists them: new tenants start now, tenants no longer listed end now
    (their history stays, so earlier periods keep their sharing)."""
    today = timezone.localdate()
    current = defaultdict(dict)
    for tenancy in tenancy_model.objects.filter(item__in=items, until__isnull=True):
        current[tenancy.item_id][tenancy.operator_id] = tenancy
    for item, operators in zip(items, tenants, strict=True):
        wanted = {o.pk for o in operators}
        for operator in operators:
            if operator.pk not in current[item.pk]:
                tenancy, _ = tenancy_model.objects.update_or_create(
                    item=item,
                    operator=operator,
                    defaults={"since": item.in_service_from or today, "until": None},
                )
                record_change(actor, ChangeLogEntry.Action.CREATE, tenancy)
        for operator_id, tenancy in current[item.pk].items():
            if operator_id not in wanted:
                before = snapshot(tenancy)
                tenancy.until = today
                tenancy.save()
                record_change(actor, ChangeLogEntry.Action.UPDATE, tenancy, before=before)


def _service_day(item) -> date:
    return item.in_service_from or timezone.localdate()


def _common(reader: _Reader, item, locate: bool = True) -> AdministrativeUnit | None:
    if locate:
        item.lat = reader.number_in("lat", -90, 90)
        item.lon = reader.number_in("lon", -180, 180)
    item.status = reader.status()
    item.in_service_from = reader.day("in_service_from")
    item.in_service_to = reader.day("in_service_to")
    item.note = reader.text("note")[:500]
    if item.in_service_from and item.in_service_to and item.in_service_to < item.in_service_from:
        reader.fail("in_service_to", "ngày ngừng trước ngày đưa vào sử dụng", "ends before it starts")
    return reader.declared_unit(_service_day(item), dated=item.in_service_from is not None)


def _finish(
    kind, model, path, reader, items, declared, key_of, actor, synthetic, tenants=None, tenancy=None,
    outside_rows=None, keep_outside=False,
):  # fmt: skip
    """Place, keep the original and write the items. With `outside_rows` (the file rows behind each
    item) the items outside every boundary are counted and left out, or kept flagged with
    `keep_outside`."""
    reader.reject_if_bad(path, kind, actor, synthetic)
    if not items:
        raise UserError(
            f"Tệp {Path(path).name} không có dòng dữ liệu nào", f"File {Path(path).name} has no data rows"
        )
    outside = _place(items, declared, [_service_day(i) for i in items])
    outside_count = None
    if outside_rows is not None:
        outside_count = sum(outside_rows[i] for i in outside)
        if keep_outside:
            for i in outside:
                items[i].unit_source = UnitSource.OUTSIDE
        elif len(outside) == len(items):
            raise UserError(
                f"Không dòng nào của tệp {Path(path).name} nằm trong ranh giới đã có: {outside_count} dòng "
                f"ngoài mọi ranh giới (--keep-outside, hoặc keep_outside=true ở API, để giữ lại)",
                f"No row of {Path(path).name} lies inside a known boundary: {outside_count} rows outside "
                f"every boundary (--keep-outside, or keep_outside=true in the API, keeps them)",
            )
        else:
            left_out = set(outside)
            items = [item for i, item in enumerate(items) if i not in left_out]
    stored, digest = keep_original(path, kind)
    with transaction.atomic():
        batch = record_import_batch(
            kind=kind, file_name=Path(path).name, stored_path=str(stored), sha256=digest, rows=len(items),
            actor=actor, synthetic=synthetic,
        )
        saved, created, updated, unchanged = _upsert(model, items, key_of, actor, batch, synthetic)
        if tenancy is not None:
            _set_tenants(tenancy, saved, tenants, actor)
    notes = [] if outside_count is None else [outside_line(outside_count, keep_outside)]
    return RegistryImportSummary(kind, created, updated, unchanged, batch, notes, outside=outside_count)


def outside_line(count: int, kept: bool = False) -> str:
    """What an import says of its rows outside every boundary (measurements and registry alike)."""
    if kept:
        return (
            f"{count} dòng ngoài mọi ranh giới, giữ và đánh dấu / {count} rows outside every boundary, "
            "kept flagged"
        )
    return f"{count} dòng ngoài mọi ranh giới, bỏ qua / {count} rows outside every boundary, left out"


def import_stations(
    *, path: Path, actor: Actor, user, synthetic: bool = False, keep_outside: bool = False
) -> RegistryImportSummary:
    """An operator's station list (CSV/XLSX; columns in docs/registry.md). Stations outside every
    boundary (and with no unit declared) are left out, or kept flagged with `keep_outside`."""
    table = read_table(path)
    mapping = map_columns(table.columns, STATION_COLUMNS, ("code", "operator", "technology", "lat", "lon"))
    reader, items, declared, seen = _Reader(table, mapping, user), [], [], {}
    for _ in reader.rows():
        station = Station(code=reader.required("code"), name=reader.text("name"), bands=reader.text("bands"))
        operator = reader.operator("operator")
        technology = reader.text("technology").upper()
        if technology not in Station.Technology.values:
            reader.fail("technology", "công nghệ không rõ", "unknown technology (use 2G, 3G, 4G or 5G)")
        station.technology = technology
        station.antenna_height_m = reader.number_in("antenna_height_m", 0, 500, required=False)
        unit = _common(reader, station)
        reader.may_write("operator", operator)
        if reader.ok:
            reader.unique(seen, (operator.pk, station.code), "code")
        if reader.ok:
            station.operator = operator
            station.mcc, station.mnc = operator.mcc, operator.mnc
            items.append(station)
            declared.append(unit)
    summary = _finish(
        "stations", Station, path, reader, items, declared, _station_key, actor, synthetic,
        outside_rows=[1] * len(items), keep_outside=keep_outside,
    )  # fmt: skip
    return _with_detection(summary, actor)


def _station_key(station) -> tuple:
    return (station.operator_id, station.code)


def _with_detection(summary: RegistryImportSummary, actor: Actor) -> RegistryImportSummary:
    from hatangso.registry.sites import detect_sites

    result = detect_sites(actor=actor)
    note = (
        f"Vị trí trạm / sites: {result.sites}, dùng chung / shared {result.shared_sites} "
        f"(mới / new {result.created}, bỏ / removed {result.removed})"
    )
    return replace(summary, notes=[*summary.notes, note])


def import_opencellid(
    *, path: Path, actor: Actor, user, synthetic: bool = False, keep_outside: bool = False
) -> RegistryImportSummary:
    """OpenCelliD's cell export. Cells of one LTE eNodeB (cell >> 8) become one station at their
    mean position; other radios keep one station per cell (their IDs do not name the site).
    Stations outside every boundary are left out, or kept flagged with `keep_outside`."""
    table = read_table(path)
    mapping = map_columns(table.columns, OPENCELLID_COLUMNS, ("radio", "mcc", "net", "cell", "lon", "lat"))
    reader = _Reader(table, mapping, user)
    by_plmn = {(o.mcc, o.mnc.lstrip("0")): o for o in Operator.objects.exclude(mcc="")}
    groups: dict[tuple, dict] = {}
    for number in reader.rows():
        radio = reader.text("radio").upper()
        technology = OPENCELLID_RADIO.get(radio)
        if technology is None:
            reader.fail(
                "radio", "loại vô tuyến không rõ", f"unknown radio (use {', '.join(OPENCELLID_RADIO)})"
            )
        mcc, net, cell = reader.text("mcc"), reader.text("net"), reader.text("cell")
        if not mcc.isdigit():
            reader.fail("mcc", "mcc phải là số", "mcc must be a number")
        if not net.isdigit():
            reader.fail("net", "net (MNC) phải là số", "net (MNC) must be a number")
        if not cell.isdigit():
            reader.fail("cell", "mã cell phải là số nguyên không âm", "cell must be a non-negative integer")
        lat = reader.number_in("lat", -90, 90)
        lon = reader.number_in("lon", -180, 180)
        operator = by_plmn.get((mcc, net.lstrip("0")))
        if reader.ok and operator is None:
            reader.fail(
                "net", f"không có doanh nghiệp mạng {mcc}/{net}", f"no operator has MCC/MNC {mcc}/{net}"
            )
        if not reader.ok:
            continue
        created = reader.text("created")
        since = datetime.fromtimestamp(int(created), tz=UTC).date() if created.isdigit() else None
        code = f"LTE-{int(cell) >> 8}" if radio == "LTE" else f"{radio}-{reader.text('area')}-{cell}"
        group = groups.setdefault(
            (operator.pk, code),
            {
                "operator": operator,
                "code": code,
                "technology": technology,
                "points": [],
                "since": since,
                "row": number,
            },
        )
        group["points"].append((lon, lat))
        if since and (group["since"] is None or since < group["since"]):
            group["since"] = since
    items = []
    for group in groups.values():
        points = group["points"]
        items.append(
            Station(
                operator=group["operator"],
                code=group["code"],
                technology=group["technology"],
                lon=round(sum(p[0] for p in points) / len(points), 7),
                lat=round(sum(p[1] for p in points) / len(points), 7),
                mcc=group["operator"].mcc,
                mnc=group["operator"].mnc,
                in_service_from=group["since"],
                note=f"OpenCelliD, {len(points)} cell",
            )
        )
    summary = _finish(
        "opencellid", Station, path, reader, items, [None] * len(items), _station_key, actor, synthetic,
        outside_rows=[len(group["points"]) for group in groups.values()], keep_outside=keep_outside,
    )  # fmt: skip
    return _with_detection(summary, actor)


def _line(reader: _Reader, geometries: dict | None, kinds=("LineString", "MultiLineString")):
    """A line from the GeoJSON feature or the row's WKT column; sets nothing if bad."""
    from shapely import wkt
    from shapely.errors import ShapelyError

    try:
        if geometries is not None:
            return checked_geometry(geometries.get(reader.number), set(kinds))
        raw = reader.text("geometry")
        if not raw:
            raise ValueError("thiếu tọa độ tuyến (WKT LINESTRING) / line geometry (WKT) is missing")
        geom = wkt.loads(raw)
        return checked_geometry(geom.__geo_interface__, set(kinds))
    except (ValueError, ShapelyError) as exc:
        reader.fail("geometry", f"hình tuyến không hợp lệ: {exc}", f"invalid line geometry: {exc}")
        return None


@functools.cache
def _geod():
    from pyproj import Geod

    return Geod(ellps="WGS84")


def _line_length_m(geom) -> float:
    return float(_geod().geometry_length(geom))


def _read_lines_or_table(path: Path):
    if Path(path).suffix.lower() in {".geojson", ".json"}:
        return read_features(path)
    return read_table(path), None


def import_poles(*, path: Path, actor: Actor, user, synthetic: bool = False) -> RegistryImportSummary:
    table = read_table(path)
    mapping = map_columns(table.columns, SHARED_COLUMNS, ("code", "lat", "lon", "tenants"))
    reader, items, declared, tenants, seen = _Reader(table, mapping, user), [], [], [], {}
    for _ in reader.rows():
        pole = Pole(code=reader.required("code"))
        _owner(reader, pole)
        unit = _common(reader, pole)
        operators = reader.operators_list("tenants")
        reader.may_write("owner", pole.owner)
        if reader.ok:
            reader.unique(seen, pole.code, "code")
        if reader.ok:
            items.append(pole)
            declared.append(unit)
            tenants.append(operators)
    return _finish(
        "poles", Pole, path, reader, items, declared, _code_key, actor, synthetic, tenants, PoleTenancy
    )


def _owner(reader: _Reader, item) -> None:
    """The owner: an operator when the name is one, else an outside owner (e.g. the power company)."""
    raw = reader.text("owner")
    item.owner = reader.operators.get(match_key(raw)) if raw else None
    item.owner_name = "" if item.owner or not raw else raw[:200]


def _code_key(item) -> str:
    return item.code


def import_ducts(*, path: Path, actor: Actor, user, synthetic: bool = False) -> RegistryImportSummary:
    """Duct segments as lines: GeoJSON features, or CSV/XLSX with a WKT LINESTRING column."""
    table, geometries = _read_lines_or_table(path)
    mapping = map_columns(table.columns, SHARED_COLUMNS, ("code",))
    reader, items, declared, tenants, seen = _Reader(table, mapping, user), [], [], [], {}
    for _ in reader.rows():
        duct = DuctSegment(code=reader.required("code"))
        _owner(reader, duct)
        geom = _line(reader, geometries)
        unit = _common(reader, duct, locate=False)
        if geom is not None:
            _set_line(reader, duct, geom)
        operators = reader.operators_list("tenants")
        reader.may_write("owner", duct.owner)
        if reader.ok:
            reader.unique(seen, duct.code, "code")
        if reader.ok:
            items.append(duct)
            declared.append(unit)
            tenants.append(operators)
    return _finish(
        "ducts", DuctSegment, path, reader, items, declared, _code_key, actor, synthetic, tenants, DuctTenancy
    )


def _set_line(reader: _Reader, item, geom) -> None:
    middle = geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else geom.centroid
    item.lon, item.lat = round(middle.x, 7), round(middle.y, 7)
    item.geometry = plain_geometry(geom)
    declared_length = reader.number_in("length_m", 0, 1_000_000, required=False)
    item.length_m = declared_length if declared_length is not None else round(_line_length_m(geom), 1)


def import_fibre(*, path: Path, actor: Actor, user, synthetic: bool = False) -> RegistryImportSummary:
    table, geometries = _read_lines_or_table(path)
    mapping = map_columns(table.columns, FIBRE_COLUMNS, ("code", "operator"))
    reader, items, declared, seen = _Reader(table, mapping, user), [], [], {}
    for _ in reader.rows():
        route = FibreRoute(code=reader.required("code"), name=reader.text("name")[:200])
        operator = reader.operator("operator")
        geom = _line(reader, geometries)
        unit = _common(reader, route, locate=False)
        if geom is not None:
            _set_line(reader, route, geom)
        reader.may_write("operator", operator)
        if reader.ok:
            reader.unique(seen, route.code, "code")
        if reader.ok:
            route.operator = operator
            items.append(route)
            declared.append(unit)
    return _finish("fibre", FibreRoute, path, reader, items, declared, _code_key, actor, synthetic)


TRUE_WORDS = {"1", "x", "co", "yes", "true"}
LINK_TYPES = {
    match_key(w): t
    for t, words in {
        GovernmentLink.LinkType.TSLCD_2: ("tslcd_2", "cấp II", "cap 2", "TSLCD cấp II"),
        GovernmentLink.LinkType.TSLCD_1: ("tslcd_1", "cấp I", "cap 1", "TSLCD cấp I"),
        GovernmentLink.LinkType.OTHER: ("other", "khác"),
    }.items()
    for w in words
}


def import_gov_links(
    *, path: Path, actor: Actor, user, synthetic: bool = False
) -> RegistryImportSummary:
    """Offices' links to the government data network. The office's unit is required; its
    position is optional."""
    table = read_table(path)
    mapping = map_columns(table.columns, LINK_COLUMNS, ("code", "office", "unit_code", "link_type"))
    agencies = {match_key(a.code): a for a in Agency.objects.all()}
    reader, items, declared, seen = _Reader(table, mapping, user), [], [], {}
    for _ in reader.rows():
        link = GovernmentLink(code=reader.required("code"), office=reader.required("office")[:200])
        link.commune_office = match_key(reader.text("commune_office")) in TRUE_WORDS
        link.link_type = LINK_TYPES.get(match_key(reader.text("link_type")))
        if link.link_type is None:
            reader.fail(
                "link_type", "loại kết nối không rõ", "unknown link type (use tslcd_2, tslcd_1, other)"
            )
        link.bandwidth_mbps = reader.number_in("bandwidth_mbps", 0, 1_000_000, required=False)
        link.operator = reader.operator("operator", required=False)
        if reader.text("agency"):
            link.agency = agencies.get(match_key(reader.text("agency")))
            if link.agency is None:
                reader.fail("agency", "không có cơ quan mã này", "unknown agency code")
        has_position = bool(reader.text("lat") or reader.text("lon"))
        unit = _common(reader, link, locate=has_position)
        if not has_position:
            link.lat = link.lon = None
        if reader.ok and unit is None:
            reader.fail("unit_code", "thiếu mã đơn vị của trụ sở", "the office's unit code is missing")
        if link.commune_office and unit is not None and unit.level != "commune":
            reader.fail(
                "unit_code",
                "trụ sở UBND xã phải thuộc một xã, phường",
                "a commune office must be in a commune",
            )
        reader.may_write("code", None)
        if reader.ok:
            reader.unique(seen, link.code, "code")
        if reader.ok:
            items.append(link)
            declared.append(unit)
    reader.reject_if_bad(path, "gov-links", actor, synthetic)
    if not items:
        raise UserError(
            f"Tệp {Path(path).name} không có dòng dữ liệu nào", f"File {Path(path).name} has no data rows"
        )
    # The office's declared unit is the truth here: a link belongs to an office, not to a point.
    for link, unit in zip(items, declared, strict=True):
        link.unit, link.unit_source = unit, "declared"
    stored, digest = keep_original(path, "gov-links")
    with transaction.atomic():
        batch = record_import_batch(
            kind="gov-links", file_name=Path(path).name, stored_path=str(stored), sha256=digest,
            rows=len(items), actor=actor, synthetic=synthetic,
        )
        _, created, updated, unchanged = _upsert(GovernmentLink, items, _code_key, actor, batch, synthetic)
    return RegistryImportSummary("gov-links", created, updated, unchanged, batch)


def import_zones(*, path: Path, actor: Actor, user, synthetic: bool = False) -> RegistryImportSummary:
    """Industrial zones as GeoJSON polygons; `iot` lists coverage as `viettel:nb_iot; vnpt:lte_m`."""
    table, geometries = read_features(path)
    mapping = map_columns(table.columns, ZONE_COLUMNS, ("code", "name"))
    reader, items, declared, coverage, seen = _Reader(table, mapping, user), [], [], [], {}
    for _ in reader.rows():
        zone = IndustrialZone(code=reader.required("code"), name=reader.required("name")[:200])
        try:
            geom = checked_geometry(geometries.get(reader.number), {"Polygon", "MultiPolygon"})
            zone.geometry = plain_geometry(geom)
            zone.lon, zone.lat = round(geom.centroid.x, 7), round(geom.centroid.y, 7)
        except ValueError as exc:
            reader.fail("geometry", f"vùng không hợp lệ: {exc}", f"invalid zone polygon: {exc}")
        unit = _common(reader, zone, locate=False)
        pairs = []
        for part in reader.text("iot").replace(",", ";").split(";"):
            if not part.strip():
                continue
            name, _, technology = part.partition(":")
            operator = reader.operators.get(match_key(name))
            technology = technology.strip().lower().replace("-", "_")
            if operator is None or technology not in ZoneCoverage.Technology.values:
                reader.fail(
                    "iot",
                    f"'{part.strip()}' không hợp lệ",
                    f"'{part.strip()}' is invalid (operator:nb_iot|lte_m)",
                )
            else:
                pairs.append((operator, technology))
        if reader.ok:
            reader.unique(seen, zone.code, "code")
        if reader.ok:
            items.append(zone)
            declared.append(unit)
            coverage.append(pairs)
    summary = _finish("zones", IndustrialZone, path, reader, items, declared, _code_key, actor, synthetic)
    zones = {z.code: z for z in IndustrialZone.objects.filter(code__in=[z.code for z in items])}
    with transaction.atomic():
        for zone, pairs in zip(items, coverage, strict=True):
            for operator, technology in pairs:
                row, created = ZoneCoverage.objects.get_or_create(
                    zone=zones[zone.code], operator=operator, technology=technology,
                    defaults={"since": zone.in_service_from},
                )  # fmt: skip
                if created:
                    record_change(actor, ChangeLogEntry.Action.CREATE, row)
    return summary


# Registry import kinds for `hatangso import KIND FILE`.
IMPORTERS = {
    "stations": import_stations,
    "opencellid": import_opencellid,
    "poles": import_poles,
    "ducts": import_ducts,
    "fibre": import_fibre,
    "gov-links": import_gov_links,
    "zones": import_zones,
}
