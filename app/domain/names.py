"""Pinyin search keys for customer names, so ``zhangsan`` and ``zs`` find 张三.

Surnames with a reading of their own (单 shan, 曾 zeng, 解 xie …) are read as surnames;
every other character takes its most common reading from pypinyin.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from pypinyin import Style, lazy_pinyin

#: Polyphonic characters whose reading as a surname differs from their common reading.
SURNAME_READINGS: Final = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "乐": "yue",
    "尉": "yu",
    "繁": "po",
    "盖": "ge",
    "覃": "qin",
    "员": "yun",
    "缪": "miao",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "冼": "xian",
    "翟": "zhai",
    "长": "chang",
    "重": "chong",
    "沈": "shen",
    "任": "ren",
    "薄": "bo",
}
COMPOUND_SURNAMES: Final = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "万俟",
        "澹台",
    }
)
#: Compound surnames whose characters read differently together (万俟 is "moqi", not "wanqi").
COMPOUND_READINGS: Final = {"万俟": ("mo", "qi"), "长孙": ("zhang", "sun")}


@lru_cache(maxsize=65536)
def char_pinyin(char: str) -> str:
    """The toneless reading of one character, or the lowercased character if it has none."""
    reading = lazy_pinyin(char, style=Style.NORMAL, errors=lambda s: s.lower())
    return "".join(reading).lower().replace("ü", "v")


def _surname_length(name: str) -> int:
    return 2 if name[:2] in COMPOUND_SURNAMES else 1


def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials) of a name: ``("zhangsan", "zs")``.

    Only letters survive; spaces and punctuation are dropped so a key is a plain prefix
    target for an index.
    """
    syllables: list[str] = []
    surname_len = _surname_length(name)
    compound = COMPOUND_READINGS.get(name[:2], ())
    for i, char in enumerate(name):
        if i < len(compound):
            syllables.append(compound[i])
        elif i < surname_len and char in SURNAME_READINGS:
            syllables.append(SURNAME_READINGS[char])
        else:
            syllables.append(char_pinyin(char))
    syllables = ["".join(c for c in s if c.isascii() and c.isalnum()) for s in syllables]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)
