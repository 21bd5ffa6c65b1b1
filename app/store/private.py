"""Store files readable by their user only (issue 13, item 7).

The store holds customers' personal data and, where the machine has no credential store,
the centre's device credential: it and its ``-wal``/``-shm`` files are mode 0600. SQLite
creates the WAL and shared-memory files with the permissions of the main file, so the
main file is restricted the moment a connection opens it (before any page is written and
before WAL mode creates the others); existing files are tightened the same way. A backup
of the store must be made private with :func:`restrict` too. On Windows the per-user
profile folder's ACL does this job and ``chmod`` is a no-op.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

#: Read and write for the owner, nothing for group and others.
PRIVATE_MODE: Final = 0o600
SIDE_FILES: Final = ("-wal", "-shm", "-journal")


def restrict(path: Path) -> None:
    """Make ``path`` and its SQLite side files (if present) readable by the owner only."""
    if os.name != "posix":
        return
    for target in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
            if mode & 0o077:
                target.chmod(mode & ~0o077 & 0o777 | PRIVATE_MODE)
        except (FileNotFoundError, PermissionError):
            continue
