"""The start (issue 17): the login dialog first, the store opened behind it on the worker,
and nothing typed meanwhile lost. Not timed: ``bench/bench_startup.py`` times the start;
``tests/test_architecture.py`` checks what is imported before the first paint."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, TextIO

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.i18n import _
from app.services.hall import HallService
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from tests.ui.drive import run_gui_driven, visible
from ui.login_dialog import LOGGING_IN_WHEN_OPEN, OPENING, LoginDialog
from ui.main_window import MainWindow
from ui.qt_settings import QSettingsBackend
from ui.startup import LoginReady, StoreOpening

CLERK = "A001"
PASSWORD = "demo"


def test_a_login_asked_for_before_the_store_is_open_runs_when_it_is(
    qtbot: QtBot, demo_db_copy: Path
) -> None:
    """Typed and confirmed with Enter while the store opens: the keys stay in the fields,
    the dialog says it logs in once the data file is open, and then it does."""
    dialog = LoginDialog(None, None, QSettingsBackend())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.is_ready()
    assert dialog.findChild(QWidget, "loginHall").text() == _(OPENING)  # type: ignore[union-attr]
    qtbot.keyClicks(dialog.staff_no, CLERK.lower())
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.actor is None and dialog.login_waiting
    assert dialog.message.text() == _(LOGGING_IN_WHEN_OPEN)
    assert (dialog.staff_no.text(), dialog.password.text()) == (CLERK.lower(), PASSWORD)

    store = open_store(sqlite_url(demo_db_copy))
    try:
        hall = HallService(store).info()
        with qtbot.waitSignal(dialog.accepted):
            dialog.store_ready(AuthService(store), hall)
        assert dialog.actor is not None and dialog.actor.staff_no == CLERK
        assert dialog.findChild(QWidget, "loginHall").text() == hall.name  # type: ignore[union-attr]
    finally:
        store.close()


def test_a_refused_login_waits_for_the_store_too(qtbot: QtBot, demo_db_copy: Path) -> None:
    """A wrong password given before the store is open is refused once it is, in place."""
    dialog = LoginDialog(None, None, QSettingsBackend())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.staff_no.setText(CLERK)
    dialog.password.setText("wrong")
    dialog.login_button.click()
    store = open_store(sqlite_url(demo_db_copy))
    try:
        dialog.store_ready(AuthService(store), HallService(store).info())
        assert dialog.actor is None and dialog.isVisible() and not dialog.login_waiting
        assert dialog.message.text() not in ("", _(LOGGING_IN_WHEN_OPEN))
        assert dialog.password.text() == ""
    finally:
        store.close()


def test_run_gui_shows_the_login_while_the_store_opens(
    qtbot: QtBot, demo_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's opening is held on the worker: the login is up meanwhile, takes the
    clerk's keys and Enter, and logs in the moment the store is open; the store was opened
    on the worker, not the GUI thread."""

    release = threading.Event()
    opened_on: list[bool] = []
    prepare = StoreOpening.prepare_login

    def held(self: StoreOpening) -> LoginReady | None:
        release.wait(20)
        opened_on.append(threading.current_thread() is threading.main_thread())
        return prepare(self)

    monkeypatch.setattr(StoreOpening, "prepare_login", held)
    seen: list[object] = []

    def step() -> None:
        login = visible("loginDialog")
        if isinstance(login, LoginDialog) and not seen:
            seen.append(("waiting", login.is_ready()))
            qtbot.keyClicks(login.staff_no, CLERK)
            qtbot.keyClicks(login.password, PASSWORD)
            qtbot.keyClick(login.password, Qt.Key.Key_Return)
            seen.append(("asked", login.actor, login.login_waiting))
            release.set()
            return
        window = visible("mainWindow")
        if isinstance(window, MainWindow) and len(seen) == 2:
            seen.append(("window", window.ctx.actor.staff_no))
            window.close()

    try:
        run_gui_driven(demo_db_copy, step)
    finally:
        release.set()
    assert seen == [("waiting", False), ("asked", None, True), ("window", CLERK)]
    assert opened_on == [False]


class _RecordingFile:
    """A lock file's handle that notes every ``truncate`` (the rest goes to the file)."""

    def __init__(self, handle: TextIO, truncated: list[object]) -> None:
        self._handle = handle
        self._truncated = truncated

    def truncate(self, size: int | None = None) -> int:
        self._truncated.append(size)
        return self._handle.truncate(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def test_the_instance_lock_of_a_start_never_truncates_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each start takes the store's instance lock before its login is painted. Truncating
    the lock file to nothing and writing the process id again, as it did, waited for the
    ext4 journal and for the last start's page: 100–220 ms on a machine writing a large
    file (p95 / max of 150 tries; bench_startup's slowest starts). The record is
    overwritten in place: the same width each time, the file never shrinks."""
    from app.store import instance

    truncated: list[object] = []
    fdopen = os.fdopen

    def recording(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _RecordingFile(fdopen(fd, *args, **kwargs), truncated)

    monkeypatch.setattr(instance.os, "fdopen", recording)
    store = tmp_path / "store.sqlite3"
    lock_file = instance.lock_path(store)
    lock_file.write_text("7654321\n", encoding="ascii")  # the last start's record
    for _start in range(2):
        lock = instance.InstanceLock(store)
        assert lock.acquire()
        assert lock_file.read_text(encoding="ascii").split() == [str(os.getpid())]
        assert lock_file.stat().st_size == instance.PID_WIDTH + 1
        lock.release()
    assert truncated == []


def test_a_login_typed_while_the_main_window_is_prepared_waits_for_it(
    qtbot: QtBot, demo_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the store is open the worker prepares the main window behind the login
    (``ui.startup.prepare_main_window``) while the clerk types. A login entered meanwhile
    is checked at once, keeps its keys, and its window is built after the preparation
    ended (the two threads never import the window's modules at once), on the GUI thread
    with the preparation on the worker."""
    import ui.app
    from ui.startup import prepare_main_window

    release = threading.Event()
    events: list[tuple[str, bool]] = []

    def held() -> None:
        events.append(("preparing", threading.current_thread() is threading.main_thread()))
        release.wait(20)
        prepare_main_window()
        events.append(("prepared", threading.current_thread() is threading.main_thread()))

    monkeypatch.setattr(ui.app, "prepare_main_window", held)
    seen: list[object] = []

    def step() -> None:
        login = visible("loginDialog")
        if isinstance(login, LoginDialog) and login.is_ready() and not seen:
            qtbot.keyClicks(login.staff_no, CLERK)
            qtbot.keyClicks(login.password, PASSWORD)
            seen.append(("typed", list(events)))
            threading.Timer(0.3, release.set).start()  # the GUI thread waits for it
            qtbot.keyClick(login.password, Qt.Key.Key_Return)
            return
        window = visible("mainWindow")
        if isinstance(window, MainWindow) and len(seen) == 1:
            seen.append(("window", window.ctx.actor.staff_no, list(events)))
            window.close()

    try:
        run_gui_driven(demo_db_copy, step)
    finally:
        release.set()
    assert seen == [
        ("typed", [("preparing", False)]),
        ("window", CLERK, [("preparing", False), ("prepared", False)]),
    ]
