"""The receipt series of the number marks, under the names it had before complaint numbers
shared the mechanism: everything lives in ``app.store.number_marks`` (the mark beside the
store, the highs, the next number); this module only keeps these names working."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from app.store.number_marks import RECEIPTS, SUFFIX, NumberMarks, mark_path, write_private

__all__ = [
    "HIGHEST_RECEIPT_SQL",
    "SUFFIX",
    "ReceiptMark",
    "highest_receipt_params",
    "mark_path",
    "number_of",
    "write_private",
]

HIGHEST_RECEIPT_SQL: Final = RECEIPTS.highest_sql


def highest_receipt_params(device_code: str) -> dict[str, str]:
    """Receipt numbers of ``device_code``: its code, a hyphen, eight digits."""
    return RECEIPTS.highest_params(device_code)


def number_of(receipt_no: str) -> int:
    """``PC01-00000042`` → 42."""
    return RECEIPTS.number_of(receipt_no)


class ReceiptMark:
    """The receipt series of the mark beside one store file (see ``NumberMarks``)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._marks = NumberMarks(path)

    def read_all(self) -> dict[str, int]:
        return self._marks.read_all().get(RECEIPTS.name, {})

    def read(self, device_code: str) -> int:
        return self._marks.read(RECEIPTS, device_code)

    def raise_to(self, device_code: str, number: int) -> None:
        self._marks.raise_to(RECEIPTS, device_code, number)

    def put_back(self, device_code: str, number: int, previous: int) -> None:
        self._marks.put_back(RECEIPTS, device_code, number, previous)
