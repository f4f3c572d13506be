"""Writing user text into spreadsheets safely: a cell that starts with =, +, - or @ is written as
text, never as a formula (spreadsheet formula injection)."""

from hatangso.utilities.text import looks_like_formula


def append_row(sheet, values: list) -> None:
    """Append a row; formula-like text goes in as a string cell (Excel shows it, never evaluates it).
    The cells are made before appending: finding the new row afterwards (`sheet.max_row`) reads
    every cell of the sheet, once per row written."""
    from openpyxl.cell.cell import Cell

    def cell(value):
        if not (isinstance(value, str) and looks_like_formula(value)):
            return value
        text = Cell(sheet, value=value)
        text.data_type = "s"
        return text

    sheet.append([cell(value) for value in values])


def set_widths(sheet, widths: dict[int, float]) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def csv_cell(value) -> str:
    """A CSV cell: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if looks_like_formula(text) else text
