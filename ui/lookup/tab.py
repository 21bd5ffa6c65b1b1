"""The customer lookup tab: one search box, the results, and the customer panel.

Search runs as the clerk types. The service answers in a few milliseconds with indexed
queries, so it runs on the GUI thread; a single-shot timer coalesces a burst of keystrokes
(a paste, a scanner, a fast typist) into one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services.customers.search import (
    DEFAULT_LIMIT,
    MAX_QUERY_LENGTH,
    CustomerRow,
    SearchHit,
    search_hint,
)
from ui.context import AppContext
from ui.errors import show_error
from ui.lookup.results_model import CustomerResultsTableModel
from ui.widgets import Palette, configure_table, heading_label, set_column_widths, set_text_colour

if TYPE_CHECKING:
    from ui.lookup.customer_panel import CustomerPanel

#: Milliseconds after a keystroke before the search runs. Zero still coalesces: the timer
#: fires only once the input events already queued (a paste, a scanner, keys typed while
#: the last search painted) have been handled, and a search costs less than a keystroke
#: interval, so waiting longer would only spend the 100 ms budget.
SEARCH_DELAY_MS: Final = 0
#: Height of the results once a customer is open (about five rows); the panel takes the rest.
RESULTS_HEIGHT: Final = 165
_ENTER_KEYS: Final = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class LookupTab(QWidget):
    """Find a customer by number, ID, name or pinyin and open them in the panel.

    Keyboard: type to search; Down moves into the results; Enter opens the selected row
    (in the search box, the first row); Escape clears the search; Up on the first row
    returns to the search box.
    """

    customerOpened = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lookupTab")
        self._ctx = ctx
        self._last_query: str | None = None

        self.title = heading_label(self, point_delta=1)
        self.search = QLineEdit(self)
        self.search.setObjectName("lookupSearch")
        self.search.setClearButtonEnabled(True)
        # Room for a pasted number with spaces or +86; the service ignores longer text.
        self.search.setMaxLength(MAX_QUERY_LENGTH * 4)
        font = self.search.font()
        font.setPointSizeF(font.pointSizeF() + 2)
        self.search.setFont(font)
        self.search.setMinimumWidth(420)
        self.search.installEventFilter(self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("lookupCount")
        set_text_colour(self.count_label, Palette.MUTED)
        #: Why nothing was found when the query itself cannot be right (an ID number's
        #: check digit or birth date); hidden otherwise.
        self.hint = QLabel(self)
        self.hint.setObjectName("lookupHint")
        self.hint.setWordWrap(True)
        set_text_colour(self.hint, Palette.WARNING)
        self.hint.hide()

        self.model = CustomerResultsTableModel(ctx.customers.rows, self)
        self.results = QTableView(self)
        self.results.setObjectName("lookupResults")
        self.results.setModel(self.model)
        configure_table(self.results)
        set_column_widths(self.results, (14, 8, 22, 14, 20, 24))
        self.results.installEventFilter(self)
        self.results.doubleClicked.connect(self._open_index)

        self._panel: CustomerPanel | None = None  # built when a customer first opens

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(self._timer.start)

        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addWidget(self.search, 3)
        bar.addWidget(self.count_label, 2)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("lookupSplitter")
        self.splitter.addWidget(self.results)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.splitter, 1)

        self.setFocusProxy(self.search)
        self.retranslate_ui()

    # -- public ---------------------------------------------------------------------------

    @property
    def panel(self) -> CustomerPanel:
        """The customer panel, built (hidden) on first use: the window starts without it and
        the arrears, payment and complaint code it brings (cold start)."""
        if self._panel is None:
            from ui.lookup.customer_panel import CustomerPanel

            self._panel = CustomerPanel(self._ctx, self)
            # The results have the whole height until a customer is opened.
            self._panel.hide()
            self.splitter.addWidget(self._panel)
            self.splitter.setStretchFactor(1, 3)
        return self._panel

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected (Ctrl+F, F3)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def run_search(self) -> None:
        """Search for the current text now (the timer calls this after typing pauses)."""
        self._timer.stop()
        query = self.search.text()
        if query == self._last_query:
            return
        self._last_query = query
        hits: list[SearchHit] = []
        rows: list[CustomerRow] | None = None
        if query.strip():
            try:  # the hits and the first batch of rows at once (one statement for a phone)
                found = self._ctx.customers.lookup(query, page=self.model.BATCH)
                hits, rows = found.hits, found.rows
            except Exception as exc:  # a database fault: say so, keep the tab usable
                show_error(self, exc)
        self.model.set_hits(hits, rows)
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0, 0))
        self._show_count()

    def open_row(self, row: int) -> bool:
        """Open the customer of result ``row`` in the panel."""
        if not 0 <= row < self.model.rowCount():
            return False
        return self.open_customer(self.model.customer_id(row))

    def open_customer(self, customer_id: int) -> bool:
        """Open a customer in the panel (also for other tabs: "show in lookup")."""
        if not self.panel.show_customer(customer_id):
            return False
        if self.panel.isHidden():
            self.panel.show()
            total = sum(self.splitter.sizes())
            results = min(RESULTS_HEIGHT, total // 3)
            self.splitter.setSizes([results, total - results])
        self.customerOpened.emit(customer_id)
        return True

    def clear_search(self) -> None:
        self.search.clear()
        self.run_search()
        self.search.setFocus()

    # -- keyboard -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search:
                return self._search_key(event)
            if watched is self.results:
                return self._results_key(event)
        return super().eventFilter(watched, event)

    def _search_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in _ENTER_KEYS:
            self.run_search()
            self.open_row(0)
            return True
        if key == Qt.Key.Key_Down:
            self.run_search()
            if self.model.rowCount():
                self.results.setFocus(Qt.FocusReason.TabFocusReason)
                self.results.setCurrentIndex(self.model.index(0, 0))
            return True
        if key == Qt.Key.Key_Escape and self.search.text():
            self.clear_search()
            return True
        return False

    def _results_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        current = self.results.currentIndex()
        if key in _ENTER_KEYS:
            self.open_row(current.row() if current.isValid() else 0)
            return True
        if key == Qt.Key.Key_Escape:
            self.clear_search()
            return True
        if key == Qt.Key.Key_Up and (not current.isValid() or current.row() == 0):
            self.focus_search()
            return True
        return False

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())

    # -- texts ----------------------------------------------------------------------------

    def _show_count(self) -> None:
        total = self.model.hit_count()
        hint = None
        if not self.search.text().strip():
            text = ""
        elif total == 0:
            text = _("No customer found")
            hint = search_hint(self.search.text())
        elif total >= DEFAULT_LIMIT:
            text = _("At least {count} customers; type more to narrow the search").format(
                count=DEFAULT_LIMIT
            )
        else:
            text = ngettext("{count} customer", "{count} customers", total).format(count=total)
        self.count_label.setText(text)
        if hint is None:
            self.hint.clear()
        else:
            msgid, params = hint
            self.hint.setText(_(msgid).format(**params))
        self.hint.setVisible(hint is not None)

    def retranslate_ui(self) -> None:
        self.title.setText(_("Find customer"))
        self.search.setPlaceholderText(
            _(
                "Phone or service number, ID number (or its last 4–6 characters), account, "
                "name or pinyin"
            )
        )
        self.search.setToolTip(_("Down: go to the results · Enter: open the customer · Esc: clear"))
        self.model.retranslate()
        self._show_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
