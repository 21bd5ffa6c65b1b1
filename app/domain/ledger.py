"""The account ledger: balance, arrears and bill status derived from bills and payments.

Nothing here is stored. Payments settle the oldest bills first (FIFO), so the paid state
of each bill is a projection of the two lists and cannot drift from them. ``DatedLedger``
replays the same rule to any day, for the ladder engine and the late-payment penalty.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import accumulate

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
class PaymentLine:
    """What a payment credited to the bills (its amount less the part that settled a
    late-payment penalty) on the hall-local date it was made; voids and reversals are
    negative."""

    paid_on: date
    amount_fen: int


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


class DatedLedger:
    """Bills and payments replayed to any day, with the same FIFO rule as ``settle``.

    ``settle`` is not reused because the ladder's episode search and the penalty replay
    many days, and ``settle`` also computes huge-charge flags on each call;
    ``test_arrears`` checks the two agree. Everything inside works on day ordinals
    (``date.toordinal``) and prefix sums: the ladder evaluates a hundred thousand accounts
    at a time, and ``from_ordinals`` builds a ledger from a bulk read without a ``BillLine``
    or a ``date`` per row.
    """

    def __init__(self, bills: Sequence[BillLine], payments: Sequence[PaymentLine]) -> None:
        lines = sorted(bills, key=lambda b: (b.period, b.due_date))
        ordered = sorted(payments, key=lambda p: p.paid_on)
        self._lines: list[BillLine] | None = lines
        self._setup(
            [b.due_date.toordinal() for b in lines],
            [b.amount_fen for b in lines],
            [p.paid_on.toordinal() for p in ordered],
            [p.amount_fen for p in ordered],
        )

    @classmethod
    def from_ordinals(
        cls,
        due_ordinals: list[int],
        bill_amounts: list[int],
        pay_ordinals: list[int],
        pay_amounts: list[int],
    ) -> DatedLedger:
        """The ledger of bills given in ledger order (period, then due date) as their due
        days' ordinals and amounts, and payments as their days' ordinals and amounts, in
        day order. The lists are kept, not copied. ``bills`` is not available on it."""
        ledger = cls.__new__(cls)
        ledger._lines = None
        ledger._setup(due_ordinals, bill_amounts, pay_ordinals, pay_amounts)
        return ledger

    def _setup(self, dues: list[int], amounts: list[int], pays: list[int], paid: list[int]) -> None:
        self._due_ords = dues
        self._amounts = amounts
        self._pay_ords = pays
        self._paid_totals = list(accumulate(paid))
        self._billed_totals = list(accumulate(amounts))
        # Bills due in ledger order, all positive (the usual case): the bills due before a
        # day are a prefix, and what FIFO leaves of them follows from two sums.
        self._prefix = (not amounts or min(amounts) > 0) and dues == sorted(dues)

    @property
    def bills(self) -> list[BillLine]:
        """The bills in ledger order (a ledger built from lines only)."""
        if self._lines is None:
            raise ValueError("a ledger built from ordinals has no bill lines")
        return self._lines

    @property
    def pay_days(self) -> list[date]:
        return [date.fromordinal(d) for d in self._pay_ords]

    @property
    def billed_fen(self) -> int:
        """Everything billed."""
        return self._billed_totals[-1] if self._billed_totals else 0

    def _paid_through(self, ordinal: int) -> int:
        index = bisect_right(self._pay_ords, ordinal)
        return self._paid_totals[index - 1] if index else 0

    def paid_by(self, day: date) -> int:
        """Sum of payments made on or before ``day`` (a same-day payment counts first)."""
        return self._paid_through(day.toordinal())

    def paid_before(self, day: date) -> int:
        """Sum of payments made before ``day`` (what the bills owed at its start reflect)."""
        return self._paid_through(day.toordinal() - 1)

    def outstanding(self, day: date) -> list[int]:
        """What each bill (in ledger order) still owes once the payments made on or before
        ``day`` are allocated oldest first."""
        return self._outstanding(self.paid_by(day))

    def _outstanding(self, paid: int) -> list[int]:
        remaining = paid
        result: list[int] = []
        for amount in self._amounts:
            settled = min(amount, max(0, remaining))
            remaining -= settled
            result.append(amount - settled)
        return result

    def standing(self, day: date) -> tuple[int, int, int | None]:
        """(owed, overdue, oldest open due) at the end of ``day``: everything unpaid, the
        part of it due before ``day``, and the ordinal of the earliest due date among the
        bills not fully paid (None when all are), payments of ``day`` counted."""
        ordinal = day.toordinal()
        paid = self._paid_through(ordinal)
        owed = max(0, self.billed_fen - paid)
        if self._prefix:
            # FIFO pays a prefix of the bills: the first one it leaves open is the oldest.
            first_open = bisect_right(self._billed_totals, paid)
            oldest = self._due_ords[first_open] if first_open < len(self._due_ords) else None
            return owed, self._overdue(ordinal, paid), oldest
        overdue = 0
        oldest_open: int | None = None
        for due, left in zip(self._due_ords, self._outstanding(paid), strict=True):
            if left > 0:
                if oldest_open is None or due < oldest_open:
                    oldest_open = due
                if due < ordinal:
                    overdue += left
        return owed, overdue, oldest_open

    def overdue_at_starts(self, ordinals: Sequence[int]) -> list[int]:
        """``overdue_at_start_ordinal`` of each of the ascending ``ordinals``: one walk
        along the due dates and payments instead of two searches a day (the penalty asks
        for every day its base may change)."""
        if not self._prefix:
            return [self.overdue_at_start_ordinal(d) for d in ordinals]
        dues, billed_totals = self._due_ords, self._billed_totals
        pays, paid_totals = self._pay_ords, self._paid_totals
        bills_count, pays_count = len(dues), len(pays)
        i = j = 0
        result: list[int] = []
        for day in ordinals:
            while i < bills_count and dues[i] < day:
                i += 1
            while j < pays_count and pays[j] < day:
                j += 1
            billed = billed_totals[i - 1] if i else 0
            paid = paid_totals[j - 1] if j else 0
            result.append(billed if paid <= 0 else (billed - paid if paid < billed else 0))
        return result

    def _overdue(self, due_before: int, paid: int) -> int:
        """What bills due before the ordinal ``due_before`` still owe once ``paid`` is
        allocated to the bills oldest first."""
        if self._prefix:
            count = bisect_left(self._due_ords, due_before)
            billed = self._billed_totals[count - 1] if count else 0
            return billed - min(billed, max(0, paid))
        return sum(
            left
            for due, left in zip(self._due_ords, self._outstanding(paid), strict=True)
            if due < due_before
        )

    def overdue(self, day: date) -> int:
        """What is past its due date at the end of ``day`` (its payments counted)."""
        ordinal = day.toordinal()
        return self._overdue(ordinal, self._paid_through(ordinal))

    def overdue_at_start(self, day: date) -> int:
        """What was past its due date when ``day`` began: bills due before ``day``, less
        the payments of the days before it. A payment made on ``day`` counts from the next
        day, so ``day`` is a late day for what it pays (the late-payment penalty's base)."""
        return self.overdue_at_start_ordinal(day.toordinal())

    def overdue_at_start_ordinal(self, ordinal: int) -> int:
        """``overdue_at_start`` of the day with this ordinal (``date.toordinal``)."""
        return self._overdue(ordinal, self._paid_through(ordinal - 1))

    @property
    def due_ordinals(self) -> list[int]:
        """The bills' due days (ordinals), in ledger order."""
        return self._due_ords

    @property
    def pay_ordinals(self) -> list[int]:
        """The payments' days (ordinals), in day order."""
        return self._pay_ords

    def episode_start(self, today: date) -> date | None:
        """First day of the unbroken overdue stretch that includes ``today``.

        The overdue amount changes only on the day after a due date or on a payment day,
        so walking back over those days finds where it last rose from zero.
        """
        ordinal = today.toordinal()
        overdue, paid_through = self._overdue, self._paid_through
        if overdue(ordinal, paid_through(ordinal)) <= 0:
            return None
        start = (
            self._episode_start_prefix(ordinal)
            if self._prefix
            else self._episode_start_any(ordinal)
        )
        return date.fromordinal(start) if start is not None else None

    def _episode_start_any(self, ordinal: int) -> int | None:
        """``episode_start`` of any ledger as an ordinal: the change days in a sorted set,
        walked back with the overdue amount worked out at each."""
        overdue, paid_through = self._overdue, self._paid_through
        changes = {d + 1 for d in self._due_ords}
        changes.update(self._pay_ords)
        start: int | None = None
        for day in sorted(changes, reverse=True):
            if day > ordinal:
                continue
            start = day
            if overdue(day - 1, paid_through(day - 1)) <= 0:
                break
        return start

    def _episode_start_prefix(self, ordinal: int) -> int | None:
        """``episode_start`` of a prefix ledger (bills due in ledger order, all positive) as
        an ordinal: the same walk back over the change days, merged from the two sorted
        lists instead of a sorted set, with the sums at each day read off the walk.

        At a change day ``day`` the indexes stand just below it: ``i`` on the last bill due
        before ``day - 1`` (what is overdue at the end of ``day - 1``), ``j`` on the last
        payment made by ``day - 1``."""
        dues, billed_totals = self._due_ords, self._billed_totals
        pays, paid_totals = self._pay_ords, self._paid_totals
        i = bisect_left(dues, ordinal) - 1  # the last bill whose next day is on or before today
        j = bisect_right(pays, ordinal) - 1  # the last payment made on or before today
        start: int | None = None
        while i >= 0 or j >= 0:
            day = dues[i] + 1 if i >= 0 else 0
            if j >= 0 and pays[j] > day:
                day = pays[j]
            while i >= 0 and dues[i] + 1 >= day:
                i -= 1
            while j >= 0 and pays[j] >= day:
                j -= 1
            start = day
            billed = billed_totals[i] if i >= 0 else 0
            # Nothing overdue at the end of ``day - 1`` (FIFO covered every bill due).
            if billed <= 0 or billed <= (paid_totals[j] if j >= 0 else 0):
                break
        return start

    def late_fen(self, first: int, last: int, per_mille: int) -> int:
        """The penalty of the days ``first`` to ``last`` (ordinals): the sum over them of
        ``per_mille``‰ of ``overdue_at_start`` rounded down, a day at a time, with nothing
        frozen. The base changes only on the day after a due date or a payment, so the walk
        goes from one such day to the next (``app.domain.penalty`` builds the same runs as
        segments when it needs them; this is the sum alone, for the ladder's thousands of
        accounts)."""
        if not self._prefix:
            return sum(
                (b - a + 1) * (base * per_mille // 1000)
                for a, b, base in self._base_runs(first, last)
                if base > 0
            )
        dues, billed_totals = self._due_ords, self._billed_totals
        pays, paid_totals = self._pay_ords, self._paid_totals
        bills_count, pays_count = len(dues), len(pays)
        i = bisect_left(dues, first)  # bills due before ``first``
        j = bisect_left(pays, first)  # payments made before ``first``
        total = 0
        day = first
        while day <= last:
            while i < bills_count and dues[i] < day:
                i += 1
            while j < pays_count and pays[j] < day:
                j += 1
            following = last + 1
            if i < bills_count and dues[i] + 1 < following:
                following = dues[i] + 1
            if j < pays_count and pays[j] + 1 < following:
                following = pays[j] + 1
            billed = billed_totals[i - 1] if i else 0
            paid = paid_totals[j - 1] if j else 0
            base = billed if paid <= 0 else (billed - paid if paid < billed else 0)
            if base > 0:
                total += (following - day) * (base * per_mille // 1000)
            day = following
        return total

    def _base_runs(self, first: int, last: int) -> list[tuple[int, int, int]]:
        """(first, last, base) runs of the days ``first`` to ``last`` by their change days."""
        changes = {first}
        changes.update(d + 1 for d in self._due_ords if first < d + 1 <= last)
        changes.update(d + 1 for d in self._pay_ords if first < d + 1 <= last)
        starts = sorted(changes)
        bases = self.overdue_at_starts(starts)
        starts.append(last + 1)
        return [(a, b - 1, base) for a, b, base in zip(starts, starts[1:], bases, strict=False)]
