"""Writes to the administrative-unit tree. Every function takes the acting `actor` and audits."""

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import F, Q

from hatangso.core.changelog import Actor, record_change, record_changes, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.geography import gso
from hatangso.geography.geojson import checked_geometry, plain_geometry, read_features
from hatangso.geography.locating import POLYGON, UnitLocator
from hatangso.geography.models import AdministrativeUnit, UnitBoundary, UnitSuccession
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, RowError, RowErrors, keep_original, map_columns
from hatangso.utilities.tabular import read_table
from hatangso.utilities.text import clean_text, match_key

DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_UNITS = DATA_DIR / "hue_units.csv"
REFERENCE_CROSSWALK = DATA_DIR / "hue_crosswalk_2025.csv"

_EARLIEST = date(1900, 1, 1)
_LATEST = date(9999, 12, 31)


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    level: str
    type_name: str = ""
    parent_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    former_names: str = ""
    source: str = ""
    synthetic: bool = False


@dataclass(frozen=True)
class UnitImportSummary:
    created: int
    updated: int
    unchanged: int
    # Units whose validity this import ended or began later, to make room for their new state.
    closed: int = 0


def _optional_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


class _UnitIndex:
    """The units an import touches, by code, so matching a list costs no query per row."""

    def __init__(self, codes: set[str]):
        self.by_code: dict[str, list[AdministrativeUnit]] = {}
        for unit in AdministrativeUnit.objects.filter(code__in=codes).select_related("parent"):
            self.add(unit)

    def add(self, unit: AdministrativeUnit) -> None:
        self.by_code.setdefault(unit.code, []).append(unit)

    def overlapping(self, code: str, level: str | None, start: date, end: date) -> list[AdministrativeUnit]:
        return [
            u
            for u in self.by_code.get(code, [])
            if (level is None or u.level == level) and u.is_valid_between(start, end)
        ]

    def exact(self, record: UnitRecord) -> AdministrativeUnit | None:
        """The same unit: same code, level and validity."""
        return next(
            (
                u
                for u in self.by_code.get(record.code, [])
                if u.level == record.level
                and (u.valid_from, u.valid_to) == (record.valid_from, record.valid_to)
            ),
            None,
        )

    def covering(self, record: UnitRecord, parent: AdministrativeUnit | None) -> AdministrativeUnit | None:
        """A unit with the record's code, name (or former name) and parent whose validity covers the
        record's (an undated record: the unit in force today): a list of another date names the
        same unit again."""
        today = date.today()
        for unit in self.by_code.get(record.code, []):
            if record.valid_from is None and record.valid_to is None:
                covers = unit.is_valid_between(today, today)
            else:
                covers = (
                    unit.valid_from is None
                    or (record.valid_from is not None and unit.valid_from <= record.valid_from)
                ) and (
                    unit.valid_to is None
                    or (record.valid_to is not None and unit.valid_to >= record.valid_to)
                )
            same_name = match_key(unit.name) == match_key(record.name) or (
                unit.former_names and match_key(record.name) in match_key(unit.former_names)
            )
            same_parent = unit.parent_id == (parent.pk if parent else None)
            if unit.level == record.level and covers and same_name and same_parent:
                return unit
        return None

    def parent_of(self, record: UnitRecord) -> AdministrativeUnit | None:
        if not record.parent_code:
            return None
        start, end = record.valid_from or _EARLIEST, record.valid_to or _LATEST
        candidates = self.overlapping(record.parent_code, None, start, end)
        if len(candidates) > 1 and record.valid_from is None and record.valid_to is None:
            # An undated list describes the units as they are now.
            today = date.today()
            candidates = [u for u in candidates if u.is_valid_between(today, today)] or candidates
        if len(candidates) != 1:
            reason = "không tìm thấy" if not candidates else "có nhiều hơn một"
            reason_en = "not found" if not candidates else "ambiguous"
            raise UserError(
                f"Đơn vị cha {record.parent_code} của {record.name} ({record.code}) {reason} "
                f"trong thời gian hiệu lực",
                f"Parent unit {record.parent_code} of {record.name} ({record.code}) is {reason_en} "
                f"for its validity",
            )
        return candidates[0]


def _set_path(unit: AdministrativeUnit) -> None:
    """Set the unit's materialised path, and its descendants' when it moved to another parent."""
    prefix = unit.parent.path if unit.parent_id else "/"
    path = f"{prefix}{unit.pk}/"
    if unit.path == path:
        return
    old = unit.path
    unit.path = path
    AdministrativeUnit.objects.filter(pk=unit.pk).update(path=path)
    if old:
        for descendant in AdministrativeUnit.objects.filter(path__startswith=old).exclude(pk=unit.pk):
            descendant.path = path + descendant.path.removeprefix(old)
            descendant.save(update_fields=["path"])


def _has_history(unit: AdministrativeUnit) -> bool:
    """Whether the unit carries anything an in-place rename or move would rewrite: data values,
    units under it, or links to its predecessors and successors."""
    from hatangso.collection.models import DataValue

    return (
        unit.children.exists()
        or DataValue.objects.filter(unit=unit).exists()
        or UnitSuccession.objects.filter(Q(predecessor=unit) | Q(successor=unit)).exists()
    )


def _history_conflict(unit: AdministrativeUnit, record: UnitRecord) -> UserError:
    return UserError(
        f"Danh mục sẽ đổi {unit.name} ({unit.code}, hiệu lực {unit.validity_label}) thành "
        f"{record.name} thuộc {record.parent_code or '—'}; để giữ lịch sử hãy thêm --valid-from "
        f"(ngày danh mục có hiệu lực) hoặc --valid-to (ngày danh mục cũ hết hiệu lực)",
        f"The list would turn {unit.name} ({unit.code}, valid {unit.validity_label}) into "
        f"{record.name} under {record.parent_code or '—'}; to keep its history add --valid-from "
        f"(the day the list takes effect) or --valid-to (the last day of an older list)",
    )


def _check_data_within(unit: AdministrativeUnit) -> None:
    """A unit whose validity was shortened must keep all its data inside it (history is never
    moved to another unit silently)."""
    from hatangso.collection.models import DataValue

    outside = Q()
    if unit.valid_from:
        outside |= Q(period_start__lt=unit.valid_from)
    if unit.valid_to:
        outside |= Q(period_end__gt=unit.valid_to)
    stray = DataValue.objects.filter(outside, unit=unit).order_by("period_start").first() if outside else None
    if stray is not None:
        raise UserError(
            f"{unit.name} ({unit.code}) có số liệu kỳ {stray.period} ngoài thời gian hiệu lực mới "
            f"{unit.validity_label}; hãy kiểm tra ngày --valid-from / --valid-to",
            f"{unit.name} ({unit.code}) has data for {stray.period} outside its new validity "
            f"{unit.validity_label}; check the dates of --valid-from / --valid-to",
        )


def _shorten(unit: AdministrativeUnit, actor: Actor, *, valid_from: date | None, valid_to: date | None):
    before = snapshot(unit)
    unit.valid_from, unit.valid_to = valid_from, valid_to
    _check_data_within(unit)
    unit.save(update_fields=["valid_from", "valid_to"])
    record_change(actor, ChangeLogEntry.Action.UPDATE, unit, before=before)


def _make_room(unit: AdministrativeUnit, record: UnitRecord, actor: Actor) -> None:
    """Shorten the validity of `unit` (same code, described otherwise) so that the record's unit
    can follow or precede it: a list dated from F closes the unit on F-1; a list valid until T opens
    it on T+1. A record that would cover the unit or cut it in two is refused."""
    u_start, u_end = unit.valid_from or _EARLIEST, unit.valid_to or _LATEST
    r_start, r_end = record.valid_from or _EARLIEST, record.valid_to or _LATEST
    keeps_before, keeps_after = u_start < r_start, u_end > r_end
    if keeps_before and not keeps_after:
        _shorten(unit, actor, valid_from=unit.valid_from, valid_to=r_start - timedelta(days=1))
    elif keeps_after and not keeps_before:
        _shorten(unit, actor, valid_from=r_end + timedelta(days=1), valid_to=unit.valid_to)
    elif keeps_before and keeps_after:
        raise UserError(
            f"Danh mục ({record.name}, {record.code}) rơi vào giữa thời gian hiệu lực "
            f"{unit.validity_label} của {unit.name}; hãy chỉ ghi --valid-from hoặc chỉ --valid-to",
            f"The list ({record.name}, {record.code}) falls inside the validity {unit.validity_label} "
            f"of {unit.name}; give only --valid-from or only --valid-to",
        )
    else:
        raise _history_conflict(unit, record)


def _close_absent(*, province_codes: set[str], listed: set[int], day: date, actor: Actor) -> int:
    """A dated list is complete: the units it covers that were in force the day before it takes
    effect and that it no longer names end that day, with the villages under them. A list of one
    province covers that province; a list of several covers the country (provinces merge)."""
    provinces = AdministrativeUnit.objects.filter(
        code__in=province_codes, level=AdministrativeUnit.Level.PROVINCE
    )
    if not provinces:
        return 0
    in_provinces = Q()
    for province in provinces if len(province_codes) == 1 else ():
        in_provinces |= Q(path__startswith=province.path)
    last_day = day - timedelta(days=1)
    running = (
        AdministrativeUnit.objects.filter(in_provinces)
        .valid_on(last_day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .exclude(pk__in=listed)
    )
    absent = [u for u in running if u.level != AdministrativeUnit.Level.VILLAGE]
    closed_paths = tuple(u.path for u in absent)
    absent += [
        u for u in running if u.level == AdministrativeUnit.Level.VILLAGE and u.path.startswith(closed_paths)
    ]
    for unit in absent:
        _shorten(unit, actor, valid_from=unit.valid_from, valid_to=last_day)
    return len(absent)


@transaction.atomic
def upsert_units(*, records: list[UnitRecord], actor: Actor) -> UnitImportSummary:
    """Create or update units without rewriting their history.

    A record naming a unit again (same code, name or former name, and parent, within its validity)
    leaves it unchanged. A record that describes a unit otherwise (new name or parent) is, when
    dated, a new unit: the old one's validity is shortened to make room (a list from F closes it on
    F-1, a list until T opens it on T+1) and, for a list dated from F only, the units of its
    provinces it no longer names end on F-1. Undated, such a record corrects the unit in place only
    if nothing depends on it (no data, units under it or crosswalk links); else the import is
    refused. Parents come before children (as in GSO lists and our files).
    """
    created = updated = unchanged = closed = 0
    index = _UnitIndex({r.code for r in records} | {r.parent_code for r in records if r.parent_code})
    new_units: list[AdministrativeUnit] = []
    listed: set[int] = set()
    for record in records:
        parent = index.parent_of(record)
        dated = record.valid_from is not None or record.valid_to is not None
        if (known := index.covering(record, parent)) is not None:
            listed.add(known.pk)
            unchanged += 1
            continue
        fields = {
            "name": clean_text(record.name),
            "type_name": clean_text(record.type_name),
            "parent": parent,
            "former_names": clean_text(record.former_names),
            "source": clean_text(record.source),
            "synthetic": record.synthetic,
        }
        unit = index.exact(record)
        if unit is not None:
            before = snapshot(unit)
            # What a list says of a unit is its name, type and parent; the source and former names
            # change only along with them (a list of another date must not erase them).
            fields["former_names"] = fields["former_names"] or unit.former_names
            described = ("name", "type_name", "parent", "former_names", "synthetic")
            listed.add(unit.pk)
            if all(getattr(unit, name) == fields[name] for name in described):
                unchanged += 1
                continue
            if not dated and _has_history(unit):
                raise _history_conflict(unit, record)
            for name, value in fields.items():
                setattr(unit, name, value)
            unit.save()
            _set_path(unit)
            record_change(actor, ChangeLogEntry.Action.UPDATE, unit, before=before)
            updated += 1
            continue
        start, end = record.valid_from or _EARLIEST, record.valid_to or _LATEST
        for clash in index.overlapping(record.code, record.level, start, end):
            _make_room(clash, record, actor)
            closed += 1
        unit = AdministrativeUnit.objects.create(
            code=record.code,
            level=record.level,
            valid_from=record.valid_from,
            valid_to=record.valid_to,
            path="",
            **fields,
        )
        _set_path(unit)
        index.add(unit)
        listed.add(unit.pk)
        new_units.append(unit)
        created += 1
    record_changes(actor, ChangeLogEntry.Action.CREATE, new_units)
    froms = {r.valid_from for r in records}
    if len(froms) == 1 and None not in froms and all(r.valid_to is None for r in records):
        province_codes = {r.code for r in records if r.level == AdministrativeUnit.Level.PROVINCE}
        closed += _close_absent(province_codes=province_codes, listed=listed, day=froms.pop(), actor=actor)
    return UnitImportSummary(created=created, updated=updated, unchanged=unchanged, closed=closed)


def _read_reference_units(path: Path) -> list[UnitRecord]:
    with path.open(encoding="utf-8") as handle:
        return [
            UnitRecord(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                type_name=row["type_name"],
                parent_code=row["parent_code"] or None,
                valid_from=_optional_date(row["valid_from"]),
                valid_to=_optional_date(row["valid_to"]),
                former_names=row["former_names"],
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        ]


@transaction.atomic
def load_reference_units(*, actor: Actor) -> UnitImportSummary:
    """Load the shipped units of Thừa Thiên Huế / Huế before and after 2025, with the crosswalk."""
    summary = upsert_units(records=_read_reference_units(REFERENCE_UNITS), actor=actor)
    with REFERENCE_CROSSWALK.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    communes: dict[str, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(level="commune"):
        communes.setdefault(unit.code, []).append(unit)
    linked = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    for row in rows:
        effective = date.fromisoformat(row["effective"])
        # The predecessor is the last unit with the old code that ended before the change.
        predecessor = max(
            (u for u in communes[row["old_code"]] if u.valid_to and u.valid_to < effective),
            key=lambda u: u.valid_to,
        )
        successor = next(u for u in communes[row["new_code"]] if u.valid_from == effective)
        if (predecessor.pk, successor.pk) not in linked:
            link_successor(
                predecessor=predecessor,
                successor=successor,
                effective=effective,
                note=row["note"],
                source=row["source"],
                actor=actor,
            )
    return summary


def link_successor(
    *,
    predecessor: AdministrativeUnit,
    successor: AdministrativeUnit,
    effective: date,
    source: str,
    note: str = "",
    share: Decimal | None = Decimal(1),
    share_basis: str = UnitSuccession.ShareBasis.WHOLE,
    actor: Actor,
) -> UnitSuccession:
    if predecessor.pk == successor.pk:
        raise UserError("Một đơn vị không thể kế thừa chính nó", "A unit cannot succeed itself")
    link, created = UnitSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={
            "effective": effective,
            "note": clean_text(note),
            "source": clean_text(source),
            "share": share,
            "share_basis": share_basis,
        },
    )
    if created:
        record_change(actor, ChangeLogEntry.Action.CREATE, link)
    return link


def import_gso_list(
    *,
    path: Path,
    actor: Actor,
    valid_from: date | None = None,
    valid_to: date | None = None,
    province_code: str | None = None,
    provinces_path: Path | None = None,
    source: str = "",
) -> UnitImportSummary:
    """Import a GSO unit list: the three-level export (CSV/XLSX) or the two-level list of units in
    force from 01/07/2025, of one province (`province_code`) or national (`provinces_path`, the list
    of the provinces' codes)."""
    try:
        if provinces_path:
            units = gso.read_gso_two_level_national(path, provinces_path)
        elif province_code:
            units = gso.read_gso_two_level(path, province_code=province_code)
        else:
            units = gso.read_gso_three_level(path)
    except gso.GsoFormatError as exc:
        raise UserError(exc.message_vi, exc.message_en) from exc
    label = source or f"Danh mục GSO: {Path(path).name}"
    records = [
        UnitRecord(
            code=u.code,
            name=u.name,
            level=u.level,
            type_name=u.type_name,
            parent_code=u.parent_code,
            valid_from=valid_from,
            valid_to=valid_to,
            source=label,
        )
        for u in units
    ]
    return upsert_units(records=records, actor=actor)


@transaction.atomic
def create_village(
    *,
    commune: AdministrativeUnit,
    name: str,
    actor: Actor,
    type_name: str = "Thôn",
    code: str | None = None,
    synthetic: bool = False,
    source: str = "",
) -> AdministrativeUnit:
    """Add a thôn / tổ dân phố under a commune; its code is `<commune code>.<nn>` unless given."""
    if commune.level != AdministrativeUnit.Level.COMMUNE:
        raise UserError(
            f"{commune} không phải cấp xã; thôn/TDP phải thuộc một xã, phường",
            f"{commune} is not a commune; a village must belong to a commune",
        )
    name = clean_text(name)
    if not name:
        raise UserError("Tên thôn/TDP không được để trống", "The village name is empty")
    siblings = commune.children.filter(level=AdministrativeUnit.Level.VILLAGE)
    if any(match_key(v.name) == match_key(name) for v in siblings):
        raise UserError(
            f"{commune.name} đã có thôn/TDP tên '{name}'", f"{commune.name} already has a village '{name}'"
        )
    if code is None:
        code = f"{commune.code}.{siblings.count() + 1:02d}"
    elif not code.startswith(f"{commune.code}."):
        raise UserError(
            f"Mã thôn/TDP phải có dạng {commune.code}.nn", f"A village code must look like {commune.code}.nn"
        )
    village = AdministrativeUnit.objects.create(
        code=code,
        name=name,
        level=AdministrativeUnit.Level.VILLAGE,
        type_name=clean_text(type_name),
        parent=commune,
        valid_from=commune.valid_from,
        valid_to=commune.valid_to,
        synthetic=synthetic,
        source=source,
        path="",
    )
    _set_path(village)
    record_change(actor, ChangeLogEntry.Action.CREATE, village)
    return village


VILLAGE_COLUMNS = {
    "commune_code": {"ma_xa", "ma_don_vi_cap_xa", "commune_code"},
    "name": {"ten", "ten_thon", "ten_thon_tdp", "name"},
    "type_name": {"loai", "type", "type_name"},
    "code": {"ma", "ma_thon", "code"},
}


def import_villages(*, path: Path, actor: Actor, synthetic: bool = False) -> int:
    """Import thôn / tổ dân phố (columns ma_xa, ten, [loai], [ma]) into the communes in force
    today (or, for abolished codes, the latest commune with that code); all-or-nothing."""
    table = read_table(path)
    mapping = {
        field: next((c for c in table.columns if c in aliases), None)
        for field, aliases in VILLAGE_COLUMNS.items()
    }
    if not mapping["commune_code"] or not mapping["name"]:
        raise UserError("Tệp thôn/TDP cần cột ma_xa và ten", "A village file needs the columns ma_xa and ten")
    errors = RowErrors()
    planned: list[tuple[AdministrativeUnit, str, str, str | None]] = []
    seen: dict[tuple[int, str], int] = {}
    for number, cells in table.rows:
        code = cells.get(mapping["commune_code"], "")
        communes = [
            u
            for u in AdministrativeUnit.objects.filter(code=code, level="commune")
            if u.valid_to is None or u.valid_to >= date.today()
        ] or list(
            AdministrativeUnit.objects.filter(code=code, level="commune").order_by(
                F("valid_from").desc(nulls_last=True)
            )[:1]
        )
        name = clean_text(cells.get(mapping["name"], ""))
        if not communes:
            errors.add(
                number,
                mapping["commune_code"],
                code,
                "không có xã, phường mã này",
                "no commune has this code",
            )
            continue
        if not name:
            errors.add(number, mapping["name"], name, "thiếu tên thôn/TDP", "village name is missing")
            continue
        key = (communes[0].pk, match_key(name))
        existing = communes[0].children.filter(level=AdministrativeUnit.Level.VILLAGE)
        if any(match_key(v.name) == key[1] for v in existing):
            errors.add(
                number,
                mapping["name"],
                name,
                f"{communes[0].name} đã có thôn/TDP này",
                f"{communes[0].name} already has this village",
            )
            continue
        if key in seen:
            errors.add(
                number, mapping["name"], name, f"trùng với dòng {seen[key]}", f"duplicates row {seen[key]}"
            )
            continue
        seen[key] = number
        type_name = cells.get(mapping["type_name"] or "", "") or "Thôn"
        planned.append((communes[0], name, type_name, cells.get(mapping["code"] or "", "") or None))
    if errors:
        raise ImportRejected(Path(path).name, errors.errors)
    keep_original(path, "villages")
    with transaction.atomic():
        for commune, name, type_name, code in planned:
            create_village(
                commune=commune, name=name, type_name=type_name, code=code, actor=actor, synthetic=synthetic
            )
    return len(planned)


BOUNDARY_COLUMNS = {"code": {"ma", "ma_don_vi", "ma_dvhc", "code", "unit_code"}, "name": {"ten", "name"}}


def import_boundaries(
    *, path: Path, actor: Actor, on: date | None = None, source: str = "", synthetic: bool = False
) -> int:
    """Unit shapes from a GeoJSON FeatureCollection (property `ma`/`code` = GSO code of a unit in
    force on `on`, default today). All-or-nothing; a unit's earlier shape is replaced."""
    on = on or date.today()
    table, geometries = read_features(path)
    mapping = map_columns(table.columns, BOUNDARY_COLUMNS, ("code",))
    errors, planned, seen = RowErrors(), [], {}
    for number, cells in table.rows:
        code = cells.get(mapping["code"], "")
        units = [u for u in AdministrativeUnit.objects.filter(code=code) if u.is_valid_between(on, on)]
        if not units:
            errors.add(
                number,
                mapping["code"],
                code,
                f"không có đơn vị mã {code} có hiệu lực ngày {on:%d/%m/%Y}",
                f"no unit with code {code} is in force on {on.isoformat()}",
            )
            continue
        try:
            geom = checked_geometry(geometries.get(number), {"Polygon", "MultiPolygon"})
        except ValueError as exc:
            errors.add(number, "geometry", "", f"ranh giới không hợp lệ: {exc}", f"invalid boundary: {exc}")
            continue
        if units[0].pk in seen:
            errors.add(number, mapping["code"], code, f"trùng với dòng {seen[units[0].pk]}", "duplicate unit")
            continue
        seen[units[0].pk] = number
        planned.append((units[0], geom))
    if errors:
        raise ImportRejected(Path(path).name, errors.errors)
    if not planned:
        raise UserError(
            f"Tệp {Path(path).name} không có ranh giới nào", f"File {Path(path).name} has no boundaries"
        )
    keep_original(path, "boundaries")
    with transaction.atomic():
        stored = {b.unit_id: b for b in UnitBoundary.objects.filter(unit__in=[unit for unit, _ in planned])}
        for unit, geom in planned:
            min_lon, min_lat, max_lon, max_lat = geom.bounds
            fields = {
                "geometry": plain_geometry(geom),
                "min_lon": min_lon,
                "min_lat": min_lat,
                "max_lon": max_lon,
                "max_lat": max_lat,
                "source": source or Path(path).name,
                "synthetic": synthetic,
            }
            boundary = stored.get(unit.pk)
            if boundary and all(getattr(boundary, name) == value for name, value in fields.items()):
                continue  # the same shape imported again: nothing changes, nothing to audit
            boundary, created = UnitBoundary.objects.update_or_create(unit=unit, defaults=fields)
            record_change(
                actor, ChangeLogEntry.Action.CREATE if created else ChangeLogEntry.Action.UPDATE, boundary
            )
    return len(planned)


# --------------------------------------------------------------------------------------------
# Crosswalk of a reorganisation (old → new units)

REORGANISATION_2025 = date(2025, 7, 1)
_CODE_IN_LABEL = re.compile(r"\((\d+)\)\s*$")
_PARTIAL = "một phần"
_WHOLE_POPULATION = "toàn bộ dân số"


@dataclass(frozen=True)
class CrosswalkImportSummary:
    created: int
    updated: int
    unchanged: int
    # Links of partly merged old communes, and those among them whose share is not known.
    partial: int
    flagged: int
    # Rows whose new code (a draft code) was not the official one: the unit was found by name.
    recoded: int
    # Rows naming no old unit (an area that was no commune), left out.
    skipped_rows: tuple[int, ...]
    # With `skip_invalid_rows`: the rows refused (not imported), each with its reason, and where
    # the list of them was kept.
    refused: tuple[RowError, ...] = ()
    refused_list: Path | None = None


def _label_code(label: str) -> str:
    """The code in a label such as "Thành phố Huế (46)" or "Quận Phú Xuân (475)"; "" if none."""
    match = _CODE_IN_LABEL.search(label)
    return match.group(1) if match else ""


class _UnitsOn:
    """The provinces, districts and communes in force on a day, by code, and communes by name
    within their province."""

    def __init__(self, day: date):
        self.day = day
        units = list(AdministrativeUnit.objects.valid_on(day).exclude(level=AdministrativeUnit.Level.VILLAGE))
        self.by_code = {(u.level, u.code): u for u in units}
        provinces = {u.pk: u.code for u in units if u.level == AdministrativeUnit.Level.PROVINCE}
        self.by_name: dict[tuple[str, str], list[AdministrativeUnit]] = {}
        self.with_communes: set[int] = set()
        for unit in units:
            if unit.level != AdministrativeUnit.Level.COMMUNE:
                continue
            ancestors = [int(pk) for pk in unit.path.strip("/").split("/")[:-1]]
            province = next((provinces[pk] for pk in ancestors if pk in provinces), "")
            for key in ((province, gso.name_key(unit.name)), ("", gso.name_key(unit.name))):
                self.by_name.setdefault(key, []).append(unit)
            self.with_communes.update(ancestors)

    def get(self, level: str, code: str) -> AdministrativeUnit | None:
        return self.by_code.get((level, code))


def _parse_share(text: str) -> Decimal:
    """A declared share: "0,6", "0.6", "60%" or "60" (a percentage when above 1)."""
    number = Decimal(text.replace("%", "").replace(",", ".").strip())
    return number / 100 if text.strip().endswith("%") or number > 1 else number


@dataclass(frozen=True)
class PopulationPoints:
    lons: list[float]
    lats: list[float]
    population: list[float]


def _population_split(
    points: PopulationPoints | None, before: date, after: date
) -> dict[tuple[int, int], float]:
    """Population per (old commune, new commune), placing each point in the commune boundaries in
    force on each day; empty unless both days have boundaries."""
    commune = AdministrativeUnit.Level.COMMUNE
    if points is None or not all(
        UnitBoundary.objects.filter(
            unit__in=AdministrativeUnit.objects.valid_on(day), unit__level=commune
        ).exists()
        for day in (before, after)
    ):
        return {}
    split: dict[tuple[int, int], float] = {}
    placed = zip(
        UnitLocator(on=before).locate_many(points.lons, points.lats),
        UnitLocator(on=after).locate_many(points.lons, points.lats),
        points.population,
        strict=True,
    )
    for old, new, population in placed:
        if old.method == POLYGON and new.method == POLYGON:
            key = (old.unit.pk, new.unit.pk)
            split[key] = split.get(key, 0.0) + population
    return split


def _shares(
    group: list[tuple[gso.ConversionRow, AdministrativeUnit]],
    predecessor: AdministrativeUnit,
    split: dict[tuple[int, int], float],
    errors: RowErrors,
) -> list:
    """(share, basis) for each row of one partly merged old commune: by the population points in
    both its and each new commune's boundaries, else the declared shares (they must add up to
    100%), else the successor that took the whole population, else unknown (flagged)."""
    people = [Decimal(str(split.get((predecessor.pk, successor.pk), 0.0))) for _, successor in group]
    if sum(people) > 0:
        return [
            ((p / sum(people)).quantize(Decimal("0.000001")), UnitSuccession.ShareBasis.POPULATION)
            for p in people
        ]
    declared = []
    for row, _ in group:
        try:
            declared.append(_parse_share(row.share) if row.share else None)
        except ArithmeticError:
            errors.add(row.row, "Tỷ lệ", row.share, "tỷ lệ không phải là số", "the share is not a number")
            return [(None, UnitSuccession.ShareBasis.UNKNOWN)] * len(group)
    if any(share is not None for share in declared):
        total = sum((share or Decimal(0)) for share in declared)
        if None in declared or abs(total - 1) > Decimal("0.001"):
            row = group[0][0]
            errors.add(
                row.row,
                "Tỷ lệ",
                row.share,
                f"tỷ lệ của {row.old_name} ({row.old_code}) cộng lại {total:.1%}, cần đủ 100% cho mọi xã mới",
                f"the shares of {row.old_name} ({row.old_code}) add up to {total:.1%}; every new "
                f"commune needs one and they must add up to 100%",
            )
        return [(share, UnitSuccession.ShareBasis.DECLARED) for share in declared]
    whole_population = [_WHOLE_POPULATION in row.note.casefold() for row, _ in group]
    if whole_population.count(True) == 1:
        return [
            (Decimal(1) if whole else Decimal(0), UnitSuccession.ShareBasis.DECLARED)
            for whole in whole_population
        ]
    return [(None, UnitSuccession.ShareBasis.UNKNOWN)] * len(group)


def import_crosswalk(
    *,
    path: Path,
    actor: Actor,
    effective: date = REORGANISATION_2025,
    source: str = "",
    population: PopulationPoints | None = None,
    skip_invalid_rows: bool = False,
) -> CrosswalkImportSummary:
    """Import an old → new conversion table (the 2025 one: national or a province's rows).

    Every old code must be a unit in force the day before `effective` and every new unit one in
    force on it (a draft code is matched by the unit's name within its province). Each row links
    the old unit to the new one; a partly merged old commune (`Nhập một phần`) gets a share per new
    commune (by the `population` points where the boundaries of both dates place them). A province
    whose unit changed is linked too. All-or-nothing; errors name the row. With
    `skip_invalid_rows` the valid rows are imported and the refused ones (with the other rows of a
    partly merged commune whose shares they leave incomplete) are returned with their reasons and
    kept as a CSV list beside the stored file.
    """
    try:
        rows = gso.read_conversion_table(path)
    except gso.GsoFormatError as exc:
        raise UserError(exc.message_vi, exc.message_en) from exc
    before, after = _UnitsOn(effective - timedelta(days=1)), _UnitsOn(effective)
    errors = RowErrors()
    label = source or f"Bảng chuyển đổi ĐVHC: {Path(path).name}"
    planned: list[tuple[gso.ConversionRow, AdministrativeUnit, AdministrativeUnit]] = []
    provinces: set[tuple[int, int]] = set()
    skipped: list[int] = []
    recoded = 0
    commune = AdministrativeUnit.Level.COMMUNE
    for row in rows:
        new_province = _label_code(row.new_province)
        successor = after.get(commune, row.new_code)
        if successor is None or gso.name_key(successor.name) != gso.name_key(row.new_name):
            named = after.by_name.get((new_province, gso.name_key(row.new_name)), [])
            if len(named) == 1:
                recoded += successor is None or named[0].pk != successor.pk
                successor = named[0]
            elif successor is None or gso.fold(successor.name) != gso.fold(row.new_name):
                errors.add(
                    row.row,
                    "Mã Xã mới",
                    row.new_code,
                    f"không có xã, phường mã {row.new_code} hay tên {row.new_name} có hiệu lực "
                    f"ngày {effective:%d/%m/%Y}",
                    f"no commune with code {row.new_code} or name {row.new_name} is in force on "
                    f"{effective.isoformat()}",
                )
                continue
        if row.old_code:
            predecessor = before.get(commune, row.old_code)
        else:
            # A whole island district became a special zone: the district is the predecessor.
            district = before.get(AdministrativeUnit.Level.DISTRICT, _label_code(row.old_district))
            if row.old_name or district is None or district.pk in before.with_communes:
                skipped.append(row.row)
                continue
            predecessor = district
        if predecessor is None:
            errors.add(
                row.row,
                "Mã Xã cũ",
                row.old_code,
                f"không có xã, phường mã {row.old_code} có hiệu lực ngày {before.day:%d/%m/%Y}",
                f"no commune with code {row.old_code} is in force on {before.day.isoformat()}",
            )
            continue
        old_province = before.get(AdministrativeUnit.Level.PROVINCE, _label_code(row.old_province))
        province = after.get(AdministrativeUnit.Level.PROVINCE, new_province)
        if old_province and province and old_province.pk != province.pk:
            provinces.add((old_province.pk, province.pk))
        if predecessor.pk != successor.pk:
            planned.append((row, predecessor, successor))
    if skip_invalid_rows:
        # A partly merged commune is shared among all its rows: one refused, the others go too.
        old_codes = {row.row: row.old_code for row in rows}
        first_refused = {}
        for error in errors.errors:
            if old_codes[error.row]:
                first_refused.setdefault(old_codes[error.row], error.row)
        for row, _, _ in planned:
            if _PARTIAL in row.note.casefold() and row.old_code in first_refused:
                _refuse_with(errors, row, first_refused[row.old_code])
        refused_rows = {error.row for error in errors.errors}
        planned = [item for item in planned if item[0].row not in refused_rows]
    by_predecessor: dict[int, list[tuple[gso.ConversionRow, AdministrativeUnit]]] = {}
    for row, predecessor, successor in planned:
        if _PARTIAL in row.note.casefold():
            by_predecessor.setdefault(predecessor.pk, []).append((row, successor))
    split = _population_split(population, before.day, effective) if by_predecessor else {}
    predecessors = {predecessor.pk: predecessor for _, predecessor, _ in planned}
    shares = {}
    for predecessor_pk, group in by_predecessor.items():
        found = len(errors.errors)
        for (row, _), share in zip(
            group, _shares(group, predecessors[predecessor_pk], split, errors), strict=True
        ):
            shares[row.row] = share
        if skip_invalid_rows and len(errors.errors) > found:
            named = errors.errors[found].row
            for row, _ in group:
                if row.row != named:
                    _refuse_with(errors, row, named)
    refused = tuple(sorted(errors.errors, key=lambda error: error.row))
    if errors and not skip_invalid_rows:
        raise ImportRejected(Path(path).name, list(refused))
    refused_rows = {error.row for error in refused}
    planned = [item for item in planned if item[0].row not in refused_rows]
    shares = {row: share for row, share in shares.items() if row not in refused_rows}
    if not planned:
        raise UserError(
            f"Tệp {Path(path).name} không có dòng chuyển đổi nào",
            f"File {Path(path).name} has no crosswalk rows",
        )
    stored, _ = keep_original(path, "crosswalk")
    refused_list = _keep_refused_rows(stored, refused) if refused else None
    units = {u.pk: u for u in (*before.by_code.values(), *after.by_code.values())}
    links = [
        (
            units[old_pk],
            units[new_pk],
            "Cấp tỉnh / province level",
            Decimal(1),
            UnitSuccession.ShareBasis.WHOLE,
        )
        for old_pk, new_pk in sorted(provinces)
    ]
    for row, predecessor, successor in planned:
        share, basis = shares.get(row.row, (Decimal(1), UnitSuccession.ShareBasis.WHOLE))
        note = row.note if successor.code == row.new_code else f"{row.note} (mã dự thảo: {row.new_code})"
        links.append((predecessor, successor, note, share, basis))
    created = updated = 0
    with transaction.atomic():
        existing = {
            (link.predecessor_id, link.successor_id): link
            for link in UnitSuccession.objects.filter(successor__in=[link[1] for link in links])
        }
        for predecessor, successor, note, share, basis in links:
            link = existing.get((predecessor.pk, successor.pk))
            if link is None:
                link_successor(
                    predecessor=predecessor,
                    successor=successor,
                    effective=effective,
                    note=note,
                    source=label,
                    share=share,
                    share_basis=basis,
                    actor=actor,
                )
                created += 1
            elif (link.share, link.share_basis, link.effective) != (share, basis, effective):
                before_change = snapshot(link)
                link.share, link.share_basis, link.effective = share, basis, effective
                link.save(update_fields=["share", "share_basis", "effective"])
                record_change(actor, ChangeLogEntry.Action.UPDATE, link, before=before_change)
                updated += 1
    return CrosswalkImportSummary(
        created=created,
        updated=updated,
        unchanged=len(links) - created - updated,
        partial=len(shares),
        flagged=sum(1 for share, _ in shares.values() if share is None),
        recoded=recoded,
        skipped_rows=tuple(skipped),
        refused=refused,
        refused_list=refused_list,
    )


def _refuse_with(errors: RowErrors, row: gso.ConversionRow, refused: int) -> None:
    errors.add(
        row.row,
        "Mã Xã cũ",
        row.old_code,
        f"không nhập vì dòng {refused} của cùng xã cũ bị từ chối: xã nhập một phần cần đủ các dòng",
        f"left out with row {refused}: a partly merged commune needs all its rows",
    )


def _keep_refused_rows(stored: Path, refused: tuple[RowError, ...]) -> Path:
    """The refused rows of a file imported without them, as a CSV beside the stored file."""
    path = stored.with_name(f"{stored.stem}-refused.csv")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(refused[0].as_dict()))
        writer.writeheader()
        writer.writerows(error.as_dict() for error in refused)
    return path
