"""The drawer's no-sale openings as the audit log holds them, and their count per shift.

Apart from ``drawer`` (the service that records them) so the shift reports (``records``) can
count them without importing it.
"""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.store.models import AuditEvent

#: Audit actions: a no-sale opening, and its pulse failing afterwards.
DRAWER_OPEN: Final = "drawer_open"
DRAWER_OPEN_FAILED: Final = "drawer_open_failed"
#: No-sale openings are events of the shift they count in.
SHIFT_ENTITY: Final = "cash_shift"


def no_sale_opens(session: Session, shift_id: uuid.UUID) -> int:
    """How many times the drawer was opened without a sale in the shift (asked for:
    one whose pulse then failed still counts)."""
    return int(
        session.scalar(
            select(func.count()).where(
                AuditEvent.entity == SHIFT_ENTITY,
                AuditEvent.entity_id == str(shift_id),
                AuditEvent.action == DRAWER_OPEN,
            )
        )
        or 0
    )
