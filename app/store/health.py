"""Is the store sound enough to take money? The full page check in the background, and what
SQLite's failures mean in words a clerk can act on.

Start-up reads only the schema page (``check_readable``): ``PRAGMA quick_check`` reads the
whole file (seconds on a large store) and would break the start budget. So the full check
runs on its own thread from the moment the GUI opens the store (``StoreHealth.start``),
and every money write (a payment, a void, a reversal) first waits for its verdict
(``require_sound``): a damaged store is found before money is written into it. Between
checks, SQLite checks each page's cells as it reads the page from disk
(``PRAGMA cell_size_check``, set on every connection), so the pages a payment reads and
writes are checked too; a statement that finds a damaged page turns the verdict to
damaged as well.

``typed_error`` turns SQLite's codes into typed errors: a full disk says so (SQLite reports
some of its writes on a full disk as "disk I/O error", so an I/O error on a disk with
almost no room left is a full disk as well); a damaged file says how to get a good one
back; the raw driver text (and its web link) never reaches the user.
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import threading
from enum import StrEnum
from pathlib import Path
from typing import Final

from app.domain.errors import StoreError
from app.i18n import N_

log = logging.getLogger(__name__)

#: Below this much free room an I/O error is taken for a full disk.
NEARLY_FULL_BYTES: Final = 32 * 1024 * 1024
#: How long a money write waits for the start-up check before it is refused (the check
#: reads the whole file; a very large store on a slow disk takes this long).
CHECK_WAIT_SECONDS: Final = 60.0

_FULL: Final = 13  # SQLITE_FULL
_IOERR: Final = 10  # SQLITE_IOERR, and its extended codes
_CANTOPEN: Final = 14
_CORRUPT: Final = 11
_NOTADB: Final = 26


class DiskFull(StoreError):
    """The disk holding the store (or a backup, or the receipt mark) has no room left."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            N_(
                "The disk is full: HallDesk cannot save to {path}. What you were doing was "
                "not saved; free some space on that disk (or ask your administrator), then "
                "do it again."
            ),
            path=str(path),
        )


class StoreDamaged(StoreError):
    """The store failed the page check: no money is written into it."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(
            N_(
                "The database file {path} is damaged ({reason}). Payments are stopped so "
                "that no money is written into it. Ask your administrator to restore it "
                "from a backup (halldesk db restore)."
            ),
            path=str(path),
            reason=reason,
        )


class StoreStillChecking(StoreError):
    """The start-up check has not finished yet; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "The database is still being checked after the start (this takes a while on "
                "a large store). Nothing was recorded and your entries are kept: try again "
                "in a minute."
            )
        )


class StoreIOFailure(StoreError):
    """The disk failed to read or write the store, with room to spare."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(
            N_(
                "The disk could not read or write the database file {path} ({reason}). What "
                "you were doing was not saved; ask your administrator to check the disk."
            ),
            path=str(path),
            reason=reason,
        )


def nearly_full(folder: Path) -> bool:
    """Has the disk holding ``folder`` (or its nearest existing parent) almost no room?"""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def _sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    if isinstance(exc, sqlite3.Error):
        return exc
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
    return orig if isinstance(orig, sqlite3.Error) else None


def typed_error(exc: BaseException, path: Path | None) -> StoreError | None:
    """The typed error for a failure of SQLite (raw or wrapped by SQLAlchemy) or of the
    file system on the store at ``path``; None when it is none of those this module
    knows (a constraint, a bug: the caller lets it through unchanged)."""
    where: Path | str = path if path is not None else "?"
    folder = path.parent if path is not None else Path.cwd()
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return DiskFull(where)
        return None
    error = _sqlite_error(exc)
    if error is None:
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    base = code & 0xFF
    reason = str(error)
    if base == _FULL:
        return DiskFull(where)
    if base in (_IOERR, _CANTOPEN):
        return DiskFull(where) if nearly_full(folder) else StoreIOFailure(where, reason)
    if base in (_CORRUPT, _NOTADB):
        return StoreDamaged(where, reason)
    return None


def _plain(problem: str) -> str:
    """One line of ``quick_check``'s report, without its schema heading."""
    return " ".join(problem.replace("*** in database main ***", "").split())


class Verdict(StrEnum):
    NOT_STARTED = "not_started"
    CHECKING = "checking"
    SOUND = "sound"
    DAMAGED = "damaged"


class StoreHealth:
    """The verdict of the full page check of one store file (``path`` None: an in-memory
    store, always sound). Thread-safe; the check runs at most once per opened store."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._verdict = Verdict.SOUND if path is None else Verdict.NOT_STARTED
        self._reason = ""
        self._failure: StoreError | None = None
        if path is None:
            self._done.set()

    @property
    def verdict(self) -> Verdict:
        return self._verdict

    @property
    def reason(self) -> str:
        return self._reason

    def start(self) -> None:
        """Start the full check in the background (once)."""
        with self._lock:
            if self._thread is not None or self._done.is_set():
                return
            self._verdict = Verdict.CHECKING
            self._thread = threading.Thread(
                target=self._check, name="store-quick-check", daemon=True
            )
            self._thread.start()

    def _check(self) -> None:
        assert self.path is not None
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            try:
                rows = con.execute("PRAGMA quick_check").fetchall()
            finally:
                con.close()
            problems = [_plain(str(r[0])) for r in rows if r and r[0] != "ok"]
        except sqlite3.Error as exc:
            typed = typed_error(exc, self.path)
            if typed is not None and not isinstance(typed, StoreDamaged):
                # The check could not run (a full disk, a failing read): no verdict on
                # the pages; the waiting write is refused with this, the next one checks.
                log.warning("store check of %s could not run: %s", self.path, exc)
                with self._lock:
                    self._failure = typed
                self._done.set()
                return
            problems = [str(exc)]
        if problems:
            self.mark_damaged("; ".join(problems[:3]))
        else:
            log.info("store check of %s: ok", self.path)
            with self._lock:
                if self._verdict is not Verdict.DAMAGED:
                    self._verdict = Verdict.SOUND
        self._done.set()

    def mark_damaged(self, reason: str) -> None:
        """A check or a statement found a damaged page: no more money into this store."""
        log.error("store %s is damaged: %s", self.path, reason)
        with self._lock:
            self._verdict = Verdict.DAMAGED
            self._reason = reason
        self._done.set()

    def require_sound(self, wait_seconds: float = CHECK_WAIT_SECONDS) -> None:
        """Return once the store passed its check (starting it if need be); refuse with
        ``StoreDamaged`` or ``StoreStillChecking``. Called before every money write."""
        if self._verdict is Verdict.SOUND:
            return
        self.start()
        if not self._done.wait(wait_seconds) and self._verdict is not Verdict.DAMAGED:
            raise StoreStillChecking()
        with self._lock:
            failure, self._failure = self._failure, None
            if failure is not None:
                self._thread = None
                self._verdict = Verdict.NOT_STARTED
                self._done.clear()
        if failure is not None:
            raise failure
        if self._verdict is Verdict.DAMAGED:
            raise StoreDamaged(self.path or "?", self._reason)
        if self._verdict is not Verdict.SOUND:
            raise StoreStillChecking()
