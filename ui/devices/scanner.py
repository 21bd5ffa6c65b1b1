"""The scanner as a keyboard, recognised wherever the focus is (an application-wide filter).

Every key press reaches the focused widget as usual, so a scan types into whatever field has
the focus, exactly as without HallDesk. ``ScannerFilter`` watches the same presses with
``app.devices.scanner.ScanDetector``; when Enter ends a scan and a route takes the code, the
Enter is kept from the widget, the field's text is put back as it was before the scan, and
the route acts (fills the payment reference, searches, opens the payment). A code no route
takes stays typed and its Enter goes through: the scanner stays a keyboard.

A route is a function of the ``Scan`` and the focus widget that returns the action to run,
or None when the code is not for it; the first that answers wins.

Key times come from the window system's event time stamps, so keys a busy GUI thread
handles late still show the person's pace; events without one (synthesised, as in tests)
are timed as they are handled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from app.devices.scanner import Scan, ScanDetector, classify
from app.devices.settings import ScannerSettings

ScanAction = Callable[[], None]
ScanRoute = Callable[[Scan, QWidget | None], ScanAction | None]

_ENTER_KEYS: Final = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MODIFIER_KEYS: Final = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_Meta,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)
_COMMAND_MODIFIERS: Final = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


@dataclass
class _Before:
    """Where the focused field's text stood when the burst began."""

    widget: QWidget | None
    text: str
    cursor: int

    def restore(self) -> None:
        widget = self.widget
        if isinstance(widget, QLineEdit):
            widget.setText(self.text)
            widget.setCursorPosition(self.cursor)
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            widget.setPlainText(self.text)
            cursor = widget.textCursor()
            cursor.setPosition(min(self.cursor, len(self.text)))
            widget.setTextCursor(cursor)


def _snapshot(widget: QWidget | None) -> _Before:
    if isinstance(widget, QLineEdit):
        return _Before(widget, widget.text(), widget.cursorPosition())
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return _Before(widget, widget.toPlainText(), widget.textCursor().position())
    return _Before(None, "", 0)


class ScannerFilter(QObject):
    """Installed on the application; tells scans from typing and hands them to routes."""

    scanned = Signal(object)  # Scan, once a route took it

    def __init__(
        self, settings: Callable[[], ScannerSettings], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.routes: list[ScanRoute] = []
        self._settings = settings
        self.detector = ScanDetector()
        self.apply()
        self._before = _Before(None, "", 0)

    def apply(self) -> None:
        """Take the settings as they are now (read again before each burst, so a change
        in the settings dialog applies at the next scan)."""
        settings = self._settings()
        self.enabled = settings.enabled
        self.detector.min_length = settings.min_length
        self.detector.max_interval_ms = settings.max_interval_ms

    def add_route(self, route: ScanRoute) -> None:
        self.routes.append(route)

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not self._first_delivery(watched):
            return False
        if not self.detector.burst:
            self.apply()
        if not self.enabled:
            return False
        key = event.key()
        if key in _MODIFIER_KEYS:
            return False
        at = float(event.timestamp()) or time.monotonic() * 1000
        text = event.text()
        if key in _ENTER_KEYS:
            code = self.detector.enter(at)
            return code is not None and self._scanned(code)
        if len(text) == 1 and text.isprintable() and not event.modifiers() & _COMMAND_MODIFIERS:
            focus = QApplication.focusWidget()
            if self.detector.key(text, at, autorepeat=event.isAutoRepeat()):
                self._before = _snapshot(focus)
            return False
        self.detector.other()
        return False

    @staticmethod
    def _first_delivery(watched: QObject) -> bool:
        """A key press is offered to the focus widget first, then to its parents: watch
        it once, at the focus widget (or the window when nothing has the focus)."""
        focus = QApplication.focusWidget()
        if focus is not None:
            return watched is focus
        return isinstance(watched, QWidget) and watched.isWindow()

    def _scanned(self, code: str) -> bool:
        scan = classify(code)
        focus = QApplication.focusWidget()
        for route in self.routes:
            action = route(scan, focus)
            if action is not None:
                if self._before.widget is focus:
                    self._before.restore()
                action()
                self.scanned.emit(scan)
                return True
        return False
