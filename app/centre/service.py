"""The centre's sync logic over PostgreSQL, independent of HTTP.

:meth:`Centre.handle` is the one entry point for devices (the FastAPI app and the
in-process test transport both call it). The hall is always derived from the device's
credential; a hall id inside a payload is never used for scope.

Push: each operation is inserted into ``op`` with ``ON CONFLICT (op_id) DO NOTHING``; only
the inserting call applies it, so a re-sent operation answers ``duplicate``. Money is never
refused for a business reason: a payment for an unknown account, or an allocation to an
unknown or already-paid bill, is kept, its amount counted as unallocated credit, and the
operation answers ``flagged`` with a row in ``flag`` for the back office.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, text

from app.domain.complaint_flow import Event, EventKind, replay
from app.sync import registry
from app.sync.cursor import PullCursor
from app.sync.protocol import (
    PROTOCOL_MAX,
    PROTOCOL_MIN,
    PULL_PAGE,
    PULL_PAGE_MAX,
    SNAPSHOT_PAGE,
    RawJSON,
)
from app.sync.registry import Direction

ENROL_VALID: Final = timedelta(days=7)


class CentreError(Exception):
    """A refusal with its HTTP status (the in-process transport maps it the same way)."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class DeviceCtx:
    device_id: int
    hall_id: int
    code: str
    hall_code: str
    epoch: int


def _records_json(rows: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps(
        [{"kind": r["kind"], "key": r["key"], "payload": r["payload"]} for r in rows],
        ensure_ascii=False,
    )


def _int(value: str) -> int:
    return int(value) if value.lstrip("-").isdigit() else 0


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(registry.dumps(payload).encode()).hexdigest()


def pg_url(url: str) -> str:
    """``postgresql://`` → the psycopg 3 driver URL SQLAlchemy needs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def centre_engine(url: str) -> Engine:
    return create_engine(pg_url(url), pool_pre_ping=True, pool_size=10, max_overflow=10)


def migrate(engine: Engine) -> None:
    """Bring the centre's schema to its head (its own Alembic scripts)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("version_table", "alembic_version")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Centre:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        #: Test hook: called with a point name inside a push transaction (may raise).
        self.fault: Callable[[str], None] = lambda _point: None

    # --- administration ---------------------------------------------------------------------

    def ensure_hall(self, code: str, name: str = "", timezone: str = "Asia/Shanghai") -> int:
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO hall (code, name, timezone) VALUES (:c, :n, :tz) "
                    "ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id"
                ),
                {"c": code, "n": name or code, "tz": timezone},
            ).one()
        return int(row[0])

    def hall_id(self, conn: Connection, code: str) -> int:
        row = conn.execute(text("SELECT id FROM hall WHERE code = :c"), {"c": code}).first()
        if row is None:
            raise CentreError(404, "unknown_hall", code)
        return int(row[0])

    def enrol_device(self, hall_code: str) -> tuple[str, str]:
        """A new device of the hall and its one-time enrolment code (valid for 7 days)."""
        code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            device_id = conn.execute(
                text(
                    "INSERT INTO device (hall_id, code, enrol_code_hash, enrol_expires) "
                    "VALUES (:h, 'new-' || gen_random_uuid(), :e, :x) RETURNING id"
                ),
                {"h": hall_id, "e": _hash(code), "x": self.clock() + ENROL_VALID},
            ).scalar_one()
            device_code = f"D{int(device_id):05d}"
            conn.execute(
                text("UPDATE device SET code = :c WHERE id = :i"),
                {"c": device_code, "i": device_id},
            )
        return device_code, code

    def revoke_device(self, device_code: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("UPDATE device SET revoked = true WHERE code = :c"), {"c": device_code}
            )

    def put_records(self, hall_code: str, kind: str, payloads: Iterable[Mapping[str, Any]]) -> int:
        """Centre-side writes (the back office, a load, a test): upsert by key."""
        k = registry.get(kind)
        if k is None:
            raise CentreError(400, "unknown_kind", kind)
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            return self._put(conn, hall_id, k, payloads)

    def _put(
        self,
        conn: Connection,
        hall_id: int,
        k: registry.Kind,
        payloads: Iterable[Mapping[str, Any]],
    ) -> int:
        rows = [
            {
                "h": hall_id,
                "k": k.name,
                "key": registry.key_of(k, p),
                "p": registry.dumps(registry.without_local(k, p)),
            }
            for p in payloads
            if k.travels(p)
        ]
        if not rows:
            return 0
        conn.execute(
            text(
                "INSERT INTO record (hall_id, kind, key, payload) VALUES (:h, :k, :key, "
                "CAST(:p AS jsonb)) ON CONFLICT (hall_id, kind, key) DO UPDATE SET "
                "payload = EXCLUDED.payload, updated_at = now() "
                "WHERE record.payload IS DISTINCT FROM EXCLUDED.payload"
            ),
            rows,
        )
        if k.name == "payment":
            self._money_rows(conn, hall_id, rows)
        elif k.name == "payment_allocation":
            conn.execute(
                text(
                    "INSERT INTO allocation (hall_id, payment_id, bill_id, amount_fen, applied) "
                    "SELECT :h, CAST(p->>'payment_id' AS uuid), CAST(p->>'bill_id' AS bigint), "
                    "CAST(p->>'amount_fen' AS bigint), true FROM (SELECT CAST(:p AS jsonb) AS p) s "
                    "ON CONFLICT DO NOTHING"
                ),
                rows,
            )
        return len(rows)

    def _money_rows(self, conn: Connection, hall_id: int, rows: list[dict[str, Any]]) -> None:
        conn.execute(
            text(
                "INSERT INTO payment (hall_id, id, device_code, day, amount_fen, account_id, "
                "receipt_no, unallocated_fen) SELECT :h, CAST(p->>'id' AS uuid), "
                "coalesce(p->>'device_code', ''), "
                "CAST(CAST(p->>'paid_at' AS timestamptz) AT TIME ZONE 'UTC' AS date), "
                "CAST(p->>'amount_fen' AS bigint), CAST(p->>'account_id' AS bigint), "
                "p->>'receipt_no', 0 FROM (SELECT CAST(:p AS jsonb) AS p) s ON CONFLICT DO NOTHING"
            ),
            rows,
        )

    def delete_record(self, hall_code: str, kind: str, key: str) -> None:
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            conn.execute(
                text("DELETE FROM record WHERE hall_id = :h AND kind = :k AND key = :key"),
                {"h": hall_id, "k": kind, "key": key},
            )

    def purge_log(self, hall_code: str) -> None:
        """Forget the hall's change log below the current watermark (tombstones included):
        a PC whose cursor is older must then re-download everything."""
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            xmin = conn.execute(
                text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            ).scalar_one()
            conn.execute(
                text("DELETE FROM change_log WHERE hall_id = :h AND txid::text::bigint < :x"),
                {"h": hall_id, "x": xmin},
            )
            conn.execute(
                text("UPDATE hall SET purged_txid = :x WHERE id = :h"), {"h": hall_id, "x": xmin}
            )

    def bump_epoch(self, hall_code: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("UPDATE hall SET epoch = epoch + 1 WHERE code = :c"), {"c": hall_code}
            )

    def load_store(self, hall_code: str, path: Path, batch: int = 5000) -> dict[str, int]:
        """Upload a hall store's rows of every syncable kind into the hall's scope."""
        from sqlalchemy import select

        from app.store.database import open_store, sqlite_url

        store = open_store(sqlite_url(path))
        counts: dict[str, int] = {}
        try:
            with store.engine.connect() as src, self.engine.begin() as conn:
                hall_id = self.hall_id(conn, hall_code)
                for k in registry.ordered():
                    n = 0
                    result = src.execution_options(yield_per=batch).execute(select(k.table))
                    for part in result.mappings().partitions(batch):
                        n += self._put(
                            conn, hall_id, k, [registry.encode_row(dict(r)) for r in part]
                        )
                    counts[k.name] = n
        finally:
            store.close()
        return counts

    # --- the device API ---------------------------------------------------------------------

    def handle(self, endpoint: str, body: Mapping[str, Any], credential: str | None) -> Any:
        version = body.get("protocol")
        if not isinstance(version, int) or not PROTOCOL_MIN <= version <= PROTOCOL_MAX:
            raise CentreError(426, "upgrade_required", f"protocol {version!r} is not served")
        if endpoint == "enrol":
            return self.enrol(str(body.get("code", "")))
        if endpoint not in ("meta", "push", "pull", "snapshot", "sanity"):
            raise CentreError(404, "unknown_endpoint", endpoint)
        dev = self.authenticate(credential)
        if endpoint == "meta":
            return {
                "protocol_min": PROTOCOL_MIN,
                "protocol_max": PROTOCOL_MAX,
                "server_time": self.clock().isoformat(),
                "device_code": dev.code,
                "hall_code": dev.hall_code,
                "epoch": dev.epoch,
                "receipt_high": self.receipt_high(dev),
            }
        if endpoint == "push":
            return {"results": self.push(dev, list(body.get("ops", [])))}
        if endpoint == "pull":
            try:
                cursor = PullCursor.from_wire(body.get("cursor"))
            except (ValueError, TypeError, IndexError, AttributeError) as exc:
                raise CentreError(400, "bad_cursor", str(exc)) from exc
            return self.pull(
                dev,
                cursor,
                int(body.get("epoch", 0)),
                min(int(body.get("limit", PULL_PAGE)), PULL_PAGE_MAX),
            )
        if endpoint == "snapshot":
            return self.snapshot(
                dev, body.get("after"), min(int(body.get("limit", 0)) or SNAPSHOT_PAGE, 10000)
            )
        return self.sanity(dev, str(body.get("since", "")), list(body.get("days", [])))

    def enrol(self, code: str) -> dict[str, Any]:
        credential = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "UPDATE device d SET credential_hash = :c, enrol_code_hash = NULL, "
                    "enrolled_at = now() FROM hall h WHERE h.id = d.hall_id AND "
                    "d.enrol_code_hash = :e AND d.enrol_expires > :now AND NOT d.revoked "
                    "RETURNING d.code, h.code, h.name, h.epoch"
                ),
                {"c": _hash(credential), "e": _hash(code.strip().upper()), "now": self.clock()},
            ).first()
        if row is None:
            raise CentreError(403, "bad_code", "the enrolment code is unknown, used or expired")
        return {
            "device_code": row[0],
            "credential": credential,
            "hall_code": row[1],
            "hall_name": row[2],
            "epoch": row[3],
        }

    def authenticate(self, credential: str | None) -> DeviceCtx:
        if not credential:
            raise CentreError(401, "no_credential", "this call needs a device credential")
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "UPDATE device d SET last_seen_at = now() FROM hall h "
                    "WHERE h.id = d.hall_id AND d.credential_hash = :c "
                    "RETURNING d.id, d.hall_id, d.code, d.revoked, h.code, h.epoch"
                ),
                {"c": _hash(credential)},
            ).first()
        if row is None:
            raise CentreError(401, "unknown_device", "the device credential is not known")
        if row[3]:
            raise CentreError(403, "revoked", "this device has been revoked")
        return DeviceCtx(int(row[0]), int(row[1]), str(row[2]), str(row[4]), int(row[5]))

    def receipt_high(self, dev: DeviceCtx) -> int:
        """The highest receipt number the centre holds from this device (0: none). A PC
        put back on an older copy of its store learns it at its next sync and numbers on
        after it. Compared as numbers, not as text (a database's collation may order the
        hyphen in its own way); the device's payments through ``ix_payment_day``."""
        with self.engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT max(CAST(substring(receipt_no FROM '[0-9]{8}$') AS bigint)) "
                    "FROM payment WHERE hall_id = :h AND device_code = :d "
                    "AND receipt_no ~ :shape"
                ),
                {"h": dev.hall_id, "d": dev.code, "shape": f"^{re.escape(dev.code)}-[0-9]{{8}}$"},
            ).scalar()
        return int(found or 0)

    # push

    def push(self, dev: DeviceCtx, ops: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Apply a batch in one transaction. The common case (no deletes) is set-based: a
        handful of statements per batch; otherwise each operation is applied in turn."""
        with self.engine.begin() as conn:
            if any(o.get("action") == "delete" for o in ops):
                results = [self._push_one(conn, dev, o) for o in ops]
            else:
                results = self._push_batch(conn, dev, ops)
            self.fault("push.before_commit")
        return results

    def _push_batch(
        self, conn: Connection, dev: DeviceCtx, ops: list[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for o in ops:
            payload = o.get("payload") or {}
            rows.append(
                {
                    "op_id": str(uuid.UUID(str(o["op_id"]))),
                    "kind": str(o.get("kind", "")),
                    "key": str(o.get("key", "")),
                    "action": str(o.get("action", "upsert")),
                    "payload_version": int(o.get("payload_version", 1)),
                    "payload": payload,
                    "payload_hash": _payload_hash(payload),
                }
            )
        batch = json.dumps(rows, ensure_ascii=False)
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
                str(r[0]): (r[1], r[2], r[3])
                for r in conn.execute(
                    text(
                        "SELECT op_id, hall_id, payload_hash, note FROM op "
                        "WHERE op_id = ANY(CAST(:ids AS uuid[]))"
                    ),
                    {"ids": old_ids},
                )
            }
            for r in rows:
                if r["op_id"] in inserted:
                    continue
                hall_id, phash, note = stored[r["op_id"]]
                if hall_id != dev.hall_id or phash != r["payload_hash"]:
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
        new = [r for r in rows if r["op_id"] in inserted]
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
                {"h": dev.hall_id, "b": _records_json(mutable.values())},
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
                    {"h": dev.hall_id, "b": _records_json(unique.values())},
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
                        {"h": dev.hall_id, "b": _records_json(existing)},
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
        for r in new:
            reason = reasons.get(r["op_id"], "")
            results[r["op_id"]] = {
                "op_id": r["op_id"],
                "result": "flagged" if reason else "applied",
                "reason": reason,
            }
        return [results[r["op_id"]] for r in rows]

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
                {"h": dev.hall_id, "ids": [_int(k) for k in bill_keys]},
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
            pair = (str(p.get("payment_id")), str(_int(str(p.get("bill_id")))))
            if pair in known:
                continue  # the same allocation again (a re-sent day): already counted
            known.add(pair)
            amount = int(p.get("amount_fen", 0))
            bill = str(p.get("bill_id"))
            reason = ""
            if bill not in amounts:
                reason = "unknown_bill"
            elif amount > 0 and paid.get(str(_int(bill)), 0) + amount > amounts[bill]:
                reason = "bill_already_paid"
            if reason:
                flag(r, reason, bill_id=bill, amount_fen=amount)
                credits.append({"h": dev.hall_id, "pid": pair[0], "a": amount})
            else:
                paid[str(_int(bill))] = paid.get(str(_int(bill)), 0) + amount
            new_rows.append(
                {"h": dev.hall_id, "pid": pair[0], "b": _int(bill), "a": amount, "ok": not reason}
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

    def _push_one(self, conn: Connection, dev: DeviceCtx, o: Mapping[str, Any]) -> dict[str, Any]:
        op_id = str(uuid.UUID(str(o["op_id"])))
        payload = o.get("payload") or {}
        phash = _payload_hash(payload)
        inserted = conn.execute(
            text(
                "INSERT INTO op (op_id, hall_id, device_id, kind, key, action, payload_version, "
                "payload, payload_hash, result) VALUES (:id, :h, :d, :k, :key, :a, :v, "
                "CAST(:p AS jsonb), :ph, 'applied') ON CONFLICT (op_id) DO NOTHING RETURNING op_id"
            ),
            {
                "id": op_id,
                "h": dev.hall_id,
                "d": dev.device_id,
                "k": str(o.get("kind", "")),
                "key": str(o.get("key", "")),
                "a": str(o.get("action", "upsert")),
                "v": int(o.get("payload_version", 1)),
                "p": registry.dumps(payload),
                "ph": phash,
            },
        ).first()
        if inserted is None:
            row = conn.execute(
                text("SELECT hall_id, payload_hash, result, note FROM op WHERE op_id = :id"),
                {"id": op_id},
            ).one()
            if row[0] != dev.hall_id or row[1] != phash:
                # The same operation id with another payload (or from another hall): an alarm.
                self._flag(conn, dev.hall_id, op_id, o, "op_id_reused", {"payload_hash": phash})
                return {"op_id": op_id, "result": "flagged", "reason": "op_id_reused"}
            return {"op_id": op_id, "result": "duplicate", "reason": row[3]}
        reason = self._apply(conn, dev, op_id, o)
        if reason:
            conn.execute(
                text("UPDATE op SET result = 'flagged', note = :n WHERE op_id = :id"),
                {"n": reason, "id": op_id},
            )
            return {"op_id": op_id, "result": "flagged", "reason": reason}
        return {"op_id": op_id, "result": "applied", "reason": ""}

    def _flag(
        self,
        conn: Connection,
        hall_id: int,
        op_id: str,
        o: Mapping[str, Any],
        reason: str,
        detail: Mapping[str, Any],
    ) -> None:
        conn.execute(
            text(
                "INSERT INTO flag (hall_id, op_id, kind, key, reason, detail) "
                "VALUES (:h, :id, :k, :key, :r, CAST(:d AS jsonb))"
            ),
            {
                "h": hall_id,
                "id": op_id,
                "k": str(o.get("kind", "")),
                "key": str(o.get("key", "")),
                "r": reason,
                "d": json.dumps(detail, ensure_ascii=False),
            },
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
            {"h": dev.hall_id, "pid": str(p.get("payment_id")), "b": _int(bill_key)},
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
                {"h": dev.hall_id, "b": _int(bill_key)},
            ).scalar_one()
            if int(paid) + amount > int(bill[0]):
                reason = "bill_already_paid"
        params = {
            "h": dev.hall_id,
            "pid": str(p.get("payment_id")),
            "b": _int(bill_key),
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

    # pull

    def pull(self, dev: DeviceCtx, cursor: PullCursor, epoch: int, limit: int) -> dict[str, Any]:
        """The next page of the hall's changes after ``cursor`` (see :mod:`app.sync.cursor`).

        The page's list of ``changes`` is built as JSON text by PostgreSQL and passed
        through as :class:`RawJSON` (no per-row Python objects here).
        """
        with self.engine.connect() as conn:
            purged = conn.execute(
                text("SELECT purged_txid FROM hall WHERE id = :h"), {"h": dev.hall_id}
            ).scalar_one()
            if epoch != dev.epoch or cursor.horizon < int(purged):
                return {"reset_required": True, "changes": [], "more": False}
            upto = (
                cursor.upto or conn.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
            )
            after = cursor.after or (cursor.horizon, -1)
            # The page's log entries first, then their records: joined before the LIMIT, a
            # plan made on stale statistics (after a bulk change, before autoanalyze) looked
            # up the record of every remaining entry for each page (measured with 100,000
            # changed rows: 0.6 s for a page half-way through instead of 0.2 s).
            page = (
                "WITH log AS MATERIALIZED (SELECT c.txid, c.seq, c.kind, c.key "
                "FROM change_log c WHERE c.hall_id = :h "
                "AND (c.txid, c.seq) > (CAST(:t AS xid8), :s) "
                "AND c.txid < pg_snapshot_xmax(CAST(:upto AS pg_snapshot)) "
                "AND pg_visible_in_snapshot(c.txid, CAST(:upto AS pg_snapshot)) "
                "AND NOT pg_visible_in_snapshot(c.txid, CAST(:seen AS pg_snapshot)) "
                "ORDER BY c.txid, c.seq LIMIT :n), "
                "page AS MATERIALIZED (SELECT l.txid, l.seq, l.kind, l.key, r.payload FROM log l "
                "LEFT JOIN record r ON r.hall_id = :h AND r.kind = l.kind AND r.key = l.key)"
            )
            rows = conn.execute(
                text(
                    f"{page} SELECT p.txid::text, p.seq, json_build_object('kind', p.kind, "
                    "'key', p.key, 'deleted', p.payload IS NULL, 'payload', p.payload)::text "
                    "FROM page p ORDER BY p.txid, p.seq"
                ),
                {
                    "h": dev.hall_id,
                    "t": str(after[0]),
                    "s": after[1],
                    "upto": upto,
                    "seen": cursor.seen,
                    "n": limit,
                },
            ).all()
            conn.rollback()
        more = len(rows) == limit
        if more:
            moved = PullCursor(cursor.seen, upto, (int(rows[-1][0]), int(rows[-1][1])))
        else:
            moved = PullCursor(seen=upto)
        return {
            "reset_required": False,
            "changes": RawJSON("[" + ",".join(r[2] for r in rows) + "]"),
            "cursor": moved.to_wire(),
            "more": more,
        }

    def snapshot(self, dev: DeviceCtx, after: Any, limit: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            out: dict[str, Any] = {"epoch": dev.epoch}
            if not after:
                # Every page is read later than this, so each holds at least what this
                # snapshot sees; the first pull after the download starts from it.
                seen = conn.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
                out["cursor"] = PullCursor(seen=seen).to_wire()
                after = ["", ""]
            rows = conn.execute(
                text(
                    "SELECT kind, key, json_build_object('kind', kind, 'key', key, "
                    "'payload', payload)::text FROM record WHERE hall_id = :h "
                    "AND (kind, key) > (:k, :key) ORDER BY kind, key LIMIT :n"
                ),
                {"h": dev.hall_id, "k": str(after[0]), "key": str(after[1]), "n": limit},
            ).all()
            conn.rollback()
        out["rows"] = RawJSON("[" + ",".join(r[2] for r in rows) + "]")
        out["next"] = [rows[-1][0], rows[-1][1]] if len(rows) == limit else None
        return out

    # sanity

    def day_totals(self, hall_id: int, device_code: str, since: date) -> dict[str, tuple[int, int]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT day, count(*), sum(amount_fen) FROM payment WHERE hall_id = :h "
                    "AND device_code = :d AND day >= :s GROUP BY day"
                ),
                {"h": hall_id, "d": device_code, "s": since},
            ).all()
        return {r[0].isoformat(): (int(r[1]), int(r[2])) for r in rows}

    def sanity(self, dev: DeviceCtx, since: str, days: list[Mapping[str, Any]]) -> dict[str, Any]:
        start = date.fromisoformat(since)
        centre = self.day_totals(dev.hall_id, dev.code, start)
        hall = {str(d["day"]): (int(d["count"]), int(d["sum"])) for d in days}
        mismatches = []
        for day in sorted(set(centre) | set(hall)):
            if date.fromisoformat(day) < start:
                continue
            h, c = hall.get(day, (0, 0)), centre.get(day, (0, 0))
            if h != c:
                mismatches.append(
                    {
                        "day": day,
                        "hall_count": h[0],
                        "hall_sum": h[1],
                        "centre_count": c[0],
                        "centre_sum": c[1],
                    }
                )
        if mismatches:
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO sanity_alert (hall_id, device_code, day, hall_count, "
                        "hall_sum, centre_count, centre_sum) "
                        "VALUES (:h, :d, :day, :hc, :hs, :cc, :cs)"
                    ),
                    [
                        {
                            "h": dev.hall_id,
                            "d": dev.code,
                            "day": date.fromisoformat(str(m["day"])),
                            "hc": m["hall_count"],
                            "hs": m["hall_sum"],
                            "cc": m["centre_count"],
                            "cs": m["centre_sum"],
                        }
                        for m in mismatches
                    ],
                )
        return {"mismatches": mismatches}

    # inspection helpers (tests, back office)

    def records(self, hall_code: str, kind: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            hall_id = self.hall_id(conn, hall_code)
            rows = conn.execute(
                text("SELECT key, payload FROM record WHERE hall_id = :h AND kind = :k"),
                {"h": hall_id, "k": kind},
            ).all()
        return {r[0]: r[1] for r in rows}

    def flags(self, hall_code: str) -> list[tuple[str, str, str]]:
        with self.engine.connect() as conn:
            hall_id = self.hall_id(conn, hall_code)
            rows = conn.execute(
                text("SELECT kind, key, reason FROM flag WHERE hall_id = :h ORDER BY id"),
                {"h": hall_id},
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]


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
