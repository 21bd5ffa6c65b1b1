"""The store's safety in the workbench (issue 13, items 9–11): the damaged-store banner, the
backups at shift close and daily with their settings, and one workbench per store."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import i18n, logs
from app.services.hall.backups import backup_folder
from app.services.staff.auth import AuthService
from app.settings import BACKUP_DIR, BACKUP_KEEP
from app.store import backup
from app.store.database import Store, open_store, sqlite_url
from app.store.health import Verdict
from app.store.instance import InstanceLock, server_name
from tests.store.test_store_health import flip_page
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.qt_settings import QSettingsBackend
from ui.settings_dialog import SettingsDialog
from ui.shifts.tab import ShiftTab
from ui.single_instance import ask_first_to_show, claim

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def _window(qtbot: QtBot, store: Store, settings: QSettingsBackend) -> MainWindow:
    window = MainWindow(AppContext.create(store, AuthService(store).actor_for("A001"), settings))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_damaged_store_shows_a_red_banner_and_stops_payments(
    qtbot: QtBot, demo_db_copy: Path, tmp_path: Path
) -> None:
    flip_page(demo_db_copy)
    store = open_store(sqlite_url(demo_db_copy))
    window = _window(qtbot, store, QSettingsBackend())
    banner = window.store_banner
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=10_000)
    assert store.health.verdict is Verdict.DAMAGED
    text = banner.text.text()
    assert str(demo_db_copy) in text and "Payments are stopped" in text
    assert "halldesk db restore" in text
    window.grab().save(str(tmp_path / "damaged-banner.png"))
    window.close()


def test_a_sound_store_shows_no_banner(qtbot: QtBot, demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    window = _window(qtbot, store, QSettingsBackend())
    qtbot.waitUntil(lambda: store.health.verdict is Verdict.SOUND, timeout=10_000)
    window.store_banner.refresh()
    assert not window.store_banner.isVisible()
    window.close()


def test_a_shift_close_backs_the_store_up_into_the_folder_of_the_settings(
    qtbot: QtBot, demo_db_copy: Path, tmp_path: Path
) -> None:
    settings = QSettingsBackend()
    folder = tmp_path / "chosen-backups"
    BACKUP_DIR.write(settings, str(folder))
    BACKUP_KEEP.write(settings, 2)
    store = open_store(sqlite_url(demo_db_copy))
    window = _window(qtbot, store, settings)
    shifts = window.tab(ShiftTab)
    assert shifts is not None
    for _close in range(3):
        with qtbot.waitSignal(window.backups.backupTaken, timeout=20_000) as taken:
            shifts.shiftClosed.emit()
    result = taken.args[0]
    assert result.backup.reason == "shift-close" and result.backup.path.parent == folder
    assert len(backup.backups_of(demo_db_copy, folder)) == 2  # the setting: keep 2
    assert str(result.backup.path) in window.statusBar().currentMessage()
    window.close()


def test_the_daily_backup_is_taken_once_a_day(qtbot: QtBot, demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    window = _window(qtbot, store, QSettingsBackend())
    folder = backup_folder("")  # none chosen: the data folder's backups
    with qtbot.waitSignal(window.backups.backupTaken, timeout=20_000):
        window.backups.check_daily()
    window.backups.check_daily()  # today's is there: nothing more
    assert not window.backups.running
    made = backup.backups_of(demo_db_copy, folder)
    assert [b.reason for b in made] == ["daily"]
    assert made[0].taken_at.date() == datetime.now().date()
    window.close()


def test_a_failed_backup_is_shown_in_the_banner(
    qtbot: QtBot, demo_db_copy: Path, tmp_path: Path
) -> None:
    settings = QSettingsBackend()
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    BACKUP_DIR.write(settings, str(blocked))
    store = open_store(sqlite_url(demo_db_copy))
    window = _window(qtbot, store, settings)
    with qtbot.waitSignal(window.backups.backupFailed, timeout=20_000):
        window.backups.take("manual")
    banner = window.store_banner
    assert banner.isVisible() and "The last backup of this store failed" in banner.text.text()
    assert str(blocked) in banner.text.text()
    window.close()


def test_backup_settings_are_checked_and_saved(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = QSettingsBackend()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert str(backup_folder("")) in dialog.backup_dir.placeholderText()
    assert dialog.backups_kept.text() == "14"
    dialog.backups_kept.setText("0")
    dialog.accept()
    assert dialog.isVisible() and dialog.backups_kept.property("invalid") is True
    assert "1 to 365" in dialog.message.text()
    dialog.backups_kept.setText("30")
    dialog.backup_dir.setText(str(tmp_path / "missing"))
    dialog.accept()
    assert dialog.isVisible() and dialog.backup_dir.property("invalid") is True
    dialog.backup_dir.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    reread = QSettingsBackend()
    assert (BACKUP_DIR.read(reread), BACKUP_KEEP.read(reread)) == (str(tmp_path), 30)


# -- one workbench per store -------------------------------------------------------------------

_SECOND_START = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    app = QCoreApplication(sys.argv[:1])
    from ui.single_instance import claim
    primary = claim(Path(sys.argv[1]), lambda: None)
    print("primary" if primary is not None else "second")
    """
)


def test_a_second_start_asks_the_first_to_come_forward(qtbot: QtBot, tmp_path: Path) -> None:
    """The mechanism between two processes: the lock decides, the socket carries it."""
    store_path = tmp_path / "halldesk.sqlite3"
    asked: list[str] = []
    primary = claim(store_path, lambda: asked.append("front"))
    assert primary is not None
    try:
        second = subprocess.Popen(
            [sys.executable, "-c", _SECOND_START, str(store_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        qtbot.waitUntil(lambda: asked == ["front"], timeout=20_000)
        out, _err = second.communicate(timeout=20)
        assert out.strip() == "second" and second.returncode == 0
        assert not InstanceLock(store_path).acquire()  # still ours
    finally:
        primary.release()
    # Released (or its process gone): the next start is the first again.
    again = claim(store_path, lambda: None)
    assert again is not None
    again.release()


def test_nobody_listening_means_no_answer(qtbot: QtBot, tmp_path: Path) -> None:
    assert not ask_first_to_show(server_name(tmp_path / "none.sqlite3"), seconds=0.3)


def test_two_real_workbenches_on_one_store(demo_db_copy: Path, tmp_path: Path) -> None:
    """``halldesk run`` twice on one store, offscreen: the second exits at once with 0 and
    the first (at its login) logs that it was brought to the front."""
    data = tmp_path / "data"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HALLDESK_DATA_DIR": str(data),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    command = [sys.executable, "-m", "app.cli", "run", "--db", str(demo_db_copy)]
    log_file = data / "logs" / logs.LOG_FILE_NAME
    first = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        # Its store is open (so it holds the store's lock) once its page check has run.
        while not log_file.exists() or "store check of" not in log_file.read_text("utf-8"):
            assert first.poll() is None, "the first workbench stopped"
            assert time.monotonic() < deadline, "the first workbench did not start"
            time.sleep(0.2)
        second = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr or "已在运行" in second.stderr
        deadline = time.monotonic() + 20
        while "bringing this window to the front" not in log_file.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, log_file.read_text(encoding="utf-8")
            time.sleep(0.2)
        assert first.poll() is None  # the first one still runs
    finally:
        first.terminate()
        first.wait(20)


def test_the_window_comes_to_the_front(qtbot: QtBot, demo_db_copy: Path) -> None:
    from ui.single_instance import bring_to_front

    store = open_store(sqlite_url(demo_db_copy))
    window = _window(qtbot, store, QSettingsBackend())
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    bring_to_front()
    qtbot.waitUntil(lambda: not window.isMinimized())
    assert QApplication.instance() is not None
    window.close()


def test_run_refuses_an_empty_store_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``halldesk run`` on a 0-byte file: a message, exit 1, the file left as it is (it
    used to become a new, empty store)."""
    from app import cli
    from ui import app as ui_app

    shown: list[str] = []
    monkeypatch.setattr(
        ui_app.QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text)
    )
    empty = tmp_path / "halldesk.sqlite3"
    empty.write_bytes(b"")
    try:
        assert cli.main(["run", "--db", str(empty)]) == 1
    finally:
        logs.teardown_logging()
    assert len(shown) == 1 and str(empty) in shown[0] and "0 bytes" in shown[0]
    assert empty.stat().st_size == 0
