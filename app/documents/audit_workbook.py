"""The audit trail as an Excel workbook: one sheet, one row per event, oldest first.

It writes through the shared workbook helper (``app.documents.workbook``: the styled,
frozen header row with a filter, money as numbers in yuan with a ¥ format, times as Excel
date-times in the hall's time zone, columns as wide as their content), like the leader's
reports, so every workbook HallDesk writes looks and reads the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

from app.documents.report_tables import Cell, LocalTime, Money
from app.domain.audit_actions import action_text, detail_summary, record_name
from app.i18n import N_, _, format_date

#: The columns' headers (``N_`` msgids, translated when written).
AUDIT_COLUMNS: Final[tuple[str, ...]] = (
    N_("Time"),
    N_("Staff number"),
    N_("Name"),
    N_("Action"),
    N_("Record"),
    N_("Record id"),
    N_("Approved by"),
    N_("Amount"),
    N_("Details"),
    N_("Action code"),
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

    def _line(self, row: AuditLine) -> list[Cell]:
        local = row.at.astimezone(self._zone).replace(tzinfo=None)
        approver = " ".join(p for p in (row.approved_by_no, row.approved_by_name) if p)
        return [
            LocalTime(local),
            row.staff_no,
            row.staff_name,
            action_text(row.action),
            record_name(row.entity, row.entity_id, row.detail) if row.entity else "",
            row.entity_id,
            approver,
            None if row.amount_fen is None else Money(row.amount_fen),
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
        from app.documents.workbook import new_workbook, save_workbook, write_table

        book = new_workbook(_("Audit trail"), now())
        sheet = book.create_sheet(_("Audit trail")[:31])
        title = [
            _("Audit trail"),
            self._period(),
            _("Exported by {staff_no} at {time}").format(
                staff_no=exported_by, time=now().strftime("%Y-%m-%d %H:%M")
            ),
        ]
        lines = [self._line(r) for r in rows]
        write_table(sheet, [_(c) for c in AUDIT_COLUMNS], lines, title_lines=title)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_workbook(book, path)
        return len(lines)
