"""A hall PC put back on an older copy of its store, as steps other sync tests (the fault
campaign) reuse: take counter payments through the real ``PaymentService`` and complaints
through the real ``ComplaintService``, copy the store while it is open, put the copy back
in place of the current file, and the whole scenario of issue 13, item 2 (receipt numbers)
and its follow-up (complaint numbers).

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

from app.services.complaints import ComplaintRequest, ComplaintService
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.shifts import ShiftService
from app.services.staff.auth import AuthService
from app.store.database import Store
from app.store.models import Account, DeviceInfo
from app.store.models.complaints import Complaint
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


def counter_complaints(
    store: Store, count: int, *, label: str = "", staff_no: str = "A001"
) -> list[tuple[str, str]]:
    """``count`` walk-in complaints taken at a PC's counter (``ComplaintService.intake``):
    their (complaint number, description); ``label`` makes the descriptions of one batch
    differ from another's."""
    actor = AuthService(store).actor_for(staff_no)
    complaints = ComplaintService(store)
    taken: list[tuple[str, str]] = []
    for i in range(count):
        description = f"家里客厅手机没有信号 {label}{i + 1}"
        recorded = complaints.intake(
            actor,
            ComplaintRequest(
                channel="counter",
                category="network",
                subcategory="network_no_signal",
                description=description,
                contact_phone="138 0013 8000",
                contact_name="王小明",
            ),
        )
        taken.append((recorded.number, description))
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


def put_back_folder(hall: Hall, copy: Path) -> None:
    """The whole data folder put back from an older copy: the store and its number mark
    (the mark files beside the store are older too; here they are simply gone)."""
    put_back(hall, copy)
    for mark in hall.path.parent.glob(f"{hall.path.name}.receipts*"):
        mark.unlink()


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


def store_complaints(hall: Hall, of: Hall | None = None) -> dict[str, str]:
    """The complaints of ``of`` (default: the PC itself) in the PC's store: complaint
    number → description."""
    code = device_code(of or hall)
    with hall.store.read() as session:
        rows = session.execute(
            select(Complaint.number, Complaint.description).where(Complaint.device_code == code)
        ).all()
    return {str(n): str(d) for n, d in rows}


@dataclass
class RestoredStore:
    """What the scenario took, in order: receipt number and amount of each payment, and
    number and description of each complaint."""

    before_copy: list[tuple[str, int]]
    lost_with_the_copy: list[tuple[str, int]]
    after_restore: list[tuple[str, int]]
    taken: list[tuple[str, int]] = field(default_factory=list)
    complaints_before_copy: list[tuple[str, str]] = field(default_factory=list)
    complaints_lost_with_the_copy: list[tuple[str, str]] = field(default_factory=list)
    complaints_after_restore: list[tuple[str, str]] = field(default_factory=list)

    def all_taken(self) -> list[tuple[str, int]]:
        return self.before_copy + self.lost_with_the_copy + self.after_restore + self.taken

    def all_complaints(self) -> list[tuple[str, str]]:
        return (
            self.complaints_before_copy
            + self.complaints_lost_with_the_copy
            + self.complaints_after_restore
        )


def restored_store_scenario(hall: Hall, workdir: Path) -> RestoredStore:
    """Payments 1–5 and complaints 1–2, sync, copy the store, payments 6–10 and complaints
    3–4, sync, put the copy back, three more payments and two more complaints (offline: no
    sync between the restore and them)."""
    first = counter_payments(hall, 5, base_fen=10_000)
    first_complaints = counter_complaints(hall.store, 2, label="a")
    hall.sync.sync()
    copy = copy_store(hall, workdir / f"{hall.path.stem}.older-copy.sqlite3")
    lost = counter_payments(hall, 5, base_fen=20_000)
    lost_complaints = counter_complaints(hall.store, 2, label="b")
    hall.sync.sync()
    put_back(hall, copy)
    after = counter_payments(hall, 3, base_fen=30_000)
    after_complaints = counter_complaints(hall.store, 2, label="c")
    return RestoredStore(
        first, lost, after, [], first_complaints, lost_complaints, after_complaints
    )
