"""The worklist's stored stage (``account_ledger.stage_rank``, migration 0015) against the
grouped read of the actions it replaces, over the demo store's ladder history and the edge
cases written here: a reminder dated before the oldest unpaid bill fell due, an unreached
call, a cut undone by a restore, a cut after the restore, a payment that moves the oldest
unpaid due date (the projection's own trigger).

The rule (``app.services.arrears.worklist``): the stage is the most severe step since the
oldest unpaid bill fell due; reminders count after ``oldest_unpaid_due`` (a call only when
the customer was reached), service actions until a later restore.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.arrears_policy import StepKind, default_policy
from app.services.arrears import WorklistFilter, WorklistSort
from app.services.arrears.worklist import _STAGES_SQL, NO_STAGE, worklist_ids
from app.store.database import open_store, sqlite_url
from app.store.ledger_sql import ledger_drift

TODAY = date(2026, 11, 15)
STAGES = [NO_STAGE, *(k.value for k in StepKind)]


def grouped_stage_ids(con: sqlite3.Connection, stage: str, today: date) -> set[int]:
    """The members with ``stage``, as the worklist computed them before 0015: the
    actions table read and grouped per query."""
    member = "l.oldest_unpaid_due IS NOT NULL AND l.oldest_unpaid_due < :today"
    params: dict[str, object] = {"today": today.isoformat()}
    if stage == NO_STAGE:
        test = f"l.account_id NOT IN (SELECT account_id FROM ({_STAGES_SQL}))"
    else:
        test = f"l.account_id IN (SELECT account_id FROM ({_STAGES_SQL}) WHERE stage_rank = :rank)"
        params["rank"] = StepKind(stage).rank
    sql = f"SELECT l.account_id FROM account_ledger l WHERE {member} AND {test}"
    return {row[0] for row in con.execute(sql, params)}


def stored_stage_ids(path: Path, stage: str, today: date) -> set[int]:
    store = open_store(sqlite_url(path))
    try:
        with store.read() as session:
            return set(
                worklist_ids(
                    session, default_policy(), today, WorklistFilter(stage=stage), WorklistSort()
                )
            )
    finally:
        store.close()


def assert_same_stages(path: Path, today: date = TODAY) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        counts = {}
        for stage in STAGES:
            expected = grouped_stage_ids(con, stage, today)
            assert stored_stage_ids(path, stage, today) == expected, stage
            counts[stage] = len(expected)
        return counts
    finally:
        con.close()


def drift(path: Path) -> list[int]:
    store = open_store(sqlite_url(path))
    try:
        with store.read() as session:
            return ledger_drift(session)
    finally:
        store.close()


@pytest.fixture
def con(demo_db_copy: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(demo_db_copy, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=OFF")
    yield connection
    connection.close()


def _act(con: sqlite3.Connection, account: int, kind: str, on: date, result: str = "") -> str:
    row_id = uuid.uuid4().hex
    con.execute(
        "INSERT INTO arrears_action (id, account_id, kind, taken_on, at, staff_id, result, "
        "note) VALUES (?, ?, ?, ?, ?, 1, ?, '')",
        (row_id, account, kind, on.isoformat(), datetime.now(UTC).replace(tzinfo=None), result),
    )
    return row_id


def _overdue_accounts(con: sqlite3.Connection, n: int) -> list[tuple[int, date]]:
    """Accounts in arrears, those without a step in the demo's history first."""
    rows = con.execute(
        "SELECT account_id, oldest_unpaid_due FROM account_ledger "
        "WHERE oldest_unpaid_due < ? ORDER BY "
        "account_id IN (SELECT account_id FROM arrears_action), account_id LIMIT ?",
        (TODAY.isoformat(), n),
    ).fetchall()
    assert len(rows) == n
    return [(a, date.fromisoformat(d)) for a, d in rows]


def test_the_demo_history_gives_the_same_stages(demo_db_copy: Path) -> None:
    """Over the generated ladder history every stage filter value returns exactly what
    the grouped read returned, and the projection has no drift."""
    counts = assert_same_stages(demo_db_copy)
    assert sum(counts.values()) > 0
    assert drift(demo_db_copy) == []


def test_edge_cases_give_the_same_stages(demo_db_copy: Path, con: sqlite3.Connection) -> None:
    accounts = _overdue_accounts(con, 8)
    had_steps = {r[0] for r in con.execute("SELECT DISTINCT account_id FROM arrears_action")}
    (a1, d1), (a2, d2), (a3, d3), (a4, d4), (a5, d5), (a6, d6), (a7, d7), (a8, d8) = accounts
    _act(con, a1, "second_sms", d1 - timedelta(days=3))  # before the oldest due: not counted
    _act(con, a1, "sms_reminder", d1 + timedelta(days=1))
    _act(con, a2, "phone_call", d2 + timedelta(days=2), "unreachable")  # not reached
    _act(con, a2, "phone_call", d2 + timedelta(days=3), "promised")
    _act(con, a3, "sms_reminder", d3 + timedelta(days=1))
    _act(con, a3, "suspend", d3 + timedelta(days=30))
    _act(con, a3, "restore", d3 + timedelta(days=31))  # undoes the suspension
    _act(con, a4, "restrict", d4 - timedelta(days=40))  # a cut long ago, never restored
    _act(con, a5, "restrict", d5 + timedelta(days=20))
    _act(con, a5, "restore", d5 + timedelta(days=21))
    _act(con, a5, "suspend", d5 + timedelta(days=40))  # a cut after the restore counts
    _act(con, a5, "notice_printed", d5 + timedelta(days=41))
    _act(con, a6, "sms_reminder", d6 + timedelta(days=2))
    _act(con, a6, "second_sms", d6 + timedelta(days=8))
    _act(con, a7, "phone_call", d7 + timedelta(days=2), "refused")
    _act(con, a8, "second_sms", d8 + timedelta(days=1))
    # a payment of the oldest bill moves a8's oldest unpaid due date past the reminder
    owed_oldest = con.execute(
        "SELECT amount_fen FROM bill WHERE account_id = ? AND due_date = ?", (a8, d8.isoformat())
    ).fetchone()[0]
    con.execute(
        "INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at) "
        "VALUES (?, ?, ?, 'cash', '', ?)",
        (uuid.uuid4().hex, a8, owed_oldest, datetime.now(UTC).replace(tzinfo=None)),
    )
    con.execute("PRAGMA foreign_keys=ON")
    stages = dict(
        con.execute(
            "SELECT account_id, stage_rank FROM account_ledger WHERE account_id IN "
            f"({', '.join(str(a) for a, _d in accounts)})"
        ).fetchall()
    )
    new_due = con.execute(
        "SELECT oldest_unpaid_due FROM account_ledger WHERE account_id = ?", (a8,)
    ).fetchone()[0]
    assert stages[a1] is not None and stages[a1] >= StepKind.SMS_REMINDER.rank
    if a3 not in had_steps:  # the restore undid the suspension
        assert stages[a3] == StepKind.SMS_REMINDER.rank
    assert stages[a4] == StepKind.RESTRICT.rank or stages[a4] > StepKind.RESTRICT.rank
    assert stages[a5] is not None and stages[a5] >= StepKind.SUSPEND.rank
    assert stages[a6] is not None and stages[a6] >= StepKind.SECOND_SMS.rank
    if a8 not in had_steps and (
        new_due is None or date.fromisoformat(new_due) > d8 + timedelta(days=1)
    ):
        assert stages[a8] is None or stages[a8] != StepKind.SECOND_SMS.rank
    assert_same_stages(demo_db_copy)
    assert drift(demo_db_copy) == []


def test_a_step_dated_after_the_day_asked_reads_the_actions(
    demo_db_copy: Path, con: sqlite3.Connection
) -> None:
    """Asked for a past day, the worklist does not count steps taken after it (the stored
    key counts every step): the filter falls back to the grouped read."""
    (account,) = con.execute(
        "SELECT account_id FROM account_ledger WHERE oldest_unpaid_due < ? "
        "AND stage_rank IS NOT ? ORDER BY account_id LIMIT 1",
        (TODAY.isoformat(), StepKind.PRE_TERMINATE.rank),
    ).fetchone()
    _act(con, account, "pre_terminate", TODAY)
    assert account in stored_stage_ids(demo_db_copy, StepKind.PRE_TERMINATE.value, TODAY)
    earlier = TODAY - timedelta(days=1)
    assert account not in stored_stage_ids(demo_db_copy, StepKind.PRE_TERMINATE.value, earlier)
    assert_same_stages(demo_db_copy, earlier)
    assert_same_stages(demo_db_copy, TODAY)


def test_drift_covers_the_stage(demo_db_copy: Path, con: sqlite3.Connection) -> None:
    (account, _due), *_ = _overdue_accounts(con, 1)
    con.execute(
        "UPDATE account_ledger SET stage_rank = COALESCE(stage_rank, 0) + 10 WHERE account_id = ?",
        (account,),
    )
    assert account in drift(demo_db_copy)
