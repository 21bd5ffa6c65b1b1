"""The account_ledger projection stays equal to a fresh computation from bills and payments,
whatever order they arrive in, and migration 0002 builds it for existing data."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store.database import alembic_config, make_engine, open_store, sqlite_url
from app.store.ledger_sql import ledger_drift

TEMPLATE: dict[str, Path] = {}


def _fresh_store(tmp: Path) -> Path:
    """A migrated empty store with one hall, customer and two accounts (copied per example)."""
    if "path" not in TEMPLATE:
        base = Path(tmp) / "template.sqlite3"
        store = open_store(sqlite_url(base))
        store.close()
        con = sqlite3.connect(base)
        con.executescript(
            "INSERT INTO hall (id, code, name, address, hotline, timezone) "
            "VALUES (1, 'H', '厅', '', '10000', 'Asia/Shanghai');"
            "INSERT INTO customer (id, hall_id, kind, name, name_pinyin, name_initials, id_type,"
            " id_number, id_number_rev, contact_phone, address, created_on) VALUES (1, 1,"
            " 'person', '张三', 'zhangsan', 'zs', 'passport', 'E1', '1E', '13812345678', '',"
            " '2020-01-01');"
            "INSERT INTO account (id, customer_id, number, opened_on) VALUES"
            " (1, 1, '3100000001', '2020-01-01'), (2, 1, '3100000002', '2020-01-01');"
            "INSERT INTO grid_unit (id, hall_id, code, name, manager_name, manager_phone)"
            " VALUES (1, 1, 'G01', '一网格', '甲', '1'), (2, 1, 'G02', '二网格', '乙', '2');"
        )
        con.commit()
        con.close()
        TEMPLATE["path"] = base
    target = Path(tmp) / f"{uuid.uuid4().hex}.sqlite3"
    shutil.copyfile(TEMPLATE["path"], target)
    return target


events = st.lists(
    st.one_of(
        st.tuples(st.just("bill"), st.integers(1, 2), st.integers(1, 12), st.integers(0, 90_000)),
        st.tuples(
            st.just("pay"), st.integers(1, 2), st.integers(-20_000, 90_000), st.integers(0, 500)
        ),
        # a bill's due date moved (month, day): two bills may fall due the same day
        st.tuples(st.just("due"), st.integers(1, 2), st.integers(1, 12), st.integers(1, 28)),
        # the customer renamed (a pinyin) or moved to grid unit 0 (none), 1 or 2
        st.tuples(st.just("rename"), st.just(1), st.integers(0, 3), st.integers(0, 2)),
        # a grid unit's code changed
        st.tuples(st.just("code"), st.integers(1, 2), st.integers(0, 99), st.just(0)),
    ),
    max_size=25,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=events)
def test_projection_matches_recomputation(tmp_path: Path, events: list[tuple]) -> None:
    path = _fresh_store(tmp_path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys=ON")
    seen: set[tuple[int, int]] = set()
    for kind, account, a, b in events:
        if kind == "bill":
            if (account, a) in seen:
                continue
            seen.add((account, a))
            period = f"2026-{a:02d}"
            con.execute(
                "INSERT INTO bill (account_id, period, amount_fen, issue_date, due_date) "
                "VALUES (?, ?, ?, ?, ?)",
                (account, period, b, f"2026-{a:02d}-01", f"2026-{a:02d}-20"),
            )
        elif kind == "due":
            con.execute(
                "UPDATE bill SET due_date = ? WHERE account_id = ? AND id = "
                "(SELECT MAX(id) FROM bill WHERE account_id = ?)",
                (f"2027-{a:02d}-{b:02d}", account, account),
            )
        elif kind == "rename":
            con.execute(
                "UPDATE customer SET name_pinyin = ?, name = ?, grid_unit_id = ? WHERE id = 1",
                (f"p{a}", f"名{a}", b or None),
            )
        elif kind == "code":
            con.execute(
                "UPDATE grid_unit SET code = ? WHERE id = ?", (f"C{account}{a:02d}", account)
            )
        elif kind == "pay" and a != 0:
            con.execute(
                "INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at, "
                "penalty_fen) VALUES (?, ?, ?, 'cash', '', ?, ?)",
                (
                    uuid.uuid4().hex,
                    account,
                    a,
                    datetime.now(UTC).replace(tzinfo=None),
                    min(b, abs(a)),
                ),
            )
    con.commit()
    con.close()
    store = open_store(sqlite_url(path), migrate=False)
    with store.read() as session:
        assert ledger_drift(session) == []
    store.close()


def test_bill_changes_from_the_centre_move_the_projection(tmp_path: Path) -> None:
    path = _fresh_store(tmp_path)
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO bill (account_id, period, amount_fen, issue_date, due_date) VALUES "
        "(1, '2026-01', 5000, '2026-02-01', '2026-02-20'),"
        "(1, '2026-02', 7000, '2026-03-01', '2026-03-20')"
    )
    con.execute(
        "INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at) "
        "VALUES (?, 1, 5000, 'cash', '', '2026-03-01 00:00:00')",
        (uuid.uuid4().hex,),
    )
    assert con.execute(
        "SELECT owed_fen, oldest_unpaid_due FROM account_ledger WHERE account_id = 1"
    ).fetchone() == (7000, "2026-03-20")
    con.execute("UPDATE bill SET amount_fen = 4000 WHERE period = '2026-01'")
    assert con.execute(
        "SELECT owed_fen, oldest_unpaid_due FROM account_ledger WHERE account_id = 1"
    ).fetchone() == (6000, "2026-03-20")
    con.execute("DELETE FROM bill WHERE period = '2026-02'")
    assert con.execute(
        "SELECT owed_fen, oldest_unpaid_due FROM account_ledger WHERE account_id = 1"
    ).fetchone() == (-1000, None)
    con.commit()
    con.close()


def test_upgrade_from_0001_builds_the_projection(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(sqlite_url(path))
    cfg = alembic_config(sqlite_url(path))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.executescript(
        "INSERT INTO hall (id, code, name, address, hotline, timezone) "
        "VALUES (1, 'H', '厅', '', '10000', 'Asia/Shanghai');"
        "INSERT INTO customer (id, hall_id, kind, name, name_pinyin, name_initials, id_type,"
        " id_number, id_number_rev, contact_phone, address, created_on) VALUES (1, 1,"
        " 'person', '张三', 'zhangsan', 'zs', 'passport', 'E1', '1E', '13812345678', '',"
        " '2020-01-01');"
        "INSERT INTO account (id, customer_id, number, opened_on) VALUES"
        " (1, 1, '3100000001', '2020-01-01');"
        "INSERT INTO bill (account_id, period, amount_fen, issue_date, due_date) VALUES"
        " (1, '2026-01', 5000, '2026-02-01', '2026-02-20'),"
        " (1, '2026-02', 7000, '2026-03-01', '2026-03-20');"
        "INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at) VALUES"
        " ('0123456789abcdef0123456789abcdef', 1, 6000, 'cash', '', '2026-03-01 00:00:00');"
    )
    con.commit()
    con.close()
    store = open_store(sqlite_url(path))
    store.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT * FROM account_ledger").fetchall() == [
        # the totals (0002), then the worklist keys (0014): name keys, no grid unit, the
        # last due date and its bill, the due date before it; no step taken (0015); no
        # freeze (0018)
        (
            1,
            12000,
            6000,
            6000,
            "2026-03-20",
            "zhangsan",
            "张三",
            None,
            "",
            "2026-03-20",
            7000,
            "2026-02-20",
            None,
            None,
        )
    ]
    assert con.execute("SELECT kind, penalty_fen FROM payment").fetchall() == [("payment", 0)]
    assert list(tmp_path.glob("old.sqlite3.pre-migration-*.bak"))
    con.close()


HISTORY_ROWS = {
    "arrears_action": "INSERT INTO arrears_action (id, account_id, kind, taken_on, at, staff_id,"
    " result, note) VALUES ('a1', 1, 'sms_reminder', '2026-03-01', '2026-03-01 01:00:00', 1,"
    " '', '')",
    "payment_allocation": "INSERT INTO payment_allocation (payment_id, bill_id, amount_fen)"
    " VALUES ('0123456789abcdef0123456789abcdef', 1, 100)",
    "receipt_print": "INSERT INTO receipt_print (id, payment_id, copy_no, layout, at, staff_id,"
    " archive_path, outcome, error) VALUES ('r1', '0123456789abcdef0123456789abcdef', 0,"
    " 'roll80', '2026-03-01 01:00:00', 1, '', 'printed', '')",
}


@pytest.mark.parametrize("table", sorted(HISTORY_ROWS))
def test_new_history_tables_are_append_only(tmp_path: Path, table: str) -> None:
    path = _fresh_store(tmp_path)
    con = sqlite3.connect(path)
    con.executescript(
        "INSERT INTO staff (id, hall_id, staff_no, name, role, password_hash, active,"
        " failed_logins) VALUES (1, 1, 'A001', '甲', 'clerk', 'x', 1, 0);"
        "INSERT INTO bill (id, account_id, period, amount_fen, issue_date, due_date) VALUES"
        " (1, 1, '2026-01', 5000, '2026-02-01', '2026-02-20');"
        "INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at) VALUES"
        " ('0123456789abcdef0123456789abcdef', 1, 100, 'cash', '', '2026-03-01 00:00:00');"
    )
    con.execute(HISTORY_ROWS[table])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(f"UPDATE {table} SET rowid = rowid")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(f"DELETE FROM {table}")
    con.close()


def test_a_done_restore_request_cannot_change(tmp_path: Path) -> None:
    path = _fresh_store(tmp_path)
    con = sqlite3.connect(path)
    con.executescript(
        "INSERT INTO staff (id, hall_id, staff_no, name, role, password_hash, active,"
        " failed_logins) VALUES (1, 1, 'A001', '甲', 'clerk', 'x', 1, 0);"
        "INSERT INTO service (id, account_id, kind, number, plan, monthly_fee_fen, status,"
        " opened_on) VALUES (1, 1, 'mobile', '13812345678', 'p', 100, 'suspended', '2020-01-01');"
        "INSERT INTO restore_request (id, account_id, service_id, requested_at, deadline_at)"
        " VALUES ('aa', 1, 1, '2026-01-01 00:00:00', '2026-01-02 00:00:00');"
        "UPDATE restore_request SET done_at = '2026-01-01 01:00:00', done_by = 1;"
    )
    with pytest.raises(sqlite3.DatabaseError, match="done"):
        con.execute("UPDATE restore_request SET done_at = NULL")
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("DELETE FROM restore_request")
    con.close()
