"""Sync as the workbench uses it: status, enrolment, one sync, the conflicts list.

The UI calls this service (never SQL). ``transport_factory`` builds the transport for a
centre URL (HTTP by default; the tests may hand in another).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.domain.errors import NotFound, ValidationError
from app.domain.text import clean_text
from app.i18n import N_, _
from app.services.base import Actor, Clock, audit, require_role, utc_now
from app.services.hall.admin import rename_pc
from app.store.database import Store
from app.store.models import DeviceInfo, HallSetting, Role
from app.store.models.sync import OpResult, OpState, SyncConflict, SyncOutbox
from app.sync import checks, registry
from app.sync.capture import copy_operation
from app.sync.client import HallSync, Progress, Status, SyncReport
from app.sync.transport import HttpTransport, Transport, unencrypted

INTERVAL_KEY = "sync_interval_minutes"
#: This PC's own setting (not one of the hall's rules, so it never syncs): an administrator
#: allows plain HTTP to a centre on another machine.
PLAIN_HTTP_KEY = "centre.allow_plain_http"
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
    #: The centre refused the record and it waits at this PC until a leader sends it again.
    parked: bool = False
    #: The centre refused it for a reason of its own: it is sent again at every sync.
    retrying: bool = False


def http_transport(url: str) -> Transport:
    return HttpTransport(url)


class SyncService:
    transport_factory: Callable[[str], Transport] = staticmethod(http_transport)

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def _client(self, **kw: object) -> HallSync:
        url = HallSync(self._store, None).state().url
        transport = self._transport(url) if url else None
        return HallSync(self._store, transport, self._clock, **kw)  # type: ignore[arg-type]

    def _transport(self, url: str) -> Transport:
        transport = type(self).transport_factory(url)
        if isinstance(transport, HttpTransport):
            transport.allow_plain_http = self.plain_http_allowed()
        return transport

    def plain_http_allowed(self) -> bool:
        with self._store.read() as session:
            row = session.get(HallSetting, PLAIN_HTTP_KEY)
            return row is not None and row.value == "1"

    def unencrypted(self) -> bool:
        """Does this PC sync over plain HTTP with another machine (allowed, shown with a
        warning)?"""
        url = self.status().url
        return bool(url) and unencrypted(url)

    def set_plain_http_allowed(self, actor: Actor, allowed: bool) -> None:
        """An administrator allows (or forbids again) plain HTTP to a centre that is not on
        this PC; audited."""
        require_role(actor, Role.ADMIN)
        with self._store.unit_of_work() as session:
            row = session.get(HallSetting, PLAIN_HTTP_KEY)
            value = "1" if allowed else "0"
            if row is None:
                session.add(HallSetting(key=PLAIN_HTTP_KEY, value=value))
            elif row.value != value:
                row.value = value
            else:
                return
            audit(
                session,
                at=self._clock(),
                staff_id=actor.staff_id,
                action="sync_plain_http",
                entity="hall_setting",
                entity_id=PLAIN_HTTP_KEY,
                allowed=allowed,
            )

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
        client = HallSync(self._store, self._transport(url), self._clock)
        with self._store.read() as session:
            before = session.scalars(select(DeviceInfo.device_code).limit(1)).first() or ""
        device = client.enrol(url, code.strip())
        with self._store.unit_of_work() as session:
            rename_pc(session, before, device, self._clock())  # the hall's list of PCs
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

    def _replace_cleaned(self, session: Session, op: SyncOutbox) -> str:
        """The cleaned copy of a refused operation and copies of the operations behind it
        (see :meth:`send_again`); returns the copy's id."""
        now = self._clock()
        payload = registry.dumps(checks.clean_text(json.loads(op.payload)))
        copy = copy_operation(session, op, payload, checks.clean_text(op.key))
        parents = {(op.kind, op.key)}
        behind = []
        later = session.scalars(
            select(SyncOutbox)
            .where(
                SyncOutbox.seq > op.seq,
                SyncOutbox.state == OpState.PENDING.value,
                func.coalesce(SyncOutbox.result, "") != OpResult.REJECTED.value,
            )
            .order_by(SyncOutbox.seq)
        )
        for other in later:
            kind = registry.get(other.kind)
            refs = checks.references(kind, json.loads(other.payload)) if kind else []
            if any(r in parents for r in refs):
                parents.add((other.kind, other.key))
                behind.append(other)
        for other in behind:
            copy_operation(session, other, other.payload, other.key)
        for retired in (op, *behind):
            retired.state = OpState.ACKED.value
            retired.result = OpResult.REPLACED.value
            retired.acked_at = now
        op.note = copy
        return copy

    @staticmethod
    def report_lines(report: SyncReport) -> list[str]:
        """What a sync found beyond its counts: the money comparison as it stands *after* any
        re-send (the first comparison alone would report days the re-send fixed), and the
        operations the centre refused."""
        lines = []
        if report.resent:
            lines.append(
                _("Payments of {days} differed from the centre's and were sent again.").format(
                    days=", ".join(str(m["day"]) for m in report.mismatches)
                )
            )
        still = report.mismatches_after_resend if report.resent else report.mismatches
        for m in still:
            lines.append(_("Payments of {day} differ from the centre's.").format(day=m["day"]))
        if report.rejected:
            lines.append(
                _(
                    "The centre refused {n} records; see the list of flagged items "
                    "(File → Flagged by the centre)."
                ).format(n=report.rejected)
            )
        return lines

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
            query = select(SyncConflict, SyncOutbox.state, SyncOutbox.result).outerjoin(
                SyncOutbox, SyncOutbox.op_id == SyncConflict.op_id
            )
            query = query.order_by(SyncConflict.id)
            if not include_resolved:
                query = query.where(SyncConflict.resolved_at.is_(None))
            rows = []
            for c, state, result in session.execute(query):
                pending = state == OpState.PENDING.value
                rows.append(
                    ConflictRow(
                        c.id,
                        c.kind,
                        c.key,
                        c.reason,
                        c.flagged_at,
                        c.resolved_at,
                        c.resolution,
                        parked=pending and result == OpResult.REJECTED.value,
                        retrying=pending and result == OpResult.RETRY.value,
                    )
                )
            return rows

    def send_again(self, leader: Actor, conflict_id: int) -> None:
        """A leader sends a record the centre refused again, at the next sync (audited).

        A record refused for characters the centre cannot store (``bad_text``: a NUL
        pasted from the clipboard into a complaint before the input checks existed) goes
        *cleaned*: a copy of its operation without those characters is appended to the
        outbox (operations are immutable; the refused one is marked ``replaced``), followed
        by copies of the operations held back behind it (a complaint's events), so they
        still reach the centre after it. This PC's own row keeps the characters. Any other
        refused record goes as it is (e.g. after an update of the centre). The flagged item
        stays open until the centre takes the record."""
        require_role(leader, Role.ADMIN, Role.LEADER)
        with self._store.unit_of_work() as session:
            conflict = session.get(SyncConflict, conflict_id)
            op = (
                session.scalars(
                    select(SyncOutbox).where(SyncOutbox.op_id == conflict.op_id)
                ).first()
                if conflict is not None and conflict.resolved_at is None
                else None
            )
            if (
                conflict is None
                or op is None
                or op.state != OpState.PENDING.value
                or op.result != OpResult.REJECTED.value
            ):
                raise NotFound(N_("This record is not waiting to be sent again."))
            cleaned = conflict.reason == "bad_text"
            if cleaned:
                conflict.op_id = self._replace_cleaned(session, op)
            else:
                op.result = None
                op.note = ""
            audit(
                session,
                at=self._clock(),
                staff_id=leader.staff_id,
                action="sync_send_again",
                entity="sync_conflict",
                entity_id=conflict_id,
                kind=conflict.kind,
                key=conflict.key,
                reason=conflict.reason,
                cleaned=cleaned,
            )

    def resolve(self, leader: Actor, conflict_id: int, note: str) -> None:
        """A leader marks a flagged item as dealt with (the note says how); audited."""
        require_role(leader, Role.ADMIN, Role.LEADER)
        note = clean_text(note, field="note")
        if not note:
            raise ValidationError("note", N_("Say how the item was dealt with."))
        if len(note) > 500:
            raise ValidationError("note", N_("The note can be at most {max} characters."), max=500)
        with self._store.unit_of_work() as session:
            conflict = session.get(SyncConflict, conflict_id)
            if conflict is not None and _parked(session, conflict.op_id):
                # The record has not reached the centre: closing its item would hide it.
                raise ValidationError(
                    "note",
                    N_("The centre has not got this record yet: send it again instead."),
                )
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


def _parked(session: Session, op_id: str) -> bool:
    found = session.scalars(
        select(SyncOutbox.op_id).where(
            SyncOutbox.op_id == op_id,
            SyncOutbox.state == OpState.PENDING.value,
            SyncOutbox.result == OpResult.REJECTED.value,
        )
    ).first()
    return found is not None
