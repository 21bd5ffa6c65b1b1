"""The 15-day answer clock: calendar and working days, holidays, make-up workdays, pauses,
weekends, year boundaries, the unknown-year fallback, appeal windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.complaint_clock import (
    AppealRisk,
    ClockInput,
    ComplaintClock,
    DayCount,
    Level,
    add_months,
    appeal_risks,
    appeal_window_end,
    chinese_workday,
    fallback_workday,
    parse_day_count,
)

SH = ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=SH)


def end_of(day: date) -> datetime:
    """The deadline instant for a last counted day: the next midnight, hall time."""
    nxt = day + timedelta(days=1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=SH)


CAL = ComplaintClock("Asia/Shanghai")
WORK = ComplaintClock("Asia/Shanghai", DayCount.WORKING)


def test_calendar_deadline_is_end_of_fifteenth_day_after_receipt() -> None:
    received = local(2026, 11, 3, 17, 55)
    due = CAL.deadline(ClockInput(received), received)
    assert due.due_at == end_of(date(2026, 11, 18))
    assert due.due_at.tzinfo is UTC
    assert due.calendar_known


def test_working_days_skip_national_day_and_count_the_make_up_saturday() -> None:
    # Received Monday 28 Sep 2026: 29, 30 Sep; 1-7 Oct holiday; 8, 9 Oct; Sat 10 Oct is a
    # make-up workday; then 12-16, 19-23 Oct. The 15th working day is Friday 23 Oct.
    received = local(2026, 9, 28)
    due = WORK.deadline(ClockInput(received), received)
    assert due.due_at == end_of(date(2026, 10, 23))
    assert due.calendar_known


def test_make_up_workday_is_counted() -> None:
    # Without the make-up Saturday (10 Oct) the deadline would be one working day later.
    def no_make_up(day: date) -> tuple[bool, bool]:
        works, known = chinese_workday(day)
        return (works and day.weekday() < 5), known

    received = local(2026, 9, 28)
    plain = ComplaintClock("Asia/Shanghai", DayCount.WORKING, workday=no_make_up)
    assert plain.deadline(ClockInput(received), received).due_at == end_of(date(2026, 10, 26))


def test_spring_festival_holiday() -> None:
    # Received Friday 13 Feb 2026; Saturdays 14 and 28 Feb are make-up workdays, 15-23 Feb
    # the holiday.
    received = local(2026, 2, 13)
    due = WORK.deadline(ClockInput(received), received).due_at
    counted = [
        date(2026, 2, 14),
        *[date(2026, 2, d) for d in range(24, 29)],
        *[date(2026, 3, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12)],
    ]
    assert all(chinese_workday(d)[0] for d in counted)
    assert due == end_of(counted[14])


def test_receipt_on_a_weekend_starts_counting_on_the_next_working_day() -> None:
    saturday = WORK.deadline(ClockInput(local(2026, 11, 7)), local(2026, 11, 7)).due_at
    sunday = WORK.deadline(ClockInput(local(2026, 11, 8)), local(2026, 11, 8)).due_at
    friday_evening = local(2026, 11, 6, 20)
    friday = WORK.deadline(ClockInput(friday_evening), friday_evening).due_at
    assert saturday == sunday == friday == end_of(date(2026, 11, 27))


def test_year_boundary_in_calendar_days() -> None:
    received = local(2025, 12, 20)
    assert CAL.deadline(ClockInput(received), received).due_at == end_of(date(2026, 1, 4))


def test_year_boundary_working_days_skip_new_year() -> None:
    # Received Monday 22 Dec 2025: 23-26, 29-31 Dec (7), 1-3 Jan 2026 holiday,
    # Sun 4 Jan make-up workday (8), 5-9 (13), 12, 13 Jan (15).
    received = local(2025, 12, 22)
    assert not chinese_workday(date(2026, 1, 1))[0]
    assert chinese_workday(date(2026, 1, 4))[0]
    assert WORK.deadline(ClockInput(received), received).due_at == end_of(date(2026, 1, 13))


def test_unknown_year_falls_back_to_weekdays_and_says_so() -> None:
    received = local(2026, 12, 21)  # counting runs into 2027, which v1.11 does not know
    due = WORK.deadline(ClockInput(received), received)
    assert not due.calendar_known
    # 22-24, 28-31 Dec (7 + 22/23/24 = 10 … ) counted Mon-Fri; 1 Jan 2027 fixed holiday.
    days = [date(2026, 12, d) for d in (22, 23, 24, 25, 28, 29, 30, 31)]
    days += [date(2027, 1, d) for d in (4, 5, 6, 7, 8, 11, 12)]
    assert due.due_at == end_of(days[14])
    assert chinese_workday(date(2030, 1, 1)) == (False, False)
    assert chinese_workday(date(2030, 1, 2)) == (True, False)
    assert not fallback_workday(date(2031, 10, 2))
    # Calendar days never need the holiday calendar.
    assert CAL.deadline(ClockInput(received), received).calendar_known


def test_pause_moves_the_deadline_by_the_counted_time_paused() -> None:
    received = local(2026, 11, 3)
    pause = (local(2026, 11, 5, 9), local(2026, 11, 7, 9))
    due = CAL.deadline(ClockInput(received, pauses=[pause]), received).due_at
    assert due == end_of(date(2026, 11, 18)) + timedelta(days=2)


def test_pause_over_a_weekend_costs_nothing_in_working_days() -> None:
    received = local(2026, 11, 3)
    weekend = (local(2026, 11, 7, 0, 0), local(2026, 11, 9, 0, 0))
    plain = WORK.deadline(ClockInput(received), received).due_at
    paused = WORK.deadline(ClockInput(received, pauses=[weekend]), received).due_at
    assert paused == plain


def test_open_pause_counts_until_now_and_freezes_time_left() -> None:
    received = local(2026, 11, 3)
    paused_since = local(2026, 11, 10)
    item = ClockInput(received, paused_since=paused_since)
    first = CAL.read(item, local(2026, 11, 12))
    later = CAL.read(item, local(2026, 11, 18))
    # Counting ran from 4 Nov 00:00 to 10 Nov 10:00 (6 days 10 h) before the pause.
    assert first.time_left == timedelta(days=8, hours=14)
    assert first.time_left == later.time_left
    assert later.deadline.due_at - first.deadline.due_at == timedelta(days=6)
    assert later.level is Level.PAUSED
    # The pause stops the hall's clock, not the customer's right to appeal (19 Nov on).
    beyond = CAL.read(item, local(2026, 11, 20))
    assert beyond.time_left == first.time_left
    assert beyond.level is Level.RED and beyond.appeal_open


def test_levels_ok_amber_red_and_answered() -> None:
    received = local(2026, 11, 3)
    item = ClockInput(received)
    assert CAL.read(item, local(2026, 11, 10)).level is Level.OK
    amber = CAL.read(item, local(2026, 11, 16, 0, 0))
    assert amber.level is Level.AMBER
    assert amber.time_left == timedelta(days=3)
    assert amber.days_left == 3
    assert CAL.read(item, local(2026, 11, 15, 23, 59)).level is Level.OK
    red = CAL.read(item, local(2026, 11, 19, 0, 0))
    assert red.level is Level.RED and red.overdue and red.days_left == 0
    assert red.time_left == timedelta()
    assert CAL.read(item, local(2026, 11, 20)).time_left < timedelta()
    answered = ClockInput(received, answered_at=local(2026, 11, 12))
    assert CAL.read(answered, local(2026, 12, 30)).level is Level.ANSWERED
    assert CAL.answered_in_time(answered) is True
    late = ClockInput(received, answered_at=local(2026, 11, 19, 9))
    assert CAL.read(late, local(2026, 12, 30)).level is Level.LATE
    assert not CAL.read(late, local(2026, 12, 30)).overdue
    assert CAL.answered_in_time(late) is False
    assert CAL.answered_in_time(item) is None


@given(
    offset=st.integers(min_value=0, max_value=365 * 24 * 4),
    pause_hours=st.integers(min_value=0, max_value=24 * 20),
    working=st.booleans(),
)
def test_deadline_properties(offset: int, pause_hours: int, working: bool) -> None:
    clock = WORK if working else CAL
    received = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * offset)
    plain = clock.deadline(ClockInput(received), received).due_at
    assert plain > received + timedelta(days=14 if not working else 15)
    # Exactly 15 days are counted up to the deadline.
    assert clock.counted(ClockInput(received), plain) == timedelta(days=15)
    pause = (received + timedelta(hours=30), received + timedelta(hours=30 + pause_hours))
    paused = clock.deadline(ClockInput(received, pauses=[pause]), received).due_at
    assert paused >= plain
    paused_item = ClockInput(received, pauses=[pause])
    assert clock.counted(paused_item, paused) == timedelta(days=15)
    if not working:
        assert paused - plain == timedelta(hours=pause_hours)


def test_day_count_setting_parsing() -> None:
    assert parse_day_count(None) is DayCount.CALENDAR
    assert parse_day_count("working") is DayCount.WORKING
    assert parse_day_count("bogus") is DayCount.CALENDAR


@pytest.mark.parametrize(
    ("category", "received", "end"),
    [
        ("billing", date(2026, 9, 30), date(2027, 2, 28)),
        ("billing", date(2026, 1, 15), date(2026, 6, 15)),
        ("network", date(2024, 2, 29), date(2026, 2, 28)),
        (None, date(2026, 11, 1), date(2028, 11, 1)),
    ],
)
def test_appeal_windows(category: str | None, received: date, end: date) -> None:
    assert appeal_window_end(category, received) == end


def test_add_months_and_risks() -> None:
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 31), -2) == date(2025, 11, 30)
    assert appeal_risks(overdue=True, unsatisfied=False, says_will_appeal=True) == (
        AppealRisk.OVERDUE,
        AppealRisk.SAYS_WILL_APPEAL,
    )
    assert appeal_risks(overdue=False, unsatisfied=False, says_will_appeal=False) == ()


SEED_ANSWER_RULE = (
    "电信业务经营者应当认真受理⽤户的投诉,并在接到⽤户投诉之⽇起15⽇内答复⽤户。"
    "⽤户对电信业务经营者的处理结果不满意或者电信业务经营者在接到投诉后15⽇内未答复的,"
    "可以向申诉受理机构提出申诉。"
)


def test_a_pause_does_not_hide_the_statutory_date() -> None:
    """Seed (12300申诉流程): "电信业务经营者应当认真受理⽤户的投诉,并在接到⽤户投诉之⽇起
    15⽇内答复⽤户。⽤户对…处理结果不满意或者电信业务经营者在接到投诉后15⽇内未答复的,
    可以向申诉受理机构提出申诉。"

    Issue 12 item 6: received 2026-11-02 10:00, paused after 2 days, resumed 10 days later;
    on 11-19 (17 days, unanswered) the case read "ok" with the deadline 11-28. The hall's
    deadline is 11-28, but the customer may appeal from 11-18 (day 16) on."""
    assert "15⽇内未答复" in SEED_ANSWER_RULE
    received = local(2026, 11, 2, 10)
    pause = (local(2026, 11, 4, 10), local(2026, 11, 14, 10))
    item = ClockInput(received, pauses=[pause])
    reading = CAL.read(item, local(2026, 11, 19, 10))
    assert reading.deadline.due_at == end_of(date(2026, 11, 27))  # the hall's, "11-28"
    assert reading.statutory_due == end_of(date(2026, 11, 17))
    assert reading.level is Level.RED and reading.appeal_open
    assert not reading.internal_overdue and reading.days_left == 9
    # Day 15 is the last day to answer; from the first moment of day 16 the risk shows.
    assert CAL.read(item, local(2026, 11, 17, 23, 59)).level is Level.AMBER
    assert not CAL.read(item, local(2026, 11, 17, 23, 59)).appeal_open
    assert CAL.read(item, local(2026, 11, 18, 0, 0)).appeal_open
    # Working days and the hall's pauses never move it: it is the regulation's date.
    assert WORK.read(item, local(2026, 11, 19)).statutory_due == reading.statutory_due
    assert WORK.read(ClockInput(received), local(2026, 11, 19)).appeal_open
    # Answered on day 17 inside the hall's deadline: late by the regulation.
    answered = ClockInput(received, pauses=[pause], answered_at=local(2026, 11, 19, 10))
    late = CAL.read(answered, local(2026, 12, 30))
    assert late.level is Level.LATE and late.statutory_passed and not late.appeal_open
    assert CAL.answered_in_time(answered) is True  # the hall's own figure


def test_statutory_date_after_a_reopening_runs_from_the_reopening() -> None:
    reopened = local(2026, 12, 1, 15)
    reading = CAL.read(ClockInput(reopened), local(2026, 12, 2))
    assert reading.statutory_due == end_of(date(2026, 12, 16))


@given(offset=st.integers(min_value=0, max_value=365 * 24 * 4), working=st.booleans())
def test_the_statutory_date_is_never_after_the_halls_deadline(offset: int, working: bool) -> None:
    clock = WORK if working else CAL
    received = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * offset)
    reading = clock.read(ClockInput(received), received)
    assert reading.statutory_due <= reading.deadline.due_at
    assert reading.statutory_due - received <= timedelta(days=16)
    assert reading.statutory_due - received > timedelta(days=15)
