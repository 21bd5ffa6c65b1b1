"""The hall-day report of a period (营业日报表): takings per day, per payment method, per
clerk and per shift, with the drawers' and the card and e-payment differences.

``TakingsReportData`` holds the period's shifts, each with the figures of the hall day
(``app.services.shifts.hallday.day_shift_rows``); every total here is a sum over those
shift lines, so the days, the methods, the clerks and the headline add up to the same
takings. A shift counts on its own business date only (a shift left open from an earlier
day is not counted again on the days the hall-day page still lists it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from app.documents.report_tables import (
    Cell,
    ChartSeries,
    ChartStyle,
    Money,
    ReportBook,
    table,
)
from app.domain.report_period import days_of
from app.i18n import _, format_datetime


@dataclass(frozen=True, slots=True)
class TakingsShift:
    """One shift as the hall day shows it to a shift leader (every figure, open or not).
    Differences are counted − expected: below zero a shortage (短款), above a surplus."""

    business_date: date
    counter: str
    clerk: str
    opened_at: datetime
    closed_at: datetime | None
    takings_fen: int
    method_fen: Mapping[str, int]
    expected_cash_fen: int
    counted_cash_fen: int | None
    difference_fen: int | None
    method_difference_fen: int | None
    handover: str


@dataclass(frozen=True, slots=True)
class DayClose:
    """Who closed a day of the period, and when (None: not closed)."""

    day: date
    closed_by: str = ""
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DayTotals:
    day: date
    shifts: int
    takings_fen: int
    method_fen: dict[str, int]
    difference_fen: int
    closed: DayClose


@dataclass(frozen=True, slots=True)
class ClerkTotals:
    clerk: str
    shifts: int
    takings_fen: int
    method_fen: dict[str, int]
    difference_fen: int
    method_difference_fen: int


@dataclass(frozen=True, slots=True)
class TakingsReportData:
    """A period's shifts with the hall's name, the methods to show (code and translated
    label, in column order) and each day's close."""

    hall_name: str
    start: date
    end: date
    generated_at: datetime
    timezone: str
    methods: tuple[tuple[str, str], ...]
    shifts: tuple[TakingsShift, ...]
    closes: tuple[DayClose, ...] = field(default_factory=tuple)

    @property
    def takings_fen(self) -> int:
        return sum(s.takings_fen for s in self.shifts)

    @property
    def cash_difference_fen(self) -> int:
        return sum(s.difference_fen or 0 for s in self.shifts)

    @property
    def method_difference_fen(self) -> int:
        return sum(s.method_difference_fen or 0 for s in self.shifts)

    @property
    def difference_fen(self) -> int:
        """Every difference of the period: the drawers' cash and the card and electronic
        totals (the hall day's "total difference")."""
        return self.cash_difference_fen + self.method_difference_fen

    @property
    def open_shifts(self) -> int:
        return sum(1 for s in self.shifts if s.closed_at is None)

    def method_totals(self) -> dict[str, int]:
        return _by_method(self.methods, self.shifts)

    def days(self) -> list[DayTotals]:
        """Every day of the period, with nothing taken where no shift was open."""
        closes = {c.day: c for c in self.closes}
        by_day: dict[date, list[TakingsShift]] = {}
        for s in self.shifts:
            by_day.setdefault(s.business_date, []).append(s)
        out = []
        for day in days_of(self.start, self.end):
            shifts = by_day.get(day, [])
            out.append(
                DayTotals(
                    day=day,
                    shifts=len(shifts),
                    takings_fen=sum(s.takings_fen for s in shifts),
                    method_fen=_by_method(self.methods, shifts),
                    difference_fen=sum(
                        (s.difference_fen or 0) + (s.method_difference_fen or 0) for s in shifts
                    ),
                    closed=closes.get(day, DayClose(day)),
                )
            )
        return out

    def clerks(self) -> list[ClerkTotals]:
        """Each clerk who had a shift, most takings first (then by name)."""
        by_clerk: dict[str, list[TakingsShift]] = {}
        for s in self.shifts:
            by_clerk.setdefault(s.clerk, []).append(s)
        totals = [
            ClerkTotals(
                clerk=clerk,
                shifts=len(shifts),
                takings_fen=sum(s.takings_fen for s in shifts),
                method_fen=_by_method(self.methods, shifts),
                difference_fen=sum(s.difference_fen or 0 for s in shifts),
                method_difference_fen=sum(s.method_difference_fen or 0 for s in shifts),
            )
            for clerk, shifts in by_clerk.items()
        ]
        return sorted(totals, key=lambda c: (-c.takings_fen, c.clerk))


def _by_method(
    methods: Sequence[tuple[str, str]], shifts: Sequence[TakingsShift]
) -> dict[str, int]:
    totals = {code: 0 for code, _label in methods}
    for s in shifts:
        for code, fen in s.method_fen.items():
            totals[code] = totals.get(code, 0) + fen
    return totals


def _money(fen: int | None) -> Money | None:
    return None if fen is None else Money(fen)


def takings_book(data: TakingsReportData) -> ReportBook:
    """The hall-day report as the screen, the PDF and the workbook show it."""
    codes = [code for code, _label in data.methods]
    method_headers = [label for _code, label in data.methods]
    tz = data.timezone
    days = data.days()
    day_rows: list[list[Cell]] = []
    for d in days:
        closed = (
            _("{name} at {time}").format(
                name=d.closed.closed_by, time=format_datetime(d.closed.closed_at, tz)
            )
            if d.closed.closed_at is not None
            else _("not closed")
        )
        day_rows.append(
            [
                d.day,
                d.shifts,
                Money(d.takings_fen),
                *(Money(d.method_fen.get(c, 0)) for c in codes),
                Money(d.difference_fen),
                closed,
            ]
        )
    method_totals = data.method_totals()
    clerks = data.clerks()
    total = _("Total")
    tables = (
        table(
            "days",
            _("Takings per day"),
            (
                _("Day"),
                _("Shifts"),
                _("Takings"),
                *method_headers,
                _("Difference"),
                _("Day closed"),
            ),
            day_rows,
            total=(
                total,
                len(data.shifts),
                Money(data.takings_fen),
                *(Money(method_totals.get(c, 0)) for c in codes),
                Money(data.difference_fen),
                "",
            ),
        ),
        table(
            "methods",
            _("Takings per payment method"),
            (_("Payment method"), _("Takings")),
            [(label, Money(method_totals.get(code, 0))) for code, label in data.methods],
            total=(total, Money(data.takings_fen)),
        ),
        table(
            "clerks",
            _("Takings per clerk"),
            (
                _("Clerk"),
                _("Shifts"),
                _("Takings"),
                *method_headers,
                _("Cash difference"),
                _("Card and e-payment difference"),
            ),
            [
                (
                    c.clerk,
                    c.shifts,
                    Money(c.takings_fen),
                    *(Money(c.method_fen.get(code, 0)) for code in codes),
                    Money(c.difference_fen),
                    Money(c.method_difference_fen),
                )
                for c in clerks
            ],
            total=(
                total,
                len(data.shifts),
                Money(data.takings_fen),
                *(Money(method_totals.get(c, 0)) for c in codes),
                Money(data.cash_difference_fen),
                Money(data.method_difference_fen),
            ),
        ),
        table(
            "shifts",
            _("Shifts"),
            (
                _("Day"),
                _("Counter"),
                _("Clerk"),
                _("Opened"),
                _("Closed"),
                _("Takings"),
                *method_headers,
                _("Expected cash"),
                _("Counted cash"),
                _("Cash difference"),
                _("Card and e-payment difference"),
                _("Handover"),
            ),
            [
                (
                    s.business_date,
                    s.counter,
                    s.clerk,
                    format_datetime(s.opened_at, tz),
                    format_datetime(s.closed_at, tz) if s.closed_at else _("open"),
                    Money(s.takings_fen),
                    *(Money(s.method_fen.get(c, 0)) for c in codes),
                    Money(s.expected_cash_fen),
                    _money(s.counted_cash_fen),
                    _money(s.difference_fen),
                    _money(s.method_difference_fen),
                    s.handover,
                )
                for s in data.shifts
            ],
        ),
    )
    closed_days = sum(1 for d in days if d.closed.closed_at is not None)
    headline: tuple[tuple[str, Cell], ...] = (
        (_("Total takings"), Money(data.takings_fen)),
        *((label, Money(method_totals.get(code, 0))) for code, label in data.methods),
        (_("Total difference (cash, card and e-payment)"), Money(data.difference_fen)),
        (_("Shifts"), len(data.shifts)),
        (_("Shifts still open"), data.open_shifts),
        (_("Days closed"), _("{closed} of {days}").format(closed=closed_days, days=len(days))),
    )
    chart = ChartSeries(
        "takings",
        _("Takings per day"),
        ChartStyle.BARS,
        tuple((d.day, Money(d.takings_fen)) for d in days),
        table="days",
        column=2,
    )
    return ReportBook(
        key="hall_day",
        title=_("Hall day report"),
        hall_name=data.hall_name,
        start=data.start,
        end=data.end,
        generated_at=data.generated_at,
        timezone=tz,
        headline=headline,
        tables=tables,
        charts=(chart,),
        notes=(
            _(
                "Takings are payments less voids and reversals, by the shift that took "
                "them. Differences are counted less expected: below zero a shortage, above "
                "zero a surplus. A shift counts on its own business date."
            ),
        ),
    )
