"""Publishing a period's scorecard for citizens (IV.1 tuyên truyền; DESIGN.md §2 "public:
published aggregates only"). The snapshot holds what is public: the plan area's scorecard (its
totals are aggregates) and each commune's rate and rating — never a commune's own numerator and
denominator (its reported figures), never the lineage (registry codes, element totals)."""

from django.db import transaction
from django.utils import timezone

from hatangso.analytics.models import PublishedScorecard
from hatangso.analytics.selectors import PlanReading, scorecard
from hatangso.analytics.services import RATING_FIELDS
from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.dataversion import data_version
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import may_manage_plan
from hatangso.geography.selectors import children_of
from hatangso.plans.models import Plan
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.periods import parse_period, period_codes


def build_snapshot(*, plan: Plan, period: str) -> dict:
    """The public part of the current scorecard of the plan's area and its communes for `period`,
    with the data version it was computed from (the public page tells the owner when data changed
    after publication)."""
    span = parse_period(period)
    if not parse_period(plan.period).contains(span):
        raise UserError(
            f"Kỳ {span.code} nằm ngoài kỳ {plan.period} của kế hoạch {plan.code}: không công bố",
            f"Period {span.code} is outside the period {plan.period} of plan {plan.code}: nothing published",
        )
    area = plan.area_unit
    reading = PlanReading.of(plan)
    card = scorecard(plan=plan, unit=area, period=span, reading=reading).as_json()
    public = {key: value for key, value in card.items() if key != "indicators"}
    # The whole area's totals are published aggregates; the lineage (registry codes, element
    # totals) stays inside.
    public["indicators"] = [{key: value for key, value in row.items() if key != "lineage"}
                            for row in card["indicators"]]  # fmt: skip
    communes = {}
    for commune in children_of(area, start=span.start, end=span.end):
        rows = scorecard(plan=plan, unit=commune, period=span, reading=reading).as_json()["indicators"]
        communes[commune.code] = {
            "name": commune.name,
            "indicators": {row["code"]: {key: row[key] for key in RATING_FIELDS} for row in rows},
        }
    return {"scorecard": public, "communes": communes}


def publishable_periods(plan: Plan) -> list[str]:
    """The periods that may be published: the plan's and its quarters that have begun."""
    span, today = parse_period(plan.period), timezone.localdate()
    quarters = [code for code in period_codes("quarterly", span.start.year)
                if span.contains(parse_period(code)) and parse_period(code).start <= today]  # fmt: skip
    return list(dict.fromkeys([span.code, *quarters]))


def newer_data(publication: PublishedScorecard) -> bool:
    """Whether data changed after the publication was computed (a snapshot without a data version,
    published before versions existed, is taken as changed)."""
    version = publication.snapshot["scorecard"].get("data_version")
    return version is None or version < data_version()


def _check_owner(actor: Actor, plan: Plan) -> None:
    if not may_manage_plan(actor.user, plan):
        raise NotFound(
            "Chỉ phòng chủ trì kế hoạch được công bố kết quả", "Only the plan owner may publish results"
        )


@transaction.atomic
def publish_scorecard(*, plan: Plan, period: str, actor: Actor) -> PublishedScorecard:
    """Publish the current scorecard of `period`; a publication of the same period is withdrawn."""
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
        published_by=actor.account,
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
