"""Writes to the administrative-unit tree. Every function takes the acting `actor` and audits."""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import F

from hatangso.core.changelog import Actor, record_change, record_changes, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.geography import gso
from hatangso.geography.geojson import checked_geometry, plain_geometry, read_features
from hatangso.geography.models import AdministrativeUnit, UnitBoundary, UnitSuccession
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, RowErrors, keep_original, map_columns
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

    def covering(self, record: UnitRecord) -> AdministrativeUnit | None:
        """A unit with the record's code and name (or former name) whose validity covers the
        record's: a list of another date names the same unit again."""
        for unit in self.by_code.get(record.code, []):
            starts_before = unit.valid_from is None or (
                record.valid_from is not None and unit.valid_from <= record.valid_from
            )
            ends_after = unit.valid_to is None or (
                record.valid_to is not None and unit.valid_to >= record.valid_to
            )
            same_name = match_key(unit.name) == match_key(record.name) or (
                unit.former_names and match_key(record.name) in match_key(unit.former_names)
            )
            if unit.level == record.level and starts_before and ends_after and same_name:
                return unit
        return None

    def parent_of(self, record: UnitRecord) -> AdministrativeUnit | None:
        if not record.parent_code:
            return None
        start, end = record.valid_from or _EARLIEST, record.valid_to or _LATEST
        candidates = self.overlapping(record.parent_code, None, start, end)
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


@transaction.atomic
def upsert_units(*, records: list[UnitRecord], actor: Actor) -> UnitImportSummary:
    """Create or update units.

    A record with a unit's code, level and validity updates that unit; a record naming an existing
    unit again (same code and name, within its validity) leaves it unchanged; any other record is a
    new unit, refused if its code is in use during its validity. Parents come before children (as in
    GSO lists and our files).
    """
    created = updated = unchanged = 0
    index = _UnitIndex({r.code for r in records} | {r.parent_code for r in records if r.parent_code})
    new_units: list[AdministrativeUnit] = []
    for record in records:
        unit = index.exact(record)
        if unit is None and index.covering(record) is not None:
            unchanged += 1
            continue
        fields = {
            "name": clean_text(record.name),
            "type_name": clean_text(record.type_name),
            "parent": index.parent_of(record),
            "former_names": clean_text(record.former_names),
            "source": clean_text(record.source),
            "synthetic": record.synthetic,
        }
        if unit is None:
            start, end = record.valid_from or _EARLIEST, record.valid_to or _LATEST
            if clash := index.overlapping(record.code, record.level, start, end):
                raise UserError(
                    f"Mã {record.code} đã được dùng cho {clash[0].name} trong thời gian "
                    f"{clash[0].validity_label}; hãy ghi ngày hiệu lực cho đơn vị mới",
                    f"Code {record.code} is already used by {clash[0].name} for "
                    f"{clash[0].validity_label}; give the new unit its validity dates",
                )
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
            new_units.append(unit)
            created += 1
            continue
        before = snapshot(unit)
        # What a list says of a unit is its name, type and parent; the source and former names
        # change only along with them (a list of another date must not erase them).
        fields["former_names"] = fields["former_names"] or unit.former_names
        described = ("name", "type_name", "parent", "former_names", "synthetic")
        if all(getattr(unit, name) == fields[name] for name in described):
            unchanged += 1
            continue
        for name, value in fields.items():
            setattr(unit, name, value)
        unit.save()
        _set_path(unit)
        record_change(actor, ChangeLogEntry.Action.UPDATE, unit, before=before)
        updated += 1
    record_changes(actor, ChangeLogEntry.Action.CREATE, new_units)
    return UnitImportSummary(created=created, updated=updated, unchanged=unchanged)


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
    actor: Actor,
) -> UnitSuccession:
    if predecessor.pk == successor.pk:
        raise UserError("Một đơn vị không thể kế thừa chính nó", "A unit cannot succeed itself")
    link, created = UnitSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"effective": effective, "note": clean_text(note), "source": clean_text(source)},
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
    source: str = "",
) -> UnitImportSummary:
    """Import a GSO unit list: the three-level export (CSV/XLSX) or, with `province_code`,
    the two-level list of units in force from 01/07/2025."""
    try:
        if province_code:
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
        keep_original(path, "rejected")
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
        keep_original(path, "rejected")
        raise ImportRejected(Path(path).name, errors.errors)
    if not planned:
        raise UserError(
            f"Tệp {Path(path).name} không có ranh giới nào", f"File {Path(path).name} has no boundaries"
        )
    keep_original(path, "boundaries")
    with transaction.atomic():
        for unit, geom in planned:
            min_lon, min_lat, max_lon, max_lat = geom.bounds
            boundary, created = UnitBoundary.objects.update_or_create(
                unit=unit,
                defaults={
                    "geometry": plain_geometry(geom),
                    "min_lon": min_lon,
                    "min_lat": min_lat,
                    "max_lon": max_lon,
                    "max_lat": max_lat,
                    "source": source or Path(path).name,
                    "synthetic": synthetic,
                },
            )
            record_change(
                actor, ChangeLogEntry.Action.CREATE if created else ChangeLogEntry.Action.UPDATE, boundary
            )
    return len(planned)
