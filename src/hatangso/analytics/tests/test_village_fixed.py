"""Fixed broadband (FTTH) village coverage: declared in the village forms or computed from the
line measurements, both kept; `hatangso import speedtests` and `hatangso coverage villages --kind`."""

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hatangso.analytics.engine import build_scope
from hatangso.analytics.measurements import store
from hatangso.analytics.measurements.fixed import village_fixed_coverage
from hatangso.analytics.measurements.lines import import_line_measurements
from hatangso.analytics.measurements.population import import_population
from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.providers import PROVIDERS
from hatangso.analytics.services import compute_scorecard, evaluate_scorecard
from hatangso.collection.models import DataElement, DataValue, ImportBatch
from hatangso.collection.services import set_value
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import villages_among
from hatangso.geography.services import create_village, import_boundaries
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period

Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
HEADER = "ma_duong_truyen,doanh_nghiep,loai_khach_hang,ma_don_vi,vi_do,kinh_do,thoi_gian,tai_xuong_mbps\n"
# Commune 19996 as a 0.02° square (≈ 2.1 × 2.2 km); village 1's people around P1, village 2's at P2.
SQUARE = [[107.40, 16.42], [107.42, 16.42], [107.42, 16.44], [107.40, 16.44], [107.40, 16.42]]
P1, P2 = (107.405, 16.43), (107.415, 16.43)


@pytest.fixture(autouse=True)
def own_store(settings, tmp_path, monkeypatch):
    settings.HOME = tmp_path / "home"
    monkeypatch.delenv("HATANGSO_VILLAGE_LINE_DISTANCE_M", raising=False)


@pytest.fixture
def commune(seed_plan):
    return AdministrativeUnit.objects.get(code="19996", valid_to__isnull=False)  # phường Tứ Hạ, before 2025


@pytest.fixture
def villages(commune, actor):
    return [create_village(commune=commune, name=f"Thôn {n}", actor=actor) for n in range(1, 5)]


def samples(tmp_path: Path, rows: list[str], name="do-toc-do.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def declare(village, value: int, actor, period="2024") -> DataValue:
    return set_value(
        element=DataElement.objects.get(code="village_ftth_covered"),
        unit=village,
        period=period,
        value=str(value),
        actor=actor,
    )


def indicator(plan, unit, period="2024"):
    card = evaluate_scorecard(plan=plan, unit=unit, period=parse_period(period))
    return next(e for e in card.evaluations if e.indicator.code == "village_fixed_broadband_coverage")


def by_code(rows):
    return {r.village.code: r for r in rows}


def test_a_line_covers_declared_without_a_line_is_listed_neither_is_not(
    seed_plan, commune, villages, actor, tmp_path
):
    v1, v2, v3, v4 = villages
    said_v2 = declare(v2, 1, actor)  # declared covered, no line: covered, and listed
    said_v4 = declare(v4, 0, actor)  # declared not covered, but a line: covered, and listed
    import_line_measurements(
        path=samples(
            tmp_path,
            [
                f"VNPT-1,vnpt,ca_nhan,{v1.code},,,05/09/2024 10:00,120",
                f"VNPT-1,vnpt,ca_nhan,{v1.code},,,06/09/2024 10:00,118",
                f"FPT-7,fpt,to_chuc,{v4.code},,,10/10/2024 09:00,540",
                f"VTL-3,viettel,ca_nhan,{v3.code},,,28/12/2023 20:00,80",  # 2023: not in the 2024 period
            ],
        ),
        actor=actor,
    )
    listed = villages_among(commune.children.all())
    rows = by_code(village_fixed_coverage(listed, *Y2024)[0])
    found = {code: (r.declared, r.computed, r.lines, r.covered, r.disagrees) for code, r in rows.items()}
    assert found == {
        v1.code: (None, True, 1, True, False),
        v2.code: (True, False, 0, True, True),
        v3.code: (None, False, 0, False, False),
        v4.code: (False, True, 1, True, True),
    }

    result = indicator(seed_plan, commune)
    assert (result.numerator, result.denominator, result.value, result.status) == (3, 4, 75.0, "not_achieved")
    assert result.sources == ["geography", "measurements"]
    assert sorted(result.value_ids) == sorted([said_v2.pk, said_v4.pk])  # the declared values, as inputs
    lineage = result.lineage["villages_fixed_covered"]
    assert lineage["total"] == 3 and lineage["provider"] == "measurements"
    assert lineage["items"] == [
        "4 thôn, TDP / villages",
        "2 có khai báo / declared (1 có cáp quang / covered)",
        "4 tính từ đo đường truyền / computed from line measurements (2 có đường truyền / with a line)",
        "2 khai báo khác tính toán / declared and computed disagree",
        "đường truyền xếp vào thôn theo mã / lines placed by village code: 2, theo tọa độ (≤ 500 m) / "
        "by coordinates: 0, chỉ biết xã / commune only: 0",
        f"{v2.code} Thôn 2: khai báo / declared có / yes — tính toán / computed không / no",
        f"{v4.code} Thôn 4: khai báo / declared không / no — tính toán / computed có / yes",
    ]

    # In 2023 the December line is the one that counts, and only the village with it is covered.
    rows_2023 = by_code(village_fixed_coverage(listed, date(2023, 1, 1), date(2023, 12, 31))[0])
    assert [(c, r.computed) for c, r in rows_2023.items() if r.computed] == [(v3.code, True)]
    assert indicator(seed_plan, commune, "2023").numerator == 1


def test_a_scope_of_one_operator_counts_its_own_lines_only(seed_plan, commune, villages, actor, tmp_path):
    v1, v2 = villages[:2]
    import_line_measurements(
        path=samples(
            tmp_path,
            [
                f"VNPT-1,vnpt,ca_nhan,{v1.code},,,05/09/2024 10:00,120",
                f"FPT-1,fpt,ca_nhan,{v2.code},,,05/09/2024 10:00,90",
            ],
        ),
        actor=actor,
    )
    vnpt = Operator.objects.get(code="vnpt")
    totals = PROVIDERS["measurements"].totals(
        list(DataElement.objects.filter(code="villages_fixed_covered")),
        build_scope(commune, parse_period("2024"), operator_id=vnpt.pk),
    )
    assert totals["villages_fixed_covered"].value == 1
    rows = village_fixed_coverage(villages_among(commune.children.all()), *Y2024, operator="fpt")[0]
    assert [r.village.code for r in rows if r.computed] == [v2.code]
    assert village_fixed_coverage(villages_among(commune.children.all()), *Y2024)[1].by_code == 2


def test_lines_known_only_by_their_commune_leave_the_villages_unknown(
    seed_plan, commune, villages, actor, tmp_path
):
    declare(villages[0], 1, actor)
    import_line_measurements(
        path=samples(tmp_path, ["VNPT-1,vnpt,ca_nhan,19996,,,05/09/2024 10:00,120"]), actor=actor
    )
    rows, placed = village_fixed_coverage(villages_among(commune.children.all()), *Y2024)
    assert [(r.declared, r.computed, r.lines) for r in rows] == [
        (True, None, None),
        (None, None, None),
        (None, None, None),
        (None, None, None),
    ]
    assert (placed.by_code, placed.by_point, placed.commune_only) == (0, 0, 1)
    result = indicator(seed_plan, commune)
    assert (result.numerator, result.denominator) == (1, 4)
    assert (
        "0 khai báo khác tính toán / declared and computed disagree"
        in (result.lineage["villages_fixed_covered"]["items"])
    )


def test_nothing_declared_nor_measured_has_no_data_with_the_reason(seed_plan, commune, villages):
    result = indicator(seed_plan, commune)
    assert result.status == "no_data"
    assert result.reason == (
        "Chưa có khai báo hay tính toán cáp quang của thôn, TDP nào / "
        "no village fixed broadband coverage declared or computed"
    )


def test_a_line_with_coordinates_goes_to_the_village_of_the_nearest_population_point(
    seed_plan, commune, villages, actor, tmp_path, monkeypatch
):
    v1, v2 = villages[:2]
    feature = {"type": "Feature", "properties": {"ma": "19996"}, "geometry": {"type": "Polygon",
               "coordinates": [SQUARE]}}  # fmt: skip
    boundaries = tmp_path / "ranh-gioi.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    import_boundaries(path=boundaries, actor=actor, on=date(2024, 1, 1))
    people = tmp_path / "dan-so.csv"
    people.write_text(
        f"vi_do,kinh_do,dan_so,ma_don_vi\n{P1[1]},{P1[0]},300,{v1.code}\n{P2[1]},{P2[0]},200,{v2.code}\n",
        encoding="utf-8",
    )
    import_population(path=people, actor=actor, on=date(2024, 12, 31))
    import_line_measurements(
        path=samples(
            tmp_path,
            [
                # No unit code: the boundary places it in 19996; ≈ 107 m east of village 1's point.
                f"VNPT-1,vnpt,ca_nhan,,{P1[1]},{P1[0] + 0.001},05/09/2024 10:00,120",
                # The commune's code and a position ≈ 985 m from village 2's point, ≈ 1,080 m from 1's.
                "VNPT-2,vnpt,ca_nhan,19996,16.438,107.411,05/09/2024 11:00,90",
            ],
        ),
        actor=actor,
    )
    rows, placed = village_fixed_coverage(villages_among(commune.children.all()), *Y2024)
    assert [(r.village.code, r.computed, r.lines) for r in rows[:2]] == [
        (v1.code, True, 1),
        (v2.code, False, 0),
    ]
    assert (placed.by_code, placed.by_point, placed.commune_only) == (0, 1, 1)

    monkeypatch.setenv("HATANGSO_VILLAGE_LINE_DISTANCE_M", "1000")
    rows, placed = village_fixed_coverage(villages_among(commune.children.all()), *Y2024)
    assert [(r.village.code, r.computed, r.lines) for r in rows[:2]] == [
        (v1.code, True, 1),
        (v2.code, True, 1),
    ]
    assert (placed.by_point, placed.commune_only) == (2, 0)
    assert "theo tọa độ (≤ 1000 m) / by coordinates: 2" in " ".join(
        indicator(seed_plan, commune).lineage["villages_fixed_covered"]["items"]
    )


def test_the_import_keeps_the_village_and_the_coordinates(seed_plan, villages, actor, tmp_path):
    v1 = villages[0]
    import_line_measurements(
        path=samples(
            tmp_path,
            [
                f"VNPT-1,vnpt,ca_nhan,{v1.code},16.43,107.405,05/09/2024 10:00,120",
                "VNPT-2,vnpt,ca_nhan,19996,,,05/09/2024 11:00,90",
            ],
        ),
        actor=actor,
    )
    table = pq.read_table(next((store.kind_root("lines")).glob("month=*/*.parquet")))
    columns = [table[c].to_pylist() for c in ("line_id", "unit_id", "village_id", "lat", "lon")]
    got = sorted(zip(*columns, strict=True))
    commune = AdministrativeUnit.objects.get(code="19996", valid_to__isnull=False)
    assert got == [("VNPT-1", v1.pk, v1.pk, 16.43, 107.405), ("VNPT-2", commune.pk, None, None, None)]


def test_files_stored_before_the_village_columns_still_read(seed_plan, commune, villages, actor, tmp_path):
    v1, v2 = villages[:2]
    old = pa.table(
        {
            "line_id": ["OLD-1"],
            "operator": ["vnpt"],
            "customer_type": ["individual"],
            "unit_id": pa.array([v1.pk], pa.int64()),  # a village code was always kept as the unit
            "time": pa.array([datetime(2024, 9, 5, 10)], pa.timestamp("us")),
            "download_mbps": [120.0],
            "upload_mbps": pa.array([None], pa.float64()),
            "latency_ms": pa.array([None], pa.float64()),
            "source": [""],
            "synthetic": [False],
            "batch": pa.array([0], pa.int64()),
        }
    )
    store.write("lines", old, 0)
    rows = by_code(village_fixed_coverage(villages_among(commune.children.all()), *Y2024)[0])
    assert (rows[v1.code].computed, rows[v2.code].computed) == (True, False)
    import_line_measurements(
        path=samples(tmp_path, [f"NEW-1,vnpt,ca_nhan,{v2.code},,,06/09/2024 10:00,120"]), actor=actor
    )
    rows = by_code(village_fixed_coverage(villages_among(commune.children.all()), *Y2024)[0])
    assert (rows[v1.code].lines, rows[v2.code].lines) == (1, 1)


@pytest.mark.parametrize("text", ["abc", "-5", "6000", ""])
def test_a_bad_distance_setting_is_one_sentence_and_nothing_is_written(
    seed_plan, commune, villages, actor, monkeypatch, table_counts, text
):
    declare(villages[0], 1, actor)
    monkeypatch.setenv("HATANGSO_VILLAGE_LINE_DISTANCE_M", text)
    before = table_counts()
    with pytest.raises(UserError) as caught:
        compute_scorecard(plan=seed_plan, unit=commune, period=parse_period("2024"))
    assert str(caught.value) == (
        f"HATANGSO_VILLAGE_LINE_DISTANCE_M phải là số mét từ 0 đến 5.000, không phải '{text}' / "
        f"HATANGSO_VILLAGE_LINE_DISTANCE_M must be a number of metres from 0 to 5,000, not '{text}'"
    )
    assert table_counts() == before
    assert not IndicatorResult.objects.exists()


# --- command line (in process; the subprocess runs are in test_coverage_cli.py) ----------------------


def test_import_speedtests_is_import_lines(seed_plan, villages, actor, tmp_path, capsys):
    v1 = villages[0]
    first = samples(tmp_path, [f"A-1,vnpt,ca_nhan,{v1.code},,,05/09/2024 10:00,120"], name="a.csv")
    second = samples(tmp_path, [f"B-1,fpt,to_chuc,{v1.code},,,06/09/2024 10:00,520"], name="b.csv")
    call_command("import", "speedtests", str(first))
    call_command("import", "lines", str(second))
    out = capsys.readouterr().out
    batches = list(ImportBatch.objects.filter(kind="line-measurements").order_by("pk"))
    assert [b.file_name for b in batches] == ["a.csv", "b.csv"]
    assert f"Mẫu đo / samples: 1, đường truyền / lines: 1 (lần nhập / batch {batches[0].pk})" in out
    assert f"Mẫu đo / samples: 1, đường truyền / lines: 1 (lần nhập / batch {batches[1].pk})" in out
    stored = pq.read_table(store.kind_root("lines"))
    assert sorted(stored["line_id"].to_pylist()) == ["A-1", "B-1"]
    assert stored["village_id"].to_pylist() == [v1.pk, v1.pk]


def test_coverage_villages_lists_both_kinds(
    seed_plan, commune, villages, actor, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "200")
    v1, v2 = villages[:2]
    declare(v2, 1, actor)
    import_line_measurements(
        path=samples(tmp_path, [f"VNPT-1,vnpt,ca_nhan,{v1.code},,,05/09/2024 10:00,120"]), actor=actor
    )
    call_command("coverage", "villages", "--kind", "fixed", "--unit", "19996", "--period", "2024")
    out = capsys.readouterr().out
    assert "village fixed broadband coverage · Phường Tứ Hạ · 2024" in out
    assert "mobile coverage" not in out
    assert f"{v2.code}" in out and f"{v1.code}" not in out  # only the disagreement, without --all
    assert "1 / 4 thôn, TDP khai báo khác tính toán / villages where declared and computed disagree" in out
    assert "1 theo mã thôn / by village code, 0 theo tọa độ / by coordinates, 0 chỉ biết xã" in out

    call_command("coverage", "villages", "--unit", "19996", "--period", "2024", "--all")
    out = capsys.readouterr().out
    assert "village mobile coverage" in out and "village fixed broadband coverage" in out
    assert f"{v1.code}" in out  # --all: every village


def test_coverage_villages_bad_kind_is_refused_and_nothing_is_written(seed_plan, table_counts):
    before = table_counts()
    with pytest.raises(CommandError) as caught:
        call_command("coverage", "villages", "--kind", "ftth")
    assert str(caught.value) == (
        "Error: argument --kind: invalid choice: 'ftth' (choose from 'mobile', 'fixed', 'all')"
    )
    assert table_counts() == before
