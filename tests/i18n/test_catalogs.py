"""Every message is translated for zh_CN, with its placeholders intact, and the template
holds every message the code uses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from app import i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)(?:[:!][^}]*)?\}")


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _texts(message_id: object) -> list[str]:
    return list(message_id) if isinstance(message_id, tuple) else [str(message_id)]


def test_template_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "pyproject.toml",
            "-k",
            "N_",
            "-k",
            "pgettext:1c,2",
            "-o",
            str(fresh),
            "app",
            "ui",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {m.id for m in _catalog(fresh) if m.id}
    have = {m.id for m in _catalog(ROOT / "i18n" / "messages.pot") if m.id}
    missing = wanted - have
    assert not missing, f"run the catalog update (see i18n/README.md); missing: {missing}"


def test_every_message_translated_for_zh_cn() -> None:
    template = {m.id for m in _catalog(ROOT / "i18n" / "messages.pot") if m.id}
    zh = _catalog(ROOT / "i18n" / "zh_CN" / "LC_MESSAGES" / "messages.po", "zh_CN")
    untranslated = []
    for message in zh:
        if not message.id or message.id not in template:
            continue
        strings = _texts(message.string)
        if message.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(message.id)
    missing = template - {m.id for m in zh if m.id}
    assert not untranslated and not missing, (untranslated, missing)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_placeholders_intact(language: str) -> None:
    catalog = _catalog(ROOT / "i18n" / language / "LC_MESSAGES" / "messages.po", language)
    for message in catalog:
        if not message.id or not message.string:
            continue
        expected = set(PLACEHOLDER.findall(" ".join(_texts(message.id))))
        for text in _texts(message.string):
            if text:
                assert set(PLACEHOLDER.findall(text)) == expected, message.id


def test_language_switch_at_runtime() -> None:
    i18n.set_language("zh_CN")
    assert i18n._("Enter your password.") != "Enter your password."
    i18n.set_language("en")
    assert i18n._("Enter your password.") == "Enter your password."
    i18n.set_language("zh_CN")


def test_money_and_dates_use_explicit_locales() -> None:
    assert i18n.format_money(123450, "zh_CN") == "¥1,234.50"
    assert i18n.format_money(5, "zh_CN") == "¥0.05"
    assert i18n.format_money(123450, "en") == "CN¥1,234.50"
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 27, 23, 40, 5, tzinfo=UTC)
    assert i18n.format_datetime(moment, "Asia/Shanghai", "zh_CN") == "2026/11/28 07:40"
    # A plain space before AM: the bundled font that prints documents has no U+202F.
    assert i18n.format_datetime(moment, "Asia/Shanghai", "en") == "11/28/26, 7:40 AM"
    from reportlab.pdfbase.ttfonts import TTFontFile

    from app import paths

    covered = set(TTFontFile(str(paths.resource("fonts", "NotoSansSC-Regular.ttf"))).charToGlyph)
    for language in ("zh_CN", "en"):
        for fmt in ("short", "medium"):
            text = i18n.format_datetime(moment, "Asia/Shanghai", language, fmt=fmt)
            missing = {c for c in text if ord(c) not in covered}
            assert not missing, (language, fmt, missing)
