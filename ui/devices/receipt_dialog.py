"""A HallDesk receipt's QR code scanned anywhere: its payment, with reprint and void.

The code is verified first (``ScannedReceiptService``: the store's HMAC, the receipt number,
the amount); a code that does not verify opens nothing and says why. Reprint prints the
next 补打 copy through the receipts' print step (the ESC/POS printer when one is set up);
void asks a shift leader's credential and a reason, as from the customer's history.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.devices.scanned_receipt import ScannedReceiptService
from app.i18n import _, format_datetime, format_money
from app.services.payments import PaymentDetail
from ui.arrears.void_dialog import open_void_dialog
from ui.context import AppContext
from ui.errors import error_text
from ui.printing import ReceiptOutcome, ReceiptPrinting, saved_layout
from ui.service_dialogs import LeaderDialog
from ui.widgets import Palette, heading_label, payment_method_text, set_text_colour


class ScannedReceiptDialog(QDialog):
    """One payment found by its receipt's QR code (see the module docstring)."""

    def __init__(
        self, ctx: AppContext, payment_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scannedReceiptDialog")
        self._ctx = ctx
        self.payment_id = payment_id
        self.printing = ReceiptPrinting(ctx)
        self.detail: PaymentDetail = ctx.payments.payment_view(payment_id)
        self._busy = False

        self.title = heading_label(self, point_delta=3)
        self.form = QFormLayout()
        self._rows = [(QLabel(self), QLabel(self)) for _row in range(7)]
        for label, value in self._rows:
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(label, value)
        self.message = QLabel(self)
        self.message.setObjectName("scannedReceiptMessage")
        self.message.setWordWrap(True)
        self.reprint_button = QPushButton(self)
        self.reprint_button.setObjectName("scannedReprint")
        self.reprint_button.clicked.connect(lambda *_a: self.reprint())
        self.void_button = QPushButton(self)
        self.void_button.setObjectName("scannedVoid")
        self.void_button.clicked.connect(lambda *_a: self.void())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.addButton(self.reprint_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.void_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.reprint_button.setFocus()
        self.retranslate_ui()

    def _refresh(self) -> None:
        self.detail = self._ctx.payments.payment_view(self.payment_id)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        d = self.detail
        self.setWindowTitle(_("Scanned receipt"))
        self.title.setText(_("Receipt {receipt_no}").format(receipt_no=d.receipt_no or ""))
        if d.voided:
            state = _("voided")
        elif d.reversed:
            state = _("reversed")
        else:
            state = _("valid")
        rows = [
            (_("Paid at"), format_datetime(d.paid_at, self._ctx.hall.timezone)),
            (_("Amount"), format_money(d.amount_fen)),
            (_("Method"), payment_method_text(d.method)),
            (_("Customer"), d.customer_name),
            (_("Account"), d.account_no),
            (_("Copies printed"), str(d.prints)),
            (_("State"), state),
        ]
        for (label, value), (label_text, value_text) in zip(self._rows, rows, strict=True):
            label.setText(label_text)
            value.setText(value_text)
        self.reprint_button.setText(_("&Reprint (补打)"))
        self.void_button.setText(_("&Void…"))
        self.void_button.setEnabled(d.voidable and not self._busy)
        self.void_button.setToolTip(
            "" if d.voidable else _("Only a payment taken today at this PC can be voided.")
        )
        self.reprint_button.setEnabled(not self._busy)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reprint(self) -> bool:
        if self._busy:
            return False
        self._busy = True
        self.retranslate_ui()
        self._say(_("Preparing the receipt…"), Palette.MUTED)
        self.printing.issue(
            self.payment_id,
            saved_layout(self._ctx.settings),
            reprint=True,
            parent=self,
            on_done=self._reprinted,
            on_error=self._failed,
        )
        return True

    def _reprinted(self, outcome: ReceiptOutcome) -> None:
        self._busy = False
        self._refresh()
        if outcome.failed:
            self._say(
                _("Reprint {copy} did not print: {reason}").format(
                    copy=outcome.copy_no, reason=outcome.error
                ),
                Palette.DANGER,
            )
        else:
            self._say(_("Reprint {copy} (补打) printed.").format(copy=outcome.copy_no), Palette.OK)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.retranslate_ui()
        self._say(error_text(exc), Palette.DANGER)

    def void(self) -> LeaderDialog | None:
        if not self.detail.voidable:
            return None

        def voided(text: str) -> None:
            self._refresh()
            self._say(text, Palette.OK)

        dialog = open_void_dialog(self._ctx, self.detail, self, voided)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def _say(self, text: str, colour: object = None) -> None:
        self.message.setText(text)
        set_text_colour(self.message, colour)  # type: ignore[arg-type]


def open_scanned_receipt(
    ctx: AppContext, payload: str, parent: QWidget | None
) -> ScannedReceiptDialog | None:
    """Verify a scanned receipt code and show its payment; a refusal is shown instead (in a
    message box that does not block: a scan must never stall the counter)."""
    try:
        payment_id = ScannedReceiptService(ctx.store, ctx.clock).payment_for(payload)
        dialog = ScannedReceiptDialog(ctx, payment_id, parent)
    except Exception as exc:
        box = QMessageBox(
            QMessageBox.Icon.Warning, _("Scanned receipt"), error_text(exc), parent=parent
        )
        box.setObjectName("scanRefused")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
