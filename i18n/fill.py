"""Fill untranslated zh_CN entries from a Python dict of translations.

Usage: python i18n/fill.py translations.py  (a module defining ``ZH``: msgid or
(context, msgid) -> translation). Entries already translated are left alone.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TARGET = Path(__file__).parent / "zh_CN" / "LC_MESSAGES" / "messages.po"


def main(source: str) -> None:
    table = runpy.run_path(source)["ZH"]
    with TARGET.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    filled = 0
    for message in catalog:
        if not message.id or (all(_texts(message.string)) and not message.fuzzy):
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = table.get((message.context, key)) or table.get(key)
        if value is None:
            continue
        message.string = value if isinstance(message.id, str) else (value,)
        message.flags.discard("fuzzy")
        filled += 1
    with TARGET.open("wb") as fh:
        write_po(fh, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not all(_texts(m.string))]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for item in missing:
        print("  ", item)


def _texts(value: object) -> list[str]:
    return list(value) if isinstance(value, tuple) else [str(value or "")]


if __name__ == "__main__":
    main(sys.argv[1])
