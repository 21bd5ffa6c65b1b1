"""Voiding a payment (same day, this PC): a leader approves with a reason, the service
records a void entry, and a cash payment's money goes back over the counter, so the drawer
opens. One dialog for every place a payment can be voided from (the customer's payment
history, a scanned receipt)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from app.i18n import _, format_money
from app.services.payments import PaymentDetail
from ui.context import AppContext
from ui.keyboard import VOID_KEY
from ui.service_dialogs import LeaderDialog


def open_void_dialog(
    ctx: AppContext, detail: PaymentDetail, parent: QWidget, on_voided: Callable[[str], None]
) -> LeaderDialog:
    """Open the leader's approval for voiding ``detail``; ``on_voided`` gets the message to
    show once the void is recorded (and the drawer was asked to open for cash)."""
    payments, actor, payment_id = ctx.payments, ctx.actor, detail.payment_id
    amount, receipt = format_money(detail.amount_fen), detail.receipt_no or ""
    dialog = LeaderDialog(
        ctx,
        lambda: _(
            "Void payment {amount} (receipt {receipt_no}). The payment stays on record "
            "with a void entry; hand the money back to the customer."
        ).format(amount=amount, receipt_no=receipt),
        action=lambda leader, reason: payments.void(actor, payment_id, leader, reason),
        reason=True,
        parent=parent,
    )
    dialog.setObjectName("voidDialog")

    def voided() -> None:
        from ui.devices.controller import devices_of

        devices_of(ctx).payment_voided(detail.method)  # cash goes back: the drawer opens
        on_voided(_("Payment of receipt {receipt_no} voided.").format(receipt_no=receipt))

    dialog.accepted.connect(voided)
    dialog.open()
    return dialog


def void_key_action(owner: QWidget, void: Callable[[], object]) -> QAction:
    """The void key (``ui.keyboard.VOID_KEY``, Shift+F2) on ``owner``: active in its window
    while ``owner`` is shown (a payment history on screen), whatever has the focus there."""
    action = QAction(owner)
    action.setObjectName("actionVoidPayment")
    action.setShortcut(QKeySequence(VOID_KEY))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda *_a: void())
    owner.addAction(action)
    return action
