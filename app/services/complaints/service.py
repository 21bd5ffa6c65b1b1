"""Complaints at the counter: intake, the follow-up event log, call-backs, the worklist.

``ComplaintService`` is the one entry point; it opens the unit of work and leaves the parts
to their modules: ``intake`` (a new complaint), ``case`` (reading a case back),
``acknowledgement`` (the slip), ``callbacks`` (call-back promises), ``worklist`` and
``records`` (the projection). The follow-up steps are here.

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
from datetime import datetime

from sqlalchemy import func, select, update

from app.documents.complaint_data import AckSlipData
from app.domain.complaint_clock import (
    DAY_COUNT_SETTING,
    DayCount,
)
from app.domain.complaint_flow import (
    ContactWay,
    Department,
    Event,
    EventKind,
    Satisfaction,
    apply,
    category_of,
)
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.ids import uuid7
from app.i18n import N_, in_language
from app.services.base import Actor, Clock, audit, this_desk, utc_now
from app.services.complaints.acknowledgement import ack_slip_data
from app.services.complaints.callbacks import (
    MAX_CALLBACK_NOTE,
    check_promise,
    complete_callback,
    promise_callback,
)
from app.services.complaints.case import (
    CallbackView,
    ComplaintCase,
    CustomerComplaintRow,
    EventView,
    customer_complaints,
    read_case,
)
from app.services.complaints.intake import RecordedComplaint, check_open_notice, write_intake
from app.services.complaints.records import (
    MAX_NOTE,
    ComplaintRequest,
    centre_flags,
    check_request,
    check_text,
    clock_input,
    day_count,
    events_by_complaint,
    hall_clock,
    load_events,
    project_rows,
    projection_mismatches,
    write_state,
)
from app.services.complaints.worklist import (
    OPEN,
    WorklistFilter,
    WorklistRow,
    WorklistSort,
    worklist_count,
    worklist_ids,
    worklist_rows,
)
from app.store.database import Store
from app.store.models import Hall, HallSetting, Role, Staff
from app.store.models.complaints import (
    Complaint,
    ComplaintEvent,
    ComplaintState,
)
from app.store.number_marks import COMPLAINTS, issuing, take_write_lock

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
        with (
            issuing(self._store.number_marks) as numbers,
            self._store.unit_of_work() as session,
        ):
            recorded = write_intake(session, actor, request, now, numbers)
            numbers.mark()  # last, just before the commit (see ``number_marks``)
        return recorded

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
            take_write_lock(session, COMPLAINTS, here.device_code)
            complaint = session.get(Complaint, complaint_id)
            if complaint is None:
                raise NotFound(N_("This complaint does not exist."))
            if fault_notice_id is not None:
                check_open_notice(session, fault_notice_id)
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
            return read_case(session, complaint, now)

    # -- reading -----------------------------------------------------------------------------

    def case(self, complaint_id: uuid.UUID) -> ComplaintCase:
        now = self._clock()
        with self._store.read() as session:
            complaint = session.get(Complaint, complaint_id)
            if complaint is None:
                raise NotFound(N_("This complaint does not exist."))
            return read_case(session, complaint, now)

    def acknowledgement(self, complaint_id: uuid.UUID) -> AckSlipData:
        """What the acknowledgement slip prints, in the current language, data masked."""
        case = self.case(complaint_id)
        with self._store.read() as session:
            hall = session.scalars(select(Hall).limit(1)).first()
            assert hall is not None
            return ack_slip_data(case, hall)

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
        note = check_promise(due_at, note, now)
        with self._store.unit_of_work() as session:
            return promise_callback(session, actor, complaint_id, due_at, note, now)

    def complete_callback(self, actor: Actor, callback_id: uuid.UUID, note: str = "") -> None:
        now = self._clock()
        note = check_text("note", note, required=False, maximum=MAX_CALLBACK_NOTE)
        with self._store.unit_of_work() as session:
            complete_callback(session, actor, callback_id, note, now)

    # -- the worklist (``app.services.complaints.worklist``) ------------------------------

    def worklist_ids(
        self, filter: WorklistFilter, sort: WorklistSort, limit: int | None = None
    ) -> list[str]:
        """Every matching complaint id (hex, as stored), in the SQL order (the first
        ``limit`` of them)."""
        with self._store.read() as session:
            return worklist_ids(session, filter, sort, limit)

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
            return customer_complaints(session, customer_id)

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
        """Complaints whose ``complaint_state`` differs from a replay of their events."""
        with self._store.read() as session:
            return projection_mismatches(session, limit)

    def counts_by_status(self) -> dict[str, int]:
        with self._store.read() as session:
            return {
                status: int(n)
                for status, n in session.execute(
                    select(ComplaintState.status, func.count()).group_by(ComplaintState.status)
                )
            }
