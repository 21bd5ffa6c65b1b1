"""The complaints worklist as a lazy table model: ids sorted and filtered in SQL up front,
display rows (with the clock read now) fetched a page at a time as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from app.domain.complaint_clock import Level
from app.domain.complaint_deadline import due_text
from app.i18n import N_, format_datetime
from app.services.complaints import WorklistFilter, WorklistRow, WorklistSort
from ui.complaints.labels import (
    category_text,
    department_text,
    level_colour,
    risk_text,
    status_text,
    time_left_text,
)
from ui.widgets import (
    ALIGN_LEFT,
    ALIGNMENT_ROLE,
    DISPLAY_ROLE,
    FONT_ROLE,
    FOREGROUND_ROLE,
    TOOLTIP_ROLE,
    RowRole,
)
from ui.worklist_model import Index, LazyWorklistModel, Runner, WorklistSource

BACKGROUND_ROLE: Final = int(Qt.ItemDataRole.BackgroundRole)
_AMBER_BG: Final = QBrush(QColor("#fff4e0"))
_RED_BG: Final = QBrush(QColor("#fde7e7"))


@dataclass(frozen=True)
class WorklistColumn:
    title: str
    text: Callable[[WorklistRow, str], str]
    sort_key: str | None = None


def _received(row: WorklistRow, timezone: str) -> str:
    return format_datetime(row.received_at, timezone, fmt="short")


def _due(row: WorklistRow, timezone: str) -> str:
    return due_text(row.reading.deadline.due_at, timezone)


def _statutory(row: WorklistRow, timezone: str) -> str:
    return due_text(row.reading.statutory_due, timezone)


COLUMNS: Final[tuple[WorklistColumn, ...]] = (
    WorklistColumn(N_("Time left"), lambda r, _tz: time_left_text(r.reading), "time_left"),
    WorklistColumn(N_("Number"), lambda r, _tz: r.number),
    WorklistColumn(N_("Received at"), _received, "received"),
    WorklistColumn(N_("Customer"), lambda r, _tz: r.customer_name),
    WorklistColumn(N_("Category"), lambda r, _tz: category_text(r.category)),
    WorklistColumn(N_("Status"), lambda r, _tz: status_text(r.status)),
    WorklistColumn(N_("Department"), lambda r, _tz: department_text(r.department)),
    WorklistColumn(N_("Taken by"), lambda r, _tz: r.staff_no),
    WorklistColumn(N_("Answer due"), _due),
    WorklistColumn(N_("Statutory date"), _statutory),
    WorklistColumn(N_("Appeal risk"), lambda r, _tz: "、".join(risk_text(x) for x in r.risks)),
    WorklistColumn(N_("What happened"), lambda r, _tz: r.summary),
)
COL_TIME_LEFT, COL_NUMBER = 0, 1


class ComplaintWorklistModel(LazyWorklistModel[str, WorklistRow, WorklistFilter, WorklistSort]):
    """Complaints in the service's SQL order (by the hall's time left by default); amber
    rows have three days or less left (hall's deadline or statutory date), red rows are
    overdue or past the statutory date unanswered. Never sorts or filters in Python."""

    def __init__(
        self,
        source: WorklistSource[str, WorklistRow, WorklistFilter, WorklistSort],
        runner: Runner,
        timezone: str,
        parent: Any = None,
    ) -> None:
        super().__init__(
            source,
            runner,
            [c.title for c in COLUMNS],
            lambda row: row.complaint_id.hex,
            WorklistFilter(),
            WorklistSort(),
            parent,
        )
        self._timezone = timezone

    def sort_column(self) -> int:
        return next((n for n, c in enumerate(COLUMNS) if c.sort_key == self._sort.key), 0)

    @staticmethod
    def sort_key_of(column: int) -> str | None:
        return COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        row = self.cached_row(index.row())
        if row is None:
            return None
        column = index.column()
        if role in (DISPLAY_ROLE, TOOLTIP_ROLE):
            return COLUMNS[column].text(row, self._timezone)
        if role == ALIGNMENT_ROLE:
            return int(ALIGN_LEFT)
        level = row.reading.level
        if role == FOREGROUND_ROLE and column == COL_TIME_LEFT:
            return level_colour(level)
        if role == BACKGROUND_ROLE:
            if level is Level.RED:
                return _RED_BG
            if level is Level.AMBER:
                return _AMBER_BG
            return None
        if role == FONT_ROLE and column == COL_TIME_LEFT and level in (Level.RED, Level.AMBER):
            return self._bold
        if role == RowRole:
            return row
        return None
