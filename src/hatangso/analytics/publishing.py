"""Publishing a period's scorecard for citizens (IV.1 tuyên truyền; DESIGN.md §2 "public:
published aggregates only"). The snapshot holds what is public: the plan area's scorecard (its
totals are aggregates) and each commune's rate and rating — never a commune's own numerator and
denominator (its reported figures), never the lineage (registry codes, element totals)."""

from django.db import transaction
from django.utils import timezone

from hatangso.analytics.models import IndicatorResult, PublishedScorecard
from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import may_manage_plan
from hatangso.geography.selectors import children_of
from hatangso.plans.models import Plan
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.periods import parse_period


def build_snapshot(*, plan: Plan, period: str) -> dict:
    """The public part of the stored scorecard of the plan's area and its communes for `period`."""
    span = parse_period(period)
    area = plan.area_unit
    results = list(
        IndicatorResult.objects.filter(indicator__plan=plan, unit=area, period=span.code)
        .select_related("indicator")
        .order_by("indicator__order")
    )
    if not results:
        raise UserError(
            f"Chưa tính chỉ tiêu kỳ {span.code} của {area.name}; chạy "
            f"'hatangso compute --period {span.code}' trước khi công bố",
            f"The {span.code} scorecard of {area.name} is not computed; run "
            f"'hatangso compute --period {span.code}' before publishing",
        )
    synthetic = IndicatorResult.input_values.through.objects.filter(
        indicatorresult__in=results, datavalue__synthetic=True
    ).exists()
    scorecard = {
        "plan": plan.code,
        "period": span.code,
        "unit": {"code": area.code, "name": area.name},
        "synthetic": synthetic,
        "computed_at": max(r.computed_at for r in results).isoformat(),
        "indicators": [
            {
                "code": r.indicator.code,
                "name": r.indicator.name,
                "target": float(r.indicator.target),
                "comparison": r.indicator.comparison,
                "value": r.value,
                "numerator": r.numerator,  # the whole area's totals are published aggregates
                "denominator": r.denominator,
                "unit": r.indicator.unit,
                "status": r.status,
                "reason": r.reason,
                "flags": r.flags,
                "sources": r.sources,
            }
            for r in results
        ],
    }
    communes = list(children_of(area, start=span.start, end=span.end))
    stored = IndicatorResult.objects.filter(
        indicator__plan=plan, unit__in=communes, period=span.code
    ).values_list("unit_id", "indicator__code", "value", "status")
    by_unit: dict[int, dict] = {}
    for unit_id, code, value, status in stored:
        by_unit.setdefault(unit_id, {})[code] = {"value": value, "status": status}
    return {
        "scorecard": scorecard,
        "communes": {c.code: {"name": c.name, "indicators": by_unit.get(c.pk, {})} for c in communes},
    }


def _check_owner(actor: Actor, plan: Plan) -> None:
    if not may_manage_plan(actor.user, plan):
        raise NotFound(
            "Chỉ phòng chủ trì kế hoạch được công bố kết quả", "Only the plan owner may publish results"
        )


@transaction.atomic
def publish_scorecard(*, plan: Plan, period: str, actor: Actor) -> PublishedScorecard:
    """Publish the stored scorecard of `period`; a publication of the same period is withdrawn."""
    _check_owner(actor, plan)
    data = build_snapshot(plan=plan, period=period)
    code = data["scorecard"]["period"]
    now = timezone.now()
    for live in PublishedScorecard.objects.select_for_update().filter(
        plan=plan, period=code, withdrawn_at__isnull=True
    ):
        _withdraw(live, actor, now, reason="thay bằng bản công bố mới / replaced by a new publication")
    publication = PublishedScorecard.objects.create(
        plan=plan,
        period=code,
        unit=plan.area_unit,
        snapshot=data,
        synthetic=data["scorecard"]["synthetic"],
        published_by=actor.user if getattr(actor.user, "pk", None) else None,
        published_by_name=actor.name,
        published_at=now,
    )
    record_change(actor, ChangeLogEntry.Action.CREATE, publication, reason="công bố / published")
    return publication


@transaction.atomic
def withdraw_publication(*, plan: Plan, period: str, actor: Actor) -> PublishedScorecard:
    """Take the published scorecard of `period` off the public page and API."""
    _check_owner(actor, plan)
    code = parse_period(period).code
    live = (
        PublishedScorecard.objects.select_for_update()
        .filter(plan=plan, period=code, withdrawn_at__isnull=True)
        .first()
    )
    if live is None:
        raise NotFound(f"Kỳ {code} chưa được công bố", f"Nothing is published for {code}")
    return _withdraw(live, actor, timezone.now(), reason="rút công bố / withdrawn")


def _withdraw(publication: PublishedScorecard, actor: Actor, now, reason: str) -> PublishedScorecard:
    before = snapshot(publication)
    publication.withdrawn_at = now
    publication.withdrawn_by_name = actor.name
    publication.save(update_fields=["withdrawn_at", "withdrawn_by_name"])
    record_change(actor, ChangeLogEntry.Action.UPDATE, publication, before=before, reason=reason)
    return publication
