"""Speed-test imports that never duplicate or hide rows: M-Lab tests de-duplicated by their id across
imports and timed by `a.TestTime`, rows outside every boundary counted and printed, the Ookla quarter
read from the file's name, and every refused file kept under imports/rejected with its reason."""

from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from hatangso.analytics.measurements import store
from hatangso.analytics.measurements.speedtests import import_mlab, ookla_period
from hatangso.analytics.tests.test_ookla_mlab import HEADER as OOKLA_HEADER
from hatangso.analytics.tests.test_ookla_mlab import TILE
from hatangso.collection.models import ImportBatch
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected

# The area is commune 19996 as a 0.02° square (conftest.py); TILE, the zoom-16 tile of (107.41° E,
# 16.43° N) inside it, is computed by hand in test_ookla_mlab.py; FAR is a tile near Hà Nội, outside it.
FAR = "1322130" + "0" * 9

pytestmark = pytest.mark.usefixtures("own_store")
MLAB_HEADER = "id,date,a.TestTime,a.MeanThroughputMbps,a.MinRTT,client.Geo.Latitude,client.Geo.Longitude\n"
MLAB_ROWS = (
    "ndt-1,2024-09-01,2024-09-30 23:15:00.123456 UTC,35.5,12,16.43,107.41\n"
    "ndt-2,2024-10-02,,12,30,16.431,107.411\n"  # no test time: its date
    "ndt-3,2024-10-02,2024-10-02 08:00:00 UTC,20,15,21.03,105.85\n"  # Hà Nội: outside the area
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored_mlab() -> list[tuple]:
    query = f"SELECT test_id, time FROM {store.scan('mlab')} ORDER BY test_id"
    return store.connect().execute(query).fetchall()


def rejected_files(settings) -> list[str]:
    folder = settings.HOME / "imports" / "rejected"
    return sorted(p.name.split("-", 3)[-1] for p in folder.iterdir()) if folder.is_dir() else []


def test_reimporting_mlab_rows_adds_nothing_and_prints_the_counts(area, tmp_path, capsys):
    path = write(tmp_path, "ndt.csv", MLAB_HEADER + MLAB_ROWS)
    call_command("import", "mlab", str(path))
    first = stored_mlab()
    call_command("import", "mlab", str(path))
    out = " ".join(capsys.readouterr().out.split())  # as printed, unwrapped
    assert stored_mlab() == first and len(first) == 2
    batches = list(ImportBatch.objects.filter(kind="mlab").order_by("pk"))
    assert [b.rows for b in batches] == [2, 0]
    assert f"mlab: 2 dòng mới / new rows, 0 không đổi / unchanged (lần nhập / batch {batches[0].pk})" in out
    assert f"mlab: 0 dòng mới / new rows, 2 không đổi / unchanged (lần nhập / batch {batches[1].pk})" in out
    assert out.count("1 dòng ngoài mọi ranh giới, bỏ qua / 1 rows outside every boundary, left out") == 2


def test_a_file_overlapping_an_earlier_one_adds_only_its_new_tests(area, actor, tmp_path):
    import_mlab(path=write(tmp_path, "ndt.csv", MLAB_HEADER + MLAB_ROWS), actor=actor)
    later = MLAB_HEADER + MLAB_ROWS.splitlines(keepends=True)[1] + "ndt-4,2024-10-03,,9,40,16.432,107.412\n"
    summary = import_mlab(path=write(tmp_path, "ndt-2.csv", later), actor=actor)
    assert (summary.rows, summary.unchanged, summary.outside) == (1, 1, 0)
    assert [row[0] for row in stored_mlab()] == ["ndt-1", "ndt-2", "ndt-4"]


# An NDT export without ids (the BigQuery `ndt7` views' columns picked by hand, for instance).
NO_ID_HEADER = "a.TestTime,a.MeanThroughputMbps,a.MinRTT,client.Geo.Latitude,client.Geo.Longitude\n"
NO_ID_ROWS = (
    "2024-09-30 23:15:00.123456 UTC,35.5,12,16.43,107.41\n"
    "2024-09-30 23:15:00.123456 UTC,35.5,,16.431,107.41\n"  # same time, another client: another test
)


def stored_tests() -> list[tuple]:
    query = f"SELECT time, lat, download_mbps, min_rtt_ms FROM {store.scan('mlab')} ORDER BY ALL"
    return store.connect().execute(query).fetchall()


def test_reimporting_mlab_rows_without_ids_adds_nothing(area, actor, tmp_path):
    path = write(tmp_path, "ndt-khong-ma.csv", NO_ID_HEADER + NO_ID_ROWS)
    first = import_mlab(path=path, actor=actor)
    again = import_mlab(path=path, actor=actor)
    later = NO_ID_HEADER + NO_ID_ROWS + "2024-09-30 23:15:00.123456 UTC,35.6,12,16.43,107.41\n"
    third = import_mlab(path=write(tmp_path, "ndt-them.csv", later), actor=actor)
    assert [(s.rows, s.unchanged) for s in (first, again, third)] == [(2, 0), (0, 2), (1, 2)]
    moment = datetime(2024, 9, 30, 23, 15, 0, 123456)
    assert stored_tests() == [
        (moment, 16.43, 35.5, 12.0), (moment, 16.43, 35.6, 12.0), (moment, 16.431, 35.5, None)
    ]  # fmt: skip


def test_a_repeated_row_without_id_is_refused_like_a_repeated_id(area, actor, tmp_path):
    text = NO_ID_HEADER + NO_ID_ROWS + NO_ID_ROWS.splitlines(keepends=True)[0]
    with pytest.raises(ImportRejected) as caught:
        import_mlab(path=write(tmp_path, "ndt-lap.csv", text), actor=actor)
    [error] = caught.value.errors
    assert (error.row, error.column, error.value) == (4, "a.testtime", "2024-09-30 23:15:00.123456 UTC")
    assert error.reason_vi == "trùng phép đo với một dòng trước (cùng thời gian, vị trí, thông lượng, RTT)"
    assert not store.kind_root("mlab").exists()


def test_the_test_time_wins_over_the_date(area, actor, tmp_path):
    import_mlab(path=write(tmp_path, "ndt.csv", MLAB_HEADER + MLAB_ROWS), actor=actor)
    assert stored_mlab() == [
        ("ndt-1", datetime(2024, 9, 30, 23, 15, 0, 123456)),
        ("ndt-2", datetime(2024, 10, 2)),
    ]


def test_an_unreadable_test_time_is_named_in_its_column_and_the_file_kept(area, tmp_path, settings):
    text = MLAB_HEADER + "ndt-1,2024-09-01,hôm qua,35.5,12,16.43,107.41\n"
    path = write(tmp_path, "ndt-sai.csv", text)
    with pytest.raises(ImportRejected) as caught:
        call_command("import", "mlab", str(path))
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(2, "a.testtime", "hôm qua")]
    assert not store.kind_root("mlab").exists()
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.file_name) == ("mlab", "rejected", "ndt-sai.csv")
    assert batch.errors[0]["reason_en"] == "unreadable time (YYYY-MM-DD HH:MM:SS)"
    assert rejected_files(settings) == ["ndt-sai.csv"]


def test_an_mlab_file_without_a_time_column_is_refused_in_one_sentence(area, actor, tmp_path):
    text = "a.MeanThroughputMbps,client.Geo.Latitude,client.Geo.Longitude\n1,16,107\n"
    path = write(tmp_path, "ndt.csv", text)
    with pytest.raises(UserError) as caught:
        import_mlab(path=path, actor=actor)
    assert caught.value.en == "The file lacks a time column (a.TestTime or date)"
    assert not store.kind_root("mlab").exists()


@pytest.mark.parametrize(
    ("name", "quarter"),
    [
        ("2024-07-01_performance_mobile_tiles.csv", "2024Q3"),  # Ookla's own name
        ("vietnam_2023Q4_mobile.csv", "2023Q4"),
        ("ookla-2023q1.parquet", "2023Q1"),
        ("tiles_2024-11-15.csv", "2024Q4"),  # any day: its quarter
        ("tiles_2024-13-01_2022-05-02.csv", "2022Q2"),  # not a day, then a day
    ],
)
def test_the_ookla_quarter_comes_from_the_name(name, quarter):
    assert ookla_period(Path(name), None) == quarter


@pytest.mark.parametrize("name", ["tiles.csv", "tiles_20241.csv", "tiles_2024Q5.csv", "tiles_12024Q3.csv"])
def test_a_name_without_a_quarter_needs_the_period(name):
    with pytest.raises(UserError) as caught:
        ookla_period(Path(name), None)
    assert caught.value.en == "--period (a quarter, e.g. 2024Q3) is needed: the file name does not give it"


def test_an_ookla_file_with_no_row_in_the_area_is_refused_with_its_counts_and_kept(
    area, tmp_path, settings, table_counts
):
    path = write(tmp_path, "vn_2024Q3_mobile.csv", OOKLA_HEADER + f"{FAR},1,1,1,1,1\n")
    before = table_counts()
    with pytest.raises(UserError) as caught:
        call_command("import", "ookla", str(path))
    assert caught.value.en == (
        "No row of vn_2024Q3_mobile.csv lies inside a known boundary: 1 rows outside every boundary"
    )
    assert not store.kind_root("ookla").exists()
    batch = ImportBatch.objects.get(kind="ookla")
    assert batch.status == "rejected" and batch.errors == [
        {"row": "", "column": "", "value": "", "reason_vi": caught.value.vi, "reason_en": caught.value.en}
    ]
    assert rejected_files(settings) == ["vn_2024Q3_mobile.csv"]
    assert table_counts() == before  # the rejected batch (and its change-log row) only


def test_ookla_prints_the_rows_outside_in_the_registry_wording(area, tmp_path, capsys):
    text = OOKLA_HEADER + f"{TILE},1000,1000,20,10,4\n{FAR},1,1,1,1,1\n"
    path = write(tmp_path, "vn_2024Q3_mobile.csv", text)
    call_command("import", "ookla", str(path))
    out = " ".join(capsys.readouterr().out.split())  # as printed, unwrapped
    assert "ookla: 1 dòng mới / new rows" in out
    assert "1 dòng ngoài mọi ranh giới, bỏ qua / 1 rows outside every boundary, left out" in out


def test_a_refused_file_of_another_app_is_kept_with_its_reason(seed_plan, tmp_path, settings):
    path = write(tmp_path, "thon.csv", "ten_thon\nThôn 1\n")  # no commune column
    with pytest.raises(UserError) as caught:
        call_command("import", "villages", str(path))
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.rows) == ("villages", "rejected", 1)
    assert batch.errors[0]["reason_en"] == caught.value.en
    assert rejected_files(settings) == ["thon.csv"]


def test_a_file_that_is_not_there_is_refused_and_nothing_recorded(db, tmp_path):
    with pytest.raises(UserError, match="not found"):
        call_command("import", "mlab", str(tmp_path / "khong-co.csv"))
    assert not ImportBatch.objects.exists()
