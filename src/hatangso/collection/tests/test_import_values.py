"""`import values`: all-or-nothing, every bad row reported, NFC/NFD names, audit."""

import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from hatangso.collection.models import DataValue, ImportBatch
from hatangso.collection.services import import_values, set_value
from hatangso.core.changelog import snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected

HEADER = "ky,ma_don_vi,ten_don_vi,ma_chi_so,doanh_nghiep,gia_tri,ghi_chu\n"


def write(tmp_path, text, name="values.csv"):
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def test_good_file_is_imported_with_audit(seed_plan, actor, tmp_path):
    path = write(
        tmp_path,
        "2024,19996,Phường Tứ Hạ,population,,12.345,\n"
        "2024,19996,Phường Tứ Hạ,households,,3210,\n"
        '202403,19996,,mobile_subscriptions,Viettel,"4.000",\n'
        "2024Q1,19996,,cable_poles,vnpt,500,\n",
    )
    summary = import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.updated, summary.unchanged) == (4, 0, 0)
    population = DataValue.objects.get(data_element__code="population", unit__code="19996")
    assert population.value == Decimal("12345")
    assert population.period_start.isoformat() == "2024-01-01"
    assert DataValue.objects.get(data_element__code="mobile_subscriptions").operator.code == "viettel"
    assert ChangeLogEntry.objects.filter(object_type="collection.datavalue", action="create").count() == 4
    batch = ImportBatch.objects.get()
    assert batch.rows == 4 and len(batch.sha256) == 64
    assert Path(batch.stored_path).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_reimport_updates_changed_values_only(seed_plan, actor, tmp_path):
    import_values(
        path=write(tmp_path, "2024,20005,,population,,1000,\n2024,20005,,households,,300,\n"),
        actor=actor,
        user=COMMAND_LINE,
    )
    second = write(tmp_path, "2024,20005,,population,,1100,\n2024,20005,,households,,300,\n", "second.csv")
    summary = import_values(path=second, actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    change = ChangeLogEntry.objects.filter(object_type="collection.datavalue", action="update").get()
    assert Decimal(change.before["value"]) == 1000
    assert Decimal(change.after["value"]) == 1100
    population = DataValue.objects.get(data_element__code="population", unit__code="20005")
    assert (population.value, population.version) == (1100, 2)
    assert population.import_batch == summary.batch and population.updated_at > population.created_at
    stored = snapshot(population)  # the number as the database gives it back: 1100.0000
    assert change.after == {**stored, "value": "1100"}
    assert change.object_repr == "population 20005 2024 = 1100"
    assert (change.before["version"], change.before["import_batch_id"]) == (1, summary.batch.pk - 1)


def test_bad_rows_are_all_reported_and_nothing_is_written(seed_plan, actor, tmp_path, table_counts):
    nfd_name = unicodedata.normalize("NFD", "Phường Hương Văn")
    assert nfd_name != unicodedata.normalize("NFC", nfd_name)
    path = write(
        tmp_path,
        "2024,99999,,population,,100,\n"  # row 2: unknown unit code
        "2024,19996,,households,,-5,\n"  # row 3: negative count
        "2024,19996,,population,,abc,\n"  # row 4: text in a number column
        f"2024,20011,{nfd_name},population,,5000,\n"  # row 5: NFD name matches its NFC twin: fine
        "2024X,19996,,internet_users,,10,\n"  # row 6: wrong period
        "2024,20011,,population,,5001,\n"  # row 7: duplicate of row 5
        "2024,19996,,households_ftth,,=1+2,\n"  # row 8: formula
        "2024,19996,,unknown_element,,1,\n"  # row 9: unknown data element
        "202403,19996,,mobile_subscriptions,,10,\n"  # row 10: enterprise data without operator
        "202403,19996,,mobile_subscriptions,Acme,10,\n"  # row 11: unknown operator
        "2024,19996,Phường Kim Long,population,,10,\n"  # row 12: name does not match the code
        "2030,19996,,population,,10,\n",  # row 13: period not started
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    errors = {(e.row, e.column): e for e in caught.value.errors}
    assert sorted(errors) == [
        (2, "ma_don_vi"),
        (3, "gia_tri"),
        (4, "gia_tri"),
        (6, "ky"),
        (7, "ma_chi_so"),
        (8, "gia_tri"),
        (9, "ma_chi_so"),
        (10, "doanh_nghiep"),
        (11, "doanh_nghiep"),
        (12, "ten_don_vi"),
        (13, "ky"),
    ]
    assert errors[(2, "ma_don_vi")].reason_vi == "không có đơn vị mã 99999"
    assert errors[(2, "ma_don_vi")].reason_en == "no unit has code 99999"
    assert errors[(3, "gia_tri")].reason_en == "a count cannot be negative"
    assert errors[(3, "gia_tri")].value == "-5"
    assert errors[(4, "gia_tri")].reason_en == "is not a number"
    assert errors[(6, "ky")].reason_en == "Period '2024X' is not valid; use 2024, 2024Q3 or 202409"
    assert errors[(7, "ma_chi_so")].reason_en == "duplicates row 5 (same element, unit, period, operator)"
    assert "formula" in errors[(8, "gia_tri")].reason_en
    assert errors[(9, "ma_chi_so")].reason_en == "unknown data element code"
    assert errors[(10, "doanh_nghiep")].reason_en == "enterprise data must name the operator"
    assert errors[(11, "doanh_nghiep")].reason_en == "unknown operator"
    assert errors[(12, "ten_don_vi")].reason_en == "unit name does not match code 19996 (Phường Tứ Hạ)"
    assert errors[(13, "ky")].reason_en == "period 2030 has not started yet"
    assert str(caught.value) == (
        "Tệp values.csv có 11 lỗi; không dữ liệu nào được ghi / "
        "File values.csv has 11 error(s); nothing was written"
    )


def test_percentage_over_100_is_rejected(seed_plan, actor, tmp_path, table_counts):
    from hatangso.collection.models import DataElement

    DataElement.objects.create(
        code="survey_coverage_pct",
        name="Tỷ lệ khảo sát",
        value_type="percentage",
        aggregation="last",
        reporter="commune",
    )
    path = write(
        tmp_path, "2024,19996,,survey_coverage_pct,,100.5,\n2024,20005,,survey_coverage_pct,,99,5,\n"
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert table_counts() == before
    [error] = caught.value.errors
    assert (error.row, error.value, error.reason_en) == (2, "100.5", "a percentage must be between 0 and 100")


def test_village_elements_must_be_reported_per_village(seed_plan, actor, tmp_path):
    with pytest.raises(ImportRejected) as caught:
        import_values(
            path=write(tmp_path, "2024,19996,,village_ftth_covered,,1,\n"), actor=actor, user=COMMAND_LINE
        )
    assert caught.value.errors[0].reason_en == "village_ftth_covered is reported per village, not per commune"


def test_xlsx_with_vietnamese_headers_and_units_by_name(seed_plan, actor, tmp_path):
    path = tmp_path / "so-lieu.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Kỳ", "Mã đơn vị", "Tên đơn vị", "Mã chỉ số", "Doanh nghiệp", "Giá trị"])
    sheet.append(["2024", None, "Hương Toàn", "population", None, 8123])
    sheet.append(["2024", "20008", "Phường Hương Vân", "households", None, "2.001"])
    workbook.save(path)
    summary = import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert summary.created == 2
    assert DataValue.objects.get(data_element__code="population").unit.code == "20005"
    assert DataValue.objects.get(data_element__code="households").value == 2001


def test_a_2021_code_reused_in_2025_resolves_by_period(seed_plan, actor, tmp_path):
    import_values(path=write(tmp_path, "2024,19996,,population,,100,\n"), actor=actor, user=COMMAND_LINE)
    value = DataValue.objects.get()
    assert value.unit.name == "Phường Tứ Hạ"


def test_missing_columns_and_empty_files(seed_plan, actor, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("ky,gia_tri\n2024,1\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert caught.value.en.startswith("The file lacks column(s) data_element, unit_code")
    with pytest.raises(UserError) as caught:
        import_values(path=tmp_path / "absent.csv", actor=actor, user=COMMAND_LINE)
    assert caught.value.en == f"File {tmp_path / 'absent.csv'} not found"


def test_set_value_checks_like_the_import(seed_plan, actor):
    from hatangso.collection.models import DataElement
    from hatangso.geography.models import AdministrativeUnit

    households = DataElement.objects.get(code="households")
    tu_ha = AdministrativeUnit.objects.get(code="19996", valid_to__isnull=False)
    with pytest.raises(UserError) as caught:
        set_value(element=households, unit=tu_ha, period="2024", value="-1", actor=actor)
    assert caught.value.en == "households: a count cannot be negative"
    value = set_value(element=households, unit=tu_ha, period="2024", value="1.234", actor=actor)
    assert value.value == 1234
    huong_tra_2025 = AdministrativeUnit.objects.get(code="19996", valid_from__isnull=False)
    with pytest.raises(UserError):
        set_value(element=households, unit=huong_tra_2025, period="2024", value="1", actor=actor)


def test_reports_opened_while_the_file_is_written_are_attached_once(seed_plan, actor, tmp_path, monkeypatch):
    from hatangso.collection import workflow
    from hatangso.collection.models import Submission

    text = "2024,19996,,population,,1000,\n202403,19996,,mobile_subscriptions,viettel,40,\n"
    first = import_values(path=write(tmp_path, text), actor=actor, user=COMMAND_LINE).batch
    opened = set(first.submissions.values_list("pk", flat=True))
    logged = ChangeLogEntry.objects.filter(object_type="collection.submission").count()
    assert opened
    # The reports look unopened when read, as if someone opened them just before the insert.
    monkeypatch.setattr(workflow, "_submissions", lambda wanted: {})
    second = import_values(
        path=write(tmp_path, text.replace("1000", "1100"), "second.csv"), actor=actor, user=COMMAND_LINE
    )
    assert second.updated == 1
    assert set(second.batch.submissions.values_list("pk", flat=True)) == opened
    assert Submission.objects.count() == len(opened)
    assert ChangeLogEntry.objects.filter(object_type="collection.submission").count() == logged


@pytest.mark.parametrize(
    ("value_type", "text", "outcome"),
    [
        ("count", "007", Decimal(7)),
        ("count", "12345", Decimal(12345)),
        ("count", "١٢", Decimal(12)),  # not the fast path (not ASCII): read as the full path reads it
        ("count", "²", "không phải là số"),
        ("percentage", "150", "tỷ lệ phần trăm phải từ 0 đến 100"),
        ("percentage", "100", Decimal(100)),
        ("boolean", "1", Decimal(1)),
        ("boolean", "2", "phải là 1 (có) hoặc 0 (không)"),
    ],
)
def test_plain_whole_numbers_are_checked_like_any_other(value_type, text, outcome):
    from hatangso.collection.models import DataElement
    from hatangso.collection.validation import ValueProblem, check_value

    element = DataElement(code="e", name="e", value_type=value_type)
    if isinstance(outcome, Decimal):
        assert check_value(element, text) == outcome
    else:
        with pytest.raises(ValueProblem) as problem:
            check_value(element, text)
        assert problem.value.vi == outcome
