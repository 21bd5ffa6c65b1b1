"""Translations looked up at call time, so the language can change while the app runs.

Message ids are English; zh_CN is the default language. Catalogs live in ``i18n/`` as Babel
``.po`` files compiled to ``.mo`` by the build; when a compiled catalog is missing (a fresh
checkout), the ``.po`` is compiled in memory so the program still speaks Chinese.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency

from app import paths

DOMAIN: Final = "messages"
DEFAULT_LANGUAGE: Final = "zh_CN"
LANGUAGES: Final = ("zh_CN", "en")

_current: _gettext.NullTranslations = _gettext.NullTranslations()
_language: str = "en"
#: A language set for one block of work in this thread (see ``in_language``).
_override: ContextVar[tuple[str, _gettext.NullTranslations] | None] = ContextVar(
    "halldesk_language", default=None
)
_loaded: dict[str, _gettext.NullTranslations] = {}


def _load(language: str) -> _gettext.NullTranslations:
    base = paths.i18n_dir() / language / "LC_MESSAGES"
    mo = base / f"{DOMAIN}.mo"
    po = base / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return _gettext.GNUTranslations(buf)
    return _gettext.NullTranslations()


def set_language(language: str) -> None:
    """Switch every later ``_()`` call to ``language`` (unknown codes fall back to English)."""
    global _current, _language
    if language not in LANGUAGES:
        language = "en"
    _current = _load(language)
    _language = language


def current_language() -> str:
    override = _override.get()
    return override[0] if override else _language


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate in ``language`` inside the block, in this thread only (the screen keeps its
    language). Customer documents use it to print in the hall's language."""
    if language not in LANGUAGES:
        language = "en"
    translations = _loaded.get(language)
    if translations is None:
        translations = _loaded[language] = _load(language)
    token = _override.set((language, translations))
    try:
        yield
    finally:
        _override.reset(token)


def _active() -> _gettext.NullTranslations:
    override = _override.get()
    return override[1] if override else _current


def _(message: str) -> str:
    return _active().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _active().pgettext(context, message)


def N_(message: str) -> str:
    """Mark a module-level constant for extraction; translate it with ``_`` when shown."""
    return message


def babel_locale(language: str | None = None) -> Locale:
    return Locale.parse(language or current_language())


def load_locale_data(language: str | None = None) -> None:
    """Load the language's CLDR data (dates, numbers) now rather than at the first
    formatted date or amount: ~75 ms the first time, which the start does on its worker
    behind the login (``ui.startup``). Babel keeps it for the process, guarded by a lock."""
    babel_locale(language).datetime_formats  # noqa: B018  (the lookup loads the data)


def format_money(fen: int, language: str | None = None) -> str:
    """Format integer fen as CNY with Babel and an explicit locale (no rounding happens here)."""
    return str(format_currency(Decimal(fen) / 100, "CNY", locale=babel_locale(language)))


def format_date(value: date, language: str | None = None, fmt: str = "medium") -> str:
    return str(_format_date(value, fmt, locale=babel_locale(language)))


def format_datetime(
    value: datetime, tz: str, language: str | None = None, fmt: str = "short"
) -> str:
    """Format an aware UTC datetime in the hall's time zone.

    CLDR puts a narrow no-break space (U+202F) before "AM"/"PM"; the bundled font, which
    prints every document, has no glyph for it, so it becomes a plain space."""
    text = _format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=babel_locale(language))
    return str(text).replace("\u202f", " ")


set_language(DEFAULT_LANGUAGE)
