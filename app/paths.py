"""Where HallDesk finds its bundled files and keeps its data.

Every resource path goes through this module, so the three ways HallDesk runs resolve the
same names:

- a source checkout: ``resources/`` and ``i18n/`` beside the ``app`` package;
- an installed wheel: the build copies them into the package as ``app/_bundled/`` (see
  ``setup.py``), because a wheel can only carry files inside its packages;
- a PyInstaller bundle: the spec puts them under ``sys._MEIPASS``.

User data (the store, logs) never lives beside the program: it goes to the platform's
per-user data folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "HallDesk"
#: Where an installed wheel keeps ``resources/`` and ``i18n/`` inside the ``app`` package.
WHEEL_DATA = "_bundled"

_PACKAGE = Path(__file__).resolve().parent


def bundle_root() -> Path:
    """The folder holding ``resources/`` and ``i18n/``: frozen bundle, checkout or wheel."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    checkout = _PACKAGE.parent
    if (checkout / "resources").is_dir() and (checkout / "i18n").is_dir():
        return checkout
    return _PACKAGE / WHEEL_DATA


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def resources_dir() -> Path:
    return bundle_root() / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def i18n_dir() -> Path:
    return bundle_root() / "i18n"


def font_path(bold: bool = False) -> Path:
    return resource("fonts", "NotoSansSC-Bold.ttf" if bold else "NotoSansSC-Regular.ttf")


def icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG, or the PNG of ``size`` pixels."""
    return resource("icons", "halldesk.svg" if size is None else f"halldesk-{size}.png")


def qt_translations_dir() -> Path:
    """Qt's own catalogs (``qtbase_zh_CN.qm``) as the PyInstaller spec bundles them."""
    return bundle_root() / "qt_translations"


def migrations_dir() -> Path:
    return _PACKAGE / "store" / "migrations"


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


def log_dir() -> Path:
    return user_data_dir() / "logs"
