"""Uppercase RMB amounts (PBoC 《正确填写票据和结算凭证的基本规定》) and the figures form."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.amount_words import (
    MAX_FEN,
    format_figures,
    rmb_receipt_line,
    rmb_uppercase,
)

YUAN = 100
ALLOWED = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        # The rule's own examples (second form where it offers two, see the module docstring).
        (1409_50, "壹仟肆佰零玖元伍角"),
        (6007_14, "陆仟零柒元壹角肆分"),
        (1680_32, "壹仟陆佰捌拾元叁角贰分"),
        (107000_53, "壹拾万零柒仟元伍角叁分"),
        (16409_02, "壹万陆仟肆佰零玖元零贰分"),
        (325_04, "叁佰贰拾伍元零肆分"),
        # Conventions of the open-source converters.
        (0, "零元整"),
        (5, "伍分"),
        (10 * YUAN, "壹拾元整"),
        (100000001 * YUAN, "壹亿零壹元整"),
        # 万 and 亿 groups of zeros.
        (100000000 * YUAN, "壹亿元整"),
        (100010000 * YUAN, "壹亿零壹万元整"),
        (1000000 * YUAN, "壹佰万元整"),
        (1001000 * YUAN, "壹佰万零壹仟元整"),
        (10000 * YUAN, "壹万元整"),
        (10001 * YUAN, "壹万零壹元整"),
        (10010 * YUAN, "壹万零壹拾元整"),
        (110000 * YUAN, "壹拾壹万元整"),
        (100100 * YUAN, "壹拾万零壹佰元整"),
        # 万亿 scale.
        (1_0000_0000_0000 * YUAN, "壹万亿元整"),
        (1_0000_0001_0000 * YUAN, "壹万亿零壹万元整"),
        (1_2000_0000_0000 * YUAN, "壹万贰仟亿元整"),
        (1_0001_0000_0000 * YUAN, "壹万零壹亿元整"),
        (1_2345_6789_0123_45, "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
        (
            9999_9999_9999_9999_99,
            "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
        ),
    ],
)
def test_examples(fen: int, words: str) -> None:
    assert rmb_uppercase(fen) == words


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (1, "壹分"),
        (10, "壹角"),
        (11, "壹角壹分"),
        (50, "伍角"),
        (100, "壹元整"),
        (101, "壹元零壹分"),
        (110, "壹元壹角"),
        (1000, "壹拾元整"),
        (1005, "壹拾元零伍分"),
        (1050, "壹拾元伍角"),
        (1100, "壹拾壹元整"),
        (10000, "壹佰元整"),
        (10100, "壹佰零壹元整"),
        (11000, "壹佰壹拾元整"),
        (100001, "壹仟元零壹分"),
        (100100, "壹仟零壹元整"),
        (200000, "贰仟元整"),
        (1_0000_0000_01, "壹亿元零壹分"),
        (1_0000_0000_10, "壹亿元壹角"),
        (20_0000_0000 * YUAN, "贰拾亿元整"),
        (1_0000_0100_0000 * YUAN, "壹万亿零壹佰万元整"),
        (1_0000_0000_0001 * YUAN, "壹万亿零壹元整"),
    ],
)
def test_edge_cases(fen: int, words: str) -> None:
    assert rmb_uppercase(fen) == words


def test_receipt_line_and_figures() -> None:
    assert rmb_receipt_line(186_50) == "人民币壹佰捌拾陆元伍角"
    assert rmb_receipt_line(0) == "人民币零元整"
    assert format_figures(1234_50) == "¥1,234.50"
    assert format_figures(5) == "¥0.05"
    assert format_figures(0) == "¥0.00"
    assert format_figures(1_000_000_00) == "¥1,000,000.00"
    assert format_figures(-12_00) == "-¥12.00"


@pytest.mark.parametrize("bad", [-1, -100, MAX_FEN + 1])
def test_refuses_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        rmb_uppercase(bad)


@pytest.mark.parametrize("bad", [1.5, "100", True])
def test_refuses_non_integers(bad: object) -> None:
    with pytest.raises(TypeError):
        rmb_uppercase(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_figures(bad)  # type: ignore[arg-type]


# --- an independent reader of uppercase amounts --------------------------------------------

_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _read_integer(text: str) -> int:
    """Accumulator reading: 拾佰仟 scale the last digit, 万 closes a section, 亿 scales all."""
    total = 0  # everything closed by 亿
    wan = 0  # the part closed by 万 since the last 亿
    section = 0  # below 万
    digit = 0
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _SMALL:
            assert digit, f"unit without a digit in {text!r}"
            section += digit * _SMALL[ch]
            digit = 0
        elif ch == "万":
            wan = (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + wan + section + digit) * 100_000_000
            wan = section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    return total + wan + section + digit


def parse_uppercase(text: str) -> int:
    """Parse an uppercase amount back to fen (test-only reference reader)."""
    match = re.fullmatch(r"(?:(.+?)元)?(?:零)?(?:(.)角)?(?:(.)分)?(整)?", text)
    assert match, text
    yuan_text, jiao, fen, _whole = match.groups()
    yuan = _read_integer(yuan_text) if yuan_text else 0
    return yuan * 100 + (_DIGIT[jiao] * 10 if jiao else 0) + (_DIGIT[fen] if fen else 0)


def test_reference_reader_reads_the_rule_examples() -> None:
    assert parse_uppercase("壹拾万柒仟元零伍角叁分") == 107000_53
    assert parse_uppercase("壹拾万零柒仟元伍角叁分") == 107000_53
    assert parse_uppercase("壹仟陆佰捌拾元零叁角贰分") == 1680_32


amounts = st.one_of(
    st.integers(min_value=0, max_value=10**14),
    # Sparse amounts: a few non-zero digits among many zeros exercise the 零 rules.
    st.lists(st.tuples(st.integers(0, 13), st.integers(1, 9)), max_size=4).map(
        lambda pairs: sum(d * 10**p for p, d in dict(pairs).items())
    ),
)


@given(amounts)
def test_round_trip_and_form(fen: int) -> None:
    words = rmb_uppercase(fen)
    assert parse_uppercase(words) == fen
    assert set(words) <= ALLOWED
    assert "零零" not in words
    assert "分整" not in words
    assert not words.startswith("零") or fen == 0
    assert words.endswith(("整", "角", "分"))
    assert words.endswith("整") == (fen % 100 == 0)
    # 角 is 0 and 分 is not: 零 right after 元 (rule 4).
    if fen >= 100 and fen % 100 and fen % 100 < 10:
        assert "元零" in words
    assert rmb_receipt_line(fen) == "人民币" + words
