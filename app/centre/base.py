"""What the centre's areas share: its errors, the calling device, the engine and clock.

:class:`app.centre.service.Centre` is assembled from one class per area — the push
(:mod:`app.centre.push`, applying in :mod:`app.centre.apply`), the pull, snapshot and
money check (:mod:`app.centre.pull`), enrolment (:mod:`app.centre.enrolment`) and
administration (:mod:`app.centre.admin`) — over this base; the device API is
:mod:`app.centre.service`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from app.store import sync_registry


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
    #: The protocol version of the request (the push answers ``rejected`` from 2 on).
    protocol: int = 1


def records_json(rows: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps(
        [{"kind": r["kind"], "key": r["key"], "payload": r["payload"]} for r in rows],
        ensure_ascii=False,
    )


def as_int(value: str) -> int:
    """A bill key as the centre's bigint ``bill_id`` (0 when it is not a number)."""
    return int(value) if value.lstrip("-").isdigit() and len(value) < 19 else 0


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(sync_registry.dumps(payload).encode("utf-8", "surrogatepass")).hexdigest()


class CentreBase:
    """The engine, the clock and the test hook every area uses."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        #: Test hook: called with a point name (``push.before_commit``, ``pull.page``);
        #: it may raise or wait (the fault campaign kills the centre there).
        self.fault: Callable[[str], None] = lambda _point: None

    def hall_id(self, conn: Connection, code: str) -> int:
        """The id of the hall ``code`` (404 when the centre has no such hall)."""
        row = conn.execute(text("SELECT id FROM hall WHERE code = :c"), {"c": code}).first()
        if row is None:
            raise CentreError(404, "unknown_hall", code)
        return int(row[0])

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
