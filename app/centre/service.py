"""The centre's sync service over PostgreSQL, independent of HTTP.

:meth:`Centre.handle` is the one entry point for devices (the FastAPI app and the
in-process test transport both call it; the app authenticates first and then calls
:meth:`Centre.serve`). The hall is always derived from the device's credential; a hall id
inside a payload is never used for scope. Each request body is checked against its model
(:mod:`app.centre.wire`) before any work: a malformed one is refused with a 4xx, never a
500. The push is :mod:`app.centre.push` (applying: :mod:`app.centre.apply`), the pull,
snapshot and money check :mod:`app.centre.pull`, enrolment and authentication
:mod:`app.centre.enrolment`, administration (halls, loads, records) :mod:`app.centre.admin`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, text

from app.centre.admin import AdminMixin
from app.centre.base import CentreError, DeviceCtx
from app.centre.enrolment import EnrolmentMixin
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
from app.store.number_marks import COMPLAINTS, RECEIPTS, NumberSeries
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


class Centre(PushMixin, PullMixin, EnrolmentMixin, AdminMixin):
    """The centre: the device API here; the push, the pull, enrolment and administration in
    their modules. The kinds registry is built here, before the first request is served."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(engine, clock or (lambda: datetime.now(UTC)))
        registry.build()

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
            RECEIPTS.meta_key: self.receipt_high(dev),
            COMPLAINTS.meta_key: self.complaint_high(dev),
        }

    def receipt_high(self, dev: DeviceCtx) -> int:
        """The highest receipt number the centre holds from this device (0: none). A PC
        put back on an older copy of its store learns it at its next sync and numbers on
        after it. Compared as numbers, not as text (a database's collation may order the
        hyphen in its own way); the device's payments through ``ix_payment_day``."""
        return self._highest(
            "SELECT max(CAST(substring(receipt_no FROM :digits) AS bigint)) "
            "FROM payment WHERE hall_id = :h AND device_code = :d AND receipt_no ~ :shape",
            RECEIPTS,
            dev,
        )

    def complaint_high(self, dev: DeviceCtx) -> int:
        """The highest complaint number the centre holds from this device (0: none), for
        the same reason as :meth:`receipt_high`. Complaints are kept as ``record`` payloads
        (no index on their number): the hall's complaints are read through the primary key,
        the device's picked by JSON containment (cheaper than extracting text), then the
        number's shape checked. About 120 ms for 100,000 complaints in one hall."""
        return self._highest(
            "SELECT max(CAST(substring(payload->>'number' FROM :digits) AS bigint)) "
            "FROM record WHERE hall_id = :h AND kind = 'complaint' "
            "AND payload @> CAST(:device AS jsonb) AND payload->>'number' ~ :shape",
            COMPLAINTS,
            dev,
        )

    def _highest(self, sql: str, series: NumberSeries, dev: DeviceCtx) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(
                text(sql),
                {
                    "h": dev.hall_id,
                    "d": dev.code,
                    "device": json.dumps({"device_code": dev.code}),
                    "shape": series.regex(dev.code),
                    "digits": f"[0-9]{{{series.digits}}}$",
                },
            ).scalar()
        return int(found or 0)


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
