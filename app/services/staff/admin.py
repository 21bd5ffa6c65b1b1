"""Staff administration: the hall's administrators add staff, change roles and counters,
disable and re-enable, reset passwords and lift lock-outs.

Staff are never deleted: payments, complaints, handovers and the audit trail name them,
so a member of staff who leaves is *disabled* (they can no longer log in, at any PC of the
hall once it has synced) and can be enabled again. Every change is one unit of work with
its audit event, which names what changed (before and after) and who changed it.

Staff records are the hall's (``app.sync.registry``): written at any PC, offline too, and
shared through the centre. A new member's id is derived from the staff number
(``app.domain.ids.hall_record_id``), so two PCs never give two people one id. The lock-out
(failed logins, ``locked_until``) belongs to the PC where it happened: lifting it is done
at that PC. Passwords are set through ``passwords.set_password``; an administrator only
ever gives a one-time password (shown once, never stored), which its owner must replace at
the next login.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.ids import hall_record_id
from app.domain.passwords import hash_password, one_time_password
from app.i18n import N_
from app.services.base import Actor, Clock, audit, require_role, this_desk, utc_now
from app.services.staff.passwords import set_password
from app.services.staff.rules import check_person_name, check_staff_no
from app.store.database import Store
from app.store.models import Counter, Role, Staff
from app.store.models.admin import StaffCounter


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One member of staff as the administration window lists them."""

    staff_id: int
    staff_no: str
    name: str
    role: Role
    active: bool
    #: Codes of the counters they may work (empty: any counter).
    counters: tuple[str, ...]
    counter_ids: tuple[int, ...]
    must_change_password: bool
    #: Locked out after failed logins, on this PC, until then (None: not locked here).
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class NewStaff:
    staff_no: str
    name: str
    role: Role
    counter_ids: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class StaffEdit:
    """The editable part of a staff record (the staff number never changes)."""

    staff_id: int
    name: str
    role: Role
    counter_ids: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class OneTimePassword:
    """A one-time password just given: shown once to the administrator, never stored."""

    staff_id: int
    staff_no: str
    name: str
    password: str


def may_work_at(session: Session, staff_id: int, counter_id: int) -> bool:
    """May this member of staff open a shift at this counter? Yes when no counters are
    listed for them (any counter), or when this one is."""
    listed = set(
        session.scalars(select(StaffCounter.counter_id).where(StaffCounter.staff_id == staff_id))
    )
    return not listed or counter_id in listed


def _counters_of(session: Session, staff_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    found: dict[int, list[tuple[int, str]]] = {}
    rows = session.execute(
        select(StaffCounter.staff_id, Counter.id, Counter.code)
        .join(Counter, Counter.id == StaffCounter.counter_id)
        .where(StaffCounter.staff_id.in_(list(staff_ids)))
        .order_by(Counter.code)
    )
    for staff_id, counter_id, code in rows:
        found.setdefault(staff_id, []).append((counter_id, code))
    return found


class StaffAdminService:
    """The administrator's staff list and changes to it (administrators only)."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    # -- reading -----------------------------------------------------------------------------

    def staff(self, actor: Actor, *, include_disabled: bool = True) -> list[StaffRow]:
        """The hall's staff by staff number."""
        require_role(actor, Role.ADMIN)
        now = self._clock()
        with self._store.read() as session:
            query = select(Staff).where(Staff.hall_id == actor.hall_id).order_by(Staff.staff_no)
            if not include_disabled:
                query = query.where(Staff.active.is_(True))
            people = list(session.scalars(query))
            counters = _counters_of(session, [p.id for p in people])
            return [
                StaffRow(
                    staff_id=p.id,
                    staff_no=p.staff_no,
                    name=p.name,
                    role=Role(p.role),
                    active=p.active,
                    counters=tuple(code for _id, code in counters.get(p.id, [])),
                    counter_ids=tuple(cid for cid, _code in counters.get(p.id, [])),
                    must_change_password=p.must_change_password,
                    locked_until=(
                        p.locked_until
                        if p.locked_until is not None and p.locked_until > now
                        else None
                    ),
                )
                for p in people
            ]

    def counters(self, actor: Actor) -> list[tuple[int, str, str]]:
        """The hall's counters as (id, code, name), by code: what a member may work."""
        require_role(actor, Role.ADMIN)
        with self._store.read() as session:
            return [
                (c.id, c.code, c.name)
                for c in session.scalars(
                    select(Counter).where(Counter.hall_id == actor.hall_id).order_by(Counter.code)
                )
            ]

    # -- changes -----------------------------------------------------------------------------

    def add(self, actor: Actor, new: NewStaff) -> OneTimePassword:
        """Add a member of staff with a one-time password (returned, shown once)."""
        require_role(actor, Role.ADMIN)
        staff_no = check_staff_no(new.staff_no)
        name = check_person_name(new.name)
        role = Role(new.role)
        password = one_time_password()
        password_hash = hash_password(password)
        now = self._clock()
        with self._store.unit_of_work() as session:
            taken = session.scalars(select(Staff).where(Staff.staff_no == staff_no)).first()
            if taken is not None:
                raise ValidationError(
                    "staff_no",
                    N_("Staff number {staff_no} is already taken by {name}."),
                    staff_no=staff_no,
                    name=taken.name,
                )
            staff_id = hall_record_id("staff", staff_no)
            if session.get(Staff, staff_id) is not None:  # two codes, one id: never seen
                raise ValidationError(
                    "staff_no", N_("Choose another staff number: this one cannot be used.")
                )
            counter_ids = self._check_counters(session, actor, new.counter_ids)
            staff = Staff(
                id=staff_id,
                hall_id=actor.hall_id,
                staff_no=staff_no,
                name=name,
                role=role.value,
                password_hash=password_hash,
                active=True,
                failed_logins=0,
                must_change_password=True,
            )
            session.add(staff)
            session.flush()
            set_password(session, staff, password_hash, one_time=True, by=actor.staff_id, now=now)
            session.add_all(StaffCounter(staff_id=staff_id, counter_id=c) for c in counter_ids)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="staff_added",
                entity="staff",
                entity_id=staff_id,
                staff_no=staff_no,
                name=name,
                role=role.value,
                counters=self._codes(session, counter_ids),
                device=this_desk(session).device_code,
            )
        return OneTimePassword(staff_id, staff_no, name, password)

    def edit(self, actor: Actor, edit: StaffEdit) -> None:
        """Change a member's name, role and counters; the audit event names what changed."""
        require_role(actor, Role.ADMIN)
        name = check_person_name(edit.name)
        role = Role(edit.role)
        now = self._clock()
        with self._store.unit_of_work() as session:
            staff = self._get(session, actor, edit.staff_id)
            if staff.id == actor.staff_id and role != Role(staff.role):
                raise PermissionDenied(
                    N_("You cannot change your own role: ask another administrator.")
                )
            if staff.role == Role.ADMIN.value and role != Role.ADMIN:
                self._keep_an_administrator(session, actor, staff)
            counter_ids = self._check_counters(session, actor, edit.counter_ids)
            before_counters = sorted(
                session.scalars(
                    select(StaffCounter.counter_id).where(StaffCounter.staff_id == staff.id)
                )
            )
            changes: dict[str, object] = {}
            if name != staff.name:
                changes["name"] = {"before": staff.name, "after": name}
                staff.name = name
            if role.value != staff.role:
                changes["role"] = {"before": staff.role, "after": role.value}
                staff.role = role.value
            if sorted(counter_ids) != before_counters:
                changes["counters"] = {
                    "before": self._codes(session, before_counters),
                    "after": self._codes(session, counter_ids),
                }
                removed = set(before_counters) - set(counter_ids)
                if removed:
                    session.execute(
                        delete(StaffCounter).where(
                            StaffCounter.staff_id == staff.id,
                            StaffCounter.counter_id.in_(sorted(removed)),
                        )
                    )
                session.add_all(
                    StaffCounter(staff_id=staff.id, counter_id=c)
                    for c in counter_ids
                    if c not in before_counters
                )
            if not changes:
                return
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="staff_changed",
                entity="staff",
                entity_id=staff.id,
                staff_no=staff.staff_no,
                **changes,
            )

    def set_active(self, actor: Actor, staff_id: int, active: bool, reason: str = "") -> None:
        """Disable (``active=False``) or enable again. A disabled member cannot log in nor
        give a leader's credential, here at once and at the hall's other PCs after they
        sync. Nobody disables themselves, and the hall keeps an active administrator."""
        require_role(actor, Role.ADMIN)
        reason = " ".join(reason.split())
        if len(reason) > 200:
            raise ValidationError(
                "reason", N_("The reason can be at most {max} characters."), max=200
            )
        now = self._clock()
        with self._store.unit_of_work() as session:
            staff = self._get(session, actor, staff_id)
            if staff.active == active:
                return
            if not active:
                if staff.id == actor.staff_id:
                    raise PermissionDenied(N_("You cannot disable yourself."))
                if staff.role == Role.ADMIN.value:
                    self._keep_an_administrator(session, actor, staff)
            staff.active = active
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="staff_enabled" if active else "staff_disabled",
                entity="staff",
                entity_id=staff.id,
                staff_no=staff.staff_no,
                reason=reason,
            )

    def reset_password(self, actor: Actor, staff_id: int) -> OneTimePassword:
        """Give a member a new one-time password (returned, shown once); also lifts a
        lock-out on this PC, so they can log in with it here at once."""
        require_role(actor, Role.ADMIN)
        password = one_time_password()
        password_hash = hash_password(password)
        now = self._clock()
        with self._store.unit_of_work() as session:
            staff = self._get(session, actor, staff_id)
            if staff.id == actor.staff_id:
                raise PermissionDenied(N_("Change your own password from the File menu instead."))
            if not staff.active:
                raise PermissionDenied(
                    N_("{staff_no} is disabled: enable them before giving a password."),
                    staff_no=staff.staff_no,
                )
            set_password(session, staff, password_hash, one_time=True, by=actor.staff_id, now=now)
            staff.failed_logins = 0
            staff.locked_until = None
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="staff_password_reset",
                entity="staff",
                entity_id=staff.id,
                staff_no=staff.staff_no,
            )
            return OneTimePassword(staff.id, staff.staff_no, staff.name, password)

    def unlock(self, actor: Actor, staff_id: int) -> None:
        """Lift a lock-out after failed logins, on this PC (where the lock-out is)."""
        require_role(actor, Role.ADMIN)
        now = self._clock()
        with self._store.unit_of_work() as session:
            staff = self._get(session, actor, staff_id)
            if staff.locked_until is None and not staff.failed_logins:
                return
            was_locked = staff.locked_until is not None and staff.locked_until > now
            staff.failed_logins = 0
            staff.locked_until = None
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="staff_unlocked",
                entity="staff",
                entity_id=staff.id,
                staff_no=staff.staff_no,
                was_locked=was_locked,
                device=this_desk(session).device_code,
            )

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _get(session: Session, actor: Actor, staff_id: int) -> Staff:
        staff = session.get(Staff, staff_id)
        if staff is None or staff.hall_id != actor.hall_id:
            raise NotFound(N_("This member of staff does not exist."))
        return staff

    @staticmethod
    def _keep_an_administrator(session: Session, actor: Actor, leaving: Staff) -> None:
        others = session.scalar(
            select(func.count())
            .select_from(Staff)
            .where(
                Staff.hall_id == actor.hall_id,
                Staff.role == Role.ADMIN.value,
                Staff.active.is_(True),
                Staff.id != leaving.id,
            )
        )
        if not others:
            raise PermissionDenied(
                N_("{staff_no} is the hall's only active administrator: add another first."),
                staff_no=leaving.staff_no,
            )

    @staticmethod
    def _check_counters(session: Session, actor: Actor, counter_ids: Iterable[int]) -> list[int]:
        wanted = sorted(set(counter_ids))
        if not wanted:
            return []
        known = set(
            session.scalars(
                select(Counter.id).where(Counter.hall_id == actor.hall_id, Counter.id.in_(wanted))
            )
        )
        if known != set(wanted):
            raise ValidationError("counters", N_("One of the chosen counters does not exist."))
        return wanted

    @staticmethod
    def _codes(session: Session, counter_ids: Iterable[int]) -> list[str]:
        ids = list(counter_ids)
        if not ids:
            return []
        return sorted(session.scalars(select(Counter.code).where(Counter.id.in_(ids))))
