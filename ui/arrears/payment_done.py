"""The last page of the payment dialog: the payment recorded, its receipt number, and the
receipt's fate (printed, saved, or a printer fault that leaves the payment recorded), with
the receipt as it was printed beside it.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_money, ngettext
from app.services.payments import (
    PaymentPlan,
    RecordedPayment,
)
from ui.errors import error_text
from ui.printing import (
    ReceiptOutcome,
    layout_text,
    render_first_page,
)
from ui.widgets import (
    Palette,
    heading_label,
    payment_method_text,
    set_text_colour,
)

#: Width in pixels of the receipt shown on the last page (the PDF that was printed).
RECEIPT_PREVIEW_WIDTH: Final = 300


class PaymentDonePage(QWidget):
    """What was recorded and what became of its receipt."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDone")
        self.done_title = heading_label(self, point_delta=4)
        self.done_title.setObjectName("paymentDoneTitle")
        set_text_colour(self.done_title, Palette.OK)
        self.done_summary = QLabel(self)
        self.done_summary.setObjectName("paymentDoneSummary")
        self.done_summary.setWordWrap(True)
        self.done_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipt_status = QLabel(self)
        self.receipt_status.setObjectName("paymentReceiptStatus")
        self.receipt_status.setWordWrap(True)
        self.receipt_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipt_preview = QLabel(self)
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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text, 1)
        layout.addSpacing(12)
        layout.addWidget(self.receipt_preview)

    def show_preparing(self) -> None:
        self.receipt_status.setText(_("Preparing the receipt…"))
        set_text_colour(self.receipt_status, Palette.MUTED)

    def show_receipt(self, outcome: ReceiptOutcome) -> None:
        """The receipt's first page beside the text, and its status."""
        image = render_first_page(outcome.pdf, RECEIPT_PREVIEW_WIDTH)
        if image is not None:
            self.receipt_preview.setPixmap(QPixmap.fromImage(image))
        self.show_receipt_status(outcome)

    def show_receipt_error(self, exc: BaseException) -> None:
        self.receipt_status.setText(
            _(
                "The payment is recorded, but the receipt could not be prepared: {reason}. "
                "Reprint it from the customer's payment history."
            ).format(reason=error_text(exc))
        )
        set_text_colour(self.receipt_status, Palette.DANGER)

    def show_done(self, recorded: RecordedPayment | None, plan: PaymentPlan | None) -> None:
        """What was recorded: the receipt number, the amount and method, the change."""
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

    def show_receipt_status(self, outcome: ReceiptOutcome | None) -> None:
        """Whether the receipt printed, and where its PDF copy is."""
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
