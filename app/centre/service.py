"""The centre's sync service over PostgreSQL, independent of HTTP.

:meth:`Centre.handle` is the one entry point for devices (the FastAPI app and the
in-process test transport both call it; the app authenticates first and then calls
:meth:`Centre.serve`). The hall is always derived from the device's credential; a hall id
inside a payload is never used for scope. Each request body is checked against its model
(:mod:`app.centre.wire`) before any work: a malformed one is refused with a 4xx, never a
500. The push is :mod:`app.centre.push`, the pull, snapshot and money check
:mod:`app.centre.pull`; enrolment and administration are here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, create_engine, text

from app.centre.base import CentreError, DeviceCtx, secret_hash
from app.centre.pull import PullMixin
from app.centre.push import PushMixin
from app.centre.wire import (
    REQUESTS,
    PullRequest,
    PushRequest,
    SanityRequest,
    SnapshotRequest,
    problems,
)
from app.sync import registry
from app.sync.cursor import PullCursor
from app.sync.protocol import (
    PROTOCOL_MAX,
    PROTOCOL_MIN,
    PULL_PAGE_MAX,
    PUSH_BATCH,
    SNAPSHOT_PAGE,
)

__all__ = ["Centre", "CentreError", "DeviceCtx", "centre_engine", "migrate", "pg_url"]

ENROL_VALID: Final = timedelta(days=7)
#: The largest snapshot page the centre sends.
SNAPSHOT_PAGE_MAX: Final = 10_000


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


class Centre(PushMixin, PullMixin):
    """The centre: enrolment and administration here; the push and the pull in their
    modules. The kinds registry is built here, before the first request is served."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(engine, clock or (lambda: datetime.now(UTC)))
        registry.build()

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
                {"h": hall_id, "e": secret_hash(code), "x": self.clock() + ENROL_VALID},
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
        """One device request: protocol check, authentication (except ``enrol``), the
        body's shape, then the work."""
        if endpoint not in REQUESTS:
            raise CentreError(404, "unknown_endpoint", endpoint)
        check_protocol(body)
        if endpoint == "enrol":
            return self.serve(endpoint, body, None)
        return self.serve(endpoint, body, self.authenticate(credential))

    def serve(self, endpoint: str, body: Mapping[str, Any], dev: DeviceCtx | None) -> Any:
        """A request whose device is known already (``None`` only for ``enrol``)."""
        version = check_protocol(body)
        if endpoint == "push":
            ops = body.get("ops")
            if isinstance(ops, list) and len(ops) > PUSH_BATCH:
                raise CentreError(413, "too_many_ops", f"at most {PUSH_BATCH} operations per push")
        model = REQUESTS.get(endpoint)
        if model is None:
            raise CentreError(404, "unknown_endpoint", endpoint)
        try:
            request = model.model_validate(body)
        except ValidationError as exc:
            raise CentreError(422, "bad_request", problems(exc)) from None
        if dev is None:
            return self.enrol(str(getattr(request, "code", "")))
        dev = DeviceCtx(dev.device_id, dev.hall_id, dev.code, dev.hall_code, dev.epoch, version)
        if isinstance(request, PushRequest):
            return {"results": self.push(dev, request.ops)}
        if isinstance(request, PullRequest):
            try:
                cursor = PullCursor.from_wire(request.cursor)
            except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
                raise CentreError(400, "bad_cursor", str(exc)) from None
            return self.pull(dev, cursor, request.epoch, min(request.limit, PULL_PAGE_MAX))
        if isinstance(request, SnapshotRequest):
            limit = min(request.limit or SNAPSHOT_PAGE, SNAPSHOT_PAGE_MAX)
            return self.snapshot(dev, request.after, limit)
        if isinstance(request, SanityRequest):
            days = [(d.day, d.count, d.sum) for d in request.days]
            return self.sanity(dev, request.since, days)
        return {
            "protocol_min": PROTOCOL_MIN,
            "protocol_max": PROTOCOL_MAX,
            "server_time": self.clock().isoformat(),
            "device_code": dev.code,
            "hall_code": dev.hall_code,
            "epoch": dev.epoch,
            "receipt_high": self.receipt_high(dev),
        }

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
                {
                    "c": secret_hash(credential),
                    "e": secret_hash(code.strip().upper()),
                    "now": self.clock(),
                },
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
        """The device a credential names (401 unknown, 403 revoked)."""
        if not credential:
            raise CentreError(401, "no_credential", "this call needs a device credential")
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "UPDATE device d SET last_seen_at = now() FROM hall h "
                    "WHERE h.id = d.hall_id AND d.credential_hash = :c "
                    "RETURNING d.id, d.hall_id, d.code, d.revoked, h.code, h.epoch"
                ),
                {"c": secret_hash(credential)},
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


def check_protocol(body: Mapping[str, Any]) -> int:
    """The request's protocol version; 426 for one this centre does not serve."""
    version = body.get("protocol")
    if (
        not isinstance(version, int)
        or isinstance(version, bool)
        or not PROTOCOL_MIN <= version <= PROTOCOL_MAX
    ):
        raise CentreError(426, "upgrade_required", f"protocol {version!r} is not served")
    return version
