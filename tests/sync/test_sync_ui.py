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
    from app.services.staff.auth import AuthService

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


def test_a_refused_record_is_listed_with_what_to_do_and_a_leader_sends_it_again(
    qtbot: QtBot, centre: Centre, tiny_demo: Path, tmp_path: Path
) -> None:
    """Issue 13, item 3: "nothing in the UI gets the PC out"."""
    from PySide6.QtWidgets import QLineEdit

    from tests.sync.conftest import new_hall_pc
    from tests.sync.test_refusals import poison_complaint
    from ui.fonts import register_bundled_fonts
    from ui.service_dialogs import LeaderDialog
    from ui.sync.dialogs import REASON_ADVICE, REASON_LABELS

    load_hall(centre, "H1", tiny_demo)
    pc = new_hall_pc(centre, "H1", tmp_path / "pc.sqlite3")
    cid = poison_complaint(pc.store)
    assert pc.sync.sync().rejected == 2
    win = build_main_window(sqlite_url(pc.path), "L001")
    qtbot.addWidget(win)
    win.show()
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    QApplication.setFont(QFont(register_bundled_fonts()))  # as ui.app does, for the picture
    try:
        assert _("1 flagged") in win.sync_label.text() or "1" in win.sync_label.text()
        dialog = win.sync.open_conflicts()
        table = dialog.table
        assert table.rowCount() == 1
        assert table.item(0, 3).text() == _(REASON_LABELS["bad_text"])
        assert _(REASON_ADVICE["bad_text"]) in dialog.advice_label.text()
        dialog.resize(900, 320)
        dialog.grab().save(str(tmp_path / "flagged.png"))
        Path("/tmp/sync-flagged.png").write_bytes((tmp_path / "flagged.png").read_bytes())
        table.selectRow(0)
        qtbot.mouseClick(dialog.send_again_button, Qt.MouseButton.LeftButton)
        leader = dialog.leader_dialog
        assert isinstance(leader, LeaderDialog)
        leader.findChild(QLineEdit, "leaderStaffNo").setText("L001")
        leader.findChild(QLineEdit, "leaderPassword").setText("demo")
        leader.ok_button.click()
        qtbot.waitUntil(lambda: not leader.isVisible(), timeout=10_000)
        assert pc.sync.sync().rejected == 0
        assert str(cid) in centre.records("H1", "complaint")
        dialog.reload()
        assert dialog.table.rowCount() == 0
    finally:
        win.sync.shutdown()
