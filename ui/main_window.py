"""The main window: menus, one tab per area of counter work, and the status bar."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar, cast

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from app import __version__
from app.i18n import N_, _, format_datetime
from app.services.base import Actor, Clock, utc_now
from app.services.staff.auth import AuthService
from app.settings import IDLE_LOCK_MINUTES, SettingsBackend
from app.store.backup import BackupResult
from app.store.database import Store, db_path_from_url, head_revision, open_store
from app.store.models import Role
from ui.admin.menu import AdminMenu
from ui.backups import BackupScheduler
from ui.column_widths import keep_column_widths
from ui.complaints.fault_banner import install_fault_banner
from ui.context import AppContext
from ui.errors import show_error
from ui.function_keys import FunctionKeys
from ui.idle_lock import IdleLock, minutes_to_ms
from ui.login_dialog import counter_text
from ui.lookup.tab import LookupTab
from ui.qt_settings import QSettingsBackend
from ui.settings_dialog import SettingsDialog
from ui.shifts.status import ShiftStatusLabel
from ui.store_banner import install_store_banner
from ui.sync.controller import SyncController
from ui.widgets import fit_to_screen, role_text

log = logging.getLogger(__name__)

W = TypeVar("W", bound=QWidget)


@dataclass(frozen=True)
class TabSpec:
    """One area of counter work: its title (an ``N_`` msgid) and its tab class as
    ``"module:Class"``, imported when the tab is first shown (cold start stays small)."""

    title: str
    path: str

    def load(self) -> Callable[[AppContext], QWidget]:
        module, _sep, name = self.path.partition(":")
        return cast(Callable[[AppContext], QWidget], getattr(importlib.import_module(module), name))

    def is_of(self, kind: type[QWidget]) -> bool:
        return self.path == f"{kind.__module__}:{kind.__qualname__}"


#: The tabs in their order on screen (lookup, arrears, complaints, shift handover,
#: etiquette). A new area is one more line here; its View-menu entry and Ctrl+<n>
#: shortcut follow from its position. The first is built with the window, the others
#: when first shown (or asked for through ``MainWindow.tab``).
_SHIFT_TAB: Final = "ui.shifts.tab:ShiftTab"
TABS: Final[tuple[TabSpec, ...]] = (
    TabSpec(N_("Customer lookup"), "ui.lookup.tab:LookupTab"),
    TabSpec(N_("Arrears"), "ui.arrears.tab:ArrearsTab"),
    TabSpec(N_("Complaints"), "ui.complaints.tab:ComplaintsTab"),
    TabSpec(N_("Shift handover"), _SHIFT_TAB),
    TabSpec(N_("Service etiquette"), "ui.etiquette.tab:EtiquetteTab"),
)


class _NotYetBuilt(QWidget):
    """Stands in a tab's place until the tab is first shown."""

    def __init__(self, spec: TabSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("tabNotYetBuilt")


SYNC_NOT_SET_UP: Final = N_("Offline — sync not set up")
#: When the window starts the store's page check if nothing started it before.
CHECK_DELAY_MS: Final = 1000
_STATUS_STYLE: Final = """
QStatusBar { border-top: 1px solid #d0d0d0; }
QStatusBar::item { border: none; border-left: 1px solid #d0d0d0; }
QStatusBar QLabel { padding: 1px 10px; }
#syncStatus { color: #a15c00; }
#statusStaff { font-weight: bold; }
"""


class MainWindow(QMainWindow):
    """The logged-in workbench of one staff member.

    It owns ``ctx``: closing the window waits for background work and closes the store.
    ``log_out()`` closes it with ``logout_requested`` set, so the caller shows the login
    dialog again. ``idle_timeout_ms`` overrides the idle-lock setting (tests).
    """

    loggedOut = Signal()

    def __init__(
        self,
        ctx: AppContext,
        idle_timeout_ms: int | None = None,
        clock: Clock = utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.logout_requested = False
        self._clock = clock
        self._closed = False

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self._tab_specs: list[TabSpec] = list(TABS)
        for spec in self._tab_specs:
            self.tabs.addTab(_NotYetBuilt(spec), "")
        self.setCentralWidget(self.tabs)
        # The store's full page check, if the start did not begin it already (``run_gui``
        # does, before the login): payments wait for it, the store banner reports a
        # damaged store. Once the window is up, so the check's reads do not slow it.
        QTimer.singleShot(CHECK_DELAY_MS, ctx.store.health.start)
        self.store_banner = install_store_banner(self, ctx)
        self.fault_banner = install_fault_banner(self, ctx)
        self.column_widths = keep_column_widths(self, ctx)  # every table, per user

        self._build_actions()
        self.function_keys = FunctionKeys(self)
        self._build_menus()
        self.admin = AdminMenu(self)  # File → change password; Administration (leaders)
        self._build_status_bar()
        self.tab_at(0)
        self.tabs.currentChanged.connect(self.tab_at)
        self.sync = SyncController(self, ctx, self.sync_label)
        self.sync.add_to_menu(self.file_menu)
        self.backups = BackupScheduler(ctx, self)
        self.backups.backupFailed.connect(self.store_banner.show_backup_failed)
        self.backups.backupTaken.connect(self._backup_taken)
        from ui.devices.window import install_devices  # printer, drawer, scanner

        self.devices = install_devices(self, ctx, self.file_menu)

        if idle_timeout_ms is None:
            idle_timeout_ms = minutes_to_ms(IDLE_LOCK_MINUTES.read(ctx.settings))
        self.idle_lock = IdleLock(self, ctx.auth, ctx.actor, idle_timeout_ms)
        self.idle_lock.logout_requested.connect(self.log_out)

        self._clock_timer = QTimer(self)
        self._clock_timer.setSingleShot(True)
        self._clock_timer.timeout.connect(self._tick)
        self._tick()

        self._restore_geometry()
        self.retranslate_ui()

    # -- construction -----------------------------------------------------------------------

    def _action(
        self,
        name: str,
        slot: Callable[..., object],
        *shortcuts: QKeySequence | QKeySequence.StandardKey | str,
    ) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.settings_action = self._action("actionSettings", self.open_settings)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.lock_action = self._action("actionLock", self.idle_lock_now, "Ctrl+L")
        self.logout_action = self._action("actionLogOut", self.log_out)
        self.quit_action = self._action("actionQuit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.tab_actions: list[QAction] = []
        for position in range(len(self._tab_specs)):
            shortcut = f"Ctrl+{position + 1}" if position < 9 else ""
            action = self._action(
                f"actionTab{position + 1}",
                self._tab_switcher(position),
                *([shortcut] if shortcut else []),
            )
            self.tab_actions.append(action)
        self.find_action = self._action(
            "actionFindCustomer", self.find_customer, QKeySequence.StandardKey.Find, "F3"
        )
        self.policy_action = self._action("actionArrearsPolicy", self.open_arrears_policy)
        self.policy_action.setVisible(self.ctx.actor.role == Role.ADMIN)
        self.export_sms_action = self._action("actionExportSms", self.export_sms)
        self.export_report_action = self._action("actionExportReport", self.open_reports, "Ctrl+R")
        self.export_report_action.setVisible(self.ctx.actor.is_leader)
        self.shortcuts_action = self._action("actionShortcuts", self.show_shortcuts)
        self.about_action = self._action("actionAbout", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _tab_switcher(self, position: int) -> Callable[..., None]:
        # A closure, not a lambda with a default: triggered(bool) would fill that default.
        def switch(*_signal_args: object) -> None:
            self.tabs.setCurrentIndex(position)

        return switch

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = QMenu(bar)
        self.file_menu.setObjectName("menuFile")
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addAction(self.logout_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = QMenu(bar)
        self.view_menu.setObjectName("menuView")
        for action in self.tab_actions:
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.find_action)
        self.counter_menu = QMenu(bar)
        self.counter_menu.setObjectName("menuCounter")
        keys = self.function_keys
        for action in (
            keys.pay_action,
            keys.complaint_action,
            keys.verify_action,
            keys.self_check_action,
            keys.x_report_action,
        ):
            self.counter_menu.addAction(action)
        self.arrears_menu = QMenu(bar)
        self.arrears_menu.setObjectName("menuArrears")
        self.arrears_menu.addAction(self.export_sms_action)
        self.arrears_menu.addAction(self.policy_action)
        self.reports_menu = QMenu(bar)
        self.reports_menu.setObjectName("menuReports")
        self.reports_menu.addAction(self.export_report_action)
        self.help_menu = QMenu(bar)
        self.help_menu.setObjectName("menuHelp")
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)
        for menu in (
            self.file_menu,
            self.view_menu,
            self.counter_menu,
            self.arrears_menu,
            self.reports_menu,
            self.help_menu,
        ):
            bar.addMenu(menu)
        self.reports_menu.menuAction().setVisible(self.ctx.actor.is_leader)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("mainStatusBar")
        status.setStyleSheet(_STATUS_STYLE)
        self.hall_label = QLabel(status)
        self.hall_label.setObjectName("statusHall")
        self.counter_label = QLabel(status)
        self.counter_label.setObjectName("statusCounter")
        self.staff_label = QLabel(status)
        self.staff_label.setObjectName("statusStaff")
        self.shift_label = ShiftStatusLabel(self.ctx, status)
        self.sync_label = QLabel(status)
        self.sync_label.setObjectName("syncStatus")
        self.clock_label = QLabel(status)
        self.clock_label.setObjectName("statusClock")
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for label in (
            self.hall_label,
            self.counter_label,
            self.staff_label,
            self.shift_label,
            self.sync_label,
            self.clock_label,
        ):
            status.addPermanentWidget(label)

    # -- language -----------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        ctx = self.ctx
        self.setWindowTitle(_("HallDesk 营业厅柜台工作台 — {hall}").format(hall=ctx.hall.name))
        self.file_menu.setTitle(_("&File"))
        self.view_menu.setTitle(_("&View"))
        self.counter_menu.setTitle(_("&Counter"))
        self.function_keys.retranslate_ui()
        self.help_menu.setTitle(_("&Help"))
        self.settings_action.setText(_("&Settings…"))
        self.lock_action.setText(_("&Lock counter"))
        self.logout_action.setText(_("Log &out"))
        self.quit_action.setText(_("&Quit"))
        self.find_action.setText(_("&Find customer"))
        self.arrears_menu.setTitle(_("&Arrears"))
        self.export_sms_action.setText(_("&Export SMS batch…"))
        self.policy_action.setText(_("Arrears &policy…"))
        self.admin.retranslate_ui()
        self.reports_menu.setTitle(_("&Reports"))
        self.export_report_action.setText(_("&Leader's reports and Excel export…"))
        self.shortcuts_action.setText(_("&Keyboard shortcuts"))
        self.about_action.setText(_("&About HallDesk"))
        for position, spec in enumerate(self._tab_specs):
            title = _(spec.title)
            self.tabs.setTabText(position, title)
            self.tab_actions[position].setText(title)
        self.hall_label.setText(ctx.hall.name)
        self.hall_label.setToolTip(ctx.hall.address)
        self.counter_label.setText(counter_text(ctx.hall))
        self.staff_label.setText(
            _("{staff_no} {name} · {role}").format(
                staff_no=ctx.actor.staff_no, name=ctx.actor.name, role=role_text(ctx.actor.role)
            )
        )
        self.sync.retranslate_ui()  # the sync label: online/offline, unsynced, last sync
        self.clock_label.setToolTip(_("Hall time ({timezone})").format(timezone=ctx.hall.timezone))
        self._update_clock()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- the clock ----------------------------------------------------------------------------

    def _update_clock(self) -> None:
        text = format_datetime(self._clock(), self.ctx.hall.timezone, fmt="medium")
        self.clock_label.setText(text)
        # Sized for the widest text so far, so the status bar does not jitter each second.
        width = self.clock_label.fontMetrics().horizontalAdvance(text + "  ")
        if width > self.clock_label.minimumWidth():
            self.clock_label.setMinimumWidth(width)

    @Slot()
    def _tick(self) -> None:
        self._update_clock()
        # Re-armed each second, aligned to the wall clock's second boundary.
        millis = self._clock().microsecond // 1000
        self._clock_timer.start(1000 - millis)

    # -- commands -----------------------------------------------------------------------------

    @Slot(int)
    def tab_at(self, position: int) -> QWidget:
        """The tab at ``position``, built now if it has not been shown yet."""
        widget = self.tabs.widget(position)
        if not isinstance(widget, _NotYetBuilt):
            return widget
        built = widget.spec.load()(self.ctx)
        with QSignalBlocker(self.tabs):
            current = self.tabs.currentIndex()
            self.tabs.removeTab(position)
            self.tabs.insertTab(position, built, _(widget.spec.title))
            self.tabs.setCurrentIndex(current)
        widget.deleteLater()
        self._tab_built(widget.spec, built)
        return built

    def _tab_built(self, spec: TabSpec, tab: QWidget) -> None:
        if spec.path != _SHIFT_TAB:  # its module loads when it is built, not before
            return
        from ui.shifts.tab import ShiftTab

        if isinstance(tab, ShiftTab):
            tab.reloaded.connect(self.shift_label.refresh)
            tab.shiftClosed.connect(self.backups.after_shift_close)

    @Slot(object)
    def _backup_taken(self, result: BackupResult) -> None:
        self.store_banner.clear_backup_failed()
        self.statusBar().showMessage(
            _("Backup taken: {path}").format(path=result.backup.path), 10_000
        )

    def tab(self, kind: type[W]) -> W | None:
        """The tab of class ``kind`` (built if not yet shown), if that area is present."""
        for position, spec in enumerate(self._tab_specs):
            if spec.is_of(kind):
                widget = self.tab_at(position)
                return widget if isinstance(widget, kind) else None
        return None

    @Slot()
    def find_customer(self) -> None:
        """Show the lookup tab with the cursor in its search box (Ctrl+F, F3)."""
        lookup = self.tab(LookupTab)
        if lookup is not None:
            self.tabs.setCurrentWidget(lookup)
            lookup.focus_search()

    @Slot()
    def open_arrears_policy(self) -> QDialog | None:
        """The arrears policy editor (administrators only; the service checks again)."""
        if self.ctx.actor.role != Role.ADMIN:
            return None
        from ui.arrears.policy_dialog import PolicyDialog

        try:
            dialog = PolicyDialog(self.ctx, self)
        except Exception as exc:
            show_error(self, exc)
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot()
    def export_sms(self) -> None:
        """Show the arrears tab and export the pending reminder SMS to a CSV batch."""
        from ui.arrears.tab import ArrearsTab

        arrears = self.tab(ArrearsTab)
        if arrears is not None:
            self.tabs.setCurrentWidget(arrears)
            arrears.export_sms()

    @Slot()
    def open_reports(self) -> QDialog | None:
        """The leader's reports: choose one and a period, see it, print it, export it to
        Excel (shift leaders and administrators; the service checks again)."""
        if not self.ctx.actor.is_leader:
            return None
        from ui.reports.dialog import ExportReportDialog

        dialog = ExportReportDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot()
    def idle_lock_now(self) -> None:
        self.idle_lock.lock()

    @Slot()
    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (window-modal); returns it, for tests."""
        dialog = SettingsDialog(self.ctx.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._settings_changed)
        dialog.open()
        return dialog

    @Slot()
    def _settings_changed(self) -> None:
        self.idle_lock.set_timeout_ms(minutes_to_ms(IDLE_LOCK_MINUTES.read(self.ctx.settings)))

    @Slot()
    def log_out(self) -> None:
        """Close the window and hand the counter back to the login dialog."""
        self.logout_requested = True
        self.close()

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(command, keys) for every command that has a keyboard shortcut."""
        rows = []
        for action in self.actions():
            keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
            if keys:
                rows.append((action.text().replace("&", ""), " / ".join(keys)))
        return rows

    @Slot()
    def show_shortcuts(self) -> QMessageBox:
        """The keyboard model's rules, then every command's keys (``ui.function_keys``)."""
        return self.function_keys.show_shortcuts(self.shortcut_rows())

    def about_text(self) -> str:
        from app import logs, paths

        path = db_path_from_url(self.ctx.store.url)
        last_sync = self.sync.service.status().last_success_at
        return _(
            "HallDesk {version}\n"
            "The counter workbench of a telecom business hall.\n\n"
            "Hall: {hall} ({hall_code})\n"
            "Device: {device}\n"
            "Data file: {path}\n"
            "Database schema: {revision}\n"
            "Data folder: {data_dir}\n"
            "Log file: {log_file}\n"
            "Last sync: {last_sync}"
        ).format(
            version=__version__,
            hall=self.ctx.hall.name,
            hall_code=self.ctx.hall.code,
            device=self.ctx.hall.device_code,
            path=str(path) if path is not None else self.ctx.store.engine.url.render_as_string(),
            revision=head_revision(),
            data_dir=paths.user_data_dir(),
            log_file=logs.log_file(),
            last_sync=(
                format_datetime(last_sync, self.ctx.hall.timezone)
                if last_sync
                else _("never synced")
            ),
        )

    @Slot()
    def show_about(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Information, _("About HallDesk"), self.about_text(), parent=self
        )
        box.setObjectName("aboutDialog")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setStyleSheet("QLabel#qt_msgbox_label { min-width: 420px; }")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # -- window state and shutdown -------------------------------------------------------

    def _restore_geometry(self) -> None:
        settings = self.ctx.settings
        state = settings.window_state("main") if isinstance(settings, QSettingsBackend) else None
        if state is None or not self.restoreGeometry(state):
            fit_to_screen(self, QSize(1280, 800))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        self._closed = True
        if isinstance(self.ctx.settings, QSettingsBackend):
            self.ctx.settings.set_window_state("main", self.saveGeometry())
        self._clock_timer.stop()
        self.idle_lock.stop()
        if not self.sync.shutdown():
            log.warning("sync still running at close")
        if not self.backups.stop():
            log.warning("a backup still running at close")
        if not self.ctx.tasks.wait():
            log.warning("background work still running at close")
        self.ctx.store.close()
        super().closeEvent(event)
        if self.logout_requested:
            self.loggedOut.emit()


def create_main_window(
    store: Store, actor: Actor, settings: SettingsBackend, idle_timeout_ms: int | None = None
) -> MainWindow:
    """The main window for ``actor`` over an opened store (it takes ownership of it)."""
    return MainWindow(AppContext.create(store, actor, settings), idle_timeout_ms=idle_timeout_ms)


def build_main_window(db_url: str, staff_no: str) -> MainWindow:
    """The main window logged in as ``staff_no``, without the login dialog.

    For tests and scripted use: creates the application if there is none (fonts and the
    saved language included), opens and migrates the store, and settles preferences in
    QSettings. The window is not shown.
    """
    from ui.qt_app import ensure_application

    ensure_application()
    store = open_store(db_url)
    try:
        actor = AuthService(store).actor_for(staff_no)
        return create_main_window(store, actor, QSettingsBackend())
    except BaseException:
        store.close()
        raise
