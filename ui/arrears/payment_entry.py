"""The first page of the payment dialog: the customer (masked), the account, what is owed,
the unpaid bills oldest first and the late-payment penalty (waivable with a shift leader's
approval); the amount, method, reference or cash tendered with the change shown as it is
typed, and the receipt layout. :meth:`PaymentEntryPage.validated_request` turns the fields
into a request, or refuses with the field at fault.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.documents.data import ReceiptLayout
from app.domain.cash import cash_due
from app.domain.errors import ValidationError
from app.domain.money import parse_amount
from app.i18n import _, format_money, ngettext
from app.services.base import Actor
from app.services.payments import (
    COUNTER_METHODS,
    MAX_PAYMENT_FEN,
    PaymentQuote,
    PaymentRequest,
)
from app.store.models import PaymentMethod
from ui.arrears.labels import yuan_text
from ui.arrears.models import QuoteBillsTableModel
from ui.context import AppContext
from ui.keyboard import commits_on_enter
from ui.printing import (
    LAYOUT_LABELS,
    RECEIPT_LAYOUT,
    layout_text,
    saved_layout,
)
from ui.service_dialogs import LeaderDialog
from ui.widgets import (
    Palette,
    configure_table,
    heading_label,
    payment_method_text,
    set_text_colour,
)


class PaymentEntryPage(QWidget):
    """The entry of one payment for ``quote``'s account; holds the penalty waiver."""

    def __init__(self, ctx: AppContext, quote: PaymentQuote, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentEntry")
        self._ctx = ctx
        self.quote = quote
        self.waiver: tuple[Actor, str] | None = None
        self._default_amount = ""
        self.customer_label = heading_label(self, point_delta=3)
        self.customer_label.setObjectName("paymentCustomer")
        self.account_label = QLabel(self)
        self.account_label.setObjectName("paymentAccount")
        self.owed_label = QLabel(self)
        self.owed_label.setObjectName("paymentOwed")
        self.bills_title = heading_label(self, point_delta=0)
        self.bills_model = QuoteBillsTableModel(self.business_date, self)
        self.bills_table = QTableView(self)
        self.bills_table.setObjectName("paymentBills")
        self.bills_table.setModel(self.bills_model)
        configure_table(self.bills_table)
        self.bills_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.bills_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.bills_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.penalty_label = QLabel(self)
        self.penalty_label.setObjectName("paymentPenalty")
        self.penalty_label.setWordWrap(True)
        self.waive_button = QPushButton(self)
        self.waive_button.setObjectName("paymentWaivePenalty")
        self.waive_button.setAutoDefault(False)
        self.waive_button.clicked.connect(self.toggle_waiver)
        penalty_row = QHBoxLayout()
        penalty_row.addWidget(self.penalty_label, 1)
        penalty_row.addWidget(self.waive_button)

        self.amount = QLineEdit(self)
        self.amount.setObjectName("paymentAmount")
        self.amount.setMaxLength(20)
        # The amount owed is filled in; the method and the cash tendered are optional:
        # Enter in the amount, the reference or the cash tendered goes on to the plan.
        commits_on_enter(self.amount)
        font = self.amount.font()
        font.setPointSizeF(font.pointSizeF() + 3)
        self.amount.setFont(font)
        self.amount_hint = QLabel(self)
        set_text_colour(self.amount_hint, Palette.MUTED)
        self.method = QComboBox(self)
        self.method.setObjectName("paymentMethod")
        for method in COUNTER_METHODS:
            self.method.addItem("", method.value)
        self.reference = QLineEdit(self)
        self.reference.setObjectName("paymentReference")
        self.reference.setMaxLength(64)
        commits_on_enter(self.reference)
        self.tendered = QLineEdit(self)
        self.tendered.setObjectName("paymentTendered")
        self.tendered.setMaxLength(20)
        commits_on_enter(self.tendered)
        self.tendered.setFont(font)
        self.change = QLabel(self)
        self.change.setObjectName("paymentChange")
        self.change.setFont(font)
        self.layout_box = QComboBox(self)
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
        self.amount_label = QLabel(self)
        self.method_label = QLabel(self)
        self.reference_label = QLabel(self)
        self.tendered_label = QLabel(self)
        self.layout_label = QLabel(self)
        self.entry_form.addRow(self.amount_label, amount_row)
        self.entry_form.addRow(self.method_label, self.method)
        self.entry_form.addRow(self.reference_label, self.reference)
        self.entry_form.addRow(self.tendered_label, tendered_row)
        self.entry_form.addRow(self.layout_label, self.layout_box)

        self.error = QLabel(self)
        self.error.setObjectName("paymentError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        header = QHBoxLayout()
        header.addWidget(self.customer_label)
        header.addSpacing(12)
        header.addWidget(self.account_label)
        header.addStretch(1)
        header.addWidget(self.owed_label)
        layout = QVBoxLayout(self)
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

    def business_date(self) -> date:
        return self._ctx.clock().astimezone(ZoneInfo(self._ctx.hall.timezone)).date()

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

    def fill_quote(self) -> None:
        """Show the quote's bills and put what is owed in the amount field."""
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

    def _method_changed(self) -> None:
        cash = self.chosen_method() is PaymentMethod.CASH
        for widget in (self.reference, self.reference_label):
            widget.setVisible(not cash)
        self.reference.setEnabled(not cash)
        for widget in (self.tendered, self.tendered_label, self.change):
            widget.setVisible(cash)
        self.tendered.setEnabled(cash)
        self.clear_error()
        self._update_change()

    def _layout_changed(self) -> None:
        RECEIPT_LAYOUT.write(self._ctx.settings, self.chosen_layout().value)

    def _input_changed(self) -> None:
        self.clear_error()

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
        self.show_penalty()
        self.clear_error()

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

    def show_error(self, text: str, field: str = "") -> None:
        """A refusal under the fields; the field it names is marked and focused."""
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

    def clear_error(self) -> None:
        self.error.hide()
        self.error.clear()
        for edit in (self.amount, self.tendered, self.reference):
            if edit.property("invalid"):
                edit.setProperty("invalid", False)
                edit.style().unpolish(edit)
                edit.style().polish(edit)

    def show_penalty(self) -> None:
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

    def focus_amount(self) -> None:
        self.amount.setFocus()
        self.amount.selectAll()

    def retranslate_ui(self) -> None:
        quote = self.quote
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
        self.show_penalty()
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
        self.bills_model.retranslate()
