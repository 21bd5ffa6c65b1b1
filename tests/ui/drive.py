"""Driving real widgets from tests as a person would: keys on the focused widget (Han
characters as a Chinese input method commits them), mouse clicks on menus and buttons, and
the same in a dialog the program runs modally (``driving_modal``)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu, QWidget
from pytestqt.qtbot import QtBot


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard"
    return widget


def wait_focus(qtbot: QtBot, widget: QWidget | None, timeout: int = 5000) -> None:
    """The window that just opened is active and ``widget`` has the keyboard."""
    assert widget is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=timeout)


def type_in(qtbot: QtBot, text: str) -> None:
    """Type into the focused widget: ASCII as key presses, anything else as a Chinese
    input method commits it (QTest has no keys for Han characters)."""
    widget = focused()
    for part in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if part.isascii():
            qtbot.keyClicks(widget, part)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(part)
            QApplication.sendEvent(widget, event)


def press(
    qtbot: QtBot,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    qtbot.keyClick(focused(), key, modifier)


def visible(name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    return None


def run_gui_driven(
    db: Path, step: Callable[[], None], *, every_ms: int = 20, within_ms: int = 30000
) -> None:
    """The real program (``ui.app.run_gui``) on the store ``db``, with ``step`` called on
    the GUI thread every ``every_ms`` to play the person at the keyboard; a watchdog quits
    the program after ``within_ms`` so that a start that hangs never hangs the suite. The
    program must end with 0."""
    from ui.app import run_gui

    driver = QTimer()
    driver.timeout.connect(step)
    driver.start(every_ms)
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(QApplication.exit)
    watchdog.start(within_ms)
    try:
        assert run_gui(db) == 0
    finally:
        watchdog.stop()
        driver.stop()


def gone(qtbot: QtBot, name: str, timeout: int = 10000) -> None:
    qtbot.waitUntil(lambda: visible(name) is None, timeout=timeout)


def top_dialog(name: str) -> QDialog:
    found = visible(name)
    assert isinstance(found, QDialog), f"no visible {name}"
    return found


def wait_dialog(qtbot: QtBot, name: str, timeout: int = 10000) -> QDialog:
    qtbot.waitUntil(lambda: isinstance(visible(name), QDialog), timeout=timeout)
    return top_dialog(name)


def click(qtbot: QtBot, widget: QWidget | None) -> None:
    assert widget is not None
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose_from_menu(qtbot: QtBot, window: QMainWindow, menu_name: str, action_name: str) -> None:
    """Click the menu's title in the menu bar, then the action in the menu that opened."""
    menu = window.findChild(QMenu, menu_name)
    assert menu is not None, menu_name
    bar = window.menuBar()
    title = bar.actionGeometry(menu.menuAction())
    assert title.isValid(), f"{menu_name} is not in the menu bar"
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=title.center())
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    action = next(a for a in menu.actions() if a.objectName() == action_name)
    assert isinstance(action, QAction) and action.isVisible() and action.isEnabled()
    where: QPoint = menu.actionGeometry(action).center()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=where)


#: What a script driving a modal dialog yields: a condition to wait for. The script goes on
#: once it holds, and the ``yield`` gives back the condition's (truthy) value.
Wait = Callable[[], object]


def click_into(qtbot: QtBot, widget: QWidget | None) -> Wait:
    """Click a field; the condition that it then has the keyboard (``yield`` it)."""
    assert widget is not None
    click(qtbot, widget)
    return lambda: QApplication.focusWidget() is widget


class _ModalScript:
    """Advances a script from a timer, one condition at a time (see ``driving_modal``)."""

    def __init__(self, script: Generator[Wait, object, None], timeout: int) -> None:
        self.script = script
        self.timeout_s = timeout / 1000
        self.waiting: Wait | None = None
        self.deadline = time.monotonic() + self.timeout_s
        self.done = False
        self.running = False
        self.error: BaseException | None = None
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        # A step that clicks open another modal dialog blocks inside that click while the
        # timer keeps firing in the dialog's event loop: the script is not re-entered.
        if self.running or self.done:
            return
        self.running = True
        try:
            value: object = None
            if self.waiting is not None:
                value = self.waiting()
                if not value:
                    if time.monotonic() > self.deadline:
                        raise TimeoutError(f"waited {self.timeout_s:.0f} s in a modal dialog")
                    return
            self.waiting = self.script.send(value)
            self.deadline = time.monotonic() + self.timeout_s
        except StopIteration:
            self.done = True
        except BaseException as exc:
            self.error, self.done = exc, True
            self._close_modals()
        finally:
            self.running = False

    @staticmethod
    def _close_modals() -> None:
        """After a failure: close the modal dialogs, so their ``exec`` returns to the test."""
        for _attempt in range(10):
            modal = QApplication.activeModalWidget()
            if modal is None:
                return
            if isinstance(modal, QDialog):
                modal.done(QDialog.DialogCode.Rejected)
            else:
                modal.close()


@contextmanager
def driving_modal(
    qtbot: QtBot, script: Generator[Wait, object, None], timeout: int = 20000
) -> Iterator[None]:
    """Run ``script`` while the body opens a dialog the program runs with ``exec()``.

    ``exec`` returns only when the dialog closes, so what the person types and clicks in it
    cannot come from the test's next line: a timer runs the script, which uses the same
    keys and clicks as any other step and ``yield``s a condition whenever it must wait
    (the dialog showing, a field getting the keyboard, a check's answer). The body's click
    returns when the dialog has closed; leaving the body waits for the script's end and
    raises what failed in it. A failing script, or a condition still false after
    ``timeout`` ms, closes the modal dialogs so the test fails instead of hanging.
    """
    driver = _ModalScript(script, timeout)
    try:
        yield
        qtbot.waitUntil(lambda: driver.done, timeout=timeout)
    finally:
        driver.timer.stop()
        if not driver.done:
            driver.script.close()
    if driver.error is not None:
        raise driver.error
