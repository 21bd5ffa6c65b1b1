"""What an operation must be for the centre to store it and the hall's other PCs to apply it.

The centre checks every pushed operation on its own before it applies a batch
(:func:`payload_problem`): a value that PostgreSQL cannot hold (a NUL character pasted from
the clipboard, a lone surrogate, a number beyond 64 bits) or that does not fit its column
(``amount_fen: "abc"``, ``paid_at: 2026-02-30``) refuses that operation *alone*, with a
reason the PC shows, while the rest of the batch is applied (issue 13, item 3). The PC
uses :func:`references` to hold back the operations that depend on a refused one (a
complaint's events behind the complaint), so no other PC ever receives a child row without
its parent, and :func:`clean_text` for a leader's "send again without the characters".
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.types import TypeDecorator

from app.store import sync_registry
from app.store.sync_registry import Direction, Kind

#: Integers the centre (bigint) and SQLite (64-bit) both hold.
INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**63 - 1

#: Characters PostgreSQL's ``jsonb`` and ``text`` refuse: NUL and UTF-16 surrogates (which
#: only a damaged string holds in Python).
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
#: An ISO 8601 date-time as the PCs write it (``sync_registry.encode_value``): both Python and
#: PostgreSQL read it the same way.
_ISO_DATETIME: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:\d{2})?"
)
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _impl(col_type: Any) -> Any:
    return col_type.impl if isinstance(col_type, TypeDecorator) else col_type


def unstorable_text(value: str) -> bool:
    return _UNSTORABLE.search(value) is not None


def clean_text(value: Any) -> Any:
    """``value`` (any JSON value) without the characters the centre cannot store."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): clean_text(v) for k, v in value.items()}
    return value


def json_problem(payload: Any) -> tuple[str, str] | None:
    """Anything in a JSON value that PostgreSQL cannot store, as (reason, field): the first
    in document order, a dict's key reported at the dict's own path. The path is built
    only for the value found (a push checks tens of thousands of payloads)."""
    found = _problem(payload)
    if found is None:
        return None
    reason, parts = found
    path = ""
    for part in reversed(parts):
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else part)
    return reason, path


def _problem(value: Any) -> tuple[str, list[str | int]] | None:
    """``json_problem`` with the path as its parts, innermost first."""
    if isinstance(value, str):
        return ("bad_text", []) if _UNSTORABLE.search(value) is not None else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if INT_MIN <= value <= INT_MAX else ("bad_payload", [])
    if isinstance(value, float):
        return None if math.isfinite(value) else ("bad_payload", [])
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                if _UNSTORABLE.search(key) is not None:
                    return "bad_text", []
            elif (bad_key := _problem(key)) is not None:
                return bad_key[0], []
            found = _problem(item)
            if found is not None:
                found[1].append(str(key))
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _problem(item)
            if found is not None:
                found[1].append(index)
                return found
    return None


def _fits(col_type: Any, value: Any) -> bool:
    """Does a JSON value fit a column (as ``sync_registry.decode_row`` will read it)?"""
    impl = _impl(col_type)
    if isinstance(impl, Boolean):
        return isinstance(value, bool) or value in (0, 1)
    if isinstance(impl, Integer):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(impl, Uuid) or isinstance(col_type, Uuid):
        if not isinstance(value, str):
            return False
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True
    if isinstance(impl, DateTime):
        if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
            return False
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return False
        return True
    if isinstance(impl, Date):
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if isinstance(impl, LargeBinary):
        return isinstance(value, str)
    if isinstance(impl, String | Text):
        return isinstance(value, str)
    return True


def payload_problem(kind: Kind, payload: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why the centre cannot store this payload of ``kind`` as it is — ``(reason, field)``
    with reason ``bad_text`` or ``bad_payload`` — or None when it can."""
    found = json_problem(dict(payload))
    if found is not None:
        return found
    for column in kind.table.columns:
        if column.name not in payload:
            continue
        value = payload[column.name]
        if value is None:
            if not column.nullable:
                return "bad_payload", column.name
            continue
        if not _fits(column.type, value):
            return "bad_payload", column.name
    return None


def references(kind: Kind, payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The hall-written rows this row points at, as (kind, key): the rows that must reach
    the centre (and the other PCs) before it."""
    out: list[tuple[str, str]] = []
    for fk in kind.table.foreign_key_constraints:
        parent = sync_registry.get(fk.referred_table.name)
        if parent is None or parent.direction != Direction.HALL:
            continue
        by_parent = {e.column.name: e.parent.name for e in fk.elements}
        if set(by_parent) != set(parent.pk):
            continue
        values = {p: payload.get(c) for p, c in by_parent.items()}
        if any(v is None for v in values.values()):
            continue
        out.append((parent.name, sync_registry.key_of(parent, values)))
    return out
