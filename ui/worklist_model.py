"""The lazy worklist table model the arrears and complaints worklists share.

The service sorts and filters in SQL and returns every matching id up front; the display
rows are fetched a page at a time as the view scrolls. The model never sorts or filters in
Python: a new sort or filter asks the service for the ids again. A subclass gives the
columns' titles and ``data()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.i18n import _
from ui.widgets import ROW_FLAGS

Index = QModelIndex | QPersistentModelIndex
#: Rows asked of the service per page: a screenful or two, so per-row work (the arrears
#: ladder engine, the complaint clock) runs only for rows about to be painted.
PAGE_SIZE: Final = 100

K = TypeVar("K")  # an id as the service gives it
R = TypeVar("R")  # a display row
F = TypeVar("F")  # the filter
S = TypeVar("S")  # the sort


class WorklistSource(Protocol[K, R, F, S]):
    def worklist_ids(self, filter: F, sort: S) -> list[K]: ...

    def worklist_rows(self, ids: list[K]) -> list[R]: ...


class LazyWorklistModel(QAbstractTableModel, Generic[K, R, F, S]):
    """Rows in the service's order; ``key(row)`` is the id the row was asked for."""

    def __init__(
        self,
        source: WorklistSource[K, R, F, S],
        titles: Sequence[str],
        key: Callable[[R], K],
        filter: F,
        sort: S,
        parent: Any = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._titles = tuple(titles)  # N_ msgids
        self._key = key
        self._filter = filter
        self._sort = sort
        self._page_size = page_size
        self._ids: list[K] = []
        self._rows: list[R] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # -- queries ----------------------------------------------------------------------------

    @property
    def worklist_filter(self) -> F:
        return self._filter

    @property
    def worklist_sort(self) -> S:
        return self._sort

    def set_query(self, filter: F | None = None, sort: S | None = None) -> None:
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
        self._rows.extend(self._fetch(rows_wanted))
        self.endResetModel()

    def _fetch(self, count: int) -> list[R]:
        """The next ``count`` rows from the service, not yet added to the model.

        Ids whose row no longer comes back are dropped from the id list: that item left the
        worklist between the id query and this fetch. When a whole page vanished, the next
        one is tried, so the view is never left without rows to show.
        """
        while True:
            start = len(self._rows)
            wanted = self._ids[start : start + count]
            if not wanted:
                return []
            by_id = {self._key(row): row for row in self._source.worklist_rows(wanted)}
            found = [by_id[i] for i in wanted if i in by_id]
            if len(found) != len(wanted):
                self._ids[start : start + len(wanted)] = [self._key(r) for r in found]
            if found:
                return found

    def total_count(self) -> int:
        """Items matching the filter, loaded or not."""
        return len(self._ids)

    def ids(self) -> list[K]:
        """Every matching id, in order (loaded or not)."""
        return list(self._ids)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def row_of(self, key: K) -> int:
        """The loaded row showing ``key``, or -1."""
        return next((n for n, r in enumerate(self._rows) if self._key(r) == key), -1)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._titles) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._titles) - 1)
            )

    # -- Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

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
            and 0 <= section < len(self._titles)
        ):
            return _(self._titles[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
