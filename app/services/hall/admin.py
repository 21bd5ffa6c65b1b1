"""The hall's details, its counters (台席) and which PC sits at which counter, as the
administrator keeps them.

The hall's name, address and hotline are what every receipt prints (``ReceiptService``
reads them when it renders, so the next receipt shows a change). Counters are added and
renamed, never deleted (shifts and payments name them). ``hall_pc`` says which counter
each PC of the hall sits at: a PC writes its own row the first time it starts (or is
renamed by its enrolment), and an administrator at any PC may move any PC to another
counter. A PC takes a new counter when it starts (``register_this_pc``, before the login),
and only when no shift of this PC is open at its current counter: an open shift is closed
where it was opened.

Every change is kept: the audit event of each one names the field, what it was before and
what it became, and who changed it, and the audit trail lists them (it is append-only);
nothing is overwritten silently. These records are the hall's and travel to its other PCs
with the next sync (the last change pushed wins; both audit events are kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.errors import NotFound, StoreError, ValidationError
from app.domain.ids import hall_record_id
from app.i18n import N_
from app.services.base import Actor, Clock, audit, require_role, utc_now
from app.services.hall.setup import (
    HallDetails,
    check_counter_code,
    check_counter_name,
    clean_hall,
)
from app.store.database import Store
from app.store.models import Counter, DeviceInfo, Hall, Role, Staff
from app.store.models.admin import HallPc
from app.store.models.shifts import CashShift, ShiftClose

#: Audit actions of this area and of staff administration: the administration history.
ADMIN_ACTIONS: Final = (
    "hall_details_changed",
    "counter_added",
    "counter_renamed",
    "pc_assigned",
    "staff_added",
    "staff_changed",
    "staff_disabled",
    "staff_enabled",
    "staff_password_reset",
    "staff_unlocked",
    "password_changed",
    "store_set_up",
)


@dataclass(frozen=True, slots=True)
class HallProfile:
    """The hall as receipts print it."""

    hall_id: int
    code: str
    name: str
    address: str
    hotline: str
    timezone: str


@dataclass(frozen=True, slots=True)
class CounterRow:
    counter_id: int
    code: str
    name: str
    #: Codes of the PCs sitting at it.
    pcs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PcRow:
    pc_code: str
    counter_id: int | None
    counter_code: str
    counter_name: str
    #: This PC (the one the window runs on).
    this_pc: bool
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class PcStart:
    """What ``register_this_pc`` did: the counter this PC works at now, and a counter it
    was moved to that waits for its open shift to close."""

    counter_id: int | None
    waiting_for: int | None = None


def rename_pc(session: Session, old: str, new: str, now: datetime) -> None:
    """A PC's device code changed (its enrolment with the centre): its ``hall_pc`` row
    follows (the old one is removed; both changes travel with the next sync)."""
    if not old or old == new:
        return
    row = session.get(HallPc, old)
    if row is None or session.get(HallPc, new) is not None:
        return
    session.add(
        HallPc(pc_code=new, counter_id=row.counter_id, updated_at=now, updated_by=row.updated_by)
    )
    session.delete(row)


def _device(session: Session) -> DeviceInfo:
    device = session.scalars(select(DeviceInfo).limit(1)).first()
    if device is None:
        raise StoreError(N_("This store has not been set up for a hall yet."))
    return device


def _shift_open_here(session: Session, device: DeviceInfo) -> bool:
    if device.counter_id is None:
        return False
    closed = select(ShiftClose.shift_id)
    found = session.scalars(
        select(CashShift.id)
        .where(
            CashShift.counter_id == device.counter_id,
            CashShift.device_code == device.device_code,
            CashShift.id.not_in(closed),
        )
        .limit(1)
    ).first()
    return found is not None


class HallAdminService:
    """Reads and changes the hall's details, counters and PCs (changes: administrators)."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    # -- the hall ----------------------------------------------------------------------------

    def profile(self) -> HallProfile:
        with self._store.read() as session:
            hall = session.get(Hall, _device(session).hall_id)
            assert hall is not None
            return HallProfile(
                hall.id, hall.code, hall.name, hall.address, hall.hotline, hall.timezone
            )

    def save_profile(self, actor: Actor, name: str, address: str, hotline: str) -> bool:
        """Change what receipts print about the hall; False when nothing changed."""
        require_role(actor, Role.ADMIN)
        now = self._clock()
        with self._store.unit_of_work() as session:
            hall = session.get(Hall, actor.hall_id)
            if hall is None:
                raise NotFound(N_("This hall does not exist."))
            cleaned = clean_hall(HallDetails(name, hall.code, address, hotline, hall.timezone))
            changes: dict[str, object] = {}
            for field in ("name", "address", "hotline"):
                before, after = getattr(hall, field), getattr(cleaned, field)
                if before != after:
                    changes[field] = {"before": before, "after": after}
                    setattr(hall, field, after)
            if not changes:
                return False
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="hall_details_changed",
                entity="hall",
                entity_id=hall.id,
                **changes,
            )
            return True

    # -- counters ----------------------------------------------------------------------------

    def counters(self) -> list[CounterRow]:
        with self._store.read() as session:
            hall_id = _device(session).hall_id
            pcs: dict[int, list[str]] = {}
            for pc in session.scalars(select(HallPc).order_by(HallPc.pc_code)):
                if pc.counter_id is not None:
                    pcs.setdefault(pc.counter_id, []).append(pc.pc_code)
            return [
                CounterRow(c.id, c.code, c.name, tuple(pcs.get(c.id, ())))
                for c in session.scalars(
                    select(Counter).where(Counter.hall_id == hall_id).order_by(Counter.code)
                )
            ]

    def add_counter(self, actor: Actor, code: str, name: str) -> int:
        require_role(actor, Role.ADMIN)
        code = check_counter_code(code)
        name = check_counter_name(name)
        now = self._clock()
        with self._store.unit_of_work() as session:
            taken = session.scalars(
                select(Counter).where(Counter.hall_id == actor.hall_id, Counter.code == code)
            ).first()
            if taken is not None:
                raise ValidationError(
                    "counter_code",
                    N_("Counter {code} already exists ({name})."),
                    code=code,
                    name=taken.name,
                )
            counter_id = hall_record_id("counter", code)
            if session.get(Counter, counter_id) is not None:
                raise ValidationError(
                    "counter_code", N_("Choose another counter code: this one cannot be used.")
                )
            session.add(Counter(id=counter_id, hall_id=actor.hall_id, code=code, name=name))
            session.flush()
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="counter_added",
                entity="counter",
                entity_id=counter_id,
                code=code,
                name=name,
            )
            return counter_id

    def rename_counter(self, actor: Actor, counter_id: int, name: str) -> None:
        require_role(actor, Role.ADMIN)
        name = check_counter_name(name)
        now = self._clock()
        with self._store.unit_of_work() as session:
            counter = session.get(Counter, counter_id)
            if counter is None or counter.hall_id != actor.hall_id:
                raise NotFound(N_("This counter does not exist."))
            if counter.name == name:
                return
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="counter_renamed",
                entity="counter",
                entity_id=counter.id,
                code=counter.code,
                name={"before": counter.name, "after": name},
            )
            counter.name = name

    # -- PCs ---------------------------------------------------------------------------------

    def pcs(self) -> list[PcRow]:
        with self._store.read() as session:
            this = _device(session).device_code
            rows = session.execute(
                select(HallPc, Counter, Staff.staff_no)
                .outerjoin(Counter, Counter.id == HallPc.counter_id)
                .outerjoin(Staff, Staff.id == HallPc.updated_by)
                .order_by(HallPc.pc_code)
            ).all()
            return [
                PcRow(
                    pc.pc_code,
                    pc.counter_id,
                    counter.code if counter else "",
                    counter.name if counter else "",
                    pc.pc_code == this,
                    pc.updated_at,
                    staff_no or "",
                )
                for pc, counter, staff_no in rows
            ]

    def assign_pc(self, actor: Actor, pc_code: str, counter_id: int | None) -> None:
        """Put a PC at a counter (None: at none). The PC takes it when it next starts."""
        require_role(actor, Role.ADMIN)
        now = self._clock()
        with self._store.unit_of_work() as session:
            pc = session.get(HallPc, pc_code)
            if pc is None:
                raise NotFound(N_("PC {pc} is not known in this hall."), pc=pc_code)
            counter = session.get(Counter, counter_id) if counter_id is not None else None
            if counter_id is not None and (counter is None or counter.hall_id != actor.hall_id):
                raise NotFound(N_("This counter does not exist."))
            if pc.counter_id == counter_id:
                return
            before = session.get(Counter, pc.counter_id) if pc.counter_id is not None else None
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="pc_assigned",
                entity="hall_pc",
                entity_id=pc_code,
                counter={
                    "before": before.code if before else "",
                    "after": counter.code if counter else "",
                },
            )
            pc.counter_id = counter_id
            pc.updated_at = now
            pc.updated_by = actor.staff_id

    def list_this_pc(self) -> None:
        """Put this PC on the hall's list (at the counter it sits at) if it is not yet."""
        now = self._clock()
        with self._store.unit_of_work() as session:
            device = _device(session)
            if session.get(HallPc, device.device_code) is None:
                session.add(
                    HallPc(
                        pc_code=device.device_code,
                        counter_id=device.counter_id,
                        updated_at=now,
                        updated_by=None,
                    )
                )

    def register_this_pc(self) -> PcStart:
        """At start: make sure this PC is on the hall's list (with the counter it sits at),
        and take the counter an administrator moved it to, unless one of its shifts is
        still open at the current one (then it keeps it until that shift is closed)."""
        now = self._clock()
        with self._store.unit_of_work() as session:
            device = _device(session)
            pc = session.get(HallPc, device.device_code)
            if pc is None:
                session.add(
                    HallPc(
                        pc_code=device.device_code,
                        counter_id=device.counter_id,
                        updated_at=now,
                        updated_by=None,
                    )
                )
                return PcStart(device.counter_id)
            if pc.counter_id == device.counter_id:
                return PcStart(device.counter_id)
            if _shift_open_here(session, device):
                return PcStart(device.counter_id, waiting_for=pc.counter_id)
            session.execute(
                update(DeviceInfo)
                .where(DeviceInfo.id == device.id)
                .values(counter_id=pc.counter_id)
            )
            return PcStart(pc.counter_id)
