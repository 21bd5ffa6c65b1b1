"""The ladder's bulk evaluation: the engine's status of thousands of accounts at once,
read 1,000 at a time (``ladder_statuses``; ``parallel`` shares the chunks between worker
processes). The answer is exactly ``records.load_inputs(...)[a].evaluate(policy, today)``
(``tests/services/arrears/test_ladder_bulk.py``); what differs is how the rows are read:

* the ledger (most of the rows) as numbers in ledger order, dates as day ordinals computed
  by SQLite, handed to the engine as ``DatedLedger.from_ordinals`` (no ``BillLine``,
  ``PaymentLine`` or ``date`` per row); a payment's hall-local day by arithmetic when the
  hall's clock did not change over the chunk's payments;
* the log as one ``kind@day`` string per step, each made into one ``ActionTaken`` shared
  by every account that took that step that day, and only the last restore;
* the sparse facts (freezes, penalty postings and waivers, line kinds) as ``records``
  reads them, into one dictionary per kind instead of an ``EngineInputs`` per account;
* with Python's cycle collector paused (``cyclic_gc_paused``).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.domain.arrears import ActionTaken, ArrearsStatus, evaluate_ledger
from app.domain.arrears_policy import ArrearsPolicy, StepKind
from app.domain.freeze import Freeze
from app.domain.ledger import DatedLedger
from app.domain.penalty import NO_PENALTY_FACTS, PenaltyFacts, PostedAccrual, runs_from_json
from app.services.arrears.records import (
    ACCRUALS_SQL,
    FREEZES_SQL,
    LINE_KINDS_SQL,
    REACHED_RESULTS,
    WAIVERS_SQL,
    StoredDays,
    as_utc,
    chunks,
    fetch_rows,
    id_list,
)
from app.store.models import ActionKind

#: The log as the ladder reads it in bulk, in two parts. The steps: ``_ACTIONS_SQL``'s
#: steps less the calls that did not reach the customer (no notice, see the module
#: docstring), each as one ``kind@day`` string (one ``ActionTaken`` is made per string and
#: shared), grouped by account. The restores: only the last one by the day evaluated
#: counts (it undoes every service action on or before its day), so that one is read.
_LADDER_STEPS_SQL: Final = (
    "SELECT account_id, kind || '@' || taken_on FROM arrears_action "
    "WHERE account_id IN ({ids}) "
    f"AND kind IN ({', '.join(repr(k.value) for k in StepKind)}) "
    f"AND (kind != '{ActionKind.PHONE_CALL.value}' OR result IN "
    f"({', '.join(repr(r) for r in sorted(REACHED_RESULTS))})) ORDER BY account_id"
)
_LAST_RESTORES_SQL: Final = (
    "SELECT account_id, MAX(taken_on) FROM arrears_action WHERE account_id IN ({ids}) "
    f"AND kind = '{ActionKind.RESTORE.value}' AND taken_on <= '{{today}}' GROUP BY account_id"
)
_NO_KINDS: Final[frozenset[str]] = frozenset()


#: ``date.toordinal()`` of a day stored as ``YYYY-MM-DD``, computed by SQLite (``julianday``
#: of a midnight is a whole number and a half; day 1 is 0001-01-01).
_ORDINAL_SQL: Final = "CAST(julianday({column}) - 1721424.5 AS INTEGER)"
#: ``date(1970, 1, 1).toordinal()``: turns Unix days into ordinals.
_EPOCH_ORDINAL: Final = 719163
_DAY_SECONDS: Final = 86400
#: The bulk reads of the ledger: bills in ledger order and payments in time order, each
#: walking one covering index (migration 0016), dates as numbers.
_LEDGER_BILLS_SQL: Final = (
    f"SELECT account_id, amount_fen, {_ORDINAL_SQL.format(column='due_date')} FROM bill "
    "WHERE account_id IN ({ids}) ORDER BY account_id, period, due_date"
)
_LEDGER_PAYMENTS_SQL: Final = (
    "SELECT account_id, unixepoch(paid_at), amount_fen - penalty_fen, penalty_fen "
    "FROM payment WHERE account_id IN ({ids}) ORDER BY account_id, paid_at"
)


#: Every statement ``ladder_statuses`` runs per 1,000 accounts (``{ids}`` the id list,
#: ``{today}`` the day evaluated), in its order: the benchmark's floor runs the same in raw
#: sqlite3.
LADDER_READS: Final = (
    _LEDGER_BILLS_SQL,
    _LEDGER_PAYMENTS_SQL,
    FREEZES_SQL,
    ACCRUALS_SQL,
    WAIVERS_SQL,
    _LADDER_STEPS_SQL,
    _LAST_RESTORES_SQL,
    LINE_KINDS_SQL,
)


def _action_taken(step: str) -> ActionTaken:
    """``kind@YYYY-MM-DD`` (``_LADDER_STEPS_SQL``) as the engine's ``ActionTaken``."""
    kind, _, on = step.partition("@")
    return ActionTaken(StepKind(kind), date.fromisoformat(on))


class _LocalDays:
    """Unix times turned into the ordinals of the hall-local days, by the offset of their
    UTC day (cached; the exact conversion runs only on days with a clock change, where
    the offset is not the same all day). The same rule as ``StoredDays.local_day``."""

    def __init__(self, timezone: str) -> None:
        self._tz = ZoneInfo(timezone)
        self._offsets: dict[int, int | None] = {}

    def offset(self, utc_day: int) -> int | None:
        """Seconds to add to a moment of the UTC day ``utc_day`` (Unix days) to reach the
        hall's clock, or None when that day has a clock change."""
        if utc_day not in self._offsets:
            start = datetime.fromtimestamp(utc_day * _DAY_SECONDS, UTC)
            first = start.astimezone(self._tz).utcoffset()
            last = (start + timedelta(days=1, microseconds=-1)).astimezone(self._tz).utcoffset()
            if first is not None and first == last:
                self._offsets[utc_day] = int(first.total_seconds())
            else:
                self._offsets[utc_day] = None
        return self._offsets[utc_day]

    def fixed_offset(self, first: int, last: int) -> int | None:
        """The offset of every moment from the Unix time ``first`` to ``last``, when the
        hall's clock did not change between them; None when it did."""
        offsets = {
            self.offset(day) for day in range(first // _DAY_SECONDS, last // _DAY_SECONDS + 1)
        }
        return offsets.pop() if len(offsets) == 1 else None

    def ordinal(self, seconds: int) -> int:
        offset = self.offset(seconds // _DAY_SECONDS)
        if offset is None:
            return datetime.fromtimestamp(seconds, self._tz).date().toordinal()
        return (seconds + offset) // _DAY_SECONDS + _EPOCH_ORDINAL


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off for a bulk evaluation: it makes and drops a few
    hundred thousand tuples and lists, none in a cycle (reference counting frees each),
    and the collector, run every 700 allocations, spent ~13 % of the time scanning them.
    Whatever another thread leaves in a cycle meanwhile is collected once it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ladder_statuses(
    session: Session, account_ids: Sequence[int], timezone: str, policy: ArrearsPolicy, today: date
) -> dict[int, ArrearsStatus]:
    with cyclic_gc_paused():
        return _ladder_statuses(session, account_ids, timezone, policy, today)


def _ladder_statuses(
    session: Session, account_ids: Sequence[int], timezone: str, policy: ArrearsPolicy, today: date
) -> dict[int, ArrearsStatus]:
    """The engine's status of each of ``account_ids`` on ``today``, exactly as
    ``load_inputs(...)[a].evaluate(policy, today)``, for many accounts at once.

    The ledger (most of the rows) is read as numbers in ledger order and handed to the
    engine as ``DatedLedger.from_ordinals``: no ``BillLine``, ``PaymentLine`` or ``date``
    per row. The sparse facts are read as ``load_inputs`` reads them, into one dictionary
    per kind rather than an ``EngineInputs`` per account, with one ``ActionTaken`` per
    (kind, day) shared by every account that took that step that day; the promises to pay
    (display only) are not read. Ids without records evaluate as clear."""
    days = StoredDays(timezone)
    local = _LocalDays(timezone)
    result: dict[int, ArrearsStatus] = {}
    taken: dict[str, ActionTaken] = {}
    none: tuple[list[int], list[int]] = ([], [])
    for chunk in chunks(list(dict.fromkeys(int(a) for a in account_ids))):
        ids = id_list(chunk)
        # Rows come grouped by account (the ORDER BY): each account's columns are split
        # apart in one step, not row by row.
        bills: dict[int, tuple[list[int], list[int]]] = {}
        for account_id, rows in groupby(
            fetch_rows(session, _LEDGER_BILLS_SQL.format(ids=ids)), itemgetter(0)
        ):
            _, bill_fen, due_days = zip(*rows, strict=True)
            bills[account_id] = (list(due_days), list(bill_fen))
        payments: dict[int, tuple[list[int], list[int]]] = {}
        settled: dict[int, int] = {}
        paid_rows = fetch_rows(session, _LEDGER_PAYMENTS_SQL.format(ids=ids))
        # One offset for the whole chunk when the hall's clock did not change between its
        # first and last payment (always, in a zone without summer time): the local day
        # is then plain arithmetic.
        offset = (
            local.fixed_offset(min(r[1] for r in paid_rows), max(r[1] for r in paid_rows))
            if paid_rows
            else None
        )
        ordinal = local.ordinal
        for account_id, rows in groupby(paid_rows, itemgetter(0)):
            _, moments, credited, penalties = zip(*rows, strict=True)
            settled[account_id] = sum(penalties)
            payments[account_id] = (
                [ordinal(at) for at, fen in zip(moments, credited, strict=True) if fen]
                if offset is None
                else [
                    (at + offset) // _DAY_SECONDS + _EPOCH_ORDINAL
                    for at, fen in zip(moments, credited, strict=True)
                    if fen
                ],
                [fen for fen in credited if fen],
            )
        freezes: dict[int, list[Freeze]] = {}
        for account_id, amount, starts, expires in fetch_rows(session, FREEZES_SQL.format(ids=ids)):
            freezes.setdefault(account_id, []).append(
                Freeze(amount, days.day(starts), days.day(expires))
            )
        accruals: dict[int, list[PostedAccrual]] = {}
        for account_id, at, row_id, per_mille, runs in fetch_rows(
            session, ACCRUALS_SQL.format(ids=ids)
        ):
            accruals.setdefault(account_id, []).append(
                PostedAccrual(as_utc(at), str(row_id), per_mille, runs_from_json(json.loads(runs)))
            )
        waived: dict[int, int] = {
            account_id: int(fen or 0)
            for account_id, fen in fetch_rows(session, WAIVERS_SQL.format(ids=ids))
        }
        actions: dict[int, list[ActionTaken]] = {}
        for account_id, rows in groupby(
            fetch_rows(session, _LADDER_STEPS_SQL.format(ids=ids)), itemgetter(0)
        ):
            actions[account_id] = [
                taken.get(step) or taken.setdefault(step, _action_taken(step)) for _, step in rows
            ]
        restored: dict[int, list[date]] = {
            account_id: [days.day(on)]
            for account_id, on in fetch_rows(
                session, _LAST_RESTORES_SQL.format(ids=ids, today=today.isoformat())
            )
        }
        line_kinds: dict[int, set[str]] = {}
        for account_id, kind in fetch_rows(session, LINE_KINDS_SQL.format(ids=ids)):
            line_kinds.setdefault(account_id, set()).add(kind)
        for account_id in chunk:
            dues, amounts = bills.get(account_id, none)
            paid_on, paid = payments.get(account_id, none)
            account_settled = settled.get(account_id, 0)
            account_waived = waived.get(account_id, 0)
            account_accruals = accruals.get(account_id)
            penalty = (
                PenaltyFacts(tuple(account_accruals or ()), account_settled, account_waived)
                if account_accruals or account_settled or account_waived
                else NO_PENALTY_FACTS
            )
            result[account_id] = evaluate_ledger(
                policy,
                DatedLedger.from_ordinals(dues, amounts, paid_on, paid),
                actions.get(account_id, ()),
                freezes.get(account_id, ()),
                today,
                restorations=restored.get(account_id, ()),
                penalty=penalty,
                line_kinds=line_kinds.get(account_id, _NO_KINDS),
            )
    return result
