"""A hall PC put back on an older copy of its store, as steps other sync tests (the fault
campaign) reuse: take counter payments through the real ``PaymentService``, copy the store
while it is open, put the copy back in place of the current file, and the whole scenario
of issue 13, item 2.

The copy is what an administrator would have: the store file alone (SQLite's backup API
gives a consistent one while the PC works), not what sits beside it. Putting it back
removes the current file's ``-wal`` and ``-shm`` too, as copying a file over a closed store
does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.shifts import ShiftService
from app.services.staff.auth import AuthService
from app.store.models import Account, DeviceInfo
from tests.conftest import _copy_store
from tests.sync.conftest import Hall


def open_counter(hall: Hall, staff_no: str = "A001") -> None:
    """Open ``staff_no``'s shift at the PC's counter if none is open (payments need one)."""
    actor = AuthService(hall.store).actor_for(staff_no)
    shifts = ShiftService(hall.store)
    if shifts.desk(actor).mine is None:
        shifts.open(actor, {"note_100": 1})


def counter_payments(
    hall: Hall, count: int, *, base_fen: int = 10_000, staff_no: str = "A001"
) -> list[tuple[str, int]]:
    """``count`` card payments as the counter takes them (``PaymentService.record``), one
    per account in turn: their (receipt number, amount), amounts ``base_fen`` + 1, + 2 …
    (by card, where fen are taken as they are: cash is taken in whole jiao)."""
    open_counter(hall, staff_no)
    actor = AuthService(hall.store).actor_for(staff_no)
    payments = PaymentService(hall.store)
    with hall.store.read() as session:
        accounts = list(session.scalars(select(Account.id).order_by(Account.id)))
    taken: list[tuple[str, int]] = []
    for i in range(count):
        account = accounts[i % len(accounts)]
        quote = payments.quote(account)
        amount = quote.penalty_fen + base_fen + i + 1
        plan = payments.prepare(
            actor, PaymentRequest(account, amount, PaymentMethod.BANK_CARD, f"POS-{base_fen}-{i}")
        )
        recorded = payments.record(actor, plan)
        assert recorded.receipt_no is not None
        taken.append((recorded.receipt_no, amount))
    return taken


def copy_store(hall: Hall, target: Path) -> Path:
    """A consistent copy of the PC's store file, taken while it is open."""
    return _copy_store(hall.path, target)


def put_back(hall: Hall, copy: Path) -> None:
    """Replace the PC's store file by ``copy`` (the PC closed, then started again)."""
    hall.store.close()
    for suffix in ("-wal", "-shm"):
        hall.path.with_name(hall.path.name + suffix).unlink(missing_ok=True)
    hall.path.write_bytes(copy.read_bytes())
    hall.reopen()


def device_code(hall: Hall) -> str:
    with hall.store.read() as session:
        return session.scalars(select(DeviceInfo.device_code)).one()


def store_receipts(hall: Hall) -> dict[str, int]:
    """The PC's own receipts in its store: receipt number → amount."""
    con = sqlite3.connect(f"file:{hall.path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT receipt_no, amount_fen FROM payment WHERE device_code = ? "
            "AND receipt_no IS NOT NULL",
            (device_code(hall),),
        ).fetchall()
    finally:
        con.close()
    return {str(r): int(a) for r, a in rows}


@dataclass
class RestoredStore:
    """What the scenario took: receipt number and amount of each payment, in order."""

    before_copy: list[tuple[str, int]]
    lost_with_the_copy: list[tuple[str, int]]
    after_restore: list[tuple[str, int]]
    taken: list[tuple[str, int]] = field(default_factory=list)

    def all_taken(self) -> list[tuple[str, int]]:
        return self.before_copy + self.lost_with_the_copy + self.after_restore + self.taken


def restored_store_scenario(hall: Hall, workdir: Path) -> RestoredStore:
    """Payments 1–5, sync, copy the store, payments 6–10, sync, put the copy back, three
    more payments (offline: no sync between the restore and them)."""
    first = counter_payments(hall, 5, base_fen=10_000)
    hall.sync.sync()
    copy = copy_store(hall, workdir / f"{hall.path.stem}.older-copy.sqlite3")
    lost = counter_payments(hall, 5, base_fen=20_000)
    hall.sync.sync()
    put_back(hall, copy)
    after = counter_payments(hall, 3, base_fen=30_000)
    return RestoredStore(first, lost, after)
