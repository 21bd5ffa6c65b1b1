"""The steps taken on an account in arrears, each checked, recorded and audited.

Every function here runs inside the caller's unit of work and writes an ``arrears_action``
row (or a ``dispute_freeze``) plus an audit event, so a step is recorded together with its
effect or not at all. Checks come in a fixed order: the ladder's rules first (the engine's
``check_step_allowed``: arrears exist, notice was given, the art. 34 floors), then the
credential, then the input; the first refusal raised is the one the user sees.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.arrears import (
    ArrearsRule,
    ArrearsRuleError,
    ArrearsStatus,
    check_step_allowed,
    needs_leader,
    restrictable_kinds,
)
from app.domain.arrears_policy import SERVICE_ACTION_KINDS, SUSPEND_FLOOR_DAYS, StepKind
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.text import clean_text
from app.i18n import N_, _, format_money
from app.services.arrears.records import STATUS_RANK, Context, account_facts
from app.services.base import Actor, audit
from app.store.models import (
    ActionKind,
    ArrearsAction,
    CallResult,
    DisputeFreeze,
    RestoreRequest,
    Service,
    ServiceStatus,
)

#: The longest a dispute may hold an amount out of the ladder.
MAX_FREEZE_DAYS: Final = 180
#: How far ahead a customer may promise to pay.
MAX_PROMISE_DAYS: Final = 60
MAX_NOTE: Final = 500
MAX_REASON: Final = 500
#: The service status each cut leaves the line in, and the order of severity.
CUT_STATUS: Final = {
    StepKind.RESTRICT: ServiceStatus.RESTRICTED,
    StepKind.SUSPEND: ServiceStatus.SUSPENDED,
    StepKind.PRE_TERMINATE: ServiceStatus.PRE_TERMINATED,
}
_NEEDS_LEADER: Final = N_("This needs a shift leader's credential.")
POLICY_LEADER: Final = N_("The hall's policy needs a shift leader for this step.")


def is_leader(actor: Actor, leader: Actor | None) -> bool:
    """Whether the acting staff member, or the credential given for this step, is a leader."""
    return actor.is_leader or (leader is not None and leader.is_leader)


def approver(actor: Actor, leader: Actor | None) -> int | None:
    """Who is recorded as approving: the leader credential given, else an acting leader."""
    if leader is not None and leader.is_leader:
        return leader.staff_id
    return actor.staff_id if actor.is_leader else None


def _record(
    session: Session,
    ctx: Context,
    actor: Actor,
    row: ArrearsAction | DisputeFreeze,
    action: str,
    account_id: int,
    *,
    id_key: str = "",
    **detail: object,
) -> uuid.UUID:
    """Add one history row and its audit event (``id_key`` names the row's id in the
    detail); returns the row's id."""
    session.add(row)
    session.flush()
    if id_key:
        detail[id_key] = str(row.id)
    audit(
        session,
        at=ctx.now,
        staff_id=actor.staff_id,
        action=action,
        entity="account",
        entity_id=account_id,
        **detail,
    )
    return row.id


# --- phone calls --------------------------------------------------------------------------


def log_call(
    session: Session,
    ctx: Context,
    actor: Actor,
    account_id: int,
    result: CallResult | str,
    promised_on: date | None,
    note: str,
    leader: Actor | None = None,
) -> uuid.UUID:
    """Record a call and its result; a call that reached nobody is history, not notice.

    A call that reached the customer is the ladder's phone-call step, so a policy that
    makes that step a leader's needs the leader's credential here too.
    """
    try:
        outcome = CallResult(result)
    except ValueError:
        raise ValidationError("result", N_("Choose the result of the call.")) from None
    note = clean_text(note, field="note")
    if len(note) > MAX_NOTE:
        raise ValidationError("note", N_("A note can be at most {max} characters."), max=MAX_NOTE)
    if outcome is CallResult.PROMISED:
        if promised_on is None or promised_on < ctx.today:
            raise ValidationError(
                "promised_on", N_("A promised payment needs a date from today on.")
            )
        if promised_on > ctx.today + timedelta(days=MAX_PROMISE_DAYS):
            raise ValidationError(
                "promised_on",
                N_("A promised payment date can be at most {days} days ahead."),
                days=MAX_PROMISE_DAYS,
            )
    else:
        promised_on = None
    facts = account_facts(session, ctx, account_id)
    reached = outcome in (CallResult.PROMISED, CallResult.REFUSED)
    if (
        reached
        and needs_leader(ctx.policy, facts.status, StepKind.PHONE_CALL)
        and not is_leader(actor, leader)
    ):
        raise PermissionDenied(POLICY_LEADER)
    action = ArrearsAction(
        account_id=account_id,
        kind=ActionKind.PHONE_CALL.value,
        taken_on=ctx.today,
        at=ctx.now,
        staff_id=actor.staff_id,
        result=outcome.value,
        promised_on=promised_on,
        note=note,
        approved_by=approver(actor, leader) if reached else None,
    )
    return _record(
        session,
        ctx,
        actor,
        action,
        "arrears_call",
        account_id,
        result=outcome.value,
        promised_on=promised_on,
    )


# --- cutting and restoring service ---------------------------------------------------------


def cut_service(
    session: Session,
    ctx: Context,
    actor: Actor,
    account_id: int,
    leader: Actor,
    kind: StepKind,
) -> list[int]:
    """Restrict, suspend or pre-terminate every line of the account not already cut that
    far; returns the service ids changed.

    A restriction reaches only the lines ``restrictable_kinds`` names (mobile before the
    30-day floor, mobile and fixed from then on, never broadband) and records on each
    line's action which rule allowed it (``restriction_reason``)."""
    assert kind in SERVICE_ACTION_KINDS
    facts = account_facts(session, ctx, account_id)
    check_step_allowed(ctx.policy, facts.status, kind, ctx.today)
    if not leader.is_leader:
        raise PermissionDenied(_NEEDS_LEADER)
    target = CUT_STATUS[kind]
    all_lines = list(
        session.scalars(
            select(Service).where(Service.account_id == account_id).order_by(Service.id)
        )
    )
    note = ""
    if kind == StepKind.RESTRICT:
        kinds = restrictable_kinds(facts.status, ctx.today)
        all_lines = [s for s in all_lines if s.kind in kinds]
        if not all_lines:
            raise ArrearsRuleError(
                ArrearsRule.NO_RESTRICTABLE_LINE,
                N_(
                    "This account has no line that can be restricted now: before day 30"
                    " after the due date only mobile lines are restricted, fixed lines from"
                    " then on; broadband is never restricted, only suspended."
                ),
            )
        note = restriction_reason(ctx, facts.status)
    lines = [
        s for s in all_lines if STATUS_RANK.get(ServiceStatus(s.status), 0) < STATUS_RANK[target]
    ]
    if not lines:
        raise ArrearsRuleError(
            ArrearsRule.ALREADY_TAKEN, N_("The service is already restricted or suspended.")
        )
    previous = {line.id: line.status for line in lines}
    for line in lines:
        line.status = target.value
        session.add(
            ArrearsAction(
                account_id=account_id,
                service_id=line.id,
                kind=kind.value,
                taken_on=ctx.today,
                at=ctx.now,
                staff_id=actor.staff_id,
                approved_by=leader.staff_id,
                note=note,
            )
        )
    audit(
        session,
        at=ctx.now,
        staff_id=actor.staff_id,
        action=f"arrears_{kind.value}",
        entity="account",
        entity_id=account_id,
        approved_by=leader.staff_id,
        previous_status=previous,
        owed_fen=facts.status.owed_fen,
        ladder_fen=facts.status.ladder_fen,
        days_overdue=facts.status.days_overdue,
        reason=note,
    )
    return [line.id for line in lines]


def restriction_reason(ctx: Context, status: ArrearsStatus) -> str:
    """Why a restriction is allowed today, in the acting clerk's language, for the record:
    large arrears before the 30-day floor (mobile lines, art. 34's mobile clause), or the
    30-day floor reached."""
    if status.days_overdue < SUSPEND_FLOOR_DAYS:
        return _(
            "Large arrears: {amount} overdue (threshold {threshold}) on day {day} after the"
            " due date; mobile lines restricted before the 30-day floor (Telecommunications"
            " Regulations art. 34, mobile payment term)."
        ).format(
            amount=format_money(status.ladder_fen),
            threshold=format_money(ctx.policy.large_arrears_fen),
            day=status.days_overdue,
        )
    return _(
        "{amount} overdue on day {day} after the due date: restricted after the 30-day floor"
        " (Telecommunications Regulations art. 34)."
    ).format(amount=format_money(status.ladder_fen), day=status.days_overdue)


def restore(session: Session, ctx: Context, actor: Actor, request_id: uuid.UUID) -> int:
    """Mark a restore request done and put its line back to normal; returns the service id."""
    request = session.get(RestoreRequest, request_id)
    if request is None:
        raise NotFound(N_("This restore request does not exist."))
    if request.done_at is not None:
        raise ValidationError("restore_request", N_("This service was already restored."))
    service = session.get(Service, request.service_id)
    assert service is not None
    previous = service.status
    request.done_at = ctx.now
    request.done_by = actor.staff_id
    service.status = ServiceStatus.NORMAL.value
    session.add(
        ArrearsAction(
            account_id=request.account_id,
            service_id=service.id,
            kind=ActionKind.RESTORE.value,
            taken_on=ctx.today,
            at=ctx.now,
            staff_id=actor.staff_id,
        )
    )
    audit(
        session,
        at=ctx.now,
        staff_id=actor.staff_id,
        action="arrears_restore",
        entity="restore_request",
        entity_id=str(request.id),
        service=service.id,
        previous_status=previous,
        late=ctx.now > request.deadline_at,
    )
    return service.id


# --- dispute freezes ------------------------------------------------------------------------


def freeze(
    session: Session,
    ctx: Context,
    actor: Actor,
    leader: Actor,
    account_id: int,
    amount_fen: int,
    reason: str,
    expires_on: date,
) -> uuid.UUID:
    """Hold ``amount_fen`` out of the ladder from today to ``expires_on`` (a leader's call)."""
    if not leader.is_leader:
        raise PermissionDenied(_NEEDS_LEADER)
    reason = clean_text(reason, field="reason")
    if not reason:
        raise ValidationError("reason", N_("Give the reason for the dispute freeze."))
    if len(reason) > MAX_REASON:
        raise ValidationError(
            "reason", N_("The reason can be at most {max} characters."), max=MAX_REASON
        )
    if expires_on <= ctx.today or expires_on > ctx.today + timedelta(days=MAX_FREEZE_DAYS):
        raise ValidationError(
            "expires_on",
            N_("A dispute freeze must end after today and within {days} days."),
            days=MAX_FREEZE_DAYS,
        )
    facts = account_facts(session, ctx, account_id)
    frozen = sum(f.amount_fen for f in facts.inputs.freezes if f.active_on(ctx.today))
    room = facts.status.owed_fen - frozen
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationError("amount_fen", N_("A frozen amount must be greater than zero."))
    if amount_fen > room:
        raise ValidationError(
            "amount_fen",
            N_("At most {amount} of this account can be frozen (owed, less active freezes)."),
            amount=format_money(max(0, room)),
        )
    row = DisputeFreeze(
        account_id=account_id,
        amount_fen=amount_fen,
        reason=reason,
        starts_on=ctx.today,
        expires_on=expires_on,
        at=ctx.now,
        staff_id=actor.staff_id,
        approved_by=leader.staff_id,
    )
    return _record(
        session,
        ctx,
        actor,
        row,
        "arrears_freeze",
        account_id,
        id_key="freeze",
        amount_fen=amount_fen,
        expires_on=expires_on,
        approved_by=leader.staff_id,
    )


# --- notices --------------------------------------------------------------------------------


def record_notice(
    session: Session, ctx: Context, actor: Actor, account_id: int, notice_no: str
) -> uuid.UUID:
    action = ArrearsAction(
        account_id=account_id,
        kind=ActionKind.NOTICE_PRINTED.value,
        taken_on=ctx.today,
        at=ctx.now,
        staff_id=actor.staff_id,
        note=notice_no,
    )
    return _record(session, ctx, actor, action, "arrears_notice", account_id, notice=notice_no)
