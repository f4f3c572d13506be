"""Reads of the administrative-unit tree."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from hatangso.geography.gso import name_key
from hatangso.geography.models import AdministrativeUnit, UnitBoundary, UnitSuccession
from hatangso.utilities.errors import NotFound


def units_with_code(code: str) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(code=str(code).strip()).order_by(
        F("valid_from").asc(nulls_first=True)
    )


def units_in_force(day: date) -> dict[str, int]:
    """How many units of each level are in force on `day`."""
    counts = AdministrativeUnit.objects.valid_on(day).order_by().values_list("level").annotate(Count("pk"))
    return dict(counts)


def resolve_unit(code: str, *, start: date, end: date | None = None) -> AdministrativeUnit:
    """The unit with this code valid during [start, end]; prefers the one valid at `start`."""
    end = end or start
    candidates = list(units_with_code(code).valid_between(start, end))
    if not candidates:
        known = list(units_with_code(code))
        if not known:
            raise NotFound(f"Không có đơn vị hành chính mã {code}", f"No administrative unit has code {code}")
        spans = "; ".join(f"{u.name} {u.validity_label}" for u in known)
        raise NotFound(
            f"Mã {code} không có hiệu lực trong thời gian này (chỉ có: {spans})",
            f"Code {code} is not valid in that time (known: {spans})",
        )
    at_start = [u for u in candidates if u.is_valid_between(start, start)]
    return (at_start or candidates)[0]


def predecessors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Every unit whose territory went into `unit`, recursively through earlier reorganisations."""
    found: dict[int, AdministrativeUnit] = {}
    frontier = [unit.pk]
    while frontier:
        links = UnitSuccession.objects.filter(successor_id__in=frontier).select_related("predecessor")
        frontier = []
        for link in links:
            if link.predecessor_id not in found:
                found[link.predecessor_id] = link.predecessor
                frontier.append(link.predecessor_id)
    return list(found.values())


def villages_among(units: QuerySet[AdministrativeUnit]) -> list[AdministrativeUnit]:
    """The villages (thôn, tổ dân phố) of these units, by code."""
    return list(units.filter(level=AdministrativeUnit.Level.VILLAGE).order_by("code"))


def rollup_units(unit: AdministrativeUnit, *, start: date, end: date) -> QuerySet[AdministrativeUnit]:
    """All units whose data roll up into `unit` for data of [start, end].

    That is the unit's subtree and, for a unit created by a reorganisation, its predecessors'
    subtrees — so 2024 data of Tứ Hạ appear under the post-2025 phường Hương Trà.
    """
    roots = [unit, *predecessors(unit)]
    in_tree = Q()
    for root in roots:
        in_tree |= Q(path__startswith=root.path)
    return AdministrativeUnit.objects.filter(in_tree).valid_between(start, end)


@dataclass
class Successions:
    """Of a scope's units, those others of it replaced during a period (a reorganisation inside the
    period: the 2021 commune until June 2025, the new one from July)."""

    # Predecessor id → its successors among the units, each with the share of it that it took
    # (1 for a whole merge; None when the crosswalk does not know it).
    successors: dict[int, dict[int, Decimal | None]] = field(default_factory=dict)
    # Id of a unit above predecessors (their district, province) → the successors of those below it.
    below: dict[int, set[int]] = field(default_factory=dict)
    # "Name (code)" of each predecessor, for the notes of a figure that counts in part.
    labels: dict[int, str] = field(default_factory=dict)


def successors_during(units: QuerySet[AdministrativeUnit], *, start: date, end: date) -> Successions:
    """The successions of [start, end] (effective inside it) whose successor is one of `units`."""
    found = Successions()
    links = UnitSuccession.objects.filter(effective__gt=start, effective__lte=end)
    if not links.exists():  # most periods: then the scope's units need not be listed (≈ 1 ms saved)
        return found
    in_scope = links.filter(successor__in=units).values_list(
        "predecessor_id",
        "successor_id",
        "share",
        "predecessor__path",
        "predecessor__name",
        "predecessor__code",
    )
    for predecessor, successor, share, path, name, code in in_scope:
        found.successors.setdefault(predecessor, {})[successor] = share
        found.labels[predecessor] = f"{name} ({code})"
        # The materialised path names the predecessor's ancestors ("/1/7/42/": 1 and 7).
        for ancestor in path.strip("/").split("/")[:-1]:
            found.below.setdefault(int(ancestor), set()).add(successor)
    return found


def ended_during(unit_ids: set[int], *, end: date) -> dict[int, str]:
    """Of these units (valid in a period that ends on `end`), those that ended before `end`, with
    their "Name (code)"."""
    ended = AdministrativeUnit.objects.filter(pk__in=unit_ids, valid_to__lt=end)
    return {pk: f"{name} ({code})" for pk, name, code in ended.values_list("pk", "name", "code")}


def partial_predecessors(unit: AdministrativeUnit) -> dict[str, tuple[AdministrativeUnit, Decimal | None]]:
    """The units that went only partly into `unit` (a partial merge), by materialised path, with the
    share of each that went to it (None when the crosswalk does not know it)."""
    links = (
        UnitSuccession.objects.filter(successor=unit)
        .exclude(share_basis=UnitSuccession.ShareBasis.WHOLE)
        .select_related("predecessor")
    )
    return {link.predecessor.path: (link.predecessor, link.share) for link in links}


def missing_crosswalk(unit: AdministrativeUnit, *, start: date, end: date) -> str:
    """Why data of [start, end] cannot reach `unit`, when it is a unit created after `start` that
    no crosswalk links to the units before it; "" otherwise."""
    if unit.valid_from is None or start >= unit.valid_from or unit.predecessions.exists():
        return ""
    day = unit.valid_from
    if UnitSuccession.objects.filter(effective=day).exists():
        # A crosswalk for the day is loaded, but none of its rows names this unit (or they were
        # refused: `import crosswalk --skip-invalid-rows` lists them).
        return (
            f"Bảng chuyển đổi đã nạp cho ngày {day:%d/%m/%Y} không có dòng nào cho {unit.name} "
            f"({unit.code}): nạp lại bảng có dòng của đơn vị này / the crosswalk loaded for "
            f"{day.isoformat()} has no row for {unit.name} ({unit.code}): import one that has its rows"
        )
    return (
        f"Chưa nạp bảng chuyển đổi cho ngày {day:%d/%m/%Y}: `hatangso import crosswalk TỆP --effective "
        f"{day.isoformat()}` để số liệu của các đơn vị cũ được tính cho {unit.name} / no crosswalk loaded "
        f"for {day.isoformat()}: `hatangso import crosswalk FILE --effective {day.isoformat()}` so that "
        f"the former units' data count for {unit.name}"
    )


@dataclass(frozen=True)
class Unlinked:
    day: date  # the first day without the unit
    unit: AdministrativeUnit  # the first such commune
    others: int  # how many more communes ended after the period with no successor


def unlinked_reorganisation(area: AdministrativeUnit, *, after: date) -> Unlinked | None:
    """The communes of the area that ended after `after` with no crosswalk linking them to their
    successors (a blank install given only the unit lists, or a table that misses a commune), or
    None. Districts and villages have no successors: the crosswalk is of communes."""
    ended = AdministrativeUnit.objects.filter(
        path__startswith=area.path,
        level=AdministrativeUnit.Level.COMMUNE,
        valid_to__gte=after,
        successions__isnull=True,
    )
    # Even a commune that goes on under its code is a new unit: without a link its data stay behind.
    unlinked = list(ended.order_by("valid_to", "code"))
    if not unlinked:
        return None
    return Unlinked(day=unlinked[0].valid_to + timedelta(days=1), unit=unlinked[0], others=len(unlinked) - 1)


def in_area(area: AdministrativeUnit, field: str = "unit") -> Q:
    """Rows whose unit (`field`; "" for the units themselves) lies in `area`: in its subtree, or a
    later unit that took over territory of the subtree (after 2025 the communes of a district sit
    under the province)."""
    successors = UnitSuccession.objects.filter(predecessor__path__startswith=area.path).values("successor")
    if not field:  # the units themselves
        return Q(path__startswith=area.path) | Q(pk__in=successors)
    return Q(**{f"{field}__path__startswith": area.path}) | Q(**{f"{field}__in": successors})


# "Phường Tứ Hạ (19996)", as the pickers label a unit.
CODE_IN_LABEL = re.compile(r"\((\d+)\)\s*$")


def resolve_unit_typed(text: str, *, on: date, within: QuerySet[AdministrativeUnit]) -> AdministrativeUnit:
    """The unit of `within` in force on `on` that a person typed: its code, its picker label
    "Phường Tứ Hạ (19996)", or its name with or without its kind ("Tứ Hạ", "phường tứ hạ")."""
    text = " ".join(str(text).split())
    code = match[1] if (match := CODE_IN_LABEL.search(text)) else text if text.isdigit() else ""
    if code:
        return resolve_unit(code, start=on)
    wanted = name_key(text)
    named = [u for u in within.valid_on(on).order_by("code")
             if wanted in (name_key(u.name), name_key(u.name).split(" ", 1)[-1])]  # fmt: skip
    if len(named) == 1:
        return named[0]
    if not named:
        raise NotFound(
            f"Không có xã, phường nào tên «{text}»; chọn trong danh sách hoặc ghi mã",
            f"No commune is named «{text}»; choose from the list or give its code",
        )
    labels = ", ".join(f"{u.name} ({u.code})" for u in named)
    raise NotFound(f"Có {len(named)} đơn vị tên «{text}»: {labels}; chọn một trong danh sách",
                   f"{len(named)} units are named «{text}»: {labels}; choose one from the list")  # fmt: skip


def children_of(unit: AdministrativeUnit, *, start: date, end: date) -> QuerySet[AdministrativeUnit]:
    return unit.children.valid_between(start, end).order_by("code")


def communes_in_force(area: AdministrativeUnit, on: date) -> QuerySet[AdministrativeUnit]:
    """The communes in force on `on` on the area's territory: of its subtree, and those formed from
    units of it by a reorganisation (after 2025 a district is gone and its communes are merged)."""
    return (
        AdministrativeUnit.objects.filter(in_area(area, field=""))
        .filter(level=AdministrativeUnit.Level.COMMUNE)
        .valid_on(on)
        .order_by("code")
    )


def unit_list(
    *, code: str | None = None, parent: str | None = None, level: str | None = None, on: date | None = None
) -> QuerySet[AdministrativeUnit]:
    # An open start (valid since before the records) sorts first on every database.
    units = AdministrativeUnit.objects.select_related("parent").order_by(
        "code", F("valid_from").asc(nulls_first=True)
    )
    if code:
        units = units.filter(code=code.strip())
    if parent:
        units = units.filter(parent__code=parent.strip())
    if level:
        units = units.filter(level=level)
    if on:
        units = units.valid_on(on)
    return units


def boundary_collection(*, within: AdministrativeUnit, on: date) -> dict:
    """The shapes of the units in force on `on` inside `within` (its subtree), as a GeoJSON
    FeatureCollection; villages are left out (their shapes would hide the communes')."""
    units = (
        AdministrativeUnit.objects.filter(path__startswith=within.path)
        .exclude(level=AdministrativeUnit.Level.VILLAGE)
        .valid_on(on)
    )
    boundaries = UnitBoundary.objects.filter(unit__in=units).select_related("unit").order_by("unit__path")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": b.geometry,
                "properties": {
                    "code": b.unit.code,
                    "name": b.unit.name,
                    "level": b.unit.level,
                    "synthetic": b.synthetic,
                },
            }
            for b in boundaries
        ],
    }
