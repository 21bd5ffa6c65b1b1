"""A HallDesk receipt's QR code scanned at the counter: checked, then its payment found.

The code says ``HALLDESK:R:{receipt_no}:{amount_fen}:{hmac8}``. It is trusted only when
its HMAC verifies with this store's receipt secret (``ReceiptService.verify``): a code
anyone could print never opens a payment. The payment is then looked up by its receipt
number, and its amount must be the one the code carries.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.devices.scanner import classify
from app.domain.errors import NotFound, ValidationError
from app.i18n import N_
from app.services.base import Clock, utc_now
from app.services.payments.receipts import ReceiptService
from app.store.database import Store
from app.store.models import Payment, PaymentKind


class ScannedReceiptService:
    """Finds the payment of a scanned receipt QR code (see the module docstring)."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._receipts = ReceiptService(store, clock)

    def payment_for(self, payload: str) -> uuid.UUID:
        """The payment whose receipt carries ``payload``; a ``ValidationError`` for a code
        this store did not sign, ``NotFound`` for a receipt not in this PC's records."""
        parsed = classify(payload).receipt
        if parsed is None or not self._receipts.verify(payload):
            raise ValidationError(
                "receipt",
                N_(
                    "This QR code is not a receipt signed by this PC's HallDesk: it was "
                    "printed elsewhere or has been altered. Look the payment up by its "
                    "receipt number."
                ),
            )
        receipt_no, amount_fen = parsed
        with self._store.read() as session:
            # Usually one; two when a PC restored with its number mark repeated the number
            # (migration 0017): the signed amount tells them apart.
            payments = session.execute(
                select(Payment.id, Payment.amount_fen).where(
                    Payment.receipt_no == receipt_no, Payment.kind == PaymentKind.PAYMENT.value
                )
            ).all()
        if not payments:
            raise NotFound(
                N_("Receipt {receipt_no} is not in this PC's records."), receipt_no=receipt_no
            )
        for payment_id, paid_fen in payments:
            if paid_fen == amount_fen:
                return payment_id
        raise ValidationError(
            "receipt",
            N_("The amount on receipt {receipt_no} does not match its payment."),
            receipt_no=receipt_no,
        )
