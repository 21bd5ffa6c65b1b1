"""Shared by every test: offscreen Qt, settings and data isolated in ``tmp_path``, and one
small demo store generated per session.

A test must never touch a real user's files: the data folder and QSettings both point
into the test's temporary folder, and the interface language is reset after each test.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never the developer's real credential store: tests that need one install their own.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from PySide6.QtCore import QSettings

from app import bootstrap, i18n

DEMO_CUSTOMERS = 300
DEMO_SEED = 7
DEMO_TODAY = date(2026, 11, 15)


@pytest.fixture(autouse=True, scope="session")
def pending_providers() -> None:
    """What every program does at start (``app.bootstrap``): the handover's pending list
    has a provider for each kind."""
    bootstrap.install()


@pytest.fixture(autouse=True)
def isolated_user_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Data folder and QSettings in ``tmp_path``; Chinese (the default) before and after."""
    data = tmp_path / "user-data"
    data.mkdir()
    monkeypatch.setenv("HALLDESK_DATA_DIR", str(data))
    settings_dir = tmp_path / "user-settings"
    settings_dir.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.SystemScope, str(settings_dir))
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    yield
    _reset_language()


@pytest.fixture(autouse=True)
def keyboard_model() -> None:
    """The keyboard model the program installs on its application (``ui.qt_app``), on the
    tests' application too, when a test has one (pytest-qt's ``qapp`` is set up first)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        from ui.keyboard import install_keyboard_model

        install_keyboard_model(app)


def _reset_language() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
        return
    from ui.language import apply_language

    apply_language(app, i18n.DEFAULT_LANGUAGE)


def _copy_store(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API (WAL content included)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-customer demo store, generated once per session. Read only: use
    ``demo_db_copy`` to write."""
    from app.demo.generator import generate

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    generate(path, customers=DEMO_CUSTOMERS, seed=DEMO_SEED, today=DEMO_TODAY)
    return path


@pytest.fixture
def demo_db_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo store."""
    return _copy_store(demo_db, tmp_path / "demo.sqlite3")


def open_test_shift(
    store: Any, clock: Any = None, staff_no: str = "A001", counts: dict[str, int] | None = None
) -> Any:
    """Open ``staff_no``'s shift at the demo PC's counter (C01): payments need one.

    ``counts`` is the float by denomination (default: one 100-yuan note). Returns the
    ``ShiftView``.
    """
    from app.services.base import utc_now
    from app.services.shifts import ShiftService
    from app.services.staff.auth import AuthService

    clock = clock or utc_now
    actor = AuthService(store, clock).actor_for(staff_no)
    return ShiftService(store, clock).open(actor, {"note_100": 1} if counts is None else counts)
