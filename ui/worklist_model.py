"""The lazy worklist table model the arrears and complaints worklists share.

The service sorts and filters in SQL; the model asks it for the ids and for the display
rows a page at a time, always on the task worker (``ui.tasks``), never on the GUI thread:

* a new query first asks for the first page's ids and rows (an index walk that stops
  after ``page_size`` entries), so the first rows are painted before the full id list
  (and the count) arrives in a second step;
* every row of the list is in the model (``rowCount`` is the number of ids): a row whose
  page is not loaded shows nothing and asks for its page; at most ``max_pages`` pages are
  kept, the least recently painted evicted, so memory stays bounded however far the view
  scrolls;
* each query has a generation: a newer filter, sort or reload makes the older one's
  queued work skip itself and its late results be dropped;
* ``busyChanged`` tells the view to show a busy cue while a query runs; ``loaded`` that
  the full id list is in (the count is final); ``failed`` carries a worker's error.

The model never sorts or filters in Python. A subclass gives the columns' titles and
``data()`` (reading rows through ``cached_row``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Final, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from app.i18n import _
from ui.widgets import ROW_FLAGS

Index = QModelIndex | QPersistentModelIndex
#: Rows asked of the service per page: a screenful or two, so per-row work (the arrears
#: ladder engine, the complaint clock) runs only for rows about to be painted.
PAGE_SIZE: Final = 100
#: Pages of rows kept at most (the least recently painted go first).
MAX_PAGES: Final = 8

K = TypeVar("K")  # an id as the service gives it
R = TypeVar("R")  # a display row
F = TypeVar("F")  # the filter
S = TypeVar("S")  # the sort


class WorklistSource(Protocol[K, R, F, S]):
    def worklist_ids(self, filter: F, sort: S, limit: int | None = None) -> list[K]: ...

    def worklist_rows(self, ids: list[K]) -> list[R]: ...


class Runner(Protocol):
    """What the model needs of ``ui.tasks.TaskRunner``."""

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None: ...


class _Generation:
    """The number of the newest query, in a plain object: the worker reads it to skip a
    superseded query's work without touching the Qt model from its thread."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class LazyWorklistModel(QAbstractTableModel, Generic[K, R, F, S]):
    """Rows in the service's order; ``key(row)`` is the id the row was asked for."""

    busyChanged = Signal(bool)
    loaded = Signal()
    failed = Signal(object)

    def __init__(
        self,
        source: WorklistSource[K, R, F, S],
        runner: Runner,
        titles: Sequence[str],
        key: Callable[[R], K],
        filter: F,
        sort: S,
        parent: Any = None,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._runner = runner
        self._titles = tuple(titles)  # N_ msgids
        self._key = key
        self._filter = filter
        self._sort = sort
        self._page_size = page_size
        self._max_pages = max(2, max_pages)
        self._ids: list[K] = []
        self._pages: OrderedDict[int, list[R | None]] = OrderedDict()
        self._asked: set[int] = set()
        self._newest = _Generation()
        self._busy = False
        self._bold = QFont()
        self._bold.setBold(True)

    # -- queries ----------------------------------------------------------------------------

    @property
    def worklist_filter(self) -> F:
        return self._filter

    @property
    def worklist_sort(self) -> S:
        return self._sort

    @property
    def busy(self) -> bool:
        """A query is running; the ids (and the count) may still change."""
        return self._busy

    @property
    def pending(self) -> bool:
        """A query or a page of rows is on its way."""
        return self._busy or bool(self._asked)

    def set_query(self, filter: F | None = None, sort: S | None = None) -> None:
        """Ask the service for the ids again, with a new filter and/or sort: first page
        first, then the whole list."""
        if filter is not None:
            self._filter = filter
        if sort is not None:
            self._sort = sort
        generation = self._start()
        newest, source = self._newest, self._source
        query_filter, query_sort = self._filter, self._sort
        page_size = self._page_size

        def first_page() -> tuple[list[K], list[R]] | None:
            if generation != newest.value:
                return None  # a newer query came before this one started
            ids = list(source.worklist_ids(query_filter, query_sort, page_size))
            return ids, list(source.worklist_rows(ids)) if ids else []

        def every_id() -> list[K] | None:
            if generation != newest.value:
                return None
            return list(source.worklist_ids(query_filter, query_sort))

        self._run(generation, first_page, self._first_page_arrived)
        self._run(generation, every_id, self._ids_arrived)

    def reload(self) -> None:
        """Query again after an action, keeping the pages loaded (so the view keeps its
        scroll position; ``loaded`` tells when the selection can be restored)."""
        generation = self._start()
        newest, source = self._newest, self._source
        query_filter, query_sort = self._filter, self._sort
        pages = sorted(self._pages)
        page_size = self._page_size

        def everything() -> tuple[list[K], dict[int, list[R]]] | None:
            if generation != newest.value:
                return None
            ids = list(source.worklist_ids(query_filter, query_sort))
            rows: dict[int, list[R]] = {}
            for page in pages:
                wanted = ids[page * page_size : (page + 1) * page_size]
                if wanted:
                    rows[page] = list(source.worklist_rows(wanted))
            return ids, rows

        self._run(generation, everything, self._reload_arrived)

    def _start(self) -> int:
        self._newest.value += 1
        self._asked.clear()
        self._set_busy(True)
        return self._newest.value

    def _run(self, generation: int, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def on_done(value: Any) -> None:
            if generation == self._newest.value and value is not None:
                done(value)

        def on_error(exc: BaseException) -> None:
            if generation == self._newest.value:
                self._set_busy(False)
                self.failed.emit(exc)

        self._runner.run(fn, on_done, on_error, owner=self)

    def _first_page_arrived(self, value: tuple[list[K], list[R]]) -> None:
        ids, rows = value
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        if ids:
            self._pages[0] = self._aligned(ids, rows)
        self.endResetModel()

    def _ids_arrived(self, ids: list[K]) -> None:
        known = len(self._ids)
        if len(ids) >= known and ids[:known] == self._ids:
            if len(ids) > known:
                self.beginInsertRows(QModelIndex(), known, len(ids) - 1)
                self._ids = ids
                self.endInsertRows()
        else:  # the list changed between the two steps
            self.beginResetModel()
            self._ids = ids
            self._pages.clear()
            self.endResetModel()
        self._finish()

    def _reload_arrived(self, value: tuple[list[K], dict[int, list[R]]]) -> None:
        ids, rows = value
        old, new = len(self._ids), len(ids)
        pages = OrderedDict(
            (page, self._aligned(ids[page * self._page_size :], found))
            for page, found in rows.items()
        )
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self._ids, self._pages = ids, pages
            self.endInsertRows()
        elif new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self._ids, self._pages = ids, pages
            self.endRemoveRows()
        else:
            self._ids, self._pages = ids, pages
        if new:
            self.dataChanged.emit(self.index(0, 0), self.index(new - 1, len(self._titles) - 1))
        self._finish()

    def _finish(self) -> None:
        self._set_busy(False)
        self.loaded.emit()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    def _aligned(self, ids: Sequence[K], rows: Sequence[R]) -> list[R | None]:
        """The page's rows in id order; None where an id's row did not come back (the
        item left the worklist since the ids were read: it shows empty until a reload)."""
        by_id = {self._key(row): row for row in rows}
        return [by_id.get(i) for i in ids[: self._page_size]]

    # -- pages ------------------------------------------------------------------------------

    def cached_row(self, row: int) -> R | None:
        """The row for painting: None while its page is being fetched (asked for here)."""
        if not 0 <= row < len(self._ids):
            return None
        page = row // self._page_size
        rows = self._pages.get(page)
        if rows is None:
            self._ask(page)
            return None
        self._pages.move_to_end(page)
        return rows[row % self._page_size]

    def _ask(self, page: int) -> None:
        if page in self._asked:
            return
        self._asked.add(page)
        generation = self._newest.value
        wanted = self._ids[page * self._page_size : (page + 1) * self._page_size]
        newest, source = self._newest, self._source

        def rows() -> list[R] | None:
            if generation != newest.value:
                return None
            return list(source.worklist_rows(wanted))

        def arrived(found: list[R]) -> None:
            self._asked.discard(page)
            self._pages[page] = self._aligned(wanted, found)
            while len(self._pages) > self._max_pages:
                self._pages.popitem(last=False)
            first = page * self._page_size
            last = min(len(self._ids), first + self._page_size) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._titles) - 1))

        self._run(generation, rows, arrived)

    def loaded_pages(self) -> list[int]:
        """The pages of rows held, least recently painted first."""
        return list(self._pages)

    # -- reading ----------------------------------------------------------------------------

    def total_count(self) -> int:
        """Items matching the filter, loaded or not (final once ``busy`` is False)."""
        return len(self._ids)

    def ids(self) -> list[K]:
        """Every matching id, in order (loaded or not)."""
        return list(self._ids)

    def key_at(self, row: int) -> K:
        return self._ids[row]

    def row_at(self, row: int) -> R | None:
        """The row if its page is loaded (it does not ask for it)."""
        rows = self._pages.get(row // self._page_size)
        return rows[row % self._page_size] if rows is not None else None

    def row_of(self, key: K) -> int:
        """The row showing ``key``, or -1."""
        try:
            return self._ids.index(key)
        except ValueError:
            return -1

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._titles) - 1)
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, len(self._titles) - 1)
            )

    # -- Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

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
