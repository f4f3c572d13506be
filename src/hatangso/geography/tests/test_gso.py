"""Tests of the GSO list parsers against the real third-party fixtures in shared/research/data."""

import csv
import importlib.util
import os
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from hatangso.geography.gso import (
    ConversionRow,
    GsoFormatError,
    GsoUnit,
    name_key,
    read_conversion_table,
    read_gso_three_level,
    read_gso_two_level,
)
from hatangso.utilities.testing import RESEARCH_DATA

REPO_DIR = Path(__file__).resolve().parents[4]
DATA_DIR = RESEARCH_DATA
SCRIPT = REPO_DIR / "scripts" / "build_hue_reference.py"

LIST_2021 = "gso_xa_2021-02-03_thuathienhue.csv"
LIST_2025_01 = "gso_xa_2025-01-04_hue.csv"
LIST_2025_07 = "gso_cap-xa_2025-07_hue.csv"
CONVERSION = "conversion_2025-07_old_to_new_communes_hue.csv"

HUONG_TRA_2025 = {
    "19996": "Phường Tứ Hạ",
    "20005": "Xã Hương Toàn",
    "20008": "Phường Hương Vân",
    "20011": "Phường Hương Văn",
    "20017": "Phường Hương Xuân",
    "20020": "Phường Hương Chữ",
    "20026": "Xã Hương Bình",
    "20035": "Xã Bình Tiến",
    "20041": "Xã Bình Thành",
}


@pytest.fixture(scope="module")
def data_dir() -> Path:
    if not DATA_DIR.is_dir() and not os.environ.get("CI"):
        pytest.skip(f"research data folder not found: {DATA_DIR}")
    return DATA_DIR.resolve()


def _level(units, level):
    return [u for u in units if u.level == level]


def _is_clean(text: str) -> bool:
    return (
        unicodedata.is_normalized("NFC", text)
        and text == text.strip()
        and "\n" not in text
        and "  " not in text
    )


def _nfd_copy(source: Path, target: Path) -> Path:
    text = source.read_text(encoding="utf-8")
    target.write_text(unicodedata.normalize("NFD", text), encoding="utf-8", newline="")
    assert not unicodedata.is_normalized("NFC", target.read_text(encoding="utf-8"))
    return target


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_xlsx(rows, target: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(target)
    return target


# --- three-level GSO export -----------------------------------------------------------------


def test_three_level_2025_01(data_dir):
    units = read_gso_three_level(data_dir / LIST_2025_01)
    assert all(isinstance(u, GsoUnit) for u in units)
    assert len(_level(units, "commune")) == 134
    assert _level(units, "province") == [
        GsoUnit(
            code="46",
            name="Thành phố Huế",
            level="province",
            type_name="Thành phố",
            parent_code=None,
        )
    ]
    districts = {u.code: u for u in _level(units, "district")}
    assert sorted(districts) == ["474", "475", "476", "477", "478", "479", "480", "481", "482"]
    assert districts["480"] == GsoUnit(
        code="480", name="Thị xã Hương Trà", level="district", type_name="Thị xã", parent_code="46"
    )
    assert districts["474"].name == "Quận Thuận Hóa"
    assert districts["474"].type_name == "Quận"
    assert districts["482"].type_name == "Huyện"
    huong_tra = {u.code: u.name for u in _level(units, "commune") if u.parent_code == "480"}
    assert huong_tra == HUONG_TRA_2025
    communes = {u.code: u for u in _level(units, "commune")}
    assert communes["19996"].type_name == "Phường"
    assert communes["20005"].type_name == "Xã"
    assert {u.type_name for u in communes.values()} == {"Phường", "Xã", "Thị trấn"}
    # Provinces, then districts, then communes (parents before children); no duplicates.
    assert [u.level for u in units] == sorted(
        (u.level for u in units), key=["province", "district", "commune"].index
    )
    assert len({(u.level, u.code) for u in units}) == len(units)
    assert all(_is_clean(u.name) for u in units)


def test_three_level_2021(data_dir):
    units = read_gso_three_level(data_dir / LIST_2021)
    assert len(_level(units, "commune")) == 145
    (province,) = _level(units, "province")
    assert (province.code, province.name, province.type_name) == (
        "46",
        "Tỉnh Thừa Thiên Huế",
        "Tỉnh",
    )
    districts = {u.code: u for u in _level(units, "district")}
    assert len(districts) == 9
    assert districts["483"].name == "Huyện Nam Đông"
    assert districts["474"].name == "Thành phố Huế"
    assert districts["474"].type_name == "Thành phố"
    huong_tra = [u for u in _level(units, "commune") if u.parent_code == "480"]
    assert len(huong_tra) == 15
    assert min(u.code for u in huong_tra) == "19996"
    assert max(u.code for u in huong_tra) == "20041"


def test_three_level_nfd_copy_parses_to_the_same_nfc_names(data_dir, tmp_path):
    original = read_gso_three_level(data_dir / LIST_2025_01)
    nfd = read_gso_three_level(_nfd_copy(data_dir / LIST_2025_01, tmp_path / "nfd.csv"))
    assert nfd == original
    assert all(unicodedata.is_normalized("NFC", u.name + u.type_name) for u in nfd)


def test_three_level_xlsx_parses_like_csv(data_dir, tmp_path):
    rows = _csv_rows(data_dir / LIST_2025_01)
    xlsx = _write_xlsx(rows, tmp_path / "list.xlsx")
    assert read_gso_three_level(xlsx) == read_gso_three_level(data_dir / LIST_2025_01)


def test_three_level_xlsx_with_numeric_codes(data_dir, tmp_path):
    rows = _csv_rows(data_dir / LIST_2025_01)
    numeric = [rows[0]] + [
        [int(cell) if index in (1, 3, 5) else cell for index, cell in enumerate(row)] for row in rows[1:]
    ]
    xlsx = _write_xlsx(numeric, tmp_path / "numeric.xlsx")
    assert read_gso_three_level(xlsx) == read_gso_three_level(data_dir / LIST_2025_01)


def test_three_level_header_is_matched_tolerantly(tmp_path):
    path = tmp_path / "tolerant.csv"
    path.write_text(
        "Ghi chú: trích danh mục\n"
        " TINH THANH PHO ; ma  tp;Quận huyện;MÃ QH;phường xã;Mã PX;cấp\n"
        '"  Tỉnh  Thừa Thiên\nHuế "; 46 ;Thị xã Hương Trà;480;Phường   Tứ Hạ ;19996;phường\n'
        "\n",
        encoding="utf-8",
    )
    assert read_gso_three_level(path) == [
        GsoUnit("46", "Tỉnh Thừa Thiên Huế", "province", "Tỉnh", None),
        GsoUnit("480", "Thị xã Hương Trà", "district", "Thị xã", "46"),
        GsoUnit("19996", "Phường Tứ Hạ", "commune", "Phường", "480"),
    ]


def test_unknown_header_raises_bilingual_error(tmp_path):
    path = tmp_path / "unknown.csv"
    path.write_text("Province,Code,District\nHuế,46,Hương Trà\n", encoding="utf-8")
    with pytest.raises(GsoFormatError) as caught:
        read_gso_three_level(path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert "Không nhận ra dòng tiêu đề" in error.message_vi
    assert "Mã PX" in error.message_vi
    assert "Header of unknown.csv not recognised" in error.message_en
    assert str(error) == f"{error.message_vi} / {error.message_en}"
    with pytest.raises(GsoFormatError):
        read_conversion_table(path)


def test_row_without_code_names_the_row(data_dir, tmp_path):
    rows = _csv_rows(data_dir / LIST_2025_01)
    rows[3][5] = "  "  # Mã PX of the fourth row (third data row)
    path = tmp_path / "missing.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(GsoFormatError) as caught:
        read_gso_three_level(path)
    assert "Dòng 4" in caught.value.message_vi
    assert "Mã PX" in caught.value.message_vi
    assert "Row 4" in caught.value.message_en


def test_conflicting_duplicate_code_is_rejected(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(
        "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"
        "Thành phố Huế,46,Thị xã Hương Trà,480,Phường Tứ Hạ,19996,Phường,\n"
        "Thành phố Huế,46,Thị xã Hương Trà,480,Phường Hương Trà,19996,Phường,\n",
        encoding="utf-8",
    )
    with pytest.raises(GsoFormatError, match="Dòng 3"):
        read_gso_three_level(path)


# --- two-level list from 01/07/2025 ---------------------------------------------------------


def test_two_level_2025_07(data_dir):
    units = read_gso_two_level(data_dir / LIST_2025_07, province_code="46")
    assert units[0] == GsoUnit("46", "Thành phố Huế", "province", "Thành phố", None)
    communes = units[1:]
    assert len(communes) == 40
    assert all(u.level == "commune" and u.parent_code == "46" for u in communes)
    by_code = {u.code: u for u in communes}
    assert len(by_code) == 40
    assert by_code["19996"] == GsoUnit("19996", "Phường Hương Trà", "commune", "Phường", "46")
    assert by_code["20017"].name == "Phường Kim Trà"
    assert by_code["20035"] == GsoUnit("20035", "Xã Bình Điền", "commune", "Xã", "46")
    assert by_code["19864"].name == "Phường Phong Thái"  # trailing space in the file
    assert by_code["19909"].name == "Phường Dương Nỗ"
    assert sum(u.type_name == "Phường" for u in communes) == 21
    assert sum(u.type_name == "Xã" for u in communes) == 19
    assert all(_is_clean(u.name) for u in units)


def test_two_level_nfd_and_xlsx(data_dir, tmp_path):
    original = read_gso_two_level(data_dir / LIST_2025_07, province_code="46")
    nfd = _nfd_copy(data_dir / LIST_2025_07, tmp_path / "nfd.csv")
    assert read_gso_two_level(nfd, province_code="46") == original
    xlsx = _write_xlsx(_csv_rows(data_dir / LIST_2025_07), tmp_path / "list.xlsx")
    assert read_gso_two_level(xlsx, province_code="46") == original


def test_two_level_row_without_code(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(
        ", THÀNH PHỐ HUẾ, Thành phố Huế,\n19996, Phường Hương Trà, Thành phố Huế,\n"
        ", Phường Kim Trà, Thành phố Huế,\n",
        encoding="utf-8",
    )
    with pytest.raises(GsoFormatError) as caught:
        read_gso_two_level(path, province_code="46")
    assert "Dòng 3" in caught.value.message_vi
    assert "Row 3" in caught.value.message_en


# --- conversion table -----------------------------------------------------------------------


def test_conversion_table(data_dir):
    rows = read_conversion_table(data_dir / CONVERSION)
    assert len(rows) == 133
    assert all(isinstance(r, ConversionRow) for r in rows)
    assert rows[0] == ConversionRow(
        row=3,  # after the two header rows
        new_province="Thành phố Huế (46)",
        new_code="19753",
        new_name="Phường Phú Xuân",  # a multi-line cell in the file
        old_code="19750",
        old_name="Phường Tây Lộc",
        note="Nhập toàn bộ",
        old_district="Quận Phú Xuân (475)",
        old_province="Thành phố Huế (46)",
    )
    assert len({r.new_code for r in rows}) == 40
    assert len({r.old_code for r in rows}) == 133
    for row in rows:
        for text in (row.new_name, row.old_name, row.note, row.old_district, row.old_province):
            assert _is_clean(text)
    huong_tra = {r.old_name: (r.new_code, r.new_name) for r in rows if r.old_district.endswith("(480)")}
    assert huong_tra == {
        "Phường Tứ Hạ": ("19996", "Phường Hương Trà"),
        "Phường Hương Vân": ("19996", "Phường Hương Trà"),
        "Phường Hương Văn": ("19996", "Phường Hương Trà"),
        "Xã Hương Toàn": ("20017", "Phường Kim Trà"),
        "Phường Hương Xuân": ("20017", "Phường Kim Trà"),
        "Phường Hương Chữ": ("20017", "Phường Kim Trà"),
        "Xã Hương Bình": ("20035", "Xã Bình Điền"),
        "Xã Bình Tiến": ("20035", "Xã Bình Điền"),
        "Xã Bình Thành": ("20035", "Xã Bình Điền"),
    }
    by_old = {r.old_code: r for r in rows}
    assert by_old["20029"].old_name == "Phường Long Hồ"  # trailing space in the file
    assert by_old["20185"].old_name == "Xã Thượng Lộ"  # NFD in the file
    assert by_old["19909"].note == "Giữ nguyên"
    # District labels keep the file's capitalisation ("Thị Xã" / "Thị xã").
    assert {r.old_district for r in rows if r.old_code in ("19819", "19855")} == {
        "Thị Xã Phong Điền (476)",
        "Thị xã Phong Điền (476)",
    }


def test_conversion_nfd_and_xlsx(data_dir, tmp_path):
    original = read_conversion_table(data_dir / CONVERSION)
    nfd = _nfd_copy(data_dir / CONVERSION, tmp_path / "nfd.csv")
    assert read_conversion_table(nfd) == original
    xlsx = _write_xlsx(_csv_rows(data_dir / CONVERSION), tmp_path / "conversion.xlsx")
    assert read_conversion_table(xlsx) == original


def test_name_key():
    assert name_key("Xã Chân Mây - Lăng Cô\n") == name_key("xã  chân mây – lăng cô")
    assert name_key(unicodedata.normalize("NFD", "Phường Hương Trà")) == "phường hương trà"
    assert name_key("Phường Hương Văn") != name_key("Phường Hương Vân")


# --- committed reference files --------------------------------------------------------------


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location("build_hue_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_committed_reference_files_are_up_to_date(data_dir, build_script):
    result = build_script.build(data_dir)
    files = result.files()
    assert set(files) == {build_script.UNITS_FILE, build_script.CROSSWALK_FILE}
    for path, expected in files.items():
        assert path.read_text(encoding="utf-8") == expected, (
            f"{path.name} is stale; run scripts/build_hue_reference.py"
        )


def test_committed_reference_facts(data_dir, build_script):
    units_file = build_script.UNITS_FILE
    crosswalk_file = build_script.CROSSWALK_FILE
    with units_file.open(encoding="utf-8", newline="") as handle:
        units = list(csv.DictReader(handle))
    with crosswalk_file.open(encoding="utf-8", newline="") as handle:
        crosswalk = list(csv.DictReader(handle))
    provinces = [u for u in units if u["level"] == "province"]
    assert provinces == [
        {
            "code": "46",
            "name": "Thành phố Huế",
            "level": "province",
            "type_name": "Thành phố",
            "parent_code": "",
            "valid_from": "",
            "valid_to": "",
            "former_names": "Tỉnh Thừa Thiên Huế (đến 31/12/2024)",
            "source": provinces[0]["source"],
        }
    ]
    assert sum(u["level"] == "district" for u in units) == 9
    assert sum(u["level"] == "commune" and u["valid_to"] == "2025-06-30" for u in units) == 134
    assert sum(u["level"] == "commune" and u["valid_from"] == "2025-07-01" for u in units) == 40
    code_19996 = [(u["name"], u["valid_from"], u["valid_to"]) for u in units if u["code"] == "19996"]
    assert code_19996 == [
        ("Phường Tứ Hạ", "", "2025-06-30"),
        ("Phường Hương Trà", "2025-07-01", ""),
    ]
    huong_tra = {
        r["old_code"]: (r["new_code"], r["source"]) for r in crosswalk if r["old_code"] in HUONG_TRA_2025
    }
    nq = "Nghị quyết 1675/NQ-UBTVQH15"
    assert huong_tra == {
        "19996": ("19996", nq),
        "20011": ("19996", nq),
        "20008": ("19996", nq),
        "20020": ("20017", nq),
        "20017": ("20017", nq),
        "20005": ("20017", nq),
        "20026": ("20035", nq),
        "20041": ("20035", nq),
        "20035": ("20035", nq),
    }
    new_codes = {u["code"] for u in units if u["valid_from"] == "2025-07-01"}
    old_codes = {u["code"] for u in units if u["valid_to"] == "2025-06-30"}
    assert {r["new_code"] for r in crosswalk} == new_codes
    assert {r["old_code"] for r in crosswalk} <= old_codes
    assert all(r["effective"] == "2025-07-01" for r in crosswalk)
    phu_xuan = [r for r in crosswalk if r["new_name"] == "Phường Phú Xuân"]
    assert phu_xuan
    assert all(r["new_code"] == "19768" for r in phu_xuan)
    assert all(r["note"].endswith("(mã dự thảo: 19753)") for r in phu_xuan)
