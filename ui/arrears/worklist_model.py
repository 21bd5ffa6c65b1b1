"""The arrears worklist as a lazy table model: sorted ids up front, rows fetched by page.

Anki's browser in small: the service sorts and filters every account in SQL and hands
back ids only (cheap, even for 100,000 accounts); the display rows, for which the ladder
engine has to run, are asked for a page at a time as the view scrolls
(``canFetchMore``/``fetchMore``). Sorting a column re-queries the ids in the new order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.i18n import N_, _, format_date, format_money
from app.services.arrears import WorklistFilter, WorklistRow, WorklistSort
from ui.arrears.labels import stage_text, tier_text
from ui.widgets import (
    ALIGN_CENTER,
    ALIGN_LEFT,
    ALIGN_RIGHT,
    ALIGNMENT_ROLE,
    DISPLAY_ROLE,
    FONT_ROLE,
    FOREGROUND_ROLE,
    ROW_FLAGS,
    TOOLTIP_ROLE,
    Palette,
    RowRole,
)

Index = QModelIndex | QPersistentModelIndex

#: Rows asked of the service per page: a screenful or two, so the ladder engine runs only
#: for rows about to be painted.
PAGE_SIZE: Final = 100
#: The role that gives the account id of a row.
AccountIdRole: Final = int(Qt.ItemDataRole.UserRole) + 2


class WorklistSource(Protocol):
    """What the model needs of ``ArrearsService`` (a fake in tests)."""

    def worklist_ids(self, filter: WorklistFilter, sort: WorklistSort) -> list[int]: ...

    def worklist_rows(self, account_ids: list[int]) -> list[WorklistRow]: ...


@dataclass(frozen=True)
class WorklistColumn:
    """One column: an ``N_`` title, its text, and the SQL sort key if it can be sorted."""

    title: str
    text: Callable[[WorklistRow], str]
    align: Qt.AlignmentFlag = ALIGN_LEFT
    sort_key: str | None = None
    descending_first: bool = False


def _next_date(row: WorklistRow) -> str:
    return format_date(row.next_due) if row.next_due is not None else ""


def _days(row: WorklistRow) -> str:
    return str(row.days_overdue) if row.days_overdue > 0 else ""


COLUMNS: Final[tuple[WorklistColumn, ...]] = (
    WorklistColumn(N_("Customer"), lambda r: r.customer_name_masked, sort_key="name"),
    WorklistColumn(N_("Services"), lambda r: r.services),
    WorklistColumn(N_("Grid"), lambda r: r.grid_unit, sort_key="grid"),
    WorklistColumn(
        N_("Owed"),
        lambda r: format_money(r.owed_fen),
        ALIGN_RIGHT,
        sort_key="owed",
        descending_first=True,
    ),
    WorklistColumn(N_("Days overdue"), _days, ALIGN_RIGHT, sort_key="days", descending_first=True),
    WorklistColumn(N_("Tier"), lambda r: tier_text(r.tier)),
    WorklistColumn(N_("Current stage"), lambda r: stage_text(r.stage)),
    WorklistColumn(N_("Next action"), lambda r: stage_text(r.next_step) if r.next_step else ""),
    WorklistColumn(N_("Due on"), _next_date),
    WorklistColumn(
        N_("Restore"), lambda r: _("Restore pending") if r.restore_pending else "", ALIGN_CENTER
    ),
)
(
    COL_CUSTOMER,
    COL_SERVICES,
    COL_GRID,
    COL_OWED,
    COL_DAYS,
    COL_TIER,
    COL_STAGE,
    COL_NEXT,
    COL_DUE,
    COL_RESTORE,
) = range(len(COLUMNS))


class ArrearsWorklistTableModel(QAbstractTableModel):
    """Accounts in arrears, in the service's SQL order, with rows fetched a page at a time.

    ``today`` gives the hall's business date at paint time: a next action due today or
    earlier is shown in red. The model never sorts or filters in Python; ``sort`` and
    ``set_query`` ask the service for the ids again.
    """

    def __init__(
        self,
        source: WorklistSource,
        today: Callable[[], date],
        parent: Any = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._today = today
        self._page_size = page_size
        self._filter = WorklistFilter(None, None, None, None, None)
        self._sort = WorklistSort("owed", True)
        self._ids: list[int] = []
        self._rows: list[WorklistRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # -- queries ----------------------------------------------------------------------------

    @property
    def worklist_filter(self) -> WorklistFilter:
        return self._filter

    @property
    def worklist_sort(self) -> WorklistSort:
        return self._sort

    def set_query(
        self, filter: WorklistFilter | None = None, sort: WorklistSort | None = None
    ) -> None:
        """Ask the service for the ids again, with a new filter and/or sort."""
        if filter is not None:
            self._filter = filter
        if sort is not None:
            self._sort = sort
        self._requery(self._page_size)

    def reload(self) -> None:
        """Query again after an action, keeping as many rows loaded as before (so the view
        keeps its scroll position and the selection can be restored)."""
        self._requery(max(self._page_size, len(self._rows)))

    def _requery(self, rows_wanted: int) -> None:
        self.beginResetModel()
        self._ids = list(self._source.worklist_ids(self._filter, self._sort))
        self._rows = []
        self._load(rows_wanted)
        self.endResetModel()

    def _load(self, count: int) -> list[WorklistRow]:
        """Fetch up to ``count`` more rows and keep them (inside a reset)."""
        found = self._fetch(count)
        self._rows.extend(found)
        return found

    def _fetch(self, count: int) -> list[WorklistRow]:
        """The next ``count`` rows from the service, not yet added to the model.

        Ids whose row no longer comes back are dropped from the id list: that account left
        the worklist (paid, say) between the id query and this fetch. When a whole page
        vanished, the next one is tried, so the view is never left without rows to show.
        """
        while True:
            start = len(self._rows)
            wanted = self._ids[start : start + count]
            if not wanted:
                return []
            by_id = {row.account_id: row for row in self._source.worklist_rows(wanted)}
            found = [by_id[i] for i in wanted if i in by_id]
            if len(found) != len(wanted):
                self._ids[start : start + len(wanted)] = [r.account_id for r in found]
            if found:
                return found

    def total_count(self) -> int:
        """Accounts matching the filter, loaded or not."""
        return len(self._ids)

    def account_ids(self) -> list[int]:
        """Every matching account id, in order (loaded or not)."""
        return list(self._ids)

    def row_at(self, row: int) -> WorklistRow:
        return self._rows[row]

    def row_of(self, account_id: int) -> int:
        """The row showing ``account_id`` among the loaded rows, or -1."""
        return next((n for n, r in enumerate(self._rows) if r.account_id == account_id), -1)

    def sort_column(self) -> int:
        return next((n for n, c in enumerate(COLUMNS) if c.sort_key == self._sort.key), COL_OWED)

    @staticmethod
    def is_sortable(column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column].sort_key is not None

    @staticmethod
    def default_order(column: int) -> Qt.SortOrder:
        if 0 <= column < len(COLUMNS) and COLUMNS[column].descending_first:
            return Qt.SortOrder.DescendingOrder
        return Qt.SortOrder.AscendingOrder

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            )

    def refresh_dates(self) -> None:
        """Repaint the due-date colours (the business date moved on)."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, COL_NEXT),
                self.index(len(self._rows) - 1, COL_DUE),
                [FOREGROUND_ROLE],
            )

    # -- Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < len(self._ids)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        start = len(self._rows)
        found = self._fetch(self._page_size)
        if not found:
            return
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
        column = index.column()
        row = self._rows[row_no]
        if role in (DISPLAY_ROLE, TOOLTIP_ROLE):
            if role == TOOLTIP_ROLE and column == COL_CUSTOMER:
                return _("Account {account}").format(account=row.account_no)
            return COLUMNS[column].text(row)
        if role == ALIGNMENT_ROLE:
            return int(COLUMNS[column].align)
        if role == FOREGROUND_ROLE:
            return self._foreground(row, column)
        if role == FONT_ROLE:
            if column == COL_OWED or (column == COL_RESTORE and row.restore_pending):
                return self._bold
            return None
        if role == RowRole:
            return row
        if role == AccountIdRole:
            return row.account_id
        return None

    def _foreground(self, row: WorklistRow, column: int) -> QColor | None:
        if column in (COL_NEXT, COL_DUE):
            if row.next_due is not None and row.next_due <= self._today():
                return Palette.DANGER
            return None
        if column == COL_OWED:
            return Palette.DANGER
        if column == COL_RESTORE and row.restore_pending:
            return Palette.WARNING
        return None


def account_ids_of(model: ArrearsWorklistTableModel, rows: Sequence[int]) -> list[int]:
    """The account ids of view rows, in row order, without duplicates."""
    return [model.row_at(r).account_id for r in sorted(set(rows))]
