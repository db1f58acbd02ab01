"""A report table as files: XLSX (title rows, merged Chinese header rows, number formats, frozen panes) and
CSV (UTF-8 with BOM, so Excel opens it as UTF-8; the same header rows and cells).

Both are rendered from one `reports.definitions.Table`, so the two files and the HTML preview agree.
"""

import csv
import datetime
import decimal
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from django.utils.translation import gettext as _

from core.cells import csv_cell, set_xlsx_text

from .definitions import DATE, INTEGER, PERCENT, TEXT

NUMBER_FORMATS = {INTEGER: "#,##0", PERCENT: "0.0%", DATE: "yyyy-mm-dd", TEXT: "@"}
DEFAULT_WIDTHS = {INTEGER: 10, PERCENT: 9, DATE: 12, TEXT: 16}
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_ROWS = 3  # title, subtitle (region, period, as of), generated at; then a blank row


def cell_value(value, kind):
    """A cell as stored in XLSX: percentages as fractions (formatted 0.0 %), decimals as numbers."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def csv_value(value, kind):
    if value is None:
        return ""
    if kind == PERCENT and isinstance(value, (decimal.Decimal, float, int)):
        return f"{decimal.Decimal(value) * 100:.1f}%"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def render_xlsx(table, *, title, subtitle, generated_at, cover=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Report")[:31]
    width = max(len(table.columns), 1)

    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.cell(row=2, column=1, value=subtitle)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.cell(row=3, column=1, value=generated_at)
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    sheet.cell(row=3, column=1).font = Font(color="666666", size=9)
    # The official cover block (填报单位, 单位负责人, 联系电话 / 填表人, 报出日期 / the approval chain).
    for k, line in enumerate(cover, start=TITLE_ROWS + 1):
        sheet.cell(row=k, column=1, value=line)
        sheet.merge_cells(start_row=k, start_column=1, end_row=k, end_column=width)

    top = TITLE_ROWS + len(cover) + 2  # first header row (1-based), after a blank row
    for row, col, rowspan, colspan, text in table.header_cells():
        cell = sheet.cell(row=top + row, column=col + 1, value=text)
        if rowspan > 1 or colspan > 1:
            sheet.merge_cells(start_row=top + row, start_column=col + 1,
                              end_row=top + row + rowspan - 1, end_column=col + colspan)
    depth = table.header_depth
    for r in range(top, top + depth):
        for c in range(1, width + 1):
            cell = sheet.cell(row=r, column=c)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    first_data = top + depth
    kinds = [c.kind for c in table.columns]
    for i, values in enumerate(table.rows):
        for j, value in enumerate(values):
            cell = set_xlsx_text(sheet.cell(row=first_data + i, column=j + 1), cell_value(value, kinds[j]))
            cell.border = BORDER
            if value is not None and kinds[j] != TEXT:
                cell.number_format = NUMBER_FORMATS[kinds[j]]
    for j, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = column.width or DEFAULT_WIDTHS[column.kind]

    note_row = first_data + len(table.rows) + 1
    for k, note in enumerate(table.notes):
        sheet.cell(row=note_row + k, column=1, value=note).font = Font(italic=True, size=9)

    # Keep the header rows and the leading text columns (region, item …) in view while scrolling.
    leading = 0
    for column in table.columns:
        if column.kind != TEXT and column.key not in {"line", "number"}:
            break
        leading += 1
    leading = min(leading, 4)
    sheet.freeze_panes = sheet.cell(row=first_data, column=leading + 1)
    sheet.print_title_rows = f"{top}:{first_data - 1}"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_csv(table, *, title, subtitle, generated_at, cover=()) -> bytes:
    """The same table as CSV: the title lines, the header rows (a merged cell's text in its first column),
    the rows. UTF-8 with a byte-order mark, CRLF line ends (what Excel on Windows expects)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title])
    writer.writerow([subtitle])
    writer.writerow([generated_at])
    for line in cover:
        writer.writerow([line])
    for header_row in table.header_grid():
        writer.writerow(header_row)
    kinds = [c.kind for c in table.columns]
    for values in table.rows:
        writer.writerow([csv_cell(csv_value(v, kinds[j])) for j, v in enumerate(values)])  # no live formulas
    for note in table.notes:
        writer.writerow([note])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def preview_data(table, limit) -> dict:
    """The table for the HTML preview (JSON-able): header rows with spans, the first `limit` rows as text."""
    kinds = [c.kind for c in table.columns]
    return {
        "header": table.header_html_rows(),
        "kinds": kinds,
        "rows": [[csv_value(v, kinds[j]) for j, v in enumerate(values)] for values in table.rows[:limit]],
        "total_rows": len(table.rows),
        "notes": table.notes,
    }


# --- the whole table, stored with the run (so a submission or approval renders the cover block on the very
# figures that were built, never on a recomputation) ---------------------------------------------------

def _encode(value, kind):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _decode(value, kind):
    if value is None:
        return None
    if kind == DATE and isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if kind == PERCENT and isinstance(value, str):
        return decimal.Decimal(value)
    return value


def table_to_json(table) -> bytes:
    import json  # noqa: PLC0415

    kinds = [c.kind for c in table.columns]
    data = {
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind, "groups": [str(g) for g in c.groups],
                     "width": c.width} for c in table.columns],
        "rows": [[_encode(v, kinds[j]) for j, v in enumerate(values)] for values in table.rows],
        "notes": [str(n) for n in table.notes],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def table_from_json(raw: bytes):
    import json  # noqa: PLC0415

    from .definitions import Column, Table  # noqa: PLC0415

    data = json.loads(raw.decode("utf-8"))
    columns = [Column(c["key"], c["label"], c["kind"], tuple(c["groups"]), c["width"]) for c in data["columns"]]
    kinds = [c.kind for c in columns]
    rows = [[_decode(v, kinds[j]) for j, v in enumerate(values)] for values in data["rows"]]
    return Table(columns=columns, rows=rows, notes=data["notes"])
