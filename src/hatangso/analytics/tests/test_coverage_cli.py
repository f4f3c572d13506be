"""`hatangso coverage …` and `hatangso import population` as a user runs them (subprocess)."""

import csv
import json

from hatangso.utilities.testing import assert_user_error
from hatangso.utilities.testing import run_cli as hatangso

# The seed plan's district's communes: the demo's grid also holds the 5G wards of its province plan.
SEED_COMMUNES = {"19996", "20005", "20008", "20011", "20017", "20020", "20026", "20035", "20041"}


def test_the_demo_computes_mobile_coverage_and_exports_the_grid(demo, tmp_path):
    home, _ = demo  # (data directory, the demo's output)
    card = json.loads(hatangso(home, "compute", "--plan", "1529/KH-UBND", "--json").stdout)
    mobile = next(i for i in card["indicators"] if i["code"] == "mobile_60mbps_population_coverage")
    assert mobile["value"] is not None and mobile["status"] in {"achieved", "not_achieved"}
    assert mobile["sources"] == ["measurements"]
    layer = json.loads(
        next((home / "measurements" / "coverage").glob("as_of=*/layer.json")).read_text("utf-8")
    )
    assert layer["synthetic"] is True and layer["parameters"]["model"] == "rma"

    result = hatangso(home, "coverage", "export", "--format", "geojson", "--out", str(tmp_path / "o.geojson"))
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "o.geojson").read_text("utf-8"))
    assert len(document["features"]) == layer["cells"]
    assert document["features"][0]["geometry"]["type"] == "Polygon"
    assert document["properties"]["note"] == "dữ liệu mẫu / synthetic demo data"
    seed_cells = [
        f["properties"] for f in document["features"] if f["properties"]["ma_don_vi"] in SEED_COMMUNES
    ]
    assert sum(p["dan_so"] for p in seed_cells) == mobile["denominator"]

    result = hatangso(home, "coverage", "export", "--format", "csv", "--out", str(tmp_path / "o.csv"))
    with (tmp_path / "o.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == layer["cells"]
    covered = sum(
        float(r["dan_so"]) for r in rows if r["dat_muc_toc_do"] == "1" and r["ma_don_vi"] in SEED_COMMUNES
    )
    assert covered == mobile["numerator"]

    result = hatangso(home, "coverage", "villages", "--plan", "1529/KH-UBND", columns=160)
    assert result.returncode == 0, result.stderr
    assert "villages where declared and computed disagree" in result.stdout

    result = hatangso(home, "coverage", "compute", "--plan", "159/KH-UBND", "--cell", "250", "--model", "uma")
    assert result.returncode == 0, result.stderr
    assert "250 m" in result.stdout and "uma" in result.stdout


def test_coverage_and_population_errors_are_one_sentence(tmp_path, cli_database):
    assert_user_error(
        hatangso(tmp_path, "coverage", "export", "--format", "csv"),
        "Chưa có lớp vùng phủ nào (hatangso coverage compute)",
        "No coverage layer (hatangso coverage compute)",
    )
    assert_user_error(
        hatangso(tmp_path, "coverage", "compute", "--cell", "5"),
        "Tham số vùng phủ không hợp lệ: kích thước ô phải từ 10 đến 5.000 m",
        "Invalid coverage parameter: the cell size must be 10–5,000 m",
    )
    assert_user_error(
        hatangso(tmp_path, "import", "population", "khong-co.csv"),
        "Không tìm thấy tệp khong-co.csv",
        "File khong-co.csv not found",
    )
    assert not (tmp_path / "measurements").exists()


def test_the_demo_computes_village_fixed_coverage_and_lists_its_disagreements(demo):
    home, _ = demo
    card = json.loads(hatangso(home, "compute", "--plan", "1529/KH-UBND", "--json").stdout)
    fixed = next(i for i in card["indicators"] if i["code"] == "village_fixed_broadband_coverage")
    # 101 synthetic villages; one (20041.12) is declared without FTTH and has no line measured.
    assert (fixed["numerator"], fixed["denominator"], fixed["status"]) == (100, 101, "not_achieved")
    assert fixed["sources"] == ["geography", "measurements"]

    result = hatangso(home, "coverage", "villages", "--plan", "1529/KH-UBND", "--kind", "fixed", columns=160)
    assert result.returncode == 0, result.stderr
    assert (
        "village fixed broadband coverage" in result.stdout and "village mobile coverage" not in result.stdout
    )
    listed = [line.split("│")[1].strip() for line in result.stdout.splitlines() if line.startswith("│")]
    # The demo's deliberate cases: declared covered without a line; declared not covered with lines.
    assert listed == ["20026.10", "20041.11"]
    assert "2 / 101 thôn, TDP khai báo khác tính toán" in result.stdout
    assert "910 theo mã thôn / by village code" in result.stdout


def test_import_speedtests_and_coverage_villages_kind_on_the_command_line(tmp_path, cli_database):
    result = hatangso(tmp_path, "--help", columns=120)
    assert "import speedtests FILE" in result.stdout and "(alias: lines)" in result.stdout
    assert "coverage villages [--kind mobile|fixed|all]" in result.stdout
    for kind in ("speedtests", "lines"):
        assert_user_error(
            hatangso(tmp_path, "import", kind, "khong-co.csv"),
            "Không tìm thấy tệp khong-co.csv",
            "File khong-co.csv not found",
        )
    result = hatangso(tmp_path, "coverage", "villages", "--kind", "ftth")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "hatangso coverage villages: error: argument --kind: invalid choice: 'ftth' "
        "(choose from 'mobile', 'fixed', 'all')"
    )
    assert not (tmp_path / "measurements").exists()
