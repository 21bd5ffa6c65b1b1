"""A logged-in workbench on the demo store, on the demo's business day, printing to PDF
files in ``tmp_path`` (the counter's printer, without a dialog)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.staff.auth import AuthService
from app.settings import RECEIPT_ARCHIVE_DIR
from app.store.database import Store, open_store, sqlite_url
from tests.conftest import open_test_shift
from tests.ui.keyboard.keys import Keys
from ui.context import AppContext
from ui.fonts import register_bundled_fonts
from ui.lookup.tab import LookupTab
from ui.main_window import MainWindow
from ui.printing import ReceiptPrinting, pdf_file_printer
from ui.qt_settings import QSettingsBackend

#: 10:00 in Shanghai on the demo's business day.
NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
#: Every demo customer's service password (app/demo/generator.py).
SERVICE_PASSWORD = "135790"


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(demo_db_copy))
    yield opened
    opened.close()


@pytest.fixture
def db(demo_db_copy: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(demo_db_copy)
    yield con
    con.close()


@pytest.fixture
def printed(tmp_path: Path) -> Path:
    return tmp_path / "printed"


def make_window(qtbot: QtBot, store: Store, printed: Path, staff_no: str = "A001") -> MainWindow:
    register_bundled_fonts()  # as ensure_application does: the sizes are the program's
    settings = QSettingsBackend()
    RECEIPT_ARCHIVE_DIR.write(settings, str(printed.parent / "archive"))
    ctx = AppContext.create(
        store, AuthService(store).actor_for(staff_no), settings, clock=lambda: NOW
    )
    window = MainWindow(ctx, idle_timeout_ms=0, clock=lambda: NOW)
    lookup = window.tab(LookupTab)
    assert lookup is not None
    lookup.panel.arrears_history.printing = ReceiptPrinting(ctx, pdf_file_printer(printed))
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


@pytest.fixture
def window(qtbot: QtBot, store: Store, printed: Path) -> Iterator[MainWindow]:
    open_test_shift(store, lambda: NOW)
    win = make_window(qtbot, store, printed)
    yield win
    win.ctx.tasks.wait()


@pytest.fixture
def keys(qtbot: QtBot) -> Keys:
    return Keys(qtbot)
