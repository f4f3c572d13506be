from django.http import Http404
from django.shortcuts import render

from hatangso.analytics.selectors import stored_scorecard
from hatangso.geography.selectors import children_of, resolve_unit
from hatangso.plans.selectors import plan_list
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period


def home(request):
    """A plan's scorecard as last computed, for the plan's area or one of its communes."""
    plan = plan_list().first()
    context = {"plan": plan}
    if plan is not None:
        period = parse_period(plan.period)
        unit = plan.area_unit
        if code := request.GET.get("unit"):
            try:
                unit = resolve_unit(code, start=period.start, end=period.end)
            except UserError as exc:
                raise Http404(str(exc)) from exc
        context.update(stored_scorecard(plan=plan, unit=unit, period=plan.period))
        context["communes"] = children_of(plan.area_unit, start=period.start, end=period.end)
    return render(request, "web/home.html", context)
