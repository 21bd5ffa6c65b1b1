"""The audit trail as an Excel workbook (openpyxl), and the small styled-sheet helper it
writes with.

The helper (:class:`SheetColumn`, :func:`write_sheet`) is what a leader expects of any
exported table: headers in the user's language (Chinese by default) in bold on a tinted,
frozen first row with a filter; money as numbers in yuan with a ¥ format (never text, so
the sheet can sum it); times as Excel date-times in the hall's time zone; every column
as wide as its widest cell (a Chinese character counts twice). It is self-contained on
purpose: the leader's reports write with a helper of the same shape (``workbook.py`` on
their branch), and the two become one when merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

from app.domain.audit_actions import action_text, detail_summary, record_name
from app.i18n import N_, _, format_date

#: Excel number formats: yuan with the ¥ sign (two decimals), a date-time, a date.
MONEY_FORMAT: Final = '"¥"#,##0.00;-"¥"#,##0.00'
DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT: Final = "yyyy-mm-dd"
HEADER_FILL: Final = "DDE7F0"
#: The widest a column gets (characters); longer texts wrap in Excel's own way.
MAX_WIDTH: Final = 60


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """One column: its header (an ``N_`` msgid, translated when written) and its kind:
    ``text``, ``money`` (integer fen, written in yuan), ``datetime`` (naive local) or
    ``int``."""

    title: str
    kind: str = "text"


def display_width(value: Any) -> int:
    """Characters as Excel's column width counts them (East Asian wide ones twice)."""
    import unicodedata

    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "money":
        return Decimal(int(value)) / 100
    return value


def write_sheet(
    sheet: Any,
    columns: Sequence[SheetColumn],
    rows: Iterable[Sequence[Any]],
    *,
    title_lines: Sequence[str] = (),
) -> int:
    """Fill an openpyxl worksheet: optional title lines, then the header row (frozen,
    with a filter) and the rows. Returns the number of rows written."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    widths = [display_width(_(c.title)) for c in columns]
    for line_no, title in enumerate(title_lines, start=1):
        sheet.cell(row=line_no, column=1, value=title).font = Font(bold=True)
    header_row = len(title_lines) + 2 if title_lines else 1  # a blank line under the title
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index, value=_(column.title))
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center")
    line = header_row
    for row in rows:
        line += 1
        values = [_cell_value(c.kind, v) for c, v in zip(columns, row, strict=True)]
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            if value is None:
                continue
            cell = sheet.cell(row=line, column=index, value=value)
            if column.kind == "money":
                cell.number_format = MONEY_FORMAT
                shown = f"¥{value:,.2f}"
            elif column.kind == "datetime":
                cell.number_format = DATETIME_FORMAT
                shown = "0000-00-00 00:00:00"
            else:
                shown = str(value)
            widths[index - 1] = max(widths[index - 1], display_width(shown))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header_row}:{last}{line}"
    return line - header_row


AUDIT_COLUMNS: Final[tuple[SheetColumn, ...]] = (
    SheetColumn(N_("Time"), "datetime"),
    SheetColumn(N_("Staff number")),
    SheetColumn(N_("Name")),
    SheetColumn(N_("Action")),
    SheetColumn(N_("Record")),
    SheetColumn(N_("Record id")),
    SheetColumn(N_("Approved by")),
    SheetColumn(N_("Amount"), "money"),
    SheetColumn(N_("Details")),
    SheetColumn(N_("Action code")),
)


class AuditLine(Protocol):
    """What the workbook reads of an audit event (``app.services.audit.AuditRow``)."""

    @property
    def at(self) -> datetime: ...
    @property
    def staff_no(self) -> str: ...
    @property
    def staff_name(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def entity(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def approved_by_no(self) -> str: ...
    @property
    def approved_by_name(self) -> str: ...
    @property
    def detail(self) -> dict[str, Any]: ...
    @property
    def amount_fen(self) -> int | None: ...


class AuditWorkbook:
    """The audit trail of a period: one sheet, one row per event, oldest first."""

    def __init__(self, *, timezone: str, start: date | None, end: date | None) -> None:
        self._zone = ZoneInfo(timezone)
        self._start = start
        self._end = end

    def _line(self, row: AuditLine) -> list[Any]:
        local = row.at.astimezone(self._zone).replace(tzinfo=None, microsecond=0)
        approver = " ".join(p for p in (row.approved_by_no, row.approved_by_name) if p)
        return [
            local,
            row.staff_no,
            row.staff_name,
            action_text(row.action),
            record_name(row.entity, row.entity_id, row.detail) if row.entity else "",
            row.entity_id,
            approver,
            row.amount_fen,
            detail_summary(row.detail),
            row.action,
        ]

    def _period(self) -> str:
        start = format_date(self._start) if self._start else "…"
        end = format_date(self._end) if self._end else "…"
        return _("Period: {start} – {end}").format(start=start, end=end)

    def write(
        self,
        path: Path,
        rows: Iterable[AuditLine],
        *,
        exported_by: str,
        now: Callable[[], datetime] = datetime.now,
    ) -> int:
        """Write the workbook (to a temporary file first, then renamed, so a failed
        export never leaves half a file under the name asked for)."""
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = _("Audit trail")[:31]
        title = [
            _("Audit trail"),
            self._period(),
            _("Exported by {staff_no} at {time}").format(
                staff_no=exported_by, time=now().strftime("%Y-%m-%d %H:%M")
            ),
        ]
        count = write_sheet(sheet, AUDIT_COLUMNS, (self._line(r) for r in rows), title_lines=title)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        book.save(partial)
        partial.replace(path)
        return count
