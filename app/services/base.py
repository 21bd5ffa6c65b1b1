"""What every service shares: the acting staff member, the clock, permissions, the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import PermissionDenied, StoreError, ValidationError
from app.domain.text import clean_text
from app.i18n import N_
from app.store.models import AuditEvent, DeviceInfo, Hall, Role

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """The logged-in staff member on whose behalf a service acts."""

    staff_id: int
    staff_no: str
    name: str
    role: Role
    hall_id: int

    @property
    def is_leader(self) -> bool:
        return self.role in (Role.LEADER, Role.ADMIN)


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise PermissionDenied(N_("Your role is not allowed to do this."))


def audit(
    session: Session,
    *,
    at: datetime,
    staff_id: int | None,
    action: str,
    entity: str = "",
    entity_id: str | int = "",
    **detail: Any,
) -> AuditEvent:
    """Append one audit event in the caller's transaction (it commits or rolls back with it)."""
    event = AuditEvent(
        at=at,
        staff_id=staff_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(event)
    return event


@dataclass(frozen=True, slots=True)
class Desk:
    """This PC: its device code, hall and counter, and the hall's time zone."""

    device_code: str
    hall_id: int
    counter_id: int | None
    timezone: str


def this_desk(session: Session) -> Desk:
    device = session.scalars(select(DeviceInfo).limit(1)).first()
    if device is None:
        raise StoreError(N_("This store has not been set up for a hall yet."))
    hall = session.get(Hall, device.hall_id)
    assert hall is not None
    return Desk(device.device_code, hall.id, device.counter_id, hall.timezone)


def check_reason(reason: str, *, maximum: int, field: str = "reason") -> str:
    """A required reason, stripped, at most ``maximum`` characters, free of control and
    broken characters (``app.domain.text``)."""
    reason = clean_text(reason, field=field)
    if not reason:
        raise ValidationError(field, N_("Enter a reason."))
    if len(reason) > maximum:
        raise ValidationError(field, N_("The reason can be at most {max} characters."), max=maximum)
    return reason
