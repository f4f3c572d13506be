"""The registry as an indicator source: sharing ratios counted from items, not declared.

Data elements with `provider: registry` name what to count (`REGISTRY_MEASURES`). Each is
evaluated as of the period's end over the items whose unit rolls up into the scope, and keeps
the codes of the items behind it as lineage.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, Q

from hatangso.analytics.providers import ElementTotal, Scope, register_provider
from hatangso.collection.models import DataElement
from hatangso.core.dataversion import data_domain
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import DuctSegment, GovernmentLink, Pole, Station
from hatangso.registry.models.infrastructure import DuctTenancy, PoleTenancy

LINEAGE_LIMIT = 1000  # item codes kept per element; the count is always complete


def _tenants_on(tenancy_model, items, day) -> dict[int, set[int]]:
    tenants: dict[int, set[int]] = defaultdict(set)
    rows = tenancy_model.objects.filter(item__in=items).filter(
        Q(since__isnull=True) | Q(since__lte=day), Q(until__isnull=True) | Q(until__gt=day)
    )
    for item_id, operator_id in rows.values_list("item_id", "operator_id"):
        tenants[item_id].add(operator_id)
    return tenants


class RegistryCounts:
    name = "registry"

    def _registered(self, wanted: set[str], scope: Scope) -> set[str]:
        """Which of the wanted registers hold any item in the scope (in service or not): in one
        query, not one per register (a commune's scorecard is a score of small queries)."""
        registers = {
            "stations": Station.objects.filter(site__unit__in=scope.units),
            "poles": Pole.objects.filter(unit__in=scope.units),
            "ducts": DuctSegment.objects.filter(unit__in=scope.units),
            "government_links": GovernmentLink.objects.filter(commune_office=True, unit__in=scope.units),
        }
        asked = {name: Exists(items) for name, items in registers.items() if name in wanted}
        if not asked:
            return set()
        # One row (the scope's own unit) carrying one EXISTS per register.
        found = AdministrativeUnit.objects.filter(pk=scope.unit.pk).values(**asked).get()
        return {name for name, present in found.items() if present}

    def _sites(self, scope: Scope) -> dict[str, list[str]]:
        day = scope.period.end
        operators: dict[str, set[int]] = defaultdict(set)
        synthetic: dict[str, bool] = defaultdict(bool)
        stations = Station.objects.in_service_on(day).filter(site__isnull=False, site__unit__in=scope.units)
        for code, operator_id, is_synthetic in stations.values_list("site__code", "operator_id", "synthetic"):
            operators[code].add(operator_id)
            synthetic[code] |= is_synthetic
        if scope.operator_id:  # one operator's view: the sites it is on
            operators = {code: ops for code, ops in operators.items() if scope.operator_id in ops}
        rows = [(code, 0, synthetic[code], len(ops)) for code, ops in sorted(operators.items())]
        return {"bts_sites": rows, "bts_sites_shared": [r for r in rows if r[3] >= 2]}

    def _shared_items(self, model, tenancy_model, prefix: str, scope: Scope) -> dict[str, list]:
        day = scope.period.end
        items = model.objects.in_service_on(day).filter(unit__in=scope.units)
        tenants = _tenants_on(tenancy_model, items, day)
        if scope.operator_id:
            own = scope.operator_id
            items = [i for i in items if own in tenants[i.pk] or i.owner_id == own]
        rows = [(i.code, getattr(i, "length_m", 0), i.synthetic, len(tenants[i.pk])) for i in items]
        return {prefix: rows, f"{prefix}_shared": [r for r in rows if r[3] >= 2]}

    def _commune_links(self, scope: Scope) -> dict[str, list[str]]:
        registered = GovernmentLink.objects.filter(commune_office=True, unit__in=scope.units)
        links = registered.in_service_on(scope.period.end).filter(status="active")
        communes: dict[str, bool] = defaultdict(bool)
        for code, is_synthetic in links.values_list("unit__code", "synthetic"):
            communes[code] |= is_synthetic
        return {"commune_offices_connected": [(code, 0, communes[code], 1) for code in sorted(communes)]}

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        counted: dict[str, list] = {}
        wanted = {_REGISTER_OF.get(REGISTRY_MEASURES.get(e.code, e.code)) for e in elements}
        # A register with nothing in the scope gives no data, not zero.
        registered = self._registered(wanted, scope)
        if "stations" in registered:
            counted |= self._sites(scope)
        if "poles" in registered:
            counted |= self._shared_items(Pole, PoleTenancy, "poles", scope)
        if "ducts" in registered:
            ducts = self._shared_items(DuctSegment, DuctTenancy, "ducts", scope)
            counted |= ducts
            counted["ducts_length_m"] = ducts["ducts"]
            counted["ducts_shared_length_m"] = ducts["ducts_shared"]
        if "government_links" in registered:
            counted |= self._commune_links(scope)
        result = {}
        for element in elements:
            measure = REGISTRY_MEASURES.get(element.code, element.code)
            if measure not in counted:
                result[element.code] = ElementTotal(value=None, provider=self.name)
                continue
            rows = counted[measure]  # (item code, length, synthetic, operators)
            if measure.endswith("length_m"):
                value = Decimal(str(round(sum(r[1] for r in rows), 1)))
            else:
                value = Decimal(len(rows))
            result[element.code] = ElementTotal(
                value=value,
                provider=self.name,
                inputs=len(rows),
                items=[r[0] for r in rows[:LINEAGE_LIMIT]],
                synthetic=any(r[2] for r in rows),
            )
        return result


# Data element code → what the registry counts for it.
REGISTRY_MEASURES = {
    "registry_bts_sites": "bts_sites",
    "registry_bts_sites_shared": "bts_sites_shared",
    "registry_poles": "poles",
    "registry_poles_shared": "poles_shared",
    "registry_ducts": "ducts",
    "registry_ducts_shared": "ducts_shared",
    "registry_ducts_length_m": "ducts_length_m",
    "registry_ducts_shared_length_m": "ducts_shared_length_m",
    "registry_commune_offices_connected": "commune_offices_connected",
}
# What is counted → the register whose items it counts.
_REGISTER_OF = {
    "bts_sites": "stations", "bts_sites_shared": "stations",
    "poles": "poles", "poles_shared": "poles",
    "ducts": "ducts", "ducts_shared": "ducts", "ducts_length_m": "ducts", "ducts_shared_length_m": "ducts",
    "commune_offices_connected": "government_links",
}  # fmt: skip

register_provider(RegistryCounts())
# Infrastructure items and their tenants are counted by this provider alone (operators are named
# by the measurements too, so a change of an operator belongs to every result).
data_domain(RegistryCounts.name, [f"registry.{model}" for model in (
    "site", "station", "pole", "ductsegment", "fibreroute", "governmentlink", "industrialzone", "zonecoverage"
)])  # fmt: skip
