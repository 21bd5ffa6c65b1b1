"""The hall's own administration records: password history, who may work which counter,
and which PC sits at which counter.

Staff, counters and the hall itself are written at the hall (any of its PCs, offline) and
shared with the hall's other PCs through the centre (``app.sync.registry``). The integer
ids of staff and counters are derived from their codes (``app.domain.ids.hall_record_id``)
so two PCs never hand out one id for two records.

``staff_password`` is append-only (triggers of migration 0013): each password a member of
staff had, as its scrypt hash, for the rule "not one of the last few"; the current one is
also on the ``staff`` row (``password_hash``), which is what the login checks.
``staff_counter`` lists the counters a member of staff may open a shift at (none listed:
any counter). ``hall_pc`` names the counter each PC of the hall sits at, keyed by the PC's
device code (``pc_code``: not ``device_code``, which the centre reads as "the PC that
wrote this row").
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.ids import uuid7
from app.store.models.core import Base, UTCDateTime

__all__ = ["HallPc", "StaffCounter", "StaffPassword"]


class StaffPassword(Base):
    """One password a member of staff had (its hash): append-only history."""

    __tablename__ = "staff_password"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Who set it: the person themself, or the administrator who reset it.
    set_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: A one-time password an administrator gave: it must be changed at the next login.
    one_time: Mapped[bool] = mapped_column(default=False)


class StaffCounter(Base):
    """A counter (台席) a member of staff may open a shift at."""

    __tablename__ = "staff_counter"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)


class HallPc(Base):
    """A PC of the hall and the counter it sits at (None: not at a counter)."""

    __tablename__ = "hall_pc"

    pc_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
