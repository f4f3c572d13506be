"""The DHIS2 export: every documented field, the data set of a whole form, the metadata, and the round
trip import(export(x)) == x."""

import json
from datetime import date

import jsonschema
import pytest
from django.core.management import call_command
from django.utils import timezone

from hatangso.collection import workflow
from hatangso.collection.exports import all_values, export_values
from hatangso.collection.models import DataElement, DataValue
from hatangso.collection.services import import_values, set_value
from hatangso.core.changelog import Actor
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user
from hatangso.geography.selectors import resolve_unit

# Written from the DHIS2 Web API guide ("Data values": the dataValueSet and data value fields, the
# timestamps "2015-04-05T19:58:12.000", followup a boolean, value a string); nothing else is allowed.
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$"
DATA_VALUE = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value",
        "storedBy", "created", "lastUpdated", "followup",
    ],
    "properties": {
        "dataElement": {"type": "string", "minLength": 1},
        "period": {"type": "string", "pattern": r"^\d{4}(Q[1-4]|\d{2})?$"},
        "orgUnit": {"type": "string", "minLength": 1},
        "categoryOptionCombo": {"type": "string", "minLength": 1},
        "attributeOptionCombo": {"type": "string", "minLength": 1},
        "value": {"type": "string"},
        "storedBy": {"type": "string", "minLength": 1},
        "created": {"type": "string", "pattern": TIMESTAMP},
        "lastUpdated": {"type": "string", "pattern": TIMESTAMP},
        "comment": {"type": "string"},
        "followup": {"type": "boolean"},
        "deleted": {"type": "boolean"},
    },
}  # fmt: skip
DATA_VALUE_SET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["dataValues"],
    "properties": {
        "dataSet": {"type": "string"},
        "completeDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"},
        "period": {"type": "string"},
        "orgUnit": {"type": "string"},
        "attributeOptionCombo": {"type": "string"},
        "dataValues": {"type": "array", "items": DATA_VALUE},
    },
}


@pytest.fixture
def values(imported, actor, tmp_path):
    flagged = tmp_path / "flagged.json"
    flagged.write_text(
        json.dumps(
            {
                "dataValues": [
                    {"dataElement": "households", "period": "2024", "orgUnit": "19996", "value": "3100",
                     "storedBy": "xa_19996", "created": "2024-07-01T10:20:30.123", "followup": True}
                ]
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    import_values(path=flagged, actor=actor, user=COMMAND_LINE)


def export(tmp_path, name="out.json", **options):
    out = tmp_path / name
    export_values(all_values(), path=out, fmt="dhis2-json", **options)
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_export_has_every_dhis2_field_and_nothing_else(values, tmp_path):
    document = export(tmp_path)
    jsonschema.validate(document, DATA_VALUE_SET)
    households = next(v for v in document["dataValues"] if v["dataElement"] == "households")
    assert {k: v for k, v in households.items() if k != "lastUpdated"} == {
        "dataElement": "households",
        "period": "2024",
        "orgUnit": "19996",
        "categoryOptionCombo": "default",
        "attributeOptionCombo": "default",
        "value": "3100",
        "storedBy": "xa_19996",
        "created": "2024-07-01T10:20:30.123",
        "comment": "",
        "followup": True,
    }
    mobile = next(v for v in document["dataValues"] if v["dataElement"] == "mobile_subscriptions")
    assert mobile["attributeOptionCombo"] == "viettel"


def test_stored_by_is_the_real_author(seed_plan, actor, tmp_path):
    clerk = create_user(username="tuha", password="a long passphrase 2024", actor=actor)
    set_value(
        element=DataElement.objects.get(code="population"),
        unit=resolve_unit("19996", start=date(2024, 6, 1)),
        period="2024",
        value="12000",
        actor=Actor(user=clerk, origin="web"),
    )
    (value,) = export(tmp_path)["dataValues"]
    assert value["storedBy"] == "tuha"


def test_a_whole_form_names_its_data_set_and_completion(values, actor, tmp_path):
    report = workflow.get_submission(
        form=values_form(), unit=resolve_unit("19996", start=date(2024, 6, 1)), operator=None, period="2024",
        user=COMMAND_LINE, actor=actor,
    )  # fmt: skip
    report = workflow.submit(submission=report, user=COMMAND_LINE, actor=actor)
    out = tmp_path / "form.json"
    call_command(
        "export", "values", "--format", "dhis2-json", "--form", "ubnd_xa_nam", "--unit", "19996",
        "--period", "2024", "--out", str(out),
    )  # fmt: skip
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, DATA_VALUE_SET)
    submitted = f"{timezone.localtime(report.submitted_at):%Y-%m-%d}"
    assert (document["dataSet"], document["completeDate"]) == ("ubnd_xa_nam", submitted)
    assert {v["dataElement"] for v in document["dataValues"]} == {
        "population",
        "households",
        "village_ftth_covered",
    }


@pytest.mark.parametrize("fmt", ["dhis2-json", "dhis2-xml", "adx"])
def test_a_sent_report_comes_back_sent_on_its_day(fmt, values, actor, tmp_path):
    from hatangso.collection.models import Submission

    report = workflow.get_submission(
        form=values_form(), unit=resolve_unit("19996", start=date(2024, 6, 1)), operator=None, period="2024",
        user=COMMAND_LINE, actor=actor,
    )  # fmt: skip
    report = workflow.submit(submission=report, user=COMMAND_LINE, actor=actor)
    out = tmp_path / "form.out"
    options = ["--form", "ubnd_xa_nam", "--unit", "19996", "--period", "2024", "--out", str(out)]
    call_command("export", "values", "--format", fmt, *options)
    before = {key: value for key, value in stored().items() if key[0] != "mobile_subscriptions"}  # the form's
    DataValue.objects.all().delete()
    Submission.objects.all().delete()  # an empty world receives the file
    path = out.rename(tmp_path / f"form.{fmt.removeprefix('dhis2-')}")
    assert import_values(path=path, actor=actor, user=COMMAND_LINE).submitted == 1
    again = Submission.objects.get(form__code="ubnd_xa_nam", period="2024")
    assert (again.unit.code, again.status) == ("19996", "submitted")
    assert timezone.localdate(again.submitted_at) == timezone.localdate(report.submitted_at)
    if fmt != "adx":  # ADX carries no author or follow-up mark
        assert stored() == before


def test_every_adx_group_of_a_sent_report_carries_its_completion(values, actor, tmp_path):
    from defusedxml import ElementTree

    from hatangso.collection.models import Submission

    report = workflow.get_submission(
        form=values_form(), unit=resolve_unit("19996", start=date(2024, 6, 1)), operator=None, period="2024",
        user=COMMAND_LINE, actor=actor,
    )  # fmt: skip
    report = workflow.submit(submission=report, user=COMMAND_LINE, actor=actor)
    out = tmp_path / "all.adx"
    export_values(all_values(), path=out, fmt="adx")  # every value, no --form
    completion = {
        (g.get("orgUnit"), g.get("dataSet")): g.get("completeDate") for g in ElementTree.parse(out).getroot()
    }
    day = f"{timezone.localtime(report.submitted_at):%Y-%m-%d}"
    assert completion == {
        ("19996", "ubnd_xa_nam"): day,
        ("19996.01", "ubnd_xa_nam"): day,  # a village's values belong to its commune's report
        ("19996", "doanh_nghiep_thang"): None,  # Viettel's March report is not sent
    }
    DataValue.objects.all().delete()
    Submission.objects.all().delete()
    assert import_values(path=out, actor=actor, user=COMMAND_LINE).submitted == 1
    assert Submission.objects.get(status="submitted").form.code == "ubnd_xa_nam"


def values_form():
    from hatangso.collection.models import ReportForm

    return ReportForm.objects.get(code="ubnd_xa_nam")


def stored():
    return {
        (v.data_element.code, v.unit.code, v.period, v.operator.code if v.operator else ""): (
            v.value, v.comment, v.followup, v.created_by, v.updated_by,
        )
        for v in DataValue.objects.select_related("data_element", "unit", "operator")
    }  # fmt: skip


def without_last_updated(document):
    return [{k: v for k, v in value.items() if k != "lastUpdated"} for value in document["dataValues"]]


def scorecard(plan):
    from hatangso.analytics.services import evaluate_scorecard
    from hatangso.utilities.periods import parse_period

    card = evaluate_scorecard(plan=plan, unit=plan.area_unit, period=parse_period("2024"))
    return [(e.indicator.code, e.value, e.status) for e in card.evaluations]


def test_import_of_an_export_changes_nothing(seed_plan, values, actor, tmp_path):
    first, card = export(tmp_path, "first.json"), scorecard(seed_plan)
    before, logged = stored(), ChangeLogEntry.objects.filter(object_type="collection.datavalue").count()
    summary = import_values(path=tmp_path / "first.json", actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.updated, summary.deleted, summary.unchanged) == (0, 0, 0, 4)
    assert stored() == before
    assert ChangeLogEntry.objects.filter(object_type="collection.datavalue").count() == logged

    DataValue.objects.all().delete()  # a fresh database receives the file
    assert import_values(path=tmp_path / "first.json", actor=actor, user=COMMAND_LINE).created == 4
    assert stored() == before
    assert scorecard(seed_plan) == card
    assert without_last_updated(export(tmp_path, "second.json")) == without_last_updated(first)


@pytest.mark.parametrize("fmt", ["dhis2-xml", "adx"])
def test_an_xml_or_adx_export_brings_the_same_values_back(fmt, seed_plan, values, actor, tmp_path, capsys):
    out = tmp_path / f"values.{'xml' if fmt == 'dhis2-xml' else 'adx'}"
    call_command("export", "values", "--format", fmt, "--out", str(out))
    assert f"Đã xuất / Exported 4 giá trị / values → {out}" in " ".join(capsys.readouterr().out.split())
    before, card = stored(), scorecard(seed_plan)
    summary = import_values(path=out, actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 4)

    DataValue.objects.all().delete()  # a fresh database receives the file
    assert import_values(path=out, actor=actor, user=COMMAND_LINE).created == 4
    assert scorecard(seed_plan) == card
    if fmt == "dhis2-xml":
        assert stored() == before
    else:  # ADX carries the value and its comment (annotation), no author or follow-up mark
        assert {k: v[:2] for k, v in stored().items()} == {k: v[:2] for k, v in before.items()}


def test_the_xml_and_adx_files_are_dhis2s(values, tmp_path):
    from defusedxml import ElementTree

    xml, adx = tmp_path / "values.xml", tmp_path / "values.adx"
    export_values(all_values(), path=xml, fmt="dhis2-xml", form=values_form())
    root = ElementTree.parse(xml).getroot()
    assert root.tag == "{http://dhis2.org/schema/dxf/2.0}dataValueSet"
    assert root.get("dataSet") == "ubnd_xa_nam"
    households = next(v for v in root if v.get("dataElement") == "households")
    assert {k: v for k, v in households.attrib.items() if k != "lastUpdated"} == {
        "dataElement": "households", "period": "2024", "orgUnit": "19996", "categoryOptionCombo": "default",
        "attributeOptionCombo": "default", "value": "3100", "storedBy": "xa_19996",
        "created": "2024-07-01T10:20:30.123", "followup": "true",
    }  # fmt: skip
    export_values(all_values(), path=adx, fmt="adx")
    groups = {
        (g.get("orgUnit"), g.get("period"), g.get("dataSet"), g.get("operator")): [
            (v.get("dataElement"), v.get("value"), v.findtext("{urn:ihe:qrph:adx:2015}annotation")) for v in g
        ]
        for g in ElementTree.parse(adx).getroot()
    }
    assert groups == {
        ("19996", "2024-01-01/P1Y", "ubnd_xa_nam", None): [
            ("households", "3100", None), ("population", "12345", "điều tra"),
        ],
        ("19996", "2024-03-01/P1M", "doanh_nghiep_thang", "viettel"): [
            ("mobile_subscriptions", "4000", None),
        ],
        ("19996.01", "2024-01-01/P1Y", "ubnd_xa_nam", None): [("village_ftth_covered", "1", None)],
    }  # fmt: skip


def test_the_metadata_export(seed_plan, tmp_path, capsys):
    out = tmp_path / "metadata.json"
    call_command("export", "dhis2-metadata", "--out", str(out))
    assert "dataElements" in capsys.readouterr().out
    metadata = json.loads(out.read_text(encoding="utf-8"))
    elements = {e["code"]: e for e in metadata["dataElements"]}
    assert {k: elements["population"][k] for k in ("valueType", "aggregationType", "domainType")} == {
        "valueType": "INTEGER_ZERO_OR_POSITIVE",
        "aggregationType": "LAST",
        "domainType": "AGGREGATE",
    }
    data_sets = {d["code"]: d for d in metadata["dataSets"]}
    assert data_sets["doanh_nghiep_thang"]["periodType"] == "Monthly"
    assert data_sets["doanh_nghiep_thang"]["categoryCombo"] == {"code": "operator"}
    assert {"dataElement": {"code": "population"}} in data_sets["ubnd_xa_nam"]["dataSetElements"]
    units = {u["code"]: u for u in metadata["organisationUnits"]}
    assert len(units) == len(metadata["organisationUnits"])  # DHIS2 codes are unique
    assert units["19996"]["parent"]["code"] in units
    assert units["19996"]["openingDate"].endswith("T00:00:00.000")
    assert any("closedDate" in u for u in units.values())  # the units merged on 01/07/2025
    assert {o["code"] for o in metadata["categoryOptions"]} >= {"viettel", "vnpt"}
