from typing import Any

from ninja import Router

from hatangso.analytics.selectors import live_publication
from hatangso.analytics.selectors import scorecard as current_scorecard
from hatangso.analytics.services import rating_row
from hatangso.api.schemas import Period, responses
from hatangso.core.scoping import scope_for
from hatangso.core.services import user_for_token
from hatangso.core.sharing import page_version, shared_json, shared_json_text
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.selectors import get_plan
from hatangso.utilities.errors import NotFound
from hatangso.utilities.periods import parse_period

router = Router(tags=["scorecard"])

PUBLIC = "public"


def caller(request):
    """A bearer token (a bad one is refused: 401), the session of a logged-in browser, or the
    public — which reads only what the plan owner has published."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(header[7:].strip())
        if user is not None:
            request.user = user
        return user
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else PUBLIC


@router.get("/{slug}/scorecard", auth=caller, response=responses(dict[str, Any]))
def scorecard(request, slug: str, period: Period | None = None, unit: str | None = None):
    """The plan's scorecard (DESIGN.md §6) for a period and unit. With a token or a session:
    current (never older than the last write; `computed_at` and `data_version` say from what),
    figures as the caller's scope allows; a commune the caller may not read (another commune, for
    an operator or a commune) only as published. Without: the scorecard the plan owner published
    for the period (`published_at` says when), or 404 if none is."""
    if request.auth == PUBLIC:
        plan = get_plan(slug)
        return published_scorecard(plan, parse_period(period or plan.period).code, unit)
    # A reader's answer is kept per account and version of the data, as the dashboard is: a repeated
    # request skips reading the plan, the unit and the reader's scope (any change of those is a
    # write, hence a new version). The unit code as it is looked up: spacing makes no new entry.
    code = (unit or "").strip()
    reader = f"scorecard-reader:{request.user.pk}:{slug}:{period or ''}:{code}:{page_version()}"
    return shared_json(reader, lambda: current_for(request.user, slug, period, unit))


def current_for(user, slug: str, period: str | None, unit: str | None) -> dict | bytes:
    """The scorecard `user` may read: current where their scope reads the unit's figures (one JSON
    per version of the data shared by every reader who reads the same), else the published one."""
    plan = get_plan(slug)
    parsed = parse_period(period or plan.period)
    target = resolve_unit(unit, start=parsed.start, end=parsed.end) if unit else plan.area_unit
    scope = scope_for(user)
    if not scope.reads_figures(target, plan):
        # Another commune's current results come from its reports, drafts included: a caller who
        # may not read its figures gets what the public gets, the published scorecard.
        return published_scorecard(plan, parsed.code, unit)
    reads_area = scope.reads_area(target)

    def current() -> dict:
        card = current_scorecard(plan=plan, unit=target, period=parsed).as_json()
        for row in card["indicators"]:
            if not reads_area:
                row.pop("lineage")  # element totals and item codes (a competitor's stations) stay inside
        return card

    key = f"scorecard-json:{plan.pk}:{target.pk}:{parsed.code}:{reads_area}:{page_version()}"
    return shared_json_text(key, current)


def published_scorecard(plan, period: str, unit: str | None) -> dict:
    publication = live_publication(plan=plan, period=period)
    if publication is None:
        raise NotFound(
            f"Chưa công bố kết quả kỳ {period} của kế hoạch {plan.code}",
            f"No scorecard of plan {plan.code} is published for {period}",
        )
    card = dict(publication.snapshot["scorecard"], published_at=publication.published_at.isoformat())
    if not unit or unit.strip() == card["unit"]["code"]:
        return card
    commune = publication.snapshot["communes"].get(unit.strip())
    if commune is None:
        raise NotFound(
            f"Kết quả công bố kỳ {period} không có đơn vị mã {unit.strip()}",
            f"The scorecard published for {period} has no unit with code {unit.strip()}",
        )
    rows = [rating_row(row, commune["indicators"].get(row["code"])) for row in card["indicators"]]
    return {**card, "unit": {"code": unit.strip(), "name": commune["name"]}, "indicators": rows}
