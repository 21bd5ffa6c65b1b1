"""The demo hall's ladder history: a year of reminders, calls, cuts, restores and freezes.

A hall that has used the ladder for a year has, for every account that fell behind, the
steps its clerks took: SMS reminders, calls (some unanswered), restrictions and
suspensions approved by the leader, pre-terminations, restores after payment, and dispute
freezes on contested bills. The demo replays that year per account with the ladder's own
engine (``app.domain.arrears.evaluate``): from the first due date, at each day something
changes (a bill falls due, a payment, a freeze starts or ends) or a step falls due, it asks the
engine where the account stands, takes the proposed step a few days late (clerks are
busy) if ``check_step_allowed`` allows it on that day (notice before a cut, the art. 34
floors, no cut of a frozen amount, the tier's steps only) and restores every cut line on
the day a payment clears the arrears (``restore_needed``). Nothing is decided here that
the engine would refuse; ``tests/demo`` replays the result through the engine again.

The facts are written as the services write them (``app.services.arrears.actions``):
one ``arrears_action`` per step (per line for a cut or a restore, with the leader's
approval; a call with its result and promised day), a done ``restore_request`` per
restored line, a ``dispute_freeze`` per contested bill, and the lines' final status. SMS
reminders are recorded without their ``sms_message`` row (the demo's messages were sent
long ago by a gateway this PC no longer holds; ``message_id`` is optional).

Replayed: every account with something overdue on ``today`` and, for past episodes that
ended in payment, one in 64 accounts that pays several bills at once. Rows are made
per batch of accounts from bills and payments already in the store, with a
``random.Random`` per account seeded from its salt, so a seed reproduces the file.
"""

from __future__ import annotations

import random
import sqlite3
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from app.demo import vocab
from app.domain.arrears import (
    ActionTaken,
    ArrearsRuleError,
    ArrearsStatus,
    check_step_allowed,
    restrictable_kinds,
)
from app.domain.arrears_policy import SERVICE_ACTION_KINDS, ArrearsPolicy, StepKind
from app.domain.freeze import Freeze
from app.domain.ledger import BillLine, PaymentLine
from app.services.arrears.actions import CUT_STATUS
from app.services.arrears.records import STATUS_RANK, EngineInputs
from app.store.models import ActionKind, CallResult, ServiceStatus

#: Staff ids (``vocab.STAFF`` order, from 1): the clerks, then the shift leader.
CLERKS: Final = sum(1 for _no, _name, role in vocab.STAFF if role == "clerk")
LEADER_ID: Final = 1 + next(i for i, (_n, _m, role) in enumerate(vocab.STAFF) if role == "leader")
#: Days a clerk takes to act on a step once it is due (0 … this); for a share of the
#: accounts the hall is behind (a backlog) by up to ``BACKLOG_DAYS``, so on any day some
#: accounts wait for their first reminder or the next one.
MAX_DELAY_DAYS: Final = 3
BACKLOG_SHARE: Final = 0.2
BACKLOG_DAYS: Final = 45
#: Share of calls that reach the customer; an unanswered call is tried again in 2-3 days,
#: at most twice.
REACHED_SHARE: Final = 0.75
#: One in this many accounts paying several bills at once gets its past episodes replayed.
GROUPED_SAMPLE: Final = 64
#: A contested bill is frozen from this many days after its due date, for this many days.
FREEZE_AFTER_DAYS: Final = 3
FREEZE_DAYS: Final = 60
_MAX_EVENTS: Final = 200

_ACTION_INSERT: Final = (
    "INSERT INTO arrears_action (id, account_id, service_id, kind, taken_on, at, staff_id, "
    "approved_by, result, promised_on, note, message_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL)"
)
_RESTORE_INSERT: Final = (
    "INSERT INTO restore_request (id, account_id, service_id, payment_id, requested_at, "
    "deadline_at, done_at, done_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_FREEZE_INSERT: Final = (
    "INSERT INTO dispute_freeze (id, account_id, amount_fen, reason, starts_on, expires_on, at, "
    "staff_id, approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FREEZE_REASON: Final = "用户对本期账单金额有异议,已提交核查"


@dataclass(slots=True)
class LadderRows:
    """What a batch's replay writes."""

    actions: list[tuple[object, ...]] = field(default_factory=list)
    restores: list[tuple[object, ...]] = field(default_factory=list)
    freezes: list[tuple[object, ...]] = field(default_factory=list)
    statuses: list[tuple[str, int]] = field(default_factory=list)


def _uuid7(moment: datetime, rng: random.Random) -> str:
    """A UUIDv7-shaped id (hex, as the ``Uuid`` columns store it) for ``moment`` (UTC)."""
    ms = int(moment.replace(tzinfo=UTC).timestamp() * 1000)
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
    return f"{value | rng.getrandbits(62):032x}"


def _stored(moment: datetime) -> str:
    """As ``UTCDateTime`` stores it: naive UTC with microseconds."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class _Account:
    """One account's replay: the engine's inputs, its lines, and the rows it makes."""

    def __init__(
        self,
        account_id: int,
        rng: random.Random,
        inputs: EngineInputs,
        lines: Sequence[tuple[int, str]],
        payment_ids: Sequence[tuple[date, str]],
        tz: ZoneInfo,
        rows: LadderRows,
    ) -> None:
        self.account_id = account_id
        self.rng = rng
        self.inputs = inputs
        self.status = {line_id: ServiceStatus.NORMAL for line_id, _kind in lines}
        self.kinds = dict(lines)
        self.payment_ids = payment_ids
        self.tz = tz
        self.rows = rows
        backlog = rng.random() < BACKLOG_SHARE
        self.max_delay = BACKLOG_DAYS if backlog else MAX_DELAY_DAYS
        #: The day the clerks get to each proposed step (its due day plus their delay).
        self.planned: dict[StepKind, date] = {}

    def _at(self, day: date) -> datetime:
        """A moment in the hall's working hours on ``day``, as naive UTC."""
        minutes = 9 * 60 + self.rng.randrange(8 * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), self.tz)
        return local.astimezone(UTC).replace(tzinfo=None)

    def _action(
        self,
        kind: str,
        day: date,
        *,
        line: int | None = None,
        leader: bool = False,
        result: str = "",
        promised_on: date | None = None,
        staff: int | None = None,
    ) -> datetime:
        at = self._at(day)
        self.rows.actions.append(
            (
                _uuid7(at, self.rng), self.account_id, line, kind, day.isoformat(), _stored(at),
                staff or 1 + self.rng.randrange(CLERKS), LEADER_ID if leader else None, result,
                promised_on.isoformat() if promised_on else None,
            )
        )  # fmt: skip
        return at

    def walk(self, policy: ArrearsPolicy, today: date) -> None:
        """Walk the account's year. The engine is asked only on a day something can
        happen (something overdue or a line cut: otherwise no step is proposed and no
        restore is needed) and again only after a change (a step taken, or a bill, a
        payment or a freeze's start or end since it was last asked): a status without such a change
        is the same status."""
        inputs = self.inputs
        events = sorted(
            {b.due_date + timedelta(days=1) for b in inputs.bills}
            | {p.paid_on for p in inputs.payments}
            | {f.starts_on for f in inputs.freezes}
            | {f.expires_on + timedelta(days=1) for f in inputs.freezes}
        )
        if not events:
            return
        day = events[0]
        status: ArrearsStatus | None = None
        unanswered = 0
        for _ in range(_MAX_EVENTS):
            if day > today:
                break
            if status is None or bisect_right(events, day) > bisect_right(events, status.as_of):
                if not self._may_act(day):
                    status = None
                    later = events[bisect_right(events, day) :]
                    if not later:
                        break
                    day = later[0]
                    continue
                status = inputs.evaluate(policy, day)
            if status.restore_needed and self._restore(day):
                status = None
                continue
            step = status.next_step
            planned: date | None = None
            if step is not None and status.next_due is not None:
                delay = timedelta(days=self.rng.randrange(self.max_delay + 1))
                planned = self.planned.setdefault(step.kind, status.next_due + delay)
            if step is not None and planned is not None and planned <= day:
                retry = self._take(policy, status, step.kind, day, unanswered)
                unanswered = unanswered + 1 if retry else 0
                del self.planned[step.kind]
                if retry:
                    self.planned[step.kind] = day + timedelta(days=2 + self.rng.randrange(2))
                day += timedelta(days=1)
                status = None
                continue
            later = events[bisect_right(events, day) : bisect_right(events, day) + 1]
            if planned is not None:
                later.append(planned)
            if not later:
                break
            day = min(later)

    def _may_act(self, day: date) -> bool:
        """Whether the engine could propose a step or a restore on ``day``: something is
        overdue (bills due before it not covered by the payments made by then) or a line
        is cut (once pre-terminated, only on a payment day: no step is more severe)."""
        if any(s != ServiceStatus.NORMAL for s in self.status.values()):
            # pre-terminated: no further step exists, only a payment can change anything
            return ServiceStatus.PRE_TERMINATED not in self.status.values() or any(
                p.paid_on == day for p in self.inputs.payments
            )
        due = sum(b.amount_fen for b in self.inputs.bills if b.due_date < day)
        return due > sum(p.amount_fen for p in self.inputs.payments if p.paid_on <= day)

    def _take(
        self, policy: ArrearsPolicy, status: ArrearsStatus, kind: StepKind, day: date, tries: int
    ) -> bool:
        """Take ``kind`` on ``day`` if the rules allow it; True when a call went unanswered
        (to be tried again)."""
        try:
            check_step_allowed(policy, status, kind, day)
        except ArrearsRuleError:
            return False
        if kind == StepKind.PHONE_CALL:
            if tries < 2 and self.rng.random() > REACHED_SHARE:
                self._action(kind.value, day, result=CallResult.UNREACHABLE.value)
                return True
            promised = self.rng.random() < 0.6
            self._action(
                kind.value,
                day,
                result=(CallResult.PROMISED if promised else CallResult.REFUSED).value,
                promised_on=day + timedelta(days=3 + self.rng.randrange(5)) if promised else None,
            )
        elif kind in SERVICE_ACTION_KINDS:
            target = CUT_STATUS[kind]
            kinds = restrictable_kinds(status, day) if kind == StepKind.RESTRICT else None
            lines = [
                line
                for line, current in self.status.items()
                if (kinds is None or self.kinds[line] in kinds)
                and STATUS_RANK[current] < STATUS_RANK[target]
            ]
            if not lines:
                return False
            for line in lines:
                self.status[line] = target
                self._action(kind.value, day, line=line, leader=True)
        else:
            self._action(kind.value, day)
        self.inputs.actions.append(ActionTaken(kind, day))
        return False

    def _restore(self, day: date) -> bool:
        """Restore every cut line on ``day`` (the day the arrears were paid); False when no
        line is cut (nothing to restore)."""
        cut = [line for line, s in self.status.items() if s != ServiceStatus.NORMAL]
        if not cut:
            return False
        payment = next((pid for on, pid in reversed(self.payment_ids) if on <= day), None)
        for line in cut:
            self.status[line] = ServiceStatus.NORMAL
            staff = 1 + self.rng.randrange(CLERKS)
            done = self._action(ActionKind.RESTORE.value, day, line=line, staff=staff)
            requested = done - timedelta(minutes=5 + self.rng.randrange(120))
            self.rows.restores.append(
                (
                    _uuid7(requested, self.rng), self.account_id, line, payment,
                    _stored(requested), _stored(requested + timedelta(hours=24)), _stored(done),
                    staff,
                )
            )  # fmt: skip
        self.inputs.restorations.append(day)
        return True

    def finish(self) -> None:
        for line, status in self.status.items():
            self.rows.statuses.append((status.value, line))


def _local_day(paid_at: str, tz: ZoneInfo) -> date:
    return datetime.fromisoformat(paid_at).replace(tzinfo=UTC).astimezone(tz).date()


@dataclass(frozen=True, slots=True)
class BatchInputs:
    """What a batch's replay reads from the store, as plain rows (sent to a worker
    process): the accounts to replay ``(id, salt, huge_month, paid_months)``, their bills
    ``(account, period, amount, issued, due)``, payments ``(account, id, amount, paid_at)``
    in time order and lines ``(id, account, kind)``."""

    candidates: list[tuple[int, int, int, int]]
    bills: list[tuple[int, str, int, str, str]]
    payments: list[tuple[int, str, int, str]]
    lines: list[tuple[int, int, str]]


def read_batch(
    con: sqlite3.Connection, first: int, last: int, *, payments_after: int, today: date
) -> BatchInputs:
    """The inputs of the replay of accounts ``first`` … ``last`` (their bills, payments,
    ledger rows and profiles in place; their payments inserted after rowid
    ``payments_after``)."""
    candidates = con.execute(
        "SELECT p.account_id, p.salt, p.huge_month, p.paid_months FROM temp.demo_profile p "
        "JOIN account_ledger l ON l.account_id = p.account_id "
        "WHERE p.account_id BETWEEN :first AND :last AND (l.oldest_unpaid_due < :today "
        f"OR (p.grp > 1 AND p.salt % {GROUPED_SAMPLE} = 0))",
        {"first": first, "last": last, "today": today.isoformat()},
    ).fetchall()
    con.execute("CREATE TEMP TABLE IF NOT EXISTS demo_ladder (account_id INTEGER PRIMARY KEY)")
    con.execute("DELETE FROM temp.demo_ladder")
    con.executemany("INSERT INTO temp.demo_ladder VALUES (?)", [(c[0],) for c in candidates])
    bills = con.execute(
        "SELECT b.account_id, b.period, b.amount_fen, b.issue_date, b.due_date "
        "FROM temp.demo_ladder c JOIN bill b ON b.id BETWEEN (c.account_id - 1) * 12 + 1 "
        "AND c.account_id * 12 ORDER BY b.account_id, b.period, b.id"
    ).fetchall()
    payments = con.execute(
        "SELECT account_id, id, amount_fen, paid_at FROM payment WHERE rowid > ? "
        "AND account_id IN (SELECT account_id FROM temp.demo_ladder) ORDER BY paid_at, id",
        (payments_after,),
    ).fetchall()
    lines = con.execute(
        "SELECT s.id, s.account_id, s.kind FROM temp.demo_ladder c "
        "JOIN service s ON s.account_id = c.account_id ORDER BY s.id"
    ).fetchall()
    return BatchInputs(candidates, bills, payments, lines)


def replay(batch: BatchInputs, today: date, timezone: str, policy: ArrearsPolicy) -> LadderRows:
    """The rows of the batch's ladder history (pure: no store; runs in a worker process)."""
    tz = ZoneInfo(timezone)
    inputs = {c[0]: EngineInputs() for c in batch.candidates}
    for account_id, period, amount, issued, due in batch.bills:
        inputs[account_id].bills.append(
            BillLine(period, amount, date.fromisoformat(issued), date.fromisoformat(due))
        )
    payment_ids: dict[int, list[tuple[date, str]]] = {c[0]: [] for c in batch.candidates}
    for account_id, payment_id, amount, paid_at in batch.payments:
        on = _local_day(paid_at, tz)
        inputs[account_id].payments.append(PaymentLine(on, amount))
        payment_ids[account_id].append((on, payment_id))
    lines: dict[int, list[tuple[int, str]]] = {c[0]: [] for c in batch.candidates}
    for line_id, account_id, kind in batch.lines:
        lines[account_id].append((line_id, kind))
        inputs[account_id].line_kinds.add(kind)
    rows = LadderRows()
    for account_id, salt, huge_month, paid_months in batch.candidates:
        rng = random.Random(salt * 7919 + account_id)
        account_inputs = inputs[account_id]
        if huge_month and paid_months < huge_month <= len(account_inputs.bills):
            _freeze(account_id, account_inputs, huge_month, rng, tz, rows)
        account = _Account(
            account_id, rng, account_inputs, lines[account_id], payment_ids[account_id], tz, rows
        )
        account.walk(policy, today)
        account.finish()
    return rows


def write_rows(con: sqlite3.Connection, rows: LadderRows) -> int:
    """Write a batch's history; return how many actions."""
    con.executemany(_FREEZE_INSERT, rows.freezes)
    con.executemany(_ACTION_INSERT, rows.actions)
    con.executemany(_RESTORE_INSERT, rows.restores)
    con.executemany("UPDATE service SET status = ? WHERE id = ?", rows.statuses)
    return len(rows.actions)


def _freeze(
    account_id: int,
    inputs: EngineInputs,
    huge_month: int,
    rng: random.Random,
    tz: ZoneInfo,
    rows: LadderRows,
) -> None:
    """The contested huge bill (the customer stopped paying from it) frozen soon after it
    fell due, approved by the leader, for ``FREEZE_DAYS``."""
    bill = inputs.bills[huge_month - 1]
    starts = bill.due_date + timedelta(days=FREEZE_AFTER_DAYS)
    expires = starts + timedelta(days=FREEZE_DAYS - 1)
    local = datetime.combine(starts, time(10, rng.randrange(60)), tz)
    at = local.astimezone(UTC).replace(tzinfo=None)
    rows.freezes.append(
        (
            _uuid7(at, rng), account_id, bill.amount_fen, FREEZE_REASON, starts.isoformat(),
            expires.isoformat(), _stored(at), 1 + rng.randrange(CLERKS), LEADER_ID,
        )
    )  # fmt: skip
    inputs.freezes.append(Freeze(bill.amount_fen, starts, expires))
