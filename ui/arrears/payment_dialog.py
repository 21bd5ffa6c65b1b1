"""Taking a payment at the counter: the quote, the clerk's entry, a confirmation of exactly
what will be recorded, then the receipt.

Three pages in one dialog, so the clerk never loses the customer on screen:

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
from datetime import date
from typing import Any, Final
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.documents.data import ReceiptLayout
from app.domain.cash import cash_due
from app.domain.errors import ValidationError
from app.domain.identity import mask_phone
from app.domain.money import parse_amount
from app.i18n import _, format_money, ngettext
from app.services.base import Actor
from app.services.payments import (
    COUNTER_METHODS,
    MAX_PAYMENT_FEN,
    NoOpenShift,
    PaymentPlan,
    PaymentQuote,
    PaymentRequest,
    PlanOutdated,
    RecordedPayment,
)
from app.store.models import PaymentMethod
from ui.arrears.action_dialogs import LeaderDialog
from ui.arrears.labels import yuan_text
from ui.arrears.models import PlanLine, PlanLinesTableModel, QuoteBillsTableModel
from ui.arrears.printing import (
    LAYOUT_LABELS,
    RECEIPT_LAYOUT,
    ReceiptOutcome,
    ReceiptPrinting,
    layout_text,
    render_first_page,
    saved_layout,
)
from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.widgets import (
    BusyGuardDialog,
    Palette,
    configure_table,
    heading_label,
    payment_method_text,
    set_text_colour,
)

log = logging.getLogger(__name__)

PAGE_ENTRY, PAGE_CONFIRM, PAGE_DONE = range(3)
#: Width in pixels of the receipt shown on the last page (the PDF that was printed).
RECEIPT_PREVIEW_WIDTH: Final = 300
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
        self.waiver: tuple[Actor, str] | None = None
        self._default_amount = ""

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_entry())
        self.pages.addWidget(self._build_confirm())
        self.pages.addWidget(self._build_done())

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

        self._fill_quote()
        self._show_page(PAGE_ENTRY)
        self.retranslate_ui()

    # -- construction ---------------------------------------------------------------------

    def _button(self, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _build_entry(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("paymentEntry")
        self.customer_label = heading_label(page, point_delta=3)
        self.customer_label.setObjectName("paymentCustomer")
        self.account_label = QLabel(page)
        self.account_label.setObjectName("paymentAccount")
        self.owed_label = QLabel(page)
        self.owed_label.setObjectName("paymentOwed")
        self.bills_title = heading_label(page, point_delta=0)
        self.bills_model = QuoteBillsTableModel(self.business_date, self)
        self.bills_table = QTableView(page)
        self.bills_table.setObjectName("paymentBills")
        self.bills_table.setModel(self.bills_model)
        configure_table(self.bills_table)
        self.bills_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.bills_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.bills_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.penalty_label = QLabel(page)
        self.penalty_label.setObjectName("paymentPenalty")
        self.penalty_label.setWordWrap(True)
        self.waive_button = QPushButton(page)
        self.waive_button.setObjectName("paymentWaivePenalty")
        self.waive_button.setAutoDefault(False)
        self.waive_button.clicked.connect(self.toggle_waiver)
        penalty_row = QHBoxLayout()
        penalty_row.addWidget(self.penalty_label, 1)
        penalty_row.addWidget(self.waive_button)

        self.amount = QLineEdit(page)
        self.amount.setObjectName("paymentAmount")
        self.amount.setMaxLength(20)
        font = self.amount.font()
        font.setPointSizeF(font.pointSizeF() + 3)
        self.amount.setFont(font)
        self.amount_hint = QLabel(page)
        set_text_colour(self.amount_hint, Palette.MUTED)
        self.method = QComboBox(page)
        self.method.setObjectName("paymentMethod")
        for method in COUNTER_METHODS:
            self.method.addItem("", method.value)
        self.reference = QLineEdit(page)
        self.reference.setObjectName("paymentReference")
        self.reference.setMaxLength(64)
        self.tendered = QLineEdit(page)
        self.tendered.setObjectName("paymentTendered")
        self.tendered.setMaxLength(20)
        self.tendered.setFont(font)
        self.change = QLabel(page)
        self.change.setObjectName("paymentChange")
        self.change.setFont(font)
        self.layout_box = QComboBox(page)
        self.layout_box.setObjectName("paymentLayout")
        for layout in LAYOUT_LABELS:
            self.layout_box.addItem("", layout.value)
        self.layout_box.setCurrentIndex(
            max(0, self.layout_box.findData(saved_layout(self._ctx.settings).value))
        )

        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.amount_hint, 1)
        tendered_row = QHBoxLayout()
        tendered_row.addWidget(self.tendered, 1)
        tendered_row.addWidget(self.change, 1)
        self.entry_form = QFormLayout()
        self.entry_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.entry_form.setVerticalSpacing(10)
        self.amount_label = QLabel(page)
        self.method_label = QLabel(page)
        self.reference_label = QLabel(page)
        self.tendered_label = QLabel(page)
        self.layout_label = QLabel(page)
        self.entry_form.addRow(self.amount_label, amount_row)
        self.entry_form.addRow(self.method_label, self.method)
        self.entry_form.addRow(self.reference_label, self.reference)
        self.entry_form.addRow(self.tendered_label, tendered_row)
        self.entry_form.addRow(self.layout_label, self.layout_box)

        self.error = QLabel(page)
        self.error.setObjectName("paymentError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()

        line = QFrame(page)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        header = QHBoxLayout()
        header.addWidget(self.customer_label)
        header.addSpacing(12)
        header.addWidget(self.account_label)
        header.addStretch(1)
        header.addWidget(self.owed_label)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.bills_title)
        layout.addWidget(self.bills_table, 1)
        layout.addLayout(penalty_row)
        layout.addWidget(line)
        layout.addLayout(self.entry_form)
        layout.addWidget(self.error)

        self.method.currentIndexChanged.connect(self._method_changed)
        for edit in (self.amount, self.tendered, self.reference):
            edit.textEdited.connect(self._input_changed)
        self.amount.textChanged.connect(self._update_change)
        self.tendered.textChanged.connect(self._update_change)
        self.layout_box.currentIndexChanged.connect(self._layout_changed)
        return page

    def _build_confirm(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("paymentConfirm")
        self.confirm_title = heading_label(page, point_delta=3)
        self.confirm_intro = QLabel(page)
        self.confirm_intro.setWordWrap(True)
        self.plan_model = PlanLinesTableModel(self)
        self.plan_table = QTableView(page)
        self.plan_table.setObjectName("paymentPlan")
        self.plan_table.setModel(self.plan_model)
        configure_table(self.plan_table)
        self.plan_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.plan_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plan_table.setAlternatingRowColors(False)
        self.plan_table.setShowGrid(True)
        header = self.plan_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.confirm_error = QLabel(page)
        self.confirm_error.setObjectName("paymentRecordError")
        self.confirm_error.setWordWrap(True)
        set_text_colour(self.confirm_error, Palette.DANGER)
        self.confirm_error.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.confirm_title)
        layout.addWidget(self.confirm_intro)
        layout.addWidget(self.plan_table, 1)
        layout.addWidget(self.confirm_error)
        return page

    def _build_done(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("paymentDone")
        self.done_title = heading_label(page, point_delta=4)
        self.done_title.setObjectName("paymentDoneTitle")
        set_text_colour(self.done_title, Palette.OK)
        self.done_summary = QLabel(page)
        self.done_summary.setObjectName("paymentDoneSummary")
        self.done_summary.setWordWrap(True)
        self.done_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipt_status = QLabel(page)
        self.receipt_status.setObjectName("paymentReceiptStatus")
        self.receipt_status.setWordWrap(True)
        self.receipt_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipt_preview = QLabel(page)
        self.receipt_preview.setObjectName("paymentReceiptPreview")
        self.receipt_preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.receipt_preview.setMinimumWidth(RECEIPT_PREVIEW_WIDTH)
        text = QVBoxLayout()
        text.addWidget(self.done_title)
        text.addSpacing(8)
        text.addWidget(self.done_summary)
        text.addSpacing(8)
        text.addWidget(self.receipt_status)
        text.addStretch(1)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text, 1)
        layout.addSpacing(12)
        layout.addWidget(self.receipt_preview)
        return page

    # -- state ----------------------------------------------------------------------------

    def business_date(self) -> date:
        return self._ctx.clock().astimezone(ZoneInfo(self._ctx.hall.timezone)).date()

    def page(self) -> int:
        return self.pages.currentIndex()

    def chosen_method(self) -> PaymentMethod:
        return PaymentMethod(self.method.currentData())

    def chosen_layout(self) -> ReceiptLayout:
        return ReceiptLayout(self.layout_box.currentData())

    def set_method(self, method: PaymentMethod) -> None:
        self.method.setCurrentIndex(self.method.findData(method.value))

    def penalty_collected(self) -> bool:
        return self.waiver is None

    def default_amount_fen(self) -> int:
        """What is owed now: the bills, and the penalty unless it was waived."""
        owed = max(0, self.quote.owed_fen)
        return owed + (self.quote.penalty_fen if self.penalty_collected() else 0)

    def _fill_quote(self) -> None:
        self.bills_model.set_rows(self.quote.unpaid_bills)
        self._reset_default_amount()
        self._method_changed()

    def _reset_default_amount(self) -> None:
        """Put the amount owed in the field, unless the clerk typed their own amount."""
        fen = self.default_amount_fen()
        default = yuan_text(fen) if fen > 0 else ""
        if self.amount.text() == self._default_amount:
            self.amount.setText(default)
        self._default_amount = default

    # -- entry page -----------------------------------------------------------------------

    def _method_changed(self) -> None:
        cash = self.chosen_method() is PaymentMethod.CASH
        for widget in (self.reference, self.reference_label):
            widget.setVisible(not cash)
        self.reference.setEnabled(not cash)
        for widget in (self.tendered, self.tendered_label, self.change):
            widget.setVisible(cash)
        self.tendered.setEnabled(cash)
        self._clear_error()
        self._update_change()

    def _layout_changed(self) -> None:
        RECEIPT_LAYOUT.write(self._ctx.settings, self.chosen_layout().value)

    def _input_changed(self) -> None:
        self._clear_error()

    def _update_change(self) -> None:
        """Show the change as the clerk types (or how much is still missing), from the cash
        due in whole jiao (``app.domain.cash.cash_due``)."""
        if self.chosen_method() is not PaymentMethod.CASH:
            return
        try:
            amount = parse_amount(self.amount.text())
            due = cash_due(amount, amount == self.default_amount_fen()).due_fen
            tendered = parse_amount(self.tendered.text(), field="tendered")
        except ValidationError:
            self.change.setText(_("Change: —"))
            set_text_colour(self.change, Palette.MUTED)
            return
        if tendered >= due:
            self.change.setText(_("Change: {amount}").format(amount=format_money(tendered - due)))
            set_text_colour(self.change, Palette.OK)
        else:
            self.change.setText(_("Short by {amount}").format(amount=format_money(due - tendered)))
            set_text_colour(self.change, Palette.DANGER)

    def toggle_waiver(self) -> LeaderDialog | None:
        """Waive the penalty (a shift leader approves, with a reason), or collect it again.

        Returns the leader dialog it opened (window-modal; tests fill it in)."""
        if self.waiver is not None:
            self.waiver = None
            self._waiver_changed()
            return None
        penalty = format_money(self.quote.penalty_fen)
        dialog = LeaderDialog(
            self._ctx,
            lambda: _(
                "Waive the late-payment penalty of {amount} on account {account}. The waiver "
                "is recorded with the payment, under the shift leader's name."
            ).format(amount=penalty, account=self.quote.account_no),
            reason=True,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def approved() -> None:
            if dialog.leader is not None:
                self.waiver = (dialog.leader, dialog.reason_text)
                self._waiver_changed()

        dialog.accepted.connect(approved)
        dialog.open()
        return dialog

    def _waiver_changed(self) -> None:
        self._reset_default_amount()
        self._show_penalty()
        self._clear_error()

    def validated_request(self) -> PaymentRequest:
        """The request the fields describe; ``ValidationError`` for what is wrong."""
        amount = parse_amount(self.amount.text(), field="amount", max_fen=MAX_PAYMENT_FEN)
        method = self.chosen_method()
        tendered: int | None = None
        reference = ""
        if method is PaymentMethod.CASH:
            # Left empty, the customer handed over the exact amount.
            if self.tendered.text().strip():
                tendered = parse_amount(self.tendered.text(), field="tendered_fen")
        else:
            reference = self.reference.text().strip()
        return PaymentRequest(
            account_id=self.quote.account_id,
            amount_fen=amount,
            method=method,
            reference=reference,
            tendered_fen=tendered,
            collect_penalty=self.penalty_collected(),
        )

    def next(self) -> bool:
        """Check the entry and show the confirmation; False (and the reason) if refused."""
        if self.page() != PAGE_ENTRY or self._busy:
            return False
        self._clear_error()
        try:
            request = self.validated_request()
            plan = self._ctx.payments.prepare(self._ctx.actor, request)
        except ValidationError as exc:
            self._show_error(exc.user_message(), exc.field)
            return False
        except Exception as exc:  # a refusal of another kind, or a fault
            self._show_error(error_text(exc))
            return False
        self.plan = plan
        self._fill_plan(plan)
        self._show_page(PAGE_CONFIRM)
        return True

    def _show_error(self, text: str, field: str = "") -> None:
        self.error.setText(text)
        self.error.show()
        target = {
            "amount": self.amount,
            "amount_fen": self.amount,
            "tendered": self.tendered,
            "tendered_fen": self.tendered,
            "reference": self.reference,
        }.get(field)
        if target is not None and target.isVisible():
            target.setProperty("invalid", True)
            target.style().unpolish(target)
            target.style().polish(target)
            target.setFocus()
            target.selectAll()

    def _clear_error(self) -> None:
        self.error.hide()
        self.error.clear()
        for edit in (self.amount, self.tendered, self.reference):
            if edit.property("invalid"):
                edit.setProperty("invalid", False)
                edit.style().unpolish(edit)
                edit.style().polish(edit)

    # -- confirm page ---------------------------------------------------------------------

    def _fill_plan(self, plan: PaymentPlan) -> None:
        request = plan.request
        lines: list[PlanLine] = []
        for allocation in plan.allocations:
            lines.append(
                PlanLine(
                    lambda a=allocation: _("Bill {month}").format(month=a.period),
                    lambda a=allocation: format_money(a.amount_fen),
                )
            )
        if plan.penalty_fen:
            lines.append(
                PlanLine(lambda: _("Late-payment penalty"), lambda: format_money(plan.penalty_fen))
            )
        if plan.penalty_owed_after_fen:
            lines.append(
                PlanLine(
                    lambda: _("Penalty still owed (the bills are paid first)"),
                    lambda: format_money(plan.penalty_owed_after_fen),
                    colour=Palette.WARNING,
                )
            )
        if self.waiver is not None and plan.waived_penalty_fen:
            leader, _reason = self.waiver
            lines.append(
                PlanLine(
                    lambda: _("Late-payment penalty waived (approved by {staff_no})").format(
                        staff_no=leader.staff_no
                    ),
                    lambda: format_money(plan.waived_penalty_fen),
                    colour=Palette.MUTED,
                )
            )
        if plan.prepayment_fen:
            lines.append(
                PlanLine(
                    lambda: _("Prepayment (credit on the account)"),
                    lambda: format_money(plan.prepayment_fen),
                )
            )
        if plan.rounding_fen:
            lines.append(
                PlanLine(
                    lambda: _("Total settled"),
                    lambda: format_money(request.amount_fen),
                )
            )
            lines.append(
                PlanLine(
                    lambda: _("Cash rounded down to the jiao (in the customer's favour)"),
                    lambda: "-" + format_money(plan.rounding_fen),
                    colour=Palette.INFO,
                )
            )
        lines.append(
            PlanLine(
                lambda: _("Total received"),
                lambda: format_money(plan.cash_fen),
                emphasis=True,
            )
        )
        lines.append(PlanLine(lambda: _("Method"), lambda: payment_method_text(request.method)))
        if request.reference:
            lines.append(PlanLine(lambda: _("Reference"), lambda: request.reference))
        if request.tendered_fen is not None:
            tendered = request.tendered_fen
            lines.append(PlanLine(lambda: _("Cash tendered"), lambda: format_money(tendered)))
            lines.append(
                PlanLine(
                    lambda: _("Change to give"),
                    lambda: format_money(plan.change_fen),
                    emphasis=True,
                    colour=Palette.OK,
                )
            )
        lines.append(
            PlanLine(
                lambda: _("Balance after payment"),
                lambda: self._balance_text(plan.balance_after_fen),
                colour=Palette.DANGER if plan.balance_after_fen < 0 else None,
            )
        )
        if plan.restores:
            numbers = self._service_numbers(plan.restores)
            lines.append(
                PlanLine(
                    lambda: ngettext(
                        "Service to be restored", "Services to be restored", len(numbers)
                    ),
                    lambda: ", ".join(numbers),
                    colour=Palette.INFO,
                )
            )
        self.plan_model.set_rows(lines)

    def _balance_text(self, fen: int) -> str:
        if fen < 0:
            return _("still owes {amount}").format(amount=format_money(-fen))
        if fen > 0:
            return _("credit {amount}").format(amount=format_money(fen))
        return format_money(0)

    def _service_numbers(self, service_ids: tuple[int, ...]) -> list[str]:
        by_id = {s.service_id: mask_phone(s.number) for s in self.quote.services}
        return [by_id.get(sid, "") for sid in service_ids]

    def back(self) -> None:
        if self.page() == PAGE_CONFIRM and not self._busy:
            self.confirm_error.hide()
            self._show_page(PAGE_ENTRY)

    def record(self) -> None:
        """Record the confirmed plan (one transaction, on the task worker)."""
        if self.page() != PAGE_CONFIRM or self.plan is None or self._busy:
            return
        plan, waiver = self.plan, self.waiver
        payments, actor = self._ctx.payments, self._ctx.actor
        self._set_busy(True)
        self.confirm_error.hide()
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
                self._fill_plan(self.plan)
            except Exception as again:
                self._show_page(PAGE_ENTRY)
                self._show_error(error_text(again), getattr(again, "field", ""))
                return
        text = error_text(exc)
        if isinstance(exc, NoOpenShift):
            text += "\n" + _(
                "Nothing was recorded and your entries are kept: open your shift in the "
                "Shift handover tab, then come back and record again."
            )
        self.confirm_error.setText(text)
        self.confirm_error.show()

    def _recorded(self, recorded: RecordedPayment) -> None:
        self._set_busy(False)
        self.recorded = recorded
        self._show_page(PAGE_DONE)
        self._show_done()
        self.paymentRecorded.emit(recorded)
        if self.plan is not None:  # a cash payment opens the drawer (ui.devices)
            from ui.devices.controller import devices_of

            devices_of(self._ctx).payment_recorded(self.plan.request.method)
        self._issue_receipt()

    # -- done page ------------------------------------------------------------------------

    def _issue_receipt(self) -> None:
        assert self.recorded is not None
        self._receipt_busy(True)
        self.receipt_status.setText(_("Preparing the receipt…"))
        set_text_colour(self.receipt_status, Palette.MUTED)
        self._printing.issue(
            self.recorded.payment_id,
            self.chosen_layout(),
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
                self.chosen_layout(),
                reprint=True,
                parent=self,
                on_done=self._receipt_done,
                on_error=self._receipt_error,
            )

    def _receipt_done(self, outcome: ReceiptOutcome) -> None:
        self._receipt_busy(False)
        self.receipt = outcome
        image = render_first_page(outcome.pdf, RECEIPT_PREVIEW_WIDTH)
        if image is not None:
            self.receipt_preview.setPixmap(QPixmap.fromImage(image))
        self._show_receipt_status()
        self.receiptFinished.emit(outcome)

    def _receipt_error(self, exc: BaseException) -> None:
        self._receipt_busy(False)
        self.receipt_status.setText(
            _(
                "The payment is recorded, but the receipt could not be prepared: {reason}. "
                "Reprint it from the customer's payment history."
            ).format(reason=error_text(exc))
        )
        set_text_colour(self.receipt_status, Palette.DANGER)

    def _receipt_busy(self, busy: bool) -> None:
        self._busy = busy
        self.reprint_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)

    def _show_done(self) -> None:
        recorded, plan = self.recorded, self.plan
        if recorded is None or plan is None:
            return
        self.done_title.setText(_("Payment recorded"))
        parts = [
            _("Receipt no. {receipt_no}").format(receipt_no=recorded.receipt_no),
            _("{amount} by {method}").format(
                amount=format_money(plan.cash_fen),
                method=payment_method_text(plan.request.method),
            ),
        ]
        if plan.request.tendered_fen is not None:
            parts.append(_("Give change: {amount}").format(amount=format_money(plan.change_fen)))
        restores = len(recorded.restore_request_ids)
        if restores:
            parts.append(
                ngettext(
                    "{count} service is waiting to be restored (see the Arrears tab).",
                    "{count} services are waiting to be restored (see the Arrears tab).",
                    restores,
                ).format(count=restores)
            )
        self.done_summary.setText("\n".join(parts))

    def _show_receipt_status(self) -> None:
        outcome = self.receipt
        if outcome is None:
            return
        path = str(outcome.path)
        if outcome.failed:
            text = _(
                "The payment is recorded. The receipt did not print: {reason}\n"
                "A PDF copy is saved at {path}. Print it again here, or reprint it later "
                "from the customer's payment history."
            ).format(reason=outcome.error, path=path)
            colour = Palette.DANGER
        elif outcome.outcome == "printed":
            text = _("Receipt printed ({layout}). PDF copy saved at {path}.").format(
                layout=layout_text(outcome.layout), path=path
            )
            colour = Palette.OK
        else:
            text = _("Receipt not printed. PDF copy saved at {path}.").format(path=path)
            colour = Palette.WARNING
        if outcome.copy_no > 0:
            text = _("Reprint {copy} (补打): {status}").format(copy=outcome.copy_no, status=text)
        self.receipt_status.setText(text)
        set_text_colour(self.receipt_status, colour)

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
            self.amount.setFocus()
            self.amount.selectAll()
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

    def _show_penalty(self) -> None:
        penalty = self.quote.penalty_fen
        self.waive_button.setVisible(penalty > 0)
        if penalty <= 0:
            self.penalty_label.setText(_("No late-payment penalty."))
            set_text_colour(self.penalty_label, Palette.MUTED)
            return
        if self.waiver is None:
            self.penalty_label.setText(
                _("Late-payment penalty so far: {amount}").format(amount=format_money(penalty))
            )
            set_text_colour(self.penalty_label, Palette.WARNING)
            self.waive_button.setText(_("Waive penalty…"))
        else:
            leader, reason = self.waiver
            self.penalty_label.setText(
                _("Penalty of {amount} waived, approved by {staff_no} {name}: {reason}").format(
                    amount=format_money(penalty),
                    staff_no=leader.staff_no,
                    name=leader.name,
                    reason=reason,
                )
            )
            set_text_colour(self.penalty_label, Palette.INFO)
            self.waive_button.setText(_("Collect penalty"))

    def retranslate_ui(self) -> None:
        quote = self.quote
        self._retitle()
        self.customer_label.setText(quote.customer_name)
        self.account_label.setText(_("Account {account}").format(account=quote.account_no))
        if quote.owed_fen > 0:
            self.owed_label.setText(_("Owes {amount}").format(amount=format_money(quote.owed_fen)))
            set_text_colour(self.owed_label, Palette.DANGER)
        else:
            self.owed_label.setText(
                _("Nothing owed; credit {amount}").format(amount=format_money(-quote.owed_fen))
            )
            set_text_colour(self.owed_label, Palette.OK)
        count = len(quote.unpaid_bills)
        self.bills_title.setText(
            ngettext(
                "{count} unpaid bill, oldest first", "{count} unpaid bills, oldest first", count
            ).format(count=count)
        )
        self._show_penalty()
        self.amount_label.setText(_("Amount (yuan):"))
        self.amount.setPlaceholderText(_("for example 128.50"))
        default = self.default_amount_fen()
        self.amount_hint.setText(
            _("Owed with penalty: {amount}").format(amount=format_money(default))
            if default
            else _("A prepayment is credited to the account.")
        )
        self.method_label.setText(_("Method:"))
        for index, method in enumerate(COUNTER_METHODS):
            self.method.setItemText(index, payment_method_text(method))
        self.reference_label.setText(_("Reference:"))
        self.reference.setPlaceholderText(_("Transaction number on the terminal slip or phone"))
        self.tendered_label.setText(_("Cash tendered (yuan):"))
        self.tendered.setPlaceholderText(_("empty: the exact amount"))
        self.layout_label.setText(_("Receipt:"))
        for index, layout in enumerate(LAYOUT_LABELS):
            self.layout_box.setItemText(index, layout_text(layout))
        self._update_change()
        self.confirm_title.setText(_("Check before recording"))
        self.confirm_intro.setText(
            _(
                "This is exactly what will be recorded. A recorded payment cannot be edited; "
                "a mistake is corrected by a void within the same shift."
            )
        )
        self.plan_model.retranslate()
        self.bills_model.retranslate()
        self._show_done()
        self._show_receipt_status()
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
