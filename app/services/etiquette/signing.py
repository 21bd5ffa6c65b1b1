"""Signing a checklist: what a form collects (a draft held by the caller until it is
signed), the checks of a correction and of a photo, and the answers written at signing.

A checklist is written once, when it is signed: the inspection, its answers, photos and
signature in one transaction. The tables are append-only: a mistake is put right by a
*correction*, a new inspection that names the one it supersedes (at most once).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import NotFound, ValidationError
from app.domain.etiquette_scoring import ChecklistScore, TemplateKind, TemplateSpec
from app.domain.text import clean_text
from app.i18n import N_
from app.store.models.etiquette import EtiquetteAnswer, EtiquetteInspection, EtiquettePhoto

#: A photo is evidence, not an archive: 2 MB keeps the store (and the sync) small.
MAX_PHOTO_BYTES: Final = 2 * 1024 * 1024
MAX_COMMENT: Final = 500
MAX_REASON: Final = 200
MAX_SCENARIO: Final = 300


def photo_content_type(data: bytes) -> str | None:
    """The content type told by the file's first bytes (never by its name): PNG or JPEG."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


@dataclass(frozen=True, slots=True)
class PhotoUpload:
    """Image bytes read from a file (a camera needs QtMultimedia, not in this build)."""

    file_name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class AnswerInput:
    value: str | None
    comment: str = ""
    photo: PhotoUpload | None = None


@dataclass(frozen=True, slots=True)
class ChecklistDraft:
    """What a form collected before signing. ``clerk_id`` is the person checked (for a
    self-check, the signer). ``supersedes_id`` with a ``correction_reason`` makes it a
    correction. Corrective actions get ``action_owner_id`` (default: the clerk) and are due
    on ``action_due_on`` (default: the hall's setting, in days from the business date)."""

    template_id: uuid.UUID
    clerk_id: int
    started_at: datetime
    answers: Mapping[str, AnswerInput]
    counter_id: int | None = None
    shift_id: uuid.UUID | None = None
    comment: str = ""
    scenario: str = ""
    supersedes_id: uuid.UUID | None = None
    correction_reason: str = ""
    action_owner_id: int | None = None
    action_due_on: date | None = None


@dataclass(frozen=True, slots=True)
class SignedChecklist:
    inspection_id: uuid.UUID
    score_tenths: int | None
    passed: bool
    critical_failed: bool
    opened_actions: tuple[uuid.UUID, ...]
    closed_actions: tuple[uuid.UUID, ...]
    still_open_actions: tuple[uuid.UUID, ...] = field(default=())


def check_photo(photo: PhotoUpload | None) -> tuple[str, str, bytes]:
    assert photo is not None
    if not photo.data:
        raise ValidationError("photo", N_("The photo file is empty."))
    if len(photo.data) > MAX_PHOTO_BYTES:
        raise ValidationError(
            "photo",
            N_("A photo can be at most {size} MB."),
            size=MAX_PHOTO_BYTES // (1024 * 1024),
        )
    content_type = photo_content_type(photo.data)
    if content_type is None:
        raise ValidationError("photo", N_("A photo must be a PNG or JPEG image."))
    name = clean_text(photo.file_name, field="photo", multiline=False)
    return content_type, name[-200:], photo.data


def check_correction(
    session: Session, draft: ChecklistDraft, kind: TemplateKind
) -> EtiquetteInspection | None:
    if draft.supersedes_id is None:
        return None
    original = session.get(EtiquetteInspection, draft.supersedes_id)
    if original is None:
        raise NotFound(N_("The inspection to correct does not exist."))
    if original.kind != kind.value:
        raise ValidationError("supersedes", N_("A correction keeps the kind of checklist."))
    if original.clerk_id != draft.clerk_id or original.template_id != draft.template_id:
        raise ValidationError(
            "supersedes",
            N_("A correction is about the same clerk, on the same checklist version."),
        )
    superseded = session.scalars(
        select(EtiquetteInspection.id).where(EtiquetteInspection.supersedes_id == original.id)
    ).first()
    if superseded is not None:
        raise ValidationError(
            "supersedes", N_("This inspection was already corrected; correct the correction.")
        )
    return original


def write_answers(
    session: Session,
    spec: TemplateSpec,
    inspection: EtiquetteInspection,
    result: ChecklistScore,
    values: Mapping[str, str | None],
    comments: Mapping[str, str],
    photos: Mapping[str, tuple[str, str, bytes]],
    now: datetime,
) -> None:
    for section in spec.sections:
        for item in section.items:
            value = values.get(item.key)
            comment = comments.get(item.key, "")
            photo = photos.get(item.key)
            if value is None and not comment and photo is None:
                continue
            scored = result.item(item.key)
            answer = EtiquetteAnswer(
                inspection_id=inspection.id,
                section_key=section.key,
                item_key=item.key,
                value=value or "",
                counted=scored.counts,
                failed=scored.failed,
                comment=comment,
                created_at=now,
            )
            session.add(answer)
            if photo is not None:
                session.flush()
                content_type, name, data = photo
                session.add(
                    EtiquettePhoto(
                        answer_id=answer.id,
                        content_type=content_type,
                        file_name=name,
                        size_bytes=len(data),
                        data=data,
                        created_at=now,
                    )
                )
