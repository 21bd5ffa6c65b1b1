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


@pytest.mark.parametrize(
    ("text", "fen"),
    [("３４", 3400), ("１２８．５０", 12850), ("￥２０", 2000), ("1,２３4.5", 123450)],
)
def test_full_width_digits_are_digits(text: str, fen: int) -> None:
    """Chinese input methods in full-width mode type ０–９: they are the clerk's digits."""
    assert parse_amount(text) == fen


@pytest.mark.parametrize("text", ["٣٤", "३४", "۳۴", "3٤", "²", "12.5٠", "𝟑𝟒"])
def test_other_scripts_digits_are_refused_by_name(text: str) -> None:
    """``٣٤`` (Arabic-Indic) used to be taken as 34 yuan: ``\\d`` and ``Decimal`` read
    every script's digits. Only ASCII and full-width digits are amounts."""
    with pytest.raises(ValidationError) as err:
        parse_amount(text)
    assert err.value.field == "amount"
    foreign = next(ch for ch in text if ch.isdigit() and not ch.isascii())
    assert foreign in err.value.user_message()


@pytest.mark.parametrize("text", ["1\ud83d", "\udc00", "12\x00", "5\x1b"])
def test_broken_paste_in_an_amount_is_refused_clearly(text: str) -> None:
    """A lone surrogate used to reach the store as a raw ``UnicodeEncodeError``."""
    with pytest.raises(ValidationError) as err:
        parse_amount(text, field="tendered")
    assert err.value.field == "tendered"
    assert "UnicodeEncodeError" not in err.value.user_message()
