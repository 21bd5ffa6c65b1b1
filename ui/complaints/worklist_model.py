"""The complaints worklist as a lazy table model: ids sorted and filtered in SQL up front,
display rows (with the clock read now) fetched a page at a time as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.domain.complaint_clock import Level
from app.i18n import N_, _, format_datetime
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
    ROW_FLAGS,
    TOOLTIP_ROLE,
    RowRole,
)

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE: Final = 100
BACKGROUND_ROLE: Final = int(Qt.ItemDataRole.BackgroundRole)
_AMBER_BG: Final = QBrush(QColor("#fff4e0"))
_RED_BG: Final = QBrush(QColor("#fde7e7"))


class WorklistSource(Protocol):
    def worklist_ids(self, filter: WorklistFilter, sort: WorklistSort) -> list[str]: ...

    def worklist_rows(self, ids: list[str]) -> list[WorklistRow]: ...


@dataclass(frozen=True)
class WorklistColumn:
    title: str
    text: Callable[[WorklistRow, str], str]
    sort_key: str | None = None


def _received(row: WorklistRow, timezone: str) -> str:
    return format_datetime(row.received_at, timezone, fmt="short")


def _due(row: WorklistRow, timezone: str) -> str:
    return format_datetime(row.reading.deadline.due_at, timezone, fmt="short")


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
    WorklistColumn(N_("Appeal risk"), lambda r, _tz: "、".join(risk_text(x) for x in r.risks)),
    WorklistColumn(N_("What happened"), lambda r, _tz: r.summary),
)
COL_TIME_LEFT, COL_NUMBER = 0, 1


class ComplaintWorklistModel(QAbstractTableModel):
    """Complaints in the service's SQL order (by time left by default); amber rows have
    three days or less left, red rows are overdue. Never sorts or filters in Python."""

    def __init__(self, source: WorklistSource, timezone: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._timezone = timezone
        self._filter = WorklistFilter()
        self._sort = WorklistSort()
        self._ids: list[str] = []
        self._rows: list[WorklistRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def worklist_filter(self) -> WorklistFilter:
        return self._filter

    @property
    def worklist_sort(self) -> WorklistSort:
        return self._sort

    def set_query(
        self, filter: WorklistFilter | None = None, sort: WorklistSort | None = None
    ) -> None:
        if filter is not None:
            self._filter = filter
        if sort is not None:
            self._sort = sort
        self._requery(PAGE_SIZE)

    def reload(self) -> None:
        self._requery(max(PAGE_SIZE, len(self._rows)))

    def _requery(self, wanted: int) -> None:
        self.beginResetModel()
        self._ids = list(self._source.worklist_ids(self._filter, self._sort))
        self._rows = []
        self._rows.extend(self._fetch(wanted))
        self.endResetModel()

    def _fetch(self, count: int) -> list[WorklistRow]:
        start = len(self._rows)
        wanted = self._ids[start : start + count]
        if not wanted:
            return []
        return list(self._source.worklist_rows(wanted))

    def total_count(self) -> int:
        return len(self._ids)

    def row_at(self, row: int) -> WorklistRow:
        return self._rows[row]

    def row_of(self, complaint_hex: str) -> int:
        return next(
            (n for n, r in enumerate(self._rows) if r.complaint_id.hex == complaint_hex), -1
        )

    def sort_column(self) -> int:
        return next((n for n, c in enumerate(COLUMNS) if c.sort_key == self._sort.key), 0)

    @staticmethod
    def sort_key_of(column: int) -> str | None:
        return COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            )

    # -- Qt model --

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < len(self._ids)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        found = self._fetch(PAGE_SIZE)
        if not found:
            # Ids whose rows vanished: stop asking for them.
            del self._ids[len(self._rows) :]
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(found) - 1)
        self._rows.extend(found)
        self.endInsertRows()

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return _(COLUMNS[section].title)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        row_no = index.row()
        if not 0 <= row_no < len(self._rows):
            return None
        row = self._rows[row_no]
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
