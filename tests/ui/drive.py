"""Driving real widgets from tests as a person would: keys on the focused widget (Han
characters as a Chinese input method commits them), mouse clicks on menus and buttons."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, Qt
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
