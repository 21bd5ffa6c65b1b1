"""Service-fault notices (故障公告): created and closed by a shift leader, shown as a banner
while active, and counted by the complaints linked to them.

A notice is immutable once issued (it is what customers were told); its end is a closure
row of its own. Both carry UUIDv7 keys, the device and the staff, so notices can later also
arrive from the centre through sync.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.ids import uuid7
from app.i18n import N_
from app.services.base import Actor, Clock, audit, this_desk, utc_now
from app.services.complaints.records import check_text
from app.store.database import Store
from app.store.models.complaints import ComplaintState, FaultNotice, FaultNoticeClosure

LEVELS: Final = (1, 2, 3, 4)
#: Level I is the most severe (特别重大), IV the least (一般).
LEVEL_LABELS: Final[dict[int, str]] = {
    1: N_("Level I (extremely serious)"),
    2: N_("Level II (serious)"),
    3: N_("Level III (major)"),
    4: N_("Level IV (general)"),
}
ROMAN: Final[dict[int, str]] = {1: "I", 2: "II", 3: "III", 4: "IV"}
MAX_WORDING: Final = 1000


@dataclass(frozen=True, slots=True)
class FaultNoticeRequest:
    level: int
    services: str
    areas: str
    started_at: datetime
    expected_recovery_at: datetime | None
    wording: str


@dataclass(frozen=True, slots=True)
class FaultNoticeView:
    notice_id: uuid.UUID
    level: int
    services: str
    areas: str
    started_at: datetime
    expected_recovery_at: datetime | None
    wording: str
    created_at: datetime
    closed_at: datetime | None
    complaints: int

    @property
    def active(self) -> bool:
        return self.closed_at is None

    @property
    def roman(self) -> str:
        return ROMAN.get(self.level, str(self.level))


def _leader(leader: Actor | None) -> Actor:
    if leader is None or not leader.is_leader:
        raise PermissionDenied(N_("This needs a shift leader's credential."))
    return leader


def check_notice(request: FaultNoticeRequest, now: datetime) -> FaultNoticeRequest:
    if request.level not in LEVELS:
        raise ValidationError("level", N_("Choose the level of the fault (I to IV)."))
    services = check_text("services", request.services, required=True, maximum=200)
    areas = check_text("areas", request.areas, required=True, maximum=200)
    wording = check_text("wording", request.wording, required=True, maximum=MAX_WORDING)
    if request.started_at > now + timedelta(minutes=5):
        raise ValidationError("started_at", N_("A fault cannot start in the future."))
    if (
        request.expected_recovery_at is not None
        and request.expected_recovery_at <= request.started_at
    ):
        raise ValidationError(
            "expected_recovery_at", N_("The expected recovery must be after the start.")
        )
    return FaultNoticeRequest(
        request.level,
        services,
        areas,
        request.started_at,
        request.expected_recovery_at,
        wording,
    )


def notice_views(session: Session, *, active_only: bool, limit: int = 200) -> list[FaultNoticeView]:
    counts = (
        select(ComplaintState.fault_notice_id, func.count().label("n"))
        .where(ComplaintState.fault_notice_id.is_not(None))
        .group_by(ComplaintState.fault_notice_id)
        .subquery()
    )
    query = (
        select(FaultNotice, FaultNoticeClosure.closed_at, func.coalesce(counts.c.n, 0))
        .outerjoin(FaultNoticeClosure, FaultNoticeClosure.notice_id == FaultNotice.id)
        .outerjoin(counts, counts.c.fault_notice_id == FaultNotice.id)
        .order_by(FaultNotice.level, FaultNotice.created_at.desc())
        .limit(limit)
    )
    if active_only:
        query = query.where(FaultNoticeClosure.notice_id.is_(None))
    return [
        FaultNoticeView(
            notice_id=n.id,
            level=n.level,
            services=n.services,
            areas=n.areas,
            started_at=n.started_at,
            expected_recovery_at=n.expected_recovery_at,
            wording=n.wording,
            created_at=n.created_at,
            closed_at=closed,
            complaints=int(count),
        )
        for n, closed, count in session.execute(query)
    ]


class FaultNoticeService:
    """Fault notices of the hall; see the module docstring."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def active(self) -> list[FaultNoticeView]:
        """Open notices, most severe first, with their complaint counts."""
        with self._store.read() as session:
            return notice_views(session, active_only=True)

    def all(self, limit: int = 200) -> list[FaultNoticeView]:
        with self._store.read() as session:
            return notice_views(session, active_only=False, limit=limit)

    def create(self, actor: Actor, leader: Actor | None, request: FaultNoticeRequest) -> uuid.UUID:
        """Issue a notice, approved by a shift leader's credential."""
        leader = _leader(leader)
        now = self._clock()
        request = check_notice(request, now)
        with self._store.unit_of_work() as session:
            here = this_desk(session)
            row = FaultNotice(
                id=uuid7(),
                level=request.level,
                services=request.services,
                areas=request.areas,
                started_at=request.started_at,
                expected_recovery_at=request.expected_recovery_at,
                wording=request.wording,
                created_at=now,
                device_code=here.device_code,
                staff_id=actor.staff_id,
                approved_by=leader.staff_id,
            )
            session.add(row)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="fault_notice_issued",
                entity="fault_notice",
                entity_id=str(row.id),
                level=request.level,
                approved_by=leader.staff_id,
            )
            return row.id

    def close(
        self, actor: Actor, leader: Actor | None, notice_id: uuid.UUID, note: str = ""
    ) -> None:
        """Service restored: close the notice (once), with a leader's credential."""
        leader = _leader(leader)
        now = self._clock()
        note = check_text("note", note, required=False, maximum=500)
        with self._store.unit_of_work() as session:
            here = this_desk(session)
            if session.get(FaultNotice, notice_id) is None:
                raise NotFound(N_("This fault notice does not exist."))
            if session.get(FaultNoticeClosure, notice_id) is not None:
                raise ValidationError("notice", N_("This fault notice is already closed."))
            session.add(
                FaultNoticeClosure(
                    notice_id=notice_id,
                    closed_at=now,
                    device_code=here.device_code,
                    staff_id=actor.staff_id,
                    approved_by=leader.staff_id,
                    note=note,
                )
            )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="fault_notice_closed",
                entity="fault_notice",
                entity_id=str(notice_id),
                approved_by=leader.staff_id,
            )
