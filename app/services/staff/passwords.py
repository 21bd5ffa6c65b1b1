"""Passwords: everyone changes their own; a one-time password must be changed at once.

A password is set in one place (:func:`set_password`): the staff row gets the new hash
(what the login checks, and what travels to the hall's other PCs — never the password
itself), and the append-only ``staff_password`` history gets a row, which the rule "not
one of the last few" reads (``app.domain.passwords.check_new_password``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import AuthenticationError, NotFound, ValidationError
from app.domain.passwords import (
    PASSWORD_HISTORY,
    check_new_password,
    hash_password,
    verify_password,
)
from app.i18n import N_
from app.services.base import Actor, Clock, audit, utc_now
from app.services.staff.auth import MAX_FAILED_LOGINS, record_failed_attempt
from app.store.database import Store
from app.store.models import Staff
from app.store.models.admin import StaffPassword


def previous_hashes(session: Session, staff: Staff) -> list[str]:
    """The staff member's current hash, then the earlier ones, newest first (as many as
    the rule looks at)."""
    earlier = session.scalars(
        select(StaffPassword.password_hash)
        .where(StaffPassword.staff_id == staff.id)
        .order_by(StaffPassword.set_at.desc(), StaffPassword.id.desc())
        .limit(PASSWORD_HISTORY)
    ).all()
    hashes = [staff.password_hash, *earlier]
    return list(dict.fromkeys(hashes))[:PASSWORD_HISTORY]


def set_password(
    session: Session,
    staff: Staff,
    password_hash: str,
    *,
    one_time: bool,
    by: int | None,
    now: datetime,
) -> None:
    """Give ``staff`` a new password (its hash) and keep it in the history."""
    staff.password_hash = password_hash
    staff.must_change_password = one_time
    session.add(
        StaffPassword(
            staff_id=staff.id,
            password_hash=password_hash,
            set_at=now,
            set_by=by,
            one_time=one_time,
        )
    )


@dataclass(frozen=True, slots=True)
class PasswordChange:
    """What the change dialog sends: the current password and the new one twice."""

    current: str
    new: str
    again: str


class PasswordService:
    """Changing one's own password, for every role."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def must_change(self, actor: Actor) -> bool:
        with self._store.read() as session:
            staff = session.get(Staff, actor.staff_id)
            return staff is not None and staff.must_change_password

    def change_own(self, actor: Actor, change: PasswordChange) -> None:
        """Replace the actor's password. The current one is checked first (a wrong one
        counts towards the lock-out like a failed login); then the rules: the two new
        entries agree, length, not the staff number, not one of the last few."""
        if not change.current:
            raise ValidationError("current", N_("Enter your current password."))
        if change.new != change.again:
            raise ValidationError("again", N_("The two passwords are not the same."))
        now = self._clock()
        refusal: AuthenticationError | None = None
        with self._store.unit_of_work() as session:
            staff = session.get(Staff, actor.staff_id)
            if staff is None or not staff.active:
                raise NotFound(N_("This member of staff does not exist or is disabled."))
            if staff.locked_until is not None and staff.locked_until > now:
                raise AuthenticationError(
                    N_(
                        "Too many failed attempts. Try again in {minutes} minutes "
                        "or ask a shift leader."
                    ),
                    minutes=max(1, int((staff.locked_until - now).total_seconds() // 60) + 1),
                )
            if not verify_password(change.current, staff.password_hash):
                refusal = record_failed_attempt(session, staff, now)
                if staff.failed_logins:  # not locked (yet): say which entry was wrong
                    refusal = AuthenticationError(
                        N_(
                            "The current password is wrong. "
                            "{remaining} attempts left before the account locks."
                        ),
                        remaining=MAX_FAILED_LOGINS - staff.failed_logins,
                    )
            else:
                check_new_password(change.new, staff.staff_no, previous_hashes(session, staff))
                was_one_time = staff.must_change_password
                set_password(
                    session,
                    staff,
                    hash_password(change.new),
                    one_time=False,
                    by=staff.id,
                    now=now,
                )
                staff.failed_logins = 0
                audit(
                    session,
                    at=now,
                    staff_id=staff.id,
                    action="password_changed",
                    entity="staff",
                    entity_id=staff.id,
                    replaced_one_time=was_one_time,
                )
        # A refusal is raised only after its audit event and failure count are committed.
        if refusal is not None:
            raise refusal
