"""Etiquette checklist templates (versioned), inspections, corrective actions, simulations.

Everything here is history and travels to the centre as it is written, so each row created
at the counter has a UUIDv7 key, its creation time, the device that wrote it and the staff
ids involved. The migration's triggers keep it append-only:

* ``etiquette_template``: a version is never deleted, and never changed once an inspection
  used it; editing a template inserts the next version of its ``code``.
* ``etiquette_inspection`` (inspections, self-checks and weekly simulations alike),
  ``etiquette_answer``, ``etiquette_photo``, ``etiquette_signature``: written once, when the
  checklist is signed. A correction is a new inspection whose ``supersedes_id`` names the old
  one (each inspection is superseded at most once).
* ``corrective_action`` and ``corrective_action_event``: an action is opened by a failed
  item; its state (open, closed by a recheck, cancelled by a correction) is the projection of
  its events.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.etiquette_scoring import TemplateKind
from app.domain.ids import uuid7
from app.store.models.core import Base, UTCDateTime, enum_check

__all__ = [
    "TEMPLATE_ORDER",
    "ActionEventKind",
    "CorrectiveAction",
    "CorrectiveActionEvent",
    "EtiquetteAnswer",
    "EtiquetteInspection",
    "EtiquettePhoto",
    "EtiquetteSignature",
    "EtiquetteTemplate",
    "SignatureRole",
    "TemplateKind",
]


class SignatureRole(StrEnum):
    INSPECTOR = "inspector"
    SELF = "self"


class ActionEventKind(StrEnum):
    """What happened to a corrective action after it was opened."""

    RECHECK_PASSED = "recheck_passed"  # closes it
    RECHECK_FAILED = "recheck_failed"  # stays open
    CANCELLED = "cancelled"  # a correction of its inspection no longer fails the item


class EtiquetteTemplate(Base):
    """One version of a checklist template; ``definition`` is ``TemplateSpec.to_dict()``.

    ``(code, version)`` is not unique: two PCs that save version *n* before syncing each
    keep theirs, and both travel. The versions of a code are ordered by
    ``TEMPLATE_ORDER`` (version, then creation time, then id); the last is the current one.
    """

    __tablename__ = "etiquette_template"
    __table_args__ = (
        Index("ix_etiquette_template_code_version", "code", "version"),
        enum_check("kind", TemplateKind),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(48))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(String(200), default="")


#: The order of one code's versions, oldest first: the last is the current version (the
#: same on every PC, whatever order the rows arrived in).
TEMPLATE_ORDER: Final = (
    EtiquetteTemplate.version,
    EtiquetteTemplate.created_at,
    EtiquetteTemplate.id,
)


class EtiquetteInspection(Base):
    """A signed checklist: a leader's inspection of a clerk, a clerk's self-check, or a scored
    weekly simulation. Scores are those of ``app.domain.etiquette_scoring`` at signing, kept
    as tenths of a percent so reports can sort and average them in SQL."""

    __tablename__ = "etiquette_inspection"
    __table_args__ = (
        enum_check("kind", TemplateKind),
        Index("ix_etiquette_inspection_clerk_id_signed_at", "clerk_id", "signed_at"),
        Index("ix_etiquette_inspection_iso_week", "iso_week"),
        CheckConstraint(
            "score_tenths IS NULL OR score_tenths BETWEEN 0 AND 1000", name="score_range"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(16))
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("etiquette_template.id"))
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: The shift (``app.store.models.shifts``) it was done on; no foreign key yet.
    shift_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    business_date: Mapped[date] = mapped_column(Date)
    #: ISO week of the business date, ``2026-W47``.
    iso_week: Mapped[str] = mapped_column(String(8))
    score_tenths: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    critical_failed: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(String(500), default="")
    scenario: Mapped[str] = mapped_column(String(300), default="")
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("etiquette_inspection.id"), unique=True
    )
    correction_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16), default="")


class EtiquetteAnswer(Base):
    """The answer to one item: ``value`` is ``pass``, ``fail``, ``na`` or a scale number."""

    __tablename__ = "etiquette_answer"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_key"),
        Index("ix_etiquette_answer_item_key", "item_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("etiquette_inspection.id"))
    section_key: Mapped[str] = mapped_column(String(48))
    item_key: Mapped[str] = mapped_column(String(48))
    value: Mapped[str] = mapped_column(String(8))
    #: Denormalised from the scoring so reports count in SQL: counted = answered, not N/A.
    counted: Mapped[bool] = mapped_column(Boolean)
    failed: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EtiquettePhoto(Base):
    """A photo attached to one answer, kept in the database so it syncs with it."""

    __tablename__ = "etiquette_photo"
    __table_args__ = (
        CheckConstraint("size_bytes = length(data)", name="size_matches"),
        CheckConstraint("content_type IN ('image/png', 'image/jpeg')", name="content_type_valid"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    answer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("etiquette_answer.id"), index=True, unique=True
    )
    content_type: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EtiquetteSignature(Base):
    """Who signed, with which credential check, when, on which device."""

    __tablename__ = "etiquette_signature"
    __table_args__ = (
        UniqueConstraint("inspection_id", "role"),
        enum_check("role", SignatureRole),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("etiquette_inspection.id"))
    role: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: ``password``: the signer's staff number and password were checked for this signature.
    method: Mapped[str] = mapped_column(String(16), default="password")
    device_code: Mapped[str] = mapped_column(String(16), default="")


class CorrectiveAction(Base):
    """A failed item to be put right by ``owner_id`` by ``due_on``, rechecked at the next
    inspection of ``clerk_id``."""

    __tablename__ = "corrective_action"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_key"),
        Index("ix_corrective_action_clerk_id", "clerk_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("etiquette_inspection.id"))
    item_key: Mapped[str] = mapped_column(String(48))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16), default="")


class CorrectiveActionEvent(Base):
    """A recheck (or cancellation) of a corrective action by a later inspection."""

    __tablename__ = "corrective_action_event"
    __table_args__ = (enum_check("kind", ActionEventKind),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("corrective_action.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("etiquette_inspection.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16), default="")
