"""Spreadsheet cells that cannot become formulas (issue 18 item 3, CWE-1236).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, WPS and LibreOffice
as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`). Every export writes its cells through these helpers:
CSV cells get a leading apostrophe (OWASP's advice; spreadsheet programs show the text as entered), XLSX text
cells are written as strings, never as formulas. Numbers, dates and plain numeric text (`-5`, `+86…`) are kept.
"""

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*%?")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(value)


def csv_cell(value):
    """A CSV cell's text: formula-like text behind an apostrophe."""
    return "'" + value if is_formula_like(value) else value


def xlsx_cell(sheet, value):
    """A value for openpyxl: formula-like text as a string cell (openpyxl would store `=…` as a formula)."""
    if not is_formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def set_xlsx_text(cell, value):
    """For a normal (not write-only) worksheet cell: store `value`, formula-like text as a string."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
    return cell
