"""The worklist's tier filter against the ladder engine, on the cases its index ranges split on.

The tier filter (``app.services.arrears.worklist``, migration 0018) no longer computes
every overdue account's ladder amount: it reads four disjoint ranges, the amount owed for
an account whose last due date has passed, the amount owed before the last due date's
bills while that date is ahead, and the ladder amount computed only for the rare rest
(two due dates ahead, a freeze active that day). Each range is right only on its own
side of the split, so the accounts written here sit on every side of it: each with a
tier that another range's key would get wrong. The engine (``ArrearsService.statuses``)
is the reference, on the demo's date, a day in the past (two due dates ahead for every
account billed monthly) and days after the last due date; for every tier, its count,
and every sort (the tier's ids in the sort's order of the whole list).

The rule quoted by the policy's tiers (``default_policy``): below ¥200 the small tier's
ladder, ¥200 and more the large tier's; a disputed amount under a freeze is out of the
ladder while the freeze lasts.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app.services.arrears import ArrearsService, WorklistFilter, WorklistSort
from app.store.database import Store, open_store, sqlite_url
from app.store.ledger_sql import ledger_drift
from tests.services.arrears.test_service import make_account, pay

TODAY = date(2026, 11, 15)
ALL_ACCOUNTS = text("SELECT id FROM account ORDER BY id")
#: Accounts with a payment made on or after ``:day`` (UTC: a day early in the hall's zone).
PAID_AFTER = text("SELECT DISTINCT account_id FROM payment WHERE paid_at >= :day")
SORTS = [WorklistSort(key, descending) for key in ("owed", "days", "name", "grid")
         for descending in (True, False)]  # fmt: skip


class FixedClock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 4, 0, tzinfo=UTC)


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(demo_db_copy))
    yield opened
    opened.close()


def _freeze(path: Path, account: int, fen: int, starts: date, expires: date) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO dispute_freeze (id, account_id, amount_fen, reason, starts_on, "
            "expires_on, at, staff_id, approved_by) VALUES (?, ?, ?, 'test', ?, ?, ?, 1, 1)",
            (
                uuid.uuid4().hex,
                account,
                fen,
                starts.isoformat(),
                expires.isoformat(),
                datetime(2026, 11, 1, 2, 0),
            ),
        )
    con.close()


def _edge_accounts(store: Store, path: Path) -> dict[str, int]:
    """Accounts on each side of the split (amounts in fen; the demo date is 2026-11-15)."""
    o20, n10, n20, d20 = (
        date(2026, 10, 20),
        date(2026, 11, 10),
        date(2026, 11, 20),
        date(2026, 12, 20),
    )
    made = {
        # last due date passed: the ladder amount is what is owed
        "passed large": make_account(store, [("2026-09", 150_00, o20), ("2026-10", 60_00, n10)]),
        "passed small": make_account(store, [("2026-09", 120_00, o20), ("2026-10", 60_00, n10)]),
        # last due date ahead: owed before its bills; owed alone says large, the tier is small
        "ahead small, owes 450": make_account(
            store, [("2026-09", 150_00, o20), ("2026-10", 300_00, n20)]
        ),
        "ahead large": make_account(store, [("2026-09", 500_00, o20), ("2026-10", 80_00, n20)]),
        # two due dates ahead: owed before the last due date's bills would say large (250)
        "two ahead small": make_account(
            store,
            [("2026-09", 150_00, o20), ("2026-10", 100_00, n20), ("2026-11", 100_00, d20)],
        ),
        "two ahead large": make_account(
            store,
            [("2026-09", 250_00, o20), ("2026-10", 60_00, n20), ("2026-11", 70_00, d20)],
        ),
        # freezes: active (large -> small, and out of the ladder), not yet started, expired
        "frozen to small": make_account(store, [("2026-09", 500_00, o20), ("2026-10", 80_00, n20)]),
        "frozen out": make_account(store, [("2026-09", 300_00, o20), ("2026-10", 50_00, n10)]),
        "freeze ahead": make_account(store, [("2026-09", 500_00, o20), ("2026-10", 80_00, n20)]),
        "freeze expired": make_account(store, [("2026-09", 90_00, o20), ("2026-10", 10_00, n10)]),
        # a frozen account with two due dates ahead
        "frozen two ahead": make_account(
            store,
            [("2026-09", 400_00, o20), ("2026-10", 60_00, n20), ("2026-11", 70_00, d20)],
        ),
        # a zero bill on the last due date, and a zero bill overdue (a bill cannot be
        # negative: ``ck_bill_amount_nonnegative``)
        "zero last bill": make_account(store, [("2026-09", 300_00, o20), ("2026-10", 0, n20)]),
        "zero overdue bill": make_account(store, [("2026-09", 0, o20), ("2026-10", 80_00, n20)]),
        # paid down below the bill not yet due: nothing overdue
        "paid below last bill": make_account(
            store, [("2026-09", 500_00, o20), ("2026-10", 80_00, n20)]
        ),
        # paid part of the overdue bill: the rest, at the threshold exactly
        "paid to the threshold": make_account(
            store, [("2026-09", 350_00, o20), ("2026-10", 80_00, n20)]
        ),
    }
    _freeze(path, made["frozen to small"], 400_00, date(2026, 11, 1), date(2026, 12, 31))
    _freeze(path, made["frozen out"], 350_00, date(2026, 11, 1), date(2026, 12, 31))
    _freeze(path, made["freeze ahead"], 450_00, date(2026, 11, 16), date(2026, 11, 30))
    _freeze(path, made["freeze expired"], 90_00, date(2026, 10, 21), date(2026, 11, 14))
    _freeze(path, made["frozen two ahead"], 300_00, date(2026, 10, 1), date(2026, 12, 31))
    at = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
    pay(store, made["paid below last bill"], 550_00, at)
    pay(store, made["paid to the threshold"], 150_00, at)
    return made


def _engine_tiers(service: ArrearsService, accounts: list[int]) -> dict[int, str]:
    return {
        account: status.tier.code
        for account, status in service.statuses(accounts).items()
        if status.tier is not None
    }


def assert_tiers_match_the_engine(store: Store, day: date) -> dict[str, set[int]]:
    """Every tier's ids, count and sorted ids equal the engine's tier on ``day``.

    On a day in the past the engine leaves out the payments made after it, while the
    worklist reads the projection, which has them all (as it did before 0018): the
    accounts paid after ``day`` are left out of the comparison."""
    service = ArrearsService(store, FixedClock(day))
    with store.read() as session:
        accounts = [row[0] for row in session.execute(ALL_ACCOUNTS)]
        later = set(session.execute(PAID_AFTER, {"day": day.isoformat()}).scalars())
    engine = _engine_tiers(service, accounts)
    _version, policy = service.current_policy()
    found: dict[str, set[int]] = {}
    for tier in policy.tiers:
        expected = {a for a, code in engine.items() if code == tier.code and a not in later}
        every = WorklistFilter(tier=tier.code)
        ids = service.worklist_ids(every, WorklistSort())
        assert {a for a in ids if a not in later} == expected, (day, tier.code)
        if not later:
            assert service.worklist_count(every) == len(expected), (day, tier.code)
        else:
            assert service.worklist_count(every) == len(ids), (day, tier.code)
        for sort in SORTS:
            whole = service.worklist_ids(WorklistFilter(), sort)
            assert service.worklist_ids(every, sort) == [a for a in whole if a in set(ids)], (
                day,
                tier.code,
                sort,
            )
        # with the other filters (the count's ranges carry them; a grid unit is counted
        # on its own index): the tier's ids among the filter's own
        for other in _other_filters(store):
            within = set(service.worklist_ids(other, WorklistSort()))
            both = replace(other, tier=tier.code)
            ids_both = service.worklist_ids(both, WorklistSort())
            assert set(ids_both) == within & set(ids), (day, tier.code, other)
            assert service.worklist_count(both) == len(ids_both), (day, tier.code, other)
        found[tier.code] = expected
    return found


def _other_filters(store: Store) -> list[WorklistFilter]:
    with store.read() as session:
        grid = session.execute(text("SELECT MIN(grid_unit_id) FROM account_ledger")).scalar()
    return [
        WorklistFilter(min_days=10, max_days=60),
        WorklistFilter(stage="none"),
        WorklistFilter(stage="sms_reminder"),
        WorklistFilter(grid_unit_id=grid),
    ]


def test_tier_filter_matches_the_engine_on_every_side_of_the_split(
    store: Store, demo_db_copy: Path
) -> None:
    made = _edge_accounts(store, demo_db_copy)
    with store.read() as session:
        assert ledger_drift(session) == []
    names = {account: name for name, account in made.items()}
    on_today = assert_tiers_match_the_engine(store, TODAY)
    tiers = {names[a]: code for code, ids in on_today.items() for a in ids if a in names}
    # the engine's tiers the cases were written for (each one a range's key gets wrong);
    # "frozen out", "zero overdue bill" and "paid below last bill" are in no tier
    assert tiers == {
        "passed large": "large",
        "passed small": "small",
        "ahead small, owes 450": "small",
        "ahead large": "large",
        "two ahead small": "small",
        "two ahead large": "large",
        "frozen to small": "small",
        "freeze ahead": "large",
        "freeze expired": "small",
        "frozen two ahead": "small",
        "zero last bill": "large",
        "paid to the threshold": "large",
    }, tiers
    # a day in the past (the accounts billed monthly have two due dates ahead), the day
    # after the November due date, and a day after every due date
    for day in (date(2026, 10, 25), date(2026, 11, 21), date(2026, 12, 25)):
        assert_tiers_match_the_engine(store, day)


def test_drift_covers_the_freeze_key(store: Store, demo_db_copy: Path) -> None:
    """The freezes' trigger keeps ``freeze_until`` (the latest expiry); a key gone wrong is
    found by ``ledger_drift``, as the tier filter would then miss a frozen account."""
    account = make_account(store, [("2026-09", 500_00, date(2026, 10, 20))])
    _freeze(demo_db_copy, account, 400_00, date(2026, 11, 1), date(2026, 12, 31))
    _freeze(demo_db_copy, account, 50_00, date(2026, 11, 1), date(2026, 11, 30))
    con = sqlite3.connect(demo_db_copy)
    with con:
        [(until,)] = con.execute(
            "SELECT freeze_until FROM account_ledger WHERE account_id = ?", (account,)
        )
        assert until == "2026-12-31"
        con.execute(
            "UPDATE account_ledger SET freeze_until = NULL WHERE account_id = ?", (account,)
        )
    con.close()
    with store.read() as session:
        assert ledger_drift(session) == [account]


def test_the_demo_store_on_many_days(store: Store) -> None:
    """The demo's own accounts (monthly bills, freezes, payments) on days around their due
    dates: before, on and after a due date, and in the past."""
    for day in (date(2026, 9, 30), date(2026, 10, 20), date(2026, 10, 21), TODAY):
        found = assert_tiers_match_the_engine(store, day)
        assert found["small"] or found["large"], day
