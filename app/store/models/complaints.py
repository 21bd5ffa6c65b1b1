"""Complaints, their event log, call-back promises and service-fault notices.

What happened is append-only (triggers in migration 0003 refuse UPDATE and DELETE): the
complaint as taken at intake, its events, call-back promises and their completion, fault
notices and their closure. Each of these rows has a UUIDv7 key, the time it was made, the
device code and the staff id, so it can travel to the centre as it is.

``complaint_state`` is the one mutable table: the projection of a complaint's events
(``app.domain.complaint_flow.project``) plus the answer deadline, written by
``ComplaintService`` in the transaction of each event, so the worklist filters and sorts
200,000 complaints in SQL. It can be rebuilt from the events at any time
(``ComplaintService.rebuild_state``) and never holds anything the events do not.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.complaint_flow import (
    Category,
    Channel,
    ContactWay,
    EventKind,
    Status,
    Urgency,
)
from app.domain.ids import uuid7
from app.store.models.core import Base, UTCDateTime, enum_check

__all__: list[str] = [
    "Complaint",
    "ComplaintCallback",
    "ComplaintCallbackDone",
    "ComplaintEvent",
    "ComplaintEventOrder",
    "ComplaintSequence",
    "ComplaintState",
    "FaultNotice",
    "FaultNoticeClosure",
]

#: ``complaint_state.due_rank`` of an answered complaint is this plus its deadline's epoch
#: seconds, so "by time left" puts every open complaint first, most urgent first.
ANSWERED_RANK_OFFSET = 10_000_000_000


class ComplaintSequence(Base):
    """The last complaint number issued by a device (gap-free, like receipt numbers)."""

    __tablename__ = "complaint_sequence"

    device_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(Base):
    """A complaint as it was taken at intake (immutable)."""

    __tablename__ = "complaint"
    __table_args__ = (
        enum_check("channel", Channel),
        enum_check("category", Category),
        enum_check("urgency", Urgency),
        enum_check("contact_way", ContactWay),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    #: Indexed, not unique: a PC restored with its number mark may repeat a number a
    #: customer already holds, and both complaints are kept (migration 0017).
    number: Mapped[str] = mapped_column(String(32), index=True)
    device_code: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    contact_way: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(20))
    subcategory: Mapped[str] = mapped_column(String(40), default="")
    service_number: Mapped[str] = mapped_column(String(30), default="")
    description: Mapped[str] = mapped_column(Text)
    request: Mapped[str] = mapped_column(String(500), default="")
    urgency: Mapped[str] = mapped_column(String(16))
    says_will_appeal: Mapped[bool] = mapped_column(default=False)


class ComplaintEvent(Base):
    """One step in a complaint's life (immutable), identified by its id alone.

    ``seq`` is the order at the device that wrote it (two PCs may both write a complaint's
    seq 3); the hall's order is the centre's (:class:`ComplaintEventOrder`), then events not
    yet ordered by the centre by ``seq`` and id."""

    __tablename__ = "complaint_event"
    __table_args__ = (
        Index("ix_complaint_event_complaint_id_seq", "complaint_id", "seq"),
        enum_check("kind", EventKind),
        Index("ix_complaint_event_at", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaint.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_code: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    category: Mapped[str | None] = mapped_column(String(20))
    subcategory: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(20))
    way: Mapped[str | None] = mapped_column(String(16))
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    fault_notice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("fault_notice.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class ComplaintEventOrder(Base):
    """The centre's order of a complaint event in its complaint's history (mastered by the
    centre, pulled). ``flagged``: the event was no longer a valid step given the events
    ordered before it; it is kept and shown, but its effect is not applied."""

    __tablename__ = "complaint_event_order"
    __table_args__ = (Index("ix_complaint_event_order_complaint_id", "complaint_id", "centre_seq"),)

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    centre_seq: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(40), default="")


class ComplaintState(Base):
    """The projection of a complaint's events (see the module docstring)."""

    __tablename__ = "complaint_state"
    __table_args__ = (
        enum_check("status", Status),
        Index("ix_complaint_state_archived_due_rank", "archived", "due_rank", "complaint_id"),
        Index("ix_complaint_state_status_due_rank", "status", "due_rank", "complaint_id"),
        Index("ix_complaint_state_category_due_rank", "category", "due_rank", "complaint_id"),
        Index("ix_complaint_state_department_due_rank", "department", "due_rank", "complaint_id"),
        Index("ix_complaint_state_staff_id_due_rank", "staff_id", "due_rank", "complaint_id"),
        Index("ix_complaint_state_due_rank", "due_rank", "complaint_id"),
        Index("ix_complaint_state_archived_received_at", "archived", "received_at", "complaint_id"),
        Index("ix_complaint_state_received_at", "received_at", "complaint_id"),
        Index("ix_complaint_state_customer_id", "customer_id"),
        Index("ix_complaint_state_statutory_due_at", "statutory_due_at"),
        Index("ix_complaint_state_fault_notice_id", "fault_notice_id"),
    )

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaint.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(20))
    subcategory: Mapped[str] = mapped_column(String(40), default="")
    department: Mapped[str | None] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_start: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_rank: Mapped[int] = mapped_column(Integer)
    #: 15 calendar days from ``clock_start``, pauses not counted (``statutory_due``).
    #: Written with every projection; NULL-able only because SQLite adds a column without
    #: rebuilding the table (migration 0011 fills every existing row).
    statutory_due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived: Mapped[bool] = mapped_column(default=False)
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    fault_notice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("fault_notice.id"))
    last_seq: Mapped[int] = mapped_column(Integer, default=1)


class ComplaintCallback(Base):
    """A promise to call the customer back by ``due_at`` (immutable)."""

    __tablename__ = "complaint_callback"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaint.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_code: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class ComplaintCallbackDone(Base):
    """A promised call-back made (once per promise)."""

    __tablename__ = "complaint_callback_done"

    callback_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaint_callback.id"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_code: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(String(500), default="")


class FaultNotice(Base):
    """A service-fault notice (故障公告) with the wording approved for customers."""

    __tablename__ = "fault_notice"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    level: Mapped[int] = mapped_column(Integer)
    services: Mapped[str] = mapped_column(String(200))
    areas: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_recovery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wording: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    device_code: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class FaultNoticeClosure(Base):
    """The end of a fault: service restored, the notice closed (once)."""

    __tablename__ = "fault_notice_closure"

    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fault_notice.id"), primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_code: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
