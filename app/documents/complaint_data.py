"""What the complaint documents print (reportlab-free, like ``app.documents.data``).

The acknowledgement slip's lines (``ack_lines``, ``appeal_text``) live here, not beside the
PDF layout, so the thermal printer (``app.devices.escpos_doc``) prints the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from app.documents.report_tables import (
    Cell,
    ChartSeries,
    ChartStyle,
    Percent,
    ReportBook,
    cell_text,
    table,
)
from app.domain.complaint_clock import STATUTORY_DAYS
from app.domain.complaint_deadline import due_text
from app.i18n import _, format_date, format_datetime


@dataclass(frozen=True, slots=True)
class AckSlipData:
    """The acknowledgement slip (受理回执). Texts are already translated and personal data
    already masked by the caller; times are aware and printed in ``timezone``."""

    hall_name: str
    hall_address: str
    hotline: str
    number: str
    received_at: datetime
    timezone: str
    customer_name: str
    contact_phone: str
    channel: str
    category: str
    subcategory: str
    summary: str
    request: str
    due_at: datetime
    #: The hall's answer period in words, "15 个工作日" or "15 个自然日" (``period_text``).
    period: str
    contact_way: str
    staff_no: str
    appeal_until: date
    #: 15 calendar days from receipt, pauses not counted: the customer may appeal after.
    statutory_due_at: datetime
    calendar_known: bool = True


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One row of a breakdown: a label, a count and the answered-in-time count."""

    label: str
    count: int
    in_time: int = 0


@dataclass(frozen=True, slots=True)
class DayAnswers:
    """The answers given on one hall-local day, and how many met the hall's deadline."""

    day: date
    answered: int
    in_time: int


@dataclass(frozen=True, slots=True)
class AppealCase:
    """A complaint received in the period that may go to 12300 (``risks``: translated
    flags). Its number only: no personal data."""

    number: str
    received_at: datetime
    category: str
    risks: str
    statutory_due_at: datetime
    answered: bool


@dataclass(frozen=True, slots=True)
class ComplaintReportData:
    """The period report, with every label translated by the caller."""

    hall_name: str
    start: date
    end: date
    received: int
    answered: int
    answered_in_time: int
    overdue_open: int
    average_answer_hours: float | None
    by_category: tuple[ReportLine, ...]
    by_department: tuple[ReportLine, ...]
    by_satisfaction: tuple[ReportLine, ...]
    generated_at: datetime
    timezone: str
    #: Feedback rated satisfied or basically satisfied.
    satisfied: int = 0
    #: The hall's answer period in words ("15 个工作日"), as ``period_text`` says it.
    period: str = ""
    #: Answers given within 15 calendar days of receipt (the statutory date).
    answered_within_statutory: int = 0
    #: Received in the period, unanswered and past the statutory date now (may appeal).
    appealable_open: int = 0
    #: Every day of the period with the answers given that day (the in-time rate chart).
    by_day: tuple[DayAnswers, ...] = ()
    #: Complaints received in the period by appeal-risk flag (one may carry several).
    by_appeal_risk: tuple[ReportLine, ...] = ()
    #: The complaints received in the period with at least one appeal-risk flag now.
    appeal_cases: tuple[AppealCase, ...] = ()

    @property
    def in_time_rate(self) -> Percent:
        """Answered by the hall's deadline ÷ answered, rounded half-up to 0.1 %."""
        return Percent.of(self.answered_in_time, self.answered)

    @property
    def satisfied_rate(self) -> Percent:
        """Satisfied or basically satisfied ÷ feedback rated, rounded half-up to 0.1 %."""
        return Percent.of(self.satisfied, sum(line.count for line in self.by_satisfaction))

    @property
    def average_hours(self) -> Decimal | None:
        """The average time to answer in hours, to the tenth shown everywhere."""
        hours = self.average_answer_hours
        return None if hours is None else Decimal(f"{hours:.1f}")


def report_headline_cells(data: ComplaintReportData) -> list[tuple[str, Cell]]:
    """The headline figures as (label, typed cell): the hall's deadline is named with its
    period ("15 个工作日"), the statutory date (15 days from receipt, pauses not counted)
    beside it."""
    return [
        (_("Complaints received"), data.received),
        (_("Answered"), data.answered),
        (
            _("Answered by the hall's deadline ({period})").format(period=data.period),
            data.answered_in_time,
        ),
        (_("In-time answer rate"), data.in_time_rate),
        (_("Answered within 15 days of receipt"), data.answered_within_statutory),
        (_("Open and overdue"), data.overdue_open),
        (_("Unanswered 15 days after receipt (may appeal)"), data.appealable_open),
        (_("Average time to answer (hours)"), data.average_hours),
        (_("Satisfaction rate"), data.satisfied_rate),
    ]


def report_headline(data: ComplaintReportData) -> list[tuple[str, str]]:
    """The headline figures as (label, text), the same in the PDF, the CSV, the workbook
    and on screen."""
    return [(label, cell_text(value)) for label, value in report_headline_cells(data)]


def complaint_book(data: ComplaintReportData) -> ReportBook:
    """The complaints report as the screen, the PDF and the workbook show it."""
    count, in_time = _("Count"), _("Answered in time")
    tables = [
        table(
            "categories",
            _("By category"),
            (_("Category"), count, in_time),
            [(line.label, line.count, line.in_time) for line in data.by_category],
        ),
        table(
            "departments",
            _("By department"),
            (_("Department"), count, in_time),
            [(line.label, line.count, line.in_time) for line in data.by_department],
        ),
        table(
            "satisfaction",
            _("By satisfaction"),
            (_("Satisfaction"), count),
            [(line.label, line.count) for line in data.by_satisfaction],
        ),
        table(
            "days",
            _("In-time answer rate by day"),
            (_("Day"), _("Answered"), in_time, _("In-time answer rate")),
            [
                (d.day, d.answered, d.in_time, Percent.of(d.in_time, d.answered))
                for d in data.by_day
            ],
            total=(
                _("Total"),
                data.answered,
                data.answered_in_time,
                data.in_time_rate,
            ),
        ),
        table(
            "appeal_risks",
            _("Appeal risks (12300)"),
            (_("Risk"), _("Count")),
            [(line.label, line.count) for line in data.by_appeal_risk],
        ),
        table(
            "appeal_cases",
            _("Complaints that may be appealed"),
            (
                _("Complaint number"),
                _("Received at"),
                _("Category"),
                _("Risk"),
                _("Statutory date"),
                _("Answered"),
            ),
            [
                (
                    c.number,
                    format_datetime(c.received_at, data.timezone),
                    c.category,
                    c.risks,
                    due_text(c.statutory_due_at, data.timezone),
                    _("yes") if c.answered else _("no"),
                )
                for c in data.appeal_cases
            ],
        ),
    ]
    chart = ChartSeries(
        "in_time_rate",
        _("In-time answer rate by day"),
        ChartStyle.LINE,
        tuple((d.day, Percent.of(d.in_time, d.answered)) for d in data.by_day),
        table="days",
        column=3,
    )
    return ReportBook(
        key="complaints",
        title=_("Complaints report"),
        hall_name=data.hall_name,
        start=data.start,
        end=data.end,
        generated_at=data.generated_at,
        timezone=data.timezone,
        headline=tuple(report_headline_cells(data)),
        tables=tuple(tables),
        charts=(chart,),
        notes=(
            _(
                "Complaints count in the period they were received, answers in the period "
                "they were given. In time: answered by the hall's deadline in force when "
                "the answer was given. Appeal risks are as they stand now."
            ),
        ),
    )


#: The ministry's telecom user appeal hotline, printed on every slip.
APPEAL_HOTLINE: Final = "12300"


def _when(data: AckSlipData) -> tuple[str, str]:
    received = format_datetime(data.received_at, data.timezone, fmt="short")
    return received, due_text(data.due_at, data.timezone)


def ack_lines(data: AckSlipData) -> list[tuple[str, str]]:
    """The label/value pairs, in print order."""
    received, due = _when(data)
    rows = [
        (_("Complaint number"), data.number),
        (_("Received at"), received),
        (_("Customer"), data.customer_name),
        (_("Contact phone"), data.contact_phone),
        (_("Channel"), data.channel),
        (_("Category"), data.category + (f" / {data.subcategory}" if data.subcategory else "")),
        (_("Answer due by"), due),
        (_("Answer within"), data.period),
        (_("We will contact you by"), data.contact_way),
        (_("Received by"), data.staff_no),
    ]
    return rows


def appeal_text(data: AckSlipData) -> list[str]:
    _received, due = _when(data)
    lines = [
        _(
            "We will answer your complaint within {period} of receiving it, by {due} at the latest."
        ).format(period=data.period, due=due),
        _(
            "If you have no answer within {days} days of receiving the complaint (by "
            "{statutory}), or are not satisfied with the answer, you may appeal to the "
            "telecommunications user appeal body of the provincial communications "
            "administration, or call the {hotline} hotline."
        ).format(
            days=STATUTORY_DAYS,
            statutory=due_text(data.statutory_due_at, data.timezone),
            hotline=APPEAL_HOTLINE,
        ),
        _("You may appeal until {date}.").format(date=format_date(data.appeal_until, fmt="short")),
    ]
    if not data.calendar_known:
        lines.append(
            _("The deadline is an estimate: the public holidays of that year are not yet known.")
        )
    return lines
