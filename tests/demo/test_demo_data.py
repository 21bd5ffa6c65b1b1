"""The demo-data generator: deterministic, valid, plausible, and a well-formed store."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.demo import DemoSummary, generate, vocab
from app.demo.people import DEMO_SERVICE_PASSWORD, is_valid_uscc, org_code_check, uscc_check
from app.domain.errors import StoreError
from app.domain.identity import id_check_char, is_fixed_line, is_mobile, is_valid_id_number
from app.domain.ledger import is_huge_charge
from app.domain.names import char_pinyin, pinyin_keys
from app.domain.passwords import verify_password
from app.store.database import head_revision, open_store, sqlite_url
from app.store.ledger_sql import ledger_drift
from app.store.models import AccountLedger, Payment

TODAY = date(2026, 11, 15)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _make(path: Path, customers: int, seed: int) -> DemoSummary:
    return generate(path, customers, seed, today=TODAY)


@pytest.fixture(scope="module")
def store_2000(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    path = tmp_path_factory.mktemp("demo2000") / "demo.sqlite3"
    return path, _make(path, 2000, seed=11)


@pytest.fixture(scope="module")
def con(store_2000: tuple[Path, DemoSummary]) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{store_2000[0]}?mode=ro", uri=True)
    yield connection
    connection.close()


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = ("customer", "account", "service", "bill", "payment", "staff", "grid_unit")
        return {t: connection.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    finally:
        connection.close()


# -- determinism -------------------------------------------------------------------------


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    first = _make(tmp_path / "a.sqlite3", 300, seed=3)
    second = _make(tmp_path / "b.sqlite3", 300, seed=3)
    other = _make(tmp_path / "c.sqlite3", 300, seed=4)

    a, b, c = (_dump(tmp_path / n) for n in ("a.sqlite3", "b.sqlite3", "c.sqlite3"))
    assert a == b
    assert replace(first, elapsed_seconds=0) == replace(second, elapsed_seconds=0)
    assert first.customers == other.customers == 300
    for table in ("customer", "bill", "payment"):
        assert a[table] != c[table], table


# -- validity of documents and numbers ---------------------------------------------------


def test_resident_ids_are_valid_and_reversed(con: sqlite3.Connection) -> None:
    rows = con.execute("SELECT id_type, id_number, id_number_rev FROM customer").fetchall()
    kinds = Counter(t for t, _, _ in rows)
    assert kinds["resident_id"] / len(rows) > 0.9
    assert 0.02 < kinds["business_licence"] / len(rows) < 0.07
    assert kinds["passport"] + kinds["hk_macao_permit"] > 0
    for id_type, number, reversed_number in rows:
        assert reversed_number == number[::-1]
        if id_type == "resident_id":
            assert is_valid_id_number(number), number
            assert id_check_char(number[:17]) == number[17]
            assert (
                date(1940, 1, 1)
                <= date.fromisoformat(f"{number[6:10]}-{number[10:12]}-{number[12:14]}")
                <= date(2006, 12, 31)
            )
        elif id_type == "business_licence":
            assert is_valid_uscc(number), number
        else:
            assert re.fullmatch(r"[A-Z]\d{8}", number), number


def test_unified_social_credit_code_checks() -> None:
    # Codes published by their holders (from a validator's test data).
    for code in ("91350200776049653A", "91350500798359476R", "913502000728319549"):
        assert is_valid_uscc(code)
        assert uscc_check(code[:17]) == code[17]
        assert org_code_check(code[8:16]) == code[16]
    assert not is_valid_uscc("91350200776049653B")


def test_phone_numbers_are_valid(con: sqlite3.Connection) -> None:
    for kind, number in con.execute("SELECT kind, number FROM service"):
        if kind == "mobile":
            assert is_mobile(number) and number[:3] in vocab.TELECOM_PREFIXES, number
        elif kind == "fixed":
            assert is_fixed_line(number) and re.fullmatch(r"021\d{8}", number), number
        else:
            assert re.fullmatch(r"ad\d{10}", number), number
    for (phone,) in con.execute("SELECT contact_phone FROM customer"):
        assert is_mobile(phone), phone
    for (phone,) in con.execute("SELECT manager_phone FROM grid_unit"):
        assert is_mobile(phone), phone
    kinds = Counter(k for (k,) in con.execute("SELECT kind FROM service"))
    assert kinds["mobile"] > kinds["broadband"] > kinds["fixed"] > 0


def test_pinyin_keys_match_the_names(con: sqlite3.Connection) -> None:
    rows = con.execute("SELECT name, name_pinyin, name_initials FROM customer").fetchall()
    for name, full, initials in rows:
        assert (full, initials) == pinyin_keys(name), name
    names = [name for name, _, _ in rows]
    assert any(name[:2] in {"欧阳", "司马", "上官", "诸葛", "司徒"} for name in names)
    assert any(set(name) & set(vocab.RARE_CHARS) for name in names)


def test_vocabulary_is_gbk_and_readable() -> None:
    chars = set(vocab.RARE_CHARS) | {c for pool in vocab.GIVEN_CHARS.values() for c in pool}
    chars |= {c for surname, _ in vocab.SURNAMES for c in surname}
    for char in chars:
        char.encode("gbk")
        assert char_pinyin(char).isascii(), char


# -- plausible ledger --------------------------------------------------------------------


def test_counts_and_twelve_bills(
    con: sqlite3.Connection, store_2000: tuple[Path, DemoSummary]
) -> None:
    summary = store_2000[1]
    count = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("customer", "account", "service", "bill", "payment")
    }
    assert count == {
        "customer": summary.customers,
        "account": summary.accounts,
        "service": summary.services,
        "bill": summary.bills,
        "payment": summary.payments,
    }
    assert summary.customers == 2000
    assert 1.05 < summary.accounts / summary.customers < 1.3
    assert summary.bills == 12 * summary.accounts
    periods = [p for (p,) in con.execute("SELECT DISTINCT period FROM bill ORDER BY period")]
    assert periods == [f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)]] + [
        f"2026-{m:02d}" for m in range(1, 11)
    ]
    for period, issue, due in con.execute("SELECT DISTINCT period, issue_date, due_date FROM bill"):
        year, month = map(int, period.split("-"))
        first = date(year + month // 12, month % 12 + 1, 1)
        assert (issue, due) == (first.isoformat(), first.replace(day=20).isoformat())
    assert con.execute("SELECT count(*) FROM bill WHERE amount_fen <= 0").fetchone()[0] == 0


def test_share_of_accounts_in_arrears(
    con: sqlite3.Connection, store_2000: tuple[Path, DemoSummary]
) -> None:
    balances = con.execute(
        "SELECT a.id, (SELECT sum(amount_fen) FROM bill WHERE account_id = a.id) - "
        "coalesce((SELECT sum(amount_fen) FROM payment WHERE account_id = a.id), 0) "
        "FROM account a"
    ).fetchall()
    owing = sum(1 for _, due in balances if due > 0)
    credit = sum(1 for _, due in balances if due < 0)
    assert 0.05 < owing / len(balances) < 0.15
    assert owing == store_2000[1].accounts_in_arrears
    assert credit > 0
    restricted = con.execute("SELECT count(*) FROM service WHERE status <> 'normal'").fetchone()[0]
    assert restricted > 0


def test_huge_charges_exist(con: sqlite3.Connection) -> None:
    amounts: dict[int, list[int]] = {}
    for account_id, amount in con.execute(
        "SELECT account_id, amount_fen FROM bill ORDER BY account_id, period"
    ):
        amounts.setdefault(account_id, []).append(amount)
    huge = [
        account_id
        for account_id, bills in amounts.items()
        if any(is_huge_charge(bills[i], bills[:i]) for i in range(len(bills)))
    ]
    assert 1 <= len(huge) < 0.02 * len(amounts)


def test_payments(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT p.id, p.amount_fen, p.method, p.paid_at, p.staff_id, p.receipt_no, "
        "p.account_id FROM payment p"
    ).fetchall()
    methods = Counter(r[2] for r in rows)
    assert set(methods) <= {"cash", "bank_card", "wechat", "alipay", "bank_deduction", "online"}
    assert methods["bank_deduction"] > methods["cash"] > 0
    first_issue = datetime(2025, 12, 1, tzinfo=SHANGHAI)
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=SHANGHAI)
    for pid, amount, method, paid_at, staff_id, receipt, _account in rows:
        assert re.fullmatch(r"[0-9a-f]{32}", pid), pid
        value = uuid.UUID(hex=pid)
        assert value.version == 7 and value.variant == uuid.RFC_4122
        paid = datetime.fromisoformat(paid_at).replace(tzinfo=UTC)
        paid_ms, id_ms = round(paid.timestamp() * 1000), value.int >> 80
        assert paid_ms < id_ms < paid_ms + 31 * 86_400_000  # recorded by the centre
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", paid_at)
        assert first_issue <= paid < now
        assert amount > 0
        counter = method in {"cash", "bank_card"}
        assert (staff_id is not None) == counter
        assert (receipt is not None) == counter
    receipts = [r[5] for r in rows if r[5] is not None]
    assert len(set(receipts)) == len(receipts)
    for receipt in receipts:
        assert re.fullmatch(r"SH-PD-001-PC0[2-6]-\d{8}", receipt), receipt


def test_payments_read_through_the_orm(store_2000: tuple[Path, DemoSummary]) -> None:
    store = open_store(sqlite_url(store_2000[0]), migrate=False)
    try:
        with store.read() as session:
            payments = session.scalars(select(Payment).order_by(Payment.id).limit(50)).all()
            assert len(payments) == 50
            for payment in payments:
                assert isinstance(payment.id, uuid.UUID)
                assert payment.paid_at.tzinfo is not None
                assert payment.paid_at < datetime.now(UTC)
                assert payment.kind == "payment" and payment.penalty_fen == 0
    finally:
        store.close()


# -- staff, hall, service password -------------------------------------------------------


def test_account_ledger_matches_a_fresh_computation(
    store_2000: tuple[Path, DemoSummary],
) -> None:
    store = open_store(sqlite_url(store_2000[0]), migrate=False)
    try:
        with store.read() as session:
            assert ledger_drift(session) == []
            owing = session.scalar(select(func.count()).where(AccountLedger.owed_fen > 0))
    finally:
        store.close()
    assert owing == store_2000[1].accounts_in_arrears


def test_counter_payments_name_their_counter(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT p.method, p.device_code, p.counter_id, c.code, p.receipt_no FROM payment p "
        "LEFT JOIN counter c ON c.id = p.counter_id"
    ).fetchall()
    for method, device, counter_id, counter_code, receipt in rows:
        if method in {"cash", "bank_card"}:
            assert counter_code == f"C{device[2:]}" and receipt.split("-")[3] == device
            assert device != "PC01"
        else:
            assert (device, counter_id, receipt) == ("", None, None)


def test_hall_and_demo_staff(con: sqlite3.Connection) -> None:
    assert con.execute("SELECT id, code, name, hotline, timezone FROM hall").fetchall() == [
        (1, "SH-PD-001", "上海浦东新区世纪大道营业厅", "10000", "Asia/Shanghai")
    ]
    counters = con.execute("SELECT code, name FROM counter ORDER BY code").fetchall()
    assert counters == [(f"C0{i}", f"{i}号台席") for i in range(1, 7)]
    assert con.execute("SELECT * FROM device_info").fetchall() == [(1, "PC01", 1, 1, 1)]
    staff = {no: (role, pw) for no, role, pw in con.execute(
        "SELECT staff_no, role, password_hash FROM staff"
    )}  # fmt: skip
    assert {staff[n][0] for n in ("A001", "L001", "ADMIN")} == {"clerk", "leader", "admin"}
    assert [staff["A001"][0], staff["L001"][0], staff["ADMIN"][0]] == ["clerk", "leader", "admin"]
    for number in ("A001", "L001", "ADMIN", "A006"):
        assert verify_password("demo", staff[number][1]), number
    assert not verify_password("demo1", staff["A001"][1])
    hashes = {h for (h,) in con.execute("SELECT DISTINCT service_password_hash FROM customer")}
    assert len(hashes) == 1
    assert verify_password(DEMO_SERVICE_PASSWORD, hashes.pop())


def test_grid_units(con: sqlite3.Connection) -> None:
    grids = con.execute("SELECT id, code, name FROM grid_unit ORDER BY id").fetchall()
    assert len(grids) >= 5
    assert all(re.fullmatch(r".+第\d+网格", name) for _, _, name in grids)
    unassigned = con.execute("SELECT count(*) FROM customer WHERE grid_unit_id IS NULL")
    assert unassigned.fetchone()[0] == 0


# -- the store itself --------------------------------------------------------------------


def test_store_is_at_head_in_wal_with_every_index(
    store_2000: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    open_store(sqlite_url(fresh)).close()
    expected = _schema(fresh)
    connection = sqlite3.connect(store_2000[0])
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    finally:
        connection.close()
    assert _schema(store_2000[0]) == expected


def _schema(path: Path) -> list[tuple[str, str, str | None]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' "
            "ORDER BY type, name"
        ).fetchall()
    finally:
        connection.close()


def test_check_constraints_hold(con: sqlite3.Connection) -> None:
    """The bulk load skips evaluating CHECK constraints; quick_check verifies every row."""
    assert con.execute("PRAGMA quick_check").fetchall() == [("ok",)]


def test_refuses_a_store_with_customers(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    _make(path, 50, seed=1)
    before = _dump(path)
    with pytest.raises(StoreError, match="already contains customers"):
        _make(path, 50, seed=2)
    assert _dump(path) == before
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


def test_progress_is_reported(tmp_path: Path) -> None:
    messages: list[str] = []
    generate(tmp_path / "demo.sqlite3", 10, progress=messages.append, today=TODAY)
    assert messages[0] == "creating the store"
    assert any(m.startswith("customers 10 / 10") for m in messages)
    assert messages[-1] == "statistics"


def test_the_command_refuses_a_store_with_customers_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15: ``halldesk demo-data`` on a store with customers printed a traceback;
    docs/automation.md promises a refusal (exit 1, the reason, no traceback)."""
    from app import cli

    path = tmp_path / "demo.sqlite3"
    assert cli.main(["demo-data", "--db", str(path), "--customers", "20"]) == 0
    capsys.readouterr()
    assert cli.main(["demo-data", "--db", str(path), "--customers", "20"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(path) in err and "演示数据" in err
