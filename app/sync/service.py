"""Sync as the workbench uses it: status, enrolment, one sync, the conflicts list.

The UI calls this service (never SQL). ``transport_factory`` builds the transport for a
centre URL (HTTP by default; the tests may hand in another).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.domain.errors import NotFound, ValidationError
from app.i18n import N_
from app.services.base import Actor, Clock, audit, require_role, utc_now
from app.store.database import Store
from app.store.models import HallSetting, Role
from app.store.models.sync import SyncConflict
from app.sync.client import HallSync, Progress, Status, SyncReport
from app.sync.transport import HttpTransport, Transport

INTERVAL_KEY = "sync_interval_minutes"
MAX_INTERVAL = 24 * 60


@dataclass(frozen=True, slots=True)
class ConflictRow:
    id: int
    kind: str
    key: str
    reason: str
    flagged_at: datetime
    resolved_at: datetime | None
    resolution: str


def http_transport(url: str) -> Transport:
    return HttpTransport(url)


class SyncService:
    transport_factory: Callable[[str], Transport] = staticmethod(http_transport)

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def _client(self, **kw: object) -> HallSync:
        url = HallSync(self._store, None).state().url
        transport = type(self).transport_factory(url) if url else None
        return HallSync(self._store, transport, self._clock, **kw)  # type: ignore[arg-type]

    def status(self) -> Status:
        return HallSync(self._store, None, self._clock).status()

    def enrol(self, actor: Actor, url: str, code: str) -> str:
        require_role(actor, Role.ADMIN, Role.LEADER)
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            raise ValidationError(
                "url", N_("The centre's address must start with http:// or https://.")
            )
        if not code.strip():
            raise ValidationError("code", N_("Enter the one-time enrolment code."))
        client = HallSync(self._store, type(self).transport_factory(url), self._clock)
        device = client.enrol(url, code.strip())
        with self._store.unit_of_work() as session:
            audit(
                session,
                at=self._clock(),
                staff_id=actor.staff_id,
                action="sync_enrol",
                entity="device",
                entity_id=device,
                url=url,
            )
        return device

    def sync(
        self,
        actor: Actor,
        progress: Progress | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> SyncReport:
        del actor  # any logged-in clerk may sync
        return self._client(progress=progress, cancel=cancel).sync()

    def interval_minutes(self) -> int:
        with self._store.read() as session:
            row = session.get(HallSetting, INTERVAL_KEY)
            return int(row.value) if row is not None and row.value.isdigit() else 0

    def set_interval(self, actor: Actor, minutes: int) -> None:
        require_role(actor, Role.ADMIN, Role.LEADER)
        if not 0 <= minutes <= MAX_INTERVAL:
            raise ValidationError(
                "interval", N_("The interval must be 0 to {max} minutes."), max=MAX_INTERVAL
            )
        with self._store.unit_of_work() as session:
            row = session.get(HallSetting, INTERVAL_KEY)
            if row is None:
                session.add(HallSetting(key=INTERVAL_KEY, value=str(minutes)))
            else:
                row.value = str(minutes)

    def conflicts(self, include_resolved: bool = False) -> list[ConflictRow]:
        with self._store.read() as session:
            query = select(SyncConflict).order_by(SyncConflict.id)
            if not include_resolved:
                query = query.where(SyncConflict.resolved_at.is_(None))
            return [
                ConflictRow(
                    c.id, c.kind, c.key, c.reason, c.flagged_at, c.resolved_at, c.resolution
                )
                for c in session.scalars(query)
            ]

    def resolve(self, leader: Actor, conflict_id: int, note: str) -> None:
        """A leader marks a flagged item as dealt with (the note says how); audited."""
        require_role(leader, Role.ADMIN, Role.LEADER)
        note = note.strip()
        if not note:
            raise ValidationError("note", N_("Say how the item was dealt with."))
        if len(note) > 500:
            raise ValidationError("note", N_("The note can be at most {max} characters."), max=500)
        with self._store.unit_of_work() as session:
            done = session.execute(
                update(SyncConflict)
                .where(SyncConflict.id == conflict_id, SyncConflict.resolved_at.is_(None))
                .values(resolved_at=self._clock(), resolved_by=leader.staff_id, resolution=note)
            )
            if getattr(done, "rowcount", 0) != 1:
                raise NotFound(N_("This flagged item does not exist or is already resolved."))
            audit(
                session,
                at=self._clock(),
                staff_id=leader.staff_id,
                action="sync_conflict_resolved",
                entity="sync_conflict",
                entity_id=conflict_id,
                note=note,
            )
