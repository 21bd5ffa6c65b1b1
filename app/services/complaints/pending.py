"""Pending items of complaints: due soon or overdue, call-backs, open fault notices."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.domain.identity import mask_name
from app.services.complaints.faults import ROMAN, notice_views
from app.services.pending import PendingItem, PendingKind, PendingQuery, register_provider
from app.store.models.complaints import (
    Complaint,
    ComplaintCallback,
    ComplaintCallbackDone,
    ComplaintState,
)


def pending_items(session: Session, query: PendingQuery) -> Sequence[PendingItem]:
    """Unanswered complaints due before ``query.until`` (overdue ones included), open
    call-back promises, and open fault notices (with the complaints linked to them).

    A complaint is listed by the earlier of the hall's deadline and the statutory date
    (15 days from receipt, pauses not counted) and is overdue once the statutory date
    passed, paused or not: the customer may appeal. A paused complaint is otherwise not
    overdue (its hall clock is stopped). ``staff_id`` narrows complaints and call-backs to
    the clerk who took the complaint.
    """
    items: list[PendingItem] = []
    due = (
        select(
            Complaint.number,
            Complaint.contact_name,
            ComplaintState.category,
            ComplaintState.due_at,
            ComplaintState.statutory_due_at,
            ComplaintState.paused_since,
        )
        .join(Complaint, Complaint.id == ComplaintState.complaint_id)
        .where(
            ComplaintState.archived.is_(False),
            ComplaintState.answered_at.is_(None),
            or_(
                ComplaintState.due_at < query.until,
                ComplaintState.statutory_due_at < query.until,
            ),
        )
        .order_by(ComplaintState.due_rank)
    )
    if query.staff_id is not None:
        due = due.where(ComplaintState.staff_id == query.staff_id)
    for number, name, category, due_at, statutory, paused_since in session.execute(due):
        items.append(
            PendingItem(
                kind=PendingKind.COMPLAINT_DUE,
                ref=number,
                summary=mask_name(name),
                due_at=min(due_at, statutory),
                overdue=statutory <= query.now or (paused_since is None and due_at <= query.now),
                tag=category,
            )
        )
    callbacks = (
        select(Complaint.number, Complaint.contact_name, ComplaintCallback.due_at)
        .join(Complaint, Complaint.id == ComplaintCallback.complaint_id)
        .outerjoin(ComplaintCallbackDone, ComplaintCallbackDone.callback_id == ComplaintCallback.id)
        .where(ComplaintCallbackDone.callback_id.is_(None))
        .order_by(ComplaintCallback.due_at)
    )
    if query.staff_id is not None:
        callbacks = callbacks.where(ComplaintCallback.staff_id == query.staff_id)
    for number, name, due_at in session.execute(callbacks):
        items.append(
            PendingItem(
                kind=PendingKind.CALLBACK,
                ref=number,
                summary=mask_name(name),
                due_at=due_at,
                overdue=due_at <= query.now,
            )
        )
    for notice in notice_views(session, active_only=True):
        items.append(
            PendingItem(
                kind=PendingKind.FAULT_NOTICE,
                ref=ROMAN.get(notice.level, str(notice.level)),
                summary=f"{notice.services} · {notice.areas}",
                due_at=notice.expected_recovery_at,
                overdue=notice.expected_recovery_at is not None
                and notice.expected_recovery_at <= query.now,
                count=notice.complaints,
            )
        )
    return items


register_provider(
    (PendingKind.COMPLAINT_DUE, PendingKind.CALLBACK, PendingKind.FAULT_NOTICE), pending_items
)
