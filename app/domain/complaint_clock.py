"""The operator's answer deadline of a complaint: 15 days from receipt.

The rule: the operator answers within **15 days** of receiving a complaint; the hotline says
15 working days, so a hall chooses how the days are counted (``DayCount``): calendar days
(the default) or working days of the Chinese public-holiday calendar, make-up workdays
(调休) included, from the ``chinese_calendar`` package.

How the clock counts, and why:

* Counting starts at the first midnight after receipt (hall-local): the day of receipt is
  not a day of the 15, so a complaint received at 17:55 loses nothing. The deadline is the
  end of the 15th counted day. In working days a weekend or holiday is simply not counted,
  so a complaint received on a Saturday starts counting on Monday (or on a make-up
  Sunday).
* Waiting on the customer pauses the clock: paused time is not counted, and the deadline
  moves later by the counted time the pause covered. While a pause is open the deadline is
  computed as if it ended now.
* ``chinese_calendar`` knows only the years it was released for and raises
  ``NotImplementedError`` outside them. Then the clock falls back to Monday–Friday minus the
  fixed-date holidays (1 January, 1 May, 1–3 October) and says so (``calendar_known`` is
  False), so the screen can warn that the deadline is an estimate until the package is
  updated with the State Council's new holiday notice.

The statutory date, beside the hall's deadline:

* The regulation gives the customer the right to appeal when the operator has not answered
  "within 15 days of receiving the complaint" (在接到用户投诉之日起15日内答复用户; the
  12300 hotline says 15 working days, which is never earlier). That right knows nothing of
  the hall's pauses or of its day count, so ``statutory_due`` counts 15 calendar days from
  receipt (the day of receipt not counted, as above) and ignores pauses; after a reopening
  it runs from the reopening, like the hall's clock. It is never later than the hall's
  deadline, so a complaint still unanswered on the 16th day is red and flagged as an appeal
  risk whatever the hall's own clock says.

Appeal windows shown on a case: billing disputes 5 months, other complaints 2 years, from
the day of receipt.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from app.i18n import N_

ANSWER_DAYS: Final = 15
#: The regulation's 15 days from receipt, in calendar days, pauses not counted.
STATUTORY_DAYS: Final = 15
#: Amber when this many (counted) days or fewer are left.
AMBER_DAYS: Final = 3
BILLING_APPEAL_MONTHS: Final = 5
OTHER_APPEAL_YEARS: Final = 2
#: The hall setting (``HallService.setting``) that chooses how days are counted.
DAY_COUNT_SETTING: Final = "complaints.day_count"
#: A walk never goes further than this many days (a pause cannot stall the clock forever).
_MAX_WALK_DAYS: Final = 3660
_FIXED_HOLIDAYS: Final = frozenset({(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)})
_DAY: Final = timedelta(days=1)


class DayCount(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


DAY_COUNT_LABELS: Final[dict[DayCount, str]] = {
    DayCount.CALENDAR: N_("Calendar days"),
    DayCount.WORKING: N_("Working days (Chinese public holidays)"),
}


class Level(StrEnum):
    """How the worklist marks a complaint."""

    OK = "ok"
    AMBER = "amber"
    RED = "red"
    PAUSED = "paused"
    ANSWERED = "answered"
    #: Answered, but after the deadline.
    LATE = "late"


def parse_day_count(value: str | None) -> DayCount:
    """The stored setting, or calendar days when it is missing or unknown."""
    try:
        return DayCount(value or DayCount.CALENDAR.value)
    except ValueError:
        return DayCount.CALENDAR


# --- working days ----------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _chinese_workday(day: date) -> bool | None:
    """``chinese_calendar``'s answer, or None when it does not know the year."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def fallback_workday(day: date) -> bool:
    """Monday to Friday, minus the holidays whose date never moves."""
    return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


#: ``(day) -> (is a working day, the calendar knew the year)``
WorkdayFunction = Callable[[date], tuple[bool, bool]]


def chinese_workday(day: date) -> tuple[bool, bool]:
    known = _chinese_workday(day)
    if known is None:
        return fallback_workday(day), False
    return known, True


# --- the clock -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    """When the answer is due, and whether the holiday calendar knew every day counted."""

    due_at: datetime
    calendar_known: bool = True


@dataclass(frozen=True, slots=True)
class ClockReading:
    """The clock at ``now``: the hall's deadline, counted time left (once overdue: minus the
    time since the deadline), whole counted days left (a partial day counts as one; 0 once
    overdue), the worklist level, and the statutory date (15 calendar days from receipt,
    pauses not counted) with whether it passed before an answer.

    Red: unanswered past the hall's deadline or past the statutory date (the customer may
    appeal). Late: answered after either."""

    deadline: Deadline
    time_left: timedelta
    days_left: int
    level: Level
    statutory_due: datetime
    #: Unanswered when the statutory date came (or answered after it).
    statutory_passed: bool = False

    @property
    def overdue(self) -> bool:
        return self.level is Level.RED

    @property
    def internal_overdue(self) -> bool:
        """Past the hall's own deadline (its day count and pauses)."""
        return self.time_left <= timedelta()

    @property
    def appeal_open(self) -> bool:
        """Unanswered past the statutory date: the customer may appeal to 12300 now."""
        return self.statutory_passed and self.level is Level.RED


@dataclass(frozen=True, slots=True)
class ClockInput:
    """What the clock needs of a complaint (``ComplaintState`` has all of it)."""

    clock_start: datetime
    pauses: Sequence[tuple[datetime, datetime]] = ()
    paused_since: datetime | None = None
    answered_at: datetime | None = None


class ComplaintClock:
    """Deadlines in one hall's time zone and day count."""

    def __init__(
        self,
        timezone: str,
        day_count: DayCount = DayCount.CALENDAR,
        *,
        workday: WorkdayFunction = chinese_workday,
        days: int = ANSWER_DAYS,
    ) -> None:
        self.zone = ZoneInfo(timezone)
        self.day_count = day_count
        self._workday = workday
        self.days = days

    def _counts(self, day: date) -> tuple[bool, bool]:
        if self.day_count is DayCount.CALENDAR:
            return True, True
        return self._workday(day)

    def _day_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time(), self.zone)
        end = datetime.combine(day + _DAY, time(), self.zone)
        return start, end

    def _first_day(self, clock_start: datetime) -> date:
        return clock_start.astimezone(self.zone).date() + _DAY

    def statutory_due(self, clock_start: datetime) -> datetime:
        """The end of the 15th calendar day after receipt (or the reopening), in UTC:
        the customer may appeal from then on if still unanswered. Pauses and the hall's
        day count do not move it."""
        last = self._first_day(clock_start) + timedelta(days=STATUTORY_DAYS - 1)
        return self._day_bounds(last)[1].astimezone(UTC)

    @staticmethod
    def _pauses(item: ClockInput, now: datetime) -> list[tuple[datetime, datetime]]:
        pauses = [(s, e) for s, e in item.pauses if e > s]
        if item.paused_since is not None and now > item.paused_since:
            pauses.append((item.paused_since, now))
        return sorted(pauses)

    @staticmethod
    def _segments(
        start: datetime, end: datetime, pauses: list[tuple[datetime, datetime]]
    ) -> list[tuple[datetime, datetime]]:
        """``[start, end)`` minus the pauses, in order."""
        out: list[tuple[datetime, datetime]] = []
        cursor = start
        for s, e in pauses:
            if e <= cursor or s >= end:
                continue
            if s > cursor:
                out.append((cursor, s))
            cursor = max(cursor, e)
            if cursor >= end:
                break
        if cursor < end:
            out.append((cursor, end))
        return out

    def deadline(self, item: ClockInput, now: datetime) -> Deadline:
        """When the answer is due (an open pause counted as ending at ``now``)."""
        pauses = self._pauses(item, now)
        remaining = timedelta(days=self.days)
        known = True
        day = self._first_day(item.clock_start)
        for _n in range(_MAX_WALK_DAYS):
            counts, day_known = self._counts(day)
            known = known and day_known
            if counts:
                start, end = self._day_bounds(day)
                for s, e in self._segments(start, end, pauses):
                    if remaining <= e - s:
                        return Deadline((s + remaining).astimezone(UTC), known)
                    remaining -= e - s
            day += _DAY
        start, _end = self._day_bounds(day)
        return Deadline(start.astimezone(UTC), known)

    def counted(
        self,
        item: ClockInput,
        until: datetime,
        *,
        since: datetime | None = None,
        now: datetime | None = None,
    ) -> timedelta:
        """Counted, unpaused time from the start of the clock (or ``since``) to ``until``;
        an open pause ends at ``now`` (default: ``until``)."""
        pauses = self._pauses(item, now or until)
        total = timedelta()
        day = self._first_day(item.clock_start)
        if since is not None:
            day = max(day, since.astimezone(self.zone).date())
        last = until.astimezone(self.zone).date()
        while day <= last:
            counts, _known = self._counts(day)
            if counts:
                start, end = self._day_bounds(day)
                if since is not None and since > start:
                    start = since
                for s, e in self._segments(start, min(end, until), pauses):
                    total += e - s
            day += _DAY
        return total

    def read(self, item: ClockInput, now: datetime) -> ClockReading:
        """The clock at ``now``; an answered complaint reads as of its answer."""
        at = item.answered_at or now
        deadline = self.deadline(item, at)
        if at < deadline.due_at:
            # Walk from now to the deadline only: a few weeks at most.
            left = self.counted(item, deadline.due_at, since=at, now=at)
        else:
            # Overdue: by how much, in plain time (no walk over months of history).
            left = -(at - deadline.due_at)
        days_left = math.ceil(left / _DAY) if left > timedelta() else 0
        statutory = self.statutory_due(item.clock_start)
        amber = timedelta(days=AMBER_DAYS)
        if item.answered_at is not None:
            late = item.answered_at > deadline.due_at or item.answered_at > statutory
            level = Level.LATE if late else Level.ANSWERED
            passed = item.answered_at > statutory
        elif now >= deadline.due_at or now >= statutory:
            level, passed = Level.RED, now >= statutory
        elif item.paused_since is not None:
            level, passed = Level.PAUSED, False
        elif left <= amber or statutory - now <= amber:
            level, passed = Level.AMBER, False
        else:
            level, passed = Level.OK, False
        return ClockReading(deadline, left, days_left, level, statutory, passed)

    def answered_in_time(self, item: ClockInput) -> bool | None:
        """Whether the answer came by the deadline (None while unanswered)."""
        if item.answered_at is None:
            return None
        return item.answered_at <= self.deadline(item, item.answered_at).due_at


# --- appeals ---------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the month's last day where needed."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    last = (next_first - _DAY).day
    return date(year, month, min(day.day, last))


def appeal_window_end(category: str | None, received_on: date) -> date:
    """The last day the customer may appeal: billing disputes 5 months, others 2 years."""
    if category == "billing":
        return add_months(received_on, BILLING_APPEAL_MONTHS)
    return add_months(received_on, OTHER_APPEAL_YEARS * 12)


class AppealRisk(StrEnum):
    OVERDUE = "overdue"
    UNSATISFIED = "unsatisfied"
    SAYS_WILL_APPEAL = "says_will_appeal"


APPEAL_RISK_LABELS: Final[dict[AppealRisk, str]] = {
    AppealRisk.OVERDUE: N_("No answer within 15 days of receipt"),
    AppealRisk.UNSATISFIED: N_("Customer unsatisfied"),
    AppealRisk.SAYS_WILL_APPEAL: N_("Customer says they will appeal to 12300"),
}


def appeal_risks(
    *, overdue: bool, unsatisfied: bool, says_will_appeal: bool
) -> tuple[AppealRisk, ...]:
    """The flags that make an appeal to 12300 likely, in a fixed order.

    ``overdue``: unanswered past the statutory date (``ClockReading.appeal_open``), the
    regulation's first ground; ``unsatisfied``: the customer's latest feedback, which a
    reopening does not erase (the second ground)."""
    flags = (
        (AppealRisk.OVERDUE, overdue),
        (AppealRisk.UNSATISFIED, unsatisfied),
        (AppealRisk.SAYS_WILL_APPEAL, says_will_appeal),
    )
    return tuple(risk for risk, on in flags if on)
