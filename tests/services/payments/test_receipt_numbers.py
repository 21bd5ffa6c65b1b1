"""A receipt number is never issued twice by one device, whatever copy of its store it runs
on (issue 13, item 2): the mark beside the store file, and its crash ordering.

DESIGN.md: "Receipt numbers are per device and gap-free, issued in the same transaction as
the payment." A copy of the store put back in place of the current file takes the store's
sequence back with it; the mark outside the store does not go back.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.errors import StoreError
from app.services.base import Actor
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.health import DiskFull
from app.store.number_marks import NumberMarks, NumberSeries
from app.store.receipt_mark import ReceiptMark, mark_path
from tests.conftest import _copy_store, open_test_shift

ROOT = Path(__file__).resolve().parents[3]


def _settled_account(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        row = con.execute(
            "SELECT l.account_id FROM account_ledger l WHERE l.owed_fen <= 0 "
            "ORDER BY l.account_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    return int(row[0])


def _receipts(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT receipt_no FROM payment WHERE device_code = 'PC01' ORDER BY receipt_no"
        ).fetchall()
    finally:
        con.close()
    return [str(r[0]) for r in rows]


class Counter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = open_store(sqlite_url(path))
        self.clerk: Actor = AuthService(self.store).actor_for("A001")
        self.account = _settled_account(path)

    def pay(self, amount_fen: int = 1_000) -> str:
        payments = PaymentService(self.store)
        request = PaymentRequest(self.account, amount_fen, PaymentMethod.CASH)
        recorded = payments.record(self.clerk, payments.prepare(self.clerk, request))
        assert recorded.receipt_no is not None
        return recorded.receipt_no

    def reopen(self) -> None:
        self.store.close()
        self.store = open_store(sqlite_url(self.path))


@pytest.fixture
def counter(demo_db_copy: Path) -> Iterator[Counter]:
    store = open_store(sqlite_url(demo_db_copy))
    open_test_shift(store)
    store.close()
    desk = Counter(demo_db_copy)
    yield desk
    desk.store.close()


def _put_back(counter: Counter, copy: Path) -> None:
    counter.store.close()
    for suffix in ("-wal", "-shm"):
        counter.path.with_name(counter.path.name + suffix).unlink(missing_ok=True)
    counter.path.write_bytes(copy.read_bytes())
    counter.reopen()


def test_a_store_put_back_from_an_older_copy_numbers_on_after_the_highest_issued(
    counter: Counter, tmp_path: Path
) -> None:
    assert [counter.pay() for _ in range(2)] == ["PC01-00000001", "PC01-00000002"]
    copy = _copy_store(counter.path, tmp_path / "older.sqlite3")
    assert [counter.pay() for _ in range(3)][-1] == "PC01-00000005"
    _put_back(counter, copy)
    assert _receipts(counter.path) == ["PC01-00000001", "PC01-00000002"]
    assert counter.pay() == "PC01-00000006"
    assert json.loads(mark_path(counter.path).read_text()) == {"receipt": {"PC01": 6}}


def test_a_receipt_only_mark_of_an_earlier_version_is_read_and_kept(counter: Counter) -> None:
    """Marks written before complaint numbers shared the file were one map of receipt
    numbers (``{"PC01": 7}``): still read as the receipt series, and rewritten with one map
    per series at the next number."""
    assert counter.pay() == "PC01-00000001"
    mark_path(counter.path).write_text('{"PC01": 7}', encoding="utf-8")
    assert counter.pay() == "PC01-00000008"
    assert json.loads(mark_path(counter.path).read_text()) == {"receipt": {"PC01": 8}}


def test_the_mark_is_readable_by_the_user_only(counter: Counter) -> None:
    counter.pay()
    mode = stat.S_IMODE(os.stat(mark_path(counter.path)).st_mode)
    assert mode == 0o600


def test_the_mark_is_raised_before_the_payment_commits(counter: Counter) -> None:
    """The program dies after the mark was written and before the commit: the store has
    no such payment, and the number is skipped, never issued to another payment."""
    assert counter.pay() == "PC01-00000001"
    counter.store.close()
    script = textwrap.dedent(
        f"""
        import os
        from app.store import number_marks
        from app.services.staff.auth import AuthService
        from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
        from app.store.database import open_store, sqlite_url

        real = number_marks.NumberMarks.raise_to

        def raise_then_die(self, series, device_code, number):
            real(self, series, device_code, number)
            os._exit(17)

        number_marks.NumberMarks.raise_to = raise_then_die
        store = open_store(sqlite_url({str(counter.path)!r}))
        clerk = AuthService(store).actor_for("A001")
        payments = PaymentService(store)
        request = PaymentRequest({counter.account}, 2000, PaymentMethod.CASH)
        payments.record(clerk, payments.prepare(clerk, request))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert done.returncode == 17, done.stderr.decode()
    counter.reopen()
    assert _receipts(counter.path) == ["PC01-00000001"]
    assert ReceiptMark(mark_path(counter.path)).read("PC01") == 2
    assert counter.pay() == "PC01-00000003"


def test_a_commit_that_fails_puts_the_mark_back(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction fails after the mark was raised (as a failed commit would): the
    mark goes back, so the next payment takes the number, with no gap."""
    assert counter.pay() == "PC01-00000001"
    real = NumberMarks.raise_to

    def raise_then_fail(
        self: NumberMarks, series: NumberSeries, device_code: str, number: int
    ) -> None:
        real(self, series, device_code, number)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(NumberMarks, "raise_to", raise_then_fail)
    with pytest.raises(DiskFull):
        counter.pay()
    monkeypatch.undo()
    assert ReceiptMark(mark_path(counter.path)).read("PC01") == 1
    assert counter.pay() == "PC01-00000002"


def test_an_unreadable_mark_stops_receipts_with_a_clear_message(counter: Counter) -> None:
    counter.pay()
    mark_path(counter.path).write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError) as refused:
        counter.pay()
    assert str(mark_path(counter.path)) in refused.value.user_message()
    assert _receipts(counter.path) == ["PC01-00000001"]


def test_an_in_memory_store_has_no_mark() -> None:
    store: Store = open_store("sqlite://")
    try:
        assert store.receipt_mark.path is None
        store.receipt_mark.raise_to("PC01", 5)
        assert store.receipt_mark.read("PC01") == 0
    finally:
        store.close()
