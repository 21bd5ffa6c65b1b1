"""What the main window's helpers (the function keys, the administration menu) use of it,
named as a Protocol so that they, which ``ui.main_window`` imports, never import it back
(the architecture test refuses the circle)."""

from __future__ import annotations

from typing import Protocol, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMenuBar, QStatusBar, QTabWidget, QWidget

from ui.context import AppContext

W = TypeVar("W", bound=QWidget)


class WindowHost(Protocol):
    """The parts of ``ui.main_window.MainWindow`` its helpers reach."""

    ctx: AppContext
    tabs: QTabWidget
    file_menu: QMenu
    help_menu: QMenu
    settings_action: QAction

    def tab(self, kind: type[W]) -> W | None: ...
    def find_customer(self) -> None: ...
    def retranslate_ui(self) -> None: ...
    # Qt's own names:
    def menuBar(self) -> QMenuBar: ...
    def statusBar(self) -> QStatusBar: ...
    def addAction(self, action: QAction) -> None: ...
    def activateWindow(self) -> None: ...
    def installEventFilter(self, watcher: QObject) -> None: ...
