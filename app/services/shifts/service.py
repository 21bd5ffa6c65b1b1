"""The counter's cash session (shift): open, cash in and out, X report, close.

Invariants, and why (Stoq's ``Till.open_till``/``close_till`` and Odoo's POS session are
the models):

* **One open shift per counter and per clerk.** A clerk who has a shift open anywhere, or
  a counter with a shift open, cannot open another: takings would land in two drawers. The
  check runs after the new row is written, inside the same transaction, so the write lock
  is held while it looks (the ``receipt_sequence`` trick of payments, with the shift row).
* **The float is handed on.** The opening float is counted note by note and compared with
  the float the previous shift of the counter left; a difference needs a reason.
* **Every payment belongs to a shift** (``payment.shift_id``): the X and Z reports add up
  exactly the rows of the shift, so they cannot disagree with the receipts.
* **Closing compares expected with counted cash** (``app.domain.cash``), and each non-cash
  method's net takings with the total the clerk counted from the POS settlement slip or
  the platform's statement (a method with takings must be counted). Any difference needs
  a reason; one over the hall's limit, in the drawer or on any method, needs a shift
  leader's credential as well.
* **A blind count is blind in the service.** With the hall's blind count on (the default),
  a clerk's X report of an open shift is a ``BlindShiftReport``: counts of payments by
  method and of cash movements, no amount at all; ``desk`` carries no money either. The
  figures come with the close's preview, once the drawer and every method are counted. A
  shift leader sees everything; so does everyone once the shift is closed.
* **History only grows**: opening, counts, movements and the close are rows that are
  never changed (triggers); "open" is a shift without a close.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from app.domain.cash import (
    CashCount,
    CashDifference,
    MethodCount,
    check_float_left,
    close_needs,
    reconcile_methods,
)
from app.domain.errors import PermissionDenied, ValidationError
from app.domain.ids import uuid7
from app.i18n import N_
from app.services.arrears.records import business_date
from app.services.base import (
    Actor,
    Clock,
    audit,
    check_reason,
    require_role,
    this_desk,
    utc_now,
)
from app.services.listeners import Listeners
from app.services.payments.plan import METHOD_MSGIDS
from app.services.shifts.records import (
    BLIND_COUNT_KEY,
    DEFAULT_DIFFERENCE_LIMIT_FEN,
    DIFFERENCE_LIMIT_KEY,
    AnyShiftReport,
    BlindShiftReport,
    NoOpenShift,
    ShiftHeader,
    ShiftRefused,
    ShiftReport,
    ShiftView,
    blind_for,
    blind_report,
    current_shift,
    float_handed_over,
    get_shift,
    int_setting,
    is_open,
    method_counts_json,
    open_shifts,
    require_current_shift,
    setting,
    shift_figures,
    shift_report,
    shift_view,
    unsynced_payments,
)
from app.services.staff.admin import may_work_at
from app.store.database import Store
from app.store.models import Counter, Role, Staff
from app.store.models.shifts import CashCount as CashCountRow
from app.store.models.shifts import (
    CashCountPurpose,
    CashMovement,
    CashMovementKind,
    CashShift,
    ShiftClose,
)

__all__ = [
    "AnyShiftReport",
    "BlindShiftReport",
    "CashDifference",
    "ClosePreview",
    "DeskShift",
    "MethodCount",
    "NoOpenShift",
    "ShiftHeader",
    "ShiftRefused",
    "ShiftReport",
    "ShiftService",
    "ShiftView",
]

MAX_REASON: Final = 200
#: The largest single cash movement accepted (a typo guard, not a policy).
MAX_MOVEMENT_FEN: Final = 1_000_000_00
_NEEDS_LEADER: Final = N_("This needs a shift leader's credential.")


@dataclass(frozen=True, slots=True)
class DeskShift:
    """This PC's counter and its shift state, for the clerk's screen (no shift's money:
    that is the X report's, which a blind count withholds from a clerk)."""

    counter_id: int | None
    counter_code: str
    counter_name: str
    mine: ShiftHeader | None  # the actor's open shift at this counter
    counter_shift: ShiftHeader | None  # whoever's shift is open at this counter
    elsewhere: ShiftHeader | None  # the actor's open shift at another counter
    expected_float_fen: int | None  # the float the previous shift left here (to open)
    blind_count: bool  # the hall's default for the close


@dataclass(frozen=True, slots=True)
class ClosePreview:
    """What a close with these counts would record (nothing is written).

    ``difference`` is the drawer's; ``methods`` the non-cash methods', each against the
    total counted from its settlement slip or statement. ``needs_reason`` and
    ``needs_leader`` cover all of them.
    """

    expected_cash_fen: int
    counted_cash_fen: int
    difference: CashDifference
    limit_fen: int
    needs_reason: bool
    needs_leader: bool
    unsynced: int
    methods: tuple[MethodCount, ...] = ()


def _leader(leader: Actor | None) -> Actor:
    if leader is None or not leader.is_leader:
        raise PermissionDenied(_NEEDS_LEADER)
    return leader


def _counter_label(session: Session, counter_id: int) -> str:
    counter = session.get(Counter, counter_id)
    return counter.code if counter else str(counter_id)


def _staff_label(session: Session, staff_id: int) -> str:
    staff = session.get(Staff, staff_id)
    return f"{staff.name} ({staff.staff_no})" if staff else str(staff_id)


class ShiftService:
    """Opens, reports on and closes the cash sessions of this PC's counter.

    Clerks and leaders take shifts; every write is one unit of work with its audit event.
    ``money_moved`` is told after each cash movement has committed.
    """

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self.money_moved = Listeners()

    # -- reading --

    def desk(self, actor: Actor) -> DeskShift:
        with self._store.read() as session:
            desk = this_desk(session)
            counter = session.get(Counter, desk.counter_id) if desk.counter_id else None
            mine = current_shift(session, actor.staff_id, desk.counter_id)
            at_counter = open_shifts(session, counter_id=desk.counter_id) if counter else []
            elsewhere = [
                s
                for s in open_shifts(session, staff_id=actor.staff_id)
                if s.counter_id != (desk.counter_id)
            ]
            handed = float_handed_over(session, counter.id) if counter else None
            return DeskShift(
                counter_id=counter.id if counter else None,
                counter_code=counter.code if counter else "",
                counter_name=counter.name if counter else "",
                mine=shift_view(session, mine).header if mine else None,
                counter_shift=shift_view(session, at_counter[0]).header if at_counter else None,
                elsewhere=shift_view(session, elsewhere[0]).header if elsewhere else None,
                expected_float_fen=handed[1] if handed else None,
                blind_count=setting(session, BLIND_COUNT_KEY, "1") == "1",
            )

    def x_report(self, actor: Actor, shift_id: uuid.UUID) -> AnyShiftReport:
        """The shift's figures now (an X report while open, the Z figures once closed).

        With the hall's blind count on, a clerk gets a ``BlindShiftReport`` of an open
        shift: counts only, no cash figure (a leader gets every figure).
        """
        now = self._clock()
        with self._store.read() as session:
            shift = get_shift(session, shift_id)
            if not actor.is_leader and shift.staff_id != actor.staff_id:
                raise PermissionDenied(N_("Only the shift's clerk or a shift leader can see it."))
            if is_open(session, shift.id) and blind_for(session, actor.is_leader):
                return blind_report(session, shift, now)
            return shift_report(session, shift, now)

    def current_report(self, actor: Actor) -> AnyShiftReport:
        """The X report of the actor's open shift at this counter."""
        with self._store.read() as session:
            shift_id = require_current_shift(
                session, actor.staff_id, this_desk(session).counter_id
            ).id
        return self.x_report(actor, shift_id)

    def difference_limit_fen(self) -> int:
        with self._store.read() as session:
            return int_setting(session, DIFFERENCE_LIMIT_KEY, DEFAULT_DIFFERENCE_LIMIT_FEN)

    # -- opening --

    def open(self, actor: Actor, counts: Mapping[str, object], reason: str = "") -> ShiftView:
        """Open the actor's shift at this PC's counter with the float counted by note.

        Refused when the counter or the clerk already has a shift open. A float that
        differs from the one the previous shift left needs ``reason``.
        """
        require_role(actor, Role.CLERK, Role.LEADER)
        count = CashCount.of(counts)
        now = self._clock()
        with self._store.unit_of_work() as session:
            desk = this_desk(session)
            if desk.counter_id is None:
                raise ShiftRefused(
                    N_("This PC is not assigned to a counter, so no shift can be opened here.")
                )
            if not may_work_at(session, actor.staff_id, desk.counter_id):
                raise ShiftRefused(
                    N_("You are not listed for counter {counter}: ask an administrator."),
                    counter=_counter_label(session, desk.counter_id),
                )
            handed = float_handed_over(session, desk.counter_id)
            expected = handed[1] if handed else None
            float_reason = ""
            if expected is not None and expected != count.total_fen:
                float_reason = check_reason(reason, maximum=MAX_REASON)
            shift = CashShift(
                id=uuid7(),
                hall_id=desk.hall_id,
                counter_id=desk.counter_id,
                device_code=desk.device_code,
                staff_id=actor.staff_id,
                business_date=business_date(now, desk.timezone),
                opened_at=now,
                opening_float_fen=count.total_fen,
                expected_float_fen=expected,
                float_reason=float_reason,
                previous_shift_id=handed[0] if handed else None,
                created_at=now,
            )
            session.add(shift)
            session.flush()  # takes the write lock; the checks below see a settled state
            others = [
                s for s in open_shifts(session, counter_id=desk.counter_id) if s.id != shift.id
            ]
            if others:
                raise ShiftRefused(
                    N_("Counter {counter} already has an open shift ({staff}). Close it first."),
                    counter=_counter_label(session, desk.counter_id),
                    staff=_staff_label(session, others[0].staff_id),
                )
            mine = [s for s in open_shifts(session, staff_id=actor.staff_id) if s.id != shift.id]
            if mine:
                raise ShiftRefused(
                    N_("You already have a shift open at counter {counter}. Close it first."),
                    counter=_counter_label(session, mine[0].counter_id),
                )
            session.add(
                CashCountRow(
                    id=uuid7(),
                    shift_id=shift.id,
                    purpose=CashCountPurpose.OPENING.value,
                    counts_json=json.dumps(count.as_dict(), sort_keys=True),
                    total_fen=count.total_fen,
                    counted_at=now,
                    staff_id=actor.staff_id,
                    device_code=desk.device_code,
                )
            )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="shift_opened",
                entity="cash_shift",
                entity_id=str(shift.id),
                counter_id=desk.counter_id,
                opening_float_fen=count.total_fen,
                expected_float_fen=expected,
                reason=float_reason,
            )
            session.flush()
            return shift_view(session, shift)

    # -- during the shift --

    def cash_movement(
        self,
        actor: Actor,
        kind: CashMovementKind,
        amount_fen: int,
        reason: str,
        leader: Actor | None = None,
    ) -> uuid.UUID:
        """Cash put into the drawer, or taken out of it (the latter with a leader)."""
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise ValidationError("amount", N_("The amount must be greater than zero."))
        if amount_fen > MAX_MOVEMENT_FEN:
            raise ValidationError("amount", N_("This amount is too large for a cash movement."))
        reason = check_reason(reason, maximum=MAX_REASON)
        approved = _leader(leader).staff_id if kind is CashMovementKind.CASH_OUT else None
        now = self._clock()
        with self._store.unit_of_work() as session:
            desk = this_desk(session)
            shift = require_current_shift(session, actor.staff_id, desk.counter_id)
            if kind is CashMovementKind.CASH_OUT:
                cash, _moves = shift_figures(session, shift)
                if amount_fen > cash.expected_cash_fen:
                    raise ValidationError("amount", N_("The drawer does not hold that much cash."))
            row = CashMovement(
                id=uuid7(),
                shift_id=shift.id,
                kind=kind.value,
                amount_fen=amount_fen,
                reason=reason,
                at=now,
                staff_id=actor.staff_id,
                approved_by=approved,
                device_code=desk.device_code,
            )
            session.add(row)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action=kind.value,
                entity="cash_movement",
                entity_id=str(row.id),
                shift=str(shift.id),
                amount_fen=amount_fen,
                reason=reason,
                approved_by=approved,
            )
        self.money_moved.notify()
        return row.id

    # -- closing --

    def preview_close(
        self,
        actor: Actor,
        counts: Mapping[str, object],
        method_totals: Mapping[str, int | None] | None = None,
    ) -> ClosePreview:
        """The differences a close with ``counts`` (cash by note) and ``method_totals``
        (fen per non-cash method, as counted) would record, after a blind count.

        A method that had takings must have its total, so the expected figures are
        only shown once everything is counted.
        """
        count = CashCount.of(counts)
        with self._store.read() as session:
            shift = require_current_shift(session, actor.staff_id, this_desk(session).counter_id)
            return self._preview(session, shift, count, method_totals or {})

    @staticmethod
    def _preview(
        session: Session,
        shift: CashShift,
        count: CashCount,
        method_totals: Mapping[str, int | None],
    ) -> ClosePreview:
        cash, _moves = shift_figures(session, shift)
        methods = reconcile_methods(cash, method_totals, METHOD_MSGIDS)
        difference = CashDifference(cash.expected_cash_fen, count.total_fen)
        limit = int_setting(session, DIFFERENCE_LIMIT_KEY, DEFAULT_DIFFERENCE_LIMIT_FEN)
        needs_reason, needs_leader = close_needs(difference, methods, limit)
        return ClosePreview(
            expected_cash_fen=cash.expected_cash_fen,
            counted_cash_fen=count.total_fen,
            difference=difference,
            limit_fen=limit,
            needs_reason=needs_reason,
            needs_leader=needs_leader,
            unsynced=unsynced_payments(session, shift.id),
            methods=methods,
        )

    def close(
        self,
        actor: Actor,
        counts: Mapping[str, object],
        *,
        method_totals: Mapping[str, int | None] | None = None,
        float_left_fen: int,
        blind: bool = False,
        reason: str = "",
        leader: Actor | None = None,
        unsynced_override: Actor | None = None,
    ) -> ShiftReport:
        """Close the actor's shift with the cash counted by note and the non-cash methods'
        totals (``method_totals``, fen per method, from the settlement slips and
        statements); returns the Z figures.

        A difference needs ``reason``; one over the hall's limit, in the drawer or on any
        method, also a leader's credential (``leader``). Unsynced payments refuse the
        close unless a leader overrides (``unsynced_override``). ``float_left_fen`` stays
        in the drawer for the next shift; the rest goes to the safe.
        """
        count = CashCount.of(counts)
        float_left = check_float_left(float_left_fen, count.total_fen)
        now = self._clock()
        with self._store.unit_of_work() as session:
            desk = this_desk(session)
            shift = require_current_shift(session, actor.staff_id, desk.counter_id)
            preview = self._preview(session, shift, count, method_totals or {})
            close_reason = ""
            approved: int | None = None
            if preview.needs_reason:
                close_reason = check_reason(reason, maximum=MAX_REASON)
            if preview.needs_leader:
                if leader is None or not leader.is_leader:
                    raise PermissionDenied(
                        N_(
                            "The difference is over the hall's limit of {limit}: a shift "
                            "leader must approve it."
                        ),
                        limit=f"{preview.limit_fen / 100:.2f}",
                    )
                approved = leader.staff_id
            override: int | None = None
            if preview.unsynced:
                if unsynced_override is None or not unsynced_override.is_leader:
                    raise ShiftRefused(
                        N_(
                            "{count} payments of this shift are not yet synced. Sync first, "
                            "or ask a shift leader to override."
                        ),
                        count=preview.unsynced,
                    )
                override = unsynced_override.staff_id
            cash, _moves = shift_figures(session, shift)
            totals = {
                "takings_fen": cash.takings_fen,
                "methods": {
                    m.method: {
                        "payments": m.payments,
                        "payments_fen": m.payments_fen,
                        "voids": m.voids,
                        "voids_fen": m.voids_fen,
                        "reversals": m.reversals,
                        "reversals_fen": m.reversals_fen,
                    }
                    for m in cash.methods
                },
                "cash_in_fen": cash.cash_in_fen,
                "cash_out_fen": cash.cash_out_fen,
                "change_given_fen": cash.change_given_fen,
                "rounding_fen": cash.rounding_fen,
            }
            session.add(
                CashCountRow(
                    id=uuid7(),
                    shift_id=shift.id,
                    purpose=CashCountPurpose.CLOSING.value,
                    counts_json=json.dumps(count.as_dict(), sort_keys=True),
                    total_fen=count.total_fen,
                    counted_at=now,
                    staff_id=actor.staff_id,
                    device_code=desk.device_code,
                )
            )
            close = ShiftClose(
                id=uuid7(),
                shift_id=shift.id,
                closed_at=now,
                staff_id=actor.staff_id,
                device_code=desk.device_code,
                blind=blind,
                expected_cash_fen=preview.expected_cash_fen,
                counted_cash_fen=count.total_fen,
                difference_fen=preview.difference.difference_fen,
                float_left_fen=float_left,
                reason=close_reason,
                approved_by=approved,
                unsynced_override_by=override,
                totals_json=json.dumps(totals, sort_keys=True),
                method_counts_json=method_counts_json(preview.methods),
            )
            session.add(close)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="shift_closed",
                entity="cash_shift",
                entity_id=str(shift.id),
                expected_cash_fen=preview.expected_cash_fen,
                counted_cash_fen=count.total_fen,
                difference_fen=preview.difference.difference_fen,
                methods={
                    m.method: {"expected_fen": m.expected_fen, "counted_fen": m.counted_fen}
                    for m in preview.methods
                },
                float_left_fen=float_left,
                blind=blind,
                reason=close_reason,
                approved_by=approved,
                unsynced=preview.unsynced,
                unsynced_override_by=override,
            )
            session.flush()
            return shift_report(session, shift, now)
