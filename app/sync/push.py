"""Push: the PC's outbox sent to the centre in order, and the centre's answer recorded.

The results of a batch are recorded in one transaction; if that is lost the batch is sent
again and answered ``duplicate``. An operation the centre refused for a reason of its own
waits for the next sync, one refused for its content is parked and listed, and an
operation pointing at a parked or refused row is held back, unsent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.store import sync_registry
from app.store.models.sync import (
    CONFLICTS,
    OUTBOX,
    OpResult,
    OpState,
    SyncOutbox,
)
from app.sync import checks
from app.sync.hall_base import HallSyncBase, SyncReport
from app.sync.protocol import (
    PUSH_BYTES,
    CentreFailure,
)

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
    return sync_registry.dumps(
        {
            "centre": result.get("detail") or {},
            "retry": bool(result.get("retry")),
            "payload": op.payload,
        }
    )


class PushMixin(HallSyncBase):
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
        kind = sync_registry.get(op.kind)
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
