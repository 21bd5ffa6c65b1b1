"""What the arrears services share: the business date, the stored ladder policy, and the
engine's inputs read from the store.

The ladder engine (``app.domain.arrears.evaluate``) is pure; this module is the one place
that turns rows into its inputs, so the worklist, the actions and the benchmark all see an
account the same way:

* bills as ``BillLine``;
* payments as ``PaymentLine(paid_on, amount_fen - penalty_fen)``, ``paid_on`` being the
  hall-local date of ``paid_at`` (voids and reversals are negative rows, so they count);
* actions whose kind is a ``StepKind``. A phone call counts as a ladder step (and as notice
  before a restriction) only when the customer was reached: a call that found nobody, or the
  wrong person, told the customer nothing, so it is history but not notice;
* restores (kind ``restore``) as the engine's ``restorations``;
* dispute freezes as ``Freeze``;
* the late-payment penalty's facts as ``PenaltyFacts``: postings (``penalty_accrual``),
  what payments settled (``payment.penalty_fen``, voids and reversals negative) and what
  leaders waived (``penalty_waiver``).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.arrears import ActionTaken, ArrearsStatus, evaluate, evaluate_ledger
from app.domain.arrears_policy import ArrearsPolicy, StepKind, default_policy
from app.domain.errors import NotFound, StoreError, ValidationError
from app.domain.freeze import Freeze
from app.domain.identity import mask_name, mask_phone
from app.domain.ledger import BillLine, DatedLedger, PaymentLine
from app.domain.penalty import (
    NO_PENALTY_FACTS,
    PenaltyFacts,
    PenaltyPosition,
    PostedAccrual,
    penalty_position,
    runs_from_json,
)
from app.i18n import N_
from app.services.customers.service import ServiceView
from app.services.hall.service import HallInfo
from app.store.database import Store
from app.store.models import (
    ActionKind,
    ArrearsPolicyVersion,
    CallResult,
    CustomerKind,
    ServiceStatus,
)

#: Call results that mean the customer heard the reminder.
REACHED_RESULTS: Final = frozenset({CallResult.PROMISED.value, CallResult.REFUSED.value})
#: Service statuses in order of severity (a cut never moves a line to a milder one).
STATUS_RANK: Final = {
    ServiceStatus.NORMAL: 0,
    ServiceStatus.RESTRICTED: 1,
    ServiceStatus.SUSPENDED: 2,
    ServiceStatus.PRE_TERMINATED: 3,
}
#: Ids per ``IN (…)`` list: well below SQLite's limits, large enough to keep queries few.
CHUNK: Final = 1000
_STEP_VALUES: Final = frozenset(kind.value for kind in StepKind)


def business_date(now: datetime, timezone: str) -> date:
    """The hall-local date of the aware moment ``now``."""
    return now.astimezone(ZoneInfo(timezone)).date()


def as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def as_utc(value: object) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def masked_customer_name(name: str, kind: str) -> str:
    """A person's name masked; an organisation's name is public and shown in full."""
    return mask_name(name, organisation=kind == CustomerKind.ORGANISATION)


def masked_number(number: str) -> str:
    """A service number as screens and paper show it (``138****5678``)."""
    return mask_phone(number)


def id_list(ids: Iterable[int]) -> str:
    """Integer ids as a literal SQL list; ``int()`` makes injection impossible."""
    return ", ".join(str(int(i)) for i in ids)


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- policy ---------------------------------------------------------------------------------


def read_policy(session: Session) -> tuple[int, ArrearsPolicy] | None:
    """The policy in force (the highest version), or None before the first one is written."""
    row = session.scalars(
        select(ArrearsPolicyVersion).order_by(ArrearsPolicyVersion.version.desc()).limit(1)
    ).first()
    if row is None:
        return None
    try:
        return row.version, ArrearsPolicy.from_dict(json.loads(row.policy_json), stored=True)
    except (ValidationError, ValueError) as exc:
        raise StoreError(
            N_("The stored arrears policy (version {version}) cannot be used: {reason}"),
            version=row.version,
            reason=str(exc),
        ) from exc


def ensure_policy(store: Store, now: datetime) -> tuple[int, ArrearsPolicy]:
    """The policy in force; version 1 (the bundled default) is written on first use.

    Two programs starting together may both try to write version 1; the loser's insert
    fails on the primary key and it reads the winner's row instead.
    """
    with store.read() as session:
        found = read_policy(session)
    if found is not None:
        return found
    try:
        with store.unit_of_work() as session:
            session.add(
                ArrearsPolicyVersion(
                    version=1,
                    policy_json=policy_json(default_policy()),
                    created_at=now,
                    created_by=None,
                )
            )
    except IntegrityError:
        pass
    with store.read() as session:
        found = read_policy(session)
    assert found is not None
    return found


def policy_json(policy: ArrearsPolicy) -> str:
    return json.dumps(policy.to_dict(), ensure_ascii=False, sort_keys=True)


def next_policy_version(session: Session) -> int:
    current = session.scalar(select(func.max(ArrearsPolicyVersion.version)))
    return (current or 0) + 1


# --- the engine's inputs ---------------------------------------------------------------------


@dataclass(slots=True)
class EngineInputs:
    """One account's records in the engine's terms, plus the promises to pay (for display)."""

    bills: list[BillLine] = field(default_factory=list)
    payments: list[PaymentLine] = field(default_factory=list)
    actions: list[ActionTaken] = field(default_factory=list)
    freezes: list[Freeze] = field(default_factory=list)
    restorations: list[date] = field(default_factory=list)
    #: (day the promise was made, day the customer promised to pay by)
    promises: list[tuple[date, date]] = field(default_factory=list)
    accruals: list[PostedAccrual] = field(default_factory=list)
    penalty_settled_fen: int = 0
    penalty_waived_fen: int = 0
    #: The kinds of the account's lines (a restriction is proposed only where one fits).
    line_kinds: set[str] = field(default_factory=set)

    def penalty_facts(self) -> PenaltyFacts:
        return PenaltyFacts(tuple(self.accruals), self.penalty_settled_fen, self.penalty_waived_fen)

    def evaluate(self, policy: ArrearsPolicy, today: date) -> ArrearsStatus:
        return evaluate(
            policy,
            self.bills,
            self.payments,
            self.actions,
            self.freezes,
            today,
            restorations=self.restorations,
            penalty=self.penalty_facts(),
            line_kinds=self.line_kinds,
        )

    def penalty_position(self, policy: ArrearsPolicy, today: date) -> PenaltyPosition:
        """The penalty on ``today`` in detail (what a payment today would post)."""
        return penalty_position(
            DatedLedger(self.bills, self.payments),
            self.freezes,
            self.penalty_facts(),
            policy.penalty_per_mille_per_day,
            today,
        )

    def promised_on(self, status: ArrearsStatus) -> date | None:
        """The latest open promise made in the current episode, if its date is not past."""
        if status.episode_start is None:
            return None
        days = [
            until
            for made, until in self.promises
            if status.episode_start <= made <= status.as_of and until >= status.as_of
        ]
        return max(days, default=None)


class _Days:
    """Stored dates and times turned into dates, with the parsing cached: a thousand
    accounts share a few dozen due dates, and a UTC day's offset from the hall's zone is
    computed once (the slow ``astimezone`` runs only on days with a clock change)."""

    def __init__(self, timezone: str) -> None:
        self._tz = ZoneInfo(timezone)
        self._dates: dict[str, date] = {}
        self._offsets: dict[str, int | None] = {}

    def day(self, value: object) -> date:
        if isinstance(value, date):
            return value
        key = str(value)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = date.fromisoformat(key)
        return found

    def local_day(self, value: object) -> date:
        """The hall-local date of a stored UTC moment (``YYYY-MM-DD HH:MM:SS[.ffffff]``)."""
        text_value = str(value)
        if isinstance(value, datetime) or len(text_value) < 16:
            return as_utc(value).astimezone(self._tz).date()
        day = text_value[:10]
        if day not in self._offsets:
            start = datetime.fromisoformat(day).replace(tzinfo=UTC)
            first = start.astimezone(self._tz).utcoffset()
            last = (start + timedelta(days=1, microseconds=-1)).astimezone(self._tz).utcoffset()
            if first is not None and first == last:
                self._offsets[day] = int(first.total_seconds() // 60)
            else:
                self._offsets[day] = None
        offset = self._offsets[day]
        if offset is None:
            return as_utc(value).astimezone(self._tz).date()
        minutes = int(text_value[11:13]) * 60 + int(text_value[14:16]) + offset
        return self.day(day) + timedelta(days=minutes // 1440)


def _rows(session: Session, sql: str) -> list[Any]:
    """All rows through the driver's cursor (SQLAlchemy's result layer costs ~30% here)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def load_inputs(
    session: Session, account_ids: Sequence[int], timezone: str, *, ladder: bool = True
) -> dict[int, EngineInputs]:
    """The engine's inputs for each of ``account_ids``: seven indexed queries per 1,000
    accounts. Ids without records get empty inputs (they evaluate as clear).
    ``ladder=False``: the ledger's inputs only (bills, payments, freezes; three queries),
    for readers that replay the ledger without evaluating the ladder."""
    days = _Days(timezone)
    result: dict[int, EngineInputs] = {int(a): EngineInputs() for a in account_ids}
    for chunk in chunks(list(result)):
        ids = id_list(chunk)
        for account_id, period, amount, issued, due in _rows(
            session,
            "SELECT account_id, period, amount_fen, issue_date, due_date FROM bill "
            f"WHERE account_id IN ({ids})",
        ):
            result[account_id].bills.append(
                BillLine(period, amount, days.day(issued), days.day(due))
            )
        for account_id, paid_at, amount, penalty in _rows(
            session,
            "SELECT account_id, paid_at, amount_fen - penalty_fen, penalty_fen FROM payment "
            f"WHERE account_id IN ({ids})",
        ):
            if amount:
                result[account_id].payments.append(PaymentLine(days.local_day(paid_at), amount))
            result[account_id].penalty_settled_fen += penalty
        _load_freezes(session, ids, days, result)
        if ladder:
            _load_ladder_facts(session, ids, days, result)
    return result


_FREEZES_SQL: Final = (
    "SELECT account_id, amount_fen, starts_on, expires_on FROM dispute_freeze "
    "WHERE account_id IN ({ids})"
)
_ACCRUALS_SQL: Final = (
    "SELECT account_id, at, id, per_mille, runs_json FROM penalty_accrual "
    "WHERE account_id IN ({ids})"
)
_WAIVERS_SQL: Final = (
    "SELECT account_id, SUM(amount_fen) FROM penalty_waiver "
    "WHERE account_id IN ({ids}) GROUP BY account_id"
)
_ACTIONS_SQL: Final = (
    "SELECT account_id, kind, taken_on, result, promised_on FROM arrears_action "
    "WHERE account_id IN ({ids})"
)
_LINE_KINDS_SQL: Final = "SELECT DISTINCT account_id, kind FROM service WHERE account_id IN ({ids})"
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


def _load_freezes(session: Session, ids: str, days: _Days, result: dict[int, EngineInputs]) -> None:
    for account_id, amount, starts, expires in _rows(session, _FREEZES_SQL.format(ids=ids)):
        result[account_id].freezes.append(Freeze(amount, days.day(starts), days.day(expires)))


def _load_ladder_facts(
    session: Session, ids: str, days: _Days, result: dict[int, EngineInputs]
) -> None:
    """What the ladder reads besides the ledger: penalty postings and waivers, the steps
    taken, restores and promises, and the kinds of the account's lines."""
    for account_id, at, row_id, per_mille, runs in _rows(session, _ACCRUALS_SQL.format(ids=ids)):
        result[account_id].accruals.append(
            PostedAccrual(as_utc(at), str(row_id), per_mille, runs_from_json(json.loads(runs)))
        )
    for account_id, waived in _rows(session, _WAIVERS_SQL.format(ids=ids)):
        result[account_id].penalty_waived_fen = int(waived or 0)
    for account_id, kind, taken_on, outcome, promised_on in _rows(
        session, _ACTIONS_SQL.format(ids=ids)
    ):
        inputs = result[account_id]
        on = days.day(taken_on)
        if kind == ActionKind.RESTORE:
            inputs.restorations.append(on)
        elif kind == ActionKind.PHONE_CALL:
            if outcome in REACHED_RESULTS:
                inputs.actions.append(ActionTaken(StepKind.PHONE_CALL, on))
            if outcome == CallResult.PROMISED and promised_on is not None:
                inputs.promises.append((on, days.day(promised_on)))
        elif kind in _STEP_VALUES:
            inputs.actions.append(ActionTaken(StepKind(kind), on))
    for account_id, kind in _rows(session, _LINE_KINDS_SQL.format(ids=ids)):
        result[account_id].line_kinds.add(kind)


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


#: Every statement ``ladder_statuses`` runs per 1,000 accounts (``{ids}`` the id list), in
#: its order: the benchmark's floor runs the same in raw sqlite3.
LADDER_READS: Final = (
    _LEDGER_BILLS_SQL,
    _LEDGER_PAYMENTS_SQL,
    _FREEZES_SQL,
    _ACCRUALS_SQL,
    _WAIVERS_SQL,
    _LADDER_STEPS_SQL,
    _LAST_RESTORES_SQL,
    _LINE_KINDS_SQL,
)


def _action_taken(step: str) -> ActionTaken:
    """``kind@YYYY-MM-DD`` (``_LADDER_STEPS_SQL``) as the engine's ``ActionTaken``."""
    kind, _, on = step.partition("@")
    return ActionTaken(StepKind(kind), date.fromisoformat(on))


class _LocalDays:
    """Unix times turned into the ordinals of the hall-local days, by the offset of their
    UTC day (cached; the exact conversion runs only on days with a clock change, where
    the offset is not the same all day). The same rule as ``_Days.local_day``."""

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
    days = _Days(timezone)
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
            _rows(session, _LEDGER_BILLS_SQL.format(ids=ids)), itemgetter(0)
        ):
            _, bill_fen, due_days = zip(*rows, strict=True)
            bills[account_id] = (list(due_days), list(bill_fen))
        payments: dict[int, tuple[list[int], list[int]]] = {}
        settled: dict[int, int] = {}
        paid_rows = _rows(session, _LEDGER_PAYMENTS_SQL.format(ids=ids))
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
        for account_id, amount, starts, expires in _rows(session, _FREEZES_SQL.format(ids=ids)):
            freezes.setdefault(account_id, []).append(
                Freeze(amount, days.day(starts), days.day(expires))
            )
        accruals: dict[int, list[PostedAccrual]] = {}
        for account_id, at, row_id, per_mille, runs in _rows(
            session, _ACCRUALS_SQL.format(ids=ids)
        ):
            accruals.setdefault(account_id, []).append(
                PostedAccrual(as_utc(at), str(row_id), per_mille, runs_from_json(json.loads(runs)))
            )
        waived: dict[int, int] = {
            account_id: int(fen or 0)
            for account_id, fen in _rows(session, _WAIVERS_SQL.format(ids=ids))
        }
        actions: dict[int, list[ActionTaken]] = {}
        for account_id, rows in groupby(
            _rows(session, _LADDER_STEPS_SQL.format(ids=ids)), itemgetter(0)
        ):
            actions[account_id] = [
                taken.get(step) or taken.setdefault(step, _action_taken(step)) for _, step in rows
            ]
        restored: dict[int, list[date]] = {
            account_id: [days.day(on)]
            for account_id, on in _rows(
                session, _LAST_RESTORES_SQL.format(ids=ids, today=today.isoformat())
            )
        }
        line_kinds: dict[int, set[str]] = {}
        for account_id, kind in _rows(session, _LINE_KINDS_SQL.format(ids=ids)):
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


# --- accounts as the services see them ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """The moment, business date, hall and policy one service call works with."""

    now: datetime
    today: date
    hall: HallInfo
    policy_version: int
    policy: ArrearsPolicy


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """An account as the arrears services need it: who, which lines, where it stands."""

    account_id: int
    account_no: str
    customer_id: int
    customer_name: str
    customer_kind: str
    contact_phone: str
    services: tuple[ServiceView, ...]
    inputs: EngineInputs
    status: ArrearsStatus

    @property
    def customer_name_masked(self) -> str:
        return masked_customer_name(self.customer_name, self.customer_kind)


def load_facts(
    session: Session, ctx: Context, account_ids: Sequence[int]
) -> dict[int, AccountFacts]:
    """Facts for each existing account of ``account_ids`` (missing ids are left out)."""
    inputs = load_inputs(session, account_ids, ctx.hall.timezone)
    heads: dict[int, tuple[str, int, str, str, str]] = {}
    services: dict[int, list[ServiceView]] = {}
    for chunk in chunks(list(inputs)):
        ids = id_list(chunk)
        for account_id, number, customer_id, name, kind, phone in session.execute(
            text(
                "SELECT a.id, a.number, c.id, c.name, c.kind, c.contact_phone FROM account a "
                f"JOIN customer c ON c.id = a.customer_id WHERE a.id IN ({ids})"
            )
        ):
            heads[account_id] = (number, customer_id, name, kind, phone)
        for row in session.execute(
            text(
                "SELECT account_id, id, kind, number, plan, status FROM service "
                f"WHERE account_id IN ({ids}) ORDER BY account_id, kind, number"
            )
        ):
            services.setdefault(row[0], []).append(ServiceView(*row[1:]))
    facts: dict[int, AccountFacts] = {}
    for account_id, (number, customer_id, name, kind, phone) in heads.items():
        account_inputs = inputs[account_id]
        facts[account_id] = AccountFacts(
            account_id=account_id,
            account_no=number,
            customer_id=customer_id,
            customer_name=name,
            customer_kind=kind,
            contact_phone=phone,
            services=tuple(services.get(account_id, ())),
            inputs=account_inputs,
            status=account_inputs.evaluate(ctx.policy, ctx.today),
        )
    return facts


def account_facts(session: Session, ctx: Context, account_id: int) -> AccountFacts:
    found = load_facts(session, ctx, [account_id]).get(account_id)
    if found is None:
        raise NotFound(N_("No account with this number exists."))
    return found
