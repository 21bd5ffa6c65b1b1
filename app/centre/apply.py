"""Applying the centre's new operations (those the push claimed): set-based per batch in
the common case, one by one when a batch holds deletes or a statement failed. Money is
never refused for a business reason: a payment for an unknown account, or an allocation
to an unknown or already-paid bill, is kept, its amount counted as unallocated credit, and
the operation answers ``flagged`` with a row in ``flag`` for the back office.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, text

from app.centre.base import (
    CentreBase,
    DeviceCtx,
    as_int,
    records_json,
)
from app.centre.events import order_events
from app.store import sync_registry
from app.store.sync_registry import Direction


class ApplyMixin(CentreBase):
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
            k = sync_registry.get(r["kind"])
            if k is None or k.direction != Direction.HALL:
                flag(r, "kind_not_writable")
            elif (
                not all(c in r["payload"] for c in k.pk)
                or sync_registry.key_of(k, r["payload"]) != r["key"]
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
        immutable = [r for r in writable if sync_registry.kinds()[r["kind"]].immutable]
        mutable: dict[tuple[str, str], dict[str, Any]] = {}
        for r in writable:
            if not sync_registry.kinds()[r["kind"]].immutable:
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
        complaints = [r for r in writable if r["kind"] == "complaint" and r["op_id"] not in reasons]
        for r, number in repeated_complaint_numbers(conn, dev.hall_id, complaints):
            flag(r, "complaint_no_clash", number=number)
        events = [
            r for r in writable if r["kind"] == "complaint_event" and r["op_id"] not in reasons
        ]
        if events:
            for op_id, (reason, detail) in order_events(conn, dev.hall_id, events).items():
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
        repeated = {id(r): n for r, n in repeated_receipt_numbers(conn, dev.hall_id, payments)}
        unknown: list[str] = []
        for r in payments:
            p = r["payload"]
            if str(p.get("id")) not in found:  # not a payment the centre can count
                flag(r, "bad_payload")
                continue
            if str(p.get("account_id")) not in accounts:
                unknown.append(str(p.get("id")))
            if id(r) in repeated:
                flag(r, "receipt_no_clash", receipt_no=repeated[id(r)])
            elif str(p.get("account_id")) not in accounts:
                flag(r, "unknown_account", amount_fen=p.get("amount_fen"))
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
        k = sync_registry.get(str(o.get("kind", "")))
        payload: Mapping[str, Any] = o.get("payload") or {}
        if k is None or k.direction != Direction.HALL:
            self._flag(conn, dev.hall_id, op_id, o, "kind_not_writable", {})
            return "kind_not_writable"
        key = sync_registry.key_of(k, payload) if all(c in payload for c in k.pk) else ""
        if not key or key != str(o.get("key", key)):
            self._flag(conn, dev.hall_id, op_id, o, "bad_key", {})
            return "bad_key"
        params = {"h": dev.hall_id, "k": k.name, "key": key, "p": sync_registry.dumps(payload)}
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
        if k.name == "complaint" and not reason:
            row = {"op_id": op_id, "key": key, "payload": payload}
            for _row, number in repeated_complaint_numbers(conn, dev.hall_id, [row]):
                reason = "complaint_no_clash"
                self._flag(conn, dev.hall_id, op_id, o, reason, {"number": number})
        if k.name == "complaint_event" and not reason:
            row = {"op_id": op_id, "payload": payload}
            for reason, detail in order_events(conn, dev.hall_id, [row]).values():
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
        row = {"h": dev.hall_id, "p": sync_registry.dumps(p)}
        self._money_rows(conn, dev.hall_id, [row])
        found = conn.execute(
            text("SELECT 1 FROM payment WHERE hall_id = :h AND id = CAST(:id AS uuid)"),
            {"h": dev.hall_id, "id": str(p.get("id"))},
        ).first()
        if found is None:  # not a payment the centre can count
            self._flag(conn, dev.hall_id, op_id, o, "bad_payload", {})
            return "bad_payload"
        reason = ""
        for _row, number in repeated_receipt_numbers(conn, dev.hall_id, [{"payload": p}]):
            reason = "receipt_no_clash"
            self._flag(conn, dev.hall_id, op_id, o, reason, {"receipt_no": number})
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
            if not reason:
                reason = "unknown_account"
                self._flag(conn, dev.hall_id, op_id, o, reason, {"amount_fen": p.get("amount_fen")})
        return reason

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


def _repeated(
    conn: Connection,
    sql: str,
    hall_id: int,
    rows: list[dict[str, Any]],
    number_of: Callable[[Mapping[str, Any]], str],
    key_of: Callable[[dict[str, Any]], str],
) -> list[tuple[dict[str, Any], str]]:
    """The rows whose number (``number_of`` their payload) another row of the hall holds
    too, by ``sql`` (number, key of each holder of the numbers ``:n``), with the number."""
    numbers = sorted({number_of(r["payload"]) for r in rows} - {""})
    if not numbers:
        return []
    holders: dict[str, set[str]] = {}
    for number, key in conn.execute(text(sql), {"h": hall_id, "n": numbers}):
        holders.setdefault(str(number), set()).add(str(key))
    found = []
    for r in rows:
        number = number_of(r["payload"])
        if holders.get(number, set()) - {key_of(r)}:
            found.append((r, number))
    return found


def repeated_receipt_numbers(
    conn: Connection, hall_id: int, rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str]]:
    """The stored payments among ``rows`` (by payload) whose receipt number another
    payment of the hall holds too. A PC restored with its number mark repeats numbers it
    issued before the copy: both customers hold receipts with it, and both payments are
    money the hall took, so both are kept and counted; the repeat is flagged."""
    return _repeated(
        conn,
        "SELECT receipt_no, id FROM payment WHERE hall_id = :h AND receipt_no = ANY(:n)",
        hall_id,
        rows,
        lambda p: str(p.get("receipt_no") or ""),
        lambda r: str(uuid.UUID(str(r["payload"]["id"]))),
    )


def repeated_complaint_numbers(
    conn: Connection, hall_id: int, rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str]]:
    """The stored complaint rows among ``rows`` whose number another complaint of the hall
    holds too, with that number. A PC restored with its number mark repeats numbers it
    issued before the copy: both customers hold slips with it and both complaints are
    kept (and pulled by every PC); the repeat is flagged for the back office, the way a
    repeated receipt number is (``receipt_no_clash``)."""
    return _repeated(
        conn,
        "SELECT payload->>'number', key FROM record WHERE hall_id = :h "
        "AND kind = 'complaint' AND payload->>'number' = ANY(:n)",
        hall_id,
        rows,
        lambda p: str(p.get("number") or ""),
        lambda r: str(r["key"]),
    )
