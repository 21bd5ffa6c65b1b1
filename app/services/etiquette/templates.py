"""Checklist templates: the shipped defaults and the versions kept in the store.

Templates are versioned data. The shipped defaults (``resources/checklists/*.json``, each
with its shipped ``version``, 1 when absent) are copied into the store the first time any
checklist is asked for, under a key derived from code, version and content
(:func:`shipped_template_id`), so every PC of a hall writes the same row. Editing inserts
the next version; an inspection points at the exact version it was answered on.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import paths
from app.domain.etiquette_scoring import TemplateKind, TemplateSpec
from app.domain.text import refuse_bad_characters
from app.store.models.etiquette import TEMPLATE_ORDER, EtiquetteTemplate

_SHIPPED_NAMESPACE: Final = uuid.UUID("0b9f3c52-6a3e-4c1e-9a57-2f1d3c8e5a10")
SHIPPED_NOTE: Final = "shipped default"


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: uuid.UUID
    code: str
    version: int
    kind: TemplateKind
    spec: TemplateSpec
    created_at: datetime
    created_by: int | None
    note: str


@dataclass(frozen=True, slots=True)
class ShippedTemplate:
    """A default checklist as bundled: its definition, shipped version and note."""

    spec: TemplateSpec
    version: int = 1
    note: str = SHIPPED_NOTE


def shipped_versions() -> list[ShippedTemplate]:
    """The default templates bundled in ``resources/checklists``, in file-name order."""
    folder = paths.resource("checklists")
    shipped = []
    for path in sorted(folder.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        version = int(data.get("version", 1))
        note = str(data.get("version_note", SHIPPED_NOTE)) if version > 1 else SHIPPED_NOTE
        shipped.append(ShippedTemplate(TemplateSpec.from_dict(data), version, note))
    return shipped


def shipped_templates() -> list[TemplateSpec]:
    """The definitions of the bundled defaults, in file-name order."""
    return [s.spec for s in shipped_versions()]


def shipped_template_id(spec: TemplateSpec, version: int = 1) -> uuid.UUID:
    """The key of a shipped default's version: derived from its content, so every PC of a
    hall that copies the same default writes the same row (and sync sees one template)."""
    return uuid.uuid5(_SHIPPED_NAMESPACE, f"{spec.code}:{version}:{dump_spec(spec)}")


def spec_of(row: EtiquetteTemplate) -> TemplateSpec:
    """The definition a stored version holds."""
    return TemplateSpec.from_dict(json.loads(row.definition))


def template_info(row: EtiquetteTemplate) -> TemplateInfo:
    return TemplateInfo(
        id=row.id,
        code=row.code,
        version=row.version,
        kind=TemplateKind(row.kind),
        spec=spec_of(row),
        created_at=row.created_at,
        created_by=row.created_by,
        note=row.note,
    )


def dump_spec(spec: TemplateSpec) -> str:
    """The stored JSON of a definition (keys sorted: equal definitions, equal text)."""
    return json.dumps(spec.to_dict(), ensure_ascii=False, sort_keys=True)


def check_template_texts(spec: TemplateSpec) -> None:
    """Every text of a template is one line free of control and broken characters."""
    texts = [spec.title, *spec.scenarios]
    for section in spec.sections:
        texts.append(section.title)
        texts.extend(item.text for item in section.items)
    for text in texts:
        for value in (text.zh, text.en):
            refuse_bad_characters(value, field="template", multiline=False)


def item_texts(session: Session) -> dict[str, str]:
    """Each item key's text in the interface language, from the newest version having it."""
    from app.i18n import current_language

    language = current_language()
    texts: dict[str, str] = {}
    for row in session.scalars(
        select(EtiquetteTemplate).order_by(*(c.desc() for c in TEMPLATE_ORDER))
    ):
        for item in spec_of(row).items:
            texts.setdefault(item.key, item.text.pick(language))
    return texts
