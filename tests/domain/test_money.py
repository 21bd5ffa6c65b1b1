from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import ValidationError
from app.domain.money import fen_to_yuan, parse_amount, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("128.50", 12850), ("1,234.5", 123450), ("¥20", 2000), (" 0.01 ", 1), ("100.", 10000)],
)
def test_parse_amount(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    "text", ["", "abc", "1.234", "-5", "0", "0.00", "1e3", "12,34", "NaN", "Infinity"]
)
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_amount(text)
    assert err.value.field == "amount"
    assert err.value.user_message()


def test_parse_amount_limit() -> None:
    with pytest.raises(ValidationError) as err:
        parse_amount("100000.01", max_fen=10_000_000)
    assert "100,000.00" in err.value.user_message()


def test_half_up_rounding() -> None:
    assert yuan_to_fen(Decimal("0.125")) == 13
    assert yuan_to_fen(Decimal("0.124")) == 12
    assert fen_to_yuan(12345) == Decimal("123.45")
