"""DHIS2 files in every format (dataValueSet JSON, XML, CSV with both headers, ADX): codes, mapped
UIDs, the default combos, disaggregations refused, deletions."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from hatangso.collection import workflow
from hatangso.collection.dhis2 import DXF_NAMESPACE
from hatangso.collection.models import DataValue, Dhis2Mapping, ImportBatch, Submission
from hatangso.collection.services import import_values
from hatangso.core.changelog import snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected

ELEMENT_UID, UNIT_UID = "fbfJHSPpUQD", "DiszpKrYNg8"


def json_file(element, unit, combo="HllvX50cXC0", extra=""):
    document = {
        "dataSet": "ubnd_xa_nam",
        "completeDate": "2025-01-10",
        "period": "2024",
        "orgUnit": unit,
        "attributeOptionCombo": "HllvX50cXC0",
        "dataValues": [
            {
                "dataElement": element,
                "categoryOptionCombo": combo,
                "value": "7000",
                "storedBy": "xa_20005",
                "created": "2024-07-01T10:20:30.123",
                "followup": True,
            }
        ],
    }
    return json.dumps(document)


def xml_file(element, unit, combo="HllvX50cXC0"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="ubnd_xa_nam" '
        f'completeDate="2025-01-10" period="2024" orgUnit="{unit}" attributeOptionCombo="default">\n'
        f'  <dataValue dataElement="{element}" categoryOptionCombo="{combo}" value="7000" '
        'storedBy="xa_20005" created="2024-07-01T10:20:30.123" followup="true"/>\n'
        "</dataValueSet>\n"
    )


def csv_docs_header(element, unit, combo="HllvX50cXC0"):
    return (
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,flwup\n"
        f"{element},2024,{unit},{combo},HllvX50cXC0,7000,xa_20005,2024-07-01T10:20:30.000,,true\n"
    )


def csv_full_header(element, unit, combo="HllvX50cXC0"):
    return (
        '"dataelement","period","orgunit","categoryoptioncombo","attributeoptioncombo","value"\n'
        f'"{element}","2024","{unit}","{combo}","","7000"\n'
    )


def adx_file(element, unit, combo=None):
    disaggregation = f' {combo}="FMLE"' if combo else ""
    return (
        '<adx xmlns="urn:ihe:qrph:adx:2015" exported="2025-01-10T08:00:00Z">\n'
        f'  <group orgUnit="{unit}" period="2024-01-01/P1Y" dataSet="ubnd_xa_nam" '
        'completeDate="2025-01-10">\n'
        f'    <dataValue dataElement="{element}"{disaggregation} value="7000"/>\n'
        "  </group>\n"
        "</adx>\n"
    )


FORMATS = {
    "json": ("values.json", json_file),
    "xml": ("values.xml", xml_file),
    "csv-docs": ("values.csv", csv_docs_header),
    "csv-full": ("values.csv", csv_full_header),
    "adx": ("values.adx", adx_file),
}


def write(tmp_path, fmt, *args):
    name, build = FORMATS[fmt]
    path = tmp_path / name
    path.write_text(build(*args), encoding="utf-8")
    return path


def same_moments_and_numbers(snapshot: dict) -> dict:
    moments = {key: datetime.fromisoformat(snapshot[key]) for key in ("created_at", "updated_at")}
    return {**snapshot, **moments, "value": Decimal(snapshot["value"])}


def population(unit="20005"):
    return DataValue.objects.filter(data_element__code="population", unit__code=unit, period="2024").first()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_imports_with_codes(fmt, seed_plan, actor, tmp_path):
    summary = import_values(path=write(tmp_path, fmt, "population", "20005"), actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.updated) == (1, 0)
    value = population()
    assert (value.value, value.operator) == (7000, None)
    # The bulk write's change log holds what the ORM's snapshot of the stored value holds (the same
    # number and moments, written as the file gave them).
    created = ChangeLogEntry.objects.get(object_type="collection.datavalue", object_id=str(value.pk))
    assert (created.action, created.object_repr) == ("create", "population 20005 2024 = 7000")
    assert same_moments_and_numbers(created.after) == same_moments_and_numbers(snapshot(value))
    if fmt in {"json", "xml"}:  # the fields these formats carry are kept
        assert (value.created_by, value.updated_by, value.followup) == ("xa_20005", "xa_20005", True)
        assert value.created_at.isoformat().startswith("2024-07-01T")
    again = import_values(path=write(tmp_path, fmt, "population", "20005"), actor=actor, user=COMMAND_LINE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_uids_are_refused_until_mapped(fmt, seed_plan, actor, tmp_path, table_counts):
    path = write(tmp_path, fmt, ELEMENT_UID, UNIT_UID)
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    assert [(e.column, e.value, e.reason_en) for e in caught.value.errors] == [
        (
            "dataelement",
            ELEMENT_UID,
            f"unknown data element UID {ELEMENT_UID}; map it with "
            f"`hatangso dhis2 map data-element {ELEMENT_UID} CODE`",
        ),
        (
            "orgunit",
            UNIT_UID,
            f"unknown org unit UID {UNIT_UID}; map it with `hatangso dhis2 map org-unit {UNIT_UID} CODE`",
        ),
    ]
    assert ImportBatch.objects.filter(status="rejected", file_name=path.name).count() == 1

    call_command("dhis2", "map", "data-element", ELEMENT_UID, "population")
    call_command("dhis2", "map", "org-unit", UNIT_UID, "20005")
    assert import_values(path=path, actor=actor, user=COMMAND_LINE).created == 1
    assert population().value == 7000


@pytest.mark.parametrize(
    ("fmt", "combo", "shown"),
    [
        ("json", "Female", "Female"),
        ("xml", "Female", "Female"),
        ("csv-docs", "Female", "Female"),
        ("csv-full", "Female", "Female"),
        ("adx", "GENDER", "GENDER=FMLE"),
    ],
)
def test_a_disaggregation_never_replaces_the_total(
    fmt, combo, shown, seed_plan, actor, tmp_path, table_counts
):
    import_values(path=write(tmp_path, "json", "population", "20005"), actor=actor, user=COMMAND_LINE)
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=write(tmp_path, fmt, "population", "20005", combo), actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    assert population().value == 7000
    assert [(e.column, e.reason_vi, e.reason_en) for e in caught.value.errors] == [
        (
            "categoryoptioncombo" if fmt != "csv-docs" else "catoptcombo",
            f"population không có phân tổ {shown}; chỉ nhận tổng (tổ hợp mặc định), không ghi đè tổng "
            f"bằng một phần",
            f"population has no disaggregation {shown}; only the total (default combo) is accepted, a part "
            f"never replaces the total",
        )
    ]


def test_a_mapped_combo_uid_may_stand_for_the_default(seed_plan, actor, tmp_path):
    call_command("dhis2", "map", "category-option-combo", "bRowv6yZOF2", "default")
    path = write(tmp_path, "json", "population", "20005", "bRowv6yZOF2")
    assert import_values(path=path, actor=actor, user=COMMAND_LINE).created == 1


def deletion(tmp_path, **extra):
    path = tmp_path / "deleted.json"
    value = {"dataElement": "population", "period": "2024", "orgUnit": "20005", "deleted": True, **extra}
    path.write_text(json.dumps({"dataValues": [value]}), encoding="utf-8")
    return path


def test_deleted_removes_the_value_and_is_audited(seed_plan, actor, tmp_path):
    import_values(path=write(tmp_path, "json", "population", "20005"), actor=actor, user=COMMAND_LINE)
    pk = population().pk
    summary = import_values(path=deletion(tmp_path, value="7000"), actor=actor, user=COMMAND_LINE)
    assert (summary.deleted, summary.created, summary.updated) == (1, 0, 0)
    assert population() is None
    entry = ChangeLogEntry.objects.get(object_type="collection.datavalue", object_id=str(pk), action="delete")
    assert (entry.before["value"], entry.origin) == ("7000.0000", "cli: test")
    again = import_values(path=deletion(tmp_path), actor=actor, user=COMMAND_LINE)  # nothing left to delete
    assert (again.deleted, again.unchanged) == (0, 1)


def test_deleting_a_value_of_an_approved_report_is_refused(seed_plan, actor, tmp_path, table_counts):
    import_values(path=write(tmp_path, "json", "population", "20005"), actor=actor, user=COMMAND_LINE)
    Submission.objects.filter(form__code="ubnd_xa_nam", unit__code="20005", period="2024").update(
        status=Submission.Status.APPROVED
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=deletion(tmp_path), actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    assert population().value == 7000
    assert "re-open it first" in caught.value.errors[0].reason_en


def test_the_default_attribute_combo_is_no_operator_but_enterprise_data_needs_one(seed_plan, actor, tmp_path):
    path = tmp_path / "operators.json"
    values = [
        {"dataElement": "population", "period": "2024", "orgUnit": "20005", "attributeOptionCombo": "default",
         "value": "7000"},
        {"dataElement": "mobile_subscriptions", "period": "202403", "orgUnit": "20005",
         "attributeOptionCombo": "HllvX50cXC0", "value": "5"},
    ]  # fmt: skip
    path.write_text(json.dumps({"dataValues": values}), encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert [(e.row, e.column, e.reason_en) for e in caught.value.errors] == [
        (2, "attributeoptioncombo", "enterprise data must name the operator")
    ]
    call_command("dhis2", "map", "attribute-option-combo", "Viet7telAOC", "viettel")
    values[1]["attributeOptionCombo"] = "Viet7telAOC"
    path.write_text(json.dumps({"dataValues": values}), encoding="utf-8")
    assert import_values(path=path, actor=actor, user=COMMAND_LINE).created == 2
    assert DataValue.objects.get(data_element__code="mobile_subscriptions").operator.code == "viettel"


def test_the_data_set_must_hold_the_element(seed_plan, actor, tmp_path, table_counts):
    path = tmp_path / "form.json"
    path.write_text(
        json.dumps(
            {
                "dataSet": "ubnd_xa_nam",
                "period": "202403",
                "orgUnit": "20005",
                "dataValues": [
                    {"dataElement": "mobile_subscriptions", "attributeOptionCombo": "viettel", "value": "5"},
                    {"dataElement": "population", "period": "2024", "dataSet": "khong_co", "value": "5"},
                ],
            }
        ),
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    assert [(e.row, e.column, e.reason_en) for e in caught.value.errors] == [
        (1, "dataset", "mobile_subscriptions is not on form ubnd_xa_nam"),
        (2, "dataset", "unknown data set (form) code"),
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.xml", "<dataValueSet", "is not valid XML"),
        ("other.xml", "<dataValueSet/>", "is neither a DHIS2 dataValueSet"),
        ("bad.adx", '<adx xmlns="urn:ihe:qrph:adx:2015"><group', "is not valid XML"),
        # Entity expansion ("billion laughs") and external entities are refused before anything is read.
        ("bomb.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                     f'<dataValueSet xmlns="{DXF_NAMESPACE}"><dataValue comment="&b;"/></dataValueSet>',
         "is not valid XML"),
        ("external.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                         f'<dataValueSet xmlns="{DXF_NAMESPACE}"><dataValue comment="&e;"/></dataValueSet>',
         "is not valid XML"),
    ],
)  # fmt: skip
def test_a_file_refused_whole_is_kept(name, text, message, seed_plan, actor, tmp_path):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert message in caught.value.en
    batch = ImportBatch.objects.get(status="rejected", file_name=name)
    assert message in batch.errors[0]["reason_en"]


def test_adx_periods_and_the_operator_category(seed_plan, actor, tmp_path):
    path = tmp_path / "quarter.adx"
    path.write_text(
        '<adx xmlns="urn:ihe:qrph:adx:2015" exported="2025-01-10T08:00:00Z">'
        '<group orgUnit="20005" period="2024-01-01/P1M" dataSet="doanh_nghiep_thang" operator="viettel">'
        '<dataValue dataElement="mobile_subscriptions" value="5"/></group>'
        '<group orgUnit="20005" period="2024-05-01/P3M" operator="viettel">'
        '<dataValue dataElement="mobile_subscriptions" value="5"/></group>'
        "</adx>",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(2, "period", "2024-05-01/P3M")]


def test_the_mapping_commands(seed_plan, actor, tmp_path, capsys, table_counts):
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(
        f"kind,uid,code\ndata-element,{ELEMENT_UID},population\norg-unit,{UNIT_UID},20005\n", encoding="utf-8"
    )
    call_command("dhis2", "map", "--file", str(mapping))
    assert set(Dhis2Mapping.objects.values_list("kind", "uid", "code")) == {
        ("data-element", ELEMENT_UID, "population"),
        ("org-unit", UNIT_UID, "20005"),
    }
    call_command("dhis2", "maps")
    assert ELEMENT_UID in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,uid,code\nunit,x,20005\norg-unit,AbcdefGHIJ1,99999\n", encoding="utf-8")
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        call_command("dhis2", "map", "--file", str(bad))
    assert table_counts() == before
    assert [(e.row, e.column, e.reason_en) for e in caught.value.errors] == [
        (2, "kind", "unknown kind 'unit' (use data-element, org-unit, category-option-combo, "
         "attribute-option-combo, data-set)"),
        (2, "uid", "DHIS2 UID 'x' must be 11 letters and digits, starting with a letter"),
        (3, "code", "no org unit has code 99999"),
    ]  # fmt: skip
    with pytest.raises(UserError) as caught:
        call_command("dhis2", "map", "data-element", ELEMENT_UID, "khong_co")
    assert caught.value.en == "Cannot map: no data element has code khong_co"


def test_an_upload_keeps_the_uploader_as_author(seed_plan, client, actor, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hatangso.core.services import create_api_token, create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit

    user = create_user(username="xa20005", password="a long passphrase 2024", actor=actor)
    commune = resolve_unit("20005", start=seed_plan.issued_on)
    grant_membership(user=user, role="commune", unit=commune, actor=actor)
    _, token = create_api_token(user=user, name="t", actor=actor)
    text = xml_file("population", "20005")
    upload = SimpleUploadedFile("values.xml", text.encode(), content_type="text/xml")
    response = client.post("/api/v1/values/import", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (response.status_code, response.json()["created"], response.json()["deleted"]) == (200, 1, 0)
    value = population()
    assert (value.value, value.created_by, value.followup) == (7000, "xa20005", True)
    assert value.created_at.year == timezone.now().year


def test_followup_changes_only_when_the_file_says_and_zero_is_a_value(seed_plan, actor, tmp_path):
    import_values(
        path=write(tmp_path, "json", "population", "20005"), actor=actor, user=COMMAND_LINE
    )  # followup: true
    path = tmp_path / "again.json"

    def send(**fields):
        value = {"dataElement": "population", "period": "2024", "orgUnit": "20005", **fields}
        path.write_text(json.dumps({"dataValues": [value]}), encoding="utf-8")
        return import_values(path=path, actor=actor, user=COMMAND_LINE)

    assert send(value="7000").unchanged == 1
    assert population().followup is True
    assert send(value="7000", followup=False).updated == 1
    assert population().followup is False
    assert send(value=0).updated == 1
    assert population().value == 0


# --- completeDate: the file's report is sent -------------------------------------------------------


def report_20005():
    return Submission.objects.get(form__code="ubnd_xa_nam", unit__code="20005", period="2024")


@pytest.mark.parametrize("fmt", ["json", "xml", "adx"])
def test_a_complete_date_sends_the_report_after_its_values(fmt, seed_plan, actor, tmp_path):
    path = write(tmp_path, fmt, "population", "20005")
    summary = import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.submitted) == (1, 1)
    report = report_20005()
    assert (report.status, report.submitted_by) == ("submitted", actor.name)
    assert timezone.localtime(report.submitted_at).isoformat() == "2025-01-10T00:00:00+07:00"  # the file's
    sent = ChangeLogEntry.objects.get(
        object_type="collection.submission", object_id=str(report.pk), action="update"
    )
    assert (sent.before["status"], sent.after["status"]) == ("draft", "submitted")
    again = import_values(path=path, actor=actor, user=COMMAND_LINE)  # an already sent report stays as it is
    assert (again.unchanged, again.submitted) == (1, 0)
    assert ChangeLogEntry.objects.filter(object_type="collection.submission").count() == 2  # opened, sent


def test_a_complete_date_on_an_approved_report_changes_nothing_and_its_values_stay_locked(
    seed_plan, actor, tmp_path, table_counts
):
    path = write(tmp_path, "json", "population", "20005")
    import_values(path=path, actor=actor, user=COMMAND_LINE)
    workflow.approve(submission=report_20005(), user=COMMAND_LINE, actor=actor)
    assert (
        import_values(path=path, actor=actor, user=COMMAND_LINE).submitted == 0
    )  # the same values: accepted, unchanged
    changed = tmp_path / "changed.json"
    changed.write_text(path.read_text(encoding="utf-8").replace('"7000"', '"7001"'), encoding="utf-8")
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=changed, actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    assert caught.value.errors[0].reason_en.endswith("re-open it first")
    assert (report_20005().status, population().value) == ("approved", 7000)


@pytest.mark.parametrize(
    "document, column, reason_vi",
    [
        ({"completeDate": "2025-01-10"}, "completedate",
         "completeDate cần dataSet (mã biểu) để biết báo cáo nào đã xong"),
        ({"completeDate": "10/01/2025", "dataSet": "ubnd_xa_nam"}, "completedate",
         "thời điểm '10/01/2025' phải có dạng 2024-07-01T10:20:30.123"),
        ({"completeDate": "2025-01-10", "dataSet": "ubnd_xa_nam", "period": "2024Q4"}, "completedate",
         "Biểu ubnd_xa_nam báo cáo theo kỳ hằng năm, không phải 2024Q4"),
    ],
)  # fmt: skip
def test_a_complete_date_that_names_no_report_refuses_the_file(
    document, column, reason_vi, seed_plan, actor, tmp_path, table_counts
):
    path = tmp_path / "complete.json"
    value = {"dataElement": "internet_users", "orgUnit": "20005", "value": "6000"}
    path.write_text(json.dumps({"period": "2024", **document, "dataValues": [value]}), encoding="utf-8")
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert [(e.row, e.column, e.reason_vi) for e in caught.value.errors] == [(1, column, reason_vi)]
    assert table_counts() == before


def test_an_upload_sends_the_report_as_the_uploader_now(seed_plan, client, actor, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hatangso.core.services import grant_membership
    from hatangso.geography.selectors import resolve_unit

    user = create_user(username="xa20005", password="a long passphrase 2024", actor=actor)
    grant_membership(
        user=user, role="commune", unit=resolve_unit("20005", start=seed_plan.issued_on), actor=actor
    )
    client.force_login(user)
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    upload = SimpleUploadedFile("values.json", json_file("population", "20005").encode())
    page = client.post(f"/nhap-lieu/{form.pk}/2024/", {"file": upload}, follow=True).content.decode()
    assert "Tệp ghi báo cáo đã xong (completeDate): đã gửi 1 báo cáo." in page
    report = report_20005()
    assert (report.status, report.submitted_by) == ("submitted", "xa20005")
    assert report.submitted_at.date() == timezone.now().date()  # sent now, by the uploader
    entry = ChangeLogEntry.objects.get(object_type="collection.submission", action="update")
    assert entry.user == user


def test_the_api_sends_the_report_and_counts_it(seed_plan, client, actor, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hatangso.core.services import create_api_token, grant_membership
    from hatangso.geography.selectors import resolve_unit

    user = create_user(username="xa20005", password="a long passphrase 2024", actor=actor)
    grant_membership(
        user=user, role="commune", unit=resolve_unit("20005", start=seed_plan.issued_on), actor=actor
    )
    _, token = create_api_token(user=user, name="t", actor=actor)
    upload = SimpleUploadedFile(
        "values.xml", xml_file("population", "20005").encode(), content_type="text/xml"
    )
    response = client.post("/api/v1/values/import", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (response.status_code, response.json()["submitted"]) == (200, 1)
    assert response.json()["submissions"] == [report_20005().pk]
    assert report_20005().status == "submitted"


def test_an_operators_complete_date_sends_its_report_for_the_plans_area(seed_plan, tmp_path, capsys):
    area = seed_plan.area_unit.code
    path = tmp_path / "operator.adx"
    path.write_text(
        '<adx xmlns="urn:ihe:qrph:adx:2015" exported="2025-01-10T08:00:00Z">'
        f'<group orgUnit="{area}" period="2024-03-01/P1M" dataSet="doanh_nghiep_thang" operator="viettel" '
        'completeDate="2024-04-05"><dataValue dataElement="mobile_subscriptions" value="5"/></group></adx>',
        encoding="utf-8",
    )
    call_command("import", "values", str(path))
    assert "Đã gửi / submitted 1 báo cáo / report(s) (completeDate)" in capsys.readouterr().out
    report = Submission.objects.get(form__code="doanh_nghiep_thang", period="202403")
    assert (report.unit.code, report.operator.code, report.status) == (area, "viettel", "submitted")


def test_a_complete_date_the_uploader_may_not_send_refuses_the_file(seed_plan, actor, tmp_path, table_counts):
    from hatangso.core.services import grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.registry.models import Operator

    # Viettel's engineer for one commune writes its values there, but the month's report is the area's.
    engineer = create_user(username="viettel20005", password="a long passphrase 2024", actor=actor)
    commune = resolve_unit("20005", start=seed_plan.issued_on)
    grant_membership(
        user=engineer,
        role="enterprise",
        unit=commune,
        operator=Operator.objects.get(code="viettel"),
        actor=actor,
    )
    path = tmp_path / "operator.json"
    document = {
        "dataSet": "doanh_nghiep_thang", "completeDate": "2024-04-05", "period": "202403", "orgUnit": "20005",
        "attributeOptionCombo": "viettel",
        "dataValues": [{"dataElement": "mobile_subscriptions", "value": "5"}],
    }  # fmt: skip
    path.write_text(json.dumps(document), encoding="utf-8")
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=engineer)
    area = seed_plan.area_unit.code
    assert [(e.column, e.reason_vi, e.reason_en) for e in caught.value.errors] == [
        (
            "completedate",
            f"bạn không gửi được báo cáo doanh_nghiep_thang của {area}",
            f"you cannot send the report doanh_nghiep_thang of {area}",
        )
    ]
    assert table_counts() == before
    document.pop("completeDate")  # the values alone are the engineer's to write
    path.write_text(json.dumps(document), encoding="utf-8")
    assert import_values(path=path, actor=actor, user=engineer).created == 1


def test_a_complete_date_outside_the_forms_area_refuses_the_file(seed_plan, actor, tmp_path, table_counts):
    from hatangso.geography.models import AdministrativeUnit

    area = seed_plan.area_unit
    elsewhere = (
        AdministrativeUnit.objects.filter(level="commune", valid_to__isnull=True)
        .exclude(path__startswith=area.path)
        .order_by("code")
        .first()
    )
    path = tmp_path / "elsewhere.json"
    document = {
        "dataSet": "doanh_nghiep_thang", "completeDate": "2024-04-05", "period": "202403",
        "orgUnit": elsewhere.code, "attributeOptionCombo": "viettel",
        "dataValues": [{"dataElement": "mobile_subscriptions", "value": "5"}],
    }  # fmt: skip
    path.write_text(json.dumps(document), encoding="utf-8")
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert [(e.column, e.reason_vi) for e in caught.value.errors] == [
        ("completedate", f"{elsewhere.code} không thuộc địa bàn báo cáo của biểu doanh_nghiep_thang")
    ]
    assert (
        caught.value.errors[0].reason_en
        == f"{elsewhere.code} is outside the area form doanh_nghiep_thang reports on"
    )
    assert table_counts() == before
