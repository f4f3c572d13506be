"""`utilities.tabular.read_table` of CSV: every cell as `clean_text` makes it, whether the file's
cells are clean already (read without cleaning them one by one) or not."""

import csv
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hatangso.utilities.tabular import read_table
from hatangso.utilities.text import clean_text

# Letters in both Unicode forms, delimiters, quotes, and every kind of space a file brings.
PIECES = ["a", "Đ", "ư", "ơ\u0301", unicodedata.normalize("NFD", "ệ"), "1", ",", ";", '"', " ", "  ", "\t",
          "\n", "\r\n", "\u00a0", "\u2003", "\x1c"]  # fmt: skip
CELL_TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


def _written(tmp_path, rows: list[list[str]], line_end: str = "\n"):
    path = tmp_path / "values.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator=line_end).writerows(rows)
    return path


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(st.lists(CELL_TEXT, min_size=3, max_size=3), min_size=1, max_size=4),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_csv_cells_read_as_clean_text_makes_them(tmp_path_factory, cells, line_end):
    path = _written(tmp_path_factory.mktemp("csv"), [["ma", "ten", "gia_tri"], *cells], line_end)
    expected = [
        {"ma": a, "ten": b, "gia_tri": c}
        for a, b, c in ([clean_text(cell) for cell in row] for row in cells)
        if a or b or c
    ]
    assert [row for _, row in read_table(path).rows] == expected


CELLS = [
    "Phường Tứ Hạ",  # clean: read without cleaning
    " Phường Tứ Hạ",
    "Phường Tứ Hạ ",
    "Phường  Tứ Hạ",
    "Phường\tTứ Hạ",
    "Phường\nTứ Hạ",
    "Phường\u00a0Tứ Hạ",
    unicodedata.normalize("NFD", "Phường Tứ Hạ"),
    "Tứ Hạ, Hương Trà",
    " Tứ Hạ,Hương;Trà",  # quoted in either delimiter, a space inside the quotes
    "Tứ Hạ,Hương;Trà ",
]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("column", [0, 1, 2])
@pytest.mark.parametrize(
    ("delimiter", "line_end", "last_line_ended"), [(",", "\n", True), (";", "\r\n", True), (",", "\n", False)]
)
def test_each_unclean_cell_is_cleaned(tmp_path, cell, column, delimiter, line_end, last_line_ended):
    """Anywhere in a file (first, middle or last column, the file's very end), in either line end."""
    header, first = ["ma", "ten", "ghi_chu"], ["19996", "Phường Tứ Hạ", "a"]
    last = ["20032", "Xã Hương Toàn", "b"]
    last[column] = cell
    path = tmp_path / "values.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=line_end).writerows([header, first, last])
    if not last_line_ended:
        path.write_text(path.read_text(encoding="utf-8").removesuffix(line_end), encoding="utf-8")
    assert read_table(path).rows == [
        (2, dict(zip(header, first, strict=True))),
        (3, dict(zip(header, map(clean_text, last), strict=True))),
    ]
