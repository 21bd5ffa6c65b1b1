"""When the workbench backs its store up: after every shift close, and once a day.

The backup reads the whole store, so it runs on a thread of its own (never the window's
database worker: payments go on meanwhile); its outcome comes back to the GUI thread.
The daily one is checked a minute after the window opens and then every half hour: if no
backup of the store was taken today, one is taken. The folder and the number kept are
this PC's settings (``BACKUP_DIR``, ``BACKUP_KEEP``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.services.hall.backups import BackupService, backup_folder
from app.settings import BACKUP_DIR, BACKUP_KEEP
from app.store.backup import BackupResult
from ui.context import AppContext
from ui.errors import error_text
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

FIRST_DAILY_CHECK_MS: Final = 60_000
DAILY_CHECK_MS: Final = 30 * 60_000


class BackupScheduler(QObject):
    """Takes the store's backups for one main window; at most one runs at a time (a
    request while one runs is taken after it)."""

    backupTaken = Signal(object)  # BackupResult
    backupFailed = Signal(str)  # the reason, in the user's language

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = BackupService(ctx.store)
        self._runner = TaskRunner(self)
        self._running = False
        self._queued: str | None = None
        self.last: BackupResult | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(DAILY_CHECK_MS)
        self._timer.timeout.connect(self.check_daily)
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.timeout.connect(self.check_daily)
        if ctx.store.path is not None:
            self._first.start(FIRST_DAILY_CHECK_MS)
            self._timer.start()

    def folder(self) -> Path:
        return backup_folder(BACKUP_DIR.read(self._ctx.settings))

    @property
    def running(self) -> bool:
        return self._running

    @Slot()
    def after_shift_close(self) -> None:
        self.take("shift-close")

    @Slot()
    def check_daily(self) -> None:
        if self._ctx.store.path is None or self._running:
            return
        try:
            due = self._service.due_today(self.folder())
        except OSError as exc:
            self.backupFailed.emit(str(exc))
            return
        if due:
            self.take("daily")

    def take(self, reason: str) -> None:
        if self._ctx.store.path is None:
            return
        if self._running:
            self._queued = reason
            return
        self._running = True
        folder, keep = self.folder(), max(1, BACKUP_KEEP.read(self._ctx.settings))
        service = self._service
        self._runner.run(
            lambda: service.take(reason, folder, keep), on_done=self._done, on_error=self._failed
        )

    def _done(self, result: BackupResult) -> None:
        self._running = False
        self.last = result
        self.backupTaken.emit(result)
        self._next()

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        log.error("backup failed: %s", exc)
        self.backupFailed.emit(error_text(exc))
        self._next()

    def _next(self) -> None:
        queued, self._queued = self._queued, None
        if queued is not None:
            self.take(queued)

    def stop(self, wait_ms: int = 30_000) -> bool:
        """Stop scheduling; wait for a backup in progress (at close)."""
        self._timer.stop()
        self._first.stop()
        self._queued = None
        return self._runner.wait(wait_ms)
