"""What each document prints, as frozen data classes checked on construction.

They live apart from the renderers so that services and screens can build and pass them
without importing reportlab (which costs start-up time); ``app.documents.<document>`` renders
them and re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Documents handed to customers (receipts, notices, acknowledgements) print in Chinese,
#: whatever language the clerk's screen is in; internal sheets follow the screen.
CUSTOMER_DOCUMENT_LANGUAGE: Final = "zh_CN"


class ReceiptLayout(StrEnum):
    ROLL_80 = "roll80"
    A5 = "a5"


@dataclass(frozen=True, slots=True)
class PaidBill:
    """One monthly bill settled by the payment: ``period`` as printed ("2026-10")."""

    period: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """Everything a receipt prints, already decided by the caller.

    Invariants (checked, because a printed receipt must add up): ``amount_fen`` (what the
    payment settled) equals the bills plus ``penalty_fen`` (the late-payment penalty it
    settled, printed as its own item when not zero) plus ``prepayment_fen``, printed in the
    order they are settled; ``rounding_fen`` (0–9) is the fen of a cash amount written off
    in the customer's favour, printed as its own line, so the customer paid ``paid_fen``;
    for cash, ``tendered_fen - change_fen == paid_fen``; ``paid_at`` is timezone-aware and
    printed in the hall's ``timezone``. ``method`` is a label the caller already translated.
    ``customer_name`` should arrive masked; it is masked again here (idempotent) unless the
    customer is an organisation. ``balance_after_fen`` < 0 means the account still owes that
    much on its bills; ``penalty_owed_after_fen`` is the penalty still owed after it.
    """

    hall_name: str
    hall_address: str
    hotline: str
    receipt_no: str
    paid_at: datetime
    timezone: str
    staff_no: str
    customer_name: str
    account_no: str
    amount_fen: int
    method: str
    bills: tuple[PaidBill, ...] = ()
    prepayment_fen: int = 0
    reference: str = ""
    tendered_fen: int | None = None
    change_fen: int | None = None
    balance_after_fen: int = 0
    verify_payload: str = ""
    reprint_count: int = 0
    voided: bool = False
    organisation: bool = False
    penalty_fen: int = 0
    penalty_owed_after_fen: int = 0
    rounding_fen: int = 0

    @property
    def paid_fen(self) -> int:
        """What the customer paid: the amount settled less the rounding written off."""
        return self.amount_fen - self.rounding_fen

    def __post_init__(self) -> None:
        if self.paid_at.tzinfo is None or self.paid_at.utcoffset() is None:
            raise ValueError("paid_at must be timezone-aware")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        if min(self.amount_fen, self.prepayment_fen, self.penalty_fen) < 0:
            raise ValueError("receipt amounts are never negative")
        if self.penalty_owed_after_fen < 0:
            raise ValueError("the penalty still owed is never negative")
        if not 0 <= self.rounding_fen < 10 or self.rounding_fen > self.amount_fen:
            raise ValueError("a rounding is 0 to 9 fen of the amount")
        if any(bill.amount_fen <= 0 for bill in self.bills):
            raise ValueError("a paid bill has a positive amount")
        items = sum(b.amount_fen for b in self.bills) + self.prepayment_fen + self.penalty_fen
        if items != self.amount_fen:
            raise ValueError("bills plus prepayment plus penalty must equal the amount paid")
        if (self.tendered_fen is None) != (self.change_fen is None):
            raise ValueError("cash tendered and change go together")
        if (
            self.tendered_fen is not None
            and self.change_fen is not None
            and (self.change_fen < 0 or self.tendered_fen - self.change_fen != self.paid_fen)
        ):
            raise ValueError("tendered minus change must equal the amount paid")
        if self.reprint_count < 0:
            raise ValueError("reprint_count counts reprints from 0")


@dataclass(frozen=True, slots=True)
class OutstandingBill:
    period: str
    amount_fen: int
    due_date: date


@dataclass(frozen=True, slots=True)
class ArrearsNoticeData:
    """What the notice states, decided by the caller.

    Invariants (checked): at least one bill; ``total_owed_fen`` is the sum of the bills;
    the penalty is not negative. The total due is bills plus penalty. ``services`` are
    already-masked numbers with their kind as the caller wants them printed; ``next_step``
    is the translated description of the ladder step that follows if nothing is paid.
    """

    hall_name: str
    hall_address: str
    hotline: str
    customer_name: str
    account_no: str
    services: tuple[str, ...]
    bills: tuple[OutstandingBill, ...]
    total_owed_fen: int
    penalty_fen: int
    pay_by: date
    next_step: str
    issue_date: date
    notice_no: str = ""
    organisation: bool = False

    def __post_init__(self) -> None:
        if not self.bills:
            raise ValueError("an arrears notice lists at least one unpaid bill")
        if any(bill.amount_fen <= 0 for bill in self.bills):
            raise ValueError("an unpaid bill has a positive amount")
        if sum(bill.amount_fen for bill in self.bills) != self.total_owed_fen:
            raise ValueError("total_owed_fen must be the sum of the bills")
        if self.penalty_fen < 0:
            raise ValueError("the penalty is never negative")

    @property
    def total_due_fen(self) -> int:
        return self.total_owed_fen + self.penalty_fen
