"""The packaging files that need no build: paths in each layout, icons, desktop entry,
version resource, and Qt's own Chinese for standard dialogs."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app import __version__, paths
from ui.language import apply_language, qt_translator

from .conftest import ROOT


def _load(name: str) -> ModuleType:
    # By file: the folder is called ``packaging`` like the PyPI library setuptools uses.
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_paths_resolve_in_a_checkout_a_wheel_and_a_bundle(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert paths.bundle_root() == ROOT
    assert paths.font_path().is_file() and paths.icon_path(256).is_file()

    installed = tmp_path / "site-packages" / "app"
    installed.mkdir(parents=True)
    monkeypatch.setattr(paths, "_PACKAGE", installed)
    assert paths.bundle_root() == installed / "_bundled"
    assert paths.i18n_dir() == installed / "_bundled" / "i18n"
    assert paths.migrations_dir() == installed / "store" / "migrations"

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "frozen"), raising=False)
    assert paths.resource("icons") == tmp_path / "frozen" / "resources" / "icons"
    assert paths.qt_translations_dir() == tmp_path / "frozen" / "qt_translations"


def test_data_lives_in_the_per_user_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALLDESK_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", "/home/clerk/.local/share")
    monkeypatch.setattr(sys, "platform", "linux")
    assert paths.default_db_path() == Path("/home/clerk/.local/share/HallDesk/halldesk.sqlite3")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", "C:/Users/clerk/AppData/Local")
    assert paths.log_dir() == Path("C:/Users/clerk/AppData/Local/HallDesk/logs")


def test_the_checked_in_icons_are_what_the_script_draws() -> None:
    make_icons = _load("make_icons")
    svg = (ROOT / "resources" / "icons" / "halldesk.svg").read_text(encoding="utf-8")
    assert svg == make_icons.SVG
    for size in make_icons.PNG_SIZES:
        png = (ROOT / "resources" / "icons" / f"halldesk-{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (size, size)
    ico = (ROOT / "resources" / "icons" / "halldesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    for i in range(count):
        _w, _h, _c, _r, _planes, _bits, size, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * i : 22 + 16 * i]
        )
        assert ico[offset : offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + size <= len(ico)


def test_the_desktop_entry_names_the_command_and_the_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(ROOT / "packaging" / "linux" / "halldesk.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Exec"] == "halldesk"
    assert section["Icon"] == "halldesk" and section["Terminal"] == "false"
    assert section["Name[zh_CN]"] and section["Categories"].endswith(";")
    install = (ROOT / "packaging" / "linux" / "install.sh").read_text(encoding="utf-8")
    assert "halldesk.desktop" in install and "hicolor" in install


def test_the_version_resource_comes_from_the_package_version() -> None:
    version_info = _load("version_info")
    assert version_info.version_tuple("0.2.0rc1") == (0, 2, 0, 0)
    assert version_info.version_tuple("1.12") == (1, 12, 0, 0)
    text = version_info.render(__version__)
    tree = ast.parse("\n".join(line for line in text.splitlines() if not line.startswith("#")))
    assert isinstance(tree.body[0], ast.Expr)
    assert f"'ProductVersion', '{__version__}'" in text
    assert f'#define AppVersion "{__version__}"' in version_info.render_iss(__version__)
    iss = (ROOT / "packaging" / "windows" / "halldesk.iss").read_text(encoding="utf-8")
    assert '#include "..\\build\\version.iss"' in iss and "{#AppVersion}" in iss


def test_qt_standard_buttons_follow_the_interface_language(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    apply_language(app, "zh_CN")
    assert qt_translator() is not None
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.text().replace("&", "").startswith("取消")
    apply_language(app, "en")
    assert qt_translator() is None
    fresh = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(fresh)
    assert fresh.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == "Cancel"
