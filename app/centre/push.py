"""The centre's push: each operation of a batch applied at most once, bad ones refused alone.

Every operation is first checked on its own (:mod:`app.sync.checks`): a payload the centre
cannot store (``bad_text``: a NUL pasted from the clipboard; ``bad_payload``: a value that
does not fit its column), or one naming another device of the centre (``other_device``),
is **refused** — answered ``rejected`` with its reason — and so are the operations of the
same batch that point at a refused row (``waits_for``); the rest of the batch is applied.
A refused operation leaves no ``op`` row, so when the PC sends it again (after a leader
cleaned it, or after an update) it is applied then and never answered ``duplicate``.

``retry`` in a refusal says whose fault it was. ``unknown_kind`` (a kind this centre does
not know yet: an older centre), ``centre_error`` (a statement failed for a reason the
checks did not foresee; logged) and ``waits_for`` are not the operation's fault: the PC
sends it again at its next sync. The others park it at the PC until a leader acts.

The valid operations are inserted into ``op`` with ``ON CONFLICT (op_id) DO NOTHING
RETURNING``: only the inserting call applies one, so a re-sent operation answers
``duplicate``. An operation an older centre flagged ``kind_not_writable`` (its registry was
half-built when fifty PCs pushed at once, issue 13 item 1) is applied when it is sent
again. The batch is applied set-based inside a savepoint (:mod:`app.centre.apply`); if a
statement still fails, each operation is applied again alone in its own savepoint, so one
bad operation never costs the others (and never a 500). Money is never refused for a
business reason: a payment for an unknown account, or an allocation to an unknown or
already-paid bill, is kept, its amount counted as unallocated credit, and the operation
answers ``flagged`` with a row in ``flag`` for the back office.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from app.centre.apply import ApplyMixin
from app.centre.base import (
    CentreError,
    DeviceCtx,
    payload_hash,
)
from app.centre.wire import Operation
from app.store import sync_registry
from app.store.sync_registry import Direction
from app.sync import checks

log = logging.getLogger(__name__)

#: Refusals that are not the operation's fault: the PC sends it again at its next sync.
RETRY_REASONS: Final = frozenset({"unknown_kind", "centre_error", "waits_for"})
#: Flags an older centre stored as final that may have been its own fault: an operation
#: flagged so is applied when it is sent again (if its kind is writable now).
REAPPLIED_FLAGS: Final = ("kind_not_writable",)
#: The first protocol version whose clients understand ``rejected``.
REJECTED_SINCE: Final = 2
#: Fields a money row cannot do without (the centre's ``payment``/``allocation`` columns).
_MONEY_FIELDS: Final = {
    "payment": ("id", "account_id", "amount_fen", "paid_at"),
    "payment_allocation": ("payment_id", "bill_id", "amount_fen"),
}

Refusal = tuple[str, dict[str, Any], bool]


class PushMixin(ApplyMixin):
    """Checks, claims and applies a batch (see the module docstring)."""

    def push(self, dev: DeviceCtx, ops: Sequence[Operation]) -> list[dict[str, Any]]:
        """Apply a batch in one transaction; one result per operation, in order."""
        rows: list[dict[str, Any]] = [
            {
                "op_id": str(o.op_id),
                "kind": o.kind,
                "key": o.key,
                "action": o.action,
                "payload_version": o.payload_version,
                "payload": o.payload,
            }
            for o in ops
        ]
        with self.engine.begin() as conn:
            refused = self._check(conn, dev, rows)
            results = self._store(
                conn, dev, [r for r in rows if r["op_id"] not in refused], refused
            )
            for r in rows:
                if r["op_id"] in refused:
                    reason, detail, retry = refused[r["op_id"]]
                    results[r["op_id"]] = {
                        "op_id": r["op_id"],
                        "result": "rejected",
                        "reason": reason,
                        "retry": retry,
                        "detail": detail,
                    }
            if refused and dev.protocol < REJECTED_SINCE:
                # A protocol-1 PC would take "rejected" for done and drop the operation:
                # nothing of the batch is kept, and it is told to update (its outbox stays).
                raise CentreError(
                    426,
                    "upgrade_required",
                    "the centre refused an operation of this batch: update HallDesk",
                )
            self._flag_refused(conn, dev, rows, refused)
            self.fault("push.before_commit")
        return [results[str(r["op_id"])] for r in rows]

    # checks

    def _check(
        self, conn: Connection, dev: DeviceCtx, rows: Sequence[Mapping[str, Any]]
    ) -> dict[str, Refusal]:
        """Each operation on its own: op id → why it is refused (see the module)."""
        refused: dict[str, Refusal] = {}
        named: dict[str, set[str]] = {}  # device codes a row names → its op ids
        for r in rows:
            found = checks.json_problem({"kind": r["kind"], "key": r["key"]}) or (
                checks.json_problem(r["payload"])
            )
            k = sync_registry.get(r["kind"])
            if found is not None:
                refused[r["op_id"]] = (found[0], {"field": found[1]}, False)
            elif k is None:
                refused[r["op_id"]] = ("unknown_kind", {"kind": r["kind"]}, True)
            elif k.direction == Direction.HALL and r["action"] == "upsert":
                p = r["payload"]
                problem = checks.payload_problem(k, p)
                missing = [f for f in _MONEY_FIELDS.get(k.name, ()) if p.get(f) is None]
                if problem is None and missing:
                    problem = ("bad_payload", missing[0])
                if problem is not None:
                    refused[r["op_id"]] = (problem[0], {"field": problem[1]}, False)
                    continue
                for code in _devices_named(p):
                    if code != dev.code:
                        named.setdefault(code, set()).add(r["op_id"])
        if named:
            others = conn.execute(
                text("SELECT code FROM device WHERE code = ANY(:codes)"),
                {"codes": sorted(named)},
            ).scalars()
            for code in others:
                for op_id in named[str(code)]:
                    refused.setdefault(op_id, ("other_device", {"device_code": str(code)}, False))
        return _with_dependants(rows, refused)

    def _flag_refused(
        self,
        conn: Connection,
        dev: DeviceCtx,
        rows: Sequence[Mapping[str, Any]],
        refused: Mapping[str, Refusal],
    ) -> None:
        """Refusals that are the operation's fault go on the back office's list too (its
        kind and key without the characters that could not be stored)."""
        flags = [
            {
                "h": dev.hall_id,
                "id": r["op_id"],
                "k": checks.clean_text(r["kind"]),
                "key": checks.clean_text(r["key"]),
                "r": refused[r["op_id"]][0],
                "d": json.dumps(checks.clean_text(refused[r["op_id"]][1]), ensure_ascii=False),
            }
            for r in rows
            if r["op_id"] in refused and not refused[r["op_id"]][2]
        ]
        if flags:
            conn.execute(
                text(
                    "INSERT INTO flag (hall_id, op_id, kind, key, reason, detail) "
                    "VALUES (:h, :id, :k, :key, :r, CAST(:d AS jsonb))"
                ),
                flags,
            )

    # storing

    def _store(
        self,
        conn: Connection,
        dev: DeviceCtx,
        rows: list[dict[str, Any]],
        refused: dict[str, Refusal],
    ) -> dict[str, dict[str, Any]]:
        """Claim and apply the operations that passed the checks (see the module)."""
        if not rows:
            return {}
        for r in rows:
            r["payload_hash"] = payload_hash(r["payload"])
        results, new = self._claim(conn, dev, rows)
        if not new:
            return results
        savepoint = conn.begin_nested()
        try:
            if any(r["action"] == "delete" for r in new):
                reasons = {r["op_id"]: self._apply(conn, dev, r["op_id"], r) for r in new}
                self._mark_flagged(conn, reasons)
            else:
                reasons = self._apply_batch(conn, dev, new)
            savepoint.commit()
        except DBAPIError:
            savepoint.rollback()
            log.exception("push of %d operations failed; applying them one by one", len(new))
            reasons = self._apply_each(conn, dev, new, refused)
        for r in new:
            if r["op_id"] in refused:
                continue
            reason = reasons.get(r["op_id"], "")
            results[r["op_id"]] = {
                "op_id": r["op_id"],
                "result": "flagged" if reason else "applied",
                "reason": reason,
            }
        return results

    def _apply_each(
        self,
        conn: Connection,
        dev: DeviceCtx,
        new: list[dict[str, Any]],
        refused: dict[str, Refusal],
    ) -> dict[str, str]:
        """Each operation in its own savepoint: one that still fails is refused alone
        (``centre_error``, sent again by the PC) and its ``op`` row removed."""
        reasons: dict[str, str] = {}
        failed: set[tuple[str, str]] = set()
        for r in new:
            parents = [p for p in _parents(r) if p in failed]
            if parents:
                refusal: Refusal = (
                    "waits_for",
                    {"kind": parents[0][0], "key": parents[0][1]},
                    True,
                )
            else:
                savepoint = conn.begin_nested()
                try:
                    reasons[r["op_id"]] = self._apply(conn, dev, r["op_id"], r)
                    savepoint.commit()
                    continue
                except DBAPIError as exc:
                    savepoint.rollback()
                    log.warning("operation %s (%s) refused: %s", r["op_id"], r["kind"], exc)
                    refusal = ("centre_error", {}, True)
            refused[r["op_id"]] = refusal
            failed.add((r["kind"], r["key"]))
            conn.execute(text("DELETE FROM op WHERE op_id = CAST(:id AS uuid)"), {"id": r["op_id"]})
        self._mark_flagged(conn, reasons)
        return reasons

    def _mark_flagged(self, conn: Connection, reasons: Mapping[str, str]) -> None:
        flagged = [{"n": reason, "id": op_id} for op_id, reason in reasons.items() if reason]
        if flagged:
            conn.execute(
                text("UPDATE op SET result = 'flagged', note = :n WHERE op_id = CAST(:id AS uuid)"),
                flagged,
            )

    def _claim(
        self, conn: Connection, dev: DeviceCtx, rows: list[dict[str, Any]]
    ) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
        """Insert the operations into ``op``: those this call inserted (or takes back from
        an older centre's ``kind_not_writable``) are new; the others are answered
        ``duplicate``, or flagged ``op_id_reused`` when their content differs."""
        batch = json.dumps(
            [
                {
                    k: r[k]
                    for k in (
                        "op_id",
                        "kind",
                        "key",
                        "action",
                        "payload_version",
                        "payload",
                        "payload_hash",
                    )
                }
                for r in rows
            ],
            ensure_ascii=False,
        )
        recordset = (
            "jsonb_to_recordset(CAST(:b AS jsonb)) AS x(op_id uuid, kind text, key text, "
            "action text, payload_version int, payload jsonb, payload_hash text)"
        )
        inserted = {
            str(r[0])
            for r in conn.execute(
                text(
                    "INSERT INTO op (op_id, hall_id, device_id, kind, key, action, "
                    "payload_version, payload, payload_hash, result) SELECT x.op_id, :h, :d, "
                    "x.kind, x.key, x.action, x.payload_version, x.payload, x.payload_hash, "
                    f"'applied' FROM {recordset} ON CONFLICT (op_id) DO NOTHING RETURNING op_id"
                ),
                {"b": batch, "h": dev.hall_id, "d": dev.device_id},
            )
        }
        results: dict[str, dict[str, Any]] = {}
        old_ids = [r["op_id"] for r in rows if r["op_id"] not in inserted]
        if old_ids:
            stored = {
                str(x[0]): (x[1], x[2], x[3], x[4])
                for x in conn.execute(
                    text(
                        "SELECT op_id, hall_id, payload_hash, result, note FROM op "
                        "WHERE op_id = ANY(CAST(:ids AS uuid[]))"
                    ),
                    {"ids": old_ids},
                )
            }
            again = [
                r["op_id"]
                for r in rows
                if r["op_id"] in stored
                and stored[r["op_id"]][:2] == (dev.hall_id, r["payload_hash"])
                and stored[r["op_id"]][2:] in (("flagged", n) for n in REAPPLIED_FLAGS)
                and _writable(r["kind"])
            ]
            if again:
                inserted |= self._take_back(conn, dev, again)
            for r in rows:
                if r["op_id"] in inserted or r["op_id"] in results:
                    continue
                hall_id, phash, _result, note = stored[r["op_id"]]
                if hall_id != dev.hall_id or phash != r["payload_hash"]:
                    # The same operation id with another payload (or from another hall).
                    self._flag(conn, dev.hall_id, r["op_id"], r, "op_id_reused", {})
                    results[r["op_id"]] = {
                        "op_id": r["op_id"],
                        "result": "flagged",
                        "reason": "op_id_reused",
                    }
                else:
                    results[r["op_id"]] = {
                        "op_id": r["op_id"],
                        "result": "duplicate",
                        "reason": note,
                    }
        seen: set[str] = set()
        new = []
        for r in rows:  # an operation twice in one batch is applied once
            if r["op_id"] in inserted and r["op_id"] not in seen:
                seen.add(r["op_id"])
                new.append(r)
        return results, new

    def _take_back(self, conn: Connection, dev: DeviceCtx, op_ids: list[str]) -> set[str]:
        """Operations an older centre flagged for its own fault: applied now (the row lock
        of the ``UPDATE`` lets one of two concurrent re-sends take each)."""
        taken = {
            str(x[0])
            for x in conn.execute(
                text(
                    "UPDATE op SET result = 'applied', note = '' "
                    "WHERE op_id = ANY(CAST(:ids AS uuid[])) AND hall_id = :h "
                    "AND result = 'flagged' AND note = ANY(:notes) RETURNING op_id"
                ),
                {"ids": op_ids, "h": dev.hall_id, "notes": list(REAPPLIED_FLAGS)},
            )
        }
        if taken:
            conn.execute(
                text(
                    "UPDATE flag SET resolved_at = now() WHERE op_id = ANY(CAST(:ids AS uuid[])) "
                    "AND reason = ANY(:notes) AND resolved_at IS NULL"
                ),
                {"ids": sorted(taken), "notes": list(REAPPLIED_FLAGS)},
            )
        return taken


def _writable(kind: str) -> bool:
    k = sync_registry.get(kind)
    return k is not None and k.direction == Direction.HALL


def _devices_named(payload: Mapping[str, Any]) -> set[str]:
    """Device codes a row names: its ``device_code`` and the device part of its receipt
    number (``D00003-00000042``)."""
    codes = set()
    code = payload.get("device_code")
    if isinstance(code, str) and code:
        codes.add(code)
    receipt = payload.get("receipt_no")
    if isinstance(receipt, str) and "-" in receipt:
        codes.add(receipt.rsplit("-", 1)[0])
    return codes


def _parents(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    k = sync_registry.get(str(row["kind"]))
    if k is None or not isinstance(row.get("payload"), Mapping):
        return []
    return checks.references(k, row["payload"])


def _with_dependants(
    rows: Sequence[Mapping[str, Any]], refused: dict[str, Refusal]
) -> dict[str, Refusal]:
    """Also refuse (``waits_for``) the operations of the batch that point at a refused
    row, so no PC of the hall ever pulls a child without its parent."""
    if not refused:
        return refused
    out = dict(refused)
    held = {(str(r["kind"]), str(r["key"])) for r in rows if r["op_id"] in out}
    for r in rows:
        if r["op_id"] in out:
            continue
        parents = [p for p in _parents(r) if p in held]
        if parents:
            out[r["op_id"]] = ("waits_for", {"kind": parents[0][0], "key": parents[0][1]}, True)
            held.add((str(r["kind"]), str(r["key"])))
    return out
