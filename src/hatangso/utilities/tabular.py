"""Reading CSV and XLSX files into rows of clean text, with the row numbers a user sees."""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from hatangso.utilities.errors import UserError
from hatangso.utilities.text import clean_text, strip_accents


@dataclass
class Table:
    columns: list[str]
    # (row number as the user sees it in the file, {column: text})
    rows: list[tuple[int, dict[str, str]]]
    sheet: str = ""


def header_key(name: str) -> str:
    """Header cells are matched ignoring case, accents and spacing ("Mã đơn vị" == "ma_don_vi")."""
    return "_".join(strip_accents(name).replace("-", " ").replace("_", " ").split())


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def _table_from_matrix(matrix: list[list[object]], sheet: str = "", cell=_cell_text) -> Table:
    """The rows under the first non-empty one (the header) as {column: text}; `cell` makes a cell's
    text (a CSV's cells are text already: `clean_text`; None: clean already)."""
    header_index = next((i for i, row in enumerate(matrix) if any(_cell_text(c) for c in row)), None)
    if header_index is None:
        raise UserError("Tệp không có dữ liệu", "The file has no data")
    columns = [header_key(_cell_text(c)) for c in matrix[header_index]]
    named = [(i, column) for i, column in enumerate(columns) if column]
    rows = []
    for offset, raw in enumerate(matrix[header_index + 1 :], start=header_index + 2):
        cells = raw if cell is None else list(map(cell, raw))
        if not any(cells):
            continue
        if len(cells) < len(columns):
            cells += [""] * (len(columns) - len(cells))
        # Most files name every column: zip them (a national file has a million rows).
        text = (
            dict(zip(columns, cells, strict=True))
            if len(named) == len(cells)
            else {c: cells[i] for i, c in named}
        )
        rows.append((offset, text))
    return Table(columns=[c for c in columns if c], rows=rows, sheet=sheet)


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Read the first (or the named) sheet of an XLSX file, or a CSV file (UTF-8, comma or semicolon)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {path}", f"File {path} not found")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        try:
            workbook = CalamineWorkbook.from_path(str(path))
        except Exception as exc:
            raise UserError(
                f"Không đọc được tệp Excel {path.name}: {exc}", f"Cannot read Excel file {path.name}: {exc}"
            ) from exc
        name = sheet or workbook.sheet_names[0]
        if name not in workbook.sheet_names:
            raise UserError(f"Tệp không có trang tính '{name}'", f"The workbook has no sheet '{name}'")
        return _table_from_matrix(workbook.get_sheet_by_name(name).to_python(), sheet=name)
    if suffix in {".csv", ".txt"}:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(
                f"Tệp {path.name} không phải UTF-8; hãy lưu lại dưới dạng CSV UTF-8",
                f"File {path.name} is not UTF-8; save it again as CSV UTF-8",
            ) from exc
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        # NFC for the whole text at once: no delimiter, quote or line end composes with what follows.
        text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
        if '"' in text or "\r" in text:
            matrix = list(csv.reader(io.StringIO(text), delimiter=delimiter))
            one_line_each = len(matrix) == text.count("\n") + (not text.endswith("\n"))
        else:  # without quotes a record is a line, its cells what the delimiters part (RFC 4180)
            matrix = [line.split(delimiter) for line in text.split("\n")]
            one_line_each = True
        clean = one_line_each and _spaced_cleanly(text)
        return _table_from_matrix(matrix, cell=None if clean else clean_text)
    if suffix == ".json":
        return _table_from_data_value_set(path)
    raise UserError(
        f"Định dạng tệp {suffix or '(không có đuôi)'} không được hỗ trợ; dùng .csv, .xlsx hoặc .json (DHIS2)",
        f"File type {suffix or '(no extension)'} is not supported; use .csv, .xlsx or .json (DHIS2)",
    )


# Whitespace in a CSV text that `clean_text` would change in a cell: any but a space or a line end,
# or a space doubled or at a cell's (or a quote's) start or end. A match may lie inside a cell (", "),
# which only means that the file's cells are cleaned one by one.
_OTHER_SPACE = re.compile(r"[^\S \n]")
_SPACES_AT_EDGES = ("  ", " ,", ", ", " ;", "; ", ' "', '" ', " \n", "\n ")


def _spaced_cleanly(text: str) -> bool:
    """Whether no cell of this NFC CSV text (none holding a line end) has whitespace that
    `clean_text` would change (the header's cells are cleaned anyway): a national file's five
    million cells then need no cleaning one by one. A few scans of the text: one regular expression
    of all cases took 1,2 s for 43 MB."""
    if _OTHER_SPACE.search(text):
        return False
    if " " not in text:
        return True
    return not (text.endswith(" ") or any(edge in text for edge in _SPACES_AT_EDGES))


# A data value's fields as DHIS2 writes them, and the data value set's, which apply to the values
# that lack them (https://docs.dhis2.org/ Web API "Data values").
DATA_VALUE_FIELDS = (
    "dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "comment",
    "storedBy", "created", "lastUpdated", "followup", "deleted", "dataSet", "completeDate",
)  # fmt: skip
DATA_VALUE_SET_FIELDS = ("dataSet", "completeDate", "period", "orgUnit", "attributeOptionCombo")


# A dataValueSets document nests 3 levels (document, dataValues, value); deeper is not one, and
# would exhaust the parser's recursion. The size bounds the memory a JSON document takes.
MAX_JSON_DEPTH = 20
MAX_JSON_BYTES = 50 * 2**20
_JSON_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (the text need not be valid JSON)."""
    depth = deepest = 0
    for char in _JSON_BRACKETS.findall(_JSON_STRINGS.sub("", text)):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _table_from_data_value_set(path: Path) -> Table:
    """A DHIS2 `dataValueSets` JSON document; its own fields (dataSet, completeDate, period, orgUnit,
    attributeOptionCombo) apply to values that lack them. Row n is the n-th data value."""
    if path.stat().st_size > MAX_JSON_BYTES:
        raise UserError(
            f"Tệp {path.name} lớn hơn {MAX_JSON_BYTES // 2**20} MB; hãy chia thành nhiều tệp",
            f"File {path.name} is larger than {MAX_JSON_BYTES // 2**20} MB; split it into several files",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
        if _json_depth(text) > MAX_JSON_DEPTH:
            raise UserError(
                f"Tệp {path.name} lồng quá {MAX_JSON_DEPTH} cấp; dataValueSets chỉ cần 3 cấp",
                f"File {path.name} nests deeper than {MAX_JSON_DEPTH} levels; dataValueSets need 3",
            )
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(
            f"Tệp {path.name} không phải JSON hợp lệ ({exc})", f"File {path.name} is not valid JSON ({exc})"
        ) from exc
    values = document.get("dataValues") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise UserError(
            f"Tệp {path.name} không có danh sách dataValues (định dạng DHIS2 dataValueSets)",
            f"File {path.name} has no dataValues list (DHIS2 dataValueSets format)",
        )
    defaults = {f: document.get(f) for f in DATA_VALUE_SET_FIELDS}
    rows = []
    for number, item in enumerate(values, start=1):
        item = item if isinstance(item, dict) else {}
        rows.append(
            (
                number,
                {
                    # null is absent; false and 0 are values
                    header_key(field): _cell_text(item.get(field, defaults.get(field)))
                    for field in DATA_VALUE_FIELDS
                },
            )
        )
    return Table(columns=[header_key(f) for f in DATA_VALUE_FIELDS], rows=rows)
