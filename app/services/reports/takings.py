"""The hall-day report of a period, for shift leaders: the shifts whose business date falls
in the period, read through the hall day's own ``day_shift_rows`` (so a day of the report
and that day on the hall-day page and its printed summary show the same figures), and
each day's end-of-day close.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.documents.takings_data import DayClose, TakingsReportData, TakingsShift
from app.domain.report_period import check_period
from app.i18n import _
from app.services.base import Actor, Clock, require_role, this_desk, utc_now
from app.services.payments.plan import method_label
from app.services.shifts.hallday import day_shift_rows
from app.services.shifts.records import REPORT_METHODS
from app.services.shifts.views import HANDOVER_STATE_LABELS
from app.store.database import Store
from app.store.models import Hall, Role, Staff
from app.store.models.shifts import CashShift, HallDayClose


class TakingsReportService:
    """The takings per day, method, clerk and shift of a period (see the module docstring)."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def report(self, viewer: Actor, start: date, end: date) -> TakingsReportData:
        """Every figure of every shift: a shift leader's or an administrator's report."""
        require_role(viewer, Role.LEADER, Role.ADMIN)
        check_period(start, end)
        now = self._clock()
        with self._store.read() as session:
            desk = this_desk(session)
            hall = session.get(Hall, desk.hall_id)
            assert hall is not None
            hall_name = hall.name
            shifts = list(
                session.scalars(
                    select(CashShift)
                    .where(
                        CashShift.hall_id == hall.id,
                        CashShift.business_date >= start,
                        CashShift.business_date <= end,
                    )
                    .order_by(CashShift.business_date, CashShift.opened_at)
                )
            )
            rows, totals = day_shift_rows(session, shifts, blind=False)
            dates = {shift.id: shift.business_date for shift in shifts}
            closes = [
                DayClose(close.business_date, staff.name if staff else "", close.closed_at)
                for close, staff in session.execute(
                    select(HallDayClose, Staff)
                    .outerjoin(Staff, Staff.id == HallDayClose.staff_id)
                    .where(
                        HallDayClose.hall_id == hall.id,
                        HallDayClose.business_date >= start,
                        HallDayClose.business_date <= end,
                    )
                )
            ]
        methods = [*REPORT_METHODS, *sorted(m for m in totals if m not in REPORT_METHODS)]
        return TakingsReportData(
            hall_name=hall_name,
            start=start,
            end=end,
            generated_at=now,
            timezone=desk.timezone,
            methods=tuple((m, method_label(m)) for m in methods),
            shifts=tuple(
                TakingsShift(
                    business_date=dates[row.shift_id],
                    counter=row.counter_code,
                    clerk=f"{row.staff_name} ({row.staff_no})",
                    opened_at=row.opened_at,
                    closed_at=row.closed_at,
                    takings_fen=row.takings_fen or 0,
                    method_fen=dict(row.method_fen),
                    expected_cash_fen=row.expected_cash_fen or 0,
                    counted_cash_fen=row.counted_cash_fen,
                    difference_fen=row.difference_fen,
                    method_difference_fen=row.method_difference_fen,
                    handover=_(HANDOVER_STATE_LABELS[row.handover]),
                )
                for row in rows
            ),
            closes=tuple(closes),
        )
