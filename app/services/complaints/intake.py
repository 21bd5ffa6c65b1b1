"""Intake (受理): a new complaint, its ``received`` event, its projection row and the
device's next complaint number, written in one unit of work.

The number comes from ``complaint_sequence`` in the same transaction (which also takes
SQLite's write lock first), so a device's complaint numbers have no gaps, like receipt
numbers; a refused intake writes nothing and uses no number. Like a receipt number it is
handed to the customer (on the acknowledgement slip), so it is never issued twice whatever
copy of the store the device runs on: it is the complaint series (``COMPLAINTS``) of
``app.store.number_marks``, with the receipts' mark, highs and centre floor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.complaint_flow import Event, EventKind, start
from app.domain.errors import NotFound, ValidationError
from app.domain.identity import validate_phone
from app.domain.ids import uuid7
from app.i18n import N_
from app.services.base import Actor, audit, this_desk
from app.services.complaints.records import ComplaintRequest, hall_clock, write_state
from app.store.models import Customer
from app.store.models.complaints import (
    Complaint,
    ComplaintEvent,
    FaultNotice,
    FaultNoticeClosure,
)
from app.store.number_marks import COMPLAINTS, Issuing


@dataclass(frozen=True, slots=True)
class RecordedComplaint:
    complaint_id: uuid.UUID
    number: str
    received_at: datetime
    due_at: datetime


def write_intake(
    session: Session, actor: Actor, request: ComplaintRequest, now: datetime, numbers: Issuing
) -> RecordedComplaint:
    """Write the complaint of a checked ``request`` (``records.check_request``), its number
    taken through ``numbers`` (the caller raises the mark just before its commit)."""
    here = this_desk(session)
    number = next_complaint_number(session, here.device_code, numbers)
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
        check_open_notice(session, request.fault_notice_id)
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
            fault_notice_id=str(request.fault_notice_id) if request.fault_notice_id else None,
        )
    )
    state = write_state(session, complaint, flow, hall_clock(session, here.timezone), now, 1)
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


def next_complaint_number(session: Session, device_code: str, numbers: Issuing) -> str:
    """The device's next complaint number, taken in the caller's transaction (gap-free):
    one more than the highest of its sequence, its highest complaint in this store and the
    mark beside the store (``number_marks.next_number``)."""
    return numbers.next(session, COMPLAINTS, device_code).text


def check_open_notice(session: Session, notice_id: uuid.UUID) -> None:
    """Refuse a link to a fault notice that does not exist or is closed."""
    if session.get(FaultNotice, notice_id) is None:
        raise NotFound(N_("This fault notice does not exist."))
    if session.get(FaultNoticeClosure, notice_id) is not None:
        raise ValidationError(
            "fault_notice", N_("This fault notice is closed; link an active one.")
        )
