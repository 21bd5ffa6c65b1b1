"""The complaints report of a period: in-time answer rate, counts by category and
department, satisfaction, average time to answer; as data, CSV text or PDF.

Complaints count in the period they were received (by hall-local date); answers count in
the period they were given. "In time" compares each answer with the deadline stored when
it was given (the day count in force then); beside it the statutory figures compare with
the date 15 calendar days after receipt, pauses not counted (``statutory_due_at``).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import text

from app.documents.complaint_data import ComplaintReportData, ReportLine, report_headline
from app.domain.complaint_deadline import period_text
from app.domain.complaint_flow import (
    CATEGORY_LABELS,
    DEPARTMENT_LABELS,
    SATISFACTION_LABELS,
    Satisfaction,
    label,
)
from app.domain.errors import ValidationError
from app.i18n import N_, _
from app.services.base import Clock, this_desk, utc_now
from app.services.complaints.records import day_count
from app.store.database import Store

MAX_PERIOD_DAYS: Final = 366


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[str, str]:
    """The UTC range of the local dates ``start`` … ``end`` inclusive, as stored text."""
    lo = datetime.combine(start, time(), zone).astimezone(UTC).replace(tzinfo=None)
    hi = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    return lo.isoformat(sep=" "), hi.replace(tzinfo=None).isoformat(sep=" ")


class ComplaintReportService:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def report(self, start: date, end: date) -> ComplaintReportData:
        if end < start:
            raise ValidationError("end", N_("The period ends before it starts."))
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationError(
                "end", N_("A report covers at most {days} days."), days=MAX_PERIOD_DAYS
            )
        now = self._clock()
        with self._store.read() as session:
            here = this_desk(session)
            zone = ZoneInfo(here.timezone)
            hall = session.execute(text("SELECT name FROM hall LIMIT 1")).scalar_one_or_none()
            lo, hi = _bounds(start, end, zone)
            params = {"lo": lo, "hi": hi, "now": now.astimezone(UTC).replace(tzinfo=None)
                      .isoformat(sep=" ")}  # fmt: skip
            received = session.execute(
                text(
                    "SELECT COUNT(*), COALESCE(SUM(answered_at IS NULL AND due_at < :now), 0), "
                    "COALESCE(SUM(answered_at IS NULL AND statutory_due_at < :now), 0) "
                    "FROM complaint_state WHERE received_at >= :lo AND received_at < :hi"
                ),
                params,
            ).one()
            answered = session.execute(
                text(
                    "SELECT COUNT(*), COALESCE(SUM(answered_at <= due_at), 0), "
                    "AVG((julianday(answered_at) - julianday(received_at)) * 24.0), "
                    "COALESCE(SUM(answered_at <= statutory_due_at), 0) "
                    "FROM complaint_state WHERE answered_at >= :lo AND answered_at < :hi"
                ),
                params,
            ).one()

            def breakdown(column: str, on: str) -> list[tuple[str | None, int, int]]:
                return [
                    (key, int(n), int(ok or 0))
                    for key, n, ok in session.execute(
                        text(
                            f"SELECT {column}, COUNT(*), SUM(answered_at <= due_at) "
                            f"FROM complaint_state WHERE {on} >= :lo AND {on} < :hi "
                            f"GROUP BY {column} ORDER BY COUNT(*) DESC, {column}"
                        ),
                        params,
                    )
                ]

            categories = breakdown("category", "received_at")
            departments = breakdown("department", "received_at")
            satisfaction = breakdown("satisfaction", "answered_at")
            period = period_text(day_count(session))
        satisfied = sum(
            n
            for key, n, _ok in satisfaction
            if key in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
        )
        return ComplaintReportData(
            hall_name=str(hall or ""),
            start=start,
            end=end,
            received=int(received[0]),
            answered=int(answered[0]),
            answered_in_time=int(answered[1]),
            overdue_open=int(received[1]),
            average_answer_hours=float(answered[2]) if answered[2] is not None else None,
            by_category=tuple(
                ReportLine(label(CATEGORY_LABELS, k), n, ok) for k, n, ok in categories
            ),
            by_department=tuple(
                ReportLine(label(DEPARTMENT_LABELS, k) if k else _("Not forwarded"), n, ok)
                for k, n, ok in departments
            ),
            by_satisfaction=tuple(
                ReportLine(label(SATISFACTION_LABELS, k), n, ok)
                for k, n, ok in satisfaction
                if k is not None
            ),
            generated_at=now,
            timezone=here.timezone,
            satisfied=satisfied,
            period=period,
            answered_within_statutory=int(answered[3]),
            appealable_open=int(received[2]),
        )


def report_csv(data: ComplaintReportData) -> str:
    """The report as CSV text (UTF-8 with a BOM is the caller's choice when writing)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([_("Complaints report"), data.hall_name])
    w.writerow([_("Report period"), data.start.isoformat(), data.end.isoformat()])
    for label_text, value in report_headline(data):
        w.writerow([label_text, value])
    for title, lines in (
        (_("By category"), data.by_category),
        (_("By department"), data.by_department),
        (_("By satisfaction"), data.by_satisfaction),
    ):
        w.writerow([])
        w.writerow([title, _("Count"), _("Answered in time")])
        for line in lines:
            w.writerow([line.label, line.count, line.in_time])
    return out.getvalue()


def report_pdf(data: ComplaintReportData, *, invariant: bool = False) -> bytes:
    from app.documents.complaint_report import render_report  # reportlab: load late

    return render_report(data, invariant=invariant)
