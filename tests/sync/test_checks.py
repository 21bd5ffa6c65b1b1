"""``checks.json_problem``: what PostgreSQL cannot store in a pushed JSON value (a NUL or a
lone surrogate in a text, a number outside bigint, a non-finite float), and where."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.checks import INT_MAX, INT_MIN, json_problem


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every node in document order with its path, a dict's keys at the dict's path."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield path, k
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def _reference(payload: Any) -> tuple[str, str] | None:
    """The rule written plainly: the first node PostgreSQL cannot hold."""
    for path, value in _walk(payload, ""):
        if isinstance(value, str) and (
            "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
        ):
            return "bad_text", path
        if isinstance(value, float) and not math.isfinite(value):
            return "bad_payload", path
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not (INT_MIN <= value <= INT_MAX)
        ):
            return "bad_payload", path
    return None


_text = st.text(alphabet=st.sampled_from(["a", "号", "\x00", "\ud800", " "]), max_size=4)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    _text,
)
_json = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(payload=_json)
def test_json_problem_finds_the_first_unstorable_value_and_its_path(payload: Any) -> None:
    assert json_problem(payload) == _reference(payload)


def test_paths_name_the_field() -> None:
    assert json_problem({"note": "ok", "lines": [{"text": "a\x00b"}]}) == (
        "bad_text",
        "lines[0].text",
    )
    assert json_problem({"amount_fen": 2**63}) == ("bad_payload", "amount_fen")
    assert json_problem({"a": {"b\x00": 1}}) == ("bad_text", "a")
    assert json_problem({"a": [1, 2, float("inf")]}) == ("bad_payload", "a[2]")
    assert json_problem({"a": "号码", "b": [True, None, 2**63 - 1]}) is None
