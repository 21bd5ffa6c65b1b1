"""What arrears collection recovered, day by day, by the ledger's own rule.

**Recovered** on a day is what that day's payments (less that day's voids and
reversals) settled of the bills that were already past their due date when the day began:
``overdue_at_start(day) − overdue(day)`` of ``DatedLedger``, the rule the ladder and the
late-payment penalty use (payments settle the oldest bills first). So:

* a payment of a bill not yet due, or a prepayment, recovers nothing;
* the part of a payment that settled a late-payment penalty is not in it (payment lines
  carry the amount less the penalty; the report shows the penalty on its own);
* a void or reversal recorded on a later day takes back, on that day, what it re-opens
  of the bills then past due (a negative recovery), so a period's total is net.

The **tier** of a day's recovery is the hall policy's tier of the account's ladder amount
when the day began: the overdue amount less what active dispute freezes held out (as the
ladder engine counts it). A recovery made while a freeze held everything has no tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.freeze import Freeze
from app.domain.ledger import BillLine, DatedLedger, PaymentLine


@dataclass(frozen=True, slots=True)
class DayRecovery:
    """One account's recovery on one day (``recovered_fen`` may be negative: a void)."""

    day: date
    recovered_fen: int
    #: Overdue when the day began, less the part active dispute freezes held out.
    ladder_fen: int


def recoveries(
    bills: Sequence[BillLine],
    payments: Sequence[PaymentLine],
    freezes: Sequence[Freeze],
    days: Iterable[date],
) -> list[DayRecovery]:
    """The account's recovery on each of ``days`` (in order, each once), zero ones kept."""
    ledger = DatedLedger(bills, payments)
    out = []
    for day in sorted(set(days)):
        before = ledger.overdue_at_start(day)
        frozen = min(before, sum(f.amount_fen for f in freezes if f.active_on(day)))
        out.append(DayRecovery(day, before - ledger.overdue(day), before - frozen))
    return out
