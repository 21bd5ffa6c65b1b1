"""Every tab and the window fit a 1366×768 screen with a 40 px panel (1366×728 available),
in both languages; the first start sizes the window to the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.services.staff.auth import AuthService
from app.store.database import Store
from ui.context import AppContext
from ui.language import apply_language
from ui.main_window import TABS, MainWindow
from ui.qt_settings import QSettingsBackend

#: The available geometry of a 1366×768 screen under a 40 px panel, less the window
#: manager's title bar and borders (about 30 px and 2×4 px).
FIT_WIDTH, FIT_HEIGHT = 1366 - 8, 728 - 34


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_tab_fits_1366x728(qtbot: QtBot, window: MainWindow, language: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_language(app, language)
    for position in range(len(TABS)):
        window.tabs.setCurrentIndex(position)
        qtbot.wait(50)
        hint = window.minimumSizeHint().expandedTo(window.minimumSize())
        tab = window.tabs.widget(position)
        assert hint.width() <= FIT_WIDTH and hint.height() <= FIT_HEIGHT, (
            language,
            tab.objectName(),
            hint,
            QApplication.font().toString(),
            [
                (w.objectName(), w.minimumSizeHint().height())
                for w in tab.findChildren(QWidget)
                if w.isVisible() and w.minimumSizeHint().height() > 200
            ],
        )
    apply_language(app, i18n.DEFAULT_LANGUAGE)


def test_tab_leaves_every_table_of_every_tab(qtbot: QtBot, window: MainWindow) -> None:
    """Every table of every tab lets Tab go (the arrows move inside it): each shown table
    is focused and Tab pressed in it; every other one is polished as before its showing."""
    left: list[str] = []
    for position in range(len(TABS)):
        window.tabs.setCurrentIndex(position)
        qtbot.wait(30)
        for view in window.tabs.widget(position).findChildren(QAbstractItemView):
            if not (view.isVisible() and view.focusPolicy() & Qt.FocusPolicy.TabFocus):
                continue
            view.setFocus(Qt.FocusReason.OtherFocusReason)
            qtbot.waitUntil(view.hasFocus, timeout=2000)
            qtbot.keyClick(view, Qt.Key.Key_Tab)
            assert not view.hasFocus(), view.objectName()
            left.append(view.objectName())
    assert {"lookupResults", "arrearsWorklist", "complaintWorklist"} <= set(left)
    views = window.findChildren(QAbstractItemView)
    for view in views:
        view.ensurePolished()
    trapped = [v.objectName() or type(v).__name__ for v in views if v.tabKeyNavigation()]
    assert trapped == []


def test_the_first_start_fits_the_window_to_the_screen(qtbot: QtBot, store: Store) -> None:
    """No saved geometry: a screen smaller than the preferred 1280×800 plus a frame gets a
    maximised window inside its available geometry (the status bar on screen)."""
    ctx = AppContext.create(store, AuthService(store).actor_for("A001"), QSettingsBackend())
    window = MainWindow(ctx, idle_timeout_ms=0)
    qtbot.addWidget(window)
    screen = window.screen().availableGeometry()
    assert screen.height() < 800 + 40  # the offscreen platform's screen is small
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert window.width() <= screen.width() and window.height() <= screen.height()
