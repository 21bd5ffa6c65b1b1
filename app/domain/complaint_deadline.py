"""The words of a complaint deadline, the same on every screen, slip and report.

A deadline is stored as the instant it falls (``ComplaintClock``): the end of the 15th
counted day is the midnight that starts the next one. Printed as that midnight
("2026/12/23 00:00") it reads as a day later than the slip's "2026-12-22", so both the
case and the slip disagreed for one complaint. Here a deadline at midnight is the end of
the day before ("2026/12/22 24:00"; "end of 12/22/26" in English); a deadline a pause moved
into the day keeps its time. The period is said with its unit: "15 个工作日" where working
days are counted, "15 个自然日" otherwise, never a bare "15 日" beside a date counted in
working days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain.complaint_clock import ANSWER_DAYS, STATUTORY_DAYS, DayCount
from app.i18n import _, format_date, format_datetime, ngettext


def due_text(due_at: datetime, timezone: str, language: str | None = None) -> str:
    """The deadline as a person reads it, in ``language`` (default: the current one)."""
    local = due_at.astimezone(ZoneInfo(timezone))
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        day = local.date() - timedelta(days=1)
        return _("end of {date}").format(date=format_date(day, language, fmt="short"))
    return format_datetime(due_at, timezone, language, fmt="short")


def period_text(day_count: DayCount, days: int = ANSWER_DAYS) -> str:
    """ "15 working days" / "15 calendar days" in the current language."""
    if DayCount(day_count) is DayCount.WORKING:
        return ngettext("{n} working day", "{n} working days", days).format(n=days)
    return ngettext("{n} calendar day", "{n} calendar days", days).format(n=days)


def statutory_period_text() -> str:
    """The regulation's period: 15 days from receipt, whatever the hall pauses."""
    return period_text(DayCount.CALENDAR, STATUTORY_DAYS)
