"""The audit trail as a lazy table model: the service filters and sorts in SQL and hands
out pages (a keyset after the last row shown); the model asks for the next page as the
view scrolls, on the context's task worker, and drops an answer that belongs to an older
filter or sort. Never sorts or filters in Python."""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.domain.audit_actions import action_text, detail_summary, record_name
from app.i18n import N_, _, format_datetime, format_money
from app.services.audit import AuditFilter, AuditRow, AuditSort, AuditTrailService
from ui.context import AppContext
from ui.widgets import ALIGN_RIGHT

Index = QModelIndex | QPersistentModelIndex

COLUMNS: Final = (
    (N_("Time"), "at"),
    (N_("Staff"), "staff"),
    (N_("Action"), "action"),
    (N_("Record"), "record"),
    (N_("Approved by"), None),
    (N_("Amount"), None),
    (N_("Details"), None),
)
COL_AMOUNT: Final = 5


def person_text(staff_no: str, name: str) -> str:
    return " ".join(p for p in (staff_no, name) if p) or "—"


def record_text(row: AuditRow) -> str:
    return record_name(row.entity, row.entity_id, row.detail)


class AuditTrailModel(QAbstractTableModel):
    """The trail's events for one filter and sort, a page at a time (never sorted or
    filtered here: a new filter or sort asks the service again)."""

    loaded = Signal()

    def __init__(
        self, ctx: AppContext, parent: QObject | None = None, *, page_size: int = 200
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = ctx.service(AuditTrailService)
        self._filter = AuditFilter()
        self._sort = AuditSort()
        self._rows: list[AuditRow] = []
        self._more = False
        self._loading = False
        self._generation = 0
        self._page_size = page_size
        self.total = 0
        self.error: BaseException | None = None

    # -- queries ----------------------------------------------------------------------------

    @property
    def audit_filter(self) -> AuditFilter:
        return self._filter

    @property
    def audit_sort(self) -> AuditSort:
        return self._sort

    @property
    def loading(self) -> bool:
        return self._loading

    def set_query(self, flt: AuditFilter | None = None, sort: AuditSort | None = None) -> None:
        """Start over with a new filter and/or sort: the count and the first page are read
        in the background; until then the table is empty."""
        self._filter = flt or self._filter
        self._sort = sort or self._sort
        self._generation += 1
        generation = self._generation
        self.beginResetModel()
        self._rows = []
        self._more = False
        self.endResetModel()
        self._loading = True
        viewer, flt_now, sort_now, size = self._ctx.actor, self._filter, self._sort, self._page_size

        def work() -> tuple[int, list[AuditRow]]:
            return (
                self._service.count(viewer, flt_now),
                self._service.page(viewer, flt_now, sort_now, None, size),
            )

        self._ctx.tasks.run(
            work,
            on_done=lambda found: self._first_page(generation, found),
            on_error=lambda exc: self._failed(generation, exc),
        )

    def _first_page(self, generation: int, found: tuple[int, list[AuditRow]]) -> None:
        if generation != self._generation:
            return
        self.total, rows = found
        self._loading = False
        self.error = None
        self._append(rows)
        self.loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.error = exc
        self.loaded.emit()

    def _append(self, rows: list[AuditRow]) -> None:
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._more = len(rows) == self._page_size

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent) or not self._rows:
            return
        self._loading = True
        generation = self._generation
        viewer, flt, sort, after = self._ctx.actor, self._filter, self._sort, self._rows[-1]
        size = self._page_size

        def done(rows: list[AuditRow]) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self._append(rows)
            self.loaded.emit()

        self._ctx.tasks.run(
            lambda: self._service.page(viewer, flt, sort, after, size),
            on_done=done,
            on_error=lambda exc: self._failed(generation, exc),
        )

    def row_at(self, row: int) -> AuditRow:
        return self._rows[row]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            )

    # -- Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return _(COLUMNS[section][0])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_AMOUNT:
            return int(ALIGN_RIGHT)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def _text(self, row: AuditRow, column: int) -> str:
        if column == 0:
            return format_datetime(row.at, self._ctx.hall.timezone, fmt="medium")
        if column == 1:
            return person_text(row.staff_no, row.staff_name)
        if column == 2:
            return action_text(row.action)
        if column == 3:
            return record_text(row)
        if column == 4:
            return (
                person_text(row.approved_by_no, row.approved_by_name) if row.approved_by_no else ""
            )
        if column == COL_AMOUNT:
            return format_money(row.amount_fen) if row.amount_fen is not None else ""
        return detail_summary(row.detail)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        self.set_query(sort=AuditSort(key, order == Qt.SortOrder.DescendingOrder))
