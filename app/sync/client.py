"""The hall side of sync: enrol, push the outbox, pull the centre's changes, check the money.

One :meth:`HallSync.sync` is: a ``meta`` call (protocol and clock check), push until the
outbox is empty, pull until the cursor is current (a full re-download when the centre says
the PC is too far behind), then the money sanity check. Every step commits on its own, so a
crash or a lost connection at any point leaves a state the next sync simply continues from:

- push: the results of a batch are recorded in one transaction; if that is lost the batch
  is sent again and answered ``duplicate``;
- pull: a page and the cursor move are one transaction; a row with a pending local
  operation is not overwritten (the centre's echo of that operation comes later);
- reset: the snapshot is staged in ``sync_stage`` page by page, then swapped in in one
  transaction; the outbox is never touched.

``crash`` is a test hook called at named points (``push.after_send``,
``push.before_ack_commit``, ``pull.before_page_commit``, ``pull.after_page_apply``,
``reset.after_stage``); raising there simulates the program dying at that moment.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Integer, and_, bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from app.services.base import Clock, utc_now
from app.services.complaints.records import rebuild_states
from app.services.payments.receipt_numbers import raise_receipt_floor
from app.store.database import Store
from app.store.models import Base, Counter, DeviceInfo, Hall
from app.store.models.sync import (
    CONFLICTS,
    OUTBOX,
    STATE,
    OpResult,
    OpState,
    SyncConflict,
    SyncOutbox,
    SyncRun,
    SyncStage,
    SyncState,
)
from app.sync import checks, credentials, registry
from app.sync.capture import APPLYING, enqueue_rows
from app.sync.cursor import decode as decode_cursor
from app.sync.cursor import encode as encode_cursor
from app.sync.protocol import (
    PROTOCOL_VERSION,
    PULL_PAGE,
    PUSH_BATCH,
    PUSH_BYTES,
    SANITY_DAYS,
    SKEW_BLOCK,
    SKEW_WARN,
    SNAPSHOT_PAGE,
    CentreFailure,
    ClockSkew,
    NotEnrolled,
    SyncCancelled,
    SyncError,
)
from app.sync.registry import Direction, Kind
from app.sync.transport import Transport

Progress = Callable[[str, int], None]

#: Flags an older centre gave for its own fault: such operations are sent again.
CENTRE_FAULT_FLAGS: Final = ("kind_not_writable",)
#: Reasons the centre refuses an operation for (``rejected``; see ``app.centre.push``).
REFUSAL_REASONS: Final = (
    "bad_text",
    "bad_payload",
    "other_device",
    "unknown_kind",
    "centre_error",
    "waits_for",
)
#: The resolution written when the centre takes an operation it had refused.
ACCEPTED_ON_RESEND: Final = "accepted by the centre when sent again"


def _conflict_detail(op: SyncOutbox, result: Mapping[str, Any]) -> str:
    """What the list of flagged items keeps: the operation's payload, and for a refusal
    the centre's detail (which field) and whether it is sent again by itself."""
    if result.get("result") != OpResult.REJECTED.value:
        return op.payload
    return registry.dumps(
        {
            "centre": result.get("detail") or {},
            "retry": bool(result.get("retry")),
            "payload": op.payload,
        }
    )


@dataclass
class SyncReport:
    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    flagged: int = 0
    pulled: int = 0
    deleted: int = 0
    kept_local: int = 0
    reset: bool = False
    skew_seconds: float = 0.0
    skew_warning: bool = False
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    resent: int = 0
    mismatches_after_resend: list[dict[str, Any]] = field(default_factory=list)
    #: Operations the centre refused (parked, or sent again at the next sync).
    rejected: int = 0
    #: Operations held back because they point at a refused one.
    held: int = 0


@dataclass(frozen=True)
class Status:
    """What the status bar shows."""

    enrolled: bool
    url: str
    pending: int
    pending_payments: int
    last_success_at: datetime | None
    last_error: str
    open_conflicts: int


@dataclass(frozen=True, slots=True)
class _Group:
    """Rows of one kind with the same columns: one value list per row, in column order."""

    kind: str
    columns: Sequence[str]
    keys: Sequence[str]
    rows: Sequence[Sequence[Any]]

    def payloads(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class _Page:
    """A pull page: each changed row once (its current state), and the tombstones."""

    groups: list[_Group]
    deleted: list[tuple[str, str]]
    #: Entries of the centre's change log the page covers (a row changed twice counts twice).
    count: int

    @classmethod
    def of(cls, answer: Mapping[str, Any]) -> _Page:
        """The page's ``changes`` (log order), each row once: the last entry of a row wins."""
        changes = answer.get("changes", [])
        latest: dict[tuple[str, str], Mapping[str, Any]] = {}
        for change in changes:
            latest[(str(change["kind"]), str(change["key"]))] = change
        return cls(*_grouped(latest.items()), len(changes))


def _grouped(
    items: Iterable[tuple[tuple[str, str], Mapping[str, Any]]],
) -> tuple[list[_Group], list[tuple[str, str]]]:
    """Changes (``{"deleted", "payload"}`` by kind and key) as groups and tombstones."""
    groups: dict[tuple[str, tuple[str, ...]], _Group] = {}
    deleted: list[tuple[str, str]] = []
    for (kind, key), change in items:
        if change.get("deleted"):
            deleted.append((kind, key))
            continue
        payload = change["payload"]
        columns = tuple(payload)
        group = groups.get((kind, columns))
        if group is None:
            group = groups[(kind, columns)] = _Group(kind, columns, [], [])
        assert isinstance(group.keys, list) and isinstance(group.rows, list)
        group.keys.append(key)
        group.rows.append(list(payload.values()))
    return list(groups.values()), deleted


def _noop(_point: str) -> None:
    return None


class HallSync:
    def __init__(
        self,
        store: Store,
        transport: Transport | None,
        clock: Clock = utc_now,
        *,
        crash: Callable[[str], None] = _noop,
        progress: Progress | None = None,
        cancel: Callable[[], bool] | None = None,
        push_batch: int = PUSH_BATCH,
        pull_page: int = PULL_PAGE,
        snapshot_page: int = SNAPSHOT_PAGE,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.crash = crash
        self.progress = progress or (lambda _stage, _n: None)
        self.cancel = cancel or (lambda: False)
        self.push_batch = push_batch
        self.pull_page = pull_page
        self.snapshot_page = snapshot_page

    # --- state ----------------------------------------------------------------------------

    def state(self) -> SyncState:
        with self.store.read() as session:
            row = session.get(SyncState, 1)
            if row is not None:
                session.expunge(row)
                return row
        with self.store.unit_of_work() as session:
            session.execute(
                sqlite_insert(STATE)
                .values(
                    id=1,
                    url="",
                    device_code="",
                    credential="",
                    hall_code="",
                    pull_cursor="{}",
                    epoch=0,
                    last_error="",
                )
                .on_conflict_do_nothing()
            )
        with self.store.read() as session:
            found = session.get(SyncState, 1)
            assert found is not None
            session.expunge(found)
            return found

    def status(self) -> Status:
        st = self.state()
        with self.store.read() as session:
            pending = session.scalar(
                select(func.count()).where(SyncOutbox.state == OpState.PENDING.value)
            )
            payments = session.scalar(
                select(func.count()).where(
                    SyncOutbox.state == OpState.PENDING.value, SyncOutbox.kind == "payment"
                )
            )
            conflicts = session.scalar(
                select(func.count()).where(SyncConflict.resolved_at.is_(None))
            )
        return Status(
            enrolled=bool(st.credential),
            url=st.url,
            pending=int(pending or 0),
            pending_payments=int(payments or 0),
            last_success_at=st.last_success_at,
            last_error=st.last_error,
            open_conflicts=int(conflicts or 0),
        )

    def _call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        if self.transport is None:
            raise NotEnrolled()
        body = {"protocol": PROTOCOL_VERSION, **body}
        return self.transport.call(endpoint, body, credential)

    def _check_cancel(self) -> None:
        if self.cancel():
            raise SyncCancelled()

    # --- enrolment --------------------------------------------------------------------------

    def enrol(self, url: str, code: str) -> str:
        """Exchange a one-time code for this PC's credential; returns the device code."""
        self.state()
        answer = self._call("enrol", {"code": code}, None)
        with self.store.unit_of_work() as session:
            session.execute(
                update(SyncState)
                .where(SyncState.id == 1)
                .values(
                    url=url,
                    device_code=str(answer["device_code"]),
                    # In the OS credential store where there is one (app.sync.credentials).
                    credential=credentials.save(str(answer["credential"])),
                    hall_code=str(answer["hall_code"]),
                    epoch=0,
                    pull_cursor="{}",
                    last_error="",
                )
            )
            # Receipts are numbered per device: the centre's device code keeps them unique.
            session.execute(update(DeviceInfo).values(device_code=str(answer["device_code"])))
        return str(answer["device_code"])

    # --- one sync -------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        st = self.state()
        if not st.credential:
            raise NotEnrolled()
        report = SyncReport()
        started = self.clock()
        with self.store.unit_of_work() as session:
            session.execute(
                update(SyncState).where(SyncState.id == 1).values(last_attempt_at=started)
            )
        try:
            credential = credentials.load(st.credential)
            self._meta(credential, report)
            self.push(credential, report)
            self.pull(credential, report)
            self.sanity(credential, report)
        except SyncError as exc:
            self._finish(started, report, "failed", exc.user_message())
            raise
        self._finish(started, report, "ok", "")
        return report

    def _finish(self, started: datetime, report: SyncReport, outcome: str, message: str) -> None:
        now = self.clock()
        with self.store.unit_of_work() as session:
            values: dict[str, Any] = {"last_error": message}
            if outcome == "ok":
                values["last_success_at"] = now
            session.execute(update(SyncState).where(SyncState.id == 1).values(**values))
            session.add(
                SyncRun(
                    started_at=started,
                    finished_at=now,
                    pushed=report.pushed,
                    pulled=report.pulled,
                    outcome=outcome,
                    message=message,
                )
            )

    def _meta(self, credential: str, report: SyncReport) -> None:
        before = self.clock()
        answer = self._call("meta", {}, credential)
        server = datetime.fromisoformat(str(answer["server_time"]))
        skew = (before - server).total_seconds()
        report.skew_seconds = skew
        if abs(skew) > SKEW_BLOCK.total_seconds():
            raise ClockSkew(round(abs(skew) / 60))
        report.skew_warning = abs(skew) > SKEW_WARN.total_seconds()
        high = answer.get("receipt_high")
        if isinstance(high, int) and high > 0 and answer.get("device_code"):
            self.raise_receipt_floor(str(answer["device_code"]), high)

    def raise_receipt_floor(self, device_code: str, number: int) -> None:
        """Number this device's receipts after ``number``, the highest the centre holds
        from it: a PC put back on an older copy of its store (and of the mark beside it)
        then never issues a number twice from this sync on. Learnt at the sync's first
        call, before anything else can fail."""
        with self.store.unit_of_work() as session:
            raise_receipt_floor(session, device_code, number)
            self.store.receipt_mark.raise_to(device_code, number)

    # --- push -----------------------------------------------------------------------------

    def push(self, credential: str, report: SyncReport) -> None:
        """Send the pending operations in outbox order, each batch at most
        ``push_batch`` operations and :data:`PUSH_BYTES` bytes. One pass over the outbox:
        an operation the centre refused for a reason of its own (``retry``) waits for the
        next sync, one it refused for its content is parked (see :meth:`_record_results`),
        and an operation pointing at a parked or refused row is held back, unsent, so the
        hall's other PCs never receive a child without its parent."""
        self._take_back_centre_faults()
        after = 0
        held = self._parked_keys()
        while True:
            self._check_cancel()
            with self.store.read() as session:
                candidates = session.scalars(
                    select(SyncOutbox)
                    .where(
                        SyncOutbox.state == OpState.PENDING.value,
                        SyncOutbox.seq > after,
                        func.coalesce(SyncOutbox.result, "") != OpResult.REJECTED.value,
                    )
                    .order_by(SyncOutbox.seq)
                    .limit(self.push_batch)
                ).all()
                session.expunge_all()
            if not candidates:
                return
            batch: list[SyncOutbox] = []
            ops: list[dict[str, Any]] = []
            size = 0
            for o in candidates:
                payload = json.loads(o.payload)
                if held and self._waits(o, payload, held):
                    held.add((o.kind, o.key))
                    report.held += 1
                    after = o.seq
                    continue
                op = {
                    "op_id": o.op_id,
                    "kind": o.kind,
                    "key": o.key,
                    "action": o.action,
                    "payload_version": o.payload_version,
                    "payload": payload,
                }
                op_size = len(o.payload) + 200
                if batch and size + op_size > PUSH_BYTES:
                    break
                batch.append(o)
                ops.append(op)
                size += op_size
                after = o.seq
            if not batch:
                continue
            answer = self._call("push", {"ops": ops}, credential)
            self.crash("push.after_send")
            results = {str(r["op_id"]): r for r in answer.get("results", [])}
            if set(results) != {o.op_id for o in batch}:
                raise CentreFailure("the push answer does not match the operations sent")
            self._record_results(batch, results, report)
            held |= {
                (o.kind, o.key)
                for o in batch
                if results[o.op_id]["result"] == OpResult.REJECTED.value
            }
            self.progress("push", report.pushed)

    @staticmethod
    def _waits(op: SyncOutbox, payload: Any, held: set[tuple[str, str]]) -> bool:
        kind = registry.get(op.kind)
        if kind is None or not isinstance(payload, dict):
            return False
        return any(parent in held for parent in checks.references(kind, payload))

    def _parked_keys(self) -> set[tuple[str, str]]:
        with self.store.read() as session:
            return {
                (str(k), str(key))
                for k, key in session.execute(
                    select(SyncOutbox.kind, SyncOutbox.key).where(
                        SyncOutbox.state == OpState.PENDING.value,
                        SyncOutbox.result == OpResult.REJECTED.value,
                    )
                )
            }

    def _take_back_centre_faults(self) -> None:
        """Operations an older centre flagged for its own fault (``kind_not_writable``
        from its half-built registry, issue 13 item 1) are sent again: the centre applies
        them now."""
        with self.store.unit_of_work() as session:
            session.execute(
                update(SyncOutbox)
                .where(
                    SyncOutbox.state == OpState.ACKED.value,
                    SyncOutbox.result == OpResult.FLAGGED.value,
                    SyncOutbox.note.in_(CENTRE_FAULT_FLAGS),
                )
                .values(state=OpState.PENDING.value)
            )

    def _record_results(
        self, batch: Sequence[SyncOutbox], results: Mapping[str, Any], report: SyncReport
    ) -> None:
        """One local transaction: ``applied``, ``duplicate`` and ``flagged`` operations
        are acknowledged; a ``rejected`` one stays pending — parked (result ``rejected``)
        when its content is at fault, to be sent again when the next sync runs when it was
        not (result ``retry``) — and goes on the list of flagged items with its reason (a
        ``waits_for`` does not: its parent is listed). An item listed for a refusal is
        resolved when the centre takes the operation."""
        now = self.clock()
        done = [o for o in batch if results[o.op_id]["result"] != OpResult.REJECTED.value]
        refused = [o for o in batch if results[o.op_id]["result"] == OpResult.REJECTED.value]
        with self.store.unit_of_work() as session:
            conn = session.connection()
            if done:
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.op_id == bindparam("b_op_id"))
                    .values(
                        state=OpState.ACKED.value,
                        result=bindparam("b_result"),
                        note=bindparam("b_note"),
                        acked_at=now,
                    ),
                    [
                        {
                            "b_op_id": o.op_id,
                            "b_result": str(results[o.op_id]["result"]),
                            "b_note": str(results[o.op_id].get("reason", ""))[:200],
                        }
                        for o in done
                    ],
                )
                conn.execute(
                    update(CONFLICTS)
                    .where(
                        CONFLICTS.c.op_id.in_([o.op_id for o in done]),
                        CONFLICTS.c.reason.in_(REFUSAL_REASONS + CENTRE_FAULT_FLAGS),
                        CONFLICTS.c.resolved_at.is_(None),
                    )
                    .values(resolved_at=now, resolution=ACCEPTED_ON_RESEND)
                )
            if refused:
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.op_id == bindparam("b_op_id"))
                    .values(result=bindparam("b_result"), note=bindparam("b_note")),
                    [
                        {
                            "b_op_id": o.op_id,
                            "b_result": OpResult.RETRY.value
                            if results[o.op_id].get("retry")
                            else OpResult.REJECTED.value,
                            "b_note": str(results[o.op_id].get("reason", ""))[:200],
                        }
                        for o in refused
                    ],
                )
            listed = [
                o
                for o in batch
                if results[o.op_id]["result"] == OpResult.FLAGGED.value
                or (
                    results[o.op_id]["result"] == OpResult.REJECTED.value
                    and results[o.op_id].get("reason") != "waits_for"
                )
            ]
            if listed:
                stmt = sqlite_insert(CONFLICTS)
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["op_id"],
                        set_={
                            "reason": stmt.excluded.reason,
                            "detail": stmt.excluded.detail,
                            "flagged_at": stmt.excluded.flagged_at,
                            "resolved_at": None,
                            "resolution": "",
                        },
                    ),
                    [
                        {
                            "op_id": o.op_id,
                            "kind": o.kind,
                            "key": o.key,
                            "reason": str(results[o.op_id].get("reason", ""))[:40],
                            "detail": _conflict_detail(o, results[o.op_id]),
                            "flagged_at": now,
                            "resolution": "",
                        }
                        for o in listed
                    ],
                )
            self.crash("push.before_ack_commit")
        for o in batch:
            result = results[o.op_id]["result"]
            report.pushed += 1
            if result == OpResult.APPLIED.value:
                report.applied += 1
            elif result == OpResult.DUPLICATE.value:
                report.duplicates += 1
            elif result == OpResult.REJECTED.value:
                report.rejected += 1
            else:
                report.flagged += 1

    # --- pull -----------------------------------------------------------------------------

    def pull(self, credential: str, report: SyncReport) -> None:
        resets = 0
        while True:
            self._check_cancel()
            st = self.state()
            answer = self._call(
                "pull",
                {
                    "cursor": decode_cursor(st.pull_cursor),
                    "epoch": st.epoch,
                    "limit": self.pull_page,
                },
                credential,
            )
            if answer.get("reset_required"):
                if resets:
                    raise CentreFailure("the centre asks for a reset again after a reset")
                resets += 1
                self.reset(credential, report)
                continue
            self._apply_page(_Page.of(answer), answer["cursor"], report)
            self.crash("pull.after_page_apply")
            self.progress("pull", report.pulled)
            if not answer.get("more"):
                return

    @staticmethod
    def _has_pending(session: Session) -> bool:
        first = session.scalars(
            select(SyncOutbox.seq).where(SyncOutbox.state == OpState.PENDING.value).limit(1)
        ).first()
        return first is not None

    def _pending_keys(
        self, session: Session, keys: Iterable[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        if not self._has_pending(session):
            return set()
        wanted = set(keys)
        found: set[tuple[str, str]] = set()
        by_kind: dict[str, list[str]] = {}
        for kind, key in wanted:
            by_kind.setdefault(kind, []).append(key)
        for kind, key_list in by_kind.items():
            for start in range(0, len(key_list), 500):
                part = key_list[start : start + 500]
                found.update(
                    (kind, k)
                    for k in session.scalars(
                        select(SyncOutbox.key).where(
                            SyncOutbox.state == OpState.PENDING.value,
                            SyncOutbox.kind == kind,
                            SyncOutbox.key.in_(part),
                        )
                    )
                )
        return found

    def _apply_page(self, page: _Page, cursor: Mapping[str, Any], report: SyncReport) -> None:
        with self.store.unit_of_work() as session:
            session.info[APPLYING] = True
            report.kept_local += self._apply_changes(session, page, report)
            session.execute(
                update(SyncState).where(SyncState.id == 1).values(pull_cursor=encode_cursor(cursor))
            )
            self.crash("pull.before_page_commit")
        report.pulled += page.count

    def _apply_changes(self, session: Session, page: _Page, report: SyncReport) -> int:
        pending = self._pending_keys(
            session,
            itertools.chain(((g.kind, k) for g in page.groups for k in g.keys), page.deleted),
        )
        upserts: dict[str, list[_Group]] = {}
        deletes: dict[str, list[str]] = {}
        for group in page.groups:
            kind = registry.get(group.kind)
            if kind is None:
                continue
            if pending or kind.rows is not None:
                kept = [
                    (key, row)
                    for key, row in zip(group.keys, group.rows, strict=True)
                    if (group.kind, key) not in pending
                    # this PC's own row (e.g. its receipt secret) is never replaced
                    and kind.travels(dict(zip(group.columns, row, strict=True)))
                ]
                group = _Group(
                    group.kind, group.columns, [k for k, _ in kept], [r for _, r in kept]
                )
            if group.rows:
                upserts.setdefault(kind.name, []).append(group)
        for kind_name, key in page.deleted:
            if (kind_name, key) not in pending and registry.get(kind_name) is not None:
                deletes.setdefault(kind_name, []).append(key)
        conn = session.connection()
        for kind in sorted((registry.kinds()[n] for n in upserts), key=lambda k: k.order):
            for group in upserts[kind.name]:
                _write_rows(conn, kind, group.columns, group.rows)
        for kind in sorted(
            (registry.kinds()[n] for n in deletes), key=lambda k: k.order, reverse=True
        ):
            report.deleted += _delete(conn, kind, deletes[kind.name])
        events = [p for g in upserts.get("complaint_event", ()) for p in g.payloads()]
        orders = [p for g in upserts.get("complaint_event_order", ()) for p in g.payloads()]
        touched = complaints_touched(events) | complaints_touched(orders)
        if touched:
            self.crash("pull.before_complaint_rebuild")
            rebuild_states(session, touched)
            list_flagged_events(session, orders, self.clock())
        return len(pending)

    # --- reset (full re-download) ---------------------------------------------------------

    def reset(self, credential: str, report: SyncReport) -> None:
        """Download the hall's whole data set and swap it in; the outbox is never touched."""
        report.reset = True
        with self.store.unit_of_work() as session:
            session.execute(delete(SyncStage))
        after: Any = None
        cursor: Mapping[str, Any] | None = None
        epoch = 0
        while True:
            self._check_cancel()
            answer = self._call(
                "snapshot", {"after": after, "limit": self.snapshot_page}, credential
            )
            if cursor is None:
                cursor = answer["cursor"]
                epoch = int(answer["epoch"])
            rows = answer.get("rows", [])
            with self.store.unit_of_work() as session:
                if rows:
                    session.execute(
                        insert(SyncStage),
                        [
                            {
                                "kind": r["kind"],
                                "key": r["key"],
                                "payload": registry.dumps(r["payload"]),
                            }
                            for r in rows
                        ],
                    )
            self.progress("download", len(rows))
            after = answer.get("next")
            if not after:
                break
        self.crash("reset.after_stage")
        assert cursor is not None
        with self.store.unit_of_work() as session:
            session.info[APPLYING] = True
            conn = session.connection()
            touched: set[uuid.UUID] = set()
            for kind in registry.ordered():
                if kind.direction == Direction.CENTRE and _single_int_pk(kind):
                    # Rows the centre no longer has (their tombstones were purged).
                    pk = kind.table.c[kind.pk[0]]
                    staged = select(func.cast(SyncStage.key, Integer)).where(
                        SyncStage.kind == kind.name
                    )
                    gone = [
                        str(k) for k in conn.execute(select(pk).where(pk.not_in(staged))).scalars()
                    ]
                    report.deleted += _delete(conn, kind, gone)
                pending = {
                    k
                    for (k,) in conn.execute(
                        select(SyncOutbox.key).where(
                            SyncOutbox.state == OpState.PENDING.value,
                            SyncOutbox.kind == kind.name,
                        )
                    )
                }
                result = conn.execute(
                    select(SyncStage.key, SyncStage.payload).where(SyncStage.kind == kind.name)
                )
                for part in result.partitions(2000):
                    rows = [json.loads(p) for k, p in part if k not in pending]
                    _upsert(conn, kind, rows)
                    report.pulled += len(rows)
                    if kind.name in ("complaint_event", "complaint_event_order"):
                        touched |= complaints_touched(rows)
                    if kind.name == "complaint_event_order":
                        list_flagged_events(session, rows, self.clock())
            conn.execute(delete(SyncStage))
            conn.execute(
                update(SyncState)
                .where(SyncState.id == 1)
                .values(pull_cursor=encode_cursor(cursor), epoch=epoch)
            )
            self._ensure_device_info(session)
            if touched:
                rebuild_states(session, touched)

    def _ensure_device_info(self, session: Session) -> None:
        if session.scalars(select(DeviceInfo).limit(1)).first() is not None:
            return
        st = session.get(SyncState, 1)
        hall = session.scalars(select(Hall).order_by(Hall.id).limit(1)).first()
        if st is None or hall is None:
            return
        counter = session.scalars(
            select(Counter).where(Counter.hall_id == hall.id).order_by(Counter.id).limit(1)
        ).first()
        session.add(
            DeviceInfo(
                id=1,
                device_code=st.device_code,
                hall_id=hall.id,
                counter_id=counter.id if counter else None,
                is_demo=False,
            )
        )

    # --- money sanity check ---------------------------------------------------------------

    def local_day_totals(self, device_code: str, since: str) -> dict[str, tuple[int, int]]:
        """Per UTC day, the count and sum of this device's payments that the centre has
        been told of: one read (one SQLite snapshot) of the payments and the outbox,
        leaving out payments whose operation is still pending — taken while this sync
        pulled, or refused by the centre — so a payment taken during a sync is not a
        false "payments differ" that re-sends the whole day (issue 13, item 8)."""
        with self.store.read() as session:
            rows = session.execute(
                text(
                    "SELECT date(p.paid_at), count(*), sum(p.amount_fen) FROM payment p "
                    "WHERE p.device_code = :d AND p.paid_at >= :s AND NOT EXISTS ("
                    "SELECT 1 FROM sync_outbox o WHERE o.kind = 'payment' "
                    "AND o.state = 'pending' AND o.key = lower(substr(p.id, 1, 8) || '-' || "
                    "substr(p.id, 9, 4) || '-' || substr(p.id, 13, 4) || '-' || "
                    "substr(p.id, 17, 4) || '-' || substr(p.id, 21))) "
                    "GROUP BY date(p.paid_at)"
                ),
                {"d": device_code, "s": since},
            ).all()
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}

    def sanity(self, credential: str, report: SyncReport) -> None:
        st = self.state()
        since = (self.clock().astimezone(UTC) - timedelta(days=SANITY_DAYS)).date().isoformat()
        report.mismatches = self._compare(credential, st.device_code, since)
        if not report.mismatches:
            return
        report.resent = self.requeue_days(st.device_code, [m["day"] for m in report.mismatches])
        self.push(credential, report)
        report.mismatches_after_resend = self._compare(credential, st.device_code, since)

    def _compare(self, credential: str, device_code: str, since: str) -> list[dict[str, Any]]:
        days = [
            {"day": day, "count": c, "sum": s}
            for day, (c, s) in sorted(self.local_day_totals(device_code, since).items())
        ]
        answer = self._call("sanity", {"since": since, "days": days}, credential)
        return list(answer.get("mismatches", []))

    def requeue_days(self, device_code: str, days: Sequence[str]) -> int:
        """Send the payments (and their allocations) of these days again: their operations
        become pending again, or new ones are written for payments that have none."""
        count = 0
        payment = registry.kinds()["payment"]
        allocation = registry.kinds()["payment_allocation"]
        with self.store.unit_of_work() as session:
            for day in days:
                ids = [
                    str(r[0])
                    for r in session.execute(
                        text(
                            "SELECT id FROM payment WHERE device_code = :d AND date(paid_at) = :day"
                        ),
                        {"d": device_code, "day": day},
                    )
                ]
                for raw in ids:
                    pid = registry.decode_row(payment.table, {"id": _uuid_text(raw)})["id"]
                    key = str(pid)
                    op_ids = session.scalars(
                        select(SyncOutbox.op_id).where(
                            SyncOutbox.kind == payment.name, SyncOutbox.key == key
                        )
                    ).all()
                    if op_ids:
                        session.execute(
                            update(SyncOutbox)
                            .where(
                                (and_(SyncOutbox.kind == payment.name, SyncOutbox.key == key))
                                | (
                                    and_(
                                        SyncOutbox.kind == allocation.name,
                                        SyncOutbox.key.like(f"{key}|%"),
                                    )
                                )
                            )
                            .values(state=OpState.PENDING.value)
                        )
                    else:
                        enqueue_rows(session, payment, {(pid,)})
                        bills = session.execute(
                            select(allocation.table.c.payment_id, allocation.table.c.bill_id).where(
                                allocation.table.c.payment_id == pid
                            )
                        ).all()
                        if bills:
                            enqueue_rows(session, allocation, {tuple(b) for b in bills})
                    count += 1
        return count


def _uuid_text(raw: str) -> str:
    return raw if "-" in raw else f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _single_int_pk(kind: Kind) -> bool:
    return len(kind.pk) == 1 and isinstance(_pk_type_of(kind, kind.pk[0]), Integer)


def _decode_key(kind: Kind, key: str) -> dict[str, Any]:
    parts = key.split("|")
    raw = dict(zip(kind.pk, parts, strict=True))
    values = registry.decode_row(kind.table, raw)
    for name in kind.pk:
        if isinstance(_pk_type_of(kind, name), Integer):
            values[name] = int(raw[name])
    return values


def _pk_type_of(kind: Kind, name: str) -> Any:
    col_type = kind.table.c[name].type
    return col_type.impl if isinstance(col_type, TypeDecorator) else col_type


def _upsert(conn: Any, kind: Kind, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Insert or update rows given as payloads (see :func:`_write_rows`)."""
    groups, _deleted = _grouped(((kind.name, ""), {"payload": payload}) for payload in payloads)
    for group in groups:
        _write_rows(conn, kind, group.columns, group.rows)


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


def _write_rows(
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
            registry.decode_row(
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
    decoders = dict(registry.column_decoders(table))
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


def _delete(conn: Any, kind: Kind, keys: Sequence[str]) -> int:
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
            "detail": registry.dumps(o),
            "flagged_at": now,
            "resolution": "",
        }
        for o in flagged
        if str(o["event_id"]) not in listed
    ]
    if rows:
        session.execute(sqlite_insert(CONFLICTS).on_conflict_do_nothing(), rows)
    return len(rows)
