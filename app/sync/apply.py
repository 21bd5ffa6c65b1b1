"""Writing the centre's rows into the store: a pull page's changes grouped by kind and
column list, upserted and deleted the way each kind allows (an append-only kind is never
updated, a row still referenced here is never deleted), and what pulled complaint events
ask for afterwards. Used by the pull and by the reset (full re-download).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from app.store import sync_registry
from app.store.models import Base
from app.store.models.sync import (
    CONFLICTS,
    SyncConflict,
)
from app.store.sync_registry import Kind


@dataclass(frozen=True, slots=True)
class Group:
    """Rows of one kind with the same columns: one value list per row, in column order."""

    kind: str
    columns: Sequence[str]
    keys: Sequence[str]
    rows: Sequence[Sequence[Any]]

    def payloads(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Page:
    """A pull page: each changed row once (its current state), and the tombstones."""

    groups: list[Group]
    deleted: list[tuple[str, str]]
    #: Entries of the centre's change log the page covers (a row changed twice counts twice).
    count: int

    @classmethod
    def of(cls, answer: Mapping[str, Any]) -> Page:
        """The page's ``changes`` (log order), each row once: the last entry of a row wins."""
        changes = answer.get("changes", [])
        latest: dict[tuple[str, str], Mapping[str, Any]] = {}
        for change in changes:
            latest[(str(change["kind"]), str(change["key"]))] = change
        return cls(*grouped(latest.items()), len(changes))


def grouped(
    items: Iterable[tuple[tuple[str, str], Mapping[str, Any]]],
) -> tuple[list[Group], list[tuple[str, str]]]:
    """Changes (``{"deleted", "payload"}`` by kind and key) as groups and tombstones."""
    groups: dict[tuple[str, tuple[str, ...]], Group] = {}
    deleted: list[tuple[str, str]] = []
    for (kind, key), change in items:
        if change.get("deleted"):
            deleted.append((kind, key))
            continue
        payload = change["payload"]
        columns = tuple(payload)
        group = groups.get((kind, columns))
        if group is None:
            group = groups[(kind, columns)] = Group(kind, columns, [], [])
        assert isinstance(group.keys, list) and isinstance(group.rows, list)
        group.keys.append(key)
        group.rows.append(list(payload.values()))
    return list(groups.values()), deleted


def single_int_pk(kind: Kind) -> bool:
    return len(kind.pk) == 1 and isinstance(_pk_type_of(kind, kind.pk[0]), Integer)


def _decode_key(kind: Kind, key: str) -> dict[str, Any]:
    parts = key.split("|")
    raw = dict(zip(kind.pk, parts, strict=True))
    values = sync_registry.decode_row(kind.table, raw)
    for name in kind.pk:
        if isinstance(_pk_type_of(kind, name), Integer):
            values[name] = int(raw[name])
    return values


def _pk_type_of(kind: Kind, name: str) -> Any:
    col_type = kind.table.c[name].type
    return col_type.impl if isinstance(col_type, TypeDecorator) else col_type


def upsert(conn: Any, kind: Kind, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Insert or update rows given as payloads (see :func:`_write_rows`)."""
    groups, _deleted = grouped(((kind.name, ""), {"payload": payload}) for payload in payloads)
    for group in groups:
        write_rows(conn, kind, group.columns, group.rows)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How rows with one column list are written (see :func:`_write_rows`)."""

    #: The columns written: each one's position in a row, and its converter (JSON value →
    #: what SQLAlchemy would hand the driver) with its result for ``None``.
    names: tuple[str, ...]
    columns: tuple[tuple[int, Callable[[Any], Any] | None, Any], ...]
    #: The statements, in order, each with its parameters as indexes into ``names``; empty
    #: when a compiled statement wants more than the row has (a Python-side default).
    statements: tuple[tuple[str, tuple[int, ...]], ...]
    #: The SQLAlchemy upsert, for that case.
    fallback: Any


_PLANS: dict[tuple[str, str, tuple[str, ...]], _Plan] = {}


def write_rows(
    conn: Any, kind: Kind, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert or update rows (JSON values in ``columns`` order); an append-only kind never
    updates an existing row, and an update that changes nothing is skipped (so the ledger
    triggers do not fire for it). Columns the table lacks and the PC's local columns are
    left out.

    The statements are SQLAlchemy's, compiled once per column list; the values go to the
    driver's ``executemany`` converted by the registry's decoder and then the column type's
    own bind processor, which is what an ``insert()`` with dict parameters does row by row
    (measured: that per-row work was a third of a pull). A kind that updates runs
    ``UPDATE … WHERE key = ? AND (a column differs)`` and then ``INSERT … ON CONFLICT (key)
    DO NOTHING``: the same outcome as one ``ON CONFLICT DO UPDATE`` (which SQLite runs at
    half the speed of a plain insert), since the rows of a page have distinct keys."""
    if not rows:
        return
    key = (conn.dialect.name, kind.name, tuple(columns))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _plan(conn.dialect, kind, columns)
    if not plan.statements:
        payloads = [
            sync_registry.decode_row(
                kind.table,
                {n: r[i] for n, (i, _c, _n) in zip(plan.names, plan.columns, strict=True)},
            )
            for r in rows
        ]
        for start in range(0, len(payloads), 2000):
            conn.execute(plan.fallback, payloads[start : start + 2000])
        return
    by_column = list(zip(*rows, strict=True))
    values: list[Sequence[Any]] = []
    for i, conv, none in plan.columns:
        raw = by_column[i]
        values.append(raw if conv is None else [none if v is None else conv(v) for v in raw])
    for sql, picks in plan.statements:
        conn.exec_driver_sql(sql, list(zip(*(values[j] for j in picks), strict=True)))


def _plan(dialect: Any, kind: Kind, columns: Sequence[str]) -> _Plan:
    table = kind.table
    decoders = dict(sync_registry.column_decoders(table))
    names = tuple(sorted(n for n in columns if n in decoders and n not in kind.local))
    index = {n: j for j, n in enumerate(names)}
    converters = []
    for name in names:
        bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        conv = _compose(decoders[name], bind)
        converters.append((list(columns).index(name), conv, bind(None) if bind else None))
    insert_stmt = sqlite_insert(table)
    others = [n for n in names if n not in kind.pk]
    if kind.immutable or not others or not set(kind.pk) <= set(names):
        # No conflict target: a clash on any unique key skips the row here instead of
        # failing the whole page (complaint events no longer clash: see migration 0007).
        fallback = insert_stmt.on_conflict_do_nothing()
        statements: list[Any] = [fallback]
    else:
        fallback = insert_stmt.on_conflict_do_update(
            index_elements=list(kind.pk),
            set_={n: insert_stmt.excluded[n] for n in others},
            where=or_(*(table.c[n].is_not(insert_stmt.excluded[n]) for n in others)),
        )
        changed = (
            update(table)
            .where(*(table.c[n] == bindparam(f"b_{n}") for n in kind.pk))
            .where(or_(*(table.c[n].is_not(bindparam(f"b_{n}")) for n in others)))
            .values({n: bindparam(f"b_{n}") for n in others})
        )
        statements = [changed, insert_stmt.on_conflict_do_nothing(index_elements=list(kind.pk))]
    compiled_statements = []
    for stmt in statements:
        keys = list(names) if stmt.is_insert else None
        compiled = stmt.compile(dialect=dialect, column_keys=keys)
        params = list(compiled.positiontup or ())
        if not stmt.is_insert:
            if not all(n.startswith("b_") for n in params):
                return _Plan(names, tuple(converters), (), fallback)
            params = [n[2:] for n in params]
        order = params
        if not set(order) <= set(names) or (stmt.is_insert and sorted(order) != list(names)):
            return _Plan(names, tuple(converters), (), fallback)
        compiled_statements.append((str(compiled), tuple(index[n] for n in order)))
    return _Plan(names, tuple(converters), tuple(compiled_statements), fallback)


def _compose(
    decode: Callable[[Any], Any] | None, bind: Callable[[Any], Any] | None
) -> Callable[[Any], Any] | None:
    if decode is None:
        return bind
    if bind is None:
        return decode
    return lambda v: bind(decode(v))


def _referenced(conn: Any, kind: Kind, values: Mapping[str, Any]) -> bool:
    """Does any local row point at this one (a delete would break its foreign key)?"""
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is kind.table and fk.column.name in values:
                hit = conn.execute(
                    select(1).select_from(table).where(fk.parent == values[fk.column.name]).limit(1)
                ).first()
                if hit is not None:
                    return True
    return False


def delete_keys(conn: Any, kind: Kind, keys: Sequence[str]) -> int:
    """Apply tombstones; an append-only row, or one still referenced here, is kept."""
    if kind.immutable:
        return 0
    done = 0
    for key in keys:
        values = _decode_key(kind, key)
        if _referenced(conn, kind, values):
            continue
        cond = and_(*(kind.table.c[n] == values[n] for n in kind.pk))
        done += conn.execute(delete(kind.table).where(cond)).rowcount
    return done


def complaints_touched(payloads: Iterable[Mapping[str, Any]]) -> set[uuid.UUID]:
    """The complaints of pulled complaint events (or of the centre's order of them)."""
    return {uuid.UUID(str(p["complaint_id"])) for p in payloads if p.get("complaint_id")}


def list_flagged_events(
    session: Session, orders: Iterable[Mapping[str, Any]], now: datetime
) -> int:
    """Put the complaint events the centre flagged on this PC's list of flagged items (the
    PC that sent one has it there already, from the push result)."""
    flagged = [o for o in orders if o.get("flagged")]
    if not flagged:
        return 0
    keys = [str(o["event_id"]) for o in flagged]
    listed = set(
        session.scalars(
            select(SyncConflict.key).where(
                SyncConflict.kind == "complaint_event", SyncConflict.key.in_(keys)
            )
        )
    )
    rows = [
        {
            "op_id": str(o["event_id"]),
            "kind": "complaint_event",
            "key": str(o["event_id"]),
            "reason": str(o.get("reason") or "invalid_transition")[:40],
            "detail": sync_registry.dumps(o),
            "flagged_at": now,
            "resolution": "",
        }
        for o in flagged
        if str(o["event_id"]) not in listed
    ]
    if rows:
        session.execute(sqlite_insert(CONFLICTS).on_conflict_do_nothing(), rows)
    return len(rows)
