"""Parsers for the third-party GSO administrative-unit lists (pure Python, no Django).

Three formats are read, as published by GSO and redistributed by the VietnamProvinces project:

* the three-level export (province / district / commune), CSV or XLSX, with the header
  ``Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh``;
* the two-level list in force from 01/07/2025 (no header, ``code, name, province``, a province
  line with an empty code, leading spaces and a trailing comma);
* the old → new commune conversion table of the 2025 reorganisation (two header rows).

The files are messy: multi-line cells, stray spaces, trailing commas, inconsistent
capitalisation, NFC and NFD text. Every text is NFC-normalised and whitespace-collapsed.
Errors raise `GsoFormatError` with a Vietnamese and an English message naming the row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ConversionRow",
    "GsoFormatError",
    "GsoUnit",
    "clean",
    "fold",
    "name_key",
    "read_conversion_table",
    "read_gso_three_level",
    "read_gso_two_level",
    "read_gso_two_level_national",
    "unit_type",
]

PROVINCE = "province"
DISTRICT = "district"
COMMUNE = "commune"

_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# GSO code widths, used to restore zero-padding of codes stored as numbers in spreadsheets.
_CODE_WIDTH = {PROVINCE: 2, DISTRICT: 3, COMMUNE: 5}
# How many leading rows may precede the header row (titles, blank lines).
_HEADER_SEARCH_ROWS = 10

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]\s*")
_KEY_PUNCTUATION = re.compile(r"[^\w]+")


class GsoFormatError(ValueError):
    """A GSO file that cannot be read; carries a Vietnamese and an English message."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class GsoUnit:
    code: str
    name: str
    level: str
    type_name: str
    parent_code: str | None


@dataclass(frozen=True)
class ConversionRow:
    row: int
    new_province: str
    new_code: str
    new_name: str
    old_code: str
    old_name: str
    note: str
    old_district: str
    old_province: str
    # A declared share of the old commune that went to the new one (optional column), as written.
    share: str = ""


# --------------------------------------------------------------------------------------------
# Text helpers


def clean(value: object) -> str:
    """NFC-normalise, collapse whitespace (including embedded newlines) and strip."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value: object) -> str:
    """Case- and diacritics-insensitive form ("Mã TP" → "ma tp"), for header names."""
    text = clean(value).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_KEY_PUNCTUATION.sub(" ", text).split())


def name_key(value: object) -> str:
    """Key for comparing unit names: case-, whitespace-, Unicode-form- and dash-insensitive.

    Diacritics are kept ("Hương Văn" and "Hương Vân" are different units). Hyphens and dashes
    are folded together ("Chân Mây - Lăng Cô" = "Chân Mây – Lăng Cô").
    """
    return _DASHES.sub(" - ", clean(value)).casefold()


def _code(value: object, level: str) -> str:
    """A code as a string; numbers from spreadsheets get GSO zero-padding back."""
    if isinstance(value, bool):
        return clean(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value).zfill(_CODE_WIDTH.get(level, 0))
    return clean(value)


# Unit types by level, longest prefix first; canonical spelling as in GSO lists.
_TYPES = {
    PROVINCE: ("Thành phố", "Tỉnh"),
    DISTRICT: ("Thành phố", "Thị xã", "Quận", "Huyện"),
    COMMUNE: ("Thị trấn", "Phường", "Đặc khu", "Xã"),
}


def unit_type(name: str, level: str, hint: str = "") -> str:
    """The Vietnamese unit type of a unit: from `hint` (the `Cấp` column) if it names a type of
    that level, else from the name prefix ("Thị xã Hương Trà" → "Thị xã"); "" if unknown."""
    types = _TYPES.get(level, ())
    folded_hint = fold(hint)
    for type_name in types:
        if folded_hint == fold(type_name):
            return type_name
    folded_name = fold(name)
    for type_name in types:
        prefix = fold(type_name)
        if folded_name == prefix or folded_name.startswith(prefix + " "):
            return type_name
    return ""


# --------------------------------------------------------------------------------------------
# Reading rows


def _read_rows(path: Path | str) -> list[list[object]]:
    """All rows of a CSV or spreadsheet file (first sheet), as lists of raw cell values."""
    path = Path(path)
    if not path.is_file():
        raise GsoFormatError(f"Không tìm thấy tệp {path}", f"File not found: {path}")
    if path.suffix.lower() in _SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(path)
    raw = path.read_bytes()
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise GsoFormatError(
            f"Tệp {path.name} không phải văn bản UTF-8 (lỗi ở byte {exc.start})",
            f"File {path.name} is not UTF-8 text (error at byte {exc.start})",
        ) from exc
    sample = "\n".join(text.split("\n", _HEADER_SEARCH_ROWS)[:_HEADER_SEARCH_ROWS])
    delimiter = max([",", ";", "\t"], key=sample.count)
    if not sample.count(delimiter):
        delimiter = ","
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_spreadsheet(path: Path) -> list[list[object]]:
    try:
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
            finally:
                workbook.close()
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        return [list(row) for row in sheet.to_python()]
    except Exception as exc:
        raise GsoFormatError(
            f"Không đọc được bảng tính {path.name}: {exc}",
            f"Cannot read spreadsheet {path.name}: {exc}",
        ) from exc


def _is_blank(row: Iterable[object]) -> bool:
    return all(not clean(cell) for cell in row)


def _cell(row: list[object], index: int | None) -> object:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    return "" if value is None else value


def _find_header(
    rows: list[list[object]],
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    path: Path | str,
    expected: str,
) -> tuple[int, dict[str, int]]:
    """Index of the header row among the first rows, and the column index of each field."""
    for row_index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col_index, cell in enumerate(row):
            folded = fold(cell)
            for field, names in aliases.items():
                if field not in columns and folded in names:
                    columns[field] = col_index
                    break
        if all(field in columns for field in required):
            return row_index, columns
    seen = ", ".join(clean(c) for c in rows[0] if clean(c)) if rows else ""
    raise GsoFormatError(
        f"Không nhận ra dòng tiêu đề của tệp {Path(path).name}; cần các cột: {expected}"
        f" (dòng đầu có: {seen or 'trống'})",
        f"Header of {Path(path).name} not recognised; expected the columns: {expected}"
        f" (first row has: {seen or 'nothing'})",
    )


def _missing_code(path: Path | str, row_number: int, column: str) -> GsoFormatError:
    name = Path(path).name
    return GsoFormatError(
        f"Dòng {row_number} của tệp {name} thiếu mã (cột '{column}')",
        f"Row {row_number} of {name} has no code (column '{column}')",
    )


def _conflict(path: Path | str, row_number: int, code: str, old: str, new: str) -> GsoFormatError:
    name = Path(path).name
    return GsoFormatError(
        f"Dòng {row_number} của tệp {name}: mã {code} đã dùng cho '{old}', nay lại là '{new}'",
        f"Row {row_number} of {name}: code {code} was already used for '{old}', now '{new}'",
    )


# --------------------------------------------------------------------------------------------
# Three-level GSO export

_THREE_LEVEL_ALIASES = {
    "province_name": ("tinh thanh pho", "tinh", "ten tinh", "tinh tp"),
    "province_code": ("ma tp", "ma tinh", "ma tinh tp"),
    "district_name": ("quan huyen", "huyen", "ten huyen", "quan huyen thi xa"),
    "district_code": ("ma qh", "ma huyen", "ma quan huyen"),
    "commune_name": ("phuong xa", "xa", "ten xa", "xa phuong", "phuong xa thi tran"),
    "commune_code": ("ma px", "ma xa", "ma phuong xa"),
    "commune_type": ("cap",),
    "english_name": ("ten tieng anh",),
}
_THREE_LEVEL_REQUIRED = (
    "province_name",
    "province_code",
    "district_name",
    "district_code",
    "commune_name",
    "commune_code",
)
_THREE_LEVEL_EXPECTED = "Tỉnh Thành Phố, Mã TP, Quận Huyện, Mã QH, Phường Xã, Mã PX, Cấp"
_THREE_LEVEL_CODE_FIELDS = (
    ("province_code", PROVINCE),
    ("district_code", DISTRICT),
    ("commune_code", COMMUNE),
)
_THREE_LEVEL_COLUMN_LABELS = {
    "province_code": "Mã TP",
    "district_code": "Mã QH",
    "commune_code": "Mã PX",
}


def read_gso_three_level(path: Path | str) -> list[GsoUnit]:
    """Units of a GSO three-level export (CSV or XLSX): provinces, then districts, then communes,
    each in order of first appearance. Province and district rows are synthesised from the
    commune rows and deduplicated."""
    rows = _read_rows(path)
    header_index, columns = _find_header(
        rows, _THREE_LEVEL_ALIASES, _THREE_LEVEL_REQUIRED, path, _THREE_LEVEL_EXPECTED
    )
    by_level: dict[str, dict[str, GsoUnit]] = {PROVINCE: {}, DISTRICT: {}, COMMUNE: {}}

    def add(unit: GsoUnit, row_number: int) -> None:
        known = by_level[unit.level].get(unit.code)
        if known is None:
            by_level[unit.level][unit.code] = unit
        elif name_key(known.name) != name_key(unit.name) or known.parent_code != unit.parent_code:
            raise _conflict(path, row_number, unit.code, known.name, unit.name)

    for row_index in range(header_index + 1, len(rows)):
        row = rows[row_index]
        row_number = row_index + 1
        if _is_blank(row):
            continue
        codes = {}
        for field, level in _THREE_LEVEL_CODE_FIELDS:
            codes[level] = _code(_cell(row, columns[field]), level)
        province_name = clean(_cell(row, columns["province_name"]))
        district_name = clean(_cell(row, columns["district_name"]))
        commune_name = clean(_cell(row, columns["commune_name"]))
        commune_type = clean(_cell(row, columns.get("commune_type")))
        # An island district without communes (Bạch Long Vĩ, Cồn Cỏ…) has a row with no commune.
        district_only = not codes[COMMUNE] and not commune_name
        for field, level in _THREE_LEVEL_CODE_FIELDS:
            if not codes[level] and not (level == COMMUNE and district_only):
                raise _missing_code(path, row_number, _THREE_LEVEL_COLUMN_LABELS[field])
        add(
            GsoUnit(
                code=codes[PROVINCE],
                name=province_name,
                level=PROVINCE,
                type_name=unit_type(province_name, PROVINCE),
                parent_code=None,
            ),
            row_number,
        )
        add(
            GsoUnit(
                code=codes[DISTRICT],
                name=district_name,
                level=DISTRICT,
                type_name=unit_type(district_name, DISTRICT),
                parent_code=codes[PROVINCE],
            ),
            row_number,
        )
        if district_only:
            continue
        add(
            GsoUnit(
                code=codes[COMMUNE],
                name=commune_name,
                level=COMMUNE,
                type_name=unit_type(commune_name, COMMUNE, commune_type),
                parent_code=codes[DISTRICT],
            ),
            row_number,
        )
    return [unit for level in (PROVINCE, DISTRICT, COMMUNE) for unit in by_level[level].values()]


# --------------------------------------------------------------------------------------------
# Two-level list (from 01/07/2025)


def read_gso_two_level(path: Path | str, province_code: str) -> list[GsoUnit]:
    """Units of a two-level GSO list (``code, name, province``, no header): the province line
    (empty code) and its communes, whose parent is `province_code` (not given in the file)."""
    province_code = clean(province_code)
    if not province_code:
        raise GsoFormatError("Cần mã tỉnh/thành phố", "A province code is required")
    rows = _read_rows(path)
    name = Path(path).name
    province: GsoUnit | None = None
    communes: dict[str, GsoUnit] = {}
    for row_index, row in enumerate(rows):
        row_number = row_index + 1
        if _is_blank(row):
            continue
        code = _code(_cell(row, 0), COMMUNE)
        unit_name = clean(_cell(row, 1))
        province_name = clean(_cell(row, 2))
        if not unit_name:
            raise GsoFormatError(
                f"Dòng {row_number} của tệp {name} thiếu tên đơn vị (cột 2)",
                f"Row {row_number} of {name} has no unit name (column 2)",
            )
        if not code:
            if province_name and name_key(unit_name) == name_key(province_name):
                if province is not None and name_key(province.name) != name_key(province_name):
                    raise GsoFormatError(
                        f"Dòng {row_number} của tệp {name}: tệp có hơn một tỉnh/thành phố "
                        f"({province.name}, {province_name}); hãy tách theo tỉnh",
                        f"Row {row_number} of {name}: the file holds more than one province "
                        f"({province.name}, {province_name}); split it by province",
                    )
                province = GsoUnit(
                    code=province_code,
                    name=province_name,
                    level=PROVINCE,
                    type_name=unit_type(province_name, PROVINCE),
                    parent_code=None,
                )
                continue
            raise _missing_code(path, row_number, "1")
        if province is not None and province_name and name_key(province_name) != name_key(province.name):
            raise GsoFormatError(
                f"Dòng {row_number} của tệp {name}: đơn vị {unit_name} thuộc {province_name}, "
                f"không thuộc {province.name}",
                f"Row {row_number} of {name}: unit {unit_name} belongs to {province_name}, "
                f"not to {province.name}",
            )
        unit = GsoUnit(
            code=code,
            name=unit_name,
            level=COMMUNE,
            type_name=unit_type(unit_name, COMMUNE),
            parent_code=province_code,
        )
        known = communes.get(code)
        if known is not None and name_key(known.name) != name_key(unit_name):
            raise _conflict(path, row_number, code, known.name, unit_name)
        communes.setdefault(code, unit)
    if not communes:
        raise GsoFormatError(
            f"Tệp {name} không có đơn vị nào (cần các cột: mã, tên, tỉnh)",
            f"File {name} has no units (expected the columns: code, name, province)",
        )
    if province is None:
        province_names = {clean(_cell(row, 2)) for row in rows if clean(_cell(row, 2))}
        province_name = sorted(province_names)[0] if len(province_names) == 1 else ""
        province = GsoUnit(
            code=province_code,
            name=province_name,
            level=PROVINCE,
            type_name=unit_type(province_name, PROVINCE),
            parent_code=None,
        )
    return [province, *communes.values()]


_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp) ")


def _province_key(name: str) -> str:
    """A province name without its type ("Tp Cần Thơ", "Thành phố Cần Thơ", "Cần Thơ" → "can tho")."""
    return _PROVINCE_PREFIX.sub("", fold(name))


def read_gso_two_level_national(path: Path | str, provinces_path: Path | str) -> list[GsoUnit]:
    """Units of the national two-level list from 01/07/2025 (``code, name, province``; a title row
    per province) with the province list (``code, name``, no header): provinces, then communes,
    each commune's parent found by its province's name ("Tp Hải Phòng" = "Thành phố Hải Phòng")."""
    name = Path(path).name
    provinces: dict[str, GsoUnit] = {}
    for row_index, row in enumerate(_read_rows(provinces_path)):
        if _is_blank(row):
            continue
        code, province_name = _code(_cell(row, 0), PROVINCE), clean(_cell(row, 1))
        if not code or not province_name:
            raise _missing_code(provinces_path, row_index + 1, "1")
        # The province list names provinces without their type: "Cao Bằng" is Tỉnh Cao Bằng.
        full_name = province_name if unit_type(province_name, PROVINCE) else f"Tỉnh {province_name}"
        provinces[_province_key(province_name)] = GsoUnit(
            code, full_name, PROVINCE, unit_type(full_name, PROVINCE), None
        )
    communes: dict[str, GsoUnit] = {}
    for row_index, row in enumerate(_read_rows(path)):
        row_number = row_index + 1
        code, unit_name, province_name = (
            _code(_cell(row, 0), COMMUNE),
            clean(_cell(row, 1)),
            clean(_cell(row, 2)),
        )
        if _is_blank(row) or not code:
            continue  # a province title row (", THÀNH PHỐ HÀ NỘI,,")
        province = provinces.get(_province_key(province_name))
        if province is None:
            raise GsoFormatError(
                f"Dòng {row_number} của tệp {name}: tỉnh '{province_name}' không có trong danh sách tỉnh",
                f"Row {row_number} of {name}: province '{province_name}' is not in the province list",
            )
        known = communes.get(code)
        if known is not None and name_key(known.name) != name_key(unit_name):
            raise _conflict(path, row_number, code, known.name, unit_name)
        communes.setdefault(
            code, GsoUnit(code, unit_name, COMMUNE, unit_type(unit_name, COMMUNE), province.code)
        )
    return [*sorted(provinces.values(), key=lambda u: u.code), *communes.values()]


# --------------------------------------------------------------------------------------------
# Conversion table old → new communes (2025)

_CONVERSION_ALIASES = {
    "province": ("tinh thanh pho", "tinh"),
    "new_name": ("ten xa moi", "ten don vi moi"),
    "new_code": ("ma xa moi", "ma don vi moi"),
    "old_name": ("ten xa cu", "ten don vi cu"),
    "old_code": ("ma xa cu", "ma don vi cu"),
    "note": ("ghi chu",),
    "old_district": ("quan huyen", "huyen", "quan huyen cu"),
    "old_province": ("tinh cu", "tinh thanh pho cu"),
    "share": ("ty le", "ti le", "share"),
}
_CONVERSION_REQUIRED = ("new_name", "new_code", "old_name", "old_code")
_CONVERSION_EXPECTED = (
    "Tỉnh, thành phố, Tên Xã mới, Mã Xã mới, Tên Xã cũ, Mã Xã cũ, Ghi chú, Quận/huyện, Tỉnh cũ"
)


def _is_title(row: list[object], columns: dict[str, int]) -> bool:
    """A province title row of the national table (``THÀNH PHỐ HÀ NỘI,,,,``): text in the first
    column only."""
    return bool(clean(_cell(row, 0))) and _is_blank(row[1:]) and columns.get("province") == 0


def read_conversion_table(path: Path | str) -> list[ConversionRow]:
    """Rows of the old → new commune conversion table, in file order; each row keeps its line
    number in the file (`row`) so later checks can name it."""
    rows = _read_rows(path)
    header_index, columns = _find_header(
        rows, _CONVERSION_ALIASES, _CONVERSION_REQUIRED, path, _CONVERSION_EXPECTED
    )
    result = []
    for row_index in range(header_index + 1, len(rows)):
        row = rows[row_index]
        row_number = row_index + 1
        if _is_blank(row) or _is_title(row, columns):
            continue
        new_code = _code(_cell(row, columns["new_code"]), COMMUNE)
        if not new_code:
            raise _missing_code(path, row_number, "Mã Xã mới")
        # No old code: a whole island district became a special zone (its code is in the district
        # column), or an area that was no commune at all; the crosswalk import decides.
        old_code = _code(_cell(row, columns["old_code"]), COMMUNE)
        result.append(
            ConversionRow(
                row=row_number,
                new_province=clean(_cell(row, columns.get("province"))),
                new_code=new_code,
                new_name=clean(_cell(row, columns["new_name"])),
                old_code=old_code,
                old_name=clean(_cell(row, columns["old_name"])),
                note=clean(_cell(row, columns.get("note"))),
                old_district=clean(_cell(row, columns.get("old_district"))),
                old_province=clean(_cell(row, columns.get("old_province"))),
                share=clean(_cell(row, columns.get("share"))),
            )
        )
    return result
