"""One HallDesk per store: an operating-system lock on ``<store file>.lock``.

The running workbench holds an exclusive lock on the file beside its store for as long as
it runs; a second start on the same store finds it taken and asks the first to come to
the front instead (the GUI does that part, through a local socket named by
``server_name``), and ``halldesk db restore`` refuses to replace a store in use. The lock
belongs to the process: the system releases it when the process ends, however it ends, so
a crash never leaves a stale lock behind (the file itself stays, harmless).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Final, TextIO

SUFFIX: Final = ".lock"


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + SUFFIX)


def instance_key(store_path: Path) -> str:
    """A short name for the store, the same for every spelling of its path."""
    resolved = str(store_path.resolve())
    if sys.platform.startswith("win"):
        resolved = resolved.casefold()
    return hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:20]


def server_name(store_path: Path) -> str:
    """The local socket (named pipe on Windows) the running workbench listens on."""
    return f"halldesk-{instance_key(store_path)}"


#: The lock file's record: this process's id, padded to one width so that each start
#: overwrites the last start's record in place (see :func:`_write_pid`).
PID_WIDTH: Final = 10


def _write_pid(handle: TextIO) -> None:
    """Note this process's id in the lock file (for a person looking; nothing reads it),
    overwriting the previous record in place: never truncated.

    Truncating the file to nothing first, as this once did, frees its block, and ext4
    makes that wait for the journal and for the previous start's page to be written back:
    3.6 ms typically but 100–220 ms (p95 / max over 150 tries) while another process wrote
    a large file, every start, before the login could be painted (issue 17's slow starts;
    docs/performance.md). An overwrite of the same bytes stays in the page cache.
    """
    record = f"{os.getpid():<{PID_WIDTH}}\n"
    handle.seek(0)
    handle.write(record)
    handle.flush()
    if os.fstat(handle.fileno()).st_size > len(record):  # written by something else
        handle.truncate()


class InstanceLock:
    """The exclusive lock of one store; ``acquire`` never waits."""

    def __init__(self, store_path: Path) -> None:
        self.path = lock_path(store_path)
        self._file: TextIO | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> bool:
        """Take the lock; False if another process holds it."""
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+", encoding="ascii")
        try:
            _lock(handle)
        except OSError:
            handle.close()
            return False
        _write_pid(handle)
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is None:
            return
        try:
            _unlock(self._file)
        finally:
            self._file.close()
            self._file = None


if sys.platform.startswith("win"):
    import msvcrt

    def _lock(handle: TextIO) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: TextIO) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: TextIO) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: TextIO) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
