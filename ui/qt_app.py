"""The one QApplication of the workbench, created and prepared the same way everywhere.

Below both ``ui.app`` (the start-up: store, login, main window) and ``ui.main_window``
(``build_main_window`` for scripts and tests), which each need an application and must not
import each other for it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import __version__, i18n, paths
from app.settings import LANGUAGE
from ui.fonts import register_bundled_fonts
from ui.keyboard import install_keyboard_model
from ui.language import apply_language
from ui.qt_settings import APPLICATION, ORGANIZATION, QSettingsBackend


def ensure_application() -> QApplication:
    """The running QApplication, created and prepared if there is none yet.

    Preparing means: organisation and application names (they place QSettings), the
    bundled font, the keyboard model (``ui.keyboard``), and the language saved in the
    settings (Chinese by default).
    """
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        install_keyboard_model(existing)
        return existing
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationVersion(__version__)
    app = QApplication(sys.argv[:1])
    app.setWindowIcon(application_icon())
    register_bundled_fonts()
    install_keyboard_model(app)
    language = LANGUAGE.read(QSettingsBackend())
    apply_language(app, language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)
    return app


def application_icon() -> QIcon:
    """The HallDesk icon from its PNG sizes (``resources/icons``, see packaging/make_icons.py)."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        path = paths.icon_path(size)
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon
