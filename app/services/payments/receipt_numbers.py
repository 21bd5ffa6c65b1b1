"""Receipt numbers (收据号): per device, gap-free, and never issued twice.

The number is taken from ``receipt_sequence`` in the payment's own transaction, so a
payment that fails rolls its number back. Whatever copy of the store the device runs on,
the next number is one more than the highest of the store's sequence, the store's highest
receipt of the device and the mark kept beside the store file, which the payment raises
just before it commits; each sync raises the sequence to the centre's highest number from
the device too. All of it is the receipt series (``RECEIPTS``) of ``app.store.number_marks``,
which complaint numbers share; these are its receipt-named entry points.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.store import number_marks
from app.store.number_marks import RECEIPTS, IssuedNumber, NumberMarks

__all__ = [
    "IssuedNumber",
    "highest_receipt",
    "next_receipt_no",
    "raise_receipt_floor",
    "receipt_number",
    "take_write_lock",
]


def receipt_number(device_code: str, n: int) -> str:
    """The ``n``-th receipt of a device: ``PC01-00000042``."""
    return RECEIPTS.format(device_code, n)


def take_write_lock(session: Session, device_code: str) -> None:
    """Start the transaction with a write (the device's receipt sequence row): SQLite then
    holds its write lock until commit, so what this transaction reads next cannot change
    under it."""
    number_marks.take_write_lock(session, RECEIPTS, device_code)


def highest_receipt(session: Session, device_code: str) -> int:
    """The highest receipt number of ``device_code`` among the store's payments (0 if
    none): rows a pull brought back count too."""
    return number_marks.highest_issued(session, RECEIPTS, device_code)


def raise_receipt_floor(session: Session, device_code: str, number: int) -> None:
    """The device's receipt sequence continues after ``number`` (it never goes down)."""
    number_marks.raise_floor(session, RECEIPTS, device_code, number)


def next_receipt_no(session: Session, device_code: str, marks: NumberMarks) -> IssuedNumber:
    """The device's next receipt number (see ``number_marks.next_number``)."""
    return number_marks.next_number(session, RECEIPTS, device_code, marks)
