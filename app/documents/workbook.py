"""Excel workbooks (openpyxl): the shared writing helper and a ``ReportBook`` as a workbook.

What every workbook HallDesk writes looks like: a styled header row (bold on a shaded
fill, thin borders) frozen in place, columns as wide as their content (a CJK character
counts double, as Excel draws it), money as a number with a ¥ format (never text, so
the leader can add it up), rates as numbers with a percent format, dates as dates. The
values come from the typed cells of ``app.documents.report_tables``; the text Excel shows
is its own rendering of the same number.

openpyxl is imported here only: screens and services load this module when they write a
workbook, not at start-up.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Final

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.documents.report_tables import (
    Cell,
    ChartSeries,
    ChartStyle,
    LocalTime,
    Money,
    Percent,
    ReportBook,
    cell_text,
)
from app.i18n import _, format_datetime

#: Money: yuan with two decimals after a ¥, negative amounts red with a minus sign.
YUAN_FORMAT: Final = '"¥"#,##0.00;[Red]-"¥"#,##0.00'
PERCENT_FORMAT: Final = "0.0%"
DATE_FORMAT: Final = "yyyy-mm-dd"
DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"
COUNT_FORMAT: Final = "#,##0"
#: Excel's limit for a sheet's name, and the characters it refuses in one.
SHEET_TITLE_MAX: Final = 31
_BAD_TITLE_CHARS: Final = frozenset("\\/*?:[]")
MIN_WIDTH: Final = 6
MAX_WIDTH: Final = 60

_THIN: Final = Side(style="thin", color="A0A0A0")
HEADER_FONT: Final = Font(bold=True)
HEADER_FILL: Final = PatternFill("solid", fgColor="DCE6F1")
HEADER_BORDER: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ALIGNMENT: Final = Alignment(horizontal="center", vertical="center")
TOTAL_FONT: Final = Font(bold=True)
#: Text longer than the widest column wraps inside it (a note on the summary sheet).
WRAP: Final = Alignment(wrap_text=True, vertical="top")


def display_width(text: str) -> int:
    """How many columns ``text`` takes in Excel's default font: wide and full-width
    characters (CJK, full-width digits) count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def excel_value(
    cell: Cell,
) -> tuple[str | int | Decimal | date | datetime | None, str | None]:
    """The value openpyxl stores for a report cell, and its number format (None: General).
    Money is yuan as an exact ``Decimal`` (fen / 100), never a float made from text."""
    if cell is None:
        return None, None
    if isinstance(cell, Money):
        return Decimal(cell.fen) / 100, YUAN_FORMAT
    if isinstance(cell, Percent):
        return cell.fraction, PERCENT_FORMAT
    if isinstance(cell, LocalTime):
        return cell.at, DATETIME_FORMAT
    if isinstance(cell, Decimal):
        places = max(0, -int(cell.as_tuple().exponent))
        return cell, "0." + "0" * places if places else "0"
    if isinstance(cell, bool):
        raise TypeError("a report cell is never a bool")
    if isinstance(cell, int):
        return cell, COUNT_FORMAT
    if isinstance(cell, datetime):
        raise TypeError("format times before they go into a report cell")
    if isinstance(cell, date):
        return cell, DATE_FORMAT
    return cell, None


def put(ws: Worksheet, row: int, column: int, cell: Cell, *, bold: bool = False) -> XlCell:
    """Write one typed cell. Text is always text: one starting with ``=`` is not a formula."""
    value, number_format = excel_value(cell)
    target = ws.cell(row=row, column=column)
    assert isinstance(target, XlCell)  # never a merged cell: report sheets merge nothing
    target.value = value
    if isinstance(value, str):
        if value.startswith("="):
            target.data_type = "s"
        if display_width(value) > MAX_WIDTH:
            target.alignment = WRAP
    if number_format is not None:
        target.number_format = number_format
    if bold:
        target.font = TOTAL_FONT
    return target


def write_header(ws: Worksheet, headers: Sequence[str], row: int = 1) -> None:
    """The styled header row; the sheet scrolls under it (frozen)."""
    for column, title in enumerate(headers, start=1):
        target = put(ws, row, column, title)
        target.font = HEADER_FONT
        target.fill = HEADER_FILL
        target.border = HEADER_BORDER
        target.alignment = HEADER_ALIGNMENT
    ws.freeze_panes = f"A{row + 1}"


def fit_columns(ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """Each column as wide as its widest shown text (header included), within limits."""
    for index, title in enumerate(headers):
        widest = max(
            [display_width(title), *(display_width(cell_text(r[index])) for r in rows)],
            default=0,
        )
        width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))
        ws.column_dimensions[get_column_letter(index + 1)].width = width


def write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    total: Sequence[Cell] | None = None,
    auto_filter: bool = True,
    title_lines: Sequence[str] = (),
) -> None:
    """A whole sheet: optional bold title lines (then a blank line), the header row, the
    rows, a bold total row, widths, a filter."""
    for line, title in enumerate(title_lines, start=1):
        put(ws, line, 1, title, bold=True)
    header = len(title_lines) + 2 if title_lines else 1
    write_header(ws, headers, header)
    for r, row in enumerate(rows, start=header + 1):
        for c, cell in enumerate(row, start=1):
            put(ws, r, c, cell)
    if total is not None:
        last = header + len(rows) + 1
        for c, cell in enumerate(total, start=1):
            put(ws, last, c, cell, bold=True)
    if auto_filter and rows:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(len(headers))}{header + len(rows)}"
    fit_columns(ws, headers, [*rows, *([total] if total is not None else [])])


def sheet_title(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no ``\\/*?:[]``, at most 31 characters, unique in the
    workbook (case-insensitive, as Excel compares)."""
    clean = "".join("_" if ch in _BAD_TITLE_CHARS else ch for ch in text).strip("' ") or "Sheet"
    title = clean[:SHEET_TITLE_MAX]
    n = 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = clean[: SHEET_TITLE_MAX - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title


def new_workbook(title: str, created: datetime | None = None) -> Workbook:
    """An empty workbook (no default sheet) with HallDesk as its author."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    book.properties.creator = "HallDesk"
    book.properties.title = title
    if created is not None:
        naive = created.replace(tzinfo=None)
        book.properties.created = naive
        book.properties.modified = naive
    return book


def save_workbook(book: Workbook, path: Path) -> Path:
    """Write the workbook next to ``path`` and move it into place, so a reader never sees
    half a file and a failed write leaves the old file as it was."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=".halldesk-", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _add_chart(ws: Worksheet, series: ChartSeries, rows: int, columns: int) -> None:
    chart = BarChart() if series.style is ChartStyle.BARS else LineChart()
    chart.title = series.title
    chart.legend = None
    chart.height = 9
    chart.width = 18
    values = Reference(ws, min_col=series.column + 1, min_row=1, max_row=rows + 1)
    days = Reference(ws, min_col=1, min_row=2, max_row=rows + 1)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(days)
    chart.y_axis.numFmt = YUAN_FORMAT if series.style is ChartStyle.BARS else PERCENT_FORMAT
    ws.add_chart(chart, f"{get_column_letter(columns + 2)}2")


def write_book(book: ReportBook, path: Path) -> Path:
    """One workbook for one report: a summary sheet (the report, the hall, the period, the
    headline figures and the notes), then one sheet per table, each chart beside its
    table's figures."""
    workbook = new_workbook(book.title, book.generated_at)
    taken: set[str] = set()
    summary = workbook.create_sheet(sheet_title(_("Summary"), taken))
    rows: list[tuple[Cell, Cell]] = [
        (_("Report"), book.title),
        (_("Hall"), book.hall_name),
        (_("From"), book.start),
        (_("To"), book.end),
        (_("Made at"), format_datetime(book.generated_at, book.timezone, fmt="medium")),
        *book.headline,
        *((_("Note"), note) for note in book.notes),
    ]
    write_table(summary, (_("Item"), _("Value")), rows, auto_filter=False)
    for table in book.tables:
        ws = workbook.create_sheet(sheet_title(table.title, taken))
        write_table(ws, table.headers, table.rows, total=table.total)
        for series in book.charts:
            if series.table == table.key and table.rows:
                _add_chart(ws, series, len(table.rows), len(table.headers))
    return save_workbook(workbook, path)


def table_sheet(book: ReportBook, key: str) -> str:
    """The sheet name ``write_book`` gives the table ``key`` (tests and scripts read it)."""
    taken: set[str] = set()
    sheet_title(_("Summary"), taken)
    for table in book.tables:
        title = sheet_title(table.title, taken)
        if table.key == key:
            return title
    raise KeyError(key)
