"""A PC put back on an older copy of its store never issues a receipt number or a complaint
number twice, and recovers by itself at its next sync (real PostgreSQL; issue 13, item 2
and its follow-up for complaint numbers).

Before: payments 1–5, sync, copy, payments 6–10, sync, the copy put back, three more
payments got numbers 6–8 again with other amounts; the centre flagged ``receipt_no_clash``;
the original 6–8 never came back to the PC, and after the pull brought 9 and 10 every new
payment failed on ``UNIQUE constraint failed: payment.receipt_no``. Complaint numbers
(``D00001-TS000003``), printed on the acknowledgement slip the customer keeps, had the same
fault after the receipt fix: the restored PC issued 3 and 4 again, and the centre's copies
of the earlier 3 and 4 then could not come back (their number was taken), which stopped
the pull on their events.

Seed (the operator's duty the number identifies a complaint for): "电信业务经营者应当认真
受理用户的投诉,并在接到用户投诉之日起15日内答复用户。"
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.centre.service import Centre
from app.services.payments import receipt_number
from app.store.models import Payment
from app.store.models.complaints import Complaint
from app.sync.client import HallSync
from app.sync.protocol import SyncOffline
from tests.sync.conftest import Hall
from tests.sync.restored_store import (
    copy_store,
    counter_complaints,
    counter_payments,
    device_code,
    put_back_folder,
    restored_store_scenario,
    store_complaints,
    store_receipts,
)


def _numbers(taken: list[tuple[str, int]] | list[tuple[str, str]]) -> list[int]:
    """Receipt numbers (``D00001-00000042``) or complaint numbers (``D00001-TS000042``)."""
    return [int(r.rsplit("-", 1)[1].removeprefix("TS")) for r, _ in taken]


def _centre_complaints(centre: Centre, hall: Hall) -> dict[str, str]:
    return {
        c["number"]: c["description"]
        for c in centre.records("H1", "complaint").values()
        if c["device_code"] == device_code(hall)
    }


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


def test_a_restored_pc_numbers_complaints_after_its_highest_and_gets_them_back(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path
) -> None:
    """The complaints of the same scenario: the two taken offline after the restore get
    numbers never issued (5 and 6, not 3 and 4 again), and the centre's copies of 3 and 4
    come back with the next pull, on both PCs."""
    a, b = two_pcs
    run = restored_store_scenario(a, tmp_path)
    assert _numbers(run.complaints_before_copy) == [1, 2]
    assert _numbers(run.complaints_lost_with_the_copy) == [3, 4]
    assert _numbers(run.complaints_after_restore) == [5, 6]

    report = a.sync.sync()
    assert report.flagged == 0 and report.rejected == 0
    assert store_complaints(a) == dict(run.all_complaints())
    assert _numbers(counter_complaints(a.store, 1, label="d")) == [7]
    a.sync.sync()
    b.sync.sync()
    assert _centre_complaints(centre, a) == store_complaints(a) == store_complaints(b, of=a)
    assert len(store_complaints(a)) == 7


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
    put_back_folder(a, copy)
    with pytest.raises(SyncOffline):
        HallSync(a.store, _DropsAfterMeta(a.transport)).sync()
    assert _numbers(counter_payments(a, 1, base_fen=30_000)) == [11]
    a.sync.sync()
    assert not centre.flags("H1")


def test_a_restored_pc_that_lost_its_mark_too_numbers_complaints_after_the_centres_highest(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path
) -> None:
    """The whole folder put back (store and mark): the sync's first call (``meta``) gives
    the highest complaint number the centre holds from the device, so the next complaint,
    even after a sync that stopped right there, takes a number never issued, and the
    earlier complaints come back with the next whole sync without blocking it."""
    a, _b = two_pcs
    first = counter_complaints(a.store, 2, label="a")
    a.sync.sync()
    copy = copy_store(a, tmp_path / "older.sqlite3")
    lost = counter_complaints(a.store, 2, label="b")
    a.sync.sync()
    put_back_folder(a, copy)
    with pytest.raises(SyncOffline):
        HallSync(a.store, _DropsAfterMeta(a.transport)).sync()
    after = counter_complaints(a.store, 1, label="c")
    assert _numbers(after) == [5]
    report = a.sync.sync()
    assert report.rejected == 0 and not centre.flags("H1")
    assert store_complaints(a) == dict(first + lost + after) == _centre_complaints(centre, a)


def test_offline_duplicates_without_any_mark_never_block_the_pc(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path
) -> None:
    """With nothing left on the PC to know better (store and mark both older), numbers
    taken offline repeat and the centre flags them for the back office; the PC's sync and
    its next payments still work, after the highest number it has ever issued. Both
    payments of the repeated number are money the hall took and stay everywhere: before,
    the centre dropped the second from its money (the day's sums never matched again),
    the restored PC never got the first back (its customer's account showed the paid
    amount as owed) and the other PC never got the second."""
    a, b = two_pcs
    counter_payments(a, 2)
    a.sync.sync()
    copy = copy_store(a, tmp_path / "older.sqlite3")
    counter_payments(a, 3, base_fen=20_000)
    a.sync.sync()
    put_back_folder(a, copy)
    again = counter_payments(a, 1, base_fen=30_000)
    assert _numbers(again) == [3]
    report = a.sync.sync()
    assert report.mismatches_after_resend == [] and report.rejected == 0
    assert [f[2] for f in centre.flags("H1")] == ["receipt_no_clash"]
    later = counter_payments(a, 2, base_fen=40_000)
    assert _numbers(later) == [6, 7]
    a.sync.sync()
    assert receipt_number(device_code(a), 7) in store_receipts(a)
    b.sync.sync()
    with_three = sorted((receipt_number(device_code(a), 3), amount) for amount in (20_001, 30_001))
    for pc in (a, b):
        assert [r for r in _all_payments(pc, a) if r[0].endswith("-00000003")] == with_three
        assert len(_all_payments(pc, a)) == 8
    centre_three = sorted(
        (str(p["receipt_no"]), int(p["amount_fen"]))
        for p in centre.records("H1", "payment").values()
        if p.get("receipt_no") == receipt_number(device_code(a), 3)
    )
    assert centre_three == with_three


def _all_payments(hall: Hall, of: Hall) -> list[tuple[str, int]]:
    """Every receipted payment of ``of`` in ``hall``'s store, repeats kept."""
    with hall.store.read() as session:
        rows = session.execute(
            select(Payment.receipt_no, Payment.amount_fen).where(
                Payment.device_code == device_code(of), Payment.receipt_no.is_not(None)
            )
        ).all()
    return sorted((str(n), int(a)) for n, a in rows)


def _all_complaints(hall: Hall, of: Hall) -> list[tuple[str, str]]:
    """Every complaint of ``of`` in ``hall``'s store (number, description), repeats kept."""
    with hall.store.read() as session:
        rows = session.execute(
            select(Complaint.number, Complaint.description).where(
                Complaint.device_code == device_code(of)
            )
        ).all()
    return sorted((str(n), str(d)) for n, d in rows)


def test_offline_duplicate_complaint_numbers_without_any_mark_never_block_the_pc(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path
) -> None:
    """The whole folder put back and a complaint taken before any sync: the PC cannot know
    it issued number 3 already, so two customers hold slips numbered 3. Both complaints are
    kept everywhere (each is owed its answer: "电信业务经营者应当认真受理用户的投诉,并在接到
    用户投诉之日起15日内答复用户。"), the centre flags the repeat for the back office, and
    the PC's sync goes on. Before: the centre's earlier complaint 3 could not be stored on
    the PC (its number was unique), its events then failed their foreign key and every
    later pull of the PC stopped there."""
    a, b = two_pcs
    first = counter_complaints(a.store, 2, label="a")
    a.sync.sync()
    copy = copy_store(a, tmp_path / "older.sqlite3")
    lost = counter_complaints(a.store, 2, label="b")
    a.sync.sync()
    put_back_folder(a, copy)
    again = counter_complaints(a.store, 1, label="c")
    assert _numbers(again) == [3]
    report = a.sync.sync()
    assert report.rejected == 0 and report.flagged == 1
    assert [(f[0], f[2]) for f in centre.flags("H1")] == [("complaint", "complaint_no_clash")]
    taken = sorted(first + lost + again)
    assert _all_complaints(a, a) == taken
    later = counter_complaints(a.store, 1, label="d")
    assert _numbers(later) == [5]
    a.sync.sync()
    b.sync.sync()
    taken = sorted(taken + later)
    assert _all_complaints(a, a) == _all_complaints(b, a) == taken
