"""Money is integer fen (分). ``Decimal`` only at the edges, rounded half-up, never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.errors import ValidationError
from app.i18n import N_

FEN_PER_YUAN = 100
_AMOUNT_RE = re.compile(r"^\s*[¥￥]?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d*)?\s*$")


def yuan_to_fen(value: Decimal) -> int:
    """Round a yuan amount half-up to whole fen."""
    return int((value * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def parse_amount(text: str, *, field: str = "amount", max_fen: int | None = None) -> int:
    """Parse what a clerk typed ("1,234.5", "¥20") into fen, refusing anything ambiguous.

    More than two decimals, zero, negative numbers and non-numbers are refused rather than
    rounded: a counter must never record an amount the clerk did not mean.
    """
    match = _AMOUNT_RE.match(text or "")
    if not match:
        raise ValidationError(field, N_("Enter an amount in yuan, for example 128.50."))
    decimals = match.group(3) or ""
    if len(decimals) > 3:
        raise ValidationError(field, N_("An amount has at most two decimal places (fen)."))
    try:
        value = Decimal(text.strip().lstrip("¥￥").strip().replace(",", ""))
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
