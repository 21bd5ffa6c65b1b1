"""Cash sessions (shifts), cash counts and movements, handovers and the hall day.

Everything here is history and append-only (triggers in migration 0004 refuse UPDATE and
DELETE): a shift is opened by a ``cash_shift`` row and closed by a ``shift_close`` row that
points at it, so "open" is a projection (a shift without a close). A handover's content is a
``handover_revision``; a correction is a new revision (the old one stays, with its
signatures); a revision signed by the outgoing clerk, the incoming clerk and the shift
leader is locked. Rows created at the counter carry UUIDv7 ids, the device code, the staff
ids and their creation time, so sync can send them as they are.

Denomination counts are kept as JSON objects (``{"note_100": 3, "coin_1": 2}``): an
immutable snapshot of what was counted, read back through ``app.domain.cash``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.ids import uuid7
from app.store.models.core import Base, UTCDateTime, enum_check

__all__ = [
    "CashCount",
    "CashCountPurpose",
    "CashMovement",
    "CashMovementKind",
    "CashShift",
    "HallDayClose",
    "Handover",
    "HandoverRevision",
    "HandoverSignature",
    "OpeningCheck",
    "ShiftClose",
    "SignatureRole",
]


class CashCountPurpose(StrEnum):
    OPENING = "opening"
    CLOSING = "closing"


class CashMovementKind(StrEnum):
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"


class SignatureRole(StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    LEADER = "leader"


class CashShift(Base):
    """A clerk's cash session at a counter, as opened.

    ``expected_float_fen`` is the float the previous shift on this counter handed over
    (``previous_shift_id``); None when there was none. A difference between it and
    ``opening_float_fen`` needs ``float_reason``.
    """

    __tablename__ = "cash_shift"
    __table_args__ = (
        CheckConstraint("opening_float_fen >= 0", name="float_nonnegative"),
        Index("ix_cash_shift_counter_id_opened_at", "counter_id", "opened_at"),
        Index("ix_cash_shift_staff_id_opened_at", "staff_id", "opened_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    device_code: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opening_float_fen: Mapped[int] = mapped_column(Integer)
    expected_float_fen: Mapped[int | None] = mapped_column(Integer)
    float_reason: Mapped[str] = mapped_column(String(200), default="")
    previous_shift_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cash_shift.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShiftClose(Base):
    """The close of one shift: expected against counted cash, the float left, approvals.

    ``totals_json`` is the X/Z report's figures frozen at the close (per method takings,
    counts), so a printed Z report never changes. ``approved_by`` is the leader who allowed
    a difference over the hall's limit (in the drawer or on any counted method);
    ``unsynced_override_by`` the leader who let the shift close with unsynced payments.
    """

    __tablename__ = "shift_close"
    __table_args__ = (
        CheckConstraint("counted_cash_fen >= 0", name="counted_nonnegative"),
        CheckConstraint("float_left_fen >= 0", name="float_left_nonnegative"),
        CheckConstraint("float_left_fen <= counted_cash_fen", name="float_left_within_count"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cash_shift.id"), unique=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16))
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_cash_fen: Mapped[int] = mapped_column(Integer)
    counted_cash_fen: Mapped[int] = mapped_column(Integer)
    difference_fen: Mapped[int] = mapped_column(Integer)
    float_left_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200), default="")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    unsynced_override_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    totals_json: Mapped[str] = mapped_column(Text, default="{}")
    #: The non-cash methods as counted at the close (migration 0009): ``{"bank_card":
    #: {"expected_fen": …, "counted_fen": …, "difference_fen": …}, …}``. "{}" on a close
    #: recorded before the methods were counted.
    method_counts_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")


class CashCount(Base):
    """Notes and coins counted, by denomination, at the opening or the close of a shift."""

    __tablename__ = "cash_count"
    __table_args__ = (
        enum_check("purpose", CashCountPurpose),
        UniqueConstraint("shift_id", "purpose"),
        CheckConstraint("total_fen >= 0", name="total_nonnegative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cash_shift.id"))
    purpose: Mapped[str] = mapped_column(String(10))
    counts_json: Mapped[str] = mapped_column(Text)
    total_fen: Mapped[int] = mapped_column(Integer)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16))


class CashMovement(Base):
    """Cash put into (change from the safe) or taken out of (to the safe) a shift's drawer."""

    __tablename__ = "cash_movement"
    __table_args__ = (
        enum_check("kind", CashMovementKind),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cash_shift.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16))


class Handover(Base):
    """The handover of one closed shift (one per shift); its content lives in revisions."""

    __tablename__ = "handover"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cash_shift.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16))


class HandoverRevision(Base):
    """One version of a handover's content. ``pending_json`` is the pending list as
    collected when the revision was written; ``equipment_json`` the equipment and supplies
    lines; ``supersedes_id`` the revision it corrects, with ``correction_reason``."""

    __tablename__ = "handover_revision"
    __table_args__ = (UniqueConstraint("handover_id", "revision_no"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    handover_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("handover.id"))
    revision_no: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    pending_json: Mapped[str] = mapped_column(Text, default="[]")
    equipment_json: Mapped[str] = mapped_column(Text, default="[]")
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("handover_revision.id"))
    correction_reason: Mapped[str] = mapped_column(String(200), default="")


class HandoverSignature(Base):
    """One signature on one revision: outgoing clerk, incoming clerk, or leader."""

    __tablename__ = "handover_signature"
    __table_args__ = (
        enum_check("role", SignatureRole),
        UniqueConstraint("revision_id", "role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    revision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("handover_revision.id"))
    role: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_code: Mapped[str] = mapped_column(String(16))


class OpeningCheck(Base):
    """The shift leader's opening checks of one business day: who arrived when, which
    counters were cleaned, when the hall opened (``detail_json``), and the verdicts."""

    __tablename__ = "opening_check"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    all_passed: Mapped[bool] = mapped_column(Boolean)
    detail_json: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")


class HallDayClose(Base):
    """The hall's end-of-day close by the shift leader, with its summary frozen as JSON."""

    __tablename__ = "hall_day_close"
    __table_args__ = (UniqueConstraint("hall_id", "business_date"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    business_date: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16))
    summary_json: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")
