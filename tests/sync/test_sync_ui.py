"""The workbench's Sync button against a real centre over HTTP (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.centre.service import Centre
from app.i18n import _
from app.store.database import open_store, sqlite_url
from app.sync.client import HallSync
from app.sync.transport import HttpTransport
from tests.sync.conftest import load_hall, pay
from ui.main_window import MainWindow, build_main_window


@pytest.fixture
def hall_file(server: str, centre: Centre, tiny_demo: Path, tmp_path: Path) -> Path:
    load_hall(centre, "H1", tiny_demo)
    _device, code = centre.enrol_device("H1")
    path = tmp_path / "hall.sqlite3"
    store = open_store(sqlite_url(path))
    try:
        client = HallSync(store, HttpTransport(server))
        client.enrol(server, code)
        client.sync()
        pay(store, 100, account_id=1)
    finally:
        store.close()
    return path


@pytest.fixture
def window(qtbot: QtBot, hall_file: Path) -> Iterator[MainWindow]:
    from app.services.auth import AuthService

    store = open_store(sqlite_url(hall_file))
    staff_no = AuthService(store).actor_for("A001").staff_no if store else "A001"
    store.close()
    win = build_main_window(sqlite_url(hall_file), staff_no)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.sync.shutdown()


def test_sync_button_sends_the_payment_and_updates_the_status_bar(
    qtbot: QtBot, window: MainWindow, centre: Centre, tmp_path: Path
) -> None:
    label = window.sync_label
    status = window.sync.service.status()
    assert (status.pending, status.pending_payments) == (1, 1)
    before = label.text()
    assert _("{n} unsynced ({payments} payments)").format(n=1, payments=1) in before
    button = window.sync.toolbar.widgetForAction(window.sync.sync_action)
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sync.last_report is not None, timeout=30_000)
    assert window.sync.last_error is None
    report = window.sync.last_report
    assert report is not None and report.applied == 1
    assert len(centre.records("H1", "payment")) > 0
    assert window.sync.service.status().pending == 0
    assert _("all synced") in label.text() and label.text() != before
    assert window.findChild(type(window.sync.dialog), "syncProgressDialog") is None or (
        window.sync.dialog is None
    )
    window.grab().save(str(tmp_path / "sync-window.png"))
    Path("/tmp/sync-window.png").write_bytes((tmp_path / "sync-window.png").read_bytes())
