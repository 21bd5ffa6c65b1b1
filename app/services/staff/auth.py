"""Staff login with lock-out after repeated failures, and the idle-lock unlock check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import AuthenticationError, ValidationError
from app.domain.passwords import verify_password
from app.i18n import N_
from app.services.base import Actor, Clock, audit, utc_now
from app.store.database import Store
from app.store.models import Role, Staff

MAX_FAILED_LOGINS: Final = 5
LOCKOUT: Final = timedelta(minutes=15)


def record_failed_attempt(session: Session, staff: Staff, now: datetime) -> AuthenticationError:
    """Count a wrong password against ``staff`` (audited) and lock the account on this PC
    after :data:`MAX_FAILED_LOGINS`; returns the refusal to raise once this is committed.
    The login and the change of one's own password share it, so neither is a way round
    the lock-out."""
    staff.failed_logins += 1
    remaining = MAX_FAILED_LOGINS - staff.failed_logins
    audit(session, at=now, staff_id=staff.id, action="login_failed", attempts=staff.failed_logins)
    if remaining <= 0:
        staff.locked_until = now + LOCKOUT
        staff.failed_logins = 0
        audit(session, at=now, staff_id=staff.id, action="staff_locked")
        return AuthenticationError(
            N_("Too many failed attempts. Try again in {minutes} minutes or ask a shift leader."),
            minutes=int(LOCKOUT.total_seconds() // 60),
        )
    return AuthenticationError(
        N_(
            "Unknown staff number or wrong password. "
            "{remaining} attempts left before the account locks."
        ),
        remaining=remaining,
    )


class AuthService:
    """Checks staff credentials. Failures count towards a lock-out stored with the staff row,
    so restarting the program does not reset it; every attempt is audited."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def login(self, staff_no: str, password: str) -> Actor:
        staff_no = (staff_no or "").strip().upper()
        if not staff_no:
            raise ValidationError("staff_no", N_("Enter your staff number."))
        if not password:
            raise ValidationError("password", N_("Enter your password."))
        now = self._clock()
        refusal: AuthenticationError | None = None
        with self._store.unit_of_work() as session:
            staff = session.scalars(select(Staff).where(Staff.staff_no == staff_no)).first()
            if staff is None or not staff.active:
                audit(session, at=now, staff_id=None, action="login_failed", staff_no=staff_no)
                refusal = AuthenticationError(N_("Unknown staff number or wrong password."))
            elif staff.locked_until is not None and staff.locked_until > now:
                minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
                audit(session, at=now, staff_id=staff.id, action="login_refused_locked")
                refusal = AuthenticationError(
                    N_(
                        "Too many failed attempts. Try again in {minutes} minutes "
                        "or ask a shift leader."
                    ),
                    minutes=minutes,
                )
            elif not verify_password(password, staff.password_hash):
                refusal = record_failed_attempt(session, staff, now)
            else:
                staff.failed_logins = 0
                staff.locked_until = None
                audit(session, at=now, staff_id=staff.id, action="login")
                actor = Actor(staff.id, staff.staff_no, staff.name, Role(staff.role), staff.hall_id)
        # A refusal is raised only after its audit event and failure count are committed.
        if refusal is not None:
            raise refusal
        return actor

    def actor_for(self, staff_no: str) -> Actor:
        """The actor for a staff number without a password: scripted use and tests only.
        A disabled member of staff is refused as at the login: scripts (``halldesk report``,
        ``halldesk audit export``) act under the staff number they are given."""
        with self._store.read() as session:
            staff = session.scalars(select(Staff).where(Staff.staff_no == staff_no.upper())).first()
            if staff is None or not staff.active:
                raise AuthenticationError(N_("Unknown staff number or wrong password."))
            return Actor(staff.id, staff.staff_no, staff.name, Role(staff.role), staff.hall_id)

    def confirm(self, actor: Actor, password: str) -> None:
        """Re-check the logged-in staff member's password (unlocking an idle counter)."""
        self.login(actor.staff_no, password)

    def leader_credential(self, staff_no: str, password: str) -> Actor:
        """A shift leader's or administrator's credential given for one action (not a
        one-time password: its owner must choose their own first)."""
        actor = self.login(staff_no, password)
        if actor.role not in (Role.LEADER, Role.ADMIN):
            raise AuthenticationError(N_("This needs a shift leader's credential."))
        if self.password_change_due(actor):
            raise AuthenticationError(
                N_("{staff_no} has a one-time password: log in once and choose a new one first."),
                staff_no=actor.staff_no,
            )
        return actor

    def password_change_due(self, actor: Actor) -> bool:
        """Does ``actor`` hold a one-time password they must change before anything else?"""
        with self._store.read() as session:
            staff = session.get(Staff, actor.staff_id)
            return staff is not None and staff.must_change_password

    @property
    def store(self) -> Store:
        return self._store
