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
again. The batch is applied set-based inside a savepoint; if a statement still fails, each
operation is applied again alone in its own savepoint, so one bad operation never costs
the others (and never a 500). Money is never refused for a business reason: a payment for
an unknown account, or an allocation to an unknown or already-paid bill, is kept, its
amount counted as unallocated credit, and the operation answers ``flagged`` with a row in
``flag`` for the back office.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from app.centre.base import (
    CentreBase,
    CentreError,
    DeviceCtx,
    as_int,
    payload_hash,
    records_json,
)
from app.centre.wire import Operation
from app.domain.complaint_flow import Event, EventKind, replay
from app.sync import checks, registry
from app.sync.registry import Direction

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


class PushMixin(CentreBase):
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
            k = registry.get(r["kind"])
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

    def _apply_batch(
        self, conn: Connection, dev: DeviceCtx, new: list[dict[str, Any]]
    ) -> dict[str, str]:
        """The common case (no deletes), set-based: a handful of statements per batch.
        Returns op id → flag reason of the flagged ones."""
        reasons: dict[str, str] = {}
        flags: list[dict[str, Any]] = []

        def flag(r: Mapping[str, Any], reason: str, **detail: Any) -> None:
            reasons[r["op_id"]] = reason
            flags.append(
                {
                    "h": dev.hall_id,
                    "id": r["op_id"],
                    "k": r["kind"],
                    "key": r["key"],
                    "r": reason,
                    "d": json.dumps(detail, ensure_ascii=False),
                }
            )

        writable: list[dict[str, Any]] = []
        for r in new:
            k = registry.get(r["kind"])
            if k is None or k.direction != Direction.HALL:
                flag(r, "kind_not_writable")
            elif (
                not all(c in r["payload"] for c in k.pk)
                or registry.key_of(k, r["payload"]) != r["key"]
            ):
                flag(r, "bad_key")
            else:
                writable.append(r)
        payments = [r for r in writable if r["kind"] == "payment"]
        if payments:
            self._batch_payments(conn, dev, payments, flag)
        allocations = [r for r in writable if r["kind"] == "payment_allocation"]
        if allocations:
            self._batch_allocations(conn, dev, allocations, flag)
        immutable = [r for r in writable if registry.kinds()[r["kind"]].immutable]
        mutable: dict[tuple[str, str], dict[str, Any]] = {}
        for r in writable:
            if not registry.kinds()[r["kind"]].immutable:
                mutable[(r["kind"], r["key"])] = r  # the last write of a key wins
        records = "jsonb_to_recordset(CAST(:b AS jsonb)) AS x(kind text, key text, payload jsonb)"
        if mutable:
            conn.execute(
                text(
                    "INSERT INTO record (hall_id, kind, key, payload) SELECT :h, x.kind, x.key, "
                    f"x.payload FROM {records} ON CONFLICT (hall_id, kind, key) DO UPDATE SET "
                    "payload = EXCLUDED.payload, updated_at = now()"
                ),
                {"h": dev.hall_id, "b": records_json(mutable.values())},
            )
        if immutable:
            unique: dict[tuple[str, str], dict[str, Any]] = {}
            for r in immutable:
                unique.setdefault((r["kind"], r["key"]), r)
            stored_keys = {
                (str(x[0]), str(x[1]))
                for x in conn.execute(
                    text(
                        "INSERT INTO record (hall_id, kind, key, payload) SELECT :h, x.kind, "
                        f"x.key, x.payload FROM {records} ON CONFLICT DO NOTHING "
                        "RETURNING kind, key"
                    ),
                    {"h": dev.hall_id, "b": records_json(unique.values())},
                )
            }
            existing = [r for kk, r in unique.items() if kk not in stored_keys]
            if existing:
                differs = {
                    (str(x[0]), str(x[1]))
                    for x in conn.execute(
                        text(
                            f"UPDATE record SET updated_at = now() FROM {records} "
                            "WHERE record.hall_id = :h AND record.kind = x.kind "
                            "AND record.key = x.key RETURNING x.kind, x.key, "
                            "record.payload = x.payload"
                        ),
                        {"h": dev.hall_id, "b": records_json(existing)},
                    )
                    if not x[2]
                }
                for r in immutable:
                    if (r["kind"], r["key"]) in differs and r["op_id"] not in reasons:
                        flag(r, "conflicting_copy")
        events = [
            r for r in writable if r["kind"] == "complaint_event" and r["op_id"] not in reasons
        ]
        if events:
            for op_id, (reason, detail) in self._order_events(conn, dev.hall_id, events).items():
                flag(next(r for r in events if r["op_id"] == op_id), reason, **detail)
        if flags:
            conn.execute(
                text(
                    "INSERT INTO flag (hall_id, op_id, kind, key, reason, detail) "
                    "VALUES (:h, :id, :k, :key, :r, CAST(:d AS jsonb))"
                ),
                flags,
            )
            conn.execute(
                text(
                    "UPDATE op SET result = 'flagged', note = x.reason FROM jsonb_to_recordset("
                    "CAST(:b AS jsonb)) AS x(op_id uuid, reason text) WHERE op.op_id = x.op_id"
                ),
                {"b": json.dumps([{"op_id": i, "reason": r} for i, r in reasons.items()])},
            )
        return reasons

    def _batch_payments(
        self,
        conn: Connection,
        dev: DeviceCtx,
        payments: list[dict[str, Any]],
        flag: Callable[..., None],
    ) -> None:
        payloads = json.dumps([r["payload"] for r in payments], ensure_ascii=False)
        conn.execute(
            text(
                "INSERT INTO payment (hall_id, id, device_code, day, amount_fen, account_id, "
                "receipt_no, unallocated_fen) SELECT :h, CAST(p->>'id' AS uuid), "
                "coalesce(p->>'device_code', ''), "
                "CAST(CAST(p->>'paid_at' AS timestamptz) AT TIME ZONE 'UTC' AS date), "
                "CAST(p->>'amount_fen' AS bigint), CAST(p->>'account_id' AS bigint), "
                "p->>'receipt_no', 0 FROM jsonb_array_elements(CAST(:b AS jsonb)) AS p "
                "ON CONFLICT DO NOTHING"
            ),
            {"h": dev.hall_id, "b": payloads},
        )
        ids = [str(r["payload"].get("id")) for r in payments]
        found = {
            str(x[0])
            for x in conn.execute(
                text(
                    "SELECT id FROM payment WHERE hall_id = :h AND id = ANY(CAST(:ids AS uuid[]))"
                ),
                {"h": dev.hall_id, "ids": ids},
            )
        }
        accounts = {
            str(x[0])
            for x in conn.execute(
                text(
                    "SELECT key FROM record WHERE hall_id = :h AND kind = 'account' "
                    "AND key = ANY(:keys)"
                ),
                {"h": dev.hall_id, "keys": [str(r["payload"].get("account_id")) for r in payments]},
            )
        }
        unknown: list[str] = []
        for r in payments:
            p = r["payload"]
            if str(p.get("id")) not in found:
                flag(r, "receipt_no_clash", receipt_no=p.get("receipt_no"))
            elif str(p.get("account_id")) not in accounts:
                flag(r, "unknown_account", amount_fen=p.get("amount_fen"))
                unknown.append(str(p.get("id")))
        if unknown:
            conn.execute(
                text(
                    "UPDATE payment SET unallocated_fen = amount_fen "
                    "WHERE hall_id = :h AND id = ANY(CAST(:ids AS uuid[]))"
                ),
                {"h": dev.hall_id, "ids": unknown},
            )

    def _batch_allocations(
        self,
        conn: Connection,
        dev: DeviceCtx,
        allocations: list[dict[str, Any]],
        flag: Callable[..., None],
    ) -> None:
        bill_keys = sorted({str(r["payload"].get("bill_id")) for r in allocations})
        amounts = {
            str(x[0]): int(x[1])
            for x in conn.execute(
                text(
                    "SELECT key, CAST(payload->>'amount_fen' AS bigint) FROM record "
                    "WHERE hall_id = :h AND kind = 'bill' AND key = ANY(:keys) "
                    "ORDER BY key FOR UPDATE"
                ),
                {"h": dev.hall_id, "keys": bill_keys},
            )
        }
        paid = {
            str(x[0]): int(x[1])
            for x in conn.execute(
                text(
                    "SELECT bill_id, coalesce(sum(amount_fen), 0) FROM allocation "
                    "WHERE hall_id = :h AND bill_id = ANY(:ids) AND applied GROUP BY bill_id"
                ),
                {"h": dev.hall_id, "ids": [as_int(k) for k in bill_keys]},
            )
        }
        known = {
            (str(x[0]), str(x[1]))
            for x in conn.execute(
                text(
                    "SELECT payment_id, bill_id FROM allocation WHERE hall_id = :h "
                    "AND payment_id = ANY(CAST(:ids AS uuid[]))"
                ),
                {
                    "h": dev.hall_id,
                    "ids": [str(r["payload"].get("payment_id")) for r in allocations],
                },
            )
        }
        new_rows: list[dict[str, Any]] = []
        credits: list[dict[str, Any]] = []
        for r in allocations:
            p = r["payload"]
            pair = (str(p.get("payment_id")), str(as_int(str(p.get("bill_id")))))
            if pair in known:
                continue  # the same allocation again (a re-sent day): already counted
            known.add(pair)
            amount = int(p.get("amount_fen", 0))
            bill = str(p.get("bill_id"))
            reason = ""
            if bill not in amounts:
                reason = "unknown_bill"
            elif amount > 0 and paid.get(str(as_int(bill)), 0) + amount > amounts[bill]:
                reason = "bill_already_paid"
            if reason:
                flag(r, reason, bill_id=bill, amount_fen=amount)
                credits.append({"h": dev.hall_id, "pid": pair[0], "a": amount})
            else:
                paid[str(as_int(bill))] = paid.get(str(as_int(bill)), 0) + amount
            new_rows.append(
                {"h": dev.hall_id, "pid": pair[0], "b": as_int(bill), "a": amount, "ok": not reason}
            )
        if new_rows:
            conn.execute(
                text(
                    "INSERT INTO allocation (hall_id, payment_id, bill_id, amount_fen, applied) "
                    "VALUES (:h, CAST(:pid AS uuid), :b, :a, :ok) ON CONFLICT DO NOTHING"
                ),
                new_rows,
            )
        if credits:
            conn.execute(
                text(
                    "UPDATE payment SET unallocated_fen = unallocated_fen + :a "
                    "WHERE hall_id = :h AND id = CAST(:pid AS uuid)"
                ),
                credits,
            )

    def _apply(self, conn: Connection, dev: DeviceCtx, op_id: str, o: Mapping[str, Any]) -> str:
        """Apply one new operation; the flag reason, or '' when applied as it is."""
        k = registry.get(str(o.get("kind", "")))
        payload: Mapping[str, Any] = o.get("payload") or {}
        if k is None or k.direction != Direction.HALL:
            self._flag(conn, dev.hall_id, op_id, o, "kind_not_writable", {})
            return "kind_not_writable"
        key = registry.key_of(k, payload) if all(c in payload for c in k.pk) else ""
        if not key or key != str(o.get("key", key)):
            self._flag(conn, dev.hall_id, op_id, o, "bad_key", {})
            return "bad_key"
        params = {"h": dev.hall_id, "k": k.name, "key": key, "p": registry.dumps(payload)}
        if o.get("action") == "delete":
            if k.immutable:
                self._flag(conn, dev.hall_id, op_id, o, "append_only", {})
                return "append_only"
            conn.execute(
                text("DELETE FROM record WHERE hall_id = :h AND kind = :k AND key = :key"), params
            )
            return ""
        reason = ""
        if k.name == "payment":
            reason = self._payment(conn, dev, op_id, o, payload)
        elif k.name == "payment_allocation":
            reason = self._allocation(conn, dev, op_id, o, payload)
        if k.immutable:
            stored = conn.execute(
                text(
                    "INSERT INTO record (hall_id, kind, key, payload) VALUES (:h, :k, :key, "
                    "CAST(:p AS jsonb)) ON CONFLICT DO NOTHING RETURNING key"
                ),
                params,
            ).first()
            if stored is None:
                same = conn.execute(
                    text(
                        "SELECT payload = CAST(:p AS jsonb) FROM record "
                        "WHERE hall_id = :h AND kind = :k AND key = :key"
                    ),
                    params,
                ).scalar_one()
                if not same and not reason:
                    reason = "conflicting_copy"
                    self._flag(conn, dev.hall_id, op_id, o, reason, {})
                # Logged again, so the sender pulls the centre's copy.
                conn.execute(
                    text(
                        "UPDATE record SET updated_at = now() "
                        "WHERE hall_id = :h AND kind = :k AND key = :key"
                    ),
                    params,
                )
        else:
            conn.execute(
                text(
                    "INSERT INTO record (hall_id, kind, key, payload) VALUES (:h, :k, :key, "
                    "CAST(:p AS jsonb)) ON CONFLICT (hall_id, kind, key) DO UPDATE SET "
                    "payload = EXCLUDED.payload, updated_at = now()"
                ),
                params,
            )
        if k.name == "complaint_event" and not reason:
            row = {"op_id": op_id, "payload": payload}
            for reason, detail in self._order_events(conn, dev.hall_id, [row]).values():
                self._flag(conn, dev.hall_id, op_id, o, reason, detail)
        return reason

    def _payment(
        self,
        conn: Connection,
        dev: DeviceCtx,
        op_id: str,
        o: Mapping[str, Any],
        p: Mapping[str, Any],
    ) -> str:
        row = {"h": dev.hall_id, "p": registry.dumps(p)}
        self._money_rows(conn, dev.hall_id, [row])
        found = conn.execute(
            text("SELECT 1 FROM payment WHERE hall_id = :h AND id = CAST(:id AS uuid)"),
            {"h": dev.hall_id, "id": str(p.get("id"))},
        ).first()
        if found is None:  # the receipt number is taken (by another device of the hall)
            self._flag(
                conn, dev.hall_id, op_id, o, "receipt_no_clash", {"receipt_no": p.get("receipt_no")}
            )
            return "receipt_no_clash"
        account = conn.execute(
            text("SELECT 1 FROM record WHERE hall_id = :h AND kind = 'account' AND key = :a"),
            {"h": dev.hall_id, "a": str(p.get("account_id"))},
        ).first()
        if account is None:
            conn.execute(
                text(
                    "UPDATE payment SET unallocated_fen = amount_fen "
                    "WHERE hall_id = :h AND id = CAST(:id AS uuid)"
                ),
                {"h": dev.hall_id, "id": str(p.get("id"))},
            )
            self._flag(
                conn, dev.hall_id, op_id, o, "unknown_account", {"amount_fen": p.get("amount_fen")}
            )
            return "unknown_account"
        return ""

    def _allocation(
        self,
        conn: Connection,
        dev: DeviceCtx,
        op_id: str,
        o: Mapping[str, Any],
        p: Mapping[str, Any],
    ) -> str:
        amount = int(p.get("amount_fen", 0))
        bill_key = str(p.get("bill_id"))
        known = conn.execute(
            text(
                "SELECT 1 FROM allocation WHERE hall_id = :h AND payment_id = CAST(:pid AS uuid) "
                "AND bill_id = :b"
            ),
            {"h": dev.hall_id, "pid": str(p.get("payment_id")), "b": as_int(bill_key)},
        ).first()
        if known is not None:  # the same allocation again (a re-sent day): already counted
            return ""
        bill = conn.execute(
            text(
                "SELECT CAST(payload->>'amount_fen' AS bigint) FROM record "
                "WHERE hall_id = :h AND kind = 'bill' AND key = :b FOR UPDATE"
            ),
            {"h": dev.hall_id, "b": bill_key},
        ).first()
        reason = ""
        if bill is None:
            reason = "unknown_bill"
        elif amount > 0:
            paid = conn.execute(
                text(
                    "SELECT coalesce(sum(amount_fen), 0) FROM allocation "
                    "WHERE hall_id = :h AND bill_id = :b AND applied"
                ),
                {"h": dev.hall_id, "b": as_int(bill_key)},
            ).scalar_one()
            if int(paid) + amount > int(bill[0]):
                reason = "bill_already_paid"
        params = {
            "h": dev.hall_id,
            "pid": str(p.get("payment_id")),
            "b": as_int(bill_key),
            "a": amount,
            "ok": not reason,
        }
        conn.execute(
            text(
                "INSERT INTO allocation (hall_id, payment_id, bill_id, amount_fen, applied) "
                "VALUES (:h, CAST(:pid AS uuid), :b, :a, :ok) ON CONFLICT DO NOTHING"
            ),
            params,
        )
        if reason:
            conn.execute(
                text(
                    "UPDATE payment SET unallocated_fen = unallocated_fen + :a "
                    "WHERE hall_id = :h AND id = CAST(:pid AS uuid)"
                ),
                params,
            )
            self._flag(
                conn, dev.hall_id, op_id, o, reason, {"bill_id": bill_key, "amount_fen": amount}
            )
        return reason

    # complaint events

    def _order_events(
        self, conn: Connection, hall_id: int, rows: Sequence[Mapping[str, Any]]
    ) -> dict[str, tuple[str, dict[str, Any]]]:
        """Give each newly stored complaint event its place in its complaint's history (the
        next ``centre_seq``) and replay the complaint's flow in that order: an event that is
        no longer a valid step is kept and ordered too, but flagged (``invalid_transition``),
        and its effect is left out of the replay. The order travels down to every PC of the
        hall as a ``complaint_event_order`` record. Returns op id → (reason, detail) of the
        flagged ones. Events of one complaint are serialised by a transaction lock."""
        by_complaint: dict[str, list[Mapping[str, Any]]] = {}
        for r in rows:
            by_complaint.setdefault(str(r["payload"].get("complaint_id")), []).append(r)
        flagged: dict[str, tuple[str, dict[str, Any]]] = {}
        for cid in sorted(by_complaint):
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                {"k": f"{hall_id}|complaint|{cid}"},
            )
            stored = {
                str(x[0]): x[1]
                for x in conn.execute(
                    text(
                        "SELECT key, payload FROM record WHERE hall_id = :h "
                        "AND kind = 'complaint_event' AND payload->>'complaint_id' = :c"
                    ),
                    {"h": hall_id, "c": cid},
                )
            }
            orders = {
                str(x[0]): x[1]
                for x in conn.execute(
                    text(
                        "SELECT key, payload FROM record WHERE hall_id = :h "
                        "AND kind = 'complaint_event_order' AND payload->>'complaint_id' = :c"
                    ),
                    {"h": hall_id, "c": cid},
                )
            }
            ordered = sorted(
                (k for k in orders if k in stored), key=lambda k: int(orders[k]["centre_seq"])
            )
            new_keys = [str(r["payload"].get("id")) for r in by_complaint[cid]]
            # Events stored before the centre ordered events (none are, after an upgrade of
            # the centre, but kept safe): by their time, then id, ahead of this batch.
            earlier = sorted(
                (k for k in stored if k not in orders and k not in new_keys),
                key=lambda k: (str(stored[k].get("at")), k),
            )
            todo = [k for k in dict.fromkeys([*earlier, *new_keys]) if k not in orders]
            history = [*ordered, *todo]
            skip = [i for i, k in enumerate(ordered) if orders[k].get("flagged")]
            try:
                _state, refused = replay([_flow_event(stored[k]) for k in history], skip)
                refused_keys = {history[i] for i in refused}
            except ValueError:  # no 'received' event: every step is kept, and flagged
                refused_keys = set(history)
            next_seq = max((int(orders[k]["centre_seq"]) for k in ordered), default=0)
            out: list[dict[str, Any]] = []
            for key in todo:
                next_seq += 1
                bad = key in refused_keys
                out.append(
                    {
                        "event_id": key,
                        "complaint_id": cid,
                        "centre_seq": next_seq,
                        "flagged": bad,
                        "reason": "invalid_transition" if bad else "",
                    }
                )
                if bad:
                    for r in by_complaint[cid]:
                        if str(r["payload"].get("id")) == key:
                            flagged[str(r["op_id"])] = (
                                "invalid_transition",
                                {"complaint_id": cid, "kind": stored[key].get("kind")},
                            )
            if out:
                conn.execute(
                    text(
                        "INSERT INTO record (hall_id, kind, key, payload) VALUES (:h, "
                        "'complaint_event_order', :key, CAST(:p AS jsonb)) ON CONFLICT DO NOTHING"
                    ),
                    [{"h": hall_id, "key": o["event_id"], "p": registry.dumps(o)} for o in out],
                )
        return flagged


def _flow_event(p: Mapping[str, Any]) -> Event:
    """What the complaint flow needs of a stored event's payload."""
    return Event(
        kind=EventKind(str(p["kind"])),
        at=datetime.fromisoformat(str(p["at"])),
        department=p.get("department"),
        category=p.get("category"),
        subcategory=p.get("subcategory"),
        satisfaction=p.get("satisfaction"),
        fault_notice_id=p.get("fault_notice_id"),
    )


def _writable(kind: str) -> bool:
    k = registry.get(kind)
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
    k = registry.get(str(row["kind"]))
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
