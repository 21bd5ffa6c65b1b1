"""Receipt numbers (收据号): per device, gap-free, and never issued twice.

The number is taken from ``receipt_sequence`` in the payment's own transaction, so a
payment that fails rolls its number back. Whatever copy of the store the device runs on,
the next number is one more than the highest of the store's sequence, the store's highest
receipt of the device and the mark kept beside the store file, which the payment raises
just before it commits (``app.store.receipt_mark``); each sync raises the sequence to the
centre's highest number from the device too (:func:`raise_receipt_floor`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.store.receipt_mark import (
    HIGHEST_RECEIPT_SQL,
    ReceiptMark,
    highest_receipt_params,
    number_of,
)


def receipt_number(device_code: str, n: int) -> str:
    """The ``n``-th receipt of a device: ``PC01-00000042``."""
    return f"{device_code}-{n:08d}"


def take_write_lock(session: Session, device_code: str) -> None:
    """Start the transaction with a write: the device's sequence row, created at 0 if it is
    missing. SQLite then holds its write lock until commit, so what this transaction reads
    next cannot change under it."""
    session.execute(
        text("INSERT OR IGNORE INTO receipt_sequence (device_code, last_no) VALUES (:d, 0)"),
        {"d": device_code},
    )


def highest_receipt(session: Session, device_code: str) -> int:
    """The highest receipt number of ``device_code`` among the store's payments (0 if
    none): rows a pull brought back count too."""
    found = session.execute(text(HIGHEST_RECEIPT_SQL), highest_receipt_params(device_code)).scalar()
    return number_of(found) if found else 0


def raise_receipt_floor(session: Session, device_code: str, number: int) -> None:
    """The device's sequence continues after ``number`` (it never goes down)."""
    take_write_lock(session, device_code)
    session.execute(
        text("UPDATE receipt_sequence SET last_no = :n WHERE device_code = :d AND last_no < :n"),
        {"d": device_code, "n": number},
    )


@dataclass(frozen=True, slots=True)
class IssuedNumber:
    """A receipt number taken in a transaction, and the mark before it (to put back)."""

    device_code: str
    number: int
    mark_before: int

    @property
    def receipt_no(self) -> str:
        return receipt_number(self.device_code, self.number)


def next_receipt_no(session: Session, device_code: str, mark: ReceiptMark) -> IssuedNumber:
    """One more than the highest number this device may have issued: its sequence in this
    store, its highest receipt in this store, and the mark outside the store (which a store
    put back from an older copy does not take with it). The caller raises the mark before
    its transaction commits (see ``app.store.receipt_mark``)."""
    take_write_lock(session, device_code)
    last = session.execute(
        text("SELECT last_no FROM receipt_sequence WHERE device_code = :d"), {"d": device_code}
    ).scalar_one()
    marked = mark.read(device_code)
    number = max(int(last), highest_receipt(session, device_code), marked) + 1
    session.execute(
        text("UPDATE receipt_sequence SET last_no = :n WHERE device_code = :d"),
        {"d": device_code, "n": number},
    )
    return IssuedNumber(device_code, number, marked)
