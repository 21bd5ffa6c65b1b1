"""What the complaint documents print (reportlab-free, like ``app.documents.data``).

The acknowledgement slip's lines (``ack_lines``, ``appeal_text``) live here, not beside the
PDF layout, so the thermal printer (``app.devices.escpos_doc``) prints the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

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

    @property
    def in_time_rate(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None

    @property
    def satisfied_rate(self) -> float | None:
        total = sum(line.count for line in self.by_satisfaction)
        if not total:
            return None
        return self.satisfied / total


def _percent(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "—"


def report_headline(data: ComplaintReportData) -> list[tuple[str, str]]:
    """The headline figures as (label, value), the same in the PDF, the CSV and on screen:
    the hall's deadline is named with its period ("15 个工作日"), the statutory date
    (15 days from receipt, pauses not counted) beside it."""
    hours = data.average_answer_hours
    return [
        (_("Complaints received"), str(data.received)),
        (_("Answered"), str(data.answered)),
        (
            _("Answered by the hall's deadline ({period})").format(period=data.period),
            str(data.answered_in_time),
        ),
        (_("In-time answer rate"), _percent(data.in_time_rate)),
        (_("Answered within 15 days of receipt"), str(data.answered_within_statutory)),
        (_("Open and overdue"), str(data.overdue_open)),
        (_("Unanswered 15 days after receipt (may appeal)"), str(data.appealable_open)),
        (_("Average time to answer (hours)"), f"{hours:.1f}" if hours is not None else "—"),
        (_("Satisfaction rate"), _percent(data.satisfied_rate)),
    ]


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
