"""Forms, the draft → submitted → approved workflow, locking, concurrent edits, completeness."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hatangso.collection import workflow
from hatangso.collection.models import DataElement, DataValue, ReportForm, Submission
from hatangso.collection.services import import_values, set_value
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.expressions import expression_names
from hatangso.registry.models import Operator
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.importing import ImportRejected

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"


def unit(code):
    return resolve_unit(code, start=JUNE_2024)


@pytest.fixture
def people(seed_plan, actor):
    def person(name, role, unit_code=None, operator=None):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        grant_membership(
            user=user,
            role=role,
            actor=actor,
            unit=unit(unit_code) if unit_code else None,
            operator=Operator.objects.get(code=operator) if operator else None,
        )
        return user

    return {
        "owner": person("vhtt", "plan_owner", "480"),
        "tuha": person("tuha", "commune", "19996"),
        "viettel": person("viettel", "enterprise", operator="viettel"),
    }


def commune_form(plan):
    return plan.forms.get(code="ubnd_xa_nam")


def test_the_seed_plan_defines_its_forms(seed_plan):
    forms = {f.code: f for f in seed_plan.forms.all()}
    assert list(forms) == ["ubnd_xa_nam", "doanh_nghiep_thang", "doanh_nghiep_quy", "doanh_nghiep_nam"]
    assert forms["ubnd_xa_nam"].period_type == "yearly"
    assert set(forms["doanh_nghiep_quy"].elements.values_list("code", flat=True)) == {
        "bts_sites",
        "bts_sites_shared",
        "cable_poles",
        "cable_poles_shared",
        "cable_ducts",
        "cable_ducts_shared",
    }
    used = set().union(*(set(f.elements.values_list("code", flat=True)) for f in forms.values()))
    # Every reported element the plan's indicators read is on a form; elements counted from the
    # registry or measured are on none (the catalog holds more elements than this plan reads).
    read = set().union(*(expression_names(i.numerator) | expression_names(i.denominator)
                         for i in seed_plan.indicators.all()))  # fmt: skip
    reported = set(DataElement.objects.filter(provider="values").values_list("code", flat=True))
    assert read & reported <= used <= reported


def test_submit_approve_lock_reopen(seed_plan, people, actor, tmp_path):
    from hatangso.core.changelog import Actor

    clerk, owner = Actor(people["tuha"], "web"), Actor(people["owner"], "web")
    population = DataElement.objects.get(code="population")
    value = set_value(element=population, unit=unit("19996"), period="2024", value="10000", actor=clerk)
    submission = workflow.get_submission(
        form=commune_form(seed_plan),
        unit=unit("19996"),
        operator=None,
        period="2024",
        user=people["tuha"],
        actor=clerk,
    )
    assert submission.status == "draft"
    with pytest.raises(NotFound):  # a commune cannot approve, not even its own report
        workflow.approve(submission=submission, user=people["tuha"], actor=clerk)
    workflow.submit(submission=submission, user=people["tuha"], actor=clerk)
    workflow.approve(submission=submission, user=people["owner"], actor=owner)

    with pytest.raises(UserError) as caught:
        set_value(element=population, unit=unit("19996"), period="2024", value="10500", actor=owner)
    assert "re-open it before changing it" in caught.value.en
    csv = tmp_path / "v.csv"
    csv.write_text(
        "ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,10500\n2024,20005,population,7\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_values(path=csv, actor=owner, user=COMMAND_LINE)
    [error] = rejected.value.errors
    assert (error.row, error.column) == (2, "gia_tri")
    assert error.reason_en.startswith("belongs to an approved report")
    assert DataValue.objects.count() == 1

    with pytest.raises(UserError) as caught:
        workflow.reopen(submission=submission, reason="  ", user=people["owner"], actor=owner)
    assert caught.value.en == "Give a reason for re-opening it"
    workflow.reopen(submission=submission, reason="Sai số dân", user=people["owner"], actor=owner)
    set_value(element=population, unit=unit("19996"), period="2024", value="10500", actor=clerk)
    value.refresh_from_db()
    assert value.value == 10500
    statuses = [
        (e.before["status"], e.after["status"])
        for e in ChangeLogEntry.objects.filter(object_type="collection.submission", action="update").order_by(
            "id"
        )
    ]
    assert statuses == [("draft", "submitted"), ("submitted", "approved"), ("approved", "draft")]
    reopened = ChangeLogEntry.objects.filter(object_type="collection.submission").order_by("id").last()
    assert (reopened.actor, reopened.after["comment"]) == ("vhtt", "Sai số dân")


def test_returning_needs_a_comment_and_allows_resubmission(seed_plan, people, actor):
    submission = workflow.get_submission(
        form=commune_form(seed_plan),
        unit=unit("19996"),
        operator=None,
        period="2024",
        user=COMMAND_LINE,
        actor=actor,
    )
    workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor)
    with pytest.raises(UserError):
        workflow.return_submission(submission=submission, comment="", user=people["owner"], actor=actor)
    workflow.return_submission(
        submission=submission, comment="Thiếu số hộ", user=people["owner"], actor=actor
    )
    resubmitted = workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor)
    assert (resubmitted.status, resubmitted.comment) == ("submitted", "Thiếu số hộ")


def test_reporters_stay_in_their_lane(seed_plan, people, actor):
    form = commune_form(seed_plan)
    with pytest.raises(NotFound):
        workflow.get_submission(
            form=form, unit=unit("20041"), operator=None, period="2024", user=people["tuha"], actor=actor
        )
    with pytest.raises(UserError) as caught:
        workflow.get_submission(
            form=form, unit=unit("19996"), operator=None, period="202403", user=people["tuha"], actor=actor
        )
    assert caught.value.en == "Form ubnd_xa_nam is reported yearly, not for 202403"
    quarterly = seed_plan.forms.get(code="doanh_nghiep_quy")
    viettel, vnpt = Operator.objects.get(code="viettel"), Operator.objects.get(code="vnpt")
    ok = workflow.get_submission(
        form=quarterly,
        unit=seed_plan.area_unit,
        operator=viettel,
        period="2024Q3",
        user=people["viettel"],
        actor=actor,
    )
    assert ok.status == "draft"
    with pytest.raises(NotFound):
        workflow.get_submission(
            form=quarterly,
            unit=seed_plan.area_unit,
            operator=vnpt,
            period="2024Q3",
            user=people["viettel"],
            actor=actor,
        )
    with pytest.raises(UserError):
        workflow.get_submission(
            form=quarterly,
            unit=seed_plan.area_unit,
            operator=Operator.objects.get(code="gmobile"),
            period="2024Q3",
            user=COMMAND_LINE,
            actor=actor,
        )
    assert Submission.objects.count() == 1


def test_a_concurrent_edit_is_refused_not_overwritten(seed_plan, actor):
    households = DataElement.objects.get(code="households")
    first = set_value(element=households, unit=unit("20005"), period="2024", value="100", actor=actor)
    seen_by_both = first.version
    set_value(
        element=households,
        unit=unit("20005"),
        period="2024",
        value="110",
        actor=actor,
        expected_version=seen_by_both,
    )
    with pytest.raises(UserError) as caught:
        set_value(
            element=households,
            unit=unit("20005"),
            period="2024",
            value="120",
            actor=actor,
            expected_version=seen_by_both,
        )
    assert caught.value.en == (
        "households: someone else (system) has just changed this value to 110; reload and enter it again"
    )
    first.refresh_from_db()
    assert (first.value, first.version) == (110, 2)


def test_completeness_and_timeliness(seed_plan, actor):
    form = commune_form(seed_plan)
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    for code, when in (
        ("19996", datetime(2025, 1, 10, 9, tzinfo=tz)),
        ("20005", datetime(2025, 1, 15, 23, tzinfo=tz)),
        ("20008", datetime(2025, 1, 16, 8, tzinfo=tz)),
    ):
        submission = workflow.get_submission(
            form=form, unit=unit(code), operator=None, period="2024", user=COMMAND_LINE, actor=actor
        )
        workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor)
        Submission.objects.filter(pk=submission.pk).update(submitted_at=when)
    workflow.get_submission(
        form=form, unit=unit("20011"), operator=None, period="2024", user=COMMAND_LINE, actor=actor
    )
    result = workflow.completeness(form=form, period="2024")
    assert result.due == date(2024, 12, 31) + timedelta(days=15)
    assert (result.expected, result.received, result.on_time) == (9, 3, 2)
    by_code = {r.code: r for r in result.rows}
    assert (by_code["20008"].status, by_code["20008"].on_time) == ("submitted", False)
    assert by_code["20011"].status == "draft"
    assert [r.code for r in result.missing] == ["20011", "20017", "20020", "20026", "20035", "20041"]
    quarterly = workflow.completeness(form=seed_plan.forms.get(code="doanh_nghiep_quy"), period="2024Q3")
    assert sorted(r.code for r in quarterly.rows) == ["fpt", "mobifone", "viettel", "vnpt"]
    assert quarterly.received == 0


def test_forms_default_to_one_yearly_form_per_reporter(reference_units, actor, tmp_path):
    import yaml

    from hatangso.plans.services import SEED_PLAN_FILE, load_plan

    data = yaml.safe_load(SEED_PLAN_FILE.read_text(encoding="utf-8"))
    del data["forms"]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan = load_plan(path=path, actor=actor, user=COMMAND_LINE).plan
    assert sorted(plan.forms.values_list("code", "period_type")) == [
        ("commune_yearly", "yearly"),
        ("enterprise_yearly", "yearly"),
    ]
    assert ReportForm.objects.get(code="commune_yearly").elements.count() == 12


def test_repeating_approved_data_unchanged_is_not_a_change(seed_plan, actor, tmp_path):
    population = DataElement.objects.get(code="population")
    set_value(element=population, unit=unit("20005"), period="2024", value="7000", actor=actor)
    submission = workflow.get_submission(
        form=commune_form(seed_plan),
        unit=unit("20005"),
        operator=None,
        period="2024",
        user=COMMAND_LINE,
        actor=actor,
    )
    workflow.approve(
        submission=workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor),
        user=COMMAND_LINE,
        actor=actor,
    )
    entries = ChangeLogEntry.objects.count()
    set_value(element=population, unit=unit("20005"), period="2024", value="7.000", actor=actor)
    same = tmp_path / "same.csv"
    same.write_text("ky,ma_don_vi,ma_chi_so,gia_tri\n2024,20005,population,7000\n", encoding="utf-8")
    assert import_values(path=same, actor=actor, user=COMMAND_LINE).unchanged == 1
    assert ChangeLogEntry.objects.filter(object_type="collection.datavalue").count() == 1
    new_entries = ChangeLogEntry.objects.filter(pk__gt=ChangeLogEntry.objects.order_by("pk")[entries - 1].pk)
    assert [e.object_type for e in new_entries] == ["collection.importbatch"]  # no value was touched
