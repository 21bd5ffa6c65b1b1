"""The pull cursor's wire form, read without a centre (app.sync.cursor)."""

from __future__ import annotations

import pytest

from app.sync.cursor import PullCursor, decode, encode


def test_an_empty_cursor_has_seen_nothing() -> None:
    assert PullCursor.from_wire(None) == PullCursor.from_wire({}) == PullCursor()
    assert PullCursor().horizon == 3


def test_a_paged_cursor_round_trips_through_the_store() -> None:
    cursor = PullCursor(seen="700:705:701,703", upto="704:720:710", after=(702, 12))
    stored = encode(cursor.to_wire())
    assert PullCursor.from_wire(decode(stored)) == cursor
    assert cursor.mark() == (700, 705)


def test_a_protocol_1_watermark_reads_as_the_snapshot_it_stood_for() -> None:
    legacy = PullCursor.from_wire({"txid": "812", "seq": 40})
    assert legacy == PullCursor(seen="812:812:", after=(812, 40))
    assert PullCursor.from_wire({"txid": "0", "seq": 0}) == PullCursor()


@pytest.mark.parametrize(
    "wire",
    [
        {"seen": "9:3:"},
        {"seen": "0:0:"},
        {"seen": "3:9:12"},
        {"seen": 7},
        {"seen": "3:9:", "upto": "3:9:"},
        {"seen": "3:9:", "after": ["x", 1]},
    ],
)
def test_what_is_not_a_cursor_is_refused(wire: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        PullCursor.from_wire(wire)


def test_decode_tolerates_an_empty_column() -> None:
    assert decode("") == {} and decode("[]") == {}
