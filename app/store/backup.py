"""Backups of the store while it is in use, and putting one back.

A backup is taken with SQLite's online backup API from a read-only connection of its own:
one step, so it is a consistent snapshot of the store as of one moment, and in WAL mode it
never blocks the counter's writes. It is written to a hidden temporary file created
readable by the user only, switched to a self-contained rollback journal, checked with
``PRAGMA quick_check`` and only then renamed to its final name, so a file named like a
backup is always a whole, checked one. A backup that fails its check means the store
itself is damaged (the backup copies its pages as they are): that is raised as
``StoreDamaged``.

Backups of one store are named ``<store stem>-<local date>-<local time>-<reason>.sqlite3``
in the backup folder, and only the newest ``keep`` of that store are kept.

``restore`` puts a backup in place of a store: it checks the backup (whole, a HallDesk
store, not from a newer version), refuses while a HallDesk runs on the store, keeps the
current file aside under a new name (never deletes it), and raises the receipt and
complaint numbers of the restored store and the mark beside it to the highest any copy
knows, so a restored store never issues a receipt number or a complaint number again
(every series of ``app.store.number_marks``).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

from app import paths
from app.domain.errors import StoreError
from app.i18n import N_
from app.store.health import StoreDamaged, typed_error
from app.store.instance import InstanceLock
from app.store.number_marks import (
    COMPLAINTS,
    RECEIPTS,
    SERIES,
    Highs,
    NumberMarks,
    mark_path,
    merge_highs,
)

#: Backups kept per store unless the settings say otherwise.
DEFAULT_KEEP: Final = 14
REASONS: Final = ("shift-close", "daily", "manual")
#: Tables whose presence makes a SQLite file a HallDesk store.
_HALLDESK_TABLES: Final = frozenset(
    {"alembic_version", "device_info", "payment", "receipt_sequence", "staff"}
)
_STAMP: Final = "%Y%m%d-%H%M%S"


def default_folder() -> Path:
    """Where backups go when the settings name no folder: the data folder's ``backups``."""
    return paths.user_data_dir() / "backups"


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken_at: datetime  # local time, from the name
    reason: str


@dataclass(frozen=True, slots=True)
class BackupResult:
    backup: Backup
    seconds: float
    removed: tuple[Path, ...]


def _pattern(store_path: Path) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(store_path.stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?-"
        rf"({'|'.join(REASONS)})\.sqlite3$"
    )


def backups_of(store_path: Path, folder: Path) -> list[Backup]:
    """The backups of the store at ``store_path`` in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    pattern = _pattern(store_path)
    found: list[tuple[str, int, Backup]] = []
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if match is None or not entry.is_file():
            continue
        taken = datetime.strptime(match.group(1), _STAMP)
        found.append(
            (match.group(1), int(match.group(2) or 0), Backup(entry, taken, match.group(3)))
        )
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [b for _stamp, _n, b in found]


def _fsync_folder(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _private_file(path: Path) -> None:
    """Create ``path`` empty, readable and writable by the user only (SQLite then gives
    the journals it makes beside it the same mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    os.close(fd)


def _copy_checked(source: Path, target: Path) -> None:
    """``source`` → a new ``target`` through the backup API, self-contained and checked.
    Raises ``StoreDamaged`` if the copy fails its page check."""
    _private_file(target)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
                rows = dst.execute("PRAGMA quick_check").fetchall()
            finally:
                dst.close()
        finally:
            src.close()
        problems = [str(r[0]) for r in rows if r and r[0] != "ok"]
        if problems:
            raise StoreDamaged(source, "; ".join(problems[:3]))
        with target.open("rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException as exc:
        target.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error | OSError):
            typed = typed_error(exc, target if isinstance(exc, OSError) else source)
            if typed is not None:
                raise typed from exc
        raise


def take_backup(
    store_path: Path,
    folder: Path,
    reason: str,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
) -> BackupResult:
    """Back the store up into ``folder`` (created, user only), then keep the newest
    ``keep`` backups of this store and remove the older ones."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    started = time.perf_counter()
    taken = (now or datetime.now()).replace(microsecond=0)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise _folder_error(folder, exc) from exc
    stamp = taken.strftime(_STAMP)
    name = f"{store_path.stem}-{stamp}-{reason}.sqlite3"
    n = 1
    while (folder / name).exists():
        n += 1
        name = f"{store_path.stem}-{stamp}-{n}-{reason}.sqlite3"
    final = folder / name
    for stale in folder.glob(f".{store_path.stem}-*.sqlite3.part"):
        stale.unlink(missing_ok=True)  # a backup cut short (one runs at a time per store)
    part = folder / f".{name}.part"
    _copy_checked(store_path, part)
    os.replace(part, final)
    _fsync_folder(folder)
    removed = tuple(b.path for b in backups_of(store_path, folder)[max(keep, 1) :])
    for old in removed:
        old.unlink(missing_ok=True)
    return BackupResult(Backup(final, taken, reason), time.perf_counter() - started, removed)


def _folder_error(folder: Path, exc: OSError) -> StoreError:
    typed = typed_error(exc, folder)
    if typed is not None:
        return typed
    return StoreError(
        N_("The backup folder {path} cannot be used: {reason}"),
        path=str(folder),
        reason=exc.strerror or str(exc),
    )


def backup_due_today(store_path: Path, folder: Path, today: datetime | None = None) -> bool:
    """Is there no backup of this store taken today (local date)?"""
    day = (today or datetime.now()).date()
    return not any(b.taken_at.date() == day for b in backups_of(store_path, folder))


# --- restore ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored: Path
    source: Path
    kept_aside: tuple[Path, ...]
    #: Each device's highest receipt number any copy knew: its numbering goes on after it.
    receipts: dict[str, int]
    #: The restored store's own device ("" if it has none yet).
    device_code: str = ""
    #: Each device's highest complaint number any copy knew, likewise.
    complaints: dict[str, int] = field(default_factory=dict)


def check_backup(path: Path, known_revisions: Iterable[str]) -> str:
    """Refuse a file that is not a whole HallDesk store this version can open; its schema
    revision otherwise."""
    if not path.is_file():
        raise StoreError(N_("There is no backup file at {path}."), path=str(path))
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise StoreError(
            N_("The file {path} is not a HallDesk backup (it is not a database)."),
            path=str(path),
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            revision = (
                con.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise StoreError(
            N_("The backup {path} is damaged and cannot be used: {reason}"),
            path=str(path),
            reason=str(exc),
        ) from exc
    problems = [str(r[0]) for r in rows if r and r[0] != "ok"]
    if problems:
        raise StoreError(
            N_("The backup {path} is damaged and cannot be used: {reason}"),
            path=str(path),
            reason="; ".join(problems[:3]),
        )
    if not tables >= _HALLDESK_TABLES or revision is None:
        raise StoreError(
            N_("The file {path} is a database, but not a HallDesk store."), path=str(path)
        )
    if str(revision[0]) not in set(known_revisions):
        raise StoreError(
            N_(
                "The backup {path} was written by a newer version of HallDesk (schema "
                "{revision}). Install the newer version to restore it."
            ),
            path=str(path),
            revision=str(revision[0]),
        )
    return str(revision[0])


def number_highs(path: Path) -> Highs:
    """Each series' highest number per device in the store at ``path``: its sequence and
    its highest number among the store's rows, whichever is higher. Empty if the file
    cannot be read (a damaged store being replaced gives what it still can, series by
    series; a store older than a series' tables gives nothing for it)."""
    if not path.is_file() or path.stat().st_size == 0:
        return {}
    highs: Highs = {}
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return highs
    try:
        for series in SERIES:
            found: dict[str, int] = {}
            try:
                sequences = con.execute(
                    f"SELECT device_code, last_no FROM {series.sequence_table}"
                ).fetchall()
                for device, last in sequences:
                    row = con.execute(
                        series.highest_sql, series.highest_params(str(device))
                    ).fetchone()
                    found[str(device)] = max(int(last), series.number_of(row[0]) if row else 0)
            except sqlite3.Error:
                pass
            if found:
                highs[series.name] = found
    finally:
        con.close()
    return highs


def _raise_sequences(path: Path, highs: Highs) -> None:
    """Each device's sequence of each series in the store at ``path`` goes on after
    ``highs`` (a store older than a series' table starts it from its mark once migrated)."""
    con = sqlite3.connect(path)
    try:
        tables = {str(r[0]) for r in con.execute("SELECT name FROM sqlite_master")}
        with con:
            for series in SERIES:
                if series.sequence_table not in tables:
                    continue
                for device, number in highs.get(series.name, {}).items():
                    con.execute(
                        f"INSERT OR IGNORE INTO {series.sequence_table} (device_code, last_no) "
                        "VALUES (?, 0)",
                        (device,),
                    )
                    con.execute(
                        f"UPDATE {series.sequence_table} SET last_no = ? "
                        "WHERE device_code = ? AND last_no < ?",
                        (number, device, number),
                    )
    finally:
        con.close()


def _aside_name(path: Path, stamp: str) -> Path:
    target = path.with_name(f"{path.name}.before-restore-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.before-restore-{stamp}-{n}")
    return target


def restore(
    store_path: Path, backup: Path, known_revisions: Iterable[str], now: datetime | None = None
) -> RestoreResult:
    """Put ``backup`` in place of the store at ``store_path`` (see the module docstring).

    The caller migrates the result (``open_store``) when its schema is older."""
    check_backup(backup, known_revisions)
    lock = InstanceLock(store_path)
    if not lock.acquire():
        raise StoreError(
            N_("HallDesk is running on {path}. Close it on this PC before restoring the store."),
            path=str(store_path),
        )
    try:
        marks = NumberMarks(mark_path(store_path))
        highs = merge_highs(number_highs(backup), number_highs(store_path), marks.read_all())
        part = store_path.with_name(f".{store_path.name}.restoring")
        part.unlink(missing_ok=True)
        _copy_checked(backup, part)
        try:
            _raise_sequences(part, highs)
            marks.raise_all(highs)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        # Only now, with the restored copy whole and ready: the current files aside.
        aside = _aside_name(store_path, (now or datetime.now()).strftime(_STAMP))
        kept: list[Path] = []
        for suffix in ("", "-wal", "-shm", "-journal"):
            current = store_path.with_name(store_path.name + suffix)
            if current.exists():
                target = aside.with_name(aside.name + suffix)
                os.replace(current, target)
                kept.append(target)
        os.replace(part, store_path)
        _fsync_folder(store_path.parent)
    finally:
        lock.release()
    own = _rows_of(store_path, "SELECT device_code FROM device_info LIMIT 1")
    return RestoreResult(
        store_path,
        backup,
        tuple(kept),
        highs.get(RECEIPTS.name, {}),
        str(own[0][0]) if own else "",
        highs.get(COMPLAINTS.name, {}),
    )


def _rows_of(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
