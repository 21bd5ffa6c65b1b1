"""What the status bar needs of sync, without the sync machinery: the ``Status`` figures
and whether an address is plain HTTP to another machine.

The main window reads these at start and every 30 s; the client (push, pull, reset, the
HTTP transport, the hall's admin of PCs) loads at the first sync. Keeping this module free
of them keeps sync out of the cold start (docs/performance.md, "Cold start").
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.store.database import Store
from app.store.models.sync import STATE, OpState, SyncConflict, SyncOutbox, SyncState


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def unencrypted(url: str) -> bool:
    """Plain HTTP to another machine: the credential and the hall's data travel in clear."""
    parts = urlsplit(url)
    return parts.scheme == "http" and not is_loopback(parts.hostname or "")


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


def sync_state(store: Store) -> SyncState:
    """This PC's ``sync_state`` row (made on first read), detached from its session."""
    with store.read() as session:
        row = session.get(SyncState, 1)
        if row is not None:
            session.expunge(row)
            return row
    with store.unit_of_work() as session:
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
    with store.read() as session:
        found = session.get(SyncState, 1)
        assert found is not None
        session.expunge(found)
        return found


def sync_status(store: Store) -> Status:
    """The figures of the status bar (the ``sync_state`` row is made on first read)."""
    st = sync_state(store)
    with store.read() as session:
        pending = session.scalar(
            select(func.count()).where(SyncOutbox.state == OpState.PENDING.value)
        )
        payments = session.scalar(
            select(func.count()).where(
                SyncOutbox.state == OpState.PENDING.value, SyncOutbox.kind == "payment"
            )
        )
        conflicts = session.scalar(select(func.count()).where(SyncConflict.resolved_at.is_(None)))
    return Status(
        enrolled=bool(st.credential),
        url=st.url,
        pending=int(pending or 0),
        pending_payments=int(payments or 0),
        last_success_at=st.last_success_at,
        last_error=st.last_error,
        open_conflicts=int(conflicts or 0),
    )
