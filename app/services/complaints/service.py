"""Complaints at the counter: intake, the follow-up event log, call-backs, the worklist.

Invariants, and why:

* **One complaint, one number, one transaction.** Intake writes the complaint, its
  ``received`` event, its projection row, the device's next complaint number and the audit
  event in one unit of work; the number comes from ``complaint_sequence`` in that same
  transaction (which also takes SQLite's write lock first), so the numbers of a device
  have no gaps, like receipt numbers.
* **History is append-only.** Every step is a ``complaint_event`` row (UUIDv7, time, device,
  staff); the status is their projection (``app.domain.complaint_flow``), refused steps
  write nothing. ``complaint_state`` is that projection plus the answer deadline, written in
  the event's transaction; ``check_projection`` compares it with the events.
* **The deadline follows the hall's day count** (hall setting ``complaints.day_count``,
  calendar days unless a leader chooses working days); changing it recomputes the deadline
  of every open complaint in the same transaction.
* **Personal data is masked** in every list and on the case; the full contact number is
  given by ``contact_phone`` only, and that access is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from app.documents.complaint_data import AckSlipData
from app.domain.complaint_clock import (
    DAY_COUNT_SETTING,
    AppealRisk,
    ClockReading,
    DayCount,
    appeal_window_end,
)
from app.domain.complaint_deadline import period_text
from app.domain.complaint_flow import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CONTACT_WAY_LABELS,
    ContactWay,
    Department,
    Event,
    EventKind,
    Satisfaction,
    allowed,
    apply,
    category_of,
    label,
    start,
    subcategory_label,
)
from app.domain.complaint_flow import (
    ComplaintState as FlowState,
)
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.identity import mask_phone, validate_phone
from app.domain.ids import uuid7
from app.i18n import N_, in_language
from app.services.base import Actor, Clock, audit, this_desk, utc_now
from app.services.complaints.records import (
    MAX_NOTE,
    ComplaintRequest,
    centre_flags,
    check_request,
    check_text,
    clock_input,
    complaint_number,
    day_count,
    events_by_complaint,
    hall_clock,
    load_events,
    project_rows,
    replay_rows,
    risks_of,
    state_values,
    write_state,
)
from app.services.complaints.worklist import (
    OPEN,
    WorklistFilter,
    WorklistRow,
    WorklistSort,
    customer_name,
    staff_numbers,
    worklist_count,
    worklist_ids,
    worklist_rows,
)
from app.store.database import Store
from app.store.models import Customer, Hall, HallSetting, Role, Staff
from app.store.models.complaints import (
    Complaint,
    ComplaintCallback,
    ComplaintCallbackDone,
    ComplaintEvent,
    ComplaintState,
    FaultNotice,
    FaultNoticeClosure,
)

__all__ = [
    "OPEN",
    "CallbackView",
    "ComplaintCase",
    "ComplaintRequest",
    "ComplaintService",
    "CustomerComplaintRow",
    "EventView",
    "RecordedComplaint",
    "WorklistFilter",
    "WorklistRow",
    "WorklistSort",
    "check_request",
]

MAX_CALLBACK_DAYS: Final = 60


@dataclass(frozen=True, slots=True)
class RecordedComplaint:
    complaint_id: uuid.UUID
    number: str
    received_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class EventView:
    seq: int
    kind: str
    at: datetime
    staff_no: str
    device_code: str
    department: str | None
    category: str | None
    subcategory: str | None
    way: str | None
    satisfaction: str | None
    note: str
    #: False for an event whose step was not applied: flagged by the centre (two PCs acted
    #: on the complaint at once) or crossed locally by another PC's step. Kept and shown.
    applied: bool = True
    #: The centre's flag reason (``invalid_transition``), ``not_applied`` if only refused here.
    conflict: str = ""


@dataclass(frozen=True, slots=True)
class CallbackView:
    callback_id: uuid.UUID
    due_at: datetime
    note: str
    done_at: datetime | None
    staff_no: str


@dataclass(frozen=True, slots=True)
class ComplaintCase:
    """A complaint with its events, call-backs, clock and the steps allowed now."""

    complaint_id: uuid.UUID
    number: str
    customer_id: int | None
    customer_name: str
    contact_phone_masked: str
    contact_way: str
    channel: str
    service_number: str
    description: str
    request: str
    urgency: str
    says_will_appeal: bool
    received_at: datetime
    staff_no: str
    state: FlowState
    reading: ClockReading
    day_count: DayCount
    appeal_until: date
    risks: tuple[AppealRisk, ...]
    events: tuple[EventView, ...]
    callbacks: tuple[CallbackView, ...]
    allowed: frozenset[EventKind]
    fault_notice_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class CustomerComplaintRow:
    complaint_id: uuid.UUID
    number: str
    received_at: datetime
    category: str
    status: str
    due_at: datetime
    answered_at: datetime | None
    satisfaction: str | None
    statutory_due_at: datetime


class ComplaintService:
    """Complaints, their events and call-backs; see the module docstring."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    # -- settings --------------------------------------------------------------------------

    def day_count(self) -> DayCount:
        with self._store.read() as session:
            return day_count(session)

    def set_day_count(self, actor: Actor, value: DayCount) -> int:
        """A leader or administrator chooses how days are counted; the deadline of every
        open complaint is recomputed. Returns how many were recomputed."""
        if actor.role not in (Role.LEADER, Role.ADMIN):
            raise PermissionDenied(N_("Only a shift leader or an administrator can do this."))
        value = DayCount(value)
        now = self._clock()
        with self._store.unit_of_work() as session:
            row = session.get(HallSetting, DAY_COUNT_SETTING)
            before = row.value if row else DayCount.CALENDAR.value
            if row is None:
                session.add(HallSetting(key=DAY_COUNT_SETTING, value=value.value))
            else:
                row.value = value.value
            session.flush()
            clock = hall_clock(session)
            open_ids = list(
                session.scalars(
                    select(ComplaintState.complaint_id).where(ComplaintState.answered_at.is_(None))
                )
            )
            for ids in (open_ids[i : i + 500] for i in range(0, len(open_ids), 500)):
                flags = centre_flags(session, ids)
                for cid, rows in events_by_complaint(session, ids).items():
                    flow = project_rows(rows, flags)
                    due = clock.deadline(clock_input(flow), rows[-1].at).due_at
                    session.execute(
                        update(ComplaintState)
                        .where(ComplaintState.complaint_id == cid)
                        .values(due_at=due, due_rank=int(due.timestamp()))
                    )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="complaint_day_count",
                entity="hall_setting",
                entity_id=DAY_COUNT_SETTING,
                before=before,
                after=value.value,
                recomputed=len(open_ids),
            )
        return len(open_ids)

    # -- intake ------------------------------------------------------------------------------

    def intake(self, actor: Actor, request: ComplaintRequest) -> RecordedComplaint:
        """Record a new complaint and its ``received`` event, or refuse with nothing written."""
        request = check_request(request)
        now = self._clock()
        with self._store.unit_of_work() as session:
            here = this_desk(session)
            number = self._next_number(session, here.device_code)
            if request.customer_id is not None:
                customer = session.get(Customer, request.customer_id)
                if customer is None:
                    raise NotFound(N_("This customer does not exist."))
                name = request.contact_name or customer.name
                phone = request.contact_phone or customer.contact_phone
                if not request.contact_phone:
                    try:
                        phone = validate_phone(phone, field="contact_phone")
                    except ValidationError:
                        raise ValidationError(
                            "contact_phone",
                            N_(
                                "The customer record has no valid phone number; enter one "
                                "to contact the customer."
                            ),
                        ) from None
            else:
                name, phone = request.contact_name, request.contact_phone
            if request.fault_notice_id is not None:
                self._check_open_notice(session, request.fault_notice_id)
            complaint = Complaint(
                id=uuid7(),
                number=number,
                device_code=here.device_code,
                staff_id=actor.staff_id,
                received_at=now,
                customer_id=request.customer_id,
                contact_name=name,
                contact_phone=phone,
                contact_way=request.contact_way,
                channel=request.channel,
                category=request.category,
                subcategory=request.subcategory,
                service_number=request.service_number,
                description=request.description,
                request=request.request,
                urgency=request.urgency,
                says_will_appeal=request.says_will_appeal,
            )
            session.add(complaint)
            session.flush()
            event = ComplaintEvent(
                id=uuid7(),
                complaint_id=complaint.id,
                seq=1,
                kind=EventKind.RECEIVED.value,
                at=now,
                device_code=here.device_code,
                staff_id=actor.staff_id,
                category=request.category,
                subcategory=request.subcategory or None,
                fault_notice_id=request.fault_notice_id,
                note="",
            )
            session.add(event)
            flow = start(
                Event(
                    EventKind.RECEIVED,
                    now,
                    category=request.category,
                    subcategory=request.subcategory or None,
                    fault_notice_id=str(request.fault_notice_id)
                    if request.fault_notice_id
                    else None,
                )
            )
            state = write_state(
                session, complaint, flow, hall_clock(session, here.timezone), now, 1
            )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="complaint_received",
                entity="complaint",
                entity_id=str(complaint.id),
                number=number,
                customer_id=request.customer_id,
                category=request.category,
                channel=request.channel,
            )
            return RecordedComplaint(complaint.id, number, now, state.due_at)

    @staticmethod
    def _next_number(session: Session, device_code: str) -> str:
        session.execute(
            text("INSERT OR IGNORE INTO complaint_sequence (device_code, last_no) VALUES (:d, 0)"),
            {"d": device_code},
        )
        session.execute(
            text("UPDATE complaint_sequence SET last_no = last_no + 1 WHERE device_code = :d"),
            {"d": device_code},
        )
        n = session.execute(
            text("SELECT last_no FROM complaint_sequence WHERE device_code = :d"),
            {"d": device_code},
        ).scalar_one()
        return complaint_number(device_code, int(n))

    @staticmethod
    def _check_open_notice(session: Session, notice_id: uuid.UUID) -> None:
        if session.get(FaultNotice, notice_id) is None:
            raise NotFound(N_("This fault notice does not exist."))
        if session.get(FaultNoticeClosure, notice_id) is not None:
            raise ValidationError(
                "fault_notice", N_("This fault notice is closed; link an active one.")
            )

    # -- follow-up ---------------------------------------------------------------------------

    def classify(
        self, actor: Actor, complaint_id: uuid.UUID, subcategory: str, note: str = ""
    ) -> ComplaintCase:
        category = category_of(subcategory)
        if category is None:
            raise ValidationError("subcategory", N_("Choose the sub-category."))
        return self._step(
            actor,
            complaint_id,
            EventKind.CLASSIFIED,
            note=check_text("note", note, required=False, maximum=MAX_NOTE),
            category=category.value,
            subcategory=subcategory,
        )

    def forward(
        self, actor: Actor, complaint_id: uuid.UUID, department: str, note: str
    ) -> ComplaintCase:
        try:
            department = Department(department).value
        except ValueError:
            raise ValidationError("department", N_("Choose the department.")) from None
        return self._step(
            actor,
            complaint_id,
            EventKind.FORWARDED,
            note=check_text("note", note, required=True, maximum=MAX_NOTE),
            department=department,
        )

    def plan(self, actor: Actor, complaint_id: uuid.UUID, plan: str) -> ComplaintCase:
        return self._step(
            actor,
            complaint_id,
            EventKind.PLANNED,
            note=check_text("note", plan, required=True, maximum=MAX_NOTE),
        )

    def handle(self, actor: Actor, complaint_id: uuid.UUID, result: str) -> ComplaintCase:
        return self._step(
            actor,
            complaint_id,
            EventKind.HANDLED,
            note=check_text("note", result, required=True, maximum=MAX_NOTE),
        )

    def feed_back(
        self,
        actor: Actor,
        complaint_id: uuid.UUID,
        way: str,
        content: str,
        satisfaction: str,
    ) -> ComplaintCase:
        try:
            way = ContactWay(way).value
        except ValueError:
            raise ValidationError("way", N_("Choose how the customer was answered.")) from None
        try:
            satisfaction = Satisfaction(satisfaction).value
        except ValueError:
            raise ValidationError(
                "satisfaction", N_("Choose the customer's satisfaction.")
            ) from None
        return self._step(
            actor,
            complaint_id,
            EventKind.FED_BACK,
            note=check_text("note", content, required=True, maximum=MAX_NOTE),
            way=way,
            satisfaction=satisfaction,
        )

    def archive(self, actor: Actor, complaint_id: uuid.UUID, lesson: str = "") -> ComplaintCase:
        return self._step(
            actor,
            complaint_id,
            EventKind.ARCHIVED,
            note=check_text("note", lesson, required=False, maximum=MAX_NOTE),
        )

    def reopen(self, actor: Actor, complaint_id: uuid.UUID, reason: str) -> ComplaintCase:
        return self._step(
            actor,
            complaint_id,
            EventKind.REOPENED,
            note=check_text("note", reason, required=True, maximum=MAX_NOTE),
        )

    def pause(self, actor: Actor, complaint_id: uuid.UUID, reason: str) -> ComplaintCase:
        """Stop the clock while waiting on the customer (the reason is required)."""
        return self._step(
            actor,
            complaint_id,
            EventKind.PAUSED,
            note=check_text("note", reason, required=True, maximum=MAX_NOTE),
        )

    def resume(self, actor: Actor, complaint_id: uuid.UUID, note: str = "") -> ComplaintCase:
        return self._step(
            actor,
            complaint_id,
            EventKind.RESUMED,
            note=check_text("note", note, required=False, maximum=MAX_NOTE),
        )

    def add_note(self, actor: Actor, complaint_id: uuid.UUID, note: str) -> ComplaintCase:
        return self._step(
            actor,
            complaint_id,
            EventKind.NOTE,
            note=check_text("note", note, required=True, maximum=MAX_NOTE),
        )

    def link_fault(
        self, actor: Actor, complaint_id: uuid.UUID, notice_id: uuid.UUID
    ) -> ComplaintCase:
        return self._step(actor, complaint_id, EventKind.FAULT_LINKED, fault_notice_id=notice_id)

    def _step(
        self,
        actor: Actor,
        complaint_id: uuid.UUID,
        kind: EventKind,
        *,
        note: str = "",
        department: str | None = None,
        category: str | None = None,
        subcategory: str | None = None,
        way: str | None = None,
        satisfaction: str | None = None,
        fault_notice_id: uuid.UUID | None = None,
    ) -> ComplaintCase:
        now = self._clock()
        with self._store.unit_of_work() as session:
            here = this_desk(session)
            # A write first: SQLite's write lock, so the events read next cannot change.
            session.execute(
                text(
                    "INSERT OR IGNORE INTO complaint_sequence (device_code, last_no) VALUES (:d, 0)"
                ),
                {"d": here.device_code},
            )
            complaint = session.get(Complaint, complaint_id)
            if complaint is None:
                raise NotFound(N_("This complaint does not exist."))
            if fault_notice_id is not None:
                self._check_open_notice(session, fault_notice_id)
            rows = load_events(session, complaint_id)
            at = max(now, rows[-1].at)
            event = Event(
                kind,
                at,
                department=department,
                category=category,
                subcategory=subcategory,
                satisfaction=satisfaction,
                fault_notice_id=str(fault_notice_id) if fault_notice_id else None,
            )
            flow = apply(project_rows(rows, centre_flags(session, [complaint_id])), event)
            # This device's next number for the complaint (another PC's events may share it:
            # an event is identified by its id, ordered by the centre).
            seq = max(r.seq for r in rows) + 1
            session.add(
                ComplaintEvent(
                    id=uuid7(),
                    complaint_id=complaint_id,
                    seq=seq,
                    kind=kind.value,
                    at=at,
                    device_code=here.device_code,
                    staff_id=actor.staff_id,
                    category=category,
                    subcategory=subcategory,
                    department=department,
                    way=way,
                    satisfaction=satisfaction,
                    fault_notice_id=fault_notice_id,
                    note=note,
                )
            )
            write_state(session, complaint, flow, hall_clock(session, here.timezone), at, seq)
            audit(
                session,
                at=at,
                staff_id=actor.staff_id,
                action=f"complaint_{kind.value}",
                entity="complaint",
                entity_id=str(complaint_id),
                number=complaint.number,
                seq=seq,
            )
            session.flush()
            return self._case(session, complaint, now)

    # -- reading -----------------------------------------------------------------------------

    def case(self, complaint_id: uuid.UUID) -> ComplaintCase:
        now = self._clock()
        with self._store.read() as session:
            complaint = session.get(Complaint, complaint_id)
            if complaint is None:
                raise NotFound(N_("This complaint does not exist."))
            return self._case(session, complaint, now)

    def find(self, number: str) -> uuid.UUID:
        with self._store.read() as session:
            found = session.scalar(select(Complaint.id).where(Complaint.number == number.strip()))
        if found is None:
            raise NotFound(N_("No complaint with this number exists."))
        return found

    def _case(self, session: Session, complaint: Complaint, now: datetime) -> ComplaintCase:
        here = this_desk(session)
        clock = hall_clock(session, here.timezone)
        rows = load_events(session, complaint.id)
        flags = centre_flags(session, [complaint.id])
        flow, not_applied = replay_rows(rows, flags)
        reading = clock.read(clock_input(flow), now)
        callbacks = list(
            session.execute(
                select(ComplaintCallback, ComplaintCallbackDone.at)
                .outerjoin(
                    ComplaintCallbackDone,
                    ComplaintCallbackDone.callback_id == ComplaintCallback.id,
                )
                .where(ComplaintCallback.complaint_id == complaint.id)
                .order_by(ComplaintCallback.due_at)
            ).all()
        )
        staff = staff_numbers(
            session,
            {r.staff_id for r in rows} | {c.staff_id for c, _d in callbacks} | {complaint.staff_id},
        )
        customer = None
        if complaint.customer_id is not None:
            found = session.get(Customer, complaint.customer_id)
            if found is not None:
                customer = (found.name, found.kind)
        received_on = complaint.received_at.astimezone(clock.zone).date()
        return ComplaintCase(
            complaint_id=complaint.id,
            number=complaint.number,
            customer_id=complaint.customer_id,
            customer_name=customer_name(complaint, customer),
            contact_phone_masked=mask_phone(complaint.contact_phone),
            contact_way=complaint.contact_way,
            channel=complaint.channel,
            service_number=complaint.service_number,
            description=complaint.description,
            request=complaint.request,
            urgency=complaint.urgency,
            says_will_appeal=complaint.says_will_appeal,
            received_at=complaint.received_at,
            staff_no=staff.get(complaint.staff_id, ""),
            state=flow,
            reading=reading,
            day_count=clock.day_count,
            appeal_until=appeal_window_end(flow.category, received_on),
            risks=risks_of(reading, flow, complaint.says_will_appeal),
            events=tuple(
                EventView(
                    seq=r.seq,
                    kind=r.kind,
                    at=r.at,
                    staff_no=staff.get(r.staff_id, ""),
                    device_code=r.device_code,
                    department=r.department,
                    category=r.category,
                    subcategory=r.subcategory,
                    way=r.way,
                    satisfaction=r.satisfaction,
                    note=r.note,
                    applied=r.id not in not_applied,
                    conflict=flags.get(r.id, "" if r.id not in not_applied else "not_applied"),
                )
                for r in rows
            ),
            callbacks=tuple(
                CallbackView(c.id, c.due_at, c.note, done, staff.get(c.staff_id, ""))
                for c, done in callbacks
            ),
            allowed=allowed(flow),
            fault_notice_id=uuid.UUID(flow.fault_notice_id) if flow.fault_notice_id else None,
        )

    def acknowledgement(self, complaint_id: uuid.UUID) -> AckSlipData:
        """What the acknowledgement slip prints, in the current language, data masked."""
        case = self.case(complaint_id)
        with self._store.read() as session:
            hall = session.scalars(select(Hall).limit(1)).first()
            assert hall is not None
            hall_name, address, hotline, timezone = (
                hall.name,
                hall.address,
                hall.hotline,
                hall.timezone,
            )
        intake_category = case.events[0].category if case.events else None
        return AckSlipData(
            hall_name=hall_name,
            hall_address=address,
            hotline=hotline,
            number=case.number,
            received_at=case.received_at,
            timezone=timezone,
            customer_name=case.customer_name,
            contact_phone=case.contact_phone_masked,
            channel=label(CHANNEL_LABELS, case.channel),
            category=label(CATEGORY_LABELS, case.state.category or intake_category),
            subcategory=subcategory_label(case.state.subcategory),
            summary=case.description,
            request=case.request,
            due_at=case.reading.deadline.due_at,
            period=period_text(case.day_count),
            contact_way=label(CONTACT_WAY_LABELS, case.contact_way),
            staff_no=case.staff_no,
            appeal_until=case.appeal_until,
            statutory_due_at=case.reading.statutory_due,
            calendar_known=case.reading.deadline.calendar_known,
        )

    def render_ack(
        self, complaint_id: uuid.UUID, layout: str = "roll80", *, invariant: bool = False
    ) -> bytes:
        """The acknowledgement slip as PDF, in the customers' language (Chinese)."""
        from app.documents.complaint_ack import render_ack  # reportlab: load late
        from app.documents.data import CUSTOMER_DOCUMENT_LANGUAGE, ReceiptLayout

        with in_language(CUSTOMER_DOCUMENT_LANGUAGE):
            data = self.acknowledgement(complaint_id)
            return render_ack(data, ReceiptLayout(layout), invariant=invariant)

    def record_ack_print(self, actor: Actor, complaint_id: uuid.UUID, outcome: str) -> None:
        """Log that the acknowledgement slip was printed (or saved, or failed)."""
        now = self._clock()
        with self._store.unit_of_work() as session:
            number = session.scalar(select(Complaint.number).where(Complaint.id == complaint_id))
            if number is None:
                raise NotFound(N_("This complaint does not exist."))
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="complaint_ack_printed",
                entity="complaint",
                entity_id=str(complaint_id),
                number=number,
                outcome=outcome,
            )

    def contact_phone(self, actor: Actor, complaint_id: uuid.UUID) -> str:
        """The full contact number, to call the customer; the access is audited."""
        now = self._clock()
        with self._store.unit_of_work() as session:
            complaint = session.get(Complaint, complaint_id)
            if complaint is None:
                raise NotFound(N_("This complaint does not exist."))
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="complaint_contact_shown",
                entity="complaint",
                entity_id=str(complaint_id),
            )
            return complaint.contact_phone

    # -- call-backs --------------------------------------------------------------------------

    def promise_callback(
        self, actor: Actor, complaint_id: uuid.UUID, due_at: datetime, note: str = ""
    ) -> uuid.UUID:
        """Promise the customer a call by ``due_at`` (in the future, within 60 days)."""
        now = self._clock()
        if due_at.tzinfo is None:
            raise ValueError("due_at must be aware")
        if due_at <= now:
            raise ValidationError("due_at", N_("A call-back must be promised for a later time."))
        if due_at > now + timedelta(days=MAX_CALLBACK_DAYS):
            raise ValidationError(
                "due_at",
                N_("A call-back can be promised at most {days} days ahead."),
                days=MAX_CALLBACK_DAYS,
            )
        note = check_text("note", note, required=False, maximum=500)
        with self._store.unit_of_work() as session:
            here = this_desk(session)
            state = session.get(ComplaintState, complaint_id)
            if state is None:
                raise NotFound(N_("This complaint does not exist."))
            if state.archived:
                raise ValidationError(
                    "due_at", N_("An archived complaint cannot get a call-back promise.")
                )
            row = ComplaintCallback(
                id=uuid7(),
                complaint_id=complaint_id,
                due_at=due_at,
                note=note,
                created_at=now,
                device_code=here.device_code,
                staff_id=actor.staff_id,
            )
            session.add(row)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="complaint_callback_promised",
                entity="complaint",
                entity_id=str(complaint_id),
                due_at=due_at.isoformat(),
            )
            return row.id

    def complete_callback(self, actor: Actor, callback_id: uuid.UUID, note: str = "") -> None:
        now = self._clock()
        note = check_text("note", note, required=False, maximum=500)
        with self._store.unit_of_work() as session:
            here = this_desk(session)
            callback = session.get(ComplaintCallback, callback_id)
            if callback is None:
                raise NotFound(N_("This call-back does not exist."))
            if session.get(ComplaintCallbackDone, callback_id) is not None:
                raise ValidationError("callback", N_("This call-back was already made."))
            session.add(
                ComplaintCallbackDone(
                    callback_id=callback_id,
                    at=now,
                    device_code=here.device_code,
                    staff_id=actor.staff_id,
                    note=note,
                )
            )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="complaint_callback_done",
                entity="complaint",
                entity_id=str(callback.complaint_id),
            )

    # -- the worklist (``app.services.complaints.worklist``) ------------------------------

    def worklist_ids(self, filter: WorklistFilter, sort: WorklistSort) -> list[str]:
        """Every matching complaint id (hex, as stored), in the SQL order."""
        with self._store.read() as session:
            return worklist_ids(session, filter, sort)

    def worklist_count(self, filter: WorklistFilter) -> int:
        with self._store.read() as session:
            return worklist_count(session, filter)

    def worklist_rows(self, ids: Sequence[str]) -> list[WorklistRow]:
        """Rows for the ids given (hex strings), in that order; unknown ids are left out."""
        now = self._clock()
        with self._store.read() as session:
            return worklist_rows(session, hall_clock(session), now, ids)

    def customer_complaints(self, customer_id: int) -> list[CustomerComplaintRow]:
        """The customer's complaints, newest first (for the customer panel)."""
        with self._store.read() as session:
            rows = session.execute(
                select(Complaint.id, Complaint.number, ComplaintState)
                .join(ComplaintState, ComplaintState.complaint_id == Complaint.id)
                .where(ComplaintState.customer_id == customer_id)
                .order_by(ComplaintState.received_at.desc())
            ).all()
            return [
                CustomerComplaintRow(
                    complaint_id=cid,
                    number=number,
                    received_at=state.received_at,
                    category=state.category,
                    status=state.status,
                    due_at=state.due_at,
                    answered_at=state.answered_at,
                    satisfaction=state.satisfaction,
                    statutory_due_at=state.statutory_due_at,
                )
                for cid, number, state in rows
            ]

    def staff_choices(self) -> list[tuple[int, str, str]]:
        """(id, staff number, name) of the active staff, for the worklist's staff filter."""
        with self._store.read() as session:
            return [
                (i, no, name)
                for i, no, name in session.execute(
                    select(Staff.id, Staff.staff_no, Staff.name)
                    .where(Staff.active.is_(True))
                    .order_by(Staff.staff_no)
                )
            ]

    def check_projection(self, limit: int | None = None) -> list[uuid.UUID]:
        """Complaints whose ``complaint_state`` differs from a replay of their events (the
        deadline of an open complaint under the hall's current day count)."""
        wrong: list[uuid.UUID] = []
        with self._store.read() as session:
            clock = hall_clock(session)
            query = select(ComplaintState).order_by(ComplaintState.complaint_id)
            if limit is not None:
                query = query.limit(limit)
            states = list(session.scalars(query))
            events = events_by_complaint(session, [s.complaint_id for s in states])
            flags = centre_flags(session, [s.complaint_id for s in states])
            for state in states:
                rows = events[state.complaint_id]
                flow = project_rows(rows, flags)
                # The stored deadline was computed at the last event (an open pause then
                # counted up to that event).
                expected = state_values(flow, clock, rows[-1].at, rows[-1].seq)
                actual = {key: getattr(state, key) for key in expected}
                if flow.answered_at is not None:
                    # Answered complaints keep the deadline they were answered against,
                    # also after the hall changed how days are counted.
                    for key in ("due_at", "due_rank"):
                        expected.pop(key)
                        actual.pop(key)
                if expected != actual:
                    wrong.append(state.complaint_id)
        return wrong

    def counts_by_status(self) -> dict[str, int]:
        with self._store.read() as session:
            return {
                status: int(n)
                for status, n in session.execute(
                    select(ComplaintState.status, func.count()).group_by(ComplaintState.status)
                )
            }
