"""Taking a payment at the counter: the quote, the clerk's entry, a confirmation of exactly
what will be recorded, then the receipt.

Three pages in one dialog, so the clerk never loses the customer on screen (one module
each: ``payment_entry``, ``payment_confirm``, ``payment_done``; the dialog moves between
them, records the payment and issues the receipt):

1. **entry** — the customer (masked), the account, what is owed, the unpaid bills oldest
   first, the late-payment penalty (waivable with a shift leader's approval); amount,
   method, reference or cash tendered with the change shown as it is typed, and the
   receipt layout;
2. **confirm** — ``PaymentService.prepare``'s plan, line by line, in the order the payment
   settles them: the bills, the penalty (and what of it stays owed), any prepayment; the
   cash rounding written off for the customer, the change, the balance after, the
   services it restores;
3. **done** — the receipt number; the receipt is rendered, saved to the archive folder and
   offered for printing. A printer that fails leaves the payment recorded and says so.

Bad input never reaches ``record``: amounts are parsed with ``parse_amount`` and the plan
is validated by ``prepare``; each refusal is shown under the fields in the user's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.i18n import _
from app.services.payments import (
    NoOpenShift,
    PaymentPlan,
    PaymentQuote,
    PlanOutdated,
    RecordedPayment,
)
from ui.arrears.payment_confirm import PaymentConfirmPage
from ui.arrears.payment_done import PaymentDonePage
from ui.arrears.payment_entry import PaymentEntryPage
from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.printing import (
    ReceiptOutcome,
    ReceiptPrinting,
)
from ui.widgets import (
    BusyGuardDialog,
)

log = logging.getLogger(__name__)

PAGE_ENTRY, PAGE_CONFIRM, PAGE_DONE = range(3)
_STYLE: Final = """
#paymentOwed { color: #c62828; font-weight: bold; }
#paymentChange { font-weight: bold; }
QLineEdit[invalid="true"] { border: 1px solid #c62828; border-radius: 2px; padding: 1px; }
"""


class PaymentDialog(BusyGuardDialog):
    """Collects one payment for one account; emits ``paymentRecorded`` once it is recorded.

    ``printing`` prints the receipt (inject one with a PDF-file or failing print function
    in tests). The quote is read when the dialog opens; ``NotFound`` and other refusals
    propagate to the caller, which shows them.
    """

    paymentRecorded = Signal(object)  # RecordedPayment
    receiptFinished = Signal(object)  # ReceiptOutcome

    def __init__(
        self,
        ctx: AppContext,
        account_id: int,
        *,
        printing: ReceiptPrinting | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDialog")
        self.setModal(True)
        self.setStyleSheet(_STYLE)
        self._ctx = ctx
        self._printing = printing or ReceiptPrinting(ctx)
        self.quote: PaymentQuote = ctx.payments.quote(account_id)
        self.plan: PaymentPlan | None = None
        self.recorded: RecordedPayment | None = None
        self.receipt: ReceiptOutcome | None = None

        self.pages = QStackedWidget(self)
        self.entry_page = PaymentEntryPage(ctx, self.quote, self)
        self.confirm_page = PaymentConfirmPage(self)
        self.done_page = PaymentDonePage(self)
        for page in (self.entry_page, self.confirm_page, self.done_page):
            self.pages.addWidget(page)

        self.cancel_button = self._button("paymentCancel", self.reject)
        self.back_button = self._button("paymentBack", self.back)
        self.next_button = self._button("paymentNext", self.next)
        self.record_button = self._button("paymentRecord", self.record)
        self.reprint_button = self._button("paymentReprint", self.print_again)
        self.close_button = self._button("paymentClose", self.accept)
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reprint_button)
        buttons.addStretch(1)
        for button in (
            self.cancel_button,
            self.back_button,
            self.next_button,
            self.record_button,
            self.close_button,
        ):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self.setMinimumSize(720, 600)

        self.entry_page.fill_quote()
        self._show_page(PAGE_ENTRY)
        self.retranslate_ui()

    # -- construction ---------------------------------------------------------------------

    def _button(self, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _button(self, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- moving between the pages ---------------------------------------------------------

    def page(self) -> int:
        return self.pages.currentIndex()

    def next(self) -> bool:
        """Check the entry and show the confirmation; False (and the reason) if refused."""
        if self.page() != PAGE_ENTRY or self._busy:
            return False
        self.entry_page.clear_error()
        try:
            request = self.entry_page.validated_request()
            plan = self._ctx.payments.prepare(self._ctx.actor, request)
        except ValidationError as exc:
            self.entry_page.show_error(exc.user_message(), exc.field)
            return False
        except Exception as exc:  # a refusal of another kind, or a fault
            self.entry_page.show_error(error_text(exc))
            return False
        self.plan = plan
        self.confirm_page.fill_plan(plan, self.entry_page.waiver, self.quote.services)
        self._show_page(PAGE_CONFIRM)
        return True

    def back(self) -> None:
        if self.page() == PAGE_CONFIRM and not self._busy:
            self.confirm_page.clear_error()
            self._show_page(PAGE_ENTRY)

    def record(self) -> None:
        """Record the confirmed plan (one transaction, on the task worker)."""
        if self.page() != PAGE_CONFIRM or self.plan is None or self._busy:
            return
        plan, waiver = self.plan, self.entry_page.waiver
        payments, actor = self._ctx.payments, self._ctx.actor
        self._set_busy(True)
        self.confirm_page.clear_error()
        self._ctx.tasks.run(
            lambda: payments.record(actor, plan, penalty_waiver=waiver),
            on_done=self._recorded,
            on_error=self._record_failed,
        )

    def _record_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, PlanOutdated) and self.plan is not None:
            # Nothing was written; plan again so the clerk confirms the new amounts.
            try:
                self.plan = self._ctx.payments.prepare(self._ctx.actor, self.plan.request)
                self.confirm_page.fill_plan(self.plan, self.entry_page.waiver, self.quote.services)
            except Exception as again:
                self._show_page(PAGE_ENTRY)
                self.entry_page.show_error(error_text(again), getattr(again, "field", ""))
                return
        text = error_text(exc)
        if isinstance(exc, NoOpenShift):
            text += "\n" + _(
                "Nothing was recorded and your entries are kept: open your shift in the "
                "Shift handover tab, then come back and record again."
            )
        self.confirm_page.show_error(text)

    def _recorded(self, recorded: RecordedPayment) -> None:
        self._set_busy(False)
        self.recorded = recorded
        self._show_page(PAGE_DONE)
        self.done_page.show_done(recorded, self.plan)
        self.paymentRecorded.emit(recorded)
        if self.plan is not None:  # a cash payment opens the drawer (ui.devices)
            from ui.devices.controller import devices_of

            devices_of(self._ctx).payment_recorded(self.plan.request.method)
        self._issue_receipt()

    # -- the receipt ------------------------------------------------------------------------

    def _issue_receipt(self) -> None:
        assert self.recorded is not None
        self._receipt_busy(True)
        self.done_page.show_preparing()
        self._printing.issue(
            self.recorded.payment_id,
            self.entry_page.chosen_layout(),
            reprint=False,
            parent=self,
            on_done=self._receipt_done,
            on_error=self._receipt_error,
        )

    def print_again(self) -> None:
        """After a failed print, the same copy again; after a good one, a 补打 copy."""
        if self.recorded is None or self._busy:
            return
        self._receipt_busy(True)
        if self.receipt is not None and self.receipt.failed and self.receipt.copy_no == 0:
            self._printing.print_again(self.receipt, self, self._receipt_done, self._receipt_error)
        else:
            self._printing.issue(
                self.recorded.payment_id,
                self.entry_page.chosen_layout(),
                reprint=True,
                parent=self,
                on_done=self._receipt_done,
                on_error=self._receipt_error,
            )

    def _receipt_done(self, outcome: ReceiptOutcome) -> None:
        self._receipt_busy(False)
        self.receipt = outcome
        self.done_page.show_receipt(outcome)
        self.receiptFinished.emit(outcome)

    def _receipt_error(self, exc: BaseException) -> None:
        self._receipt_busy(False)
        self.done_page.show_receipt_error(exc)

    def _receipt_busy(self, busy: bool) -> None:
        self._busy = busy
        self.reprint_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)

    # -- pages and language ---------------------------------------------------------------

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.cancel_button.setVisible(page != PAGE_DONE)
        self.back_button.setVisible(page == PAGE_CONFIRM)
        self.next_button.setVisible(page == PAGE_ENTRY)
        self.record_button.setVisible(page == PAGE_CONFIRM)
        self.reprint_button.setVisible(page == PAGE_DONE)
        self.close_button.setVisible(page == PAGE_DONE)
        default = {PAGE_ENTRY: self.next_button, PAGE_CONFIRM: self.record_button}.get(
            page, self.close_button
        )
        default.setDefault(True)
        if page == PAGE_ENTRY:
            self.entry_page.focus_amount()
        else:
            # Enter confirms (the keyboard model): the default button, not the one that
            # had the focus on the page before (Back would be the focused auto-default).
            default.setFocus(Qt.FocusReason.OtherFocusReason)
        self._retitle()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.cancel_button, self.back_button, self.record_button):
            button.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def is_busy(self) -> bool:
        return self._busy

    def _retitle(self) -> None:
        titles = {
            PAGE_ENTRY: _("Collect payment"),
            PAGE_CONFIRM: _("Collect payment — confirm"),
            PAGE_DONE: _("Collect payment — receipt"),
        }
        self.setWindowTitle(titles[self.page()])

    def retranslate_ui(self) -> None:
        self._retitle()
        self.entry_page.retranslate_ui()
        self.confirm_page.retranslate_ui()
        self.done_page.show_done(self.recorded, self.plan)
        self.done_page.show_receipt_status(self.receipt)
        self.cancel_button.setText(_("Cancel"))
        self.back_button.setText(_("Back"))
        self.next_button.setText(_("Next"))
        self.record_button.setText(_("Record payment"))
        self.reprint_button.setText(_("Print again"))
        self.close_button.setText(_("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reject(self) -> None:
        if self._busy:
            return
        if self.recorded is not None:
            self.accept()  # recorded: closing is not a cancellation
            return
        super().reject()


def open_payment_dialog(
    ctx: AppContext,
    account_id: int,
    printing: ReceiptPrinting,
    parent: QWidget,
    on_recorded: Callable[[Any], None],
) -> PaymentDialog | None:
    """Open the payment dialog (window-modal) for an account; a refusal to quote is shown."""
    try:
        dialog = PaymentDialog(ctx, account_id, printing=printing, parent=parent)
    except Exception as exc:
        show_error(parent, exc)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.paymentRecorded.connect(on_recorded)
    dialog.open()
    return dialog
