"""Fixtures of the exchange tests (test_exchange.py, test_dhis2_export.py)."""

import pytest

from hatangso.collection.models import DataValue
from hatangso.collection.services import import_values
from hatangso.core.scoping import COMMAND_LINE

VALUES = (
    "ky,ma_don_vi,ma_chi_so,doanh_nghiep,gia_tri,ghi_chu\n"
    "2024,19996,population,,12345,điều tra\n"
    "202403,19996,mobile_subscriptions,viettel,4000,\n"
    "2024,19996.01,village_ftth_covered,,1,\n"
)


@pytest.fixture
def imported(seed_plan, actor, tmp_path):
    from datetime import date

    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import create_village

    create_village(commune=resolve_unit("19996", start=date(2024, 6, 1)), name="TDP 1", actor=actor)
    source = tmp_path / "in.csv"
    source.write_text(VALUES, encoding="utf-8")
    import_values(path=source, actor=actor, user=COMMAND_LINE)
    return {
        (v.data_element.code, v.unit.code, v.period, v.operator.code if v.operator else ""): v.value
        for v in DataValue.objects.all()
    }
