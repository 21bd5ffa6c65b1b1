"""The demo hall's ladder history (``app.demo.ladder``): every stage of the worklist has
accounts, and every recorded step is one the ladder's rules allowed on its day.

The rules replayed are the domain's (``app.domain.arrears.check_step_allowed``), from the
seed's 欠费管理制度 and the Telecommunications Regulations art. 34: "应当先行通知用户" (a
reminder before a cut), suspension no earlier than day 30, pre-termination no earlier
than 60 days after the suspension, no cut of an amount frozen by a dispute, service
restored after full payment (``restore_needed`` on the restore's day).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.demo import generate
from app.domain.arrears import check_step_allowed
from app.domain.arrears_policy import SERVICE_ACTION_KINDS, StepKind, default_policy
from app.services.arrears import ArrearsService, WorklistFilter
from app.services.arrears.records import REACHED_RESULTS, load_inputs
from app.services.arrears.worklist import NO_STAGE
from app.store.database import open_store, sqlite_url
from app.store.ledger_sql import ledger_drift

TODAY = date(2026, 11, 15)


@pytest.fixture(scope="module")
def history_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ladder") / "demo.sqlite3"
    generate(path, 3000, seed=3, today=TODAY)
    return path


def test_every_stage_filter_has_rows(history_store: Path) -> None:
    store = open_store(sqlite_url(history_store))
    try:
        service = ArrearsService(store, lambda: datetime(2026, 11, 15, 2, 0, tzinfo=UTC))
        counts = {
            stage: service.worklist_count(WorklistFilter(stage=stage))
            for stage in [NO_STAGE, *(k.value for k in StepKind)]
        }
        with store.read() as session:
            assert ledger_drift(session) == []
    finally:
        store.close()
    assert all(counts.values()), counts


def test_the_history_is_lawful(history_store: Path) -> None:
    """Each day's steps of each account, replayed through the engine with only what was
    recorded before that day: every reminder and cut passes ``check_step_allowed``; every
    restore comes when the engine says a restore is needed (the arrears paid); cuts carry
    the leader's approval and name their line."""
    con = sqlite3.connect(history_store)
    rows = con.execute(
        "SELECT account_id, kind, taken_on, result, service_id, approved_by "
        "FROM arrears_action ORDER BY account_id, taken_on"
    ).fetchall()
    leader = con.execute("SELECT id FROM staff WHERE role = 'leader'").fetchone()[0]
    freezes = con.execute("SELECT COUNT(*) FROM dispute_freeze").fetchone()[0]
    restores = con.execute(
        "SELECT COUNT(*) FROM restore_request WHERE done_at IS NOT NULL"
    ).fetchone()[0]
    con.close()
    kinds = {row[1] for row in rows}
    assert {*(k.value for k in StepKind), "restore"} <= kinds
    assert freezes > 0 and restores == sum(1 for r in rows if r[1] == "restore")
    days: dict[int, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
    for account, kind, taken_on, result, service_id, approved_by in rows:
        if kind in {k.value for k in SERVICE_ACTION_KINDS} or kind == "restore":
            assert service_id is not None
        if kind in {k.value for k in SERVICE_ACTION_KINDS}:
            assert approved_by == leader
        if kind == "phone_call" and result not in REACHED_RESULTS:
            continue  # an unanswered call is no notice and no step
        days[account][date.fromisoformat(taken_on)].add(kind)
    policy = default_policy()
    store = open_store(sqlite_url(history_store))
    checked = 0
    try:
        with store.read() as session:
            inputs = load_inputs(session, sorted(days), "Asia/Shanghai")
    finally:
        store.close()
    for account, by_day in days.items():
        full = inputs[account]
        for day in sorted(by_day):
            before = replace(
                full,
                actions=[a for a in full.actions if a.on < day],
                restorations=[r for r in full.restorations if r < day],
            )
            status = before.evaluate(policy, day)
            if "restore" in by_day[day]:
                assert status.restore_needed, (account, day)
                before = replace(before, restorations=[*before.restorations, day])
                status = before.evaluate(policy, day)
            for kind in by_day[day] - {"restore"}:
                check_step_allowed(policy, status, StepKind(kind), day)
                checked += 1
    assert checked > 1000
