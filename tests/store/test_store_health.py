"""A damaged, empty or full store is found before money is written into it, and explained
in the user's language (issue 13, item 9).

Before: start-up read only ``sqlite_master``, so a store failing ``PRAGMA quick_check``
opened and took 30 payments of 30; an empty (0-byte) file became a new empty store; a full
disk said "database is damaged: disk I/O error" or showed SQLAlchemy's text and web link.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from app import cli
from app.domain.errors import StoreError
from app.i18n import set_language
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.staff.auth import AuthService
from app.store import health
from app.store.database import open_store, sqlite_url
from app.store.health import DiskFull, StoreDamaged, StoreHealth, StoreStillChecking, Verdict
from tests.conftest import open_test_shift

ROOT = Path(__file__).resolve().parents[2]


def flip_page(path: Path, index: str = "ix_customer_name_pinyin") -> int:
    """Invert every byte of the last page of ``index`` (a page a payment never reads):
    the file still opens, ``PRAGMA quick_check`` fails. Returns the page number."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = int(con.execute("PRAGMA page_size").fetchone()[0])
        root = int(
            con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
        )
        pages = [
            int(r[0])
            for r in con.execute(
                "SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno", (index,)
            )
        ] or [root]
    finally:
        con.close()
    page = pages[-1]
    with path.open("r+b") as fh:
        fh.seek((page - 1) * size)
        data = fh.read(size)
        fh.seek((page - 1) * size)
        fh.write(bytes(b ^ 0xFF for b in data))
    return page


def _count(path: Path, sql: str) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def _settled_account(path: Path) -> int:
    return _count(
        path, "SELECT account_id FROM account_ledger WHERE owed_fen <= 0 ORDER BY 1 LIMIT 1"
    )


def test_a_store_failing_its_page_check_opens_but_takes_no_payment(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    open_test_shift(store)
    store.close()
    flip_page(demo_db_copy)
    payments_before = _count(demo_db_copy, "SELECT count(*) FROM payment")

    store = open_store(sqlite_url(demo_db_copy))  # the cheap start-up check passes
    try:
        clerk = AuthService(store).actor_for("A001")
        svc = PaymentService(store)
        request = PaymentRequest(_settled_account(demo_db_copy), 1_000, PaymentMethod.CASH)
        plan = svc.prepare(clerk, request)
        set_language("zh_CN")
        for _attempt in range(3):
            with pytest.raises(StoreDamaged) as refused:
                svc.record(clerk, plan)
        assert str(demo_db_copy) in refused.value.user_message()
        assert "损坏" in refused.value.user_message()
        assert store.health.verdict is Verdict.DAMAGED
    finally:
        store.close()
    assert _count(demo_db_copy, "SELECT count(*) FROM payment") == payments_before


def test_a_sound_store_passes_its_check_once(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    try:
        store.health.start()
        store.health.require_sound()
        assert store.health.verdict is Verdict.SOUND
    finally:
        store.close()


def test_payments_wait_for_the_check_and_are_refused_while_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check runs in the background; a money write waits for it, and one that waits
    too long is refused with nothing written (the dialog keeps the entries)."""
    release = threading.Event()
    real = StoreHealth._check

    def slow_check(self: StoreHealth) -> None:
        release.wait(10)
        real(self)

    monkeypatch.setattr(StoreHealth, "_check", slow_check)
    path = tmp_path / "s.sqlite3"
    open_store(sqlite_url(path)).close()
    health_ = StoreHealth(path)
    health_.start()
    assert health_.verdict is Verdict.CHECKING
    with pytest.raises(StoreStillChecking):
        health_.require_sound(wait_seconds=0.1)
    waiting = threading.Thread(target=health_.require_sound)
    waiting.start()
    release.set()
    waiting.join(10)
    assert not waiting.is_alive() and health_.verdict is Verdict.SOUND


def test_a_damaged_page_met_by_a_statement_stops_payments(demo_db_copy: Path) -> None:
    """Between checks, a statement that reads a damaged page turns the verdict too."""
    store = open_store(sqlite_url(demo_db_copy))
    try:
        store.health.require_sound()
        store.close()
        flip_page(demo_db_copy, "ix_customer_name")
        store = open_store(sqlite_url(demo_db_copy))
        with pytest.raises(StoreDamaged), store.read() as session:
            session.connection().exec_driver_sql(
                "SELECT name FROM customer INDEXED BY ix_customer_name ORDER BY name"
            ).fetchall()
        assert store.health.verdict is Verdict.DAMAGED
    finally:
        store.close()


# -- the empty file ---------------------------------------------------------------------------


def test_an_empty_file_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    empty = tmp_path / "halldesk.sqlite3"
    empty.write_bytes(b"")
    set_language("zh_CN")
    with pytest.raises(StoreError) as refused:
        open_store(sqlite_url(empty))
    assert "0" in refused.value.user_message() and str(empty) in refused.value.user_message()
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.glob("halldesk*")) == ["halldesk.sqlite3"]


def test_db_upgrade_refuses_an_empty_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "halldesk.sqlite3"
    empty.write_bytes(b"")
    assert cli.main(["db", "upgrade", "--db", str(empty)]) == 1
    assert str(empty) in capsys.readouterr().err
    assert empty.stat().st_size == 0


# -- a full disk ----------------------------------------------------------------------------------


def test_a_full_store_says_the_disk_is_full_in_the_users_language(demo_db_copy: Path) -> None:
    """SQLite's own limit on the file's size gives the same SQLITE_FULL a full disk does."""
    store = open_store(sqlite_url(demo_db_copy))
    open_test_shift(store)
    clerk = AuthService(store).actor_for("A001")
    svc = PaymentService(store)
    plan = svc.prepare(
        clerk, PaymentRequest(_settled_account(demo_db_copy), 1_000, PaymentMethod.CASH)
    )

    def no_room(conn: sqlite3.Connection, _record: object) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")

    from sqlalchemy import event

    store.engine.dispose()
    event.listen(store.engine, "connect", no_room)
    set_language("zh_CN")
    try:
        with pytest.raises(DiskFull) as refused:
            for i in range(200):  # until a page is needed
                svc.record(
                    clerk,
                    svc.prepare(
                        clerk, replace(plan.request, amount_fen=1_000 + 10 * i, tendered_fen=None)
                    ),
                )
    finally:
        store.close()
    text = refused.value.user_message()
    assert "磁盘已满" in text and str(demo_db_copy) in text
    assert "sqlalche" not in text and "disk I/O" not in text


def _unshare_works() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )
    return done.returncode == 0


_FULL_DISK = textwrap.dedent(
    """
    import os, shutil, sqlite3, sys
    from pathlib import Path
    mnt, source = Path(sys.argv[1]), sys.argv[2]
    os.environ["HALLDESK_DATA_DIR"] = str(mnt / "data")
    from app.i18n import set_language
    from app.domain.errors import HallDeskError
    from app.services.staff.auth import AuthService
    from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
    from app.services.shifts import ShiftService
    from app.store.database import open_store, sqlite_url
    set_language("zh_CN")
    store_path = mnt / "halldesk.sqlite3"

    def fill():
        with open(mnt / "filler", "wb") as fh:  # the rest of the disk
            try:
                fh.write(b"\\0" * shutil.disk_usage(mnt).free)
            except OSError:
                pass

    def attempt(label, action):
        try:
            action()
            print(label, "DONE")
        except HallDeskError as exc:
            print(label, "REFUSED", type(exc).__name__, exc.user_message())

    # The disk fills up while the PC is off; then HallDesk starts.
    shutil.copy(source, store_path)
    fill()
    attempt("open", lambda: open_store(sqlite_url(store_path)).close())

    # The disk fills up while the counter works; the next payment.
    (mnt / "filler").unlink()
    for side in mnt.glob("halldesk.sqlite3*"):
        side.unlink()
    shutil.copy(source, store_path)
    store = open_store(sqlite_url(store_path))
    clerk = AuthService(store).actor_for("A001")
    ShiftService(store).open(clerk, {"note_100": 1})
    svc = PaymentService(store)
    plan = svc.prepare(clerk, PaymentRequest(int(sys.argv[3]), 1000, PaymentMethod.CASH))
    store.health.require_sound()
    fill()
    attempt("pay", lambda: svc.record(clerk, plan))
    """
)


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -Urm and tmpfs (Linux)")
def test_a_really_full_disk_says_so_when_paying_and_when_opening(
    demo_db: Path, tmp_path: Path
) -> None:
    """A real full disk: a 6 MB tmpfs in a private mount namespace (no root needed),
    filled to the last byte before HallDesk starts (it said "database is damaged: disk
    I/O error"), and while the counter works (it showed SQLAlchemy's text)."""
    script = tmp_path / "full_disk.py"
    script.write_text(_FULL_DISK, encoding="utf-8")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    account = _settled_account(demo_db)
    command = (
        f"mount -t tmpfs -o size=6m tmpfs {mnt} && "
        f"{sys.executable} {script} {mnt} {demo_db} {account}"
    )
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    lines = done.stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["open", "REFUSED", "DiskFull"],
        ["pay", "REFUSED", "DiskFull"],
    ], done.stdout + done.stderr
    for line in lines:
        assert "磁盘已满" in line and "disk I/O" not in line and "sqlalche" not in line


def test_an_io_error_with_room_left_is_not_called_a_full_disk(tmp_path: Path) -> None:
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode = 10 | (3 << 8)  # type: ignore[attr-defined]  # SQLITE_IOERR_WRITE
    typed = health.typed_error(error, tmp_path / "s.sqlite3")
    assert isinstance(typed, health.StoreIOFailure)
