"""ArrearsService on the demo store: the SQL worklist against the domain, every step with
its refusals, the SMS queue and its CSV export, policy versions, history and the notice.

The demo store is generated for 2026-11-15; the clock starts at 10:00 Shanghai time that
day and tests move it forward. Scenarios that need exact dates build their own customer
(``make_account``) beside the demo data, so they do not depend on the random demo draw.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.domain.arrears import ArrearsRule, ArrearsRuleError
from app.domain.arrears_policy import ArrearsPolicy, LadderStep, StepKind, Tier, default_policy
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.ledger import BillLine, settle
from app.i18n import format_money, in_language
from app.services.arrears import (
    HISTORY_KIND_LABELS,
    ArrearsService,
    HistoryKind,
    RemindersRefused,
    SmsState,
    WorklistFilter,
    WorklistSort,
)
from app.services.base import Actor
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import (
    Account,
    ArrearsAction,
    ArrearsPolicyVersion,
    AuditEvent,
    Bill,
    Customer,
    DisputeFreeze,
    Payment,
    PenaltyWaiver,
    RestoreRequest,
    Service,
    SmsBatch,
    SmsMessage,
)

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 15)
ALL = WorklistFilter()


class Clock:
    """A clock the test moves; starts at 10:00 in the hall on the demo's date."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)

    @property
    def today(self) -> date:
        return self.now.astimezone(TZ).date()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(demo_db_copy))
    yield opened
    opened.close()


@pytest.fixture
def raw(demo_db_copy: Path, store: Store) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(demo_db_copy)
    yield con
    con.close()


@pytest.fixture
def service(store: Store, clock: Clock) -> ArrearsService:
    return ArrearsService(store, clock)


@pytest.fixture
def clerk(store: Store) -> Actor:
    return AuthService(store).actor_for("A001")


@pytest.fixture
def leader(store: Store) -> Actor:
    return AuthService(store).actor_for("L001")


@pytest.fixture
def admin(store: Store) -> Actor:
    return AuthService(store).actor_for("ADMIN")


# --- helpers ------------------------------------------------------------------------------


def make_account(
    store: Store,
    bills: list[tuple[str, int, date]],
    *,
    name: str = "张伟明",
    phone: str = "13812345678",
    lines: int = 2,
) -> int:
    """A customer with one account, ``lines`` normal services and the given bills
    (period, fen, due date); returns the account id."""
    with store.unit_of_work() as session:
        n = (session.scalar(select(func.max(Customer.id))) or 0) + 1
        customer = Customer(
            hall_id=1,
            kind="person",
            name=name,
            name_pinyin="zhangweiming",
            name_initials="zwm",
            id_type="passport",
            id_number=f"TEST{n:08d}",
            id_number_rev=f"TEST{n:08d}"[::-1],
            contact_phone=phone,
            grid_unit_id=1,
            created_on=date(2020, 1, 1),
        )
        session.add(customer)
        session.flush()
        account = Account(customer_id=customer.id, number=f"99{n:08d}", opened_on=date(2020, 1, 1))
        session.add(account)
        session.flush()
        for i in range(lines):
            session.add(
                Service(
                    account_id=account.id,
                    kind="mobile" if i == 0 else "broadband",
                    number=f"1990000{n:04d}" if i == 0 else f"adtest{n:06d}",
                    plan="test",
                    monthly_fee_fen=5000,
                    status="normal",
                    opened_on=date(2020, 1, 1),
                )
            )
        for period, fen, due in bills:
            session.add(
                Bill(
                    account_id=account.id,
                    period=period,
                    amount_fen=fen,
                    issue_date=due - timedelta(days=19),
                    due_date=due,
                )
            )
        return account.id


def pay(store: Store, account_id: int, fen: int, at: datetime, *, staff_id: int = 1) -> Payment:
    with store.unit_of_work() as session:
        payment = Payment(
            account_id=account_id,
            amount_fen=fen,
            method="cash",
            paid_at=at,
            staff_id=staff_id,
            device_code="PC01",
        )
        session.add(payment)
    return payment


#: A ¥500 bill 26 days overdue on the demo date (large tier), and next month's, not yet due.
OVERDUE_BILLS = [("2026-09", 500_00, date(2026, 10, 20)), ("2026-10", 80_00, date(2026, 11, 20))]


def brute_force_overdue(raw: sqlite3.Connection, today: date) -> dict[int, int]:
    """Overdue fen per account from ``app.domain.ledger.settle`` over every bill and payment."""
    bills: dict[int, list[BillLine]] = {}
    for account_id, period, fen, issue, due in raw.execute(
        "SELECT account_id, period, amount_fen, issue_date, due_date FROM bill"
    ):
        bills.setdefault(account_id, []).append(
            BillLine(period, fen, date.fromisoformat(issue), date.fromisoformat(due))
        )
    paid = dict(
        raw.execute("SELECT account_id, SUM(amount_fen - penalty_fen) FROM payment GROUP BY 1")
    )
    result = {}
    for account_id, lines in bills.items():
        overdue = settle(lines, paid.get(account_id, 0)).overdue_fen(today)
        if overdue > 0:
            result[account_id] = overdue
    return result


def assert_sql_agrees_with_engine(service: ArrearsService) -> None:
    """Every tier and stage filter returns exactly the accounts the engine puts there."""
    ids = service.worklist_ids(ALL, WorklistSort())
    statuses = service.statuses(ids)
    _version, policy = service.current_policy()
    for code in [t.code for t in policy.tiers]:
        expected = {a for a, s in statuses.items() if s.tier is not None and s.tier.code == code}
        assert set(service.worklist_ids(WorklistFilter(tier=code), WorklistSort())) == expected
    for stage in ["none", *(k.value for k in StepKind)]:
        expected = {
            a
            for a, s in statuses.items()
            if (s.current_stage.value if s.current_stage else "none") == stage
        }
        found = service.worklist_ids(WorklistFilter(stage=stage), WorklistSort())
        assert set(found) == expected, stage
        assert service.worklist_count(WorklistFilter(stage=stage)) == len(expected)


def pdf_text(pdf: bytes) -> str:
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


# --- worklist -------------------------------------------------------------------------------


def test_worklist_count_equals_brute_force(
    service: ArrearsService, raw: sqlite3.Connection
) -> None:
    expected = brute_force_overdue(raw, TODAY)
    assert expected, "the demo store has accounts in arrears"
    assert service.worklist_count(ALL) == len(expected)
    ids = service.worklist_ids(ALL, WorklistSort())
    assert sorted(ids) == sorted(expected)
    rows = service.worklist_rows(ids)
    assert [r.account_id for r in rows] == ids
    assert all(r.overdue_fen == expected[r.account_id] for r in rows)


def test_tier_and_stage_filters_match_the_engine(service: ArrearsService) -> None:
    ids = service.worklist_ids(ALL, WorklistSort())
    statuses = service.statuses(ids)
    _version, policy = service.current_policy()
    for tier in policy.tiers:
        expected = sorted(a for a, s in statuses.items() if s.tier and s.tier.code == tier.code)
        assert sorted(service.worklist_ids(WorklistFilter(tier=tier.code), WorklistSort())) == (
            expected
        )
        assert service.worklist_count(WorklistFilter(tier=tier.code)) == len(expected)
    assert service.worklist_count(WorklistFilter(tier="no-such-tier")) == 0
    # the demo hall's ladder history (app.demo.ladder): the stages are the engine's
    assert_sql_agrees_with_engine(service)
    assert service.worklist_count(WorklistFilter(stage="none")) < len(ids)
    with pytest.raises(ValidationError):
        service.worklist_count(WorklistFilter(stage="nonsense"))


def test_grid_and_overdue_range_filters(service: ArrearsService, raw: sqlite3.Connection) -> None:
    ids = service.worklist_ids(ALL, WorklistSort())
    rows = {r.account_id: r for r in service.worklist_rows(ids)}
    grid_of = dict(
        raw.execute(
            "SELECT a.id, c.grid_unit_id FROM account a JOIN customer c ON c.id = a.customer_id"
        )
    )
    grids = {grid_of[a] for a in ids}
    assert len(grids) > 1
    assert grids <= {unit_id for unit_id, _name in service.grid_units()}
    for grid in grids:
        found = service.worklist_ids(WorklistFilter(grid_unit_id=grid), WorklistSort())
        assert sorted(found) == sorted(a for a in ids if grid_of[a] == grid)
    for low, high in ((None, 30), (31, 90), (91, None), (30, 30)):
        found = service.worklist_ids(WorklistFilter(min_days=low, max_days=high), WorklistSort())
        expected = [
            a
            for a, r in rows.items()
            if (low is None or r.days_overdue >= low) and (high is None or r.days_overdue <= high)
        ]
        assert sorted(found) == sorted(expected)
        assert service.worklist_count(WorklistFilter(min_days=low, max_days=high)) == len(found)
    with pytest.raises(ValidationError):
        service.worklist_count(WorklistFilter(min_days=40, max_days=10))


def test_sorts_happen_in_sql(service: ArrearsService, raw: sqlite3.Connection) -> None:
    everyone = set(service.worklist_ids(ALL, WorklistSort()))
    pinyin = dict(
        raw.execute(
            "SELECT a.id, c.name_pinyin FROM account a JOIN customer c ON c.id = a.customer_id"
        )
    )
    grid = dict(
        raw.execute(
            "SELECT a.id, g.code FROM account a JOIN customer c ON c.id = a.customer_id "
            "JOIN grid_unit g ON g.id = c.grid_unit_id"
        )
    )
    for key in ("owed", "days", "name", "grid"):
        for descending in (True, False):
            ids = service.worklist_ids(ALL, WorklistSort(key, descending))
            assert set(ids) == everyone
            rows = service.worklist_rows(ids)
            values: list[Any] = {
                "owed": [r.owed_fen for r in rows],
                "days": [r.days_overdue for r in rows],
                "name": [pinyin[r.account_id] for r in rows],
                "grid": [grid[r.account_id] for r in rows],
            }[key]
            assert values == sorted(values, reverse=descending), (key, descending)
    with pytest.raises(ValidationError):
        service.worklist_ids(ALL, WorklistSort("colour", True))


def test_rows_show_the_engine_and_leave_out_paid_accounts(
    service: ArrearsService, store: Store, clock: Clock
) -> None:
    assert service.today() == TODAY
    clock.now = datetime(2026, 11, 14, 16, 0, tzinfo=UTC)  # midnight in Shanghai
    assert service.today() == TODAY
    account = make_account(store, OVERDUE_BILLS)
    [row] = service.worklist_rows([account])
    assert row.customer_name_masked == "张*明"
    assert row.owed_fen == 580_00 and row.overdue_fen == 500_00
    assert row.days_overdue == 26
    assert row.tier == "large" and row.stage == "none"
    assert row.next_step == "sms_reminder" and row.next_due == date(2026, 10, 21)
    assert row.services.count("****") == 2 and "199" in row.services
    assert not row.restore_pending
    pay(store, account, 500_00, clock.now)
    assert service.worklist_rows([account]) == []
    assert account not in service.worklist_ids(ALL, WorklistSort())


# --- reminders and the SMS queue ------------------------------------------------------------


def test_reminders_queue_sms_and_record_the_step(
    service: ArrearsService, store: Store, clerk: Actor, clock: Clock
) -> None:
    first = make_account(store, OVERDUE_BILLS)
    second = make_account(store, OVERDUE_BILLS, name="李娜", phone="02112345678")
    ids = service.send_reminders(clerk, [first, second, first])
    assert len(ids) == 2
    with store.read() as session:
        messages = {
            m.account_id: (m.id, m.phone, m.body, m.batch_id)
            for m in session.scalars(select(SmsMessage))
        }
        actions = {
            (a.kind, a.message_id)
            for a in session.scalars(
                select(ArrearsAction).where(ArrearsAction.account_id.in_([first, second]))
            )
        }
    assert {m[0] for m in messages.values()} == set(ids)
    assert all(m[3] is None for m in messages.values())
    assert messages[first][1] == "13812345678"
    # A fixed-line contact cannot get an SMS: the account's mobile line gets it.
    assert messages[second][1].startswith("199")
    body = messages[first][2]
    for part in ("张*明", "9900000", "¥500.00", "2026年11月22日", "10000"):
        assert part in body, part
    assert "张伟明" not in body
    assert actions == {
        ("sms_reminder", messages[first][0]),
        ("sms_reminder", messages[second][0]),
    }
    assert service.worklist_rows([first])[0].stage == "sms_reminder"

    with pytest.raises(ArrearsRuleError) as refused:
        service.send_reminders(clerk, [first])
    assert refused.value.rule is ArrearsRule.ALREADY_TAKEN
    with pytest.raises(RemindersRefused) as batch:
        service.send_reminders(clerk, [first, second])
    assert len(batch.value.plans) == 2

    clock.advance(1)
    [again] = service.send_reminders(clerk, [first])
    with store.read() as session:
        body = session.scalars(select(SmsMessage.body).where(SmsMessage.id == again)).one()
        kind = session.scalars(
            select(ArrearsAction.kind).where(ArrearsAction.message_id == again)
        ).one()
    assert "仍欠费" in body
    assert kind == "second_sms"
    assert service.worklist_rows([first])[0].stage == "second_sms"
    assert first in service.worklist_ids(WorklistFilter(stage="second_sms"), WorklistSort())
    assert first not in service.worklist_ids(WorklistFilter(stage="none"), WorklistSort())
    assert_sql_agrees_with_engine(service)


def test_reminder_refusals(service: ArrearsService, store: Store, clerk: Actor) -> None:
    with pytest.raises(ValidationError) as empty:
        service.send_reminders(clerk, [])
    assert empty.value.message == "Select at least one account."
    paid_up = make_account(store, [("2026-10", 80_00, date(2026, 11, 20))])
    with pytest.raises(ArrearsRuleError) as clear:
        service.send_reminders(clerk, [paid_up])
    assert clear.value.rule is ArrearsRule.NOT_IN_ARREARS
    owing = make_account(store, OVERDUE_BILLS)
    assert len(service.send_reminders(clerk, [paid_up, owing])) == 1
    no_mobile = make_account(store, OVERDUE_BILLS, phone="02188887777", lines=0)
    with pytest.raises(ValidationError) as phone:
        service.send_reminders(clerk, [no_mobile])
    assert phone.value.field == "phone"
    with pytest.raises(NotFound):
        service.send_reminders(clerk, [10**9])
    [plan] = service.reminder_preview(clerk, [paid_up])
    assert plan.refusal is not None and plan.text == ""


def test_export_sms_writes_a_batch_and_marks_it(
    service: ArrearsService, store: Store, clerk: Actor, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError) as nothing:
        service.export_sms(clerk, tmp_path)
    assert nothing.value.message == "There are no pending reminder messages to export."
    accounts = [make_account(store, OVERDUE_BILLS) for _ in range(3)]
    ids = service.send_reminders(clerk, accounts)
    assert {r.state for r in service.sms_queue()} == {SmsState.PENDING}
    with pytest.raises(ValidationError):
        service.export_sms(clerk, tmp_path / "missing")
    assert len(service.sms_queue(pending_only=True)) == 3

    path = service.export_sms(clerk, tmp_path)
    assert path.name == "sms-batch-20261115-100000.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["message_id", "phone", "text", "created_at"]
    assert [r[0] for r in rows[1:]] == [str(i) for i in ids]
    assert all(r[1] == "13812345678" for r in rows[1:])
    assert all("张*明" in r[2] for r in rows[1:])
    assert all(r[3] == "2026-11-15T10:00:00+08:00" for r in rows[1:])

    with store.read() as session:
        [(batch_id, file_name, count)] = session.execute(
            select(SmsBatch.id, SmsBatch.file_name, SmsBatch.message_count)
        ).all()
        marked = session.scalars(select(SmsMessage.batch_id)).all()
        audited = session.scalar(select(func.count()).where(AuditEvent.action == "sms_exported"))
    assert file_name == path.name and count == 3
    assert set(marked) == {batch_id}
    assert audited == 1
    assert service.sms_queue(pending_only=True) == []
    assert {r.state for r in service.sms_queue(pending_only=False)} == {SmsState.EXPORTED}
    with pytest.raises(ValidationError):
        service.export_sms(clerk, tmp_path)
    assert len(list(tmp_path.glob("sms-batch-*.csv"))) == 1


# --- calls ----------------------------------------------------------------------------------


def test_log_call(service: ArrearsService, store: Store, clerk: Actor, clock: Clock) -> None:
    account = make_account(store, OVERDUE_BILLS)
    with pytest.raises(ValidationError) as past:
        service.log_call(clerk, account, "promised", TODAY - timedelta(days=1))
    assert past.value.message == "A promised payment needs a date from today on."
    with pytest.raises(ValidationError):
        service.log_call(clerk, account, "promised", None)
    with pytest.raises(ValidationError):
        service.log_call(clerk, account, "maybe", None)
    with pytest.raises(ValidationError):
        service.log_call(clerk, account, "refused", None, "x" * 501)

    # Nobody answered: recorded, but it is no notice to the customer.
    service.log_call(clerk, account, "unreachable", None, "no answer")
    service.log_call(clerk, account, "wrong_number", TODAY)
    assert service.worklist_rows([account])[0].stage == "none"
    assert service.status(account).status.first_reminder_on is None

    service.log_call(clerk, account, "promised", TODAY, "pays tonight")
    [row] = service.worklist_rows([account])
    assert row.stage == "phone_call" and row.promised_on == TODAY
    assert account in service.worklist_ids(WorklistFilter(stage="phone_call"), WorklistSort())
    with store.read() as session:
        calls = session.execute(
            select(ArrearsAction.result, ArrearsAction.promised_on).where(
                ArrearsAction.account_id == account
            )
        ).all()
    assert sorted(tuple(c) for c in calls) == [
        ("promised", TODAY),
        ("unreachable", None),
        ("wrong_number", None),
    ]
    assert_sql_agrees_with_engine(service)
    clock.advance(1)
    assert service.worklist_rows([account])[0].promised_on is None


# --- cutting and restoring service -----------------------------------------------------------


def test_suspension_rules(
    service: ArrearsService, store: Store, clerk: Actor, leader: Actor, clock: Clock
) -> None:
    account = make_account(store, OVERDUE_BILLS)
    with pytest.raises(ArrearsRuleError) as unwarned:
        service.suspend(clerk, account, leader)
    assert unwarned.value.rule is ArrearsRule.NO_REMINDER
    service.send_reminders(clerk, [account])
    with pytest.raises(ArrearsRuleError) as same_day:
        service.restrict(clerk, account, leader)
    assert same_day.value.rule is ArrearsRule.NO_REMINDER

    clock.advance(1)  # 2026-11-16: day 27 after the due date
    with pytest.raises(ArrearsRuleError) as early:
        service.suspend(clerk, account, leader)
    assert early.value.rule is ArrearsRule.SUSPEND_FLOOR
    assert early.value.params["date"] == date(2026, 11, 19)
    with pytest.raises(PermissionDenied):
        service.restrict(clerk, account, clerk)

    # Day 27, ¥500 overdue (large arrears): the mobile line only; broadband has no
    # outgoing-only state and is cut only by a suspension, from day 30.
    with in_language("en"):
        changed = service.restrict(clerk, account, leader)
    assert len(changed) == 1
    with store.read() as session:
        statuses = session.scalars(select(Service.status).where(Service.id.in_(changed))).all()
        kinds = session.scalars(select(Service.kind).where(Service.id.in_(changed))).all()
        actions = session.execute(
            select(ArrearsAction.service_id, ArrearsAction.approved_by, ArrearsAction.note).where(
                ArrearsAction.kind == "restrict", ArrearsAction.account_id == account
            )
        ).all()
    assert set(statuses) == {"restricted"} and set(kinds) == {"mobile"}
    assert sorted(a[0] for a in actions) == sorted(changed)
    assert {a[1] for a in actions} == {leader.staff_id}
    assert all("art. 34" in a[2] and "day 27" in a[2] for a in actions)
    with pytest.raises(ArrearsRuleError) as twice:
        service.restrict(clerk, account, leader)
    assert twice.value.rule is ArrearsRule.ALREADY_TAKEN

    clock.advance(3)  # 2026-11-19: day 30
    suspended = service.suspend(clerk, account, leader)
    assert set(changed) < set(suspended) and len(suspended) == 2
    changed = suspended
    with store.read() as session:
        assert set(session.scalars(select(Service.status).where(Service.id.in_(changed)))) == {
            "suspended"
        }
        assert (
            session.scalar(select(func.count()).where(AuditEvent.action == "arrears_suspend")) == 1
        )
    status = service.status(account)
    assert status.status.current_stage is StepKind.SUSPEND
    assert status.status.suspended_on == date(2026, 11, 19)
    assert [c.allowed for c in status.checks] == [False, False, False]
    with pytest.raises(ArrearsRuleError) as terminate:
        service.pre_terminate(clerk, account, leader)
    assert terminate.value.rule is ArrearsRule.TERMINATE_FLOOR
    assert account in service.worklist_ids(WorklistFilter(stage="suspend"), WorklistSort())
    assert_sql_agrees_with_engine(service)


def test_small_arrears_are_never_cut(
    service: ArrearsService, store: Store, clerk: Actor, leader: Actor, clock: Clock
) -> None:
    account = make_account(store, [("2026-09", 50_00, date(2026, 9, 20))])
    service.send_reminders(clerk, [account])
    clock.advance(1)
    with pytest.raises(ArrearsRuleError) as refused:
        service.restrict(clerk, account, leader)
    assert refused.value.rule is ArrearsRule.NOT_IN_TIER


def test_restore_after_a_restore_request(
    service: ArrearsService, store: Store, clerk: Actor, leader: Actor, clock: Clock
) -> None:
    account = make_account(store, OVERDUE_BILLS)
    service.send_reminders(clerk, [account])
    clock.advance(4)
    lines = service.suspend(clerk, account, leader)
    payment = pay(store, account, 580_00, clock.now)
    with store.unit_of_work() as session:  # what the payment service does on full payment
        requests = [
            RestoreRequest(
                account_id=account,
                service_id=line,
                payment_id=payment.id,
                requested_at=clock.now,
                deadline_at=clock.now + timedelta(hours=24),
            )
            for line in lines
        ]
        session.add_all(requests)
    pending = [r for r in service.pending_restores() if r.account_id == account]
    assert len(pending) == 2 and not any(r.overdue for r in pending)
    assert service.status(account).status.restore_needed

    clock.advance(2)  # past the deadline: shown as overdue, still restorable
    assert all(r.overdue for r in service.pending_restores() if r.account_id == account)
    for row in pending:
        assert service.restore(clerk, row.id) == row.service_id
    with pytest.raises(ValidationError):
        service.restore(clerk, pending[0].id)
    with pytest.raises(NotFound):
        service.restore(clerk, payment.id)
    with store.read() as session:
        assert set(session.scalars(select(Service.status).where(Service.id.in_(lines)))) == {
            "normal"
        }
        done = session.execute(
            select(RestoreRequest.done_at, RestoreRequest.done_by).where(
                RestoreRequest.account_id == account
            )
        ).all()
        restores = session.scalar(
            select(func.count()).where(
                ArrearsAction.account_id == account, ArrearsAction.kind == "restore"
            )
        )
    assert all(at is not None and by == clerk.staff_id for at, by in done)
    assert restores == 2
    status = service.status(account).status
    assert status.service_hold is None and not status.restore_needed
    assert not [r for r in service.pending_restores() if r.account_id == account]


# --- dispute freezes ------------------------------------------------------------------------


def test_freeze_takes_the_amount_out_of_the_ladder_until_it_expires(
    service: ArrearsService, store: Store, clerk: Actor, leader: Actor, clock: Clock
) -> None:
    account = make_account(store, OVERDUE_BILLS)
    until = TODAY + timedelta(days=10)
    with pytest.raises(PermissionDenied):
        service.freeze(clerk, clerk, account, 500_00, "disputed roaming", until)
    with pytest.raises(ValidationError) as no_reason:
        service.freeze(clerk, leader, account, 500_00, "  ", until)
    assert no_reason.value.field == "reason"
    with pytest.raises(ValidationError):
        service.freeze(clerk, leader, account, 500_00, "x" * 501, until)
    with pytest.raises(ValidationError) as too_much:
        service.freeze(clerk, leader, account, 580_01, "disputed roaming", until)
    assert too_much.value.field == "amount_fen"
    with pytest.raises(ValidationError):
        service.freeze(clerk, leader, account, 0, "disputed roaming", until)
    with pytest.raises(ValidationError):
        service.freeze(clerk, leader, account, 100_00, "disputed roaming", TODAY)
    with pytest.raises(ValidationError):
        service.freeze(clerk, leader, account, 100_00, "x", TODAY + timedelta(days=181))

    service.freeze(clerk, leader, account, 500_00, "disputed roaming", until)
    status = service.status(account)
    assert status.status.frozen_fen == 500_00 and status.status.ladder_fen == 0
    assert status.status.tier is None and status.status.frozen_until == until
    assert [f.active for f in status.freezes] == [True]
    with store.read() as session:
        freeze_id = session.scalars(
            select(DisputeFreeze.id).where(DisputeFreeze.account_id == account)
        ).one()
        details = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "arrears_freeze", AuditEvent.entity_id == str(account)
            )
        ).all()
    assert [json.loads(d)["freeze"] for d in details] == [str(freeze_id)]
    assert account not in service.worklist_ids(WorklistFilter(tier="large"), WorklistSort())
    [row] = service.worklist_rows([account])
    assert row.frozen_fen == 500_00 and row.tier is None
    with pytest.raises(ArrearsRuleError) as frozen:
        service.send_reminders(clerk, [account])
    assert frozen.value.rule is ArrearsRule.FROZEN

    clock.advance(11)
    status = service.status(account)
    assert status.status.frozen_fen == 0 and status.status.tier is not None
    assert status.status.tier.code == "large"
    assert account in service.worklist_ids(WorklistFilter(tier="large"), WorklistSort())
    assert_sql_agrees_with_engine(service)


def test_partial_freeze_moves_the_account_to_the_small_tier(
    service: ArrearsService, store: Store, leader: Actor
) -> None:
    account = make_account(store, OVERDUE_BILLS)
    service.freeze(leader, leader, account, 400_00, "disputed", TODAY + timedelta(days=30))
    tier = service.status(account).status.tier
    assert tier is not None and tier.code == "small"
    assert account in service.worklist_ids(WorklistFilter(tier="small"), WorklistSort())
    assert account not in service.worklist_ids(WorklistFilter(tier="large"), WorklistSort())
    assert_sql_agrees_with_engine(service)


# --- policy ---------------------------------------------------------------------------------


def test_policy_versions(
    service: ArrearsService, store: Store, clerk: Actor, leader: Actor, admin: Actor
) -> None:
    version, policy = service.current_policy()
    assert (version, policy) == (1, default_policy())
    assert service.current_policy()[0] == 1
    # The hall may call ¥100 "large arrears" (it restricts from day 20); a large tier
    # starting below the threshold is refused (see test_early_restriction_*).
    large_at_100 = replace(
        policy,
        large_arrears_fen=10_000,
        tiers=tuple(replace(t, min_fen=10_000) if t.code == "large" else t for t in policy.tiers),
    )
    for who in (clerk, leader):
        with pytest.raises(PermissionDenied) as denied:
            service.save_policy(who, large_at_100)
        assert denied.value.message == "Only an administrator can change the arrears policy."
    unlawful = ArrearsPolicy(
        tiers=(
            policy.tiers[0],
            replace(
                policy.tiers[1],
                steps=(
                    LadderStep(StepKind.SMS_REMINDER, 1),
                    LadderStep(StepKind.SUSPEND, 10, needs_leader=True),
                ),
            ),
        )
    )
    with pytest.raises(ValidationError):
        service.save_policy(admin, unlawful)
    assert service.current_policy()[0] == 1

    large_before = service.worklist_count(WorklistFilter(tier="large"))
    assert service.save_policy(admin, large_at_100) == 2
    assert service.current_policy() == (2, large_at_100)
    assert service.worklist_count(WorklistFilter(tier="large")) >= large_before
    with store.read() as session:
        rows = session.execute(
            select(
                ArrearsPolicyVersion.version,
                ArrearsPolicyVersion.created_by,
                ArrearsPolicyVersion.policy_json,
            ).order_by(ArrearsPolicyVersion.version)
        ).all()
        audited = session.scalar(
            select(func.count()).where(AuditEvent.action == "arrears_policy_saved")
        )
    assert [r[0] for r in rows] == [1, 2]
    assert rows[1][1] == admin.staff_id
    assert json.loads(rows[1][2]) == large_at_100.to_dict()
    assert audited == 1


# --- history and the notice -------------------------------------------------------------------


def test_history_lists_every_kind_newest_first(
    service: ArrearsService,
    store: Store,
    clerk: Actor,
    leader: Actor,
    clock: Clock,
    tmp_path: Path,
) -> None:
    account = make_account(store, OVERDUE_BILLS)
    payment = pay(store, account, 10_00, clock.now)
    clock.now += timedelta(minutes=1)
    with store.unit_of_work() as session:
        session.add(
            Payment(
                account_id=account,
                amount_fen=-10_00,
                method="cash",
                paid_at=clock.now,
                staff_id=clerk.staff_id,
                kind="void",
                original_id=payment.id,
                reason="wrong account",
                approved_by=leader.staff_id,
            )
        )
        session.add(
            PenaltyWaiver(
                account_id=account,
                amount_fen=3_00,
                reason="first time",
                at=clock.now,
                staff_id=clerk.staff_id,
                approved_by=leader.staff_id,
            )
        )
    clock.now += timedelta(minutes=1)
    service.send_reminders(clerk, [account])
    clock.now += timedelta(minutes=1)
    service.export_sms(clerk, tmp_path)
    service.log_call(clerk, account, "refused", None, "says the bill is wrong")
    clock.now += timedelta(minutes=1)
    service.freeze(clerk, leader, account, 50_00, "roaming charge disputed", TODAY + timedelta(5))
    clock.advance(1)
    lines = service.restrict(clerk, account, leader)
    clock.now += timedelta(minutes=1)
    service.notice(clerk, account)
    clock.now += timedelta(minutes=1)
    full = pay(store, account, 580_00, clock.now)
    with store.unit_of_work() as session:
        session.add(
            RestoreRequest(
                account_id=account,
                service_id=lines[0],
                payment_id=full.id,
                requested_at=clock.now,
                deadline_at=clock.now + timedelta(hours=24),
            )
        )
    clock.now += timedelta(minutes=1)
    [request] = [r for r in service.pending_restores() if r.account_id == account]
    service.restore(clerk, request.id)

    with store.read() as session:
        customer_id = session.scalars(
            select(Account.customer_id).where(Account.id == account)
        ).one()
    events = service.history(customer_id)
    kinds = [e.kind for e in events]
    never = {"second_sms", "suspend", "pre_terminate", "reversal"}
    assert set(kinds) == {k.value for k in HistoryKind} - never
    assert all(kind in HISTORY_KIND_LABELS for kind in kinds)
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    assert kinds[0] == "restore" and kinds[-1] == "payment"
    by_kind = {e.kind: e for e in events}
    reminder = by_kind["sms_reminder"]
    assert "张*明" in reminder.text and reminder.result == SmsState.EXPORTED
    assert reminder.reference == "138****5678"
    assert by_kind["phone_call"].result == "refused"
    assert by_kind["phone_call"].text == "says the bill is wrong"
    assert by_kind["void"].amount_fen == -10_00 and by_kind["void"].text == "wrong account"
    assert by_kind["freeze"].approved_by_no == "L001"
    assert by_kind["freeze"].on_date == TODAY + timedelta(5)
    assert by_kind["restrict"].service_number and by_kind["restrict"].staff_no == "A001"
    assert by_kind["waiver"].amount_fen == 3_00
    assert by_kind["notice_printed"].text.startswith("CJ20261116-")
    assert len([k for k in kinds if k == "restrict"]) == 1  # the mobile line, not broadband
    with pytest.raises(NotFound):
        service.history(10**9)


def test_notice_pdf(service: ArrearsService, store: Store, clerk: Actor) -> None:
    account = make_account(store, OVERDUE_BILLS)
    pdf = service.notice(clerk, account, invariant=True)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "张*明" in text and "张伟明" not in text
    assert format_money(500_00, "zh_CN") in text
    assert "2026-09" in text and "2026-10" not in text  # only the overdue bill
    with store.read() as session:
        [action] = session.execute(
            select(ArrearsAction.account_id, ArrearsAction.staff_id).where(
                ArrearsAction.kind == "notice_printed"
            )
        ).all()
    assert tuple(action) == (account, clerk.staff_id)
    paid_up = make_account(store, [("2026-10", 80_00, date(2026, 11, 20))])
    with pytest.raises(ArrearsRuleError):
        service.notice(clerk, paid_up)


def test_restriction_reaches_only_lines_that_can_take_it(
    service: ArrearsService, store: Store, clerk: Actor, leader: Actor, clock: Clock
) -> None:
    """Issue 12 item 9: a restriction cut every line, fixed line and broadband included,
    from day 2. Before day 30 only mobile lines of large arrears are restricted; a fixed
    line from day 30; broadband never (suspension only). The action records why."""
    account = make_account(store, OVERDUE_BILLS)
    with store.unit_of_work() as session:
        mobile = session.scalars(
            select(Service).where(Service.account_id == account, Service.kind == "mobile")
        ).one()
        mobile.kind = "fixed"
        mobile.number = f"021{account:08d}"
    service.send_reminders(clerk, [account])
    clock.advance(1)  # day 27
    with pytest.raises(ArrearsRuleError) as none:
        service.restrict(clerk, account, leader)
    assert none.value.rule is ArrearsRule.NO_RESTRICTABLE_LINE
    assert "broadband" in str(none.value)
    clock.advance(3)  # day 30
    with in_language("en"):  # the reason is written in the acting clerk's language
        changed = service.restrict(clerk, account, leader)
    with store.read() as session:
        kinds = session.scalars(select(Service.kind).where(Service.id.in_(changed))).all()
        note = session.scalars(
            select(ArrearsAction.note).where(
                ArrearsAction.kind == "restrict", ArrearsAction.account_id == account
            )
        ).one()
        reason = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "arrears_restrict")
        ).one()
    assert kinds == ["fixed"]
    assert "after the 30-day floor" in note and "day 30" in note
    assert "30-day floor" in reason


def test_small_arrears_are_not_restricted_before_day_30(
    service: ArrearsService, store: Store, clerk: Actor, leader: Actor, admin: Actor, clock: Clock
) -> None:
    """Seed 第十一条: "对于少额欠费的用户,可以通过电话、短信等方式进行催缴". A policy that
    restricts every amount early cannot be saved; the engine holds the floor anyway."""
    policy = replace(
        default_policy(),
        tiers=(
            Tier(
                "all",
                1,
                (
                    LadderStep(StepKind.SMS_REMINDER, 1),
                    LadderStep(StepKind.RESTRICT, 2, needs_leader=True),
                    LadderStep(StepKind.SUSPEND, 30, needs_leader=True),
                ),
            ),
        ),
    )
    with pytest.raises(ValidationError) as refused:
        service.save_policy(admin, policy)
    assert "before the 30-day floor" in str(refused.value)
    assert service.current_policy()[0] == 1
