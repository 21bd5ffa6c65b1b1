"""The lookup results: ordered customer ids from the search, rows fetched in batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.identity import mask_id_number
from app.i18n import N_, _
from app.services.customers import CustomerRow, MatchKind, SearchHit
from ui.widgets import DISPLAY_ROLE, ROW_FLAGS, TOOLTIP_ROLE, customer_kind_text

Index = QModelIndex | QPersistentModelIndex

_MATCH_KIND: Final = {
    MatchKind.SERVICE_NUMBER: N_("Service number"),
    MatchKind.CONTACT_PHONE: N_("Contact phone"),
    MatchKind.ACCOUNT_NUMBER: N_("Account number"),
    MatchKind.ID_NUMBER: N_("ID number"),
    MatchKind.ID_SUFFIX: N_("End of ID number"),
    MatchKind.NAME: N_("Name"),
    MatchKind.PINYIN: N_("Pinyin"),
    MatchKind.INITIALS: N_("Initials"),
}
_MASKED_MATCHES: Final = frozenset({MatchKind.ID_NUMBER, MatchKind.ID_SUFFIX})


def match_kind_text(kind: MatchKind) -> str:
    msgid = _MATCH_KIND.get(kind)
    return _(msgid) if msgid else str(kind)


def matched_text(hit: SearchHit) -> str:
    """What the row matched on, with an ID number masked: the clerk typed only part of it."""
    if hit.match is MatchKind.NAME:
        return match_kind_text(hit.match)
    value = mask_id_number(hit.matched) if hit.match in _MASKED_MATCHES else hit.matched
    return _("{kind}: {value}").format(kind=match_kind_text(hit.match), value=value)


class CustomerResultsTableModel(QAbstractTableModel):
    """Search results: holds the ordered hits and only the rows fetched so far.

    ``set_hits`` fetches the first batch at once, so the first rows paint with the reset;
    the view pulls the rest through ``canFetchMore``/``fetchMore`` as it scrolls. Rows come
    masked from the service; the model never sees unmasked personal data.
    """

    CustomerIdRole: Final = int(Qt.ItemDataRole.UserRole) + 1
    MatchKindRole: Final = int(Qt.ItemDataRole.UserRole) + 2
    RowRole: Final = int(Qt.ItemDataRole.UserRole) + 3

    _USER_ROLES: Final = frozenset({CustomerIdRole, MatchKindRole, RowRole})

    BATCH: Final = 50

    COL_NAME: Final = 0
    COL_KIND: Final = 1
    COL_ID: Final = 2
    COL_PHONE: Final = 3
    COL_GRID: Final = 4
    COL_MATCH: Final = 5
    _HEADERS: Final = (
        N_("Name"),
        N_("Type"),
        N_("ID number"),
        N_("Contact phone"),
        N_("Grid unit"),
        N_("Matched on"),
    )

    def __init__(
        self, fetch_rows: Callable[[list[int]], list[CustomerRow]], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._fetch_rows = fetch_rows
        self._hits: tuple[SearchHit, ...] = ()
        self._next = 0
        self._loaded: list[tuple[SearchHit, CustomerRow]] = []

    # -- content --------------------------------------------------------------------------

    def set_hits(
        self, hits: Sequence[SearchHit], first_rows: Sequence[CustomerRow] | None = None
    ) -> None:
        """Replace the results; the first batch of rows is fetched right away, unless the
        search brought them (``first_rows``: the rows of the first ``BATCH`` hits)."""
        self.beginResetModel()
        self._hits = tuple(hits)
        self._next = 0
        self._loaded = []
        self._loaded.extend(self._fetch_batch(first_rows))
        self.endResetModel()

    def clear(self) -> None:
        self.set_hits(())

    def hit_count(self) -> int:
        """How many customers the search found (not all need be fetched yet)."""
        return len(self._hits)

    def hit_ids(self) -> list[int]:
        """The ids of every customer found, in order, fetched or not."""
        return [h.customer_id for h in self._hits]

    def customer_id(self, row: int) -> int:
        return self._loaded[row][1].customer_id

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._HEADERS) - 1)
        if self._loaded:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._loaded) - 1, len(self._HEADERS) - 1)
            )

    def _fetch_batch(
        self, fetched: Sequence[CustomerRow] | None = None
    ) -> list[tuple[SearchHit, CustomerRow]]:
        batch = self._hits[self._next : self._next + self.BATCH]
        self._next += len(batch)
        if not batch:
            return []
        if fetched is None:
            fetched = self._fetch_rows([h.customer_id for h in batch])
        rows = {r.customer_id: r for r in fetched}
        # A customer removed by a sync between search and fetch is simply left out.
        return [(h, rows[h.customer_id]) for h in batch if h.customer_id in rows]

    # -- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._loaded)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._HEADERS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._next < len(self._hits)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        while self._next < len(self._hits):
            batch = self._fetch_batch()
            if batch:
                first = len(self._loaded)
                self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
                self._loaded.extend(batch)
                self.endInsertRows()
                return

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._HEADERS)
        ):
            return _(self._HEADERS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        # Called several times per cell and paint: unneeded roles leave at once.
        if role in (DISPLAY_ROLE, TOOLTIP_ROLE):
            hit_row = self._entry(index)
            return self._text(*hit_row, index.column()) if hit_row else None
        if role in self._USER_ROLES:
            hit_row = self._entry(index)
            if hit_row is None:
                return None
            hit, row = hit_row
            if role == self.CustomerIdRole:
                return row.customer_id
            if role == self.MatchKindRole:
                return hit.match.value
            return row
        return None

    def _entry(self, index: Index) -> tuple[SearchHit, CustomerRow] | None:
        row = index.row()  # -1 for an invalid index
        return self._loaded[row] if 0 <= row < len(self._loaded) else None

    @classmethod
    def _text(cls, hit: SearchHit, row: CustomerRow, column: int) -> str:
        if column == cls.COL_NAME:
            return row.name
        if column == cls.COL_KIND:
            return customer_kind_text(row.kind)
        if column == cls.COL_ID:
            return row.id_number_masked
        if column == cls.COL_PHONE:
            return row.phone_masked
        if column == cls.COL_GRID:
            return row.grid_unit
        return matched_text(hit)
