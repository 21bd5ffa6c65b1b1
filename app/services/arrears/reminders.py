"""Reminders: which SMS an account gets now (first or second), its text, and its queueing.

A reminder is the notice the regulation asks for before any restriction, so it is one of
the ladder's steps: ``plan_reminder`` applies the same checks as every step (arrears exist
and are not frozen, the policy's leader rule) plus its own (one per account per day, a
mobile number to send to), and ``queue_reminder`` writes the message, the step and the
audit event together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlalchemy.orm import Session

from app.domain.arrears import ArrearsRule, ArrearsRuleError, check_step_allowed, needs_leader
from app.domain.arrears_policy import StepKind
from app.domain.errors import HallDeskError, PermissionDenied, ValidationError
from app.domain.identity import mask_phone
from app.i18n import N_
from app.services.arrears.actions import POLICY_LEADER, approver, is_leader
from app.services.arrears.records import AccountFacts, Context
from app.services.arrears.sms import reminder_phone, render_reminder
from app.services.base import Actor, audit
from app.store.models import ArrearsAction, SmsMessage

#: Days a reminder gives the customer to pay.
REMINDER_PAY_DAYS: Final = 7
SMS_KINDS: Final = (StepKind.SMS_REMINDER, StepKind.SECOND_SMS)


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """What ``send_reminders`` will queue for one account, or why it will not.

    ``refusal`` is None when the reminder can go; otherwise the error to show.
    """

    account_id: int
    account_no: str
    kind: StepKind
    phone_masked: str
    text: str
    refusal: HallDeskError | None
    phone: str = ""
    approved_by: int | None = None


def plan_reminder(
    ctx: Context, actor: Actor, facts: AccountFacts, leader: Actor | None
) -> ReminderPlan:
    """Which reminder ``facts``' account gets now and its text, or why it gets none."""
    status = facts.status
    episode_sms = [
        a.on
        for a in facts.inputs.actions
        if a.kind in SMS_KINDS
        and status.episode_start is not None
        and status.episode_start <= a.on <= ctx.today
    ]
    kind = StepKind.SECOND_SMS if episode_sms else StepKind.SMS_REMINDER
    phone = reminder_phone(facts.contact_phone, facts.services)
    refusal: HallDeskError | None = None
    text = ""
    try:
        check_step_allowed(ctx.policy, status, kind, ctx.today)
        if ctx.today in episode_sms:
            raise ArrearsRuleError(
                ArrearsRule.ALREADY_TAKEN,
                N_("A reminder was already sent to this account today."),
            )
        if needs_leader(ctx.policy, status, kind) and not is_leader(actor, leader):
            raise PermissionDenied(POLICY_LEADER)
        if phone is None:
            raise ValidationError(
                "phone", N_("This account has no mobile number to send a reminder to.")
            )
        text = render_reminder(
            kind,
            customer_name=facts.customer_name,
            customer_kind=facts.customer_kind,
            account_no=facts.account_no,
            amount_fen=status.ladder_fen,
            deadline=ctx.today + timedelta(days=REMINDER_PAY_DAYS),
            hall=ctx.hall,
        )
    except (ArrearsRuleError, PermissionDenied, ValidationError) as exc:
        refusal = exc
    return ReminderPlan(
        account_id=facts.account_id,
        account_no=facts.account_no,
        kind=kind,
        phone_masked=mask_phone(phone) if phone else "",
        text=text,
        refusal=refusal,
        phone=phone or "",
        approved_by=approver(actor, leader),
    )


def queue_reminder(session: Session, ctx: Context, actor: Actor, plan: ReminderPlan) -> uuid.UUID:
    assert plan.refusal is None
    message = SmsMessage(
        account_id=plan.account_id,
        phone=plan.phone,
        body=plan.text,
        created_at=ctx.now,
        staff_id=actor.staff_id,
    )
    session.add(message)
    session.flush()
    session.add(
        ArrearsAction(
            account_id=plan.account_id,
            kind=plan.kind.value,
            taken_on=ctx.today,
            at=ctx.now,
            staff_id=actor.staff_id,
            approved_by=plan.approved_by,
            message_id=message.id,
        )
    )
    audit(
        session,
        at=ctx.now,
        staff_id=actor.staff_id,
        action="arrears_reminder",
        entity="account",
        entity_id=plan.account_id,
        kind=plan.kind.value,
        message=str(message.id),
    )
    return message.id
