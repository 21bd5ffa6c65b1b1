"""Drive the workbench with the keyboard only, and count the key actions.

Every action goes to ``QApplication.focusWidget()`` (or, when no widget has the focus, to
the active window), exactly where a real key press would go: no mouse, no slot called
directly, no ``setFocus``. An action is one key (with its modifiers) or one piece of typing
(a customer's number or name, a password, a whole amount), as issue 15 counts them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot


class Keys:
    """Sends key actions to the focused widget and counts them."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0
        self.log: list[str] = []

    def target(self) -> QWidget:
        focused = QApplication.focusWidget()
        if focused is not None:
            return focused
        active = QApplication.activeWindow()
        assert active is not None, "no widget has the focus and no window is active"
        return active

    def focused_name(self) -> str:
        focused = QApplication.focusWidget()
        return focused.objectName() if focused is not None else ""

    def press(
        self,
        key: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
        name: str = "",
    ) -> None:
        """One key action."""
        target = self.target()
        self.count += 1
        self.log.append(f"{name or key.name} -> {target.objectName() or type(target).__name__}")
        self.qtbot.keyClick(target, key, modifier)
        self.settle()

    def type(self, text: str) -> None:
        """One typing action (the whole text)."""
        target = self.target()
        self.count += 1
        self.log.append(f"type {text!r} -> {target.objectName() or type(target).__name__}")
        self.qtbot.keyClicks(target, text)
        self.settle()

    def enter(self) -> None:
        self.press(Qt.Key.Key_Return, name="Enter")

    def settle(self) -> None:
        """Let posted events run (focus moves, single-shot timers of zero delay)."""
        self.qtbot.wait(30)

    def wait_for(self, condition: Callable[[], object], timeout: int = 20000) -> None:
        """Wait (not a key action) for background work: a task worker, a print."""
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)
        self.settle()

    def wait_focus(self, name: str, timeout: int = 10000) -> None:
        """Wait until the widget named ``name`` has the focus (the model put it there)."""
        try:
            self.wait_for(lambda: self.focused_name() == name, timeout)
        except Exception as exc:
            raise AssertionError(
                f"focus on {self.focused_name()!r}, not {name!r}, after {self.log}"
            ) from exc
