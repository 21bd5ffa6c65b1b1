"""Switching the interface language while the program runs.

``app.i18n`` looks the catalog up at call time, so switching is: choose the catalog, set
Qt's default locale, swap Qt's own ``qtbase`` translator (standard dialogs, context menus;
with ``MnemonicFallback`` for the texts Qt 6 asks for with a key the catalog lacks),
then tell every window. Widgets react in ``changeEvent`` by calling their
``retranslate_ui()``.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QTranslator,
)
from PySide6.QtWidgets import QApplication, QComboBox

from app import i18n, paths

log = logging.getLogger(__name__)

#: Each language is named in itself (an endonym), the same in every interface language,
#: so someone who cannot read the current language can still find their own. These are
#: therefore deliberately not passed through the catalog.
LANGUAGE_NAMES: Final[dict[str, str]] = {"zh_CN": "中文", "en": "English"}

_qt_translator: QTranslator | None = None
_mnemonic_translator: QTranslator | None = None
#: A trailing colon, ASCII or full width, that a mnemonic goes before ("名称(&N)：").
_COLON: Final = re.compile(r"[:：]\s*$")


class MnemonicFallback(QTranslator):
    """Translates Qt's own texts that gained a mnemonic after the shipped catalog was
    made: Qt 6's file dialog asks for "&Look in:" and "Files of &type:", which
    ``qtbase_zh_CN`` knows only as "Look in:" and "Files of type:", so they stayed English
    on the Chinese interface. The text without its ``&`` is looked up in ``base`` and the
    key is put back in the Chinese way, before the colon: "查找范围(&L)：". Installed after
    ``base``, so it is asked first and answers only for such texts."""

    def __init__(self, base: QTranslator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._base = base

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:  # None, not "": the next translator (or the source) answers
        if "&" not in source or "&&" in source:
            return None
        if self._base.translate(context, source, disambiguation, n):
            return None  # the catalog has it: Qt takes it from there
        position = source.index("&")
        key = source[position + 1 : position + 2]
        plain = source[:position] + source[position + 1 :]
        text = self._base.translate(context, plain, disambiguation, n)
        if not text or not key.strip():
            return None
        colon = _COLON.search(text)
        cut = colon.start() if colon else len(text)
        return f"{text[:cut]}(&{key.upper()}){text[cut:]}"

    def isEmpty(self) -> bool:
        return self._base.isEmpty()


def _install_qt_translator(app: QCoreApplication, code: str) -> None:
    global _qt_translator, _mnemonic_translator
    for installed in (_mnemonic_translator, _qt_translator):
        if installed is not None:
            app.removeTranslator(installed)
            installed.deleteLater()
    _qt_translator = _mnemonic_translator = None
    if code == "en":
        return
    translator = QTranslator(app)
    folders = qt_translation_folders()
    for folder in folders:
        if translator.load(f"qtbase_{code}", folder):
            app.installTranslator(translator)
            _qt_translator = translator
            _mnemonic_translator = MnemonicFallback(translator, app)
            app.installTranslator(_mnemonic_translator)
            return
    translator.deleteLater()
    log.warning("no Qt translation qtbase_%s in %s", code, ", ".join(folders))


def qt_translation_folders() -> list[str]:
    """Where Qt's own catalogs are looked for: Qt's translations folder (PySide6 ships
    ``qtbase_zh_CN.qm`` there), then the copy a frozen bundle carries (``app.paths``)."""
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    bundled = paths.qt_translations_dir()
    if bundled.is_dir():
        folders.append(str(bundled))
    return folders


def qt_translator() -> QTranslator | None:
    """The installed ``qtbase`` translator (None in English or when none was found)."""
    return _qt_translator


def apply_language(app: QCoreApplication, code: str) -> str:
    """Switch the whole interface to ``code`` (``zh_CN`` or ``en``); returns the code in use.

    Installing a loaded translator makes Qt post ``LanguageChange`` itself, but an empty
    one (English) sends nothing, so the event is posted explicitly to every window; Qt
    compresses duplicates, so each widget retranslates once. Posted, not sent: the switch
    may come from inside a widget's own signal (the language box), which must not be
    rebuilt under its feet.
    """
    i18n.set_language(code)
    code = i18n.current_language()
    QLocale.setDefault(QLocale(code))
    _install_qt_translator(app, code)
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            QCoreApplication.postEvent(widget, QEvent(QEvent.Type.LanguageChange))
    return code


def fill_language_box(box: QComboBox) -> None:
    """Fill ``box`` with the languages (data: the code) and select the current one."""
    box.blockSignals(True)
    box.clear()
    for code in i18n.LANGUAGES:
        box.addItem(LANGUAGE_NAMES[code], code)
    box.setCurrentIndex(max(0, box.findData(i18n.current_language())))
    box.blockSignals(False)
