"""Reading shifts from the store: the open shift of a clerk or counter, a shift's figures.

Shared by ``ShiftService``, ``HandoverService``, ``HallDayService`` and ``PaymentService``
(which records every payment, void and reversal in the clerk's open shift). Reads only.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.cash import (
    CashCount,
    EntryKind,
    MethodCount,
    MethodTally,
    MoneyEntry,
    ShiftCash,
    shift_cash,
)
from app.domain.errors import HallDeskError, NotFound
from app.i18n import N_
from app.services.shifts.drawer_log import no_sale_opens
from app.store.models import Counter, HallSetting, Payment, PaymentMethod, Staff
from app.store.models.shifts import CashCount as CashCountRow
from app.store.models.shifts import (
    CashCountPurpose,
    CashMovement,
    CashMovementKind,
    CashShift,
    ShiftClose,
)
from app.store.models.sync import OpState, SyncOutbox, SyncState

#: Hall settings of this area (``hall_setting`` keys) and their defaults.
DIFFERENCE_LIMIT_KEY: Final = "shift.difference_limit_fen"
DEFAULT_DIFFERENCE_LIMIT_FEN: Final = 10_00
BLIND_COUNT_KEY: Final = "shift.blind_count"
OPENING_TIME_KEY: Final = "hall.opening_time"
DEFAULT_OPENING_TIME: Final = "08:30"
ARRIVE_BEFORE_KEY: Final = "shift.arrive_before_minutes"
DEFAULT_ARRIVE_BEFORE_MINUTES: Final = 15

#: The methods the X and Z reports list first, in this order (the counter's methods).
REPORT_METHODS: Final = (
    PaymentMethod.CASH.value,
    PaymentMethod.BANK_CARD.value,
    PaymentMethod.WECHAT.value,
    PaymentMethod.ALIPAY.value,
)


class ShiftRefused(HallDeskError):
    """An action the shift rules do not allow (a second open shift, closing none…)."""


class NoOpenShift(ShiftRefused):
    """Money was to be taken, but the clerk has no open shift at this counter."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "No shift is open for you at this counter. Open a shift first "
                "(Shift handover tab, Open shift)."
            )
        )


def setting(session: Session, key: str, default: str) -> str:
    row = session.get(HallSetting, key)
    return row.value if row is not None and row.value.strip() else default


def int_setting(session: Session, key: str, default: int) -> int:
    try:
        value = int(setting(session, key, str(default)))
    except ValueError:
        return default
    return value if value >= 0 else default


def open_shift_query(counter_id: int | None = None, staff_id: int | None = None) -> Any:
    closed = select(ShiftClose.shift_id)
    query = select(CashShift).where(CashShift.id.not_in(closed))
    if counter_id is not None:
        query = query.where(CashShift.counter_id == counter_id)
    if staff_id is not None:
        query = query.where(CashShift.staff_id == staff_id)
    return query.order_by(CashShift.opened_at)


def open_shifts(
    session: Session, *, counter_id: int | None = None, staff_id: int | None = None
) -> list[CashShift]:
    return list(session.scalars(open_shift_query(counter_id, staff_id)))


def current_shift(session: Session, staff_id: int, counter_id: int | None) -> CashShift | None:
    """The clerk's open shift at ``counter_id`` (None when there is none)."""
    if counter_id is None:
        return None
    found = open_shifts(session, counter_id=counter_id, staff_id=staff_id)
    return found[0] if found else None


def require_current_shift(session: Session, staff_id: int, counter_id: int | None) -> CashShift:
    shift = current_shift(session, staff_id, counter_id)
    if shift is None:
        raise NoOpenShift()
    return shift


def is_open(session: Session, shift_id: uuid.UUID) -> bool:
    return session.scalar(select(ShiftClose.id).where(ShiftClose.shift_id == shift_id)) is None


def unsynced_payments(session: Session, shift_id: uuid.UUID) -> int:
    """How many payments of the shift (voids and reversals included) are still in the sync
    outbox, unsent or unacknowledged.

    The close checks it ("closing is refused while payments are unsynced unless a leader
    overrides"). A PC that is not enrolled with a centre has nothing to sync to: 0.
    """
    enrolled = session.scalar(select(SyncState.credential).where(SyncState.credential != ""))
    if not enrolled:
        return 0
    keys = [
        str(payment_id)
        for payment_id in session.scalars(select(Payment.id).where(Payment.shift_id == shift_id))
    ]
    if not keys:
        return 0
    return int(
        session.scalar(
            select(func.count()).where(
                SyncOutbox.kind == "payment",
                SyncOutbox.state == OpState.PENDING.value,
                SyncOutbox.key.in_(keys),
            )
        )
        or 0
    )


def blind_for(session: Session, is_leader: bool) -> bool:
    """Whether the hall's blind count hides an open shift's cash figures from this person:
    from everyone but a shift leader, while the hall's setting is on (the default)."""
    return not is_leader and setting(session, BLIND_COUNT_KEY, "1") == "1"


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShiftHeader:
    """Whose shift, where and since when: no money (what every screen may show)."""

    shift_id: uuid.UUID
    counter_id: int
    counter_code: str
    counter_name: str
    staff_id: int
    staff_no: str
    staff_name: str
    device_code: str
    business_date: date
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift as opened, with its close if closed."""

    shift_id: uuid.UUID
    counter_id: int
    counter_code: str
    counter_name: str
    staff_id: int
    staff_no: str
    staff_name: str
    device_code: str
    business_date: date
    opened_at: datetime
    opening_float_fen: int
    expected_float_fen: int | None
    float_reason: str
    opening_counts: dict[str, int]
    close: CloseView | None

    @property
    def is_open(self) -> bool:
        return self.close is None

    @property
    def header(self) -> ShiftHeader:
        return ShiftHeader(
            self.shift_id,
            self.counter_id,
            self.counter_code,
            self.counter_name,
            self.staff_id,
            self.staff_no,
            self.staff_name,
            self.device_code,
            self.business_date,
            self.opened_at,
        )

    @property
    def float_difference_fen(self) -> int:
        if self.expected_float_fen is None:
            return 0
        return self.opening_float_fen - self.expected_float_fen


@dataclass(frozen=True, slots=True)
class CloseView:
    closed_at: datetime
    blind: bool
    expected_cash_fen: int
    counted_cash_fen: int
    difference_fen: int
    float_left_fen: int
    reason: str
    approved_by: str  # the leader's name, "" when none was needed
    unsynced_override_by: str
    counts: dict[str, int]
    #: The non-cash methods as counted at the close (empty for a close recorded before
    #: they were counted, schema 0009).
    methods: tuple[MethodCount, ...] = ()

    def method(self, method: str) -> MethodCount | None:
        return next((m for m in self.methods if m.method == method), None)

    @property
    def deposit_fen(self) -> int:
        """Cash taken out at the close (to the safe): counted less the float left."""
        return self.counted_cash_fen - self.float_left_fen


@dataclass(frozen=True, slots=True)
class Movement:
    movement_id: uuid.UUID
    kind: CashMovementKind
    amount_fen: int
    reason: str
    at: datetime
    staff_no: str
    approved_by: str


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """The X report (shift open) or Z report figures (shift closed), with every figure: a
    shift leader's, a Z report, or a clerk's when the hall counts openly."""

    shift: ShiftView
    cash: ShiftCash
    movements: tuple[Movement, ...]
    generated_at: datetime
    expected_cash_fen: int | None
    #: Times the drawer was opened without a sale (``app.services.shifts.drawer``).
    no_sale_opens: int = 0

    @property
    def is_z(self) -> bool:
        return self.shift.close is not None


@dataclass(frozen=True, slots=True)
class BlindShiftReport:
    """The X report a clerk gets of an open shift under the hall's blind count: how many
    payments, voids and reversals each method had and how many cash movements, and not
    one amount. The float, the cash received, the change, the movements' amounts, the
    takings and the expected cash each let the expected cash be worked out before the
    drawer is counted, so the object does not carry them; they come with the close's
    preview, once everything is counted."""

    shift: ShiftHeader
    methods: tuple[MethodTally, ...]
    cash_movements: int
    generated_at: datetime
    #: Times the drawer was opened without a sale: a count, no amount.
    no_sale_opens: int = 0

    @property
    def is_z(self) -> bool:
        return False


AnyShiftReport = ShiftReport | BlindShiftReport


def _staff(session: Session, staff_id: int | None) -> Staff | None:
    return session.get(Staff, staff_id) if staff_id is not None else None


def _name(session: Session, staff_id: int | None) -> str:
    staff = _staff(session, staff_id)
    return staff.name if staff is not None else ""


def _counts(session: Session, shift_id: uuid.UUID, purpose: CashCountPurpose) -> dict[str, int]:
    row = session.scalars(
        select(CashCountRow).where(
            CashCountRow.shift_id == shift_id, CashCountRow.purpose == purpose.value
        )
    ).first()
    if row is None:
        return {}
    return CashCount.of(json.loads(row.counts_json)).as_dict()


def method_counts_json(methods: tuple[MethodCount, ...]) -> str:
    """The close's ``method_counts_json``: each method's expected, counted and difference."""
    return json.dumps(
        {
            m.method: {
                "expected_fen": m.expected_fen,
                "counted_fen": m.counted_fen,
                "difference_fen": m.difference_fen,
            }
            for m in methods
        },
        sort_keys=True,
    )


def read_method_counts(text: str, order: tuple[str, ...] = ()) -> tuple[MethodCount, ...]:
    """``method_counts_json`` read back, in report order (``order`` first)."""
    stored = json.loads(text or "{}")
    methods = [m for m in order if m in stored] + sorted(m for m in stored if m not in order)
    return tuple(
        MethodCount(m, int(stored[m]["expected_fen"]), int(stored[m]["counted_fen"]))
        for m in methods
    )


def shift_view(session: Session, shift: CashShift) -> ShiftView:
    counter = session.get(Counter, shift.counter_id)
    staff = _staff(session, shift.staff_id)
    close = session.scalars(select(ShiftClose).where(ShiftClose.shift_id == shift.id)).first()
    close_view = None
    if close is not None:
        close_view = CloseView(
            closed_at=close.closed_at,
            blind=close.blind,
            expected_cash_fen=close.expected_cash_fen,
            counted_cash_fen=close.counted_cash_fen,
            difference_fen=close.difference_fen,
            float_left_fen=close.float_left_fen,
            reason=close.reason,
            approved_by=_name(session, close.approved_by),
            unsynced_override_by=_name(session, close.unsynced_override_by),
            counts=_counts(session, shift.id, CashCountPurpose.CLOSING),
            methods=read_method_counts(close.method_counts_json, REPORT_METHODS),
        )
    return ShiftView(
        shift_id=shift.id,
        counter_id=shift.counter_id,
        counter_code=counter.code if counter else "",
        counter_name=counter.name if counter else "",
        staff_id=shift.staff_id,
        staff_no=staff.staff_no if staff else "",
        staff_name=staff.name if staff else "",
        device_code=shift.device_code,
        business_date=shift.business_date,
        opened_at=shift.opened_at,
        opening_float_fen=shift.opening_float_fen,
        expected_float_fen=shift.expected_float_fen,
        float_reason=shift.float_reason,
        opening_counts=_counts(session, shift.id, CashCountPurpose.OPENING),
        close=close_view,
    )


def get_shift(session: Session, shift_id: uuid.UUID) -> CashShift:
    shift = session.get(CashShift, shift_id)
    if shift is None:
        raise NotFound(N_("This shift does not exist."))
    return shift


def shift_figures(session: Session, shift: CashShift) -> tuple[ShiftCash, tuple[Movement, ...]]:
    """The shift's cash arithmetic from its payments and cash movements."""
    # Columns, not entities: a busy shift has hundreds of rows and this runs on every
    # X report and close preview.
    rows = session.execute(
        select(
            Payment.method,
            Payment.amount_fen,
            Payment.kind,
            Payment.tendered_fen,
            Payment.change_fen,
            Payment.rounding_fen,
        ).where(Payment.shift_id == shift.id)
    )
    entries = [
        MoneyEntry(
            method=method,
            amount_fen=amount,
            kind=EntryKind(kind),
            tendered_fen=tendered if kind == EntryKind.PAYMENT.value else None,
            change_fen=change if kind == EntryKind.PAYMENT.value else None,
            rounding_fen=rounding,
        )
        for method, amount, kind, tendered, change, rounding in rows
    ]
    moves = list(
        session.scalars(
            select(CashMovement).where(CashMovement.shift_id == shift.id).order_by(CashMovement.at)
        )
    )
    cash = shift_cash(
        shift.opening_float_fen,
        entries,
        cash_in=[m.amount_fen for m in moves if m.kind == CashMovementKind.CASH_IN.value],
        cash_out=[m.amount_fen for m in moves if m.kind == CashMovementKind.CASH_OUT.value],
        method_order=REPORT_METHODS,
    )
    movements = tuple(
        Movement(
            movement_id=m.id,
            kind=CashMovementKind(m.kind),
            amount_fen=m.amount_fen,
            reason=m.reason,
            at=m.at,
            staff_no=(_staff(session, m.staff_id) or Staff(staff_no="")).staff_no,
            approved_by=_name(session, m.approved_by),
        )
        for m in moves
    )
    return cash, movements


def shift_report(session: Session, shift: CashShift, now: datetime) -> ShiftReport:
    cash, movements = shift_figures(session, shift)
    view = shift_view(session, shift)
    return ShiftReport(
        view, cash, movements, now, cash.expected_cash_fen, no_sale_opens(session, shift.id)
    )


def blind_report(session: Session, shift: CashShift, now: datetime) -> BlindShiftReport:
    """The counts of an open shift and nothing else (see ``BlindShiftReport``)."""
    cash, movements = shift_figures(session, shift)
    return BlindShiftReport(
        shift=shift_view(session, shift).header,
        methods=tuple(MethodTally.of(m) for m in cash.methods),
        cash_movements=len(movements),
        generated_at=now,
        no_sale_opens=no_sale_opens(session, shift.id),
    )


def previous_shift(session: Session, counter_id: int) -> CashShift | None:
    """The last closed shift of a counter (whose float the next shift takes over)."""
    return session.scalars(
        select(CashShift)
        .join(ShiftClose, ShiftClose.shift_id == CashShift.id)
        .where(CashShift.counter_id == counter_id)
        .order_by(ShiftClose.closed_at.desc())
        .limit(1)
    ).first()


def float_handed_over(session: Session, counter_id: int) -> tuple[uuid.UUID, int] | None:
    """(previous shift, float it left) for the counter, or None for a first shift."""
    previous = previous_shift(session, counter_id)
    if previous is None:
        return None
    close = session.scalars(select(ShiftClose).where(ShiftClose.shift_id == previous.id)).one()
    return previous.id, close.float_left_fen
