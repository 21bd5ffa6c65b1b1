"""The account ledger: balance, arrears and bill status derived from bills and payments.

Nothing here is stored. Payments settle the oldest bills first (FIFO), so the paid state
of each bill is a projection of the two lists and cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: A bill more than this many times the average of the previous three is "abnormally high"
#: (Telecommunications Regulations, art. 33).
HUGE_CHARGE_FACTOR = 5
HUGE_CHARGE_WINDOW = 3


class BillState(StrEnum):
    PAID = "paid"
    PARTIAL = "partial"
    UNPAID = "unpaid"


@dataclass(frozen=True, slots=True)
class BillLine:
    period: str  # "2026-10"
    amount_fen: int
    issue_date: date
    due_date: date


@dataclass(frozen=True, slots=True)
class SettledBill:
    bill: BillLine
    paid_fen: int
    state: BillState
    huge_charge: bool

    @property
    def outstanding_fen(self) -> int:
        return self.bill.amount_fen - self.paid_fen


@dataclass(frozen=True, slots=True)
class LedgerSummary:
    billed_fen: int
    paid_fen: int
    bills: tuple[SettledBill, ...]

    @property
    def balance_fen(self) -> int:
        """Positive: credit on the account; negative: the customer owes money."""
        return self.paid_fen - self.billed_fen

    @property
    def arrears_fen(self) -> int:
        return max(0, -self.balance_fen)

    def overdue_fen(self, today: date) -> int:
        return sum(b.outstanding_fen for b in self.bills if b.bill.due_date < today)

    def oldest_unpaid_due(self) -> date | None:
        unpaid = [b.bill.due_date for b in self.bills if b.outstanding_fen > 0]
        return min(unpaid) if unpaid else None


def is_huge_charge(amount_fen: int, previous: Sequence[int]) -> bool:
    """True when ``amount_fen`` exceeds 5× the average of the (up to) three bills before it."""
    window = list(previous)[-HUGE_CHARGE_WINDOW:]
    if len(window) < HUGE_CHARGE_WINDOW:
        return False
    average = sum(window) / len(window)
    return average > 0 and amount_fen > HUGE_CHARGE_FACTOR * average


def settle(bills: Sequence[BillLine], paid_total_fen: int) -> LedgerSummary:
    """Allocate the sum of payments to the bills, oldest period first."""
    ordered = sorted(bills, key=lambda b: (b.period, b.due_date))
    remaining = paid_total_fen
    settled: list[SettledBill] = []
    amounts: list[int] = []
    for bill in ordered:
        paid = min(bill.amount_fen, max(0, remaining))
        remaining -= paid
        if paid >= bill.amount_fen:
            state = BillState.PAID
        elif paid > 0:
            state = BillState.PARTIAL
        else:
            state = BillState.UNPAID
        settled.append(SettledBill(bill, paid, state, is_huge_charge(bill.amount_fen, amounts)))
        amounts.append(bill.amount_fen)
    return LedgerSummary(
        billed_fen=sum(b.amount_fen for b in ordered),
        paid_fen=paid_total_fen,
        bills=tuple(settled),
    )
