"""The ladder's bulk path (``ArrearsService.statuses`` → ``bulk.ladder_statuses``) gives
exactly the per-account service's answer (``ArrearsService.status``), over a store with
varied histories: voids and reversals, penalty postings, settlements and waivers, steps
of every kind (calls that reached the customer and calls that did not), restores,
dispute freezes, bills out of due-date order and zero bills, and payments around the
hall's midnight, in zones with and without clock changes."""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.domain.arrears import ArrearsStatus
from app.services.arrears import ArrearsService, parallel
from app.services.arrears.bulk import ladder_statuses
from app.services.hall import HallService
from app.store.database import Store, open_store, sqlite_url

_KINDS = ("sms_reminder", "second_sms", "phone_call", "restrict", "suspend", "restore")
_CALL_RESULTS = ("promised", "refused", "no_answer", "wrong_person")


def _add_histories(con: sqlite3.Connection, zone: str, seed: int) -> list[int]:
    """Random but lawful-looking records on most accounts; returns every account id."""
    rng = random.Random(seed)
    tz = ZoneInfo(zone)
    con.execute("UPDATE hall SET timezone = ?", (zone,))
    staff = con.execute("SELECT min(id) FROM staff").fetchone()[0]
    accounts = [row[0] for row in con.execute("SELECT id FROM account ORDER BY id")]

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    for account_id in accounts:
        if rng.random() < 0.15:
            continue  # as generated
        for _ in range(rng.randint(0, 4)):
            # Near the hall's midnight, on days with a clock change among others.
            day = rng.choice(
                [date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)]
                + [date(2026, 1, 1) + timedelta(days=rng.randint(0, 320)) for _ in range(3)]
            )
            local = datetime.combine(day, time(23, 59, 59) if rng.random() < 0.5 else time(0, 0))
            at = local.replace(tzinfo=tz) + timedelta(seconds=rng.choice([-1, 0, 1, 3600]))
            amount = rng.choice([-3000, 500, 2000, 12000, 40000])
            penalty = rng.choice([0, 0, 150]) if amount > 0 else rng.choice([0, -150])
            con.execute(
                "INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at, "
                "kind, device_code, penalty_fen, reason, rounding_fen) "
                "VALUES (?, ?, ?, 'cash', '', ?, ?, 'PC01', ?, '', 0)",
                (
                    uuid.uuid4().hex,
                    account_id,
                    amount,
                    stamp(at),
                    "payment" if amount > 0 else "reversal",
                    penalty,
                ),
            )
        for _ in range(rng.randint(0, 5)):
            kind = rng.choice(_KINDS)
            taken = date(2026, 1, 10) + timedelta(days=rng.randint(0, 320))
            result = rng.choice(_CALL_RESULTS) if kind == "phone_call" else "done"
            promised = taken + timedelta(days=7) if result == "promised" else None
            con.execute(
                "INSERT INTO arrears_action (id, account_id, kind, taken_on, at, staff_id, "
                "result, promised_on, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
                (
                    uuid.uuid4().hex,
                    account_id,
                    kind,
                    taken.isoformat(),
                    f"{taken.isoformat()} 03:00:00.000000",
                    staff,
                    result,
                    promised.isoformat() if promised else None,
                ),
            )
        if rng.random() < 0.2:
            starts = date(2026, 2, 1) + timedelta(days=rng.randint(0, 280))
            con.execute(
                "INSERT INTO dispute_freeze (id, account_id, amount_fen, reason, starts_on, "
                "expires_on, at, staff_id, approved_by) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?)",
                (
                    uuid.uuid4().hex,
                    account_id,
                    rng.choice([500, 5000, 90000]),
                    starts.isoformat(),
                    (starts + timedelta(days=rng.randint(0, 60))).isoformat(),
                    f"{starts.isoformat()} 02:00:00.000000",
                    staff,
                    staff,
                ),
            )
        if rng.random() < 0.2:
            first = date(2026, 1, 20) + timedelta(days=rng.randint(0, 60))
            last = first + timedelta(days=rng.randint(0, 40))
            runs = [[first.isoformat(), last.isoformat(), rng.choice([0, 8000, 30000])]]
            con.execute(
                "INSERT INTO penalty_accrual (id, account_id, first_day, last_day, per_mille, "
                "runs_json, amount_fen, at, staff_id, device_code) "
                "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, 'PC01')",
                (
                    uuid.uuid4().hex,
                    account_id,
                    first.isoformat(),
                    last.isoformat(),
                    rng.choice([1, 3]),
                    json.dumps(runs),
                    f"{last.isoformat()} 08:00:00.000000",
                    staff,
                ),
            )
        if rng.random() < 0.1:
            con.execute(
                "INSERT INTO penalty_waiver (id, account_id, amount_fen, reason, at, staff_id, "
                "approved_by) VALUES (?, ?, ?, '', '2026-09-01 02:00:00.000000', ?, ?)",
                (uuid.uuid4().hex, account_id, rng.choice([100, 900]), staff, staff),
            )
        if rng.random() < 0.1:
            # A bill of a later period due before the previous one, or a zero bill:
            # the ledger's non-prefix path.
            due = date(2026, 10, 5) if rng.random() < 0.5 else date(2026, 12, 20)
            con.execute(
                "INSERT INTO bill (account_id, period, amount_fen, issue_date, due_date) "
                "VALUES (?, '2027-01', ?, '2026-09-01', ?)",
                (account_id, rng.choice([0, 7000]), due.isoformat()),
            )
    con.commit()
    return accounts


@pytest.fixture(params=["Asia/Shanghai", "Europe/Berlin", "America/New_York"])
def varied(demo_db_copy: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Store, list[int]]]:
    con = sqlite3.connect(demo_db_copy)
    accounts = _add_histories(con, request.param, seed=len(request.param))
    con.close()
    store = open_store(sqlite_url(demo_db_copy))
    yield store, accounts
    store.close()


@pytest.mark.parametrize("today", [date(2026, 3, 30), date(2026, 11, 28)])
def test_bulk_statuses_equal_the_per_account_service(
    varied: tuple[Store, list[int]], today: date
) -> None:
    store, accounts = varied
    noon = datetime.combine(today, time(12), UTC)
    service = ArrearsService(store, lambda: noon)
    bulk = service.statuses([*accounts, accounts[0], 10**9])  # a repeat and a missing id
    assert list(bulk) == [*accounts, 10**9]
    assert bulk[10**9].owed_fen == 0 and bulk[10**9].tier is None
    one_by_one = {a: service.status(a).status for a in accounts}
    assert {a: bulk[a] for a in accounts} == one_by_one
    # The histories are varied enough to mean something.
    assert sum(1 for s in one_by_one.values() if s.tier is not None) > 10
    assert sum(1 for s in one_by_one.values() if s.current_stage is not None) > 10
    assert sum(1 for s in one_by_one.values() if s.penalty_fen > 0) > 10
    assert any(s.frozen_fen > 0 or s.service_hold is not None for s in one_by_one.values())


def _evaluate_shared(
    store: Store, ids: Sequence[int], today: date, here: list[int]
) -> dict[int, ArrearsStatus]:
    """``parallel.evaluate`` with one worker and chunks of 7 accounts; the ids the calling
    thread evaluated itself are added to ``here``."""
    service = ArrearsService(store, lambda: datetime.combine(today, time(12), UTC))
    policy = service.current_policy()[1]
    timezone = HallService(store).info().timezone

    def evaluate_here(ids: Sequence[int]) -> dict[int, ArrearsStatus]:
        here.extend(ids)
        with store.read() as session:
            return ladder_statuses(session, ids, timezone, policy, today)

    return parallel.evaluate(
        store,
        ids,
        timezone,
        policy,
        today,
        evaluate_here=evaluate_here,
        workers=1,
        min_accounts=1,
        chunk_size=7,
    )


def test_statuses_shared_with_a_worker_process_are_the_same(
    varied: tuple[Store, list[int]],
) -> None:
    """A report over thousands of accounts shares its chunks between worker processes
    and the calling thread (``parallel``): the statuses are exactly the one-process
    path's, in the same order, whichever side evaluated a chunk."""
    store, accounts = varied
    today = date(2026, 11, 28)
    noon = datetime.combine(today, time(12), UTC)
    service = ArrearsService(store, lambda: noon)
    alone = service.statuses(accounts, workers=0)
    here: list[int] = []
    try:
        shared = _evaluate_shared(store, [*accounts, accounts[0]], today, here)
    finally:
        parallel.shutdown()
    assert list(shared) == list(alone)
    assert shared == alone
    # Both sides did part of the work.
    assert 0 < len(here) < len(accounts)


def test_a_worker_that_dies_loses_nothing(varied: tuple[Store, list[int]]) -> None:
    """A worker killed between two reports (out of memory, say) breaks its pool: the next
    call is evaluated in the calling thread, whole and the same, and the call after it
    starts a new worker."""
    store, accounts = varied
    today = date(2026, 11, 28)
    alone = ArrearsService(store, lambda: datetime.combine(today, time(12), UTC)).statuses(
        accounts, workers=0
    )
    try:
        assert _evaluate_shared(store, accounts, today, []) == alone
        assert store.path is not None
        pool = parallel._pools[store.path][0]
        for process in list(pool._processes.values()):  # type: ignore[attr-defined]
            process.kill()
            process.join()
        here: list[int] = []
        assert _evaluate_shared(store, accounts, today, here) == alone
        assert store.path not in parallel._pools or parallel._pools[store.path][0] is not pool
        here.clear()
        assert _evaluate_shared(store, accounts, today, here) == alone
        assert 0 < len(here) < len(accounts)  # a new worker took its share
    finally:
        parallel.shutdown()
