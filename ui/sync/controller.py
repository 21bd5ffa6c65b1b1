"""The Sync action, the status-bar text, and the dialogs it opens (``ui.sync.dialogs``).

``SyncController`` is created by the main window. Sync runs on its own background thread
(SQLite's WAL lets the counter keep working meanwhile); the dialog shows progress and can
cancel between batches (what was done so far is kept). An interval (minutes, 0 = off)
starts a quiet sync without a dialog. The status-bar label shows online/offline, unsynced
operations (payments apart), the last successful sync and flagged items; clicking it
opens the flagged items, which a leader works through with their credential.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QToolBar,
)

from app.i18n import N_, _, format_datetime, ngettext, pgettext
from app.sync.service import SyncService
from app.sync.status import unencrypted
from ui.context import AppContext
from ui.errors import show_error

if TYPE_CHECKING:
    from app.sync.client import SyncReport
from ui.sync.dialogs import (
    UNENCRYPTED_WARNING,
    SyncConflictsDialog,
    SyncProgressDialog,
    SyncSettingsDialog,
)

SYNC_NOT_SET_UP = N_("Offline — sync not set up")
_STAGES = {"push": N_("Sending: {n}"), "pull": N_("Receiving: {n}"), "download": N_("Downloading")}


class _Relay(QObject):
    progress = Signal(str, int)
    done = Signal(object)
    failed = Signal(object)


class _SyncJob(QRunnable):
    def __init__(self, fn: Callable[[], SyncReport], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            report = self._fn()
        except BaseException as exc:  # reported on the GUI thread
            self._relay.failed.emit(exc)
            return
        self._relay.done.emit(report)


class SyncController(QObject):
    def __init__(self, window: QMainWindow, ctx: AppContext, label: QLabel) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.label = label
        self.service = ctx.service(SyncService)
        self.last_report: SyncReport | None = None
        self.last_error: BaseException | None = None
        self.dialog: SyncProgressDialog | None = None
        self._cancel = threading.Event()
        self._running = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay()
        self._relay.progress.connect(self._on_progress)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)

        self.sync_action = QAction(window)
        self.sync_action.setObjectName("actionSync")
        self.sync_action.setShortcut(QKeySequence("F9"))
        self.sync_action.triggered.connect(lambda *_a: self.start())
        window.addAction(self.sync_action)
        self.settings_action = QAction(window)
        self.settings_action.setObjectName("actionSyncSettings")
        self.settings_action.triggered.connect(lambda *_a: self.open_settings())
        self.conflicts_action = QAction(window)
        self.conflicts_action.setObjectName("actionSyncConflicts")
        self.conflicts_action.triggered.connect(lambda *_a: self.open_conflicts())
        self.toolbar = QToolBar(window)
        self.toolbar.setObjectName("syncToolBar")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.sync_action)
        window.addToolBar(self.toolbar)

        label.installEventFilter(self)
        label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.interval_timer = QTimer(self)
        self.interval_timer.timeout.connect(lambda: self.start(interactive=False))
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self.refresh)
        self.status_timer.start(30_000)
        self.apply_interval()

    def add_to_menu(self, menu: Any) -> None:
        """Put the sync actions at the top of ``menu`` (the File menu)."""
        actions = menu.actions()
        first = actions[0] if actions else None
        menu.insertActions(first, [self.sync_action, self.conflicts_action, self.settings_action])
        if first is not None:
            menu.insertSeparator(first)

    def apply_interval(self) -> None:
        minutes = self.service.interval_minutes()
        if minutes > 0:
            self.interval_timer.start(minutes * 60_000)
        else:
            self.interval_timer.stop()

    def retranslate_ui(self) -> None:
        self.sync_action.setText(_("S&ync with centre"))
        self.sync_action.setToolTip(_("Send this PC's work and receive the centre's (F9)"))
        self.settings_action.setText(_("Sync se&ttings…"))
        self.conflicts_action.setText(_("&Flagged by the centre…"))
        self.toolbar.setWindowTitle(_("Sync"))
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.label and event.type() == QEvent.Type.MouseButtonRelease:
            self.open_conflicts()
            return True
        return super().eventFilter(watched, event)

    # -- status ----------------------------------------------------------------------------

    def status_text(self) -> tuple[str, str]:
        status = self.service.status()
        if not status.enrolled:
            return _(SYNC_NOT_SET_UP), ""
        online = not status.last_error and status.last_success_at is not None
        parts = [pgettext("sync", "Online") if online else pgettext("sync", "Offline")]
        if status.pending:
            parts.append(
                ngettext(
                    "{n} unsynced ({payments} payments)",
                    "{n} unsynced ({payments} payments)",
                    status.pending,
                ).format(n=status.pending, payments=status.pending_payments)
            )
        else:
            parts.append(_("all synced"))
        if status.last_success_at is not None:
            parts.append(
                _("last sync {time}").format(
                    time=format_datetime(status.last_success_at, self.ctx.hall.timezone)
                )
            )
        if status.open_conflicts:
            parts.append(
                ngettext("{n} flagged", "{n} flagged", status.open_conflicts).format(
                    n=status.open_conflicts
                )
            )
        tip = status.last_error
        if unencrypted(status.url):
            parts.append(pgettext("sync", "⚠ not encrypted"))
            tip = "\n".join(t for t in (_(UNENCRYPTED_WARNING), tip) if t)
        return " · ".join(parts), tip

    @Slot()
    def refresh(self) -> None:
        try:
            text, tip = self.status_text()
        except Exception:  # the store is closing; the next refresh will do
            return
        self.label.setText(text)
        self.label.setToolTip(tip)

    # -- running ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    def start(self, *, interactive: bool = True) -> SyncProgressDialog | None:
        if self._running:
            return self.dialog
        if not self.service.status().enrolled:
            if interactive:
                self.open_settings()
            return None
        self._running = True
        self._cancel.clear()
        self.last_error = None
        if interactive:
            self.dialog = SyncProgressDialog(self._cancel.set, self.window)
            self.dialog.open()
        actor = self.ctx.actor
        relay = self._relay

        def work() -> SyncReport:
            return self.service.sync(
                actor, progress=relay.progress.emit, cancel=self._cancel.is_set
            )

        self._pool.start(_SyncJob(work, relay))
        return self.dialog

    def wait(self, msecs: int = 60_000) -> bool:
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 30_000) -> bool:
        """Stop the timers, ask a running sync to stop, and wait for it (window closing)."""
        self.status_timer.stop()
        self.interval_timer.stop()
        self._cancel.set()
        return self._pool.waitForDone(msecs)

    @Slot(str, int)
    def _on_progress(self, stage: str, n: int) -> None:
        if self.dialog is not None:
            self.dialog.label.setText(_(_STAGES.get(stage, "{n}")).format(n=n))

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.done(0)
            self.dialog = None

    @Slot(object)
    def _on_done(self, report: SyncReport) -> None:
        self._running = False
        self.last_report = report
        self._close_dialog()
        self.refresh()
        if report.pulled:
            from ui.complaints.fault_banner import notifier

            notifier().changed.emit()  # a notice issued or closed elsewhere shows at once
        message = _("Sync done: {pushed} sent, {pulled} received, {flagged} flagged.").format(
            pushed=report.pushed, pulled=report.pulled, flagged=report.flagged
        )
        lines = SyncService.report_lines(report)
        if lines:
            message += " " + " ".join(lines)
        self.window.statusBar().showMessage(message, 15_000)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._running = False
        self.last_error = exc
        was_interactive = self.dialog is not None
        self._close_dialog()
        self.refresh()
        if was_interactive:
            show_error(self.window, exc)

    def open_settings(self) -> SyncSettingsDialog:
        dialog = SyncSettingsDialog(self.ctx, self.window)
        dialog.accepted.connect(self.apply_interval)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def open_conflicts(self) -> SyncConflictsDialog:
        dialog = SyncConflictsDialog(self.ctx, self.window)
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog
