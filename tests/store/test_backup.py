"""Backups while the store is in use, their rotation, and ``halldesk db restore`` (issue 13,
item 10): the backup is checked, the replaced file kept aside, and a restored store never
issues a receipt number again (with item 2)."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app import cli
from app.domain.errors import StoreError
from app.i18n import set_language
from app.services.complaints import ComplaintRequest, ComplaintService
from app.services.hall.backups import BackupService
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.staff.auth import AuthService
from app.store import backup
from app.store.database import Store, head_revision, open_store, sqlite_url
from app.store.health import StoreDamaged, Verdict
from app.store.instance import InstanceLock
from app.store.receipt_mark import mark_path
from tests.conftest import open_test_shift
from tests.store.test_store_health import flip_page


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _pay(store: Store, path: Path, count: int) -> list[str]:
    clerk = AuthService(store).actor_for("A001")
    svc = PaymentService(store)
    account = int(
        str(_rows(path, "SELECT account_id FROM account_ledger WHERE owed_fen <= 0 LIMIT 1")[0][0])
    )
    numbers = []
    for i in range(count):
        request = PaymentRequest(account, 1_000 + 10 * i, PaymentMethod.CASH)
        recorded = svc.record(clerk, svc.prepare(clerk, request))
        assert recorded.receipt_no is not None
        numbers.append(recorded.receipt_no)
    return numbers


def test_a_backup_is_a_checked_copy_readable_by_the_user_only(
    demo_db_copy: Path, tmp_path: Path
) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    open_test_shift(store)
    _pay(store, demo_db_copy, 2)  # in the WAL, not yet in the main file
    folder = tmp_path / "backups"
    try:
        result = BackupService(store).take("shift-close", folder)
    finally:
        store.close()
    made = result.backup.path
    assert made.parent == folder and made.name.endswith("-shift-close.sqlite3")
    assert made.name.startswith("demo-")
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert _rows(made, "PRAGMA quick_check") == [("ok",)]
    query = "SELECT receipt_no, amount_fen FROM payment ORDER BY id"
    assert _rows(made, query) == _rows(demo_db_copy, query)
    assert sorted(p.name for p in folder.iterdir()) == [made.name]  # self-contained


def test_rotation_keeps_the_newest_of_this_store_only(demo_db_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    other = folder / "other-20200101-000000-daily.sqlite3"
    other.write_bytes(b"another store's backup")
    notes = folder / "notes.txt"
    notes.write_text("not a backup", encoding="utf-8")
    start = datetime(2026, 12, 1, 18, 0)
    for day in range(16):
        backup.take_backup(demo_db_copy, folder, "daily", keep=14, now=start + timedelta(days=day))
    kept = backup.backups_of(demo_db_copy, folder)
    assert len(kept) == 14
    assert kept[0].taken_at == start + timedelta(days=15)
    assert kept[-1].taken_at == start + timedelta(days=2)
    assert other.exists() and notes.exists()
    # Two in the same second both stay.
    again = backup.take_backup(demo_db_copy, folder, "daily", keep=14, now=kept[0].taken_at)
    assert again.backup.path.name.endswith("-2-daily.sqlite3")
    assert backup.backups_of(demo_db_copy, folder)[0].path == again.backup.path
    assert not backup.backup_due_today(demo_db_copy, folder, start + timedelta(days=15))
    assert backup.backup_due_today(demo_db_copy, folder, start + timedelta(days=16))


def test_a_backup_of_a_damaged_store_fails_and_stops_payments(
    demo_db_copy: Path, tmp_path: Path
) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    open_test_shift(store)
    store.close()
    flip_page(demo_db_copy)
    store = open_store(sqlite_url(demo_db_copy))
    folder = tmp_path / "backups"
    try:
        with pytest.raises(StoreDamaged):
            BackupService(store).take("daily", folder)
        assert store.health.verdict is Verdict.DAMAGED
        with pytest.raises(StoreDamaged):
            _pay(store, demo_db_copy, 1)
    finally:
        store.close()
    assert list(folder.iterdir()) == []  # no half or unchecked backup left


def test_restore_keeps_the_damaged_file_and_never_reuses_a_receipt_number(
    demo_db_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    open_test_shift(store)
    assert _pay(store, demo_db_copy, 3)[-1] == "PC01-00000003"
    taken = BackupService(store).take("shift-close", tmp_path / "backups").backup.path
    assert _pay(store, demo_db_copy, 2)[-1] == "PC01-00000005"  # after the backup
    store.close()
    flip_page(demo_db_copy)
    damaged = demo_db_copy.read_bytes()
    mark_path(demo_db_copy).unlink()  # even without the mark: the damaged file still tells

    set_language("en")
    assert cli.main(["db", "restore", "--db", str(demo_db_copy), "--from", str(taken)]) == 0
    out = capsys.readouterr().out
    aside = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]
    assert [p.read_bytes() for p in aside if not p.name.endswith(("-wal", "-shm"))] == [damaged]
    assert str(aside[0]) in out and "PC01" in out and "after 5" in out
    assert _rows(demo_db_copy, "PRAGMA quick_check") == [("ok",)]
    assert stat.S_IMODE(os.stat(demo_db_copy).st_mode) == 0o600

    store = open_store(sqlite_url(demo_db_copy))
    try:
        assert _pay(store, demo_db_copy, 1) == ["PC01-00000006"]
    finally:
        store.close()
    receipts = [
        str(r[0])
        for r in _rows(demo_db_copy, "SELECT receipt_no FROM payment WHERE device_code = 'PC01'")
    ]
    assert sorted(receipts) == ["PC01-00000001", "PC01-00000002", "PC01-00000003", "PC01-00000006"]


def _complaints(store: Store, count: int) -> list[str]:
    clerk = AuthService(store).actor_for("A001")
    svc = ComplaintService(store)
    return [
        svc.intake(
            clerk,
            ComplaintRequest(
                channel="counter",
                category="network",
                subcategory="network_no_signal",
                description=f"家里客厅手机没有信号 {i}",
                contact_phone="138 0013 8000",
                contact_name="王小明",
            ),
        ).number
        for i in range(count)
    ]


def test_restore_never_reuses_a_complaint_number(
    demo_db_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A complaint number is on the acknowledgement slip the customer keeps: after putting
    back a backup older than the last complaints, the next complaint gets a new number,
    not one already issued (the replaced file tells, even without the mark)."""
    store = open_store(sqlite_url(demo_db_copy))
    first = _complaints(store, 1)[0]
    taken = BackupService(store).take("manual", tmp_path / "backups").backup.path
    issued = _complaints(store, 2)  # after the backup
    store.close()
    mark_path(demo_db_copy).unlink(missing_ok=True)
    highest = int(issued[-1].rsplit("TS", 1)[1])
    assert highest == int(first.rsplit("TS", 1)[1]) + 2

    set_language("en")
    assert cli.main(["db", "restore", "--db", str(demo_db_copy), "--from", str(taken)]) == 0
    out = capsys.readouterr().out
    store = open_store(sqlite_url(demo_db_copy))
    try:
        again = _complaints(store, 1)[0]
    finally:
        store.close()
    assert again not in issued and int(again.rsplit("TS", 1)[1]) == highest + 1
    assert f"Complaint numbers of PC01 go on after {highest}." in out


def _sqlite_file(path: Path, sql: str) -> Path:
    con = sqlite3.connect(path)
    con.executescript(sql)
    con.close()
    return path


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "no backup file"),
        ("not_sqlite", "not a HallDesk backup"),
        ("other_database", "not a HallDesk store"),
        ("damaged", "damaged"),
        ("newer", "newer version"),
        ("in_use", "running"),
    ],
)
def test_restore_refuses_and_changes_nothing(
    case: str, expected: str, demo_db_copy: Path, tmp_path: Path
) -> None:
    good = backup.take_backup(demo_db_copy, tmp_path / "backups", "manual").backup.path
    source = {
        "missing": tmp_path / "nothing.sqlite3",
        "not_sqlite": tmp_path / "photo.jpg",
        "other_database": tmp_path / "other.sqlite3",
        "damaged": good,
        "newer": good,
        "in_use": good,
    }[case]
    lock = InstanceLock(demo_db_copy)
    if case == "not_sqlite":
        source.write_bytes(b"\xff\xd8\xff\xe0 a JPEG" * 100)
    elif case == "other_database":
        _sqlite_file(source, "CREATE TABLE t (a); INSERT INTO t VALUES (1);")
    elif case == "damaged":
        flip_page(source)
    elif case == "newer":
        _sqlite_file(source, "UPDATE alembic_version SET version_num = 'ffff_future';")
    elif case == "in_use":
        assert lock.acquire()  # a workbench running on the store
    before = demo_db_copy.read_bytes()
    set_language("en")
    try:
        with pytest.raises(StoreError) as refused:
            backup.restore(demo_db_copy, source, [head_revision()])
    finally:
        lock.release()
    assert expected in refused.value.user_message()
    assert demo_db_copy.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]


def test_db_backup_from_the_command_line(
    demo_db_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "b"
    assert cli.main(["db", "backup", "--db", str(demo_db_copy), "--to", str(folder)]) == 0
    made = backup.backups_of(demo_db_copy, folder)
    assert len(made) == 1 and made[0].reason == "manual"
    assert str(made[0].path) in capsys.readouterr().out
