"""``replay``: a complaint's events from several PCs, never refused, invalid steps left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.complaint_flow import (
    Event,
    EventKind,
    Status,
    TransitionRefused,
    apply,
    project,
    replay,
    start,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def ev(kind: EventKind, minutes: int = 0, **kw: str) -> Event:
    return Event(kind, T0 + timedelta(minutes=minutes), **kw)


PLANNED = [
    ev(EventKind.RECEIVED),
    ev(EventKind.CLASSIFIED, 1, category="network", subcategory="network_no_signal"),
    ev(EventKind.PLANNED, 2),
]


def test_a_crossed_step_is_left_out_and_reported() -> None:
    events = [*PLANNED, ev(EventKind.HANDLED, 3), ev(EventKind.FORWARDED, 4, department="billing")]
    state, refused = replay(events)
    assert state.status is Status.HANDLED
    assert refused == (4,)
    # The other order: the forward wins, the handling is refused.
    state, refused = replay([*PLANNED, events[4], events[3]])
    assert state.status is Status.FORWARDED and state.department == "billing"
    assert refused == (4,)


def test_skipped_positions_have_no_effect_and_are_not_reported() -> None:
    events = [*PLANNED, ev(EventKind.HANDLED, 3), ev(EventKind.FORWARDED, 4, department="billing")]
    state, refused = replay(events, skip=[3])
    assert state.status is Status.FORWARDED
    assert refused == ()


def test_events_before_the_receipt_are_refused() -> None:
    state, refused = replay([ev(EventKind.NOTE), *PLANNED])
    assert refused == (0,) and state.status is Status.PLANNED


@given(st.lists(st.sampled_from(list(EventKind)), max_size=12))
def test_replay_equals_the_strict_projection_of_the_applied_events(kinds: list[EventKind]) -> None:
    events = [ev(EventKind.RECEIVED)] + [
        ev(k, i + 1, department="technical", category="network", satisfaction="satisfied")
        for i, k in enumerate(kinds)
    ]
    state, refused = replay(events)
    applied = [e for i, e in enumerate(events) if i not in refused]
    assert project(applied) == state
    # Each refused event really was invalid where it stood.
    current = start(events[0])
    for i, e in enumerate(events[1:], start=1):
        if i in refused:
            try:
                apply(current, e)
            except TransitionRefused:
                continue
            raise AssertionError(f"event {i} was refused but is valid")
        current = apply(current, e)
