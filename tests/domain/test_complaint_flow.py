"""The complaint state machine: the happy path, reopening, pauses, refusals, projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import i18n
from app.domain.complaint_flow import (
    CATEGORY_LABELS,
    SUBCATEGORIES,
    Category,
    Event,
    EventKind,
    Status,
    TransitionRefused,
    allowed,
    apply,
    category_of,
    project,
    start,
)

T0 = datetime(2026, 11, 3, 2, tzinfo=UTC)


def ev(kind: EventKind, hours: float, **kw: str) -> Event:
    return Event(kind, T0 + timedelta(hours=hours), **kw)


HAPPY = [
    ev(EventKind.RECEIVED, 0, category="billing"),
    ev(EventKind.CLASSIFIED, 1, category="network", subcategory="network_no_signal"),
    ev(EventKind.FORWARDED, 2, department="technical"),
    ev(EventKind.PLANNED, 3),
    ev(EventKind.HANDLED, 30),
    ev(EventKind.FED_BACK, 40, satisfaction="satisfied"),
    ev(EventKind.ARCHIVED, 41),
]


def test_happy_path_projects_each_status() -> None:
    expected = [
        Status.RECEIVED,
        Status.CLASSIFIED,
        Status.FORWARDED,
        Status.PLANNED,
        Status.HANDLED,
        Status.FED_BACK,
        Status.ARCHIVED,
    ]
    for n, status in enumerate(expected, start=1):
        assert project(HAPPY[:n]).status is status
    final = project(HAPPY)
    assert final.category == "network" and final.subcategory == "network_no_signal"
    assert final.department == "technical"
    assert final.answered_at == T0 + timedelta(hours=40)
    assert final.satisfaction == "satisfied"
    assert not final.is_open


def test_counter_may_plan_without_forwarding_and_forward_again() -> None:
    state = project(HAPPY[:2])
    assert apply(state, ev(EventKind.PLANNED, 2)).status is Status.PLANNED
    forwarded = project(HAPPY[:3])
    again = apply(forwarded, ev(EventKind.FORWARDED, 4, department="billing"))
    assert again.department == "billing"


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        (1, EventKind.FORWARDED),  # received: classify first
        (1, EventKind.HANDLED),
        (2, EventKind.HANDLED),  # classified: no plan yet
        (3, EventKind.FED_BACK),
        (4, EventKind.ARCHIVED),
        (5, EventKind.FORWARDED),
        (6, EventKind.PAUSED),  # answered: the clock has stopped
        (7, EventKind.NOTE),
        (7, EventKind.CLASSIFIED),
        (3, EventKind.REOPENED),
        (2, EventKind.RECEIVED),
    ],
)
def test_invalid_transitions_are_refused(prefix: int, kind: EventKind) -> None:
    state = project(HAPPY[:prefix])
    with pytest.raises(TransitionRefused) as caught:
        apply(state, ev(kind, 50))
    assert caught.value.status is state.status
    assert caught.value.kind is kind
    assert kind not in allowed(state)


def test_refusal_message_names_status_and_action_in_the_language() -> None:
    state = project(HAPPY[:1])
    with pytest.raises(TransitionRefused) as caught:
        apply(state, ev(EventKind.HANDLED, 1))
    before = i18n.current_language()
    try:
        i18n.set_language("en")
        assert caught.value.user_message() == (
            "A complaint that is received cannot be marked handled."
        )
        i18n.set_language("zh_CN")
        assert caught.value.user_message() == "处于“已受理”状态的投诉不能标记为已处理。"
    finally:
        i18n.set_language(before)


def test_pause_and_resume() -> None:
    state = project(HAPPY[:3])
    paused = apply(state, ev(EventKind.PAUSED, 5))
    assert paused.is_paused and paused.status is Status.FORWARDED
    with pytest.raises(TransitionRefused) as twice:
        apply(paused, ev(EventKind.PAUSED, 6))
    assert "already paused" in twice.value.message
    resumed = apply(paused, ev(EventKind.RESUMED, 29))
    assert not resumed.is_paused
    assert resumed.pauses == ((T0 + timedelta(hours=5), T0 + timedelta(hours=29)),)
    with pytest.raises(TransitionRefused):
        apply(resumed, ev(EventKind.RESUMED, 30))


def test_feeding_back_closes_an_open_pause() -> None:
    state = project([*HAPPY[:5], ev(EventKind.PAUSED, 35)])
    answered = apply(state, ev(EventKind.FED_BACK, 40, satisfaction="unsatisfied"))
    assert not answered.is_paused
    assert answered.pauses[-1] == (T0 + timedelta(hours=35), T0 + timedelta(hours=40))


def test_reopen_starts_a_new_clock() -> None:
    archived = project([*HAPPY[:3], ev(EventKind.PAUSED, 4), *HAPPY[3:]])
    assert archived.pauses
    reopened = apply(archived, ev(EventKind.REOPENED, 100))
    assert reopened.status is Status.CLASSIFIED and reopened.is_open
    assert reopened.clock_start == T0 + timedelta(hours=100)
    assert reopened.received_at == T0
    assert reopened.answered_at is None and reopened.pauses == ()
    assert reopened.reopen_count == 1
    assert apply(reopened, ev(EventKind.FORWARDED, 101, department="billing")).is_open


def test_dissatisfaction_outlives_a_reopening_until_later_feedback() -> None:
    """Seed (12300申诉流程): "⽤户对电信业务经营者的处理结果不满意…的,可以向申诉受理机构
    提出申诉。" Issue 12 item 7: reopening an answered complaint whose customer was
    unsatisfied cleared the appeal risk; only the customer's later feedback may."""
    unsatisfied = [*HAPPY[:5], ev(EventKind.FED_BACK, 40, satisfaction="unsatisfied")]
    reopened = project([*unsatisfied, ev(EventKind.REOPENED, 50)])
    assert reopened.is_open and reopened.answered_at is None
    assert reopened.satisfaction == "unsatisfied"
    handled = project(
        [
            *unsatisfied,
            ev(EventKind.REOPENED, 50),
            ev(EventKind.PLANNED, 51),
            ev(EventKind.HANDLED, 60),
            ev(EventKind.FED_BACK, 70, satisfaction="basically_satisfied"),
        ]
    )
    assert handled.satisfaction == "basically_satisfied"


def test_fault_link_and_first_event() -> None:
    state = apply(project(HAPPY[:1]), ev(EventKind.FAULT_LINKED, 1, fault_notice_id="abc"))
    assert state.fault_notice_id == "abc"
    with pytest.raises(ValueError):
        start(ev(EventKind.CLASSIFIED, 0))
    with pytest.raises(ValueError):
        project([])


def test_subcategories_belong_to_one_category() -> None:
    codes = [code for subs in SUBCATEGORIES.values() for code in subs]
    assert len(codes) == len(set(codes))
    assert set(SUBCATEGORIES) == set(Category) == set(CATEGORY_LABELS)
    assert category_of("billing_refund") is Category.BILLING
    assert category_of("nope") is None


@given(st.lists(st.sampled_from(list(EventKind)), max_size=30))
def test_any_sequence_either_applies_or_is_refused(kinds: list[EventKind]) -> None:
    state = start(ev(EventKind.RECEIVED, 0))
    for n, kind in enumerate(kinds, start=1):
        legal = kind in allowed(state)
        try:
            state = apply(state, ev(kind, n, department="hall", satisfaction="satisfied"))
        except TransitionRefused:
            assert not legal
            continue
        assert legal
        assert (state.answered_at is None) == state.is_open or state.status in (
            Status.FED_BACK,
            Status.ARCHIVED,
        )
        assert not (state.is_paused and not state.is_open)
