"""Call-back promises (回访承诺): a clerk promises the customer a call by a time, and records
the call when it is made.

Both are append-only rows (``complaint_callback``, ``complaint_callback_done``) with the
device and the staff, written with an audit event in the caller's unit of work; an open
promise is pending at the handover (``app.services.complaints.pending``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from app.domain.errors import NotFound, ValidationError
from app.domain.ids import uuid7
from app.i18n import N_
from app.services.base import Actor, audit, this_desk
from app.services.complaints.records import check_text
from app.store.models.complaints import ComplaintCallback, ComplaintCallbackDone, ComplaintState

MAX_CALLBACK_DAYS: Final = 60
MAX_CALLBACK_NOTE: Final = 500


def check_promise(due_at: datetime, note: str, now: datetime) -> str:
    """Refuse a promise that is not in the future or more than 60 days ahead; the note
    cleaned."""
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
    return check_text("note", note, required=False, maximum=MAX_CALLBACK_NOTE)


def promise_callback(
    session: Session,
    actor: Actor,
    complaint_id: uuid.UUID,
    due_at: datetime,
    note: str,
    now: datetime,
) -> uuid.UUID:
    """Write the promise (checked by :func:`check_promise`) of an open complaint."""
    here = this_desk(session)
    state = session.get(ComplaintState, complaint_id)
    if state is None:
        raise NotFound(N_("This complaint does not exist."))
    if state.archived:
        raise ValidationError("due_at", N_("An archived complaint cannot get a call-back promise."))
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


def complete_callback(
    session: Session, actor: Actor, callback_id: uuid.UUID, note: str, now: datetime
) -> None:
    """Record that the promised call was made (once); ``note`` already cleaned."""
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
