"""A complaint as its case view shows it, and a customer's complaints for the lookup panel.

Read only. The case is the append-only events replayed with the centre's flags (steps that
were not applied are kept and shown), on the hall's clock: the deadline beside the
statutory date, the appeal risks, the call-backs and the steps allowed now. Personal data
is masked: the full contact number comes from ``ComplaintService.contact_phone`` only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.complaint_clock import AppealRisk, ClockReading, DayCount, appeal_window_end
from app.domain.complaint_flow import ComplaintState as FlowState
from app.domain.complaint_flow import EventKind, allowed
from app.domain.identity import mask_phone
from app.services.base import this_desk
from app.services.complaints.records import (
    centre_flags,
    clock_input,
    hall_clock,
    load_events,
    replay_rows,
    risks_of,
)
from app.services.complaints.worklist import customer_name, staff_numbers
from app.store.models import Customer
from app.store.models.complaints import (
    Complaint,
    ComplaintCallback,
    ComplaintCallbackDone,
    ComplaintState,
)


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


def read_case(session: Session, complaint: Complaint, now: datetime) -> ComplaintCase:
    """The case of ``complaint`` as it stands at ``now``, on the hall's clock."""
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


def customer_complaints(session: Session, customer_id: int) -> list[CustomerComplaintRow]:
    """The customer's complaints, newest first (for the customer panel)."""
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
