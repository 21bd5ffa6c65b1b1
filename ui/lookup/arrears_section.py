"""The customer panel's "Payments and arrears" section: everything recorded about the
customer's arrears and payments, newest first, with the counter's actions on them.

* **Pay** opens the payment dialog for the account chosen in the panel's account bar.
* **Reprint receipt** prints the selected payment's receipt again, marked 补打 with its
  copy number (a voided payment's receipt carries the void mark).
* **Void** cancels a payment taken today at this PC, with a shift leader's credential and a
  reason; the service records a void row, never deletes.
"""

from __future__ import annotations

import uuid
from typing import Any, Final, Protocol

from PySide6.QtCore import QEvent, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import HallDeskError
from app.i18n import N_, _
from app.services.arrears import HistoryEvent
from app.services.customers import AccountView
from ui.arrears.models import HistoryTableModel
from ui.arrears.payment_dialog import PaymentDialog, open_payment_dialog
from ui.arrears.void_dialog import open_void_dialog, void_key_action
from ui.context import AppContext
from ui.errors import error_text
from ui.keyboard import PAY_KEY, VOID_KEY, keyed_text
from ui.printing import ReceiptOutcome, ReceiptPrinting, saved_layout
from ui.service_dialogs import LeaderDialog
from ui.widgets import Palette, configure_table, set_column_widths, set_text_colour

TITLE: Final = N_("Payments and arrears")


class _AccountsView(Protocol):
    def current_account(self) -> AccountView | None: ...


class Panel(Protocol):
    """What the section needs of the customer panel."""

    customerChanged: SignalInstance
    accounts: _AccountsView

    @property
    def customer_id(self) -> int | None: ...

    def refresh(self) -> bool: ...


class ArrearsHistorySection(QWidget):
    """Follows the panel's customer (``customerChanged``) and shows their history."""

    def __init__(self, ctx: AppContext, panel: Panel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("arrearsHistory")
        self._ctx = ctx
        self._panel = panel
        self._customer_id: int | None = None
        self._busy = False
        self.printing = ReceiptPrinting(ctx)

        self.pay_button = QPushButton(self)
        self.pay_button.setObjectName("panelPayButton")
        font = self.pay_button.font()
        font.setBold(True)
        self.pay_button.setFont(font)
        self.pay_button.clicked.connect(lambda *_a: self.pay())
        self.reprint_button = QPushButton(self)
        self.reprint_button.setObjectName("historyReprintButton")
        self.reprint_button.clicked.connect(lambda *_a: self.reprint())
        self.void_button = QPushButton(self)
        self.void_button.setObjectName("historyVoidButton")
        self.void_button.clicked.connect(lambda *_a: self.void())
        # Shift+F2 (F2 undone): void the selected payment, else the customer's newest one
        # that can be voided, from wherever the focus is while the customer's panel is
        # shown (this section may be behind another of the panel's tabs).
        self.void_action = void_key_action(
            panel if isinstance(panel, QWidget) else self, self.void_last
        )
        self.message = QLabel(self)
        self.message.setObjectName("historyMessage")
        self.message.setWordWrap(True)

        self.model = HistoryTableModel(ctx.hall.timezone, self)
        self.table = QTableView(self)
        self.table.setObjectName("arrearsHistoryTable")
        self.table.setModel(self.model)
        configure_table(self.table)
        set_column_widths(self.table, (16, 14, 18, 11, 14, 18, 40))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        bar = QHBoxLayout()
        bar.addWidget(self.pay_button)
        bar.addSpacing(12)
        bar.addWidget(self.reprint_button)
        bar.addWidget(self.void_button)
        bar.addSpacing(12)
        bar.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        panel.customerChanged.connect(self.set_customer)
        self._update_buttons()
        self.retranslate_ui()

    # -- the customer ---------------------------------------------------------------------

    def set_customer(self, customer_id: int | None) -> None:
        if customer_id != self._customer_id:
            self.message.clear()
        self._customer_id = customer_id
        self.refresh()

    def refresh(self) -> None:
        events: list[HistoryEvent] = []
        if self._customer_id is not None:
            try:
                events = self._ctx.arrears.history(self._customer_id)
            except HallDeskError as exc:
                self._say(exc.user_message(), Palette.DANGER)
        self.model.set_rows(events)
        self._update_buttons()

    def selected_event(self) -> HistoryEvent | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selected_payment_id(self) -> uuid.UUID | None:
        event = self.selected_event()
        if event is None or event.kind != "payment" or not event.record_id:
            return None
        return uuid.UUID(event.record_id)

    def _update_buttons(self) -> None:
        account = self._panel.accounts.current_account() if self._customer_id else None
        self.pay_button.setEnabled(account is not None and not self._busy)
        payment = self._selected_payment_id()
        voidable = has_receipt = False
        if payment is not None:
            try:
                detail = self._ctx.payments.payment_view(payment)
            except HallDeskError:
                pass
            else:
                voidable, has_receipt = detail.voidable, detail.receipt_no is not None
        self.reprint_button.setEnabled(has_receipt and not self._busy)
        self.void_button.setEnabled(voidable and not self._busy)
        self.void_button.setToolTip(
            "" if voidable else _("Only a payment taken today at this PC can be voided.")
        )

    # -- actions --------------------------------------------------------------------------

    def pay(self) -> PaymentDialog | None:
        """The payment dialog for the account chosen in the panel; returns it (tests)."""
        account = self._panel.accounts.current_account()
        if account is None:
            return None
        return open_payment_dialog(self._ctx, account.account_id, self.printing, self, self._paid)

    def _paid(self, recorded: Any) -> None:
        self._reload_customer()
        self._say(
            _("Payment recorded, receipt no. {receipt_no}.").format(receipt_no=recorded.receipt_no),
            Palette.OK,
        )

    def _reload_customer(self) -> None:
        self._panel.refresh()  # new balances, same verified customer; refreshes this section

    def reprint(self) -> bool:
        """Print the selected payment's receipt again (a 补打 copy)."""
        payment_id = self._selected_payment_id()
        if payment_id is None or self._busy:
            return False
        self._set_busy(True)
        self._say(_("Preparing the receipt…"), Palette.MUTED)
        self.printing.issue(
            payment_id,
            saved_layout(self._ctx.settings),
            reprint=True,
            parent=self,
            on_done=self._reprinted,
            on_error=self._reprint_failed,
        )
        return True

    def _reprinted(self, outcome: ReceiptOutcome) -> None:
        self._set_busy(False)
        if outcome.failed:
            self._say(
                _(
                    "Reprint {copy} of receipt {receipt_no} did not print: {reason}. "
                    "The PDF copy is saved at {path}."
                ).format(
                    copy=outcome.copy_no,
                    receipt_no=outcome.receipt_no,
                    reason=outcome.error,
                    path=str(outcome.path),
                ),
                Palette.DANGER,
            )
        else:
            self._say(
                _("Reprint {copy} (补打) of receipt {receipt_no}; PDF copy at {path}.").format(
                    copy=outcome.copy_no, receipt_no=outcome.receipt_no, path=str(outcome.path)
                ),
                Palette.OK,
            )
        self.refresh()

    def _reprint_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._say(error_text(exc), Palette.DANGER)

    def void(self) -> LeaderDialog | None:
        """Void the selected payment (same day, this PC; a leader approves with a reason)."""
        payment_id = self._selected_payment_id()
        if payment_id is None or self.selected_event() is None:
            return None
        detail = self._ctx.payments.payment_view(payment_id)

        def voided(text: str) -> None:
            self._reload_customer()
            self._say(text, Palette.OK)

        return open_void_dialog(self._ctx, detail, self, voided)

    def void_last(self) -> LeaderDialog | None:
        """Shift+F2: the selected payment's void, else the newest voidable payment's (the
        history is newest first); says so when there is none."""
        if self._customer_id is None or self._busy:
            return None
        if self._selected_payment_id() is None:
            for row in range(self.model.rowCount()):
                event = self.model.row_at(row)
                if event.kind != "payment" or not event.record_id:
                    continue
                if self._ctx.payments.payment_view(uuid.UUID(event.record_id)).voidable:
                    self.select_row(row)
                    break
            else:
                self._say(
                    _("Only a payment taken today at this PC can be voided."), Palette.WARNING
                )
                return None
        return self.void()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _say(self, text: str, colour: Any = None) -> None:
        self.message.setText(text)
        set_text_colour(self.message, colour)

    # -- texts ----------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.pay_button.setText(keyed_text(_("Pay…"), PAY_KEY))
        self.pay_button.setToolTip(_("Collect a payment for the account chosen above."))
        self.reprint_button.setText(_("Reprint receipt"))
        self.void_button.setText(keyed_text(_("Void payment…"), VOID_KEY))
        self.model.retranslate()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
