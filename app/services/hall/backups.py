"""Backups of this PC's store: at every shift close and once a day (``app.store.backup``).

The folder and how many to keep are this PC's preferences (``app.settings``: the UI reads
them and passes them in; an empty folder means the data folder's ``backups``). A backup
copies the store's pages as they are and checks the copy, so a backup that fails its check
has found the store damaged: the store's verdict turns to damaged and payments stop
(``Store.health``), the same as when the start-up check fails.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from app.domain.errors import StoreError
from app.i18n import N_
from app.store import backup
from app.store.database import Store
from app.store.health import StoreDamaged

log = logging.getLogger(__name__)


def backup_folder(configured: str) -> Path:
    """The folder from the settings, or the default one when none is set."""
    text = configured.strip()
    return Path(text).expanduser() if text else backup.default_folder()


class BackupService:
    """Takes and lists the backups of one store file."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _path(self) -> Path:
        if self._store.path is None:
            raise StoreError(N_("This database is not a file and cannot be backed up."))
        return self._store.path

    def take(
        self, reason: str, folder: Path, keep: int = backup.DEFAULT_KEEP
    ) -> backup.BackupResult:
        """One backup now (on a worker thread: it reads the whole store)."""
        try:
            result = backup.take_backup(self._path(), folder, reason, keep)
        except StoreDamaged as exc:
            self._store.health.mark_damaged(str(exc.params.get("reason", "")))
            raise
        log.info(
            "backup %s (%s) in %.1f s; %d old one(s) removed",
            result.backup.path,
            reason,
            result.seconds,
            len(result.removed),
        )
        return result

    def due_today(self, folder: Path, now: datetime | None = None) -> bool:
        """No backup of this store was taken today (local date)."""
        return backup.backup_due_today(self._path(), folder, now)

    def latest(self, folder: Path) -> backup.Backup | None:
        found = backup.backups_of(self._path(), folder)
        return found[0] if found else None
