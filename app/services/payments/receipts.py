"""Receipts of payments: rendered from the database, archived as PDF, every print recorded.

Invariants, and why:

* **A receipt is rebuilt from the records**, never stored: the payment row, its allocations
  (the bills it settled, fixed when it was taken), the staff member, the customer and the
  hall. A reprint therefore shows exactly what the original showed, plus its marks.
* **Only one unmarked copy.** The copy number is the number of copies already printed or
  saved (``receipt_print`` rows with outcome printed/saved, distinct copy numbers); copy 0 is
  the original and every later copy carries 补打 with its count. A copy whose print failed
  does not count, so after a printer fault the customer still gets an unmarked original.
  ``render``'s ``reprint`` flag states the caller's intent only: the records decide, so no
  code path can print a second unmarked original.
* **A voided payment** (a ``void`` row points at it) renders with the 作废 mark. A reversal
  does not mark the receipt: it was valid proof of payment when issued and the reversal is
  a later event of its own.
* **Prints are append-only history**: every attempt, failed ones included, is a
  ``receipt_print`` row plus an audit event, in a transaction of its own, so a printer
  fault never touches the payment.
* **The QR code verifies** the receipt number and amount: ``HALLDESK:R:{receipt_no}:
  {amount_fen}:{hmac8}``, hmac8 being the first 8 hex digits of HMAC-SHA256 over
  ``{receipt_no}|{amount_fen}`` with the store's secret (``hall_setting`` key
  ``receipt_secret``, created on first use). It proves the receipt came from this hall's
  records, not that the payment still stands (look the number up for that).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.documents.data import CUSTOMER_DOCUMENT_LANGUAGE, PaidBill, ReceiptData, ReceiptLayout
from app.domain.errors import NotFound, ValidationError
from app.domain.identity import mask_name
from app.domain.ids import uuid7
from app.i18n import N_, in_language
from app.services.arrears.records import business_date
from app.services.base import Actor, Clock, audit, utc_now
from app.services.hall.service import HallService
from app.services.payments.account import policy_in_force
from app.services.payments.corrections import correction_of
from app.services.payments.penalty_records import penalty_owed_after
from app.services.payments.service import method_label, printed_copies
from app.store.database import Store
from app.store.models import (
    Account,
    Bill,
    Customer,
    CustomerKind,
    HallSetting,
    Payment,
    PaymentAllocation,
    PaymentKind,
    ReceiptPrint,
    Staff,
)

SECRET_KEY: Final = "receipt_secret"
VERIFY_PREFIX: Final = "HALLDESK:R"
#: ``receipt_print.error`` holds 500 characters.
MAX_ERROR: Final = 500
_UNSAFE_FILE_CHARS: Final = re.compile(r"[^A-Za-z0-9._-]")


class PrintOutcome(StrEnum):
    """How one print attempt ended: on paper, only in the archive (the print dialog was
    cancelled), or failed. The first two count as copies handed out."""

    PRINTED = "printed"
    SAVED = "saved"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RenderedReceipt:
    """One copy of a receipt as PDF; ``copy_no`` 0 is the original, later copies are 补打."""

    pdf: bytes
    receipt_no: str
    copy_no: int
    payment_id: uuid.UUID
    layout: ReceiptLayout
    #: What the PDF prints: an ESC/POS printer prints the same data (``app.devices``).
    data: ReceiptData | None = None


def verification_code(secret: str, receipt_no: str, amount_fen: int) -> str:
    """The 8 hex digits that sign ``receipt_no`` and ``amount_fen``."""
    message = f"{receipt_no}|{amount_fen}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:8]


def archive_name(receipt_no: str, copy_no: int) -> str:
    """``{receipt_no}.pdf`` for the original, ``{receipt_no}-copy{n}.pdf`` for copy n."""
    safe = _UNSAFE_FILE_CHARS.sub("_", receipt_no)
    return f"{safe}.pdf" if copy_no == 0 else f"{safe}-copy{copy_no}.pdf"


class ReceiptService:
    """Renders, archives and records receipts; see the module docstring for the rules.

    ``invariant=True`` renders byte-identical PDFs for identical data (tests, goldens).
    """

    def __init__(self, store: Store, clock: Clock = utc_now, *, invariant: bool = False) -> None:
        self._store = store
        self._clock = clock
        self._invariant = invariant

    # -- rendering --

    def receipt_data(self, payment_id: uuid.UUID, *, copy_no: int | None = None) -> ReceiptData:
        """What the receipt of ``payment_id`` prints; ``copy_no`` defaults to the next copy."""
        hall = HallService(self._store).info()
        secret = self._secret()
        with self._store.read() as session:
            payment = _payment_with_receipt(session, payment_id)
            account = session.get(Account, payment.account_id)
            assert account is not None
            customer = session.get(Customer, account.customer_id)
            assert customer is not None
            staff = session.get(Staff, payment.staff_id) if payment.staff_id else None
            bills = tuple(
                PaidBill(period, amount)
                for period, amount in session.execute(
                    select(Bill.period, PaymentAllocation.amount_fen)
                    .join(Bill, Bill.id == PaymentAllocation.bill_id)
                    .where(PaymentAllocation.payment_id == payment.id)
                    .order_by(Bill.period)
                )
            )
            correction = correction_of(session, payment.id)
            copies = printed_copies(session, payment.id) if copy_no is None else copy_no
            assert payment.receipt_no is not None
            paid_bills = sum(b.amount_fen for b in bills)
            return ReceiptData(
                hall_name=hall.name,
                hall_address=hall.address,
                hotline=hall.hotline,
                receipt_no=payment.receipt_no,
                paid_at=payment.paid_at,
                timezone=hall.timezone,
                staff_no=staff.staff_no if staff else "",
                customer_name=mask_name(
                    customer.name, organisation=customer.kind == CustomerKind.ORGANISATION
                ),
                account_no=account.number,
                amount_fen=payment.amount_fen,
                method=method_label(payment.method),
                bills=bills,
                prepayment_fen=payment.amount_fen - payment.penalty_fen - paid_bills,
                penalty_fen=payment.penalty_fen,
                reference=payment.reference or "",
                tendered_fen=payment.tendered_fen,
                change_fen=payment.change_fen,
                balance_after_fen=_balance_after(session, payment, hall.timezone),
                penalty_owed_after_fen=penalty_owed_after(
                    session,
                    payment,
                    hall.timezone,
                    policy_in_force(session).penalty_per_mille_per_day,
                ),
                rounding_fen=payment.rounding_fen,
                verify_payload=_payload(secret, payment.receipt_no, payment.amount_fen),
                reprint_count=copies,
                voided=correction is not None and correction.kind == PaymentKind.VOID,
                organisation=customer.kind == CustomerKind.ORGANISATION,
            )

    def render(
        self, payment_id: uuid.UUID, layout: ReceiptLayout, *, reprint: bool
    ) -> RenderedReceipt:
        """The next copy of the receipt: copy 0 if none was printed or saved yet, else a
        补打 copy numbered by the copies before it (``reprint`` does not change that)."""
        layout = ReceiptLayout(layout)
        from app.documents.receipt import render_receipt  # reportlab: load late

        with in_language(CUSTOMER_DOCUMENT_LANGUAGE):
            data = self.receipt_data(payment_id)
            pdf = render_receipt(data, layout, invariant=self._invariant)
        return RenderedReceipt(pdf, data.receipt_no, data.reprint_count, payment_id, layout, data)

    def verify(self, payload: str) -> bool:
        """Whether a scanned QR payload was signed with this store's secret."""
        parts = payload.strip().split(":")
        if len(parts) != 5 or ":".join(parts[:2]) != VERIFY_PREFIX:
            return False
        receipt_no, amount, code = parts[2], parts[3], parts[4]
        if not amount.isdigit():
            return False
        expected = verification_code(self._secret(), receipt_no, int(amount))
        return hmac.compare_digest(expected, code)

    # -- archive and print log --

    @staticmethod
    def archive(rendered: RenderedReceipt, folder: Path) -> Path:
        """Write the copy into ``folder`` (created if missing) as ``archive_name``; the file
        appears whole or not at all (written aside, then renamed). A file of that name
        holding other bytes is never replaced: the copy then goes beside it with the
        payment's id in its name (a PC restored with its number mark may repeat a receipt
        number, migration 0017, and each customer's receipt stays in the archive)."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / archive_name(rendered.receipt_no, rendered.copy_no)
        if target.exists() and target.read_bytes() != rendered.pdf:
            target = target.with_name(f"{target.stem}-{rendered.payment_id.hex[:12]}.pdf")
        fd, temp = tempfile.mkstemp(prefix=".receipt-", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(rendered.pdf)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target

    def record_print(
        self,
        actor: Actor,
        payment_id: uuid.UUID,
        copy_no: int,
        layout: ReceiptLayout | str,
        archive_path: Path | str | None,
        outcome: PrintOutcome | str,
        error: str = "",
    ) -> uuid.UUID:
        """Append one print attempt (and its audit event); returns the row id.

        A failed attempt is recorded like any other, with ``error``; the payment is not
        touched, and the failed copy number is used again by the next ``render``.
        """
        outcome = PrintOutcome(outcome)
        layout = ReceiptLayout(layout)
        if copy_no < 0:
            raise ValueError("copy numbers start at 0")
        now = self._clock()
        with self._store.unit_of_work() as session:
            payment = _payment_with_receipt(session, payment_id)
            row = ReceiptPrint(
                id=uuid7(),
                payment_id=payment.id,
                copy_no=copy_no,
                layout=layout.value,
                at=now,
                staff_id=actor.staff_id,
                archive_path=str(archive_path or ""),
                outcome=outcome.value,
                error=(error or "")[:MAX_ERROR],
            )
            session.add(row)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action=f"receipt_{outcome.value}",
                entity="payment",
                entity_id=str(payment.id),
                receipt_no=payment.receipt_no,
                copy_no=copy_no,
                layout=layout.value,
                archive_path=str(archive_path or ""),
                error=row.error,
            )
        return row.id

    # -- the signing secret --

    def _secret(self) -> str:
        """The store's receipt secret, created (once, race-free) on first use."""
        with self._store.read() as session:
            row = session.get(HallSetting, SECRET_KEY)
            if row is not None:
                return row.value
        with self._store.unit_of_work() as session:
            session.execute(
                text("INSERT OR IGNORE INTO hall_setting (key, value) VALUES (:k, :v)"),
                {"k": SECRET_KEY, "v": secrets.token_hex(32)},
            )
            value = session.execute(
                text("SELECT value FROM hall_setting WHERE key = :k"), {"k": SECRET_KEY}
            ).scalar_one()
        return str(value)


def _payload(secret: str, receipt_no: str, amount_fen: int) -> str:
    code = verification_code(secret, receipt_no, amount_fen)
    return f"{VERIFY_PREFIX}:{receipt_no}:{amount_fen}:{code}"


def _payment_with_receipt(session: Session, payment_id: uuid.UUID) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(N_("This payment does not exist."))
    if payment.kind != PaymentKind.PAYMENT or payment.receipt_no is None:
        raise ValidationError(
            "payment_id",
            N_(
                "Only a payment taken at a counter has a receipt; a void or reversal shows "
                "on the receipt of the payment it corrects."
            ),
        )
    return payment


def _balance_after(session: Session, payment: Payment, timezone: str) -> int:
    """The account's balance just after ``payment``: what payments up to and including it
    credited, minus the bills issued by its business date. Later payments, voids and
    bills do not change a receipt that is reprinted."""
    paid_on = business_date(payment.paid_at, timezone)
    billed = session.scalar(
        select(func.coalesce(func.sum(Bill.amount_fen), 0)).where(
            Bill.account_id == payment.account_id, Bill.issue_date <= paid_on
        )
    )
    credited = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_fen - Payment.penalty_fen), 0)).where(
            Payment.account_id == payment.account_id,
            (Payment.paid_at < payment.paid_at)
            | ((Payment.paid_at == payment.paid_at) & (Payment.id <= payment.id)),
        )
    )
    return int(credited or 0) - int(billed or 0)
