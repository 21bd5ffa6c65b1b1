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

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.arrears import ActionTaken, ArrearsStatus, evaluate
from app.domain.arrears_policy import ArrearsPolicy, StepKind, default_policy
from app.domain.errors import NotFound, StoreError, ValidationError
from app.domain.freeze import Freeze
from app.domain.identity import mask_name, mask_phone
from app.domain.ledger import BillLine, DatedLedger, PaymentLine
from app.domain.penalty import (
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


class StoredDays:
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


def fetch_rows(session: Session, sql: str) -> list[Any]:
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
    days = StoredDays(timezone)
    result: dict[int, EngineInputs] = {int(a): EngineInputs() for a in account_ids}
    for chunk in chunks(list(result)):
        ids = id_list(chunk)
        for account_id, period, amount, issued, due in fetch_rows(
            session,
            "SELECT account_id, period, amount_fen, issue_date, due_date FROM bill "
            f"WHERE account_id IN ({ids})",
        ):
            result[account_id].bills.append(
                BillLine(period, amount, days.day(issued), days.day(due))
            )
        for account_id, paid_at, amount, penalty in fetch_rows(
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


FREEZES_SQL: Final = (
    "SELECT account_id, amount_fen, starts_on, expires_on FROM dispute_freeze "
    "WHERE account_id IN ({ids})"
)
ACCRUALS_SQL: Final = (
    "SELECT account_id, at, id, per_mille, runs_json FROM penalty_accrual "
    "WHERE account_id IN ({ids})"
)
WAIVERS_SQL: Final = (
    "SELECT account_id, SUM(amount_fen) FROM penalty_waiver "
    "WHERE account_id IN ({ids}) GROUP BY account_id"
)
_ACTIONS_SQL: Final = (
    "SELECT account_id, kind, taken_on, result, promised_on FROM arrears_action "
    "WHERE account_id IN ({ids})"
)
LINE_KINDS_SQL: Final = "SELECT DISTINCT account_id, kind FROM service WHERE account_id IN ({ids})"


def _load_freezes(
    session: Session, ids: str, days: StoredDays, result: dict[int, EngineInputs]
) -> None:
    for account_id, amount, starts, expires in fetch_rows(session, FREEZES_SQL.format(ids=ids)):
        result[account_id].freezes.append(Freeze(amount, days.day(starts), days.day(expires)))


def _load_ladder_facts(
    session: Session, ids: str, days: StoredDays, result: dict[int, EngineInputs]
) -> None:
    """What the ladder reads besides the ledger: penalty postings and waivers, the steps
    taken, restores and promises, and the kinds of the account's lines."""
    for account_id, at, row_id, per_mille, runs in fetch_rows(
        session, ACCRUALS_SQL.format(ids=ids)
    ):
        result[account_id].accruals.append(
            PostedAccrual(as_utc(at), str(row_id), per_mille, runs_from_json(json.loads(runs)))
        )
    for account_id, waived in fetch_rows(session, WAIVERS_SQL.format(ids=ids)):
        result[account_id].penalty_waived_fen = int(waived or 0)
    for account_id, kind, taken_on, outcome, promised_on in fetch_rows(
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
    for account_id, kind in fetch_rows(session, LINE_KINDS_SQL.format(ids=ids)):
        result[account_id].line_kinds.add(kind)


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
