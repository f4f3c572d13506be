"""A qualitative target's rating in the report comes from the tasks the plan file links to it, as of
the report date, unless its condition (the owner's record) has not come true."""

from datetime import date

from hatangso.analytics.status import Status
from hatangso.core.scoping import COMMAND_LINE
from hatangso.plans.services import set_condition
from hatangso.reports.content import gather
from hatangso.utilities.periods import parse_period
from hatangso.workplan.models import Task
from hatangso.workplan.services import add_update, decide_update, set_task

BEFORE_DEADLINE = date(2024, 11, 5)  # the seed's tasks are due 30/11/2024


def goals(plan, day=BEFORE_DEADLINE):
    content = gather(plan=plan, unit=plan.area_unit, period=parse_period("2024"), report_date=day)
    return {goal.number: (goal.status, goal.note) for goal in content.goals}


def task(plan, number):
    return Task.objects.get(item__plan=plan, item__number=number)


def report(plan, number, actor, **fields):
    """The lead reports on a task and the plan owner accepts it."""
    update = add_update(task=task(plan, number), text="Đã triển khai", done_on=date(2024, 10, 1),
                        user=COMMAND_LINE, actor=actor, **fields)  # fmt: skip
    decide_update(update=update, accept=True, comment="", user=COMMAND_LINE, actor=actor)


def test_a_goal_follows_its_tasks(seed_plan, actor):
    report(seed_plan, "III.2.b", actor, status=Task.Status.DONE)
    report(seed_plan, "III.1.c", actor, progress=50)
    set_task(task=task(seed_plan, "III.5.a"), due_date=date(2024, 10, 31), user=COMMAND_LINE, actor=actor)
    set_task(task=task(seed_plan, "III.5.b"), status=Task.Status.DONE, user=COMMAND_LINE, actor=actor)

    found = goals(seed_plan)
    # All its tasks done, with accepted evidence.
    assert found["II.3.2"] == (Status.ACHIEVED, "theo 1 nhiệm vụ (III.2.b): 1 hoàn thành")
    # Under way, nothing late.
    assert found["II.2.iot"] == (
        Status.NOT_ACHIEVED,
        "theo 2 nhiệm vụ (III.1.c, IV.2.a): 1 đang thực hiện, 1 chưa triển khai",
    )
    # A task past its due date; a task marked done without any accepted update proves nothing.
    assert found["II.5.2"] == (
        Status.NOT_ACHIEVED,
        "theo 3 nhiệm vụ (III.3.b, III.5.a, III.5.b): 1 chưa triển khai, 1 quá hạn, "
        "1 hoàn thành (chưa có minh chứng)",
    )
    # The owner's record that the province has not deployed decides, whatever the tasks say.
    assert found["II.3.1"] == (Status.NOT_APPLICABLE, "chưa thực hiện (khi cấp tỉnh triển khai)")


def test_the_owners_condition_gives_way_to_the_tasks_once_met(seed_plan, actor):
    report(seed_plan, "III.2.a", actor, status=Task.Status.DONE)
    report(seed_plan, "III.2.b", actor, status=Task.Status.DONE)
    assert goals(seed_plan)["II.3.1"][0] == Status.NOT_APPLICABLE
    set_condition(
        condition=seed_plan.conditions.get(code="province_deployed"), met=True, actor=actor, user=COMMAND_LINE
    )
    found = goals(seed_plan)
    assert found["II.3.1"] == (Status.ACHIEVED, "theo 2 nhiệm vụ (III.2.a, III.2.b): 2 hoàn thành")
    # III.4.a waited for the same condition; now it is open like the others.
    assert found["II.4.1"] == (Status.NOT_ACHIEVED, "theo 2 nhiệm vụ (III.4.a, III.4.b): 2 chưa triển khai")


def test_cancelled_tasks_leave_the_goal_not_carried_out(seed_plan, actor):
    set_task(task=task(seed_plan, "III.2.b"), status=Task.Status.CANCELLED, user=COMMAND_LINE, actor=actor)
    assert goals(seed_plan)["II.3.2"] == (
        Status.NOT_APPLICABLE,
        "theo 1 nhiệm vụ (III.2.b): 1 không thực hiện",
    )
