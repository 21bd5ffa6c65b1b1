"""The arrears worklist as a lazy table model: sorted ids, rows fetched by page.

Anki's browser in small: the service sorts and filters every account in SQL and hands
back ids only (cheap, even for 100,000 accounts); the display rows, for which the ladder
engine has to run, are asked for a page at a time as the view paints them, on the task
worker (``ui.worklist_model``). Sorting a column re-queries the ids in the new order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

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
    TOOLTIP_ROLE,
    Palette,
    RowRole,
)
from ui.worklist_model import PAGE_SIZE, Index, LazyWorklistModel, Runner, WorklistSource

#: The role that gives the account id of a row.
AccountIdRole: Final = int(Qt.ItemDataRole.UserRole) + 2


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


class ArrearsWorklistTableModel(LazyWorklistModel[int, WorklistRow, WorklistFilter, WorklistSort]):
    """Accounts in arrears, in the service's SQL order, with rows fetched a page at a time.

    ``today`` gives the hall's business date at paint time: a next action due today or
    earlier is shown in red. The model never sorts or filters in Python; ``sort`` and
    ``set_query`` ask the service for the ids again.
    """

    def __init__(
        self,
        source: WorklistSource[int, WorklistRow, WorklistFilter, WorklistSort],
        runner: Runner,
        today: Callable[[], date],
        parent: Any = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(
            source,
            runner,
            [c.title for c in COLUMNS],
            lambda row: row.account_id,
            WorklistFilter(None, None, None, None, None),
            WorklistSort("owed", True),
            parent,
            page_size=page_size,
        )
        self._today = today

    def account_ids(self) -> list[int]:
        """Every matching account id, in order (loaded or not)."""
        return self.ids()

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

    def refresh_dates(self) -> None:
        """Repaint the due-date colours (the business date moved on)."""
        if self._ids:
            self.dataChanged.emit(
                self.index(0, COL_NEXT),
                self.index(len(self._ids) - 1, COL_DUE),
                [FOREGROUND_ROLE],
            )

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = DISPLAY_ROLE,
    ) -> Any:
        if (
            role == ALIGNMENT_ROLE
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return int(COLUMNS[section].align)  # a heading stands over its values
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        column = index.column()
        if role == ALIGNMENT_ROLE and 0 <= column < len(COLUMNS):
            return int(COLUMNS[column].align)
        row = self.cached_row(index.row())
        if row is None:
            return None
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
    """The account ids of view rows, in row order, without duplicates (loaded or not)."""
    return [model.key_at(r) for r in sorted(set(rows))]
