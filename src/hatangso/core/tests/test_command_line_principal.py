"""`user=None` is nobody: every entry point that once read None as "the command line, may do
everything" gives it the least authority, and grants the command line only through `COMMAND_LINE`."""

import inspect
from datetime import date

import pytest

from hatangso.collection import workflow
from hatangso.collection.checks import outliers, rule_violations
from hatangso.collection.models import DataElement, DataValue
from hatangso.collection.services import import_values, set_value
from hatangso.core.changelog import Actor
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE, may_manage_plan, scope_for
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.selectors import readable_plans
from hatangso.plans.services import SEED_PLAN_FILE, load_plan, set_condition
from hatangso.registry import imports, sites
from hatangso.registry import services as registry_services
from hatangso.registry.models import Operator, Pole, Station
from hatangso.reports.services import load_report_texts, set_report_text
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period
from hatangso.workplan import selectors as workplan_selectors
from hatangso.workplan import services as workplan_services
from hatangso.workplan.models import Incident, Task

JUNE_2024 = date(2024, 6, 1)


def tu_ha():
    return resolve_unit("19996", start=JUNE_2024)


def refused(call, written=ChangeLogEntry) -> bool:
    """Whether a guarded write refuses (a user error such as "no such …"), writing nothing (an
    import keeps the refused file and says so in the change log: none of its rows is written)."""
    before = written.objects.count()
    try:
        call()
    except UserError:
        assert written.objects.count() == before
        return True
    return False


def a_task(plan, actor) -> Task:
    workplan_services.sync_tasks(plan=plan, actor=actor)
    return Task.objects.filter(item__plan=plan).first()


def an_update(plan, actor):
    return workplan_services.add_update(
        task=a_task(plan, actor), text="Đã rà soát", done_on=JUNE_2024, user=COMMAND_LINE, actor=actor
    )


def an_incident(actor) -> Incident:
    return workplan_services.report_incident(
        category="unsafe", description="Cáp chùng thấp", address="Đường Lý Bôn", actor=actor
    )


def a_submission(plan, actor, *, submitted=False):
    submission = workflow.get_submission(
        form=plan.forms.get(code="ubnd_xa_nam"), unit=tu_ha(), operator=None, period="2024",
        user=COMMAND_LINE, actor=actor,
    )  # fmt: skip
    return workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor) if submitted else submission


def put(actor, code, period, value) -> None:
    set_value(
        element=DataElement.objects.get(code=code), unit=tu_ha(), period=period, value=str(value), actor=actor
    )


def broken_rule(actor) -> None:
    """Tứ Hạ's FTTH households outnumber its households: one rule broken, for whoever reads both."""
    for code, value in (("households", 1000), ("households_ftth", 1200)):
        put(actor, code, "2024", value)


def a_history(actor) -> None:
    """Tứ Hạ's population: steady for three years, then ten times as many — an outlier."""
    for year, value in (("2021", 9800), ("2022", 9900), ("2023", 10000), ("2024", 100000)):
        put(actor, "population", year, value)


def values_file(tmp_path):
    path = tmp_path / "values.csv"
    path.write_text(
        "ky,ma_don_vi,ma_chi_so,doanh_nghiep,gia_tri\n2024,19996,population,,12345\n", encoding="utf-8"
    )
    return path


def stations_file(tmp_path):
    path = tmp_path / "tram.csv"
    path.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong\n"
        "V1,viettel,4G,16.53,107.47,19996,01/01/2020\n"
        "N1,vnpt,4G,16.5301,107.47,19996,01/01/2020\n",
        encoding="utf-8",
    )
    return path


def a_site(tmp_path, actor):
    imports.import_stations(path=stations_file(tmp_path), actor=actor, user=COMMAND_LINE)
    return sites.Site.objects.get()


def a_pole() -> Pole:
    return Pole.objects.create(code="C9", owner=Operator.objects.get(code="viettel"))


def texts_file(tmp_path):
    path = tmp_path / "texts.yaml"
    path.write_text("thuan_loi: Có sự quan tâm của lãnh đạo.\n", encoding="utf-8")
    return path


# Each case: (setup, granted) — setup(plan, actor, tmp_path) builds what the entry point needs and
# returns its argument; granted(user, arg, plan, actor, tmp_path) says whether the user got anything.
CASES = {
    "core.scoping.may_manage_plan": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: may_manage_plan(user, plan),
    ),
    "core.scoping.AccessScope.can_write_value": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: scope_for(user).can_write_value(unit=tu_ha(), operator=None),
    ),
    "plans.selectors.readable_plans": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: readable_plans(user).filter(pk=plan.pk).exists(),
    ),
    "plans.services.load_plan": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: not refused(
            lambda: load_plan(path=SEED_PLAN_FILE, actor=actor, user=user)
        ),
    ),
    "plans.services.set_condition": (
        lambda plan, actor, tmp_path: plan.conditions.first(),
        lambda user, condition, plan, actor, tmp_path: not refused(
            lambda: set_condition(condition=condition, met=True, actor=actor, user=user)
        ),
    ),
    "collection.services.import_values": (
        lambda plan, actor, tmp_path: values_file(tmp_path),
        lambda user, path, plan, actor, tmp_path: not refused(
            lambda: import_values(path=path, actor=actor, user=user), written=DataValue
        ),
    ),
    "collection.workflow.get_submission (_may_report)": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: not refused(
            lambda: workflow.get_submission(
                form=plan.forms.get(code="ubnd_xa_nam"),
                unit=tu_ha(),
                operator=None,
                period="2024",
                user=user,
                actor=actor,
            )
        ),
    ),
    "collection.workflow.approve (_may_decide)": (
        lambda plan, actor, tmp_path: a_submission(plan, actor, submitted=True),
        lambda user, submission, plan, actor, tmp_path: not refused(
            lambda: workflow.approve(submission=submission, user=user, actor=actor)
        ),
    ),
    "collection.checks.rule_violations (_readable)": (
        lambda plan, actor, tmp_path: broken_rule(actor),
        lambda user, _, plan, actor, tmp_path: bool(
            rule_violations(plan, tu_ha(), parse_period("2024"), user=user)
        ),
    ),
    "collection.checks.outliers": (
        lambda plan, actor, tmp_path: a_history(actor),
        lambda user, _, plan, actor, tmp_path: bool(outliers(tu_ha(), parse_period("2024"), user=user)),
    ),
    "workplan.services.can_update_task": (
        lambda plan, actor, tmp_path: a_task(plan, actor),
        lambda user, task, plan, actor, tmp_path: workplan_services.can_update_task(user, task),
    ),
    "workplan.services.can_triage": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: workplan_services.can_triage(user),
    ),
    "workplan.services.triage_area": (
        lambda plan, actor, tmp_path: an_incident(actor),
        lambda user, incident, plan, actor, tmp_path: Incident.objects.filter(
            workplan_services.triage_area(user), pk=incident.pk
        ).exists(),
    ),
    "workplan.services.may_manage_roads": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: workplan_services.may_manage_roads(user, plan),
    ),
    "workplan.selectors.update_list": (
        lambda plan, actor, tmp_path: an_update(plan, actor),
        lambda user, update, plan, actor, tmp_path: workplan_selectors.update_list(user)
        .filter(pk=update.pk)
        .exists(),
    ),
    "registry.sites.confirm_site (_require_plan_owner)": (
        lambda plan, actor, tmp_path: a_site(tmp_path, actor),
        lambda user, site, plan, actor, tmp_path: not refused(
            lambda: sites.confirm_site(site=site, actor=actor, user=user)
        ),
    ),
    "registry.services.add_tenancy (_check_owner)": (
        lambda plan, actor, tmp_path: a_pole(),
        lambda user, pole, plan, actor, tmp_path: not refused(
            lambda: registry_services.add_tenancy(
                item=pole, operator=Operator.objects.get(code="vnpt"), actor=actor, user=user
            )
        ),
    ),
    "registry.imports.import_stations (_Reader)": (
        lambda plan, actor, tmp_path: stations_file(tmp_path),
        lambda user, path, plan, actor, tmp_path: not refused(
            lambda: imports.import_stations(path=path, actor=actor, user=user), written=Station
        ),
    ),
    "reports.services.set_report_text": (
        lambda plan, actor, tmp_path: None,
        lambda user, _, plan, actor, tmp_path: not refused(
            lambda: set_report_text(
                plan=plan,
                period="2024",
                unit=plan.area_unit,
                section="thuan_loi",
                text="Tốt",
                actor=actor,
                user=user,
            )
        ),
    ),
    "reports.services.load_report_texts": (
        lambda plan, actor, tmp_path: texts_file(tmp_path),
        lambda user, path, plan, actor, tmp_path: not refused(
            lambda: load_report_texts(
                path=path, plan=plan, period="2024", unit=plan.area_unit, actor=actor, user=user
            )
        ),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_none_is_nobody_and_the_command_line_is_explicit(name, seed_plan, actor, tmp_path):
    setup, granted = CASES[name]
    arg = setup(seed_plan, actor, tmp_path)
    assert not granted(None, arg, seed_plan, actor, tmp_path)
    assert granted(COMMAND_LINE, arg, seed_plan, actor, tmp_path)


# The services that act for someone: forgetting who is a TypeError, never a silent grant.
SERVICES = [
    import_values, rule_violations, outliers, load_plan, set_condition, set_report_text, load_report_texts,
    sites.confirm_site, sites.split_site, registry_services.add_tenancy, registry_services.end_tenancy,
    imports.import_stations, imports.import_poles, imports.import_ducts, imports.import_fibre,
    imports.import_gov_links,
]  # fmt: skip


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.__qualname__)
def test_services_take_the_acting_user_without_a_default(service):
    assert inspect.signature(service).parameters["user"].default is inspect.Parameter.empty


def test_the_command_line_is_a_named_principal_with_full_scope_and_no_account():
    assert repr(COMMAND_LINE) == "COMMAND_LINE"
    assert scope_for(COMMAND_LINE).is_superuser and scope_for(COMMAND_LINE).memberships == []
    assert not scope_for(None).is_superuser
    command = Actor.command("hatangso plan")
    assert (command.user, command.name, command.origin) == (COMMAND_LINE, "system", "cli: hatangso plan")
