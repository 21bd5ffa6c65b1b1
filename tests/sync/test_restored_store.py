"""A PC put back on an older copy of its store never issues a receipt number twice, and
recovers by itself at its next sync (real PostgreSQL; issue 13, item 2).

Before: payments 1–5, sync, copy, payments 6–10, sync, the copy put back, three more
payments got numbers 6–8 again with other amounts; the centre flagged ``receipt_no_clash``;
the original 6–8 never came back to the PC, and after the pull brought 9 and 10 every new
payment failed on ``UNIQUE constraint failed: payment.receipt_no``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.centre.service import Centre
from app.services.payments import receipt_number
from app.sync.client import HallSync
from app.sync.protocol import SyncOffline
from tests.sync.conftest import Hall
from tests.sync.restored_store import (
    copy_store,
    counter_payments,
    device_code,
    put_back,
    restored_store_scenario,
    store_receipts,
)


def _numbers(taken: list[tuple[str, int]]) -> list[int]:
    return [int(r.rsplit("-", 1)[1]) for r, _ in taken]


def test_a_restored_pc_continues_after_its_highest_receipt_and_gets_its_payments_back(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path
) -> None:
    a, b = two_pcs
    run = restored_store_scenario(a, tmp_path)
    assert _numbers(run.before_copy) == [1, 2, 3, 4, 5]
    assert _numbers(run.lost_with_the_copy) == [6, 7, 8, 9, 10]
    # Offline, straight after the restore: never 6–8 again.
    assert _numbers(run.after_restore) == [11, 12, 13]

    report = a.sync.sync()
    assert report.flagged == 0
    assert not [f for f in centre.flags("H1") if f[2] == "receipt_no_clash"]
    # Its own payments 6–10 came back with the pull: every number once, with its amount.
    assert store_receipts(a) == dict(run.all_taken())
    run.taken = counter_payments(a, 2, base_fen=40_000)
    assert _numbers(run.taken) == [14, 15]
    a.sync.sync()
    b.sync.sync()
    assert store_receipts(a) == dict(run.all_taken())
    centre_receipts = {
        p["receipt_no"]: p["amount_fen"]
        for p in centre.records("H1", "payment").values()
        if p["device_code"] == device_code(a)
    }
    assert centre_receipts == dict(run.all_taken())


class _DropsAfterMeta:
    """The line to the centre drops after the sync's first call (``meta``)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        if endpoint != "meta":
            raise SyncOffline("connection reset")
        return self.inner.call(endpoint, body, credential)


def test_a_restored_pc_that_lost_its_mark_too_takes_the_centres_highest_number(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path
) -> None:
    """Everything beside the store put back too (the whole folder restored): the sync's
    first call tells the PC the highest number the centre has from it, before anything
    else, so even a sync that stops right after it leaves the PC numbering after it."""
    a, _b = two_pcs
    counter_payments(a, 5)
    a.sync.sync()
    copy = copy_store(a, tmp_path / "older.sqlite3")
    counter_payments(a, 5, base_fen=20_000)
    a.sync.sync()
    put_back(a, copy)
    for mark in a.path.parent.glob(f"{a.path.name}.receipts*"):
        mark.unlink()
    with pytest.raises(SyncOffline):
        HallSync(a.store, _DropsAfterMeta(a.transport)).sync()
    assert _numbers(counter_payments(a, 1, base_fen=30_000)) == [11]
    a.sync.sync()
    assert not centre.flags("H1")


def test_offline_duplicates_without_any_mark_never_block_the_pc(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path
) -> None:
    """With nothing left on the PC to know better (store and mark both older), numbers
    taken offline repeat and the centre flags them for the back office; the PC's sync and
    its next payments still work, after the highest number it has ever issued."""
    a, _b = two_pcs
    counter_payments(a, 2)
    a.sync.sync()
    copy = copy_store(a, tmp_path / "older.sqlite3")
    counter_payments(a, 3, base_fen=20_000)
    a.sync.sync()
    put_back(a, copy)
    for mark in a.path.parent.glob(f"{a.path.name}.receipts*"):
        mark.unlink()
    again = counter_payments(a, 1, base_fen=30_000)
    assert _numbers(again) == [3]
    a.sync.sync()
    assert [f[2] for f in centre.flags("H1")] == ["receipt_no_clash"]
    later = counter_payments(a, 2, base_fen=40_000)
    assert _numbers(later) == [6, 7]
    a.sync.sync()
    assert receipt_number(device_code(a), 7) in store_receipts(a)
