"""Numbers handed to customers — receipt numbers and complaint numbers — are issued once.

A receipt number (``PC01-00000042``) is printed on the receipt, a complaint number
(``PC01-TS000042``) on the acknowledgement slip; the customer keeps both, so one device must
never issue either twice, whatever copy of its store it runs on. A store's own per-device
sequence (``receipt_sequence``, ``complaint_sequence``) cannot promise that alone: a store
put back from an older copy (or a backup) holds an older sequence. Each series of numbers
is described once (:class:`NumberSeries`) and goes through the same code:

- **the mark beside the store file**, outside it: ``<store file>.receipts`` (named for its
  first series; it holds every series), a small JSON map per series
  ``{"receipt": {device code: highest issued}, "complaint": {…}}``. Marks written before
  complaint numbers shared it (one map ``{device code: highest receipt}``) are read as the
  receipt series and rewritten in the new shape at the next number.
- **the next number** (:func:`next_number`) is one more than the highest of the store's
  sequence, the store's highest number of the device among its rows (rows a pull brought
  back count) and the mark;
- **the centre's highest number** of the device, given in each sync's ``meta`` answer
  (``NumberSeries.meta_key``), raises the sequence and the mark (:func:`raise_floor`);
- **a restore** (``app.store.backup.restore``) raises every series' sequences and marks to
  the highest any copy knows.

Crash ordering: the mark is raised *before* the number's transaction commits
(:func:`issuing`). A crash between the two leaves the mark one ahead: that number is
skipped, never issued twice (a commit that fails with the program still running puts the
mark back). Each write goes to a temporary file that is synced and then renamed over the
mark, so the mark is always whole, and it is readable by the user only.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.errors import StoreError
from app.i18n import N_
from app.store.health import typed_error

log = logging.getLogger(__name__)

SUFFIX: Final = ".receipts"


@dataclass(frozen=True, slots=True)
class NumberSeries:
    """One series of numbers a device issues: ``<device code>-<infix><digits>``, zero-padded
    to ``digits`` (so within a device their text order is their order), counted in
    ``sequence_table`` (``device_code``, ``last_no``) and carried, unique, by ``column`` of
    ``table``."""

    #: Its key in the mark file.
    name: str
    sequence_table: str
    table: str
    column: str
    infix: str
    digits: int
    #: The field of the centre's ``meta`` answer giving the device's highest number.
    meta_key: str

    def prefix(self, device_code: str) -> str:
        return f"{device_code}-{self.infix}"

    def format(self, device_code: str, n: int) -> str:
        """The ``n``-th number of the device: ``PC01-00000042``, ``PC01-TS000042``."""
        return f"{self.prefix(device_code)}{n:0{self.digits}d}"

    def number_of(self, number: str) -> int:
        """``PC01-TS000042`` → 42."""
        return int(str(number)[-self.digits :])

    @property
    def highest_sql(self) -> str:
        """The device's highest number among a store's rows: one step down the column's
        unique index. Parameters from :meth:`highest_params`; named, for SQLAlchemy and
        sqlite3 alike."""
        c = self.column
        return (
            f"SELECT {c} FROM {self.table} WHERE {c} > :lo AND {c} < :hi "
            f"AND {c} GLOB :shape ORDER BY {c} DESC LIMIT 1"
        )

    def highest_params(self, device_code: str) -> dict[str, str]:
        """The device's numbers: above its prefix, below the prefix's last character
        raised by one, and of the series' shape (no other series' numbers)."""
        prefix = self.prefix(device_code)
        return {
            "lo": prefix,
            "hi": prefix[:-1] + chr(ord(prefix[-1]) + 1),
            "shape": prefix + "[0-9]" * self.digits,
        }

    def regex(self, device_code: str) -> str:
        """The device's numbers as a regular expression (for the centre's PostgreSQL)."""
        return f"^{re.escape(self.prefix(device_code))}[0-9]{{{self.digits}}}$"


RECEIPTS: Final = NumberSeries(
    "receipt", "receipt_sequence", "payment", "receipt_no", "", 8, "receipt_high"
)
COMPLAINTS: Final = NumberSeries(
    "complaint", "complaint_sequence", "complaint", "number", "TS", 6, "complaint_high"
)
#: Every series a device issues; a restore and a sync raise each of them.
SERIES: Final = (RECEIPTS, COMPLAINTS)

#: Highest number per series name, then per device code.
Highs = dict[str, dict[str, int]]


def merge_highs(*sources: Mapping[str, Mapping[str, int]]) -> Highs:
    """The highest of each series and device over ``sources``."""
    merged: Highs = {}
    for source in sources:
        for name, devices in source.items():
            into = merged.setdefault(name, {})
            for device, number in devices.items():
                into[device] = max(into.get(device, 0), int(number))
    return merged


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


def _parse(raw: object) -> Highs:
    """The mark's JSON: one map per series, or (written before complaint numbers shared
    the mark) one map of receipt numbers."""
    if not isinstance(raw, dict):
        raise ValueError("not a map")
    if not any(isinstance(v, dict) for v in raw.values()):
        return {RECEIPTS.name: {str(k): int(v) for k, v in raw.items()}}
    marks: Highs = {}
    for name, devices in raw.items():
        if not isinstance(devices, dict):
            raise ValueError(f"{name!r} is not a map")
        marks[str(name)] = {str(k): int(v) for k, v in devices.items()}
    return marks


class NumberMarks:
    """The mark beside one store file, for every series (``path`` None: an in-memory
    store, no mark)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def read_all(self) -> Highs:
        """Every series' highest number per device; an absent mark is empty. A mark that
        cannot be read is refused: guessing low could issue a number twice. Series this
        version does not know (written by a newer one) are kept."""
        if self.path is None or not self.path.exists():
            return {}
        try:
            return _parse(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise StoreError(
                N_(
                    "The record of issued numbers {path} cannot be read ({reason}). Payments "
                    "and complaints are stopped so that no receipt or complaint number is "
                    "issued twice; ask your administrator."
                ),
                path=str(self.path),
                reason=str(exc),
            ) from exc

    def read(self, series: NumberSeries, device_code: str) -> int:
        return self.read_all().get(series.name, {}).get(device_code, 0)

    def raise_to(self, series: NumberSeries, device_code: str, number: int) -> None:
        """Record that ``number`` may have been issued; the mark never goes down."""
        self.raise_all({series.name: {device_code: number}})

    def raise_all(self, highs: Mapping[str, Mapping[str, int]]) -> None:
        """:meth:`raise_to` for every series and device of ``highs``, in one write."""
        if self.path is None:
            return
        marks = self.read_all()
        raised = merge_highs(marks, highs)
        if raised != marks:
            self._write(raised)

    def put_back(self, series: NumberSeries, device_code: str, number: int, previous: int) -> None:
        """Undo ``raise_to(series, device_code, number)`` after its transaction failed to
        commit, if nothing raised the mark further since (a gap is then avoided; were the
        number in the store after all, the store's highest number still covers it)."""
        if self.path is None:
            return
        try:
            marks = self.read_all()
            devices = marks.get(series.name, {})
            if devices.get(device_code) != number:
                return
            devices[device_code] = previous
            self._write(marks)
        except (OSError, StoreError) as exc:
            log.warning("number mark %s not put back: %s", self.path, exc)

    def _write(self, marks: Highs) -> None:
        assert self.path is not None
        try:
            write_private(self.path, json.dumps(marks, sort_keys=True).encode())
        except OSError as exc:
            full = typed_error(exc, self.path)
            if full is not None:
                raise full from exc
            raise StoreError(
                N_("The record of issued numbers {path} cannot be written: {reason}"),
                path=str(self.path),
                reason=exc.strerror or str(exc),
            ) from exc


# --- in a store's transaction ----------------------------------------------------------------


def take_write_lock(session: Session, series: NumberSeries, device_code: str) -> None:
    """Start the transaction with a write: the device's sequence row of ``series``, created
    at 0 if it is missing. SQLite then holds its write lock until commit, so what this
    transaction reads next cannot change under it."""
    session.execute(
        text(
            f"INSERT OR IGNORE INTO {series.sequence_table} (device_code, last_no) VALUES (:d, 0)"
        ),
        {"d": device_code},
    )


def highest_issued(session: Session, series: NumberSeries, device_code: str) -> int:
    """The highest number of ``device_code`` in ``series`` among the store's rows (0 if
    none): rows a pull brought back count too."""
    found = session.execute(text(series.highest_sql), series.highest_params(device_code)).scalar()
    return series.number_of(found) if found else 0


def raise_floor(session: Session, series: NumberSeries, device_code: str, number: int) -> None:
    """The device's sequence of ``series`` continues after ``number`` (it never goes
    down)."""
    take_write_lock(session, series, device_code)
    session.execute(
        text(
            f"UPDATE {series.sequence_table} SET last_no = :n "
            "WHERE device_code = :d AND last_no < :n"
        ),
        {"d": device_code, "n": number},
    )


@dataclass(frozen=True, slots=True)
class IssuedNumber:
    """A number taken in a transaction, and the mark before it (to put back)."""

    series: NumberSeries
    device_code: str
    number: int
    mark_before: int

    @property
    def text(self) -> str:
        return self.series.format(self.device_code, self.number)


def next_number(
    session: Session, series: NumberSeries, device_code: str, marks: NumberMarks
) -> IssuedNumber:
    """One more than the highest number of ``series`` this device may have issued: its
    sequence in this store, its highest number in this store, and the mark outside the
    store (which a store put back from an older copy does not take with it). The caller
    raises the mark before its transaction commits: take numbers through :func:`issuing`."""
    take_write_lock(session, series, device_code)
    last = session.execute(
        text(f"SELECT last_no FROM {series.sequence_table} WHERE device_code = :d"),
        {"d": device_code},
    ).scalar_one()
    marked = marks.read(series, device_code)
    number = max(int(last), highest_issued(session, series, device_code), marked) + 1
    session.execute(
        text(f"UPDATE {series.sequence_table} SET last_no = :n WHERE device_code = :d"),
        {"d": device_code, "n": number},
    )
    return IssuedNumber(series, device_code, number, marked)


@dataclass(slots=True)
class Issuing:
    """The numbers taken in one transaction (see :func:`issuing`)."""

    marks: NumberMarks
    issued: list[IssuedNumber] = field(default_factory=list)

    def next(self, session: Session, series: NumberSeries, device_code: str) -> IssuedNumber:
        issued = next_number(session, series, device_code, self.marks)
        self.issued.append(issued)
        return issued

    def mark(self) -> None:
        """Raise the mark to every number taken: the transaction's last step before its
        commit (a crash after it skips those numbers, a crash before it never issued
        them)."""
        for issued in self.issued:
            self.marks.raise_to(issued.series, issued.device_code, issued.number)

    def put_back(self) -> None:
        for issued in reversed(self.issued):
            self.marks.put_back(
                issued.series, issued.device_code, issued.number, issued.mark_before
            )


@contextmanager
def issuing(marks: NumberMarks) -> Iterator[Issuing]:
    """Numbers taken in a unit of work opened *after* this block (so it commits first)::

        with issuing(store.number_marks) as numbers, store.unit_of_work() as session:
            receipt = numbers.next(session, RECEIPTS, device).text
            ...
            numbers.mark()  # last, just before the commit

    If anything fails, the commit included, the mark goes back where it was."""
    numbers = Issuing(marks)
    try:
        yield numbers
    except BaseException:
        numbers.put_back()
        raise
