"""Which tables sync, in which direction, and how a row travels as JSON.

A *kind* is a table of the local store. Kinds mastered by the centre (customers, bills,
…) only travel down; kinds written at the hall (payments, arrears actions, audit events,
staff, counters, …) travel up through the outbox and come down again to the other PCs of
the hall.
Registering a new kind is one line in :func:`_builtin` (or a call to :func:`register` from
the area's module)::

    register(ComplaintEvent, Direction.HALL, immutable=True)

A row is sent as a JSON object of its columns: UUIDs as strings, times as ISO 8601 UTC,
dates as ISO dates, money as integer fen. Its key is its primary key, ``|``-joined.
"""

from __future__ import annotations

import ast
import base64
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Boolean, Date, DateTime, LargeBinary, Table, Uuid
from sqlalchemy.types import TypeDecorator

from app.store.models import Base

#: Version of the JSON shape of a row; the centre accepts every version it knows.
PAYLOAD_VERSION: Final = 1


class Direction(StrEnum):
    CENTRE = "centre"  # mastered by the centre: pulled only
    HALL = "hall"  # written at the counter: pushed, and pulled by the hall's other PCs


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    table: Table
    direction: Direction
    #: Append-only: a pulled copy never updates an existing row (triggers refuse UPDATE).
    immutable: bool
    #: Position in foreign-key order (parents first).
    order: int
    #: Columns that belong to this PC (a staff member's failed logins and lock-out): never
    #: stored at the centre, and a pulled row never overwrites them.
    local: frozenset[str] = frozenset()
    #: Which rows travel, if not all (``hall_setting``: the hall-wide rules, not this PC's
    #: receipt secret or centre credentials). Rows it refuses are neither sent nor applied.
    rows: Callable[[Mapping[str, Any]], bool] | None = None

    def travels(self, row: Mapping[str, Any]) -> bool:
        return self.rows is None or self.rows(row)

    @property
    def pk(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.table.primary_key.columns)


_KINDS: dict[str, Kind] = {}
#: Set once the built-in kinds are registered: until then ``kinds()`` builds them (once,
#: under the lock). Readers never see a half-filled table: the check is on this flag, not
#: on ``_KINDS`` being non-empty (a thread that found the first kinds already registered
#: used to read the table while another thread was still filling it — issue 13, item 1).
_READY = threading.Event()
_LOCK = threading.RLock()


def register(
    model: Any,
    direction: Direction,
    *,
    immutable: bool = False,
    local: Iterable[str] = (),
    rows: Callable[[Mapping[str, Any]], bool] | None = None,
) -> Kind:
    """Make a model's table a syncable kind (idempotent)."""
    table: Table = model.__table__ if hasattr(model, "__table__") else model
    order = [t.name for t in Base.metadata.sorted_tables].index(table.name)
    local_columns = frozenset(local)
    unknown = local_columns - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
    kind = Kind(table.name, table, direction, immutable, order, local_columns, rows)
    with _LOCK:
        _KINDS[table.name] = kind
    return kind


def kinds() -> dict[str, Kind]:
    """Every registered kind; the built-in ones are registered on the first call (the
    centre calls :func:`build` before it serves, so no request ever pays for it)."""
    if not _READY.is_set():
        build()
    return _KINDS


def build() -> None:
    """Register the built-in kinds, once, thread-safely; afterwards every reader sees the
    whole table."""
    with _LOCK:
        if not _READY.is_set():
            _builtin()
            _READY.set()


#: ``hall_setting`` keys that are the hall's rules, shared by all its PCs.
HALL_WIDE_SETTING_PREFIXES: Final = ("hall.", "shift.", "complaints.", "etiquette.")


def is_hall_wide_setting(row: Mapping[str, Any]) -> bool:
    return str(row.get("key", "")).startswith(HALL_WIDE_SETTING_PREFIXES)


def get(name: str) -> Kind | None:
    return kinds().get(name)


def without_local(kind: Kind, row: Mapping[str, Any]) -> dict[str, Any]:
    """The row without the columns that belong to the PC (see ``Kind.local``)."""
    return {n: v for n, v in row.items() if n not in kind.local}


def ordered(direction: Direction | None = None) -> list[Kind]:
    found = [k for k in kinds().values() if direction is None or k.direction == direction]
    return sorted(found, key=lambda k: k.order)


def _builtin() -> None:
    from app.store.models import (
        Account,
        ArrearsAction,
        ArrearsPolicyVersion,
        AuditEvent,
        Bill,
        Counter,
        Customer,
        DisputeFreeze,
        GridUnit,
        Hall,
        HallSetting,
        IdentityCheck,
        Payment,
        PaymentAllocation,
        PenaltyAccrual,
        PenaltyWaiver,
        ReceiptPrint,
        RestoreRequest,
        Service,
        SmsBatch,
        SmsMessage,
        Staff,
    )
    from app.store.models.admin import HallPc, StaffCounter, StaffPassword

    c, h = Direction.CENTRE, Direction.HALL
    for model in (GridUnit, Customer, Account, Service, Bill):
        register(model, c)
    # The hall masters its own details, counters and staff (issue 16): an administrator
    # edits them at any PC, offline too; the last change pushed wins. Staff and counter ids
    # are derived from their codes, so PCs never clash (``app.domain.ids.hall_record_id``).
    register(Hall, h)
    register(Counter, h)
    # A lock-out after failed logins protects this PC: never sent, and a pull must not
    # lift it. The password hash travels (never a plain password).
    register(Staff, h, local=("failed_logins", "locked_until"))
    register(StaffPassword, h, immutable=True)
    register(StaffCounter, h)  # a counter taken away is a delete
    register(HallPc, h)
    register(ArrearsPolicyVersion, c)
    register(Payment, h, immutable=True)
    register(PaymentAllocation, h, immutable=True)
    register(ReceiptPrint, h, immutable=True)
    register(ArrearsAction, h, immutable=True)
    register(DisputeFreeze, h, immutable=True)
    register(PenaltyWaiver, h, immutable=True)
    register(PenaltyAccrual, h, immutable=True)
    register(IdentityCheck, h, immutable=True)
    register(AuditEvent, h, immutable=True)
    register(SmsBatch, h)
    register(SmsMessage, h)  # batch_id is set when exported
    register(RestoreRequest, h)  # done_at / done_by are set when done
    # The hall's rules (day count, cash limits, blind count, opening time, …): the last
    # change pushed wins. This PC's own keys (receipt secret, centre URL and enrolment code,
    # sync interval) stay here.
    register(HallSetting, h, rows=is_hall_wide_setting)
    _register_other_areas()


def _register_other_areas() -> None:
    """Kinds of the complaints, shifts and etiquette areas, as far as they exist."""
    try:
        from app.store.models import complaints, etiquette, shifts
    except ImportError:  # pragma: no cover - the modules always exist
        return
    for module, names in (
        (complaints, HALL_KINDS_COMPLAINTS),
        (shifts, HALL_KINDS_SHIFTS),
        (etiquette, HALL_KINDS_ETIQUETTE),
    ):
        for name, immutable in names:
            model = getattr(module, name, None)
            if model is not None:
                register(model, Direction.HALL, immutable=immutable)
    # The centre's order of complaint events (and its flags): written at the centre only.
    order = getattr(complaints, "ComplaintEventOrder", None)
    if order is not None:
        register(order, Direction.CENTRE)


#: Models of the other areas that sync up (class name, append-only?).
#: All are append-only at the hall (their migrations' triggers refuse UPDATE and DELETE).
#: Not synced: ``complaint_state`` (a projection rebuilt from the events),
#: ``complaint_sequence`` (a per-device counter). ``etiquette_template`` versions sync like
#: the inspections that reference them (an edit is a new row; shipped defaults have the
#: same key on every PC). ``complaint_event_order`` comes down from the centre (its order
#: of each complaint's events and its flags).
HALL_KINDS_COMPLAINTS: Final[tuple[tuple[str, bool], ...]] = (
    ("Complaint", True),
    ("ComplaintEvent", True),
    ("ComplaintCallback", True),
    ("ComplaintCallbackDone", True),
    ("FaultNotice", True),
    ("FaultNoticeClosure", True),
)
HALL_KINDS_SHIFTS: Final[tuple[tuple[str, bool], ...]] = (
    ("CashShift", True),
    ("ShiftClose", True),
    ("CashCount", True),
    ("CashMovement", True),
    ("Handover", True),
    ("HandoverRevision", True),
    ("HandoverSignature", True),
    ("OpeningCheck", True),
    ("HallDayClose", True),
)
HALL_KINDS_ETIQUETTE: Final[tuple[tuple[str, bool], ...]] = (
    ("EtiquetteTemplate", True),
    ("EtiquetteInspection", True),
    ("EtiquetteAnswer", True),
    ("EtiquettePhoto", True),
    ("EtiquetteSignature", True),
    ("CorrectiveAction", True),
    ("CorrectiveActionEvent", True),
)


# --- the JSON codec --------------------------------------------------------------------------


def _impl(col_type: Any) -> Any:
    return col_type.impl if isinstance(col_type, TypeDecorator) else col_type


def encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        # Base64: a photo used to travel as its Python repr ("b'\\x89PNG…'"), which no
        # other PC could store (its pull failed on that row for good).
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def encode_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: encode_value(value) for name, value in row.items()}


def _as_uuid(value: Any) -> Any:
    return uuid.UUID(str(value))


def _as_naive_utc(value: Any) -> Any:
    return datetime.fromisoformat(str(value)).astimezone(UTC).replace(tzinfo=None)


def _as_aware(value: Any) -> Any:
    return datetime.fromisoformat(str(value))


def _as_date(value: Any) -> Any:
    return date.fromisoformat(str(value))


def _as_bytes(value: Any) -> Any:
    if isinstance(value, bytes):
        return value
    text = str(value)
    if text[:2] in ("b'", 'b"'):  # sent by a PC before base64 (its Python repr)
        found = ast.literal_eval(text)
        if isinstance(found, bytes):
            return found
    return base64.b64decode(text)


_DECODERS: dict[str, list[tuple[str, Callable[[Any], Any] | None]]] = {}


def column_decoders(table: Table) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """Per column of ``table``: its name and the function that turns a JSON value back into
    the column's Python value (None: the JSON value is used as it is)."""
    found = _DECODERS.get(table.name)
    if found is None:
        found = []
        for col in table.columns:
            impl = _impl(col.type)
            conv: Callable[[Any], Any] | None = None
            if isinstance(impl, Uuid) or isinstance(col.type, Uuid):
                conv = _as_uuid
            elif isinstance(impl, DateTime):
                conv = _as_aware if isinstance(col.type, TypeDecorator) else _as_naive_utc
            elif isinstance(impl, Date):
                conv = _as_date
            elif isinstance(impl, Boolean):
                conv = bool
            elif isinstance(impl, LargeBinary):
                conv = _as_bytes
            found.append((col.name, conv))
        _DECODERS[table.name] = found
    return found


def decode_row(table: Table, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Column values ready for an insert into ``table``; unknown fields are ignored."""
    out: dict[str, Any] = {}
    for name, conv in column_decoders(table):
        if name in payload:
            value = payload[name]
            out[name] = conv(value) if conv is not None and value is not None else value
    return out


def key_of(kind: Kind, payload: Mapping[str, Any]) -> str:
    return "|".join(str(encode_value(payload[name])) for name in kind.pk)


def dumps(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def rows_as_payloads(kind: Kind, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [encode_row(row) for row in rows]
