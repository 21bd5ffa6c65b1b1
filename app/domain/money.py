"""Money is integer fen (分). ``Decimal`` only at the edges, rounded half-up, never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from app.domain.errors import ValidationError
from app.domain.text import refuse_bad_characters
from app.i18n import N_

FEN_PER_YUAN = 100
_AMOUNT_RE = re.compile(r"^\s*¥?\s*([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?\s*$", re.ASCII)
#: What a Chinese input method types in full-width mode, folded to ASCII: the digits
#: ０–９, the point, the comma and the yen sign.
_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９．，￥　", "0123456789.,¥ ")
FOREIGN_DIGIT_MESSAGE: Final = N_(
    "Type amounts with the digits 0–9 (full-width ０–９ also work); “{char}” is a digit "
    "of another script."
)


def yuan_to_fen(value: Decimal) -> int:
    """Round a yuan amount half-up to whole fen."""
    return int((value * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def amount_text(text: str | None, *, field: str = "amount") -> str:
    """What was typed for an amount, with full-width digits folded to ASCII.

    Digits of any other script (Arabic-Indic ``٣٤``, Devanagari, superscripts…) are refused
    by name: Python's ``int``, ``Decimal`` and ``\\d`` all read them as digits, so they
    would be taken silently as an amount nobody at the counter can read back.
    """
    raw = text or ""
    refuse_bad_characters(raw, field=field, multiline=False)
    folded = raw.translate(_FULL_WIDTH)
    for ch in folded:
        if ch.isdigit() and not ch.isascii():
            raise ValidationError(field, FOREIGN_DIGIT_MESSAGE, char=ch)
    return folded


def parse_amount(text: str, *, field: str = "amount", max_fen: int | None = None) -> int:
    """Parse what a clerk typed ("1,234.5", "¥20", "１２８．５") into fen, refusing anything
    ambiguous.

    More than two decimals, zero, negative numbers and non-numbers are refused rather than
    rounded: a counter must never record an amount the clerk did not mean. Only ASCII and
    full-width digits are digits here (``amount_text``).
    """
    text = amount_text(text, field=field)
    match = _AMOUNT_RE.match(text)
    if not match:
        raise ValidationError(field, N_("Enter an amount in yuan, for example 128.50."))
    decimals = match.group(3) or ""
    if len(decimals) > 3:
        raise ValidationError(field, N_("An amount has at most two decimal places (fen)."))
    try:
        value = Decimal(text.strip().lstrip("¥").strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(field, N_("Enter an amount in yuan, for example 128.50.")) from None
    fen = int(value * FEN_PER_YUAN)
    if fen <= 0:
        raise ValidationError(field, N_("The amount must be greater than zero."))
    if max_fen is not None and fen > max_fen:
        raise ValidationError(
            field,
            N_("The amount is larger than the limit of {limit} yuan."),
            limit=f"{fen_to_yuan(max_fen):,}",
        )
    return fen
