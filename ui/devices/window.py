"""The devices in the main window: the no-sale drawer command, the scanner, the messages.

``install_devices`` is the one call the main window makes: it builds the window's device
controller (so cash movements open the drawer from the start), adds "Open cash drawer…"
(Ctrl+Shift+D) to the File menu, installs the scanner's application-wide filter with the
counter's routes, shows a drawer that did not open in the status bar, and waits for the
device thread when the window closes.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from app.i18n import _
from ui.context import AppContext
from ui.devices.controller import DeviceController, devices_of
from ui.devices.routes import add_routes
from ui.devices.scanner import ScannerFilter

OPEN_DRAWER_SHORTCUT: Final = "Ctrl+Shift+D"
#: How long the status bar shows that the drawer did not open (ms).
MESSAGE_MS: Final = 15_000


class WindowDevices(QObject):
    """The window's device parts; lives as long as the window (its child)."""

    def __init__(self, window: QMainWindow, ctx: AppContext, menu: QMenu | None) -> None:
        super().__init__(window)
        self.setObjectName("windowDevices")
        self._window = window
        self._ctx = ctx
        self.controller: DeviceController = devices_of(ctx)
        self.open_drawer_action = QAction(window)
        self.open_drawer_action.setObjectName("actionOpenDrawer")
        self.open_drawer_action.setShortcut(QKeySequence(OPEN_DRAWER_SHORTCUT))
        self.open_drawer_action.triggered.connect(lambda *_a: self.open_drawer())
        window.addAction(self.open_drawer_action)
        if menu is not None:
            actions = menu.actions()
            menu.insertAction(actions[1] if len(actions) > 1 else None, self.open_drawer_action)
        self.scanner = ScannerFilter(self.controller.scanner_settings, self)
        add_routes(self.scanner, ctx)
        self.scanner.install()
        self.controller.drawerFailed.connect(self._drawer_failed)
        window.installEventFilter(self)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.open_drawer_action.setText(_("Open cash &drawer…"))
        self.open_drawer_action.setToolTip(_("Open the drawer without a sale (with a reason)"))

    def open_drawer(self) -> object:
        from ui.devices.drawer_dialog import open_no_sale_dialog

        return open_no_sale_dialog(self._ctx, self._window)

    def _drawer_failed(self, text: str) -> None:
        self._window.statusBar().showMessage(
            _("The cash drawer did not open: {reason}").format(reason=text), MESSAGE_MS
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window:
            if event.type() == QEvent.Type.LanguageChange:
                self.retranslate_ui()
            elif event.type() == QEvent.Type.Close:
                self.scanner.uninstall()
                self.controller.wait()
        return False


def install_devices(window: QMainWindow, ctx: AppContext, menu: QMenu | None) -> WindowDevices:
    """Give ``window`` the counter's devices (see the module docstring)."""
    return WindowDevices(window, ctx, menu)
