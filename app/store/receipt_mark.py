"""The receipt high-water mark kept beside the store file, outside it.

A receipt number is printed and handed to a customer, so one device must never issue it
twice, whatever copy of its store it runs on. The store's own ``receipt_sequence`` cannot
promise that alone: a store put back from an older copy (or a backup) holds an older
sequence. So every number issued is also written to ``<store file>.receipts`` beside it —
a small JSON map ``{device code: highest number issued}`` — and the next number is one
more than the highest of the store's sequence, the store's own highest receipt and this
mark (see ``app.services.payments.receipt_numbers.next_receipt_no``); the centre's
highest number, taken at every sync, raises both as well.

Crash ordering: the mark is raised *before* the payment's transaction commits. A crash
between the two leaves the mark one ahead: that number is skipped, never issued twice (a
commit that fails with the program still running puts the mark back). Each write goes to
a temporary file that is synced and then renamed over the mark, so the mark is always
whole, and it is readable by the user only.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Final

from app.domain.errors import StoreError
from app.i18n import N_
from app.store.health import typed_error

log = logging.getLogger(__name__)

SUFFIX: Final = ".receipts"
#: The device's highest receipt among a store's payments: one step down the receipt
#: number's unique index (numbers are zero-padded, so their text order is their order).
#: Parameters from ``highest_receipt_params``; named, for SQLAlchemy and sqlite3 alike.
HIGHEST_RECEIPT_SQL: Final = (
    "SELECT receipt_no FROM payment WHERE receipt_no > :lo AND receipt_no < :hi "
    "AND receipt_no GLOB :shape ORDER BY receipt_no DESC LIMIT 1"
)


def highest_receipt_params(device_code: str) -> dict[str, str]:
    """Receipt numbers of ``device_code``: its code, a hyphen, eight digits."""
    return {
        "lo": f"{device_code}-",
        "hi": f"{device_code}.",
        "shape": f"{device_code}-" + "[0-9]" * 8,
    }


def number_of(receipt_no: str) -> int:
    """``PC01-00000042`` → 42."""
    return int(str(receipt_no).rsplit("-", 1)[1])


def mark_path(store_path: Path) -> Path:
    """Where the mark of the store at ``store_path`` lives."""
    return store_path.with_name(store_path.name + SUFFIX)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename, fsync of the
    folder), readable and writable by the user only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class ReceiptMark:
    """The mark beside one store file (``path`` None: an in-memory store, no mark)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def read_all(self) -> dict[str, int]:
        """Every device's highest number; an absent mark is empty. A mark that cannot be
        read is refused: guessing low could issue a number twice."""
        if self.path is None or not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not a map")
            return {str(k): int(v) for k, v in raw.items()}
        except (OSError, ValueError, TypeError) as exc:
            raise StoreError(
                N_(
                    "The receipt number record {path} cannot be read ({reason}). Receipts "
                    "are stopped so that no number is issued twice; ask your administrator."
                ),
                path=str(self.path),
                reason=str(exc),
            ) from exc

    def read(self, device_code: str) -> int:
        return self.read_all().get(device_code, 0)

    def raise_to(self, device_code: str, number: int) -> None:
        """Record that ``number`` may have been issued; the mark never goes down."""
        if self.path is None:
            return
        marks = self.read_all()
        if marks.get(device_code, 0) >= number:
            return
        marks[device_code] = number
        try:
            write_private(self.path, json.dumps(marks, sort_keys=True).encode())
        except OSError as exc:
            full = typed_error(exc, self.path)
            if full is not None:
                raise full from exc
            raise StoreError(
                N_("The receipt number record {path} cannot be written: {reason}"),
                path=str(self.path),
                reason=exc.strerror or str(exc),
            ) from exc

    def put_back(self, device_code: str, number: int, previous: int) -> None:
        """Undo ``raise_to(device_code, number)`` after its transaction failed to commit,
        if nothing raised the mark further since (a gap is then avoided; were the number in
        the store after all, the store's highest receipt still covers it)."""
        if self.path is None:
            return
        try:
            marks = self.read_all()
            if marks.get(device_code) != number:
                return
            marks[device_code] = previous
            write_private(self.path, json.dumps(marks, sort_keys=True).encode())
        except (OSError, StoreError) as exc:
            log.warning("receipt mark %s not put back: %s", self.path, exc)
