"""A generated template, filled and re-imported, lands its values; one bad cell lands nothing."""

from datetime import date

import pytest
from openpyxl import load_workbook

from hatangso.collection.models import DataValue
from hatangso.collection.services import import_values, set_value
from hatangso.collection.workbooks import DATA_SHEET, HEADER, write_template
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.selectors import resolve_unit
from hatangso.geography.services import create_village
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected


@pytest.fixture
def tu_ha(seed_plan, actor):
    commune = resolve_unit("19996", start=date(2024, 6, 1))
    for number in (1, 2, 3):
        create_village(commune=commune, name=f"TDP {number}", actor=actor)
    return commune


def fill(path, values: dict[tuple[str, str], object]):
    workbook = load_workbook(path)
    sheet = workbook[DATA_SHEET]
    for row in sheet.iter_rows(min_row=2):
        key = (row[HEADER.index("ma_don_vi")].value, row[HEADER.index("ma_chi_so")].value)
        if key in values:
            row[HEADER.index("gia_tri")].value = values[key]
    workbook.save(path)


def test_commune_template_round_trip(seed_plan, tu_ha, actor, tmp_path):
    from hatangso.collection.models import DataElement

    set_value(
        element=DataElement.objects.get(code="households"),
        unit=tu_ha,
        period="2024",
        value="2500",
        actor=actor,
    )
    path = tmp_path / "bieu.xlsx"
    rows = write_template(form=seed_plan.forms.get(code="ubnd_xa_nam"), unit=tu_ha, period="2024", path=path)
    assert rows == 10 + 2 * 3  # ten commune elements, two village elements for three villages

    workbook = load_workbook(path)
    assert workbook.sheetnames == [DATA_SHEET, "huong_dan"]
    sheet = workbook[DATA_SHEET]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.protection.sheet is True
    by_key = {(r[1].value, r[3].value): r for r in sheet.iter_rows(min_row=2)}
    assert by_key[("19996", "households")][HEADER.index("gia_tri")].value == 2500  # pre-filled
    assert by_key[("19996", "population")][HEADER.index("ma_don_vi")].protection.locked is True
    assert by_key[("19996", "population")][HEADER.index("gia_tri")].protection.locked is False
    rules = {v.type for v in sheet.data_validations.dataValidation}
    assert rules == {"whole", "list"}
    assert "Hạn nộp: 15/01/2025" in [r[0].value for r in workbook["huong_dan"].iter_rows()]

    fill(
        path,
        {
            ("19996", "population"): 12000,
            ("19996.01", "village_ftth_covered"): 1,
            ("19996", "households"): 2600,
        },
    )
    summary = import_values(path=path, actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.updated, summary.skipped) == (2, 1, 13)
    assert DataValue.objects.get(data_element__code="households").value == 2600

    fill(path, {("19996", "internet_users"): -4, ("19996", "population"): 12100})
    before = sorted(DataValue.objects.values_list("data_element__code", "value"))
    with pytest.raises(ImportRejected) as caught:
        import_values(path=path, actor=actor, user=COMMAND_LINE)
    [error] = caught.value.errors
    row_of = {
        r[3].value: i
        for i, r in enumerate(load_workbook(path)[DATA_SHEET].iter_rows(min_row=2), start=2)
        if r[1].value == "19996"
    }
    assert (error.row, error.column, error.value) == (row_of["internet_users"], "gia_tri", "-4")
    assert sorted(DataValue.objects.values_list("data_element__code", "value")) == before


def test_enterprise_template_covers_every_commune(seed_plan, actor, tmp_path):
    path = tmp_path / "dn.xlsx"
    form = seed_plan.forms.get(code="doanh_nghiep_quy")
    rows = write_template(
        form=form,
        unit=seed_plan.area_unit,
        period="2024Q3",
        path=path,
        operator=Operator.objects.get(code="viettel"),
    )
    assert rows == 6 * 9
    sheet = load_workbook(path)[DATA_SHEET]
    assert {r[HEADER.index("doanh_nghiep")].value for r in sheet.iter_rows(min_row=2)} == {"viettel"}
    with pytest.raises(UserError) as caught:
        write_template(
            form=form,
            unit=seed_plan.area_unit,
            period="2024",
            path=path,
            operator=Operator.objects.get(code="viettel"),
        )
    assert caught.value.en == "Form doanh_nghiep_quy is reported quarterly, not for 2024"
