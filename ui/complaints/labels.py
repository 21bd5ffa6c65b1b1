"""Translated texts of the complaint enumerations and of the clock, for the screens."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtGui import QColor

from app.domain.complaint_clock import APPEAL_RISK_LABELS, ClockReading, Level
from app.domain.complaint_flow import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CONTACT_WAY_LABELS,
    DEPARTMENT_LABELS,
    EVENT_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    label,
    subcategory_label,
)
from app.i18n import _, ngettext
from ui.widgets import Palette

__all__ = [
    "category_text",
    "channel_text",
    "contact_way_text",
    "department_text",
    "event_text",
    "level_colour",
    "risk_text",
    "satisfaction_text",
    "status_text",
    "subcategory_label",
    "time_left_text",
    "urgency_text",
]


def category_text(value: str | None) -> str:
    return label(CATEGORY_LABELS, value)


def channel_text(value: str | None) -> str:
    return label(CHANNEL_LABELS, value)


def contact_way_text(value: str | None) -> str:
    return label(CONTACT_WAY_LABELS, value)


def department_text(value: str | None) -> str:
    return label(DEPARTMENT_LABELS, value)


def event_text(value: str | None) -> str:
    return label(EVENT_LABELS, value)


def satisfaction_text(value: str | None) -> str:
    return label(SATISFACTION_LABELS, value)


def status_text(value: str | None) -> str:
    return label(STATUS_LABELS, value)


def urgency_text(value: str | None) -> str:
    return label(URGENCY_LABELS, value)


def risk_text(value: str) -> str:
    return label(APPEAL_RISK_LABELS, value)


def time_left_text(reading: ClockReading) -> str:
    """ "3 days left", "5 h left", "Overdue", "Paused · 4 days left", "Answered", and
    "May appeal · 9 days left" when the statutory date passed before the hall's deadline
    (a pause or working days moved the hall's deadline later)."""
    if reading.level is Level.ANSWERED:
        return _("Answered in time")
    if reading.level is Level.LATE:
        return _("Answered late")
    if reading.level is Level.RED and reading.internal_overdue:
        return _("Overdue")
    text = _hall_time_left(reading)
    if reading.level is Level.RED:
        return _("May appeal · {left}").format(left=text)
    if reading.level is Level.PAUSED:
        return _("Paused · {left}").format(left=text)
    return text


def _hall_time_left(reading: ClockReading) -> str:
    left = reading.time_left
    if left >= timedelta(days=1):
        text = ngettext("{n} day left", "{n} days left", reading.days_left).format(
            n=reading.days_left
        )
    else:
        hours = max(1, int(left.total_seconds() // 3600))
        text = ngettext("{n} hour left", "{n} hours left", hours).format(n=hours)
    return text


def level_colour(level: Level) -> QColor | None:
    if level is Level.RED:
        return Palette.DANGER
    if level in (Level.AMBER, Level.LATE):
        return Palette.WARNING
    if level is Level.PAUSED:
        return Palette.INFO
    if level is Level.ANSWERED:
        return Palette.MUTED
    return None
