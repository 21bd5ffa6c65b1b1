"""Every write of a syncable kind appends an operation to the outbox, in the same transaction.

Installed on the Store's session factory (``app.store.database.Store``), so no service has
to remember it: ``after_flush`` sees every ORM insert, update and delete, and
``do_orm_execute`` sees bulk ``update()``/``delete()`` statements run through a session
(the SMS export marks messages that way). The operation carries the row as the store has it
after the write (read back inside the transaction), so defaults and triggers are included.

Writes the capture cannot see: raw ``text()`` SQL and statements on a bare connection.
``tests/sync/test_capture.py`` checks that no service writes a syncable table that way.
Pulled rows are applied with ``session.info[APPLYING] = True`` and produce no operation.
A kind's local columns (``Kind.local``: a staff member's failed logins and lock-out) are
this PC's own: they are left out of every operation, and a write that changes nothing
else makes none.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import Table, event, insert, inspect, select, tuple_
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from app.domain.ids import uuid7
from app.store.models.sync import OUTBOX, OpState
from app.sync import registry
from app.sync.registry import Direction, Kind

#: Set in ``session.info`` while pulled rows are applied: they are not local writes.
APPLYING: Final = "halldesk.sync.applying"


#: The session factories that capture already. Weak, so an entry goes with its factory: not
#: ``event.contains``, whose registry is keyed by ``id()`` and keeps a session factory's entry
#: after the factory is gone. A store opened later whose factory was allocated at a closed
#: store's address was then taken as capturing, and none of its writes reached the outbox.
_INSTALLED: Final[weakref.WeakSet[sessionmaker[Session]]] = weakref.WeakSet()


def install(factory: sessionmaker[Session]) -> None:
    """Capture the writes of every session of ``factory`` (once per factory)."""
    if factory in _INSTALLED:
        return
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _do_orm_execute)
    _INSTALLED.add(factory)


def _kind_of_table(table: Any) -> Kind | None:
    name = getattr(table, "name", None)
    if name is None:
        return None
    kind = registry.get(name)
    return kind if kind is not None and kind.direction == Direction.HALL else None


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    if session.info.get(APPLYING):
        return
    changed: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    deleted: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    for obj in list(session.new) + [o for o in session.dirty if session.is_modified(o)]:
        mapper = inspect(obj).mapper
        kind = _kind_of_table(mapper.local_table)
        if kind is not None and (obj in session.new or not _only_local_changes(kind, obj)):
            changed[kind.name].add(tuple(mapper.primary_key_from_instance(obj)))
    for obj in session.deleted:
        mapper = inspect(obj).mapper
        kind = _kind_of_table(mapper.local_table)
        if kind is not None:
            deleted[kind.name].add(tuple(mapper.primary_key_from_instance(obj)))
    # Parents before children (foreign-key order), so the outbox, the centre's change log
    # and every other PC's pull see a new member of staff before their password history.
    kinds = registry.kinds()
    for name in sorted(changed, key=lambda n: kinds[n].order):
        enqueue_rows(session, kinds[name], changed[name])
    for name in sorted(deleted, key=lambda n: kinds[n].order, reverse=True):
        pks = deleted[name]
        kind = kinds[name]
        ops = [
            _op(kind, "delete", dict(zip(kind.pk, pk, strict=True))) for pk in sorted(pks, key=str)
        ]
        session.connection().execute(insert(OUTBOX), ops)


def _only_local_changes(kind: Kind, obj: Any) -> bool:
    """Did this flush change only columns that belong to this PC (a failed login, a
    lock-out)? Those changes are not the hall's: they make no operation."""
    if not kind.local:
        return False
    state = inspect(obj)
    changed = {
        attr.columns[0].name
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes()
    }
    return bool(changed) and changed <= kind.local


def _do_orm_execute(state: ORMExecuteState) -> Any:
    if state.session.info.get(APPLYING) or not (state.is_update or state.is_delete):
        return None
    stmt: Any = state.statement
    kind = _kind_of_table(getattr(stmt, "table", None))
    if kind is None:
        return None
    pk_cols = [kind.table.c[name] for name in kind.pk]
    query = select(*pk_cols)
    if stmt.whereclause is not None:
        query = query.where(stmt.whereclause)
    pks = {tuple(row) for row in state.session.connection().execute(query)}
    result = state.invoke_statement()
    if pks:
        if state.is_update:
            enqueue_rows(state.session, kind, pks)
        else:
            ops = [_op(kind, "delete", dict(zip(kind.pk, pk, strict=True))) for pk in pks]
            state.session.connection().execute(insert(OUTBOX), ops)
    return result


def enqueue_rows(session: Session, kind: Kind, pks: set[tuple[Any, ...]]) -> int:
    """Append one upsert operation per row (read back from the store) to the outbox."""
    table: Table = kind.table
    pk_cols = [table.c[name] for name in kind.pk]
    ops: list[dict[str, Any]] = []
    ordered = sorted(pks, key=str)
    conn = session.connection()
    for start in range(0, len(ordered), 400):
        chunk = ordered[start : start + 400]
        if len(pk_cols) == 1:
            where = pk_cols[0].in_([pk[0] for pk in chunk])
        else:
            where = tuple_(*pk_cols).in_(chunk)
        for mapping in conn.execute(select(table).where(where)).mappings():
            row = dict(mapping)
            if kind.travels(row):
                ops.append(_op(kind, "upsert", registry.without_local(kind, row)))
    if ops:
        conn.execute(insert(OUTBOX), ops)
    return len(ops)


def copy_operation(session: Session, op: Any, payload: str, key: str) -> str:
    """Append a copy of an operation the centre never stored, with this payload, at the end
    of the outbox (the outbox's operations are immutable); returns the copy's id."""
    row = {
        "op_id": str(uuid7()),
        "kind": op.kind,
        "key": key,
        "action": op.action,
        "payload": payload,
        "payload_version": op.payload_version,
        "created_at": datetime.now(UTC),
        "state": OpState.PENDING.value,
        "result": None,
        "note": "",
        "acked_at": None,
        "pay_device": op.pay_device,
        "pay_day": op.pay_day,
    }
    session.connection().execute(insert(OUTBOX), [row])
    return str(row["op_id"])


def _op(kind: Kind, action: str, row: dict[str, Any]) -> dict[str, Any]:
    payload = registry.encode_row(row)
    pay_device: str | None = None
    pay_day: date | None = None
    if kind.name == "payment" and action == "upsert":
        pay_device = str(row.get("device_code") or "")
        paid_at = row.get("paid_at")
        if isinstance(paid_at, datetime):
            pay_day = paid_at.astimezone(UTC).date()
    return {
        "op_id": str(uuid7()),
        "kind": kind.name,
        "key": registry.key_of(kind, payload),
        "action": action,
        "payload": registry.dumps(payload),
        "payload_version": registry.PAYLOAD_VERSION,
        "created_at": datetime.now(UTC),
        "state": OpState.PENDING.value,
        "result": None,
        "note": "",
        "acked_at": None,
        "pay_device": pay_device,
        "pay_day": pay_day,
    }
