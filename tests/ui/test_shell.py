"""The shell of the workbench: login, main window, language switch, idle lock, start-up."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app import __version__, i18n
from app.i18n import N_, _
from app.services.hall import HallInfo, HallService
from app.services.staff.auth import MAX_FAILED_LOGINS, AuthService
from app.settings import IDLE_LOCK_MINUTES, LANGUAGE, LAST_STAFF_NO, RECEIPT_ARCHIVE_DIR
from app.store.database import Store, head_revision, open_store, sqlite_url
from tests.ui.drive import visible
from ui.context import AppContext
from ui.fonts import register_bundled_fonts
from ui.idle_lock import IdleLockDialog
from ui.login_dialog import LoginDialog
from ui.lookup.tab import LookupTab
from ui.main_window import MainWindow, build_main_window, create_main_window
from ui.qt_settings import QSettingsBackend
from ui.settings_dialog import SettingsDialog

HAN = re.compile(r"[\u4e00-\u9fff]")
CLERK = "A001"
PASSWORD = "demo"


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(demo_db_copy))
    yield opened
    opened.close()


@pytest.fixture
def hall(store: Store) -> HallInfo:
    return HallService(store).info()


@pytest.fixture
def settings() -> QSettingsBackend:
    return QSettingsBackend()


@pytest.fixture
def login(qtbot: QtBot, store: Store, hall: HallInfo, settings: QSettingsBackend) -> LoginDialog:
    dialog = LoginDialog(AuthService(store), hall, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def make_window(
    qtbot: QtBot,
    store: Store,
    settings: QSettingsBackend,
    idle_timeout_ms: int = 0,
    clock: Callable[[], datetime] | None = None,
) -> MainWindow:
    actor = AuthService(store).actor_for(CLERK)
    ctx = AppContext.create(store, actor, settings)
    if clock is None:
        window = MainWindow(ctx, idle_timeout_ms=idle_timeout_ms)
    else:
        window = MainWindow(ctx, idle_timeout_ms=idle_timeout_ms, clock=clock)
    qtbot.addWidget(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, store: Store, settings: QSettingsBackend) -> MainWindow:
    win = make_window(qtbot, store, settings)
    win.show()
    qtbot.waitExposed(win)
    return win


def enter(dialog: LoginDialog, staff_no: str, password: str) -> str:
    dialog.staff_no.setText(staff_no)
    dialog.password.setText(password)
    dialog.login_button.click()
    return dialog.message.text()


# -- login ----------------------------------------------------------------------------------


def test_login_with_the_demo_clerk_opens_the_workbench(
    qtbot: QtBot, login: LoginDialog, store: Store, settings: QSettingsBackend
) -> None:
    assert login.objectName() == "loginDialog"
    assert login.findChild(QLineEdit, "loginStaffNo") is login.staff_no
    assert login.findChild(QLineEdit, "loginPassword") is login.password
    with qtbot.waitSignal(login.accepted):
        enter(login, CLERK.lower(), PASSWORD)
    assert login.actor is not None and login.actor.staff_no == CLERK
    assert LAST_STAFF_NO.read(settings) == CLERK

    window = create_main_window(store, login.actor, settings, idle_timeout_ms=0)
    qtbot.addWidget(window)
    window.show()
    tabs = window.findChild(QWidget, "mainTabs")
    assert tabs is window.tabs
    assert window.tabs.widget(0).objectName() == "lookupTab"
    # The other tabs are built when first shown: the cold start imports and queries less.
    later = [window.tabs.widget(i).objectName() for i in range(1, window.tabs.count())]
    assert later == ["tabNotYetBuilt"] * 4
    # Showing a tab builds it in its place, once; every area is there in its fixed order.
    window.tabs.setCurrentIndex(2)
    complaints = window.tabs.widget(2)
    assert complaints.objectName() == "complaintsTab" and complaints.isVisible()
    assert window.tabs.currentIndex() == 2 and window.tabs.tabText(2) == _("Complaints")
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentIndex(2)
    assert window.tabs.widget(2) is complaints
    names = [window.tab_at(i).objectName() for i in range(window.tabs.count())]
    assert names == ["lookupTab", "arrearsTab", "complaintsTab", "shiftTab", "etiquetteTab"]
    assert window.tabs.currentIndex() == 2


def test_login_shows_hall_counter_and_demo_note(login: LoginDialog, hall: HallInfo) -> None:
    assert login._hall_value.text() == hall.name
    assert hall.counter_code in login._counter_value.text()
    assert hall.is_demo
    assert login._demo_note.isVisible()
    assert "A001" in login._demo_note.text()


def test_last_staff_number_is_prefilled(
    qtbot: QtBot, store: Store, hall: HallInfo, settings: QSettingsBackend
) -> None:
    LAST_STAFF_NO.write(settings, "L001")
    dialog = LoginDialog(AuthService(store), hall, settings)
    qtbot.addWidget(dialog)
    assert dialog.staff_no.text() == "L001"


def test_wrong_password_says_so_in_chinese_with_attempts_left(login: LoginDialog) -> None:
    text = enter(login, CLERK, "wrong")
    assert login.actor is None and login.isVisible()
    assert HAN.search(text), text
    assert str(MAX_FAILED_LOGINS - 1) in text
    assert login.password.text() == ""
    assert login.findChild(QWidget, "loginMessage") is login.message


def test_five_failures_lock_the_account(login: LoginDialog) -> None:
    for attempt in range(1, MAX_FAILED_LOGINS):
        assert str(MAX_FAILED_LOGINS - attempt) in enter(login, CLERK, "wrong")
    locked = enter(login, CLERK, "wrong")
    assert "15" in locked and HAN.search(locked)
    assert enter(login, CLERK, PASSWORD) == locked  # even the right password is refused now
    assert login.actor is None


def test_empty_staff_number_names_that_field(login: LoginDialog) -> None:
    text = enter(login, "  ", PASSWORD)
    assert text == _("Enter your staff number.")
    assert login.staff_no.property("invalid") is True
    assert not login.password.property("invalid")
    assert login.staff_no.hasFocus() or not login.isActiveWindow()
    login.staff_no.setText("A001")
    assert enter(login, CLERK, "") == _("Enter your password.")
    assert login.password.property("invalid") is True


def test_language_box_on_login_switches_at_once(
    qtbot: QtBot, login: LoginDialog, settings: QSettingsBackend
) -> None:
    zh_button = login.login_button.text()
    enter(login, CLERK, "wrong")
    login._language.setCurrentIndex(login._language.findData("en"))
    qtbot.waitUntil(lambda: login.login_button.text() == "Log in")
    assert zh_button != "Log in"
    assert login.message.text().startswith("Unknown staff number or wrong password.")
    assert LANGUAGE.read(settings) == "en"


# -- main window ----------------------------------------------------------------------------


def test_language_switch_retranslates_menus_and_tabs(qtbot: QtBot, window: MainWindow) -> None:
    zh_file, zh_tab = window.file_menu.title(), window.tabs.tabText(0)
    assert HAN.search(zh_file) and HAN.search(zh_tab)
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog) and dialog.objectName() == "settingsDialog"

    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File")
    assert window.tabs.tabText(0) == "Customer lookup"
    assert window.view_menu.title() == "&View" and window.help_menu.title() == "&Help"
    assert window.find_action.text() == "&Find customer"
    assert dialog.windowTitle() == "Settings"
    assert LANGUAGE.read(window.ctx.settings) == "en"

    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    qtbot.waitUntil(lambda: window.file_menu.title() == zh_file)
    assert window.tabs.tabText(0) == zh_tab
    assert i18n.current_language() == "zh_CN"


def test_status_bar_shows_hall_counter_staff_and_clock(qtbot: QtBot, window: MainWindow) -> None:
    ctx = window.ctx
    bar = window.statusBar()
    assert window.hall_label.text() == ctx.hall.name
    assert window.counter_label.text() == _("{counter} ({code})").format(
        counter=ctx.hall.counter_name, code=ctx.hall.counter_code
    )
    staff = window.staff_label.text()
    assert CLERK in staff and ctx.actor.name in staff and _("Clerk") in staff
    assert bar.findChild(QWidget, "syncStatus") is window.sync_label
    assert window.sync_label.text() == _("Offline — sync not set up")
    assert window.clock_label.text()
    assert ctx.hall.name in window.windowTitle()


def test_clock_shows_hall_time_and_ticks(
    qtbot: QtBot, store: Store, settings: QSettingsBackend
) -> None:
    now = [datetime(2026, 11, 15, 1, 2, 3, tzinfo=UTC)]
    window = make_window(qtbot, store, settings, idle_timeout_ms=0, clock=lambda: now[0])
    expected = i18n.format_datetime(now[0], window.ctx.hall.timezone, fmt="medium")
    assert window.clock_label.text() == expected
    assert "09:02:03" in expected  # Asia/Shanghai is UTC+8
    now[0] += timedelta(seconds=1)
    qtbot.waitUntil(lambda: "09:02:04" in window.clock_label.text(), timeout=2500)


def test_ctrl_f_and_f3_focus_the_lookup_search(qtbot: QtBot, window: MainWindow) -> None:
    lookup = window.tab(LookupTab)
    assert isinstance(lookup, LookupTab)
    window.activateWindow()
    qtbot.waitActive(window)
    lookup.search.clearFocus()
    window.menuBar().setFocus()
    qtbot.keyClick(window.menuBar(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lookup.search.hasFocus)
    window.menuBar().setFocus()
    qtbot.keyClick(window.menuBar(), Qt.Key.Key_F3)
    qtbot.waitUntil(lookup.search.hasFocus)


def test_a_new_area_is_one_line_in_tabs(
    qtbot: QtBot, store: Store, settings: QSettingsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import main_window

    extra = main_window.TabSpec(N_("Arrears"), lambda ctx: QWidget())
    monkeypatch.setattr(main_window, "TABS", (*main_window.TABS, extra))
    window = make_window(qtbot, store, settings)
    assert [window.tabs.tabText(i) for i in range(2)] == [_("Customer lookup"), _("Arrears")]
    second = window.findChild(QAction, "actionTab2")
    assert second is not None and second.shortcut().toString() == "Ctrl+2"
    second.trigger()
    assert window.tabs.currentIndex() == 1
    window.tab_actions[0].trigger()
    assert window.tabs.currentIndex() == 0
    window.quit_action.trigger()
    assert not window.isVisible()


def test_about_names_version_data_file_and_schema(window: MainWindow, demo_db_copy: Path) -> None:
    text = window.about_text()
    assert __version__ in text and str(demo_db_copy) in text and head_revision() in text
    box = window.show_about()
    assert box.text() == text
    box.close()
    keys = dict(window.shortcut_rows())
    assert keys[window.find_action.text().replace("&", "")] == "Ctrl+F / F3"
    assert "Ctrl+L" in keys.values() and "Ctrl+Q" in keys.values() and "Ctrl+1" in keys.values()


def test_log_out_closes_the_window_and_says_so(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.loggedOut):
        window.logout_action.trigger()
    assert window.logout_requested and not window.isVisible()


def test_closing_waits_for_tasks_and_closes_the_store(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(window.ctx.tasks, "wait", lambda *a: calls.append("wait") or True)
    monkeypatch.setattr(window.ctx.store, "close", lambda: calls.append("close"))
    window.close()
    assert calls == ["wait", "close"]


# -- settings dialog ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["121", "-1", "abc", ""])
def test_idle_minutes_out_of_range_is_explained(
    qtbot: QtBot, settings: QSettingsBackend, typed: str
) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.idle_minutes.setText(typed)
    dialog.accept()
    assert dialog.isVisible()
    assert "120" in dialog.message.text() and HAN.search(dialog.message.text())
    assert dialog.idle_minutes.property("invalid") is True
    assert IDLE_LOCK_MINUTES.read(settings) == IDLE_LOCK_MINUTES.default


def test_settings_are_saved_on_ok(qtbot: QtBot, settings: QSettingsBackend, tmp_path: Path) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.archive_dir.setText(str(tmp_path / "missing"))
    dialog.accept()
    assert dialog.isVisible() and dialog.archive_dir.property("invalid") is True
    dialog.idle_minutes.setText("0")
    dialog.archive_dir.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    reread = QSettingsBackend()
    assert IDLE_LOCK_MINUTES.read(reread) == 0
    assert RECEIPT_ARCHIVE_DIR.read(reread) == str(tmp_path)


def test_qsettings_backend_stays_in_the_test_folder(tmp_path: Path) -> None:
    backend = QSettingsBackend()
    assert Path(backend.file_name).is_relative_to(tmp_path)
    assert QSettings.defaultFormat() == QSettings.Format.IniFormat
    ini = QSettingsBackend(tmp_path / "explicit.ini")
    IDLE_LOCK_MINUTES.write(ini, 7)
    assert IDLE_LOCK_MINUTES.read(QSettingsBackend(tmp_path / "explicit.ini")) == 7


# -- idle lock ------------------------------------------------------------------------------


def test_idle_lock_covers_the_window_and_needs_the_password(
    qtbot: QtBot, store: Store, settings: QSettingsBackend
) -> None:
    window = make_window(qtbot, store, settings, idle_timeout_ms=150)
    window.show()
    qtbot.waitExposed(window)
    lookup = window.tab(LookupTab)
    assert isinstance(lookup, LookupTab)
    window.activateWindow()
    qtbot.waitActive(window)
    lookup.focus_search()
    qtbot.waitUntil(lambda: window.idle_lock.is_locked, timeout=3000)
    dialog = window.idle_lock.dialog
    assert isinstance(dialog, IdleLockDialog) and dialog.objectName() == "idleLockDialog"
    assert dialog.isVisible() and not window.tabs.isVisible()

    dialog.reject()  # Escape does not unlock
    dialog.password.setText("wrong")
    dialog.unlock_button.click()
    assert window.idle_lock.is_locked and dialog.isVisible()
    assert str(MAX_FAILED_LOGINS - 1) in dialog.message.text()

    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(window.idle_lock.unlocked):
        dialog.unlock_button.click()
    assert not window.idle_lock.is_locked and window.tabs.isVisible()
    assert window.focusWidget() is lookup.search, (window.focusWidget(), window.idle_lock._focus)
    window.idle_lock.set_timeout_ms(0)


def test_input_postpones_the_idle_lock(
    qtbot: QtBot, store: Store, settings: QSettingsBackend
) -> None:
    window = make_window(qtbot, store, settings, idle_timeout_ms=400)
    window.show()
    qtbot.waitExposed(window)
    lookup = window.tab(LookupTab)
    assert isinstance(lookup, LookupTab)
    for _step in range(6):
        qtbot.wait(120)
        qtbot.keyClick(lookup.search, Qt.Key.Key_Shift)
        assert not window.idle_lock.is_locked
    qtbot.waitUntil(lambda: window.idle_lock.is_locked, timeout=3000)
    window.idle_lock.dialog.password.setText(PASSWORD)  # type: ignore[union-attr]
    window.idle_lock.dialog.try_unlock()  # type: ignore[union-attr]


def test_ctrl_l_locks_and_zero_minutes_never_locks(qtbot: QtBot, window: MainWindow) -> None:
    assert window.idle_lock.timeout_ms == 0
    qtbot.wait(50)
    assert not window.idle_lock.is_locked
    window.lock_action.trigger()
    assert window.idle_lock.is_locked
    with qtbot.waitSignal(window.loggedOut):
        window.idle_lock.dialog._logout_button.click()  # type: ignore[union-attr]


# -- start-up -------------------------------------------------------------------------------


def test_build_main_window_from_a_sqlite_url(qtbot: QtBot, demo_db_copy: Path) -> None:
    window = build_main_window(sqlite_url(demo_db_copy), "a001")
    qtbot.addWidget(window)
    assert window.ctx.actor.staff_no == CLERK
    assert isinstance(window.ctx.settings, QSettingsBackend)
    assert window.tabs.widget(0).objectName() == "lookupTab"


def test_corrupt_database_is_explained_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import app as ui_app

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        ui_app.QMessageBox, "critical", lambda parent, title, text, *a: shown.append((title, text))
    )
    bad = tmp_path / "broken.sqlite3"
    bad.write_bytes(b"this is not a database, just some garbage bytes\x00\xff" * 64)
    assert ui_app.run_gui(bad) == 1
    assert len(shown) == 1
    title, text = shown[0]
    assert HAN.search(title) and HAN.search(text) and str(bad) in text


def _drive(steps: list[tuple[Callable[[], bool], Callable[[], None]]]) -> QTimer:
    """Run each action once its condition holds, polling from the event loop."""
    pending = list(steps)
    timer = QTimer()

    def poll() -> None:
        if pending and pending[0][0]():
            pending.pop(0)[1]()
        if not pending:
            timer.stop()

    timer.timeout.connect(poll)
    timer.start(20)
    return timer


def test_run_gui_logs_in_logs_out_and_quits(qtbot: QtBot, demo_db_copy: Path) -> None:
    from ui.app import run_gui

    seen: dict[str, object] = {}

    def log_in() -> None:
        dialog = visible("loginDialog")
        assert isinstance(dialog, LoginDialog)
        enter(dialog, CLERK, PASSWORD)

    def check_and_log_out() -> None:
        window = visible("mainWindow")
        assert isinstance(window, MainWindow)
        seen["first_tab"] = window.tabs.widget(0).objectName()
        window.log_out()

    def quit_login() -> None:
        dialog = visible("loginDialog")
        assert isinstance(dialog, LoginDialog)
        seen["prefilled"] = dialog.staff_no.text()
        dialog.reject()

    driver = _drive(
        [
            (lambda: visible("loginDialog") is not None, log_in),
            (lambda: visible("mainWindow") is not None, check_and_log_out),
            (lambda: visible("loginDialog") is not None, quit_login),
        ]
    )
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(QApplication.exit)  # never hang the suite
    watchdog.start(20000)
    try:
        assert run_gui(demo_db_copy) == 0
    finally:
        watchdog.stop()
        driver.stop()
    assert seen == {"first_tab": "lookupTab", "prefilled": CLERK}


def test_bundled_font_becomes_the_application_font(qapp: QApplication) -> None:
    family = register_bundled_fonts()
    assert family == "Noto Sans SC"
    assert QApplication.font().family() == family


def test_missing_font_is_skipped(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ui import fonts

    monkeypatch.setattr(fonts.paths, "font_path", lambda bold=False: tmp_path / "none.ttf")
    assert fonts.register_bundled_fonts() == QApplication.font().family()
