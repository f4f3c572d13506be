from django.shortcuts import render

from hatangso.analytics.selectors import stored_scorecard
from hatangso.plans.selectors import plan_list


def home(request):
    """The plan's district scorecard as last computed (public aggregates only)."""
    plan = plan_list().first()
    context = {"plan": plan}
    if plan is not None:
        context.update(stored_scorecard(plan=plan, unit=plan.area_unit, period=plan.period))
    return render(request, "web/home.html", context)
