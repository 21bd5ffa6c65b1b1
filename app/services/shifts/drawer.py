"""Opening the cash drawer without a sale: a reason, the audit log, the shift's count.

A drawer opens by itself for a cash payment and for the shift's cash movements (those are
recorded facts of their own). Opening it for anything else — change for a customer, a
jammed note — is the classic cash-control point: the clerk gives a reason, the opening is
appended to the audit log (action ``drawer_open``, entity the shift, so the audit trail
and the shift's X and Z reports find it) in the open shift it belongs to, and only then is
the pulse sent. So an opening is never unrecorded; a pulse that then fails (printer off)
is recorded after it (``drawer_open_failed``) and the opening still counts as asked for.

The count per shift is read from the audit log (``drawer_log.no_sale_opens``),
which syncs to the centre like every audit event: no table of its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

from app.services.base import Actor, Clock, audit, check_reason, this_desk, utc_now
from app.services.listeners import Listeners
from app.services.shifts.drawer_log import DRAWER_OPEN, DRAWER_OPEN_FAILED, SHIFT_ENTITY
from app.services.shifts.records import NoOpenShift, current_shift, open_shifts
from app.store.database import Store

MAX_REASON: Final = 200


@dataclass(frozen=True, slots=True)
class NoSaleOpen:
    """One recorded no-sale opening: its audit event and the shift it counts in."""

    event_id: uuid.UUID
    shift_id: uuid.UUID


class DrawerService:
    """Records no-sale openings of this counter's drawer (see the module docstring).

    ``opened`` is told after each one has committed (the Shift tab reads its X report
    again).
    """

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self.opened = Listeners()

    def open_without_sale(self, actor: Actor, reason: str) -> NoSaleOpen:
        """Record that ``actor`` opens the drawer without a sale, for ``reason``.

        The opening counts in the actor's open shift at this counter; a shift leader may
        open the drawer of whoever's shift is open there. Refused (``NoOpenShift``) when no
        shift is open: a drawer outside a shift holds nobody's takings to count it in.
        """
        reason = check_reason(reason, maximum=MAX_REASON)
        now = self._clock()
        with self._store.unit_of_work() as session:
            desk = this_desk(session)
            shift = current_shift(session, actor.staff_id, desk.counter_id)
            if shift is None and actor.is_leader and desk.counter_id is not None:
                at_counter = open_shifts(session, counter_id=desk.counter_id)
                shift = at_counter[0] if at_counter else None
            if shift is None:
                raise NoOpenShift()
            event = audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action=DRAWER_OPEN,
                entity=SHIFT_ENTITY,
                entity_id=str(shift.id),
                reason=reason,
                counter_id=desk.counter_id,
                device=desk.device_code,
                sale=False,
            )
            session.flush()
            opened = NoSaleOpen(event.id, shift.id)
        self.opened.notify()
        return opened

    def pulse_failed(self, actor: Actor, opened: NoSaleOpen, error: str) -> None:
        """Append that the drawer did not open after ``opened`` was recorded."""
        with self._store.unit_of_work() as session:
            audit(
                session,
                at=self._clock(),
                staff_id=actor.staff_id,
                action=DRAWER_OPEN_FAILED,
                entity=SHIFT_ENTITY,
                entity_id=str(opened.shift_id),
                open_event=str(opened.event_id),
                error=error[:500],
            )
