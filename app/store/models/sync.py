"""The sync outbox, pull cursors, sync runs and flagged conflicts.

``sync_outbox`` holds one immutable operation per write of a syncable kind, appended in the
writer's own transaction (see ``app.store.sync_capture``); only its delivery columns (``state``,
``result``, ``note``, ``acked_at``) ever change (a refused operation a leader sends again
cleaned is *replaced* by a copy: ``SyncService.send_again``). ``sync_state`` is this PC's
single row: the centre's address, its device credential and the pull cursor. ``sync_conflict`` lists
what the centre flagged (odd payments, refused transitions) for a leader to work through.
``sync_stage`` holds a full re-download until it is swapped in in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.core import Base, UTCDateTime, enum_check

__all__ = [
    "CONFLICTS",
    "OUTBOX",
    "STATE",
    "OpResult",
    "OpState",
    "SyncConflict",
    "SyncOutbox",
    "SyncRun",
    "SyncStage",
    "SyncState",
]


class OpState(StrEnum):
    PENDING = "pending"
    ACKED = "acked"


class OpResult(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    FLAGGED = "flagged"
    #: Refused by the centre for its content: the operation stays pending but is parked
    #: (not sent) until a leader sends it again (see ``app.sync.service``).
    REJECTED = "rejected"
    #: Refused by the centre for a reason of its own: sent again at the next sync.
    RETRY = "retry"
    #: A refused operation (or one held back behind it) a leader sent again as a copy;
    #: the centre never stored it (``note``: the copy's id, on the refused one).
    REPLACED = "replaced"


class SyncOutbox(Base):
    __tablename__ = "sync_outbox"
    __table_args__ = (
        enum_check("state", OpState),
        Index("ix_sync_outbox_state_seq", "state", "seq"),
        Index("ix_sync_outbox_kind_key", "kind", "key"),
        Index("ix_sync_outbox_pay_day", "pay_device", "pay_day"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(10))
    payload: Mapped[str] = mapped_column(Text)
    payload_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default=OpState.PENDING.value)
    result: Mapped[str | None] = mapped_column(String(10), default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: For payments: the paying device and the UTC day, for the money sanity check.
    pay_device: Mapped[str | None] = mapped_column(String(16), default=None)
    pay_day: Mapped[date | None] = mapped_column(Date, default=None)


class SyncState(Base):
    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(300), default="")
    device_code: Mapped[str] = mapped_column(String(16), default="")
    credential: Mapped[str] = mapped_column(String(100), default="")
    hall_code: Mapped[str] = mapped_column(String(16), default="")
    #: The centre's cursor, JSON, stored as given (app.sync.cursor).
    pull_cursor: Mapped[str] = mapped_column(Text, default="{}")
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SyncConflict(Base):
    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_by: Mapped[int | None] = mapped_column(Integer, default=None)
    resolution: Mapped[str] = mapped_column(String(500), default="")


class SyncRun(Base):
    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    pulled: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(20), default="")
    message: Mapped[str] = mapped_column(Text, default="")


class SyncStage(Base):
    """Rows of a full re-download, kept here until swapped in."""

    __tablename__ = "sync_stage"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)


#: The tables, typed for Core statements.
OUTBOX: Table = SyncOutbox.__table__  # type: ignore[assignment]
CONFLICTS: Table = SyncConflict.__table__  # type: ignore[assignment]
STATE: Table = SyncState.__table__  # type: ignore[assignment]
