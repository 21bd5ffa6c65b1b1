"""Voids and reversals (冲正): a payment is never changed; a correction is a row of its own
with the negated amount, penalty and cash rounding, pointing at the payment it corrects.

A payment is corrected at most once and a correction is never corrected. A void is only
for a payment of the clerk's open shift, still open at this counter; any other correction
is a reversal. Both need a shift leader's credential and a reason (the caller checks them).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import HallDeskError, NotFound
from app.domain.ids import uuid7
from app.i18n import N_
from app.services.base import Actor, Desk, audit, this_desk
from app.services.payments.receipt_numbers import take_write_lock
from app.services.shifts.records import is_open, require_current_shift
from app.store.models import Payment, PaymentKind


class CorrectionRule(StrEnum):
    """Which rule refused a void or reversal, for callers that react to the reason."""

    NOT_A_PAYMENT = "not_a_payment"
    ALREADY_CORRECTED = "already_corrected"
    OTHER_SHIFT = "other_shift"


class CorrectionRefused(HallDeskError):
    """A void or reversal the rules do not allow; ``rule`` says which rule."""

    def __init__(self, rule: CorrectionRule, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.rule = rule


def correction_of(session: Session, payment_id: uuid.UUID) -> Payment | None:
    """The void or reversal that points at ``payment_id``, if any."""
    return session.scalars(
        select(Payment).where(Payment.original_id == payment_id).limit(1)
    ).first()


def write_correction(
    session: Session,
    actor: Actor,
    payment_id: uuid.UUID,
    leader: Actor,
    reason: str,
    kind: PaymentKind,
    now: datetime,
) -> Payment:
    """The void or reversal row of ``payment_id`` in the caller's transaction, with its
    audit event (``leader`` and ``reason`` already checked), or a refusal."""
    desk = this_desk(session)
    take_write_lock(session, desk.device_code)
    shift = require_current_shift(session, actor.staff_id, desk.counter_id)
    original = session.get(Payment, payment_id)
    if original is None:
        raise NotFound(N_("This payment does not exist."))
    if original.kind != PaymentKind.PAYMENT:
        raise CorrectionRefused(
            CorrectionRule.NOT_A_PAYMENT,
            N_("Only a payment can be voided or reversed, not a void or a reversal."),
        )
    if correction_of(session, original.id) is not None:
        raise CorrectionRefused(
            CorrectionRule.ALREADY_CORRECTED,
            N_("This payment has already been voided or reversed."),
        )
    if kind is PaymentKind.VOID:
        refusal = void_refusal(session, original, desk, shift.id)
        if refusal is not None:
            raise refusal
    row = Payment(
        id=uuid7(),
        account_id=original.account_id,
        amount_fen=-original.amount_fen,
        method=original.method,
        reference=original.reference or "",
        paid_at=now,
        staff_id=actor.staff_id,
        receipt_no=None,
        kind=kind.value,
        original_id=original.id,
        device_code=desk.device_code,
        counter_id=desk.counter_id,
        tendered_fen=None,
        change_fen=None,
        reason=reason,
        approved_by=leader.staff_id,
        penalty_fen=-original.penalty_fen,
        rounding_fen=-original.rounding_fen,
        shift_id=shift.id,
    )
    session.add(row)
    audit(
        session,
        at=now,
        staff_id=actor.staff_id,
        action=f"payment_{kind.value}",
        entity="payment",
        entity_id=str(row.id),
        original=str(original.id),
        receipt_no=original.receipt_no,
        account_id=original.account_id,
        amount_fen=row.amount_fen,
        penalty_fen=row.penalty_fen,
        approved_by=leader.staff_id,
        reason=reason,
    )
    return row


def void_refusal(
    session: Session, original: Payment, desk: Desk, shift_id: uuid.UUID | None
) -> CorrectionRefused | None:
    """Why ``original`` may not be voided now (None when it may): only in its own shift,
    while that shift is open at this counter (``shift_id``: the clerk's open shift, or None
    to ask only whether the shift is still open here)."""
    same = (
        original.shift_id is not None
        and is_open(session, original.shift_id)
        and original.counter_id == desk.counter_id
        and (shift_id is None or original.shift_id == shift_id)
    )
    if not same:
        return CorrectionRefused(
            CorrectionRule.OTHER_SHIFT,
            N_(
                "A payment can be voided only in the shift that took it, while it is open; "
                "use a reversal instead."
            ),
        )
    return None
