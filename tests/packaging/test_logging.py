"""The rotating log in the data folder, unexpected exceptions in the GUI, the About box."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import cli, logs, paths


@pytest.fixture(autouse=True)
def no_leftover_handlers() -> Iterator[None]:
    level = logging.getLogger().level
    yield
    logs.teardown_logging()
    logging.getLogger().setLevel(level)


def test_log_file_lives_in_the_data_folder_and_takes_the_env_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(logs.LEVEL_ENV, "debug")
    path = logs.setup_logging()
    assert path == paths.user_data_dir() / "logs" / "halldesk.log"
    logging.getLogger("app.test").debug("a debug line")
    text = path.read_text(encoding="utf-8")
    assert "DEBUG" in text and "a debug line" in text
    # The option wins over the environment; calling again does not duplicate handlers.
    logs.setup_logging("warning")
    logs.setup_logging("WARNING")
    logging.getLogger("app.test").info("not written")
    logging.getLogger("app.test").warning("written once")
    text = path.read_text(encoding="utf-8")
    assert "not written" not in text and text.count("written once") == 1


def test_unknown_level_names_fall_back_to_info(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(logs.LEVEL_ENV, "chatty")
    assert logs.resolve_level() == logging.INFO
    assert logs.resolve_level("error") == logging.ERROR


def test_the_log_rotates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    monkeypatch.setattr(logs, "BACKUP_COUNT", 2)
    path = logs.setup_logging("INFO")
    assert path is not None
    for i in range(200):
        logging.getLogger("app.test").info("line %d of a rotating log", i)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["halldesk.log", "halldesk.log.1", "halldesk.log.2"]
    assert all(p.stat().st_size <= 2_200 for p in path.parent.iterdir())


def test_every_command_logs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--log-level", "debug", "db", "upgrade", "--db", str(tmp_path / "no")]) == 1
    text = logs.log_file().read_text(encoding="utf-8")
    assert "halldesk 0.1.0: db" in text


def test_an_unhandled_exception_is_logged_and_explained(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import app as ui_app

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        ui_app.QMessageBox, "critical", lambda parent, title, text, *a: shown.append((title, text))
    )
    logs.setup_logging("INFO", stderr=False)
    try:
        raise ValueError("counter exploded")
    except ValueError:
        ui_app.report_unhandled(*sys.exc_info())  # type: ignore[arg-type]
    text = logs.log_file().read_text(encoding="utf-8")
    assert "unhandled exception" in text and "Traceback" in text and "counter exploded" in text
    assert len(shown) == 1
    _title, message = shown[0]
    assert "counter exploded" in message and str(logs.log_file()) in message
    assert "意外错误" in message  # in the interface language (Chinese by default)


def test_about_names_data_folder_log_file_and_last_sync(qtbot: QtBot, demo_db_copy: Path) -> None:
    from app.services.staff.auth import AuthService
    from app.store.database import open_store, sqlite_url
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.qt_settings import QSettingsBackend

    store = open_store(sqlite_url(demo_db_copy))
    try:
        ctx = AppContext.create(store, AuthService(store).actor_for("A001"), QSettingsBackend())
        window = MainWindow(ctx, idle_timeout_ms=0)
        qtbot.addWidget(window)
        text = window.about_text()
    finally:
        store.close()
    assert str(paths.user_data_dir()) in text and str(logs.log_file()) in text
    assert "数据文件夹" in text and "上次同步：从未同步" in text
