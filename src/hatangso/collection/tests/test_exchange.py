"""Exports that re-import as they are, and DHIS2 dataValueSets JSON in both directions."""

import json

import pytest
from openpyxl import load_workbook

from hatangso.collection.exports import all_values, export_values
from hatangso.collection.models import DataValue
from hatangso.collection.services import import_values
from hatangso.core.scoping import COMMAND_LINE
from hatangso.utilities.importing import ImportRejected


def snapshot():
    return {
        (v.data_element.code, v.unit.code, v.period, v.operator.code if v.operator else ""): v.value
        for v in DataValue.objects.all()
    }


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", "csv"), ("xlsx", "xlsx"), ("dhis2-json", "json")])
def test_an_export_reimports_to_the_same_values(fmt, suffix, imported, actor, tmp_path):
    out = tmp_path / f"out.{suffix}"
    assert export_values(all_values(), path=out, fmt=fmt) == 3
    DataValue.objects.all().delete()
    summary = import_values(path=out, actor=actor, user=COMMAND_LINE)
    assert summary.created == 3
    assert snapshot() == imported


def test_dhis2_json_export_shape(imported, tmp_path):
    out = tmp_path / "out.json"
    export_values(all_values(), path=out, fmt="dhis2-json")
    document = json.loads(out.read_text(encoding="utf-8"))
    mobile = next(v for v in document["dataValues"] if v["dataElement"] == "mobile_subscriptions")
    assert {k: mobile[k] for k in ("period", "orgUnit", "attributeOptionCombo", "value")} == {
        "period": "202403",
        "orgUnit": "19996",
        "attributeOptionCombo": "viettel",
        "value": "4000",
    }
    assert "comment" not in document  # not synthetic


def test_dhis2_json_with_header_defaults_and_bad_values(seed_plan, actor, tmp_path, table_counts):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "period": "2024",
                "orgUnit": "20005",
                "dataValues": [
                    {"dataElement": "population", "value": "7000"},
                    {"dataElement": "households", "value": "1800", "orgUnit": "20008"},
                ],
            }
        ),
        encoding="utf-8",
    )
    assert import_values(path=good, actor=actor, user=COMMAND_LINE).created == 2
    assert snapshot()[("households", "20008", "2024", "")] == 1800
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "dataValues": [
                    {"dataElement": "population", "period": "2024", "orgUnit": "20041", "value": "5"},
                    {"dataElement": "population", "period": "2024", "orgUnit": "00000", "value": "5"},
                    {
                        "dataElement": "mobile_subscriptions",
                        "period": "202401",
                        "orgUnit": "20041",
                        "attributeOptionCombo": "acme",
                        "value": "5",
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=bad, actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    assert [(e.row, e.column, e.reason_en) for e in caught.value.errors] == [
        (2, "orgunit", "no unit has code 00000"),
        (3, "attributeoptioncombo", "unknown operator"),
    ]
    broken = tmp_path / "broken.json"
    broken.write_text('{"dataValues": [', encoding="utf-8")
    with pytest.raises(Exception) as caught:
        import_values(path=broken, actor=actor, user=COMMAND_LINE)
    assert "is not valid JSON" in str(caught.value)


def test_xlsx_export_has_a_header_row(imported, tmp_path):
    out = tmp_path / "out.xlsx"
    export_values(all_values(), path=out, fmt="xlsx")
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == [
        "ky",
        "ma_don_vi",
        "ten_don_vi",
        "ma_chi_so",
        "doanh_nghiep",
        "gia_tri",
        "ghi_chu",
    ]
