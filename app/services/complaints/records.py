"""What the complaint services share: the request types and their validation, the desk
(device, hall time zone), the clock of the hall, and the projection written per event.

No Qt, no screens: the service modules (``complaints``, ``complaints_faults``,
``complaints_reports``, ``complaints_pending``) build on these helpers.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.domain import text as text_rules
from app.domain.complaint_clock import (
    DAY_COUNT_SETTING,
    AppealRisk,
    ClockInput,
    ClockReading,
    ComplaintClock,
    DayCount,
    appeal_risks,
    parse_day_count,
)
from app.domain.complaint_flow import (
    SUBCATEGORIES,
    Category,
    Channel,
    ContactWay,
    Event,
    EventKind,
    Satisfaction,
    Status,
    Urgency,
    replay,
)
from app.domain.complaint_flow import (
    ComplaintState as FlowState,
)
from app.domain.errors import ValidationError
from app.domain.identity import validate_phone
from app.i18n import N_
from app.services.base import this_desk
from app.store.models import HallSetting
from app.store.models.complaints import (
    ANSWERED_RANK_OFFSET,
    Complaint,
    ComplaintEvent,
    ComplaintEventOrder,
    ComplaintState,
)
from app.store.number_marks import COMPLAINTS

MAX_NAME: Final = 50
MAX_SERVICE_NUMBER: Final = 30
MIN_DESCRIPTION: Final = 5
MAX_DESCRIPTION: Final = 1000
MAX_REQUEST: Final = 500
MAX_NOTE: Final = 1000


def complaint_number(device_code: str, n: int) -> str:
    """The ``n``-th complaint taken at a device: ``PC01-TS000042``."""
    return COMPLAINTS.format(device_code, n)


@dataclass(frozen=True, slots=True)
class ComplaintRequest:
    """What the intake form collects. ``customer_id`` None is a walk-in (name and contact
    only). ``fault_notice_id`` links the complaint to an active fault notice."""

    channel: str
    category: str
    description: str
    contact_phone: str
    contact_name: str = ""
    contact_way: str = ContactWay.PHONE.value
    subcategory: str = ""
    request: str = ""
    urgency: str = Urgency.NORMAL.value
    customer_id: int | None = None
    service_number: str = ""
    says_will_appeal: bool = False
    fault_notice_id: uuid.UUID | None = None


def _enum(field: str, value: str, enum: type[Category] | type[Channel] | type[Urgency]) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise ValidationError(field, N_("Choose a value from the list.")) from None


def check_text(
    field: str,
    value: str,
    *,
    required: bool,
    maximum: int,
    minimum: int = 1,
    multiline: bool = True,
) -> str:
    """Clean text within the limits (``app.domain.text.check_text``: no control characters
    but newline and tab, no broken characters), or a ``ValidationError`` naming the rule."""
    return text_rules.check_text(
        value,
        field=field,
        required=required,
        maximum=maximum,
        minimum=minimum,
        multiline=multiline,
    )


def check_request(request: ComplaintRequest) -> ComplaintRequest:
    """The request normalised (stripped texts, digits-only phone), or the first refusal."""
    if not request.category:
        raise ValidationError("category", N_("Choose the category of the complaint."))
    category = _enum("category", request.category, Category)
    subcategory = request.subcategory or ""
    if subcategory and subcategory not in SUBCATEGORIES[Category(category)]:
        raise ValidationError(
            "subcategory", N_("This sub-category does not belong to the category chosen.")
        )
    channel = _enum("channel", request.channel, Channel)
    urgency = _enum("urgency", request.urgency, Urgency)
    try:
        contact_way = ContactWay(request.contact_way).value
    except ValueError:
        raise ValidationError("contact_way", N_("Choose a value from the list.")) from None
    description = check_text(
        "description",
        request.description,
        required=True,
        maximum=MAX_DESCRIPTION,
        minimum=MIN_DESCRIPTION,
    )
    wish = check_text("request", request.request, required=False, maximum=MAX_REQUEST)
    name = check_text(
        "contact_name", request.contact_name, required=False, maximum=MAX_NAME, multiline=False
    )
    if request.customer_id is None and not name:
        raise ValidationError("contact_name", N_("A walk-in complaint needs the customer's name."))
    if (request.contact_phone or "").strip():
        phone = validate_phone(request.contact_phone, field="contact_phone")
    elif request.customer_id is None:
        raise ValidationError("contact_phone", N_("Enter a phone number to contact the customer."))
    else:
        phone = ""  # the customer record's number, checked at intake
    service = check_text(
        "service_number",
        request.service_number,
        required=False,
        maximum=MAX_SERVICE_NUMBER,
        multiline=False,
    )
    return replace(
        request,
        category=category,
        subcategory=subcategory,
        channel=channel,
        urgency=urgency,
        contact_way=contact_way,
        description=description,
        request=wish,
        contact_name=name,
        contact_phone=phone,
        service_number=service,
    )


# --- the desk and the clock ------------------------------------------------------------------


def day_count(session: Session) -> DayCount:
    row = session.get(HallSetting, DAY_COUNT_SETTING)
    return parse_day_count(row.value if row else None)


def hall_clock(session: Session, timezone: str | None = None) -> ComplaintClock:
    return ComplaintClock(timezone or this_desk(session).timezone, day_count(session))


def clock_input(state: FlowState) -> ClockInput:
    return ClockInput(state.clock_start, state.pauses, state.paused_since, state.answered_at)


def risks_of(
    reading: ClockReading, state: FlowState, says_will_appeal: bool
) -> tuple[AppealRisk, ...]:
    """The appeal-risk flags of a complaint, the same on the case and in the worklist:
    unanswered past the statutory date, the customer's latest feedback unsatisfied (a
    reopening does not clear it), or the customer said so at intake."""
    return appeal_risks(
        overdue=reading.appeal_open,
        unsatisfied=state.satisfaction == Satisfaction.UNSATISFIED,
        says_will_appeal=says_will_appeal,
    )


# --- events and the projection ------------------------------------------------------------


def flow_event(row: ComplaintEvent) -> Event:
    return Event(
        kind=EventKind(row.kind),
        at=row.at,
        department=row.department,
        category=row.category,
        subcategory=row.subcategory,
        satisfaction=row.satisfaction,
        fault_notice_id=str(row.fault_notice_id) if row.fault_notice_id else None,
    )


def _in_order(query: Select[ComplaintEvent]) -> Select[ComplaintEvent]:
    """A complaint's events in the hall's order: the centre's order first, then the events
    the centre has not ordered yet (local unsent ones) by their device's ``seq`` and id."""
    return query.outerjoin(
        ComplaintEventOrder, ComplaintEventOrder.event_id == ComplaintEvent.id
    ).order_by(
        ComplaintEventOrder.centre_seq.is_(None),
        ComplaintEventOrder.centre_seq,
        ComplaintEvent.seq,
        ComplaintEvent.id,
    )


def load_events(session: Session, complaint_id: uuid.UUID) -> list[ComplaintEvent]:
    return list(
        session.scalars(
            _in_order(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id))
        )
    )


def centre_flags(session: Session, complaint_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Events the centre flagged (no longer a valid step when it ordered them): id → reason."""
    found: dict[uuid.UUID, str] = {}
    for start in range(0, len(complaint_ids), 500):
        part = list(complaint_ids[start : start + 500])
        for event_id, reason in session.execute(
            select(ComplaintEventOrder.event_id, ComplaintEventOrder.reason).where(
                ComplaintEventOrder.complaint_id.in_(part),
                ComplaintEventOrder.flagged.is_(True),
            )
        ):
            found[event_id] = reason or "invalid_transition"
    return found


def replay_rows(
    rows: Sequence[ComplaintEvent], flagged: Collection[uuid.UUID] = ()
) -> tuple[FlowState, frozenset[uuid.UUID]]:
    """The projection of events in the hall's order and the ids of those not applied: the
    ones the centre flagged and any other that is no longer a valid step (an unsent local
    step crossed by another PC's; the centre will flag it when it arrives)."""
    skip = [i for i, r in enumerate(rows) if r.id in flagged]
    flow, refused = replay([flow_event(r) for r in rows], skip)
    return flow, frozenset(rows[i].id for i in (*skip, *refused))


def project_rows(rows: Sequence[ComplaintEvent], flagged: Collection[uuid.UUID] = ()) -> FlowState:
    return replay_rows(rows, flagged)[0]


def rebuild_states(session: Session, complaint_ids: Collection[uuid.UUID]) -> int:
    """Rewrite ``complaint_state`` of these complaints from all their events in the hall's
    order (after a pull brought events of other PCs or the centre's order); flagged events
    are left out of the state. Complaints without their header or events yet are skipped."""
    ids = sorted(set(complaint_ids))
    if not ids:
        return 0
    clock = hall_clock(session)
    events = events_by_complaint(session, ids)
    flags = centre_flags(session, ids)
    done = 0
    for cid in ids:
        rows = events[cid]
        complaint = session.get(Complaint, cid)
        if complaint is None or not rows:
            continue
        try:
            flow = project_rows(rows, flags)
        except ValueError:  # the 'received' event has not arrived yet
            continue
        write_state(session, complaint, flow, clock, rows[-1].at, rows[-1].seq)
        done += 1
    return done


def due_rank(due_at: datetime, answered: bool) -> int:
    seconds = int(due_at.timestamp())
    return seconds + ANSWERED_RANK_OFFSET if answered else seconds


def state_values(
    flow: FlowState, clock: ComplaintClock, at: datetime, last_seq: int
) -> dict[str, object]:
    """The ``complaint_state`` columns for the projection ``flow`` as of ``at``."""
    due = clock.deadline(clock_input(flow), flow.answered_at or at).due_at
    return {
        "status": flow.status.value,
        "category": flow.category or Category.OTHER.value,
        "subcategory": flow.subcategory or "",
        "department": flow.department,
        "clock_start": flow.clock_start,
        "paused_since": flow.paused_since,
        "due_at": due,
        "due_rank": due_rank(due, flow.answered_at is not None),
        "statutory_due_at": clock.statutory_due(flow.clock_start),
        "answered_at": flow.answered_at,
        "archived": flow.status is Status.ARCHIVED,
        "satisfaction": flow.satisfaction,
        "fault_notice_id": uuid.UUID(flow.fault_notice_id) if flow.fault_notice_id else None,
        "last_seq": last_seq,
    }


def write_state(
    session: Session,
    complaint: Complaint,
    flow: FlowState,
    clock: ComplaintClock,
    at: datetime,
    last_seq: int,
) -> ComplaintState:
    values = state_values(flow, clock, at, last_seq)
    row = session.get(ComplaintState, complaint.id)
    if row is None:
        row = ComplaintState(
            complaint_id=complaint.id,
            staff_id=complaint.staff_id,
            customer_id=complaint.customer_id,
            received_at=complaint.received_at,
            **values,
        )
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return row


def events_by_complaint(
    session: Session, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ComplaintEvent]]:
    found: dict[uuid.UUID, list[ComplaintEvent]] = {i: [] for i in ids}
    if not ids:
        return found
    for start in range(0, len(ids), 500):
        part = list(ids[start : start + 500])
        for row in session.scalars(
            _in_order(select(ComplaintEvent).where(ComplaintEvent.complaint_id.in_(part)))
        ):
            found[row.complaint_id].append(row)
    return found


def projection_mismatches(session: Session, limit: int | None = None) -> list[uuid.UUID]:
    """Complaints whose ``complaint_state`` differs from a replay of their events (the
    deadline of an open complaint under the hall's current day count)."""
    wrong: list[uuid.UUID] = []
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
