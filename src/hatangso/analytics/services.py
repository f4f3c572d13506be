"""Compute and store scorecards."""

import hashlib
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from hatangso.analytics.engine import Evaluation, PlanTargets, evaluate_plan
from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.status import Status
from hatangso.core.dataversion import DataVersions, data_versions
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Plan
from hatangso.utilities.bulk import insert_rows
from hatangso.utilities.numbers import display_value
from hatangso.utilities.periods import Period


@dataclass
class Scorecard:
    plan: Plan
    unit: AdministrativeUnit
    period: Period
    evaluations: list[Evaluation]
    synthetic: bool = False
    computed_at: datetime | None = None  # when the stored results were computed
    data_version: int | None = None  # the data version they were computed from
    results: dict[str, IndicatorResult] = field(default_factory=dict, repr=False)  # stored, by code

    def as_json(self) -> dict:
        """The scorecard contract of DESIGN.md §6."""
        return {
            "plan": self.plan.code,
            "period": self.period.code,
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "synthetic": self.synthetic,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "data_version": self.data_version,
            "indicators": [scorecard_row(e) for e in self.evaluations],
        }


# What the public sees of a commune's result: the rating, never the commune's reported figures.
RATING_FIELDS = ("value", "status")


def scorecard_row(evaluation: Evaluation) -> dict:
    """One indicator's row of the scorecard contract (DESIGN.md §6): the API, `compute --json` and
    publishing write this; what a role may not see is taken out of it (`rating_row`, publishing)."""
    e = evaluation
    return {
        "code": e.indicator.code,
        "name": e.indicator.name,
        "target": float(e.target),
        "comparison": e.indicator.comparison,
        "value": display_value(e.value),  # as shown; numerator/denominator are exact
        "numerator": e.numerator,
        "denominator": e.denominator,
        "unit": e.indicator.unit,
        "status": e.status,
        "reason": e.reason,
        "flags": e.flags,
        "sources": e.sources,
        "lineage": e.lineage,
    }


def rating_row(row: dict, rating: dict | None) -> dict:
    """An indicator's row with only a commune's published rating (RATING_FIELDS) in place of figures."""
    rating = rating or {"value": None, "status": Status.NO_DATA}
    return {**row, **{key: rating[key] for key in RATING_FIELDS},
            "numerator": None, "denominator": None, "reason": "", "flags": []}  # fmt: skip


def evaluate_scorecard(
    *,
    plan: Plan,
    unit: AdministrativeUnit,
    period: Period,
    codes: set[str] | None = None,
    targets: PlanTargets | None = None,
) -> Scorecard:
    """Evaluate the indicators (of `codes`, or all) without storing anything."""
    evaluations = evaluate_plan(plan, unit, period, codes, targets)
    synthetic = any(e.synthetic for e in evaluations)
    return Scorecard(plan=plan, unit=unit, period=period, evaluations=evaluations, synthetic=synthetic)


@transaction.atomic
def compute_scorecard(
    *,
    plan: Plan,
    unit: AdministrativeUnit,
    period: Period,
    codes: set[str] | None = None,
    versions: DataVersions | None = None,
    providers: dict[str, set[str]] | None = None,
    targets: PlanTargets | None = None,
) -> Scorecard:
    """Evaluate the indicators (of `codes`, or all) and store the results with their lineage
    (replacing older ones), each stamped with the version of the data its providers read, read
    before evaluating (the data evaluated is at least as new). `providers` (per indicator, a
    caller's reading of the plan) defaults to those of the elements the evaluation read."""
    versions = versions or data_versions()
    scorecard = evaluate_scorecard(plan=plan, unit=unit, period=period, codes=codes, targets=targets)
    providers = providers or {e.indicator.code: e.providers for e in scorecard.evaluations}
    scorecard.data_version = versions.total
    stored_digests = dict(
        IndicatorResult.objects.filter(
            unit=unit, period=period.code, indicator__in=[e.indicator for e in scorecard.evaluations]
        ).values_list("indicator_id", "inputs_digest")
    )
    results = [
        IndicatorResult(
            indicator=e.indicator, unit=unit, period=period.code, value=e.value, numerator=e.numerator,
            denominator=e.denominator, status=e.status, reason=e.reason[:500], flags=e.flags,
            sources=e.sources, lineage=e.lineage, data_version=versions.of(providers[e.indicator.code]),
            synthetic=e.synthetic, inputs_digest=inputs_digest(e.value_ids),
        )
        for e in scorecard.evaluations
    ]  # fmt: skip
    # One statement for all of them, new or replacing (a result is unique by indicator, unit, period).
    IndicatorResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["indicator", "unit", "period"],
        update_fields=[*STORED_FIELDS, "computed_at"],
    )
    _store_lineage({
        r.pk: e.value_ids
        for r, e in zip(results, scorecard.evaluations, strict=True)
        if r.inputs_digest != stored_digests.get(r.indicator_id)
    })  # fmt: skip
    scorecard.computed_at = max((r.computed_at for r in results), default=None)
    return scorecard


STORED_FIELDS = ["value", "numerator", "denominator", "status", "reason", "flags", "sources", "lineage",
                 "data_version", "synthetic", "inputs_digest"]  # fmt: skip


def inputs_digest(value_ids: list[int]) -> str:
    """The fingerprint of a set of value ids, the same for the same set in any order. A result's
    links hold the set its digest was made of until one of those values is deleted (its links go
    with it); as ids are never used again (an AUTOINCREMENT key on SQLite, a sequence on
    PostgreSQL), a deleted value is in no later set, so an equal digest means the links hold it."""
    return hashlib.blake2b(array("q", sorted(set(value_ids))).tobytes(), digest_size=16).hexdigest()


# Links deleted a statement: below both databases' limits on a statement's parameters (32,766 on a
# default SQLite build, 65,535 in PostgreSQL's protocol), which a national result's links pass when a
# new month replaces them.
LINKS_PER_DELETE = 10_000


def _store_lineage(value_ids: dict[int, list[int]]) -> None:
    """Make each result's input values (result pk → value ids): a province's result has many
    thousands, and after one value changed nearly all stay, so only the difference is written, as
    rows (a national result's first links are over a hundred thousand; model objects cost seconds)."""
    links = IndicatorResult.input_values.through
    stored = defaultdict(dict)  # result pk -> value id -> link pk
    for pk, result, value in links.objects.filter(indicatorresult__in=value_ids).values_list(
        "pk", "indicatorresult_id", "datavalue_id"
    ):
        stored[result][value] = pk
    wanted = {result: set(ids) for result, ids in value_ids.items()}
    gone = [pk for result, ids in wanted.items() for value, pk in stored[result].items() if value not in ids]
    for start in range(0, len(gone), LINKS_PER_DELETE):
        links.objects.filter(pk__in=gone[start : start + LINKS_PER_DELETE]).delete()
    insert_rows(
        links,
        ("indicatorresult_id", "datavalue_id"),
        ((result, value) for result, ids in wanted.items() for value in ids - stored[result].keys()),
    )
