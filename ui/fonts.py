"""The bundled CJK font, registered at start-up so Chinese renders on any machine.

A counter PC may have no Chinese font at all (a stripped Windows image, a Linux thin
client); without one every hanzi is drawn as an empty box. The Noto Sans SC files under
``resources/fonts`` ship with the program and become the application's default font.
"""

from __future__ import annotations

import logging
from typing import Final

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from app import paths

log = logging.getLogger(__name__)

#: Point size of the application font: readable at a counter without wasting space.
DEFAULT_POINT_SIZE: Final = 10

_registered: dict[str, str] = {}


def _register(path: str) -> str | None:
    if path in _registered:
        return _registered[path]
    font_id = QFontDatabase.addApplicationFont(path)
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("the bundled font %s could not be loaded", path)
        return None
    _registered[path] = families[0]
    return families[0]


def register_bundled_fonts() -> str:
    """Register the bundled regular and bold faces and make them the application font.

    Returns the family now in use. A missing or unreadable font file is logged and skipped,
    leaving the platform's default font (Chinese may then render as boxes).
    """
    family: str | None = None
    for bold in (False, True):
        path = paths.font_path(bold=bold)
        if not path.is_file():
            log.warning("the bundled font %s is missing; Chinese may not render", path)
            continue
        family = _register(str(path)) or family
    if family is None:
        return QGuiApplication.font().family()
    font = QFont(family, DEFAULT_POINT_SIZE)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    QGuiApplication.setFont(font)
    return family
