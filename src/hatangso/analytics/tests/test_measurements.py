"""Line measurements: all-or-nothing import into Parquet, and the line-speed indicators."""

from pathlib import Path

import pytest

from hatangso.analytics.measurements import store
from hatangso.analytics.measurements.lines import import_line_measurements
from hatangso.analytics.services import evaluate_scorecard
from hatangso.utilities.importing import ImportRejected
from hatangso.utilities.periods import parse_period


@pytest.fixture(autouse=True)
def own_store(settings, tmp_path):
    """Parquet files outlive a test's database transaction: each test gets its own data directory."""
    settings.HOME = tmp_path / "home"


HEADER = "ma_duong_truyen,doanh_nghiep,loai_khach_hang,ma_don_vi,thoi_gian,tai_xuong_mbps\n"


def write(tmp_path, rows: list[str], name="do-kiem.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def lines(
    prefix: str, count: int, speeds: list[float], kind="ca_nhan", unit="19996", operator="vnpt"
) -> list[str]:
    return [
        f"{prefix}{n},{operator},{kind},{unit},{day:02d}/09/2024 10:00,{speed}"
        for n in range(count)
        for day, speed in enumerate(speeds, start=1)
    ]


def indicator(plan, code, unit=None):
    card = evaluate_scorecard(plan=plan, unit=unit or plan.area_unit, period=parse_period("2024")).as_json()
    return next(i for i in card["indicators"] if i["code"] == code)


def test_a_line_averaging_106_7_counts_as_100(seed_plan, actor, tmp_path, settings):
    settings.MIN_LINES_PER_UNIT = 1
    import_line_measurements(path=write(tmp_path, lines("A", 1, [90, 110, 120])), actor=actor)
    result = indicator(seed_plan, "fixed_individual_100mbps")
    assert (result["numerator"], result["denominator"], result["value"]) == (1, 1, 100.0)
    assert result["sources"] == ["measurements"]


def test_lines_and_units_under_the_floor_have_no_data(seed_plan, actor, tmp_path, settings):
    settings.MIN_SAMPLES_PER_LINE, settings.MIN_LINES_PER_UNIT = 3, 10
    rows = lines("A", 9, [150, 150, 150]) + lines("B", 5, [150, 150])  # B lines: two samples only
    import_line_measurements(path=write(tmp_path, rows), actor=actor)
    result = indicator(seed_plan, "fixed_individual_100mbps")
    assert result["status"] == "no_data"
    settings.MIN_LINES_PER_UNIT = 9
    result = indicator(seed_plan, "fixed_individual_100mbps")
    assert (result["numerator"], result["denominator"]) == (9, 9)


def test_organisation_lines_need_500(seed_plan, actor, tmp_path, settings):
    settings.MIN_LINES_PER_UNIT = 1
    rows = lines("O", 1, [480, 520, 530], kind="to_chuc") + lines("P", 1, [300, 320, 310], kind="to_chuc")
    import_line_measurements(path=write(tmp_path, rows), actor=actor)
    result = indicator(seed_plan, "fixed_organisation_500mbps")
    assert (result["numerator"], result["denominator"], result["value"]) == (1, 2, 50.0)


def test_bad_rows_land_nothing_and_are_named(seed_plan, actor, tmp_path, table_counts):
    rows = [
        "A1,vnpt,ca_nhan,19996,01/09/2024 10:00,95",
        "A1,saigonnet,ca_nhan,19996,02/09/2024 10:00,95",
        "A1,vnpt,ho_gia_dinh,19996,03/09/2024 10:00,95",
        "A1,vnpt,ca_nhan,99999,04/09/2024 10:00,95",
        "A1,vnpt,ca_nhan,19996,05/09/2024 10:00,nhanh",
        "A1,vnpt,ca_nhan,19996,32/09/2024 10:00,95",
        "A1,vnpt,ca_nhan,19996,01/09/2024 10:00,97",
    ]
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        import_line_measurements(path=write(tmp_path, rows), actor=actor)
    found = [(e.row, e.column) for e in rejected.value.errors]
    assert found == [
        (3, "doanh_nghiep"),
        (4, "loai_khach_hang"),
        (5, "ma_don_vi"),
        (6, "tai_xuong_mbps"),
        (7, "thoi_gian"),
        (8, "ma_duong_truyen"),
    ]
    assert rejected.value.errors[-1].reason_en == "duplicate line and time"
    assert table_counts() == before
    assert not store.has_data("lines")


def test_samples_live_in_parquet_by_month(seed_plan, actor, tmp_path, settings):
    rows = [*lines("A", 2, [100, 120, 140]), "Z9,viettel,ca_nhan,20005,15/10/2024 08:00,80"]
    summary = import_line_measurements(path=write(tmp_path, rows), actor=actor)
    assert (summary.samples, summary.lines) == (7, 3)
    months = sorted(p.parent.name for p in (settings.HOME / "measurements" / "lines").glob("*/*.parquet"))
    assert months == ["month=202409", "month=202410"]
