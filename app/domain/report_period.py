"""The period of a leader's report: a first and a last hall-local day, both counted.

One rule for every report, so a period refused on one screen is refused on all of them:
it ends on or after the day it starts and covers at most ``MAX_PERIOD_DAYS`` days (a
year, leap day included), which keeps a report's work and its workbook bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Final

from app.domain.errors import ValidationError
from app.i18n import N_

MAX_PERIOD_DAYS: Final = 366


def check_period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts or is longer than a year."""
    if end < start:
        raise ValidationError("end", N_("The period ends before it starts."))
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError(
            "end", N_("A report covers at most {days} days."), days=MAX_PERIOD_DAYS
        )


def days_of(start: date, end: date) -> Iterator[date]:
    """Every day from ``start`` to ``end``, both included."""
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)
