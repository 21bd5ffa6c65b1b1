"""The late-payment penalty (违约金) as a ledger: accrued day by day, posted, settled, waived.

Telecommunications Regulations art. 34: a user who pays late may be charged
"按照所欠费用每日加收3‰的违约金" (3‰ a day of the fees owed). The rules, and why:

* **A late day's base is what was overdue when the day began**: the bills due before it,
  less what the payments of earlier days credited to them, oldest bill first
  (``DatedLedger.overdue_at_start``). A payment counts from the next day, so a customer
  who pays ten days late pays ten days, on what was owed on each of them.
* **A frozen amount accrues nothing**: while a dispute freeze holds, its amount is taken off
  the base (never below zero). When the freeze ends, the amount accrues again from the
  next day; the frozen days are never charged, whichever way the dispute ends.
* **No penalty on a penalty**: only bills form the base.
* **Rounding**: a day's penalty is 3‰ of that day's base rounded *down* to the fen, so no
  day is charged more than 3‰ (half-up would, by up to half a fen). The total is a sum of
  whole-fen days, the same however the days are grouped into postings.
* **Posted, settled and waived are facts.** When a payment is taken, the penalty of the
  days not posted yet, up to that business day, is posted (a ``PostedAccrual``: its runs
  of days with their base and the rate of the day it was posted); what the payment settled
  and what a leader waived are recorded with it. A posted day is never charged again: if
  two PCs posted the same days while offline, the first posting (by time, then reference)
  counts for each day and the other's overlap counts nothing.
* **What is owed** is everything accrued (posted, plus the days not posted yet up to today)
  less what was settled and waived, never below zero. A void or a reversal settles a
  negative amount, so it re-opens exactly the penalty its payment had settled.
* **Which part of a payment settles what** (``split_payment``): the bills first, oldest
  first, then the penalty, then a prepayment. Money on the bills lowers tomorrow's base,
  money on the penalty lowers nothing (a penalty bears no penalty), so this order costs
  the customer least and takes the account off the ladder soonest. The Civil Code's default
  order (art. 561: costs, interest, principal) yields to what the parties agree, and an
  operator may always ask less than it could.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Final

from app.domain.freeze import Freeze
from app.domain.ledger import DatedLedger

_DAY: Final = timedelta(days=1)

Span = tuple[date, date]
Segment = tuple[int, int, int]


def daily_penalty_fen(base_fen: int, per_mille: int) -> int:
    """One late day's penalty on ``base_fen``: ``per_mille``‰ of it, rounded down."""
    if base_fen <= 0 or per_mille <= 0:
        return 0
    return base_fen * per_mille // 1000


def late_penalty_fen(base_fen: int, days_late: int, per_mille: int) -> int:
    """The penalty of ``days_late`` days on an unchanged base (day by day, rounded down)."""
    return max(0, days_late) * daily_penalty_fen(base_fen, per_mille)


@dataclass(frozen=True, slots=True)
class PenaltyRun:
    """Consecutive late days, ``first`` to ``last`` inclusive, with the same base."""

    first: date
    last: date
    base_fen: int

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a run ends on or after the day it starts")
        if self.base_fen < 0:
            raise ValueError("a penalty base is never negative")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def amount_fen(self, per_mille: int) -> int:
        return late_penalty_fen(self.base_fen, self.days, per_mille)


@dataclass(frozen=True, slots=True)
class PostedAccrual:
    """Penalty posted to the account: its runs (every day it covers, zero bases included,
    so that those days count as posted) at the rate in force when it was posted.

    ``posted_at`` and ``ref`` (the row's id) order postings: where two overlap, the
    earlier one counts for the shared days.
    """

    posted_at: datetime
    ref: str
    per_mille: int
    runs: tuple[PenaltyRun, ...]

    @property
    def amount_fen(self) -> int:
        return sum(run.amount_fen(self.per_mille) for run in self.runs)


@dataclass(frozen=True, slots=True)
class PenaltyFacts:
    """An account's penalty records: postings, the sum of what payments settled (voids and
    reversals negative) and the sum of what leaders waived."""

    accruals: tuple[PostedAccrual, ...] = ()
    settled_fen: int = 0
    waived_fen: int = 0


NO_PENALTY_FACTS: Final = PenaltyFacts()


@dataclass(frozen=True, slots=True)
class PenaltyPosition:
    """The penalty of one account on ``as_of``.

    ``posted_fen`` counts each posted day once; ``unposted`` are the late days up to
    ``as_of`` that no posting covers yet, with their base (what a payment today posts,
    at ``per_mille``, the rate in force today).
    """

    as_of: date
    per_mille: int
    posted_fen: int
    #: The unposted runs as (first day's ordinal, last day's ordinal, base): the ladder
    #: engine evaluates thousands of accounts and needs only the sum.
    segments: tuple[Segment, ...]
    settled_fen: int
    waived_fen: int

    @property
    def unposted(self) -> tuple[PenaltyRun, ...]:
        return tuple(
            PenaltyRun(date.fromordinal(a), date.fromordinal(b), base)
            for a, b, base in self.segments
        )

    @property
    def unposted_fen(self) -> int:
        rate = self.per_mille
        return sum((b - a + 1) * (base * rate // 1000) for a, b, base in self.segments if base)

    @property
    def accrued_fen(self) -> int:
        """Everything charged for the days up to ``as_of``."""
        return self.posted_fen + self.unposted_fen

    @property
    def owed_fen(self) -> int:
        """What is still to pay: accrued, less settled and waived."""
        return max(0, self.accrued_fen - self.settled_fen - self.waived_fen)

    @property
    def overpaid_fen(self) -> int:
        """More settled and waived than accrued: a penalty taken before these rules, or
        the same days charged on two PCs offline. Shown for the back office to refund."""
        return max(0, self.settled_fen + self.waived_fen - self.accrued_fen)

    @property
    def to_post(self) -> tuple[PenaltyRun, ...]:
        """The runs a payment today posts: none when they add nothing."""
        return self.unposted if self.unposted_fen > 0 else ()


@dataclass(frozen=True, slots=True)
class PaymentSplit:
    """Which part of a payment settles what (see the module docstring for the order)."""

    bills_fen: int
    penalty_fen: int
    prepayment_fen: int


def split_payment(amount_fen: int, bills_owed_fen: int, penalty_owed_fen: int) -> PaymentSplit:
    """``amount_fen`` split into the bills (everything they are owed, oldest first), then
    the penalty, then a prepayment."""
    if amount_fen < 0:
        raise ValueError("a payment's amount is not negative")
    bills = min(amount_fen, max(0, bills_owed_fen))
    penalty = min(amount_fen - bills, max(0, penalty_owed_fen))
    return PaymentSplit(bills, penalty, amount_fen - bills - penalty)


# --- days and their base ---------------------------------------------------------------------


def _segments(
    ledger: DatedLedger, freezes: Sequence[Freeze], first: int, last: int
) -> list[Segment]:
    """The late days ``first`` to ``last`` (ordinals) as (first, last, base) runs of equal
    base, zero bases included.

    The base changes only on the day after a due date or a payment, the day a freeze
    starts and the day after it ends, so it is computed once per such day.
    """
    if last < first:
        return []
    # The day after each due date and payment; those outside first..last are dropped below.
    changes = {first}
    changes.update([d + 1 for d in ledger.due_ordinals])
    changes.update([d + 1 for d in ledger.pay_ordinals])
    spans = [(f.starts_on.toordinal(), f.expires_on.toordinal(), f.amount_fen) for f in freezes]
    for a, b, _fen in spans:
        changes.add(a)
        changes.add(b + 1)
    ordered = sorted(changes)
    starts = ordered[bisect_left(ordered, first) : bisect_right(ordered, last)]
    bases = ledger.overdue_at_starts(starts)
    starts.append(last + 1)
    segments: list[Segment] = []
    for (start, following), base in zip(pairwise(starts), bases, strict=True):
        if spans:
            base -= sum(fen for a, b, fen in spans if a <= start <= b)
        if base < 0:
            base = 0
        if segments and segments[-1][2] == base:
            segments[-1] = (segments[-1][0], following - 1, base)
        else:
            segments.append((start, following - 1, base))
    return segments


def base_runs(
    ledger: DatedLedger, freezes: Sequence[Freeze], first: date, last: date
) -> list[PenaltyRun]:
    """The late days ``first`` to ``last`` as runs of equal base (zero bases included)."""
    return [
        PenaltyRun(date.fromordinal(a), date.fromordinal(b), base)
        for a, b, base in _segments(ledger, freezes, first.toordinal(), last.toordinal())
    ]


def _subtract(span: Span, covered: Sequence[Span]) -> list[Span]:
    """The parts of ``span`` outside the sorted, disjoint spans of ``covered``."""
    first, last = span
    left: list[Span] = []
    for a, b in covered:
        if b < first:
            continue
        if a > last:
            break
        if a > first:
            left.append((first, a - _DAY))
        first = max(first, b + _DAY)
        if first > last:
            return left
    left.append((first, last))
    return left


def _cover(covered: list[Span], span: Span) -> list[Span]:
    """``covered`` with ``span`` added, kept sorted and merged."""
    merged: list[Span] = []
    for a, b in sorted([*covered, span]):
        if merged and a <= merged[-1][1] + _DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def first_late_day(ledger: DatedLedger) -> date | None:
    """The first day any bill of the account could be late (the day after its first due)."""
    first_due = min(ledger.due_ordinals, default=None)
    return date.fromordinal(first_due + 1) if first_due is not None else None


def posted_fen(accruals: Iterable[PostedAccrual]) -> tuple[int, list[Span]]:
    """What the postings charged, each day counted once (the first posting of a day wins),
    and the days they cover."""
    covered: list[Span] = []
    total = 0
    for accrual in sorted(accruals, key=lambda a: (a.posted_at, a.ref)):
        for run in accrual.runs:
            for a, b in _subtract((run.first, run.last), covered):
                total += late_penalty_fen(run.base_fen, (b - a).days + 1, accrual.per_mille)
            covered = _cover(covered, (run.first, run.last))
    return total, covered


def penalty_position(
    ledger: DatedLedger,
    freezes: Sequence[Freeze],
    facts: PenaltyFacts,
    per_mille: int,
    today: date,
) -> PenaltyPosition:
    """The account's penalty on ``today`` (see the module docstring).

    Postings dated after ``today`` still count: a posting is a fact once written, and
    ``today`` is never earlier than the day it was posted for in the services' use.
    """
    segments: list[Segment] = []
    first_due = min(ledger.due_ordinals, default=None)
    if not facts.accruals:  # nothing posted: one span of days, no dates needed
        posted = 0
        if first_due is not None and first_due < today.toordinal():
            segments = _segments(ledger, freezes, first_due + 1, today.toordinal())
    else:
        posted, covered = posted_fen(facts.accruals)
        start = first_late_day(ledger)
        if start is not None and start <= today:
            for a, b in _subtract((start, today), covered):
                segments.extend(_segments(ledger, freezes, a.toordinal(), b.toordinal()))
    return PenaltyPosition(
        as_of=today,
        per_mille=per_mille,
        posted_fen=posted,
        segments=tuple(segments),
        settled_fen=facts.settled_fen,
        waived_fen=facts.waived_fen,
    )


def owed_penalty_fen(
    ledger: DatedLedger,
    freezes: Sequence[Freeze],
    facts: PenaltyFacts,
    per_mille: int,
    today: date,
) -> int:
    """``penalty_position(...).owed_fen`` without building the runs: the ladder needs
    only the sum for each of thousands of accounts. The same days and bases
    (``DatedLedger.late_fen`` walks the change days ``_segments`` starts its runs on);
    with a freeze the runs are built (the freeze's own change days)."""
    if freezes:
        return penalty_position(ledger, freezes, facts, per_mille, today).owed_fen
    last = today.toordinal()
    if not facts.accruals:
        first_due = min(ledger.due_ordinals, default=None)
        accrued = (
            ledger.late_fen(first_due + 1, last, per_mille)
            if first_due is not None and first_due < last
            else 0
        )
    else:
        posted, covered = posted_fen(facts.accruals)
        accrued = posted
        start = first_late_day(ledger)
        if start is not None and start <= today:
            for a, b in _subtract((start, today), covered):
                accrued += ledger.late_fen(a.toordinal(), b.toordinal(), per_mille)
    return max(0, accrued - facts.settled_fen - facts.waived_fen)


def runs_to_json(runs: Iterable[PenaltyRun]) -> list[list[object]]:
    """Runs as stored (``[[first, last, base_fen], …]``, ISO dates)."""
    return [[r.first.isoformat(), r.last.isoformat(), r.base_fen] for r in runs]


def runs_from_json(data: Iterable[Sequence[object]]) -> tuple[PenaltyRun, ...]:
    return tuple(
        PenaltyRun(date.fromisoformat(str(a)), date.fromisoformat(str(b)), int(str(base)))
        for a, b, base in data
    )
