"""Amounts in uppercase Chinese numerals (大写金额), as printed on receipts and notices.

The rules are the People's Bank of China's 《正确填写票据和结算凭证的基本规定》 (第二条):

    （二）中文大写金额数字到"元"为止的，在"元"之后，应写"整"（或"正"）字，在"角"之后可以
    不写"整"（或"正"）字。大写金额数字有"分"的，"分"后面不写"整"（或"正"）字。

    （四）1. 阿拉伯数字中间有"0"时，中文大写金额要写"零"字。如￥1,409.50，应写成人民币壹仟
    肆佰零玖元伍角。
    2. 阿拉伯数字中间连续有几个"0"时，中文大写金额中间可以只写一个"零"字。如￥6,007.14，
    应写成人民币陆仟零柒元壹角肆分。
    3. 阿拉伯金额数字万位或元位是"0"，或者数字中间连续有几个"0"，万位、元位也是"0"，但千
    位、角位不是"0"时，中文大写金额中可以只写一个零字，也可以不写"零"字。如￥1,680.32，
    应写成人民币壹仟陆佰捌拾元零叁角贰分，或者写成人民币壹仟陆佰捌拾元叁角贰分；又如
    ￥107,000.53，应写成人民币壹拾万柒仟元零伍角叁分，或者写成人民币壹拾万零柒仟元伍角叁分。
    4. 阿拉伯金额数字角位是"0"，而分位不是"0"时，中文大写金额"元"后面应写"零"字。如
    ￥16,409.02，应写成人民币壹万陆仟肆佰零玖元零贰分；又如￥325.04，应写成人民币叁佰贰拾
    伍元零肆分。

Where the rule leaves a choice, HallDesk takes one convention and keeps it everywhere:

* **The yuan part is read as spoken Chinese reads it**: every run of zeros between two
  non-zero digits becomes exactly one 零, also when the run ends at the 万 or 亿 place
  (107,000 → 壹拾万零柒仟, 1,001,000 → 壹佰万零壹仟, 100,010,000 → 壹亿零壹万). Trailing
  zeros are silent. This is the second form of the rule's own 107,000.53 example.
* **No 零 between 元 and a non-zero 角** (rule 3's optional 零 is not written):
  1,680.32 → 壹仟陆佰捌拾元叁角贰分, 107,000.53 → 壹拾万零柒仟元伍角叁分. The 零 that rule 4
  requires (角 is 0, 分 is not) is always written: 325.04 → 叁佰贰拾伍元零肆分.
* **整 only after 元**, never after 角 (optional there) and never after 分 (forbidden):
  1,409.50 → 壹仟肆佰零玖元伍角.
* A leading 壹 before 拾 is kept (10 → 壹拾元整), because a bare 拾 is easy to alter.
* Zero is 零元整; an amount under one yuan starts at its first non-zero unit (0.05 → 伍分).
* Negative amounts raise ``ValueError``: the rule does not cover them, and a reversal prints
  its (positive) amount next to a separate reversal mark.

Only 零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整 are ever produced.
"""

from __future__ import annotations

from typing import Final

from app.i18n import format_money

DIGITS: Final = "零壹贰叁肆伍陆柒捌玖"
_PLACES: Final = ("", "拾", "佰", "仟")
#: Amounts from 1 亿亿 yuan (10^16) up have no agreed reading; nothing at a counter gets near.
MAX_FEN: Final = 10**18 - 1


def _check(fen: int) -> None:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"amount must be integer fen, not {type(fen).__name__}")
    if fen < 0:
        raise ValueError("uppercase amounts are not defined for negative amounts")
    if fen > MAX_FEN:
        raise ValueError("amount too large for uppercase numerals")


def _group_marker(index: int, groups: list[int]) -> str:
    """The word closing 4-digit group ``index`` (0 = units) when that group is not zero."""
    if index == 1:
        return "万"
    if index == 2:
        return "亿"
    if index == 3:
        # 壹万亿 when the 亿 group is empty; otherwise that group brings its own 亿.
        return "万亿" if groups[2] == 0 else "万"
    return ""


def _yuan_words(yuan: int) -> str:
    """Read a positive whole number of yuan, one 零 for each inner run of zeros."""
    groups: list[int] = []
    rest = yuan
    while rest:
        rest, group = divmod(rest, 10_000)
        groups.append(group)
    out: list[str] = []
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        for place in range(3, -1, -1):
            digit = group // 10**place % 10
            if digit == 0:
                pending_zero = pending_zero or bool(out)
                continue
            if pending_zero:
                out.append("零")
                pending_zero = False
            out.append(DIGITS[digit] + _PLACES[place])
        if group:
            out.append(_group_marker(index, groups))
    return "".join(out)


def rmb_uppercase(fen: int) -> str:
    """The amount in uppercase Chinese numerals, e.g. 18650 → 壹佰捌拾陆元伍角.

    See the module docstring for the rule text and the conventions chosen where the rule
    allows two forms. Raises ``ValueError`` for negative amounts.
    """
    _check(fen)
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    head = _yuan_words(yuan) + "元" if yuan else ""
    if cents == 0:
        return head + "整"
    tail = ""
    if jiao:
        tail += DIGITS[jiao] + "角"
    elif yuan:
        tail += "零"
    if fen_digit:
        tail += DIGITS[fen_digit] + "分"
    return head + tail


def rmb_receipt_line(fen: int) -> str:
    """人民币 followed by the uppercase amount, with no gap (rule 三)."""
    return "人民币" + rmb_uppercase(fen)


def format_figures(fen: int) -> str:
    """The amount in figures with the yuan sign: 123450 → ``¥1,234.50`` (-¥… when negative).

    Receipts always print the Chinese form (¥ before the figures, rule 五), whatever the UI
    language, so the locale is fixed to zh_CN here.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"amount must be integer fen, not {type(fen).__name__}")
    return format_money(fen, "zh_CN")
