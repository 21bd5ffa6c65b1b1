"""One customer's accounts: a tab bar of accounts over one set of service, bill and payment
tables, refilled when another account is chosen (so a customer with many accounts costs
no more widgets than one with a single account)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QAbstractItemModel, QEvent, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTabBar, QTableView, QVBoxLayout, QWidget

from app.i18n import _, format_money, ngettext
from app.services.customers import AccountView
from ui.lookup.account_models import BillsTableModel, PaymentsTableModel, ServicesTableModel
from ui.widgets import Palette, configure_table, heading_label

BILLS_SHOWN = 12
#: Services shown without scrolling; a customer rarely has more lines on one account.
SERVICES_SHOWN = 4
#: Pixels between a column's longest text and the next column.
COLUMN_GAP = 18


class AccountsView(QWidget):
    """Services, the last twelve bills and recent payments of the chosen account."""

    def __init__(
        self, timezone: str, today: Callable[[], date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountsView")
        self._accounts: tuple[AccountView, ...] = ()

        self.account_bar = QTabBar(self)
        self.account_bar.setObjectName("accountBar")
        self.account_bar.setDrawBase(False)
        self.account_bar.setExpanding(False)
        self.account_bar.currentChanged.connect(self._show_account)

        self.services_model = ServicesTableModel(self)
        self.bills_model = BillsTableModel(today, self)
        self.payments_model = PaymentsTableModel(timezone, self)

        self.services_title = heading_label(self, point_delta=0)
        self.bills_title = heading_label(self, point_delta=0)
        self.payments_title = heading_label(self, point_delta=0)
        self.services_table = self._table("servicesTable", self.services_model)
        self.bills_table = self._table("billsTable", self.bills_model, stretch_last=False)
        self.payments_table = self._table("paymentsTable", self.payments_model)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.services_title)
        left_layout.addWidget(self.services_table)
        left_layout.addSpacing(4)
        left_layout.addWidget(self.bills_title)
        left_layout.addWidget(self.bills_table, 1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.payments_title)
        right_layout.addWidget(self.payments_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 11)
        self.splitter.setStretchFactor(1, 9)
        self.splitter.setChildrenCollapsible(False)

        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.account_bar)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.splitter, 1)
        self.retranslate_ui()

    def _table(
        self, name: str, model: QAbstractItemModel, *, stretch_last: bool = True
    ) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        configure_table(view, stretch_last=stretch_last)
        return view

    def set_accounts(self, accounts: Sequence[AccountView]) -> None:
        self._accounts = tuple(accounts)
        self.account_bar.blockSignals(True)
        while self.account_bar.count():
            self.account_bar.removeTab(0)
        for _account in self._accounts:
            self.account_bar.addTab("")
        self._label_accounts()
        self.empty_label.setVisible(not self._accounts)
        self.splitter.setVisible(bool(self._accounts))
        self.account_bar.setVisible(bool(self._accounts))
        # Filled while possibly hidden: its cached size hint would otherwise stay empty.
        self.account_bar.updateGeometry()
        # Open on the first account that owes money: that is what the customer came about.
        owing = [i for i, a in enumerate(self._accounts) if a.ledger.arrears_fen > 0]
        first = owing[0] if owing else (0 if self._accounts else -1)
        self.account_bar.setCurrentIndex(max(first, 0))
        self.account_bar.blockSignals(False)
        self._show_account(first)

    def current_account(self) -> AccountView | None:
        index = self.account_bar.currentIndex()
        return self._accounts[index] if 0 <= index < len(self._accounts) else None

    def _show_account(self, index: int) -> None:
        account = self._accounts[index] if 0 <= index < len(self._accounts) else None
        self.services_model.set_rows(account.services if account else ())
        self.bills_model.set_rows(account.recent_bills(BILLS_SHOWN) if account else ())
        self.payments_model.set_rows(account.payments if account else ())
        self._fit_columns()
        self._label_tables()

    def _fit_columns(self) -> None:
        """Columns as wide as their texts: dates and states differ in width per language."""
        for view in (self.services_table, self.bills_table, self.payments_table):
            view.resizeColumnsToContents()
            for column in range(view.model().columnCount()):
                view.setColumnWidth(column, view.columnWidth(column) + COLUMN_GAP)
        self._fit_services()

    def _fit_services(self) -> None:
        """Services take the height of their rows (up to a few), the bills the rest."""
        view = self.services_table
        rows = min(max(self.services_model.rowCount(), 1), SERVICES_SHOWN)
        height = (
            view.horizontalHeader().sizeHint().height()
            + rows * view.verticalHeader().defaultSectionSize()
            + 2 * view.frameWidth()
        )
        view.setFixedHeight(height)

    def _label_accounts(self) -> None:
        for i, account in enumerate(self._accounts):
            arrears = account.ledger.arrears_fen
            if arrears:
                text = _("Account {number} · owes {amount}").format(
                    number=account.number, amount=format_money(arrears)
                )
            else:
                text = _("Account {number}").format(number=account.number)
            self.account_bar.setTabText(i, text)
            self.account_bar.setTabTextColor(i, Palette.DANGER if arrears else Palette.MUTED)

    def _label_tables(self) -> None:
        account = self.current_account()
        services = len(account.services) if account else 0
        payments = len(account.payments) if account else 0
        self.services_title.setText(
            ngettext("Services ({count})", "Services ({count})", services).format(count=services)
        )
        self.bills_title.setText(_("Bills, last {count} months").format(count=BILLS_SHOWN))
        self.payments_title.setText(
            ngettext("Recent payments ({count})", "Recent payments ({count})", payments).format(
                count=payments
            )
        )

    def retranslate_ui(self) -> None:
        self.empty_label.setText(_("This customer has no accounts."))
        self._label_accounts()
        self._label_tables()
        for model in (self.services_model, self.bills_model, self.payments_model):
            model.retranslate()
        self._fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
