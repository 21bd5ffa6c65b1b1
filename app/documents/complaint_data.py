"""What the complaint documents print (reportlab-free, like ``app.documents.data``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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
    day_count: str
    contact_way: str
    staff_no: str
    appeal_until: date
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

    @property
    def in_time_rate(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None

    @property
    def satisfied_rate(self) -> float | None:
        total = sum(line.count for line in self.by_satisfaction)
        if not total:
            return None
        return self.satisfied / total
