"""The real `hatangso` command line, run as a subprocess on a fresh data directory (DESIGN.md §6)."""

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hatangso.utilities.testing import CATALOG_TARGETS, SEED_DOCUMENT, assert_user_error, needs_shared
from hatangso.utilities.testing import run_cli as hatangso

CATALOG = CATALOG_TARGETS
# The demo loads three plans: commands about the seed name it.
SEED_PLAN = ("--plan", "1529/KH-UBND")
STATUSES = {"achieved", "not_achieved", "no_data", "not_applicable"}
INDICATOR_KEYS = {
    "code",
    "name",
    "target",
    "comparison",
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
    "sources",
}


def compute_json(home: Path, *args: str) -> dict:
    result = hatangso(home, "compute", *args, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


# --- help -------------------------------------------------------------------------------------


def test_help_lists_the_commands(tmp_path):
    result = hatangso(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("demo", "serve", "plan load", "plan list", "import", "compute"):
        assert command in result.stdout
    assert list(tmp_path.iterdir()) == []  # help opens no database


# --- demo -------------------------------------------------------------------------------------


def test_demo_writes_the_scorecard(demo):
    home, result = demo
    assert "dữ liệu mẫu" in result.stdout
    assert "Traceback" not in result.stderr
    scorecard = json.loads(
        (home / "reports" / "scorecard-1529-kh-ubnd-2024.json").read_text(encoding="utf-8")
    )
    assert scorecard["synthetic"] is True
    assert scorecard["plan"] == "1529/KH-UBND"
    assert len(scorecard["indicators"]) == 15


# --- compute ----------------------------------------------------------------------------------


def test_compute_json_follows_the_contract(demo):
    home, _ = demo
    data = compute_json(home, "--plan", "1529/KH-UBND", "--period", "2024")
    assert {"plan", "period", "unit", "indicators"} <= set(data)
    assert data["plan"] == "1529/KH-UBND"
    assert data["period"] == "2024"
    assert data["unit"] == {"code": "480", "name": "Thị xã Hương Trà"}
    indicators = {i["code"]: i for i in data["indicators"]}
    assert list(indicators) == list(CATALOG)
    for code, ind in indicators.items():
        assert set(ind) >= INDICATOR_KEYS, code
        assert ind["target"] == CATALOG[code], code
        assert ind["comparison"] == ">=", code
        assert ind["unit"] == "%", code
        assert ind["status"] in STATUSES, code
        assert isinstance(ind["sources"], list), code
        if ind["status"] in {"achieved", "not_achieved"}:
            assert ind["denominator"], code
            # The value as shown: the exact ratio rounded once, half up, to one decimal (§3).
            exact = Decimal(repr(ind["numerator"])) / Decimal(repr(ind["denominator"])) * 100
            assert ind["value"] == float(exact.quantize(Decimal("0.1"), ROUND_HALF_UP)), code
            assert (ind["status"] == "achieved") == (exact >= Decimal(repr(ind["target"]))), code
            assert ind["sources"], code
        else:
            assert ind["value"] is None, code
    agencies = indicators["agencies_on_digital_platforms"]
    assert agencies["status"] == "not_applicable"
    # The demo computes something real: both outcomes occur.
    assert {i["status"] for i in indicators.values()} >= {"achieved", "not_achieved"}


def test_compute_for_a_commune_before_and_after_the_2025_reorganisation(demo):
    home, _ = demo
    before = compute_json(home, *SEED_PLAN, "--unit", "19996")
    assert before["unit"] == {"code": "19996", "name": "Phường Tứ Hạ"}
    after = compute_json(home, *SEED_PLAN, "--unit", "19996", "--as-of", "2025-07-01")
    assert after["unit"] == {"code": "19996", "name": "Phường Hương Trà"}
    assert before["period"] == after["period"] == "2024"


# --- plan list --------------------------------------------------------------------------------


def test_plan_list_shows_the_plan(demo):
    home, _ = demo
    result = hatangso(home, "plan", "list", columns=200)
    assert result.returncode == 0, result.stderr
    assert "1529/KH-UBND" in result.stdout
    assert "Hương Trà" in result.stdout


def test_plan_list_shows_the_plan_code_on_80_columns(demo):
    home, _ = demo
    result = hatangso(home, "plan", "list", columns=80)
    assert result.returncode == 0, result.stderr
    assert "1529/KH-UBND" in result.stdout


# --- errors -----------------------------------------------------------------------------------


def test_unknown_unit(demo):
    home, _ = demo
    lines = assert_user_error(
        hatangso(home, "compute", *SEED_PLAN, "--unit", "99999"),
        "Không có đơn vị hành chính mã 99999",
        "No administrative unit has code 99999",
    )
    assert len(lines) == 1


def test_bad_period(demo):
    home, _ = demo
    lines = assert_user_error(
        hatangso(home, "compute", *SEED_PLAN, "--period", "2024X"),
        "Kỳ báo cáo '2024X' không hợp lệ",
        "Period '2024X' is not valid",
    )
    assert len(lines) == 1


def test_unknown_plan(demo):
    home, _ = demo
    lines = assert_user_error(
        hatangso(home, "compute", "--plan", "999/KH-UBND"),
        "Không có kế hoạch '999/KH-UBND' (đã nạp: 27/KH-UBND, 1529/KH-UBND, 159/KH-UBND)",
        "No plan '999/KH-UBND' (loaded: 27/KH-UBND, 1529/KH-UBND, 159/KH-UBND)",
    )
    assert len(lines) == 1


def test_plan_load_of_a_missing_file(demo):
    home, _ = demo
    lines = assert_user_error(
        hatangso(home, "plan", "load", "khong-co.yaml"),
        "Không tìm thấy tệp kế hoạch khong-co.yaml",
        "Plan file khong-co.yaml not found",
    )
    assert len(lines) == 1


def test_import_values_of_a_missing_file(demo):
    home, _ = demo
    lines = assert_user_error(
        hatangso(home, "import", "values", "khong-co.csv"),
        "Không tìm thấy tệp khong-co.csv",
        "File khong-co.csv not found",
    )
    assert len(lines) == 1


def test_import_values_lists_the_bad_rows(demo, tmp_path):
    home, _ = demo
    values = tmp_path / "so-lieu.csv"
    values.write_text(
        "ky,ma_don_vi,ma_chi_so,gia_tri\n2024,20041,population,12000\n2024,20041,households,nhiều\n",
        encoding="utf-8",
    )
    lines = assert_user_error(
        hatangso(home, "import", "values", str(values)),
        "Tệp so-lieu.csv có 1 lỗi; không dữ liệu nào được ghi",
        "File so-lieu.csv has 1 error(s); nothing was written",
    )
    assert len(lines) == 2
    assert "dòng/row 3" in lines[1]
    assert "gia_tri" in lines[1]
    assert "'nhiều'" in lines[1]
    assert "không phải là số / is not a number" in lines[1]


def test_completeness_of_the_demo_reports(demo):
    home, _ = demo
    result = hatangso(home, "completeness", "ubnd_xa_nam", *SEED_PLAN, "--period", "2024", columns=120)
    assert result.returncode == 0, result.stderr
    assert "received 7/9" in result.stdout and "on time 5/9" in result.stdout
    # The demo's two late communes have data entered (the synthetic import) but never sent it.
    assert result.stdout.count("chưa gửi") == 2
    assert "not reported: Xã Hương Bình (20026), Xã Bình Thành (20041)" in result.stdout
    assert_user_error(
        hatangso(home, "completeness", "khong_co", *SEED_PLAN, "--period", "2024"),
        "Kế hoạch không có biểu 'khong_co'",
        "The plan has no form 'khong_co'",
    )


def test_export_values_for_one_commune(demo, tmp_path):
    home, _ = demo
    out = tmp_path / "tu-ha.json"
    result = hatangso(
        home,
        "export",
        "values",
        "--format",
        "dhis2-json",
        "--unit",
        "19996",
        "--period",
        "2024",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert "Tệp có dữ liệu mẫu / synthetic demo data" in result.stdout  # DHIS2's JSON has no place for it
    assert set(document) == {"dataValues"}
    units = {v["orgUnit"] for v in document["dataValues"]}
    assert "19996" in units and all(u == "19996" or u.startswith("19996.") for u in units)


def test_template_for_a_missing_commune_fills_and_imports(demo, tmp_path):
    from openpyxl import load_workbook

    home, _ = demo
    path = tmp_path / "binh-thanh.xlsx"
    result = hatangso(
        home, "template", "ubnd_xa_nam", *SEED_PLAN, "--period", "2024", "--unit", "20041", "--out", str(path)
    )
    assert result.returncode == 0, result.stderr
    workbook = load_workbook(path)
    sheet = workbook["so_lieu"]
    for row in sheet.iter_rows(min_row=2):
        if row[3].value == "households":
            assert row[7].value is not None  # the demo's value, pre-filled
            row[7].value = 2222
    workbook.save(path)
    result = hatangso(home, "import", "values", str(path))
    assert result.returncode == 0, result.stderr
    assert "1 cập nhật / updated" in result.stdout


def test_validate_finds_the_demo_slip(demo):
    home, _ = demo
    result = hatangso(home, "validate", *SEED_PLAN, "--period", "2024", columns=160)
    assert result.returncode == 0, result.stderr
    assert "Xã Bình Tiến" in result.stdout
    assert "Số hộ gia đình có truy nhập Internet băng rộng cáp quang là" in " ".join(result.stdout.split())
    assert "vấn đề / problem(s) trong / in 9 đơn vị / units" in result.stdout


def test_running_the_demo_again_changes_nothing(demo):
    """A second `demo` serves the home it loaded (in seconds, not a minute): no file is written
    again, the numbers stay, and it says how to load it again."""
    home, _ = demo

    def files() -> dict:  # the data files, not the database (reading it may touch its file)
        paths = (p for p in home.rglob("*") if p.is_file() and not p.name.startswith("hatangso.sqlite3"))
        return {path: path.stat().st_mtime_ns for path in paths}

    written = files()
    def numbers() -> dict:
        return {**compute_json(home, *SEED_PLAN, "--period", "2024"), "computed_at": None}

    before = numbers()
    result = hatangso(home, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "dữ liệu mẫu" in result.stdout
    assert "không nạp lại (--reload để nạp lại)" in " ".join(result.stdout.split())
    assert numbers() == before
    assert files() == written


def test_the_demo_loads_again_when_a_file_it_wrote_is_gone(demo):
    """A home whose report was deleted is not 'loaded': the next `demo` loads it again and writes the
    report (its loaders being idempotent, no figure changes)."""
    home, _ = demo
    report = home / "reports" / "bao-cao-1529-kh-ubnd-2024.xlsx"
    before = compute_json(home, *SEED_PLAN, "--period", "2024")
    report.unlink()
    result = hatangso(home, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "không nạp lại" not in " ".join(result.stdout.split())
    assert report.is_file()
    after = compute_json(home, *SEED_PLAN, "--period", "2024")
    assert after["indicators"] == before["indicators"]


# --- registry ---------------------------------------------------------------------------------


def test_demo_sharing_indicators_come_from_the_registry(demo):
    home, _ = demo
    indicators = {i["code"]: i for i in compute_json(home, *SEED_PLAN, "--period", "2024")["indicators"]}
    for code in ("bts_site_sharing", "pole_sharing", "duct_sharing"):
        assert indicators[code]["sources"] == ["registry"], code
        assert indicators[code]["status"] in {"achieved", "not_achieved"}, code
    assert indicators["commune_government_network"]["sources"] == ["geography", "registry"]
    assert indicators["commune_government_network"]["denominator"] == 9


def test_sites_detect_reports_its_counts(demo):
    home, _ = demo
    result = hatangso(home, "sites", "detect", "--distance", "30", columns=200)
    assert result.returncode == 0, result.stderr
    assert "dùng chung / shared:" in result.stdout and "mới / new: 0" in result.stdout
    assert_user_error(
        hatangso(home, "sites", "detect", "--distance", "5000"),
        "Khoảng cách 5000 m không hợp lệ (0 < khoảng cách ≤ 1000 m)",
        "Distance 5000 m is invalid (0 < distance ≤ 1000 m)",
    )


def test_import_opencellid_with_bad_rows_names_each(demo, tmp_path):
    home, _ = demo
    cells = tmp_path / "cells.csv"
    cells.write_text(
        "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n"
        "LTE,452,4,1001,26113025,101,107.45,16.55,500,10,1,1577836800,1662704361,0\n"
        "LTE,452,4,1001,26113026,102,107.45,96.55,500,10,1,1577836800,1662704361,0\n"
        "WIMAX,452,4,1001,123,,107.45,16.55,500,10,1,1577836800,1662704361,0\n"
        "GSM,452,1,11987,abc,0,105.07,21.42,3548,9,1,1456906223,1662704361,0\n",
        encoding="utf-8",
    )
    before = compute_json(home, *SEED_PLAN, "--period", "2024")
    lines = assert_user_error(
        hatangso(home, "import", "opencellid", str(cells), columns=200),
        "Tệp cells.csv có 3 lỗi; không dữ liệu nào được ghi",
        "File cells.csv has 3 error(s); nothing was written",
    )
    assert "dòng/row 3, cột/column lat, '96.55'" in lines[1]
    assert "dòng/row 4, cột/column radio, 'WIMAX'" in lines[2]
    assert "dòng/row 5, cột/column cell, 'abc'" in lines[3]
    # The same figures (the rejected file is change-logged: a newer data version, recomputed).
    assert compute_json(home, *SEED_PLAN, "--period", "2024")["indicators"] == before["indicators"]


# --- report -----------------------------------------------------------------------------------


def test_demo_writes_the_three_report_files(demo):
    home, result = demo
    for fmt in ("docx", "pdf", "xlsx"):
        path = home / "reports" / f"bao-cao-1529-kh-ubnd-2024.{fmt}"
        assert f"Báo cáo / report: {path}" in result.stdout.replace("\n", "")
        assert path.stat().st_size > 5_000, fmt


def test_report_command_writes_a_docx_quickly(demo, tmp_path):
    import time

    home, _ = demo
    out = tmp_path / "bc.docx"
    started = time.perf_counter()
    result = hatangso(
        home,
        "report",
        *SEED_PLAN,
        "--period",
        "2024",
        "--unit",
        "19996",
        "--format",
        "docx",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 5_000
    print(f"commune report in {time.perf_counter() - started:.1f} s")  # shown with -s; never asserted
    assert_user_error(
        hatangso(
            home,
            "report",
            *SEED_PLAN,
            "--format",
            "docx",
            "--out",
            str(out),
            "--texts",
            str(tmp_path / "khong-co.yaml"),
        ),
        "Không đọc được tệp khong-co.yaml",
        "Cannot read khong-co.yaml",
    )


def test_a_report_for_a_period_outside_the_plan_writes_nothing(demo, tmp_path):
    home, _ = demo
    out = tmp_path / "bc-2022.docx"
    lines = assert_user_error(
        hatangso(
            home,
            "report",
            "--plan",
            "1529/KH-UBND",
            "--period",
            "2022",
            "--format",
            "docx",
            "--out",
            str(out),
        ),
        "Kế hoạch 1529/KH-UBND là kế hoạch kỳ 2024, không có báo cáo kỳ 2022",
        "Plan 1529/KH-UBND covers 2024: there is no report for the period 2022",
    )
    assert len(lines) == 1 and not out.exists()


# --- plan parse -------------------------------------------------------------------------------


@needs_shared(SEED_DOCUMENT)
def test_plan_parse_then_load(demo, tmp_path):
    home, _ = demo
    out = tmp_path / "ban-nhap.yaml"
    result = hatangso(home, "plan", "parse", str(SEED_DOCUMENT), "--out", str(out), columns=200)
    assert result.returncode == 0, result.stderr
    assert "1529/KH-UBND: 15 chỉ tiêu / indicators, 69 nội dung / items, 0 điểm cần xem lại" in result.stderr
    assert out.read_text(encoding="utf-8").startswith("# Bản nháp kế hoạch")
    loaded = hatangso(home, "plan", "load", str(out), columns=200)
    assert loaded.returncode == 0, loaded.stderr
    garbage = tmp_path / "rac.bin"
    garbage.write_bytes(b"\x00\xff\x10binary")
    assert_user_error(
        hatangso(home, "plan", "parse", str(garbage)),
        "Tệp rac.bin không phải văn bản",
        "File rac.bin is not a document",
    )
