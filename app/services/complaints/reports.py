"""The complaints report of a period: in-time answer rate (overall and day by day), counts
by category and department, satisfaction, average time to answer, appeal risks; as data,
CSV text, PDF or an Excel workbook (one ``ComplaintReportData`` feeds all of them).

Complaints count in the period they were received (by hall-local date); answers count in
the period they were given. "In time" compares each answer with the deadline stored when
it was given (the day count in force then); beside it the statutory figures compare with
the date 15 calendar days after receipt, pauses not counted (``statutory_due_at``).
Appeal risks are the flags of ``app.domain.complaint_clock.appeal_risks`` as they stand
now, for the complaints received in the period.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, column, text

from app.documents.complaint_data import (
    AppealCase,
    ComplaintReportData,
    DayAnswers,
    ReportLine,
    complaint_book,
)
from app.documents.report_tables import cell_text
from app.domain.complaint_clock import APPEAL_RISK_LABELS, AppealRisk, appeal_risks
from app.domain.complaint_deadline import period_text
from app.domain.complaint_flow import (
    CATEGORY_LABELS,
    DEPARTMENT_LABELS,
    SATISFACTION_LABELS,
    Satisfaction,
    label,
)
from app.domain.report_period import check_period, days_of
from app.i18n import _
from app.services.base import Clock, this_desk, utc_now
from app.services.complaints.records import day_count
from app.store.database import Store
from app.store.models import UTCDateTime


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
        check_period(start, end)
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
            answers = session.execute(
                text(
                    "SELECT answered_at, answered_at <= due_at AS in_time FROM complaint_state "
                    "WHERE answered_at >= :lo AND answered_at < :hi"
                ).columns(column("answered_at", UTCDateTime), column("in_time", Boolean)),
                params,
            ).all()
            flagged = session.execute(
                text(
                    "SELECT c.number, s.received_at, s.category, s.statutory_due_at, "
                    "s.answered_at IS NOT NULL AS answered, "
                    "s.answered_at IS NULL AND s.statutory_due_at < :now AS overdue, "
                    "COALESCE(s.satisfaction = :unsatisfied, 0) AS unsatisfied, "
                    "c.says_will_appeal AS says "
                    "FROM complaint_state s JOIN complaint c ON c.id = s.complaint_id "
                    "WHERE s.received_at >= :lo AND s.received_at < :hi AND ("
                    "(s.answered_at IS NULL AND s.statutory_due_at < :now) "
                    "OR s.satisfaction = :unsatisfied OR c.says_will_appeal) "
                    "ORDER BY s.received_at, c.number"
                ).columns(
                    column("number"),
                    column("received_at", UTCDateTime),
                    column("category"),
                    column("statutory_due_at", UTCDateTime),
                    column("answered", Boolean),
                    column("overdue", Boolean),
                    column("unsatisfied", Boolean),
                    column("says", Boolean),
                ),
                {**params, "unsatisfied": Satisfaction.UNSATISFIED.value},
            ).all()
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
            by_day=_by_day(start, end, zone, answers),
            by_appeal_risk=_risk_lines(flagged),
            appeal_cases=tuple(_appeal_case(row) for row in flagged),
        )


def _by_day(
    start: date, end: date, zone: ZoneInfo, answers: Sequence[Sequence[Any]]
) -> tuple[DayAnswers, ...]:
    """Every day of the period with the answers given on it (hall-local dates); the
    in-time test is the report's SQL one, so the days add up to the headline."""
    counts: dict[date, list[int]] = {}
    for answered_at, in_time in answers:
        day = answered_at.astimezone(zone).date()
        tally = counts.setdefault(day, [0, 0])
        tally[0] += 1
        tally[1] += int(in_time or 0)
    return tuple(DayAnswers(day, *counts.get(day, (0, 0))) for day in days_of(start, end))


def _risks(row: Sequence[Any]) -> tuple[AppealRisk, ...]:
    return appeal_risks(
        overdue=bool(row[5]), unsatisfied=bool(row[6]), says_will_appeal=bool(row[7])
    )


def _risk_lines(flagged: Sequence[Sequence[Any]]) -> tuple[ReportLine, ...]:
    counts = dict.fromkeys(AppealRisk, 0)
    for row in flagged:
        for risk in _risks(row):
            counts[risk] += 1
    return tuple(ReportLine(_(APPEAL_RISK_LABELS[risk]), n) for risk, n in counts.items())


def _appeal_case(row: Sequence[Any]) -> AppealCase:
    number, received_at, category, statutory_due_at, answered = row[:5]
    return AppealCase(
        number=str(number),
        received_at=received_at,
        category=label(CATEGORY_LABELS, category),
        risks=_("; ").join(_(APPEAL_RISK_LABELS[r]) for r in _risks(row)),
        statutory_due_at=statutory_due_at,
        answered=bool(answered),
    )


def report_csv(data: ComplaintReportData) -> str:
    """The report as CSV text (UTF-8 with a BOM is the caller's choice when writing): the
    book's headline and tables as the screen shows them."""
    book = complaint_book(data)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([book.title, data.hall_name])
    w.writerow([_("Report period"), data.start.isoformat(), data.end.isoformat()])
    for label_text, value in book.headline:
        w.writerow([label_text, cell_text(value)])
    for table in book.tables:
        w.writerow([])
        w.writerow([table.title])
        w.writerow(table.headers)
        for row in table.all_rows():
            w.writerow([cell_text(cell) for cell in row])
    return out.getvalue()


def report_pdf(data: ComplaintReportData, *, invariant: bool = False) -> bytes:
    from app.documents.complaint_report import render_report  # reportlab: load late

    return render_report(data, invariant=invariant)
