"""Where HallDesk finds its bundled files and keeps its data.

Every resource path goes through this module, so a frozen build (PyInstaller puts data
under ``sys._MEIPASS``) and a source checkout resolve the same names. User data never
lives beside the program: it goes to the platform's per-user data folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "HallDesk"


def bundle_root() -> Path:
    """The folder holding ``resources/`` and ``i18n/``: the checkout or the frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def i18n_dir() -> Path:
    return bundle_root() / "i18n"


def font_path(bold: bool = False) -> Path:
    return resource("fonts", "NotoSansSC-Bold.ttf" if bold else "NotoSansSC-Regular.ttf")


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "store" / "migrations"


def user_data_dir() -> Path:
    """The per-user data folder (``HALLDESK_DATA_DIR`` overrides it, for tests and scripts)."""
    override = os.environ.get("HALLDESK_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_NAME


def default_db_path() -> Path:
    return user_data_dir() / "halldesk.sqlite3"
