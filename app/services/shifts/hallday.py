"""The shift leader's hall day: every counter's shifts, opening checks, the end-of-day close.

* The day view is read from the shift records: the shifts of the day and those still open
  from earlier days (never a later day's), each one's takings,
  expected and counted cash and difference, the state of its handover, and what is pending
  in the whole hall.
* Opening checks are judged by ``app.domain.handover.judge_opening`` against two hall
  settings: the opening time (``hall.opening_time``, default 08:30) and how many minutes
  before it staff must arrive (``shift.arrive_before_minutes``, default 15).
* The end-of-day close is refused while a shift of the day is still open; its summary is
  frozen as JSON in the append-only ``hall_day_close`` row (one per hall and day), so the
  printed summary never changes afterwards.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.domain.errors import PermissionDenied, StoreError, ValidationError
from app.domain.handover import Arrival, OpeningVerdict, judge_opening
from app.domain.ids import uuid7
from app.domain.text import clean_text
from app.i18n import N_
from app.services.base import Actor, Clock, audit, utc_now
from app.services.pending import PendingQuery, collect
from app.services.shifts.handover import handover_of, revisions_of
from app.services.shifts.records import (
    ARRIVE_BEFORE_KEY,
    DEFAULT_ARRIVE_BEFORE_MINUTES,
    DEFAULT_OPENING_TIME,
    OPENING_TIME_KEY,
    REPORT_METHODS,
    ShiftRefused,
    blind_for,
    int_setting,
    setting,
    shift_figures,
    shift_view,
)
from app.services.shifts.views import (
    DayShiftRow,
    HallDay,
    HandoverState,
    OpeningCheckView,
)
from app.store.database import Store
from app.store.models import Counter, DeviceInfo, Hall, Staff
from app.store.models.shifts import CashShift, HallDayClose, OpeningCheck, ShiftClose

MAX_NOTE: Final = 500


def parse_clock(text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return time(8, 30)


def handover_state(session: Session, shift_id: uuid.UUID) -> str:
    handover = handover_of(session, shift_id)
    if handover is None:
        return HandoverState.NONE
    current = revisions_of(session, handover.id)[-1]
    if current.locked:
        return HandoverState.LOCKED
    return HandoverState.SIGNING if current.signatures else HandoverState.DRAFT


def day_shift_rows(
    session: Session, shifts: Sequence[CashShift], *, blind: bool
) -> tuple[list[DayShiftRow], dict[str, int]]:
    """Each shift's row of the hall day and the takings per method of the rows shown
    (cash, card and e-payment methods first). The hall day and the leader's takings
    report both read shifts through this one function, so they show the same figures."""
    rows = []
    totals: dict[str, int] = {m: 0 for m in REPORT_METHODS}
    for shift in shifts:
        view = shift_view(session, shift)
        cash, _moves = shift_figures(session, shift)
        withheld = blind and view.close is None
        if not withheld:
            for m in cash.methods:
                totals[m.method] = totals.get(m.method, 0) + m.net_fen
        rows.append(
            DayShiftRow(
                shift_id=shift.id,
                counter_code=view.counter_code,
                staff_no=view.staff_no,
                staff_name=view.staff_name,
                opened_at=shift.opened_at,
                closed_at=view.close.closed_at if view.close else None,
                takings_fen=None if withheld else cash.takings_fen,
                method_fen={} if withheld else {m.method: m.net_fen for m in cash.methods},
                expected_cash_fen=None if withheld else cash.expected_cash_fen,
                counted_cash_fen=view.close.counted_cash_fen if view.close else None,
                difference_fen=view.close.difference_fen if view.close else None,
                handover=handover_state(session, shift.id),
                method_difference_fen=(
                    sum(m.difference.difference_fen for m in view.close.methods)
                    if view.close
                    else None
                ),
            )
        )
    return rows, totals


class HallDayService:
    """The leader's view of the hall's day, its opening checks and its close."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def _hall(self, session: Session) -> tuple[Hall, str]:
        device = session.scalars(select(DeviceInfo).limit(1)).first()
        if device is None:
            raise StoreError(N_("This store has not been set up for a hall yet."))
        hall = session.get(Hall, device.hall_id)
        assert hall is not None
        return hall, device.device_code

    def staff(self) -> list[tuple[int, str, str]]:
        """The hall's active counter staff (id, staff number, name), for the opening checks."""
        with self._store.read() as session:
            hall, _device = self._hall(session)
            return [
                (s.id, s.staff_no, s.name)
                for s in session.scalars(
                    select(Staff)
                    .where(Staff.hall_id == hall.id, Staff.active.is_(True), Staff.role != "admin")
                    .order_by(Staff.staff_no)
                )
            ]

    def opening_at(self, business_date: date) -> datetime:
        """When the hall opens on ``business_date`` (aware, hall time zone)."""
        with self._store.read() as session:
            hall, _device = self._hall(session)
            clock = parse_clock(setting(session, OPENING_TIME_KEY, DEFAULT_OPENING_TIME))
            return datetime.combine(business_date, clock, ZoneInfo(hall.timezone))

    def today(self) -> date:
        with self._store.read() as session:
            hall, _ = self._hall(session)
            return self._clock().astimezone(ZoneInfo(hall.timezone)).date()

    def day(self, business_date: date, viewer: Actor) -> HallDay:
        """The hall's day as ``viewer`` may see it: under the hall's blind count, a clerk
        sees no cash figure of a shift still open (its own or a colleague's)."""
        with self._store.read() as session:
            blind = blind_for(session, viewer.is_leader)
        return self._day(business_date, blind=blind)

    def _day(self, business_date: date, *, blind: bool) -> HallDay:
        now = self._clock()
        with self._store.read() as session:
            hall, _ = self._hall(session)
            counters = tuple(
                (c.id, c.code, c.name)
                for c in session.scalars(
                    select(Counter).where(Counter.hall_id == hall.id).order_by(Counter.code)
                )
            )
            closed = select(ShiftClose.shift_id)
            shifts = list(
                session.scalars(
                    select(CashShift)
                    .where(
                        CashShift.hall_id == hall.id,
                        or_(
                            CashShift.business_date == business_date,
                            and_(
                                CashShift.business_date < business_date,
                                CashShift.id.not_in(closed),
                            ),
                        ),
                    )
                    .order_by(CashShift.opened_at)
                )
            )
            rows, totals = day_shift_rows(session, shifts, blind=blind)
            check = session.scalars(
                select(OpeningCheck)
                .where(OpeningCheck.hall_id == hall.id, OpeningCheck.business_date == business_date)
                .order_by(OpeningCheck.created_at.desc())
                .limit(1)
            ).first()
            close = session.scalars(
                select(HallDayClose).where(
                    HallDayClose.hall_id == hall.id, HallDayClose.business_date == business_date
                )
            ).first()
            closer = session.get(Staff, close.staff_id) if close else None
            return HallDay(
                business_date=business_date,
                hall_name=hall.name,
                counters=counters,
                shifts=tuple(rows),
                pending=tuple(collect(session, PendingQuery(now=now))),
                opening=self._opening_view(session, check) if check else None,
                closed_at=close.closed_at if close else None,
                closed_by=closer.name if closer else "",
                opening_time=setting(session, OPENING_TIME_KEY, DEFAULT_OPENING_TIME),
                arrive_before_minutes=int_setting(
                    session, ARRIVE_BEFORE_KEY, DEFAULT_ARRIVE_BEFORE_MINUTES
                ),
                method_totals=totals,
                note=close.note if close else "",
            )

    @staticmethod
    def _opening_view(session: Session, check: OpeningCheck) -> OpeningCheckView:
        detail = json.loads(check.detail_json)
        leader = session.get(Staff, check.staff_id)
        late = []
        for staff_id in detail.get("late_staff", []):
            staff = session.get(Staff, staff_id)
            late.append(f"{staff.name} ({staff.staff_no})" if staff else str(staff_id))
        uncleaned = []
        for counter_id in detail.get("uncleaned_counters", []):
            counter = session.get(Counter, counter_id)
            uncleaned.append(counter.code if counter else str(counter_id))
        return OpeningCheckView(
            created_at=check.created_at,
            leader_name=leader.name if leader else "",
            opened_at=check.opened_at,
            all_passed=check.all_passed,
            late_staff=tuple(late),
            uncleaned_counters=tuple(uncleaned),
            opened_late=bool(detail.get("opened_late")),
            note=check.note,
        )

    def record_opening_check(
        self,
        actor: Actor,
        business_date: date,
        arrivals: Sequence[Arrival],
        cleaned_counters: set[int],
        opened_at: datetime | None,
        note: str = "",
    ) -> OpeningVerdict:
        """Record the leader's opening checks of a day; a later record replaces the view
        of an earlier one (both are kept)."""
        if not actor.is_leader:
            raise PermissionDenied(N_("Only a shift leader records the opening checks."))
        note = clean_text(note, field="note")
        if len(note) > MAX_NOTE:
            raise ValidationError(
                "note", N_("Notes can be at most {max} characters."), max=MAX_NOTE
            )
        if len({a.staff_id for a in arrivals}) != len(arrivals):
            raise ValidationError("arrivals", N_("Each staff member arrives once."))
        now = self._clock()
        with self._store.unit_of_work() as session:
            hall, device = self._hall(session)
            zone = ZoneInfo(hall.timezone)
            opening_clock = parse_clock(setting(session, OPENING_TIME_KEY, DEFAULT_OPENING_TIME))
            opening_at = datetime.combine(business_date, opening_clock, zone)
            before = timedelta(
                minutes=int_setting(session, ARRIVE_BEFORE_KEY, DEFAULT_ARRIVE_BEFORE_MINUTES)
            )
            counters = list(session.scalars(select(Counter.id).where(Counter.hall_id == hall.id)))
            verdict = judge_opening(
                opening_at, before, list(arrivals), counters, set(cleaned_counters), opened_at
            )
            detail = {
                "opening_at": opening_at.isoformat(),
                "arrive_before_minutes": int(before.total_seconds() // 60),
                "arrivals": [[a.staff_id, a.arrived_at.isoformat()] for a in arrivals],
                "cleaned_counters": sorted(cleaned_counters),
                "late_staff": list(verdict.late_staff),
                "uncleaned_counters": list(verdict.uncleaned_counters),
                "opened_late": verdict.opened_late,
            }
            row = OpeningCheck(
                id=uuid7(),
                hall_id=hall.id,
                business_date=business_date,
                created_at=now,
                staff_id=actor.staff_id,
                device_code=device,
                opened_at=opened_at,
                all_passed=verdict.all_passed,
                detail_json=json.dumps(detail, sort_keys=True),
                note=note,
            )
            session.add(row)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="opening_checked",
                entity="opening_check",
                entity_id=str(row.id),
                business_date=business_date.isoformat(),
                all_passed=verdict.all_passed,
            )
        return verdict

    def summary_pdf(self, business_date: date, viewer: Actor, *, invariant: bool = False) -> bytes:
        """The day's summary as A4 PDF (a draft until the day is closed), for a shift
        leader: it carries every shift's cash figures, open ones included."""
        from app.services.shifts.handover_documents import render_day

        if not viewer.is_leader:
            raise PermissionDenied(N_("Only a shift leader prints the hall's day summary."))

        day = self._day(business_date, blind=False)
        with self._store.read() as session:
            hall, _device = self._hall(session)
            timezone = hall.timezone
        return render_day(day, timezone, invariant=invariant)

    def close_day(self, actor: Actor, business_date: date, note: str = "") -> HallDay:
        """The hall's end-of-day close: refused while a shift is open; the summary is
        frozen with it."""
        if not actor.is_leader:
            raise PermissionDenied(N_("Only a shift leader closes the hall's day."))
        note = clean_text(note, field="note")
        if len(note) > MAX_NOTE:
            raise ValidationError(
                "note", N_("Notes can be at most {max} characters."), max=MAX_NOTE
            )
        day = self._day(business_date, blind=False)
        if day.closed_at is not None:
            raise ShiftRefused(N_("This day has already been closed."))
        if day.open_shifts:
            raise ShiftRefused(
                N_("{count} shifts are still open. Every counter must close its shift first."),
                count=day.open_shifts,
            )
        now = self._clock()
        summary = {
            "takings_fen": day.takings_fen,
            "difference_fen": day.difference_fen,
            "methods": day.method_totals,
            "shifts": [
                {
                    "shift": str(s.shift_id),
                    "counter": s.counter_code,
                    "staff_no": s.staff_no,
                    "takings_fen": s.takings_fen,
                    "expected_cash_fen": s.expected_cash_fen,
                    "counted_cash_fen": s.counted_cash_fen,
                    "difference_fen": s.difference_fen,
                    "method_difference_fen": s.method_difference_fen,
                    "handover": s.handover,
                }
                for s in day.shifts
            ],
            "pending": len(day.pending),
        }
        with self._store.unit_of_work() as session:
            hall, device = self._hall(session)
            row = HallDayClose(
                id=uuid7(),
                hall_id=hall.id,
                business_date=business_date,
                closed_at=now,
                staff_id=actor.staff_id,
                device_code=device,
                summary_json=json.dumps(summary, sort_keys=True),
                note=note,
            )
            session.add(row)
            session.flush()
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="hall_day_closed",
                entity="hall_day_close",
                entity_id=str(row.id),
                business_date=business_date.isoformat(),
                takings_fen=day.takings_fen,
                difference_fen=day.difference_fen,
            )
        return self._day(business_date, blind=False)
