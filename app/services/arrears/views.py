"""Read-only views of the arrears ladder: one account's standing, the pending restores,
and the content of an arrears notice (催缴通知书)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.data import ArrearsNoticeData, OutstandingBill
from app.domain.arrears import ArrearsRuleError, ArrearsStatus, check_step_allowed, needs_leader
from app.domain.arrears_policy import SERVICE_ACTION_KINDS, ArrearsPolicy, StepKind
from app.domain.ledger import settle
from app.i18n import N_, _
from app.services.arrears.history import HistoryEvent
from app.services.arrears.records import (
    AccountFacts,
    Context,
    masked_customer_name,
    masked_number,
)
from app.services.customers.service import ServiceView
from app.store.models import (
    Account,
    Customer,
    CustomerKind,
    DisputeFreeze,
    RestoreRequest,
    Service,
    ServiceKind,
)

#: Days an arrears notice gives the customer to pay.
NOTICE_PAY_DAYS: Final = 7
#: Service kinds as printed on the notice (the same msgids the UI uses).
SERVICE_KIND_LABELS: Final = {
    ServiceKind.MOBILE: N_("Mobile"),
    ServiceKind.FIXED: N_("Fixed line"),
    ServiceKind.BROADBAND: N_("Broadband"),
}
#: What the notice says happens next if nothing is paid.
NEXT_STEP_TEXT: Final = {
    StepKind.RESTRICT: N_("Outgoing calls and data will be restricted; incoming calls still work."),
    StepKind.SUSPEND: N_("The service will be suspended, outgoing and incoming."),
    StepKind.PRE_TERMINATE: N_(
        "The service will be pre-terminated and then cancelled if the charges stay unpaid."
    ),
}
NO_CUT_TEXT: Final = N_("We will keep reminding you by SMS and telephone.")


@dataclass(frozen=True, slots=True)
class StepCheck:
    """Whether a service action may be taken today; ``refusal`` says why not."""

    kind: StepKind
    refusal: ArrearsRuleError | None
    needs_leader: bool

    @property
    def allowed(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True, slots=True)
class FreezeView:
    freeze_id: uuid.UUID
    amount_fen: int
    reason: str
    starts_on: date
    expires_on: date
    active: bool


@dataclass(frozen=True, slots=True)
class RestoreRow:
    """A line to restore after full payment; ``overdue``: the hall's deadline has passed."""

    id: uuid.UUID
    account_id: int
    account_no: str
    customer_id: int
    customer_name_masked: str
    service_id: int
    service_number: str
    service_status: str
    requested_at: datetime
    deadline_at: datetime
    overdue: bool


@dataclass(frozen=True, slots=True)
class AccountArrears:
    """One account's standing on the ladder today, what can be done, and its history.

    ``status`` is the engine's result; ``checks`` tells which service actions are allowed
    now (and why not); ``reminder_kind`` is the reminder ``send_reminders`` would send.
    """

    account_id: int
    status: ArrearsStatus
    services: tuple[ServiceView, ...]
    history: tuple[HistoryEvent, ...]
    account_no: str = ""
    customer_id: int = 0
    customer_name_masked: str = ""
    policy_version: int = 0
    checks: tuple[StepCheck, ...] = ()
    freezes: tuple[FreezeView, ...] = ()
    restores: tuple[RestoreRow, ...] = ()
    promised_on: date | None = None
    reminder_kind: StepKind = StepKind.SMS_REMINDER


def step_checks(policy: ArrearsPolicy, status: ArrearsStatus, today: date) -> tuple[StepCheck, ...]:
    """Restrict, suspend and pre-terminate, each with the rule that refuses it today."""
    checks: list[StepCheck] = []
    for kind in sorted(SERVICE_ACTION_KINDS, key=lambda k: k.rank):
        refusal: ArrearsRuleError | None = None
        try:
            check_step_allowed(policy, status, kind, today)
        except ArrearsRuleError as exc:
            refusal = exc
        checks.append(StepCheck(kind, refusal, needs_leader(policy, status, kind)))
    return tuple(checks)


def freezes_of(session: Session, account_id: int, today: date) -> tuple[FreezeView, ...]:
    """The account's dispute freezes, the latest first; ``active`` on ``today``."""
    rows = session.scalars(
        select(DisputeFreeze)
        .where(DisputeFreeze.account_id == account_id)
        .order_by(DisputeFreeze.at.desc())
    )
    return tuple(
        FreezeView(
            freeze_id=f.id,
            amount_fen=f.amount_fen,
            reason=f.reason,
            starts_on=f.starts_on,
            expires_on=f.expires_on,
            active=f.starts_on <= today <= f.expires_on,
        )
        for f in rows
    )


def pending_restores(
    session: Session, now: datetime, account_id: int | None = None
) -> list[RestoreRow]:
    """Restore requests not done yet, the nearest deadline first."""
    query = (
        select(RestoreRequest, Account.number, Customer, Service)
        .join(Account, Account.id == RestoreRequest.account_id)
        .join(Customer, Customer.id == Account.customer_id)
        .join(Service, Service.id == RestoreRequest.service_id)
        .where(RestoreRequest.done_at.is_(None))
        .order_by(RestoreRequest.deadline_at, RestoreRequest.id)
    )
    if account_id is not None:
        query = query.where(RestoreRequest.account_id == account_id)
    return [
        RestoreRow(
            id=request.id,
            account_id=request.account_id,
            account_no=number,
            customer_id=customer.id,
            customer_name_masked=masked_customer_name(customer.name, customer.kind),
            service_id=service.id,
            service_number=masked_number(service.number),
            service_status=service.status,
            requested_at=request.requested_at,
            deadline_at=request.deadline_at,
            overdue=request.deadline_at < now,
        )
        for request, number, customer, service in session.execute(query)
    ]


def notice_data(ctx: Context, facts: AccountFacts) -> ArrearsNoticeData:
    """What the notice for ``facts``' account states: its overdue bills, the penalty so
    far, a pay-by date and the step that follows if nothing is paid.

    Refused (``ArrearsRuleError``) when nothing is overdue or a dispute freezes all of it.
    """
    status = facts.status
    check_step_allowed(ctx.policy, status, StepKind.SMS_REMINDER, ctx.today)
    paid = sum(p.amount_fen for p in facts.inputs.payments if p.paid_on <= ctx.today)
    bills = tuple(
        OutstandingBill(b.bill.period, b.outstanding_fen, b.bill.due_date)
        for b in settle(facts.inputs.bills, paid).bills
        if b.outstanding_fen > 0 and b.bill.due_date < ctx.today
    )
    services = tuple(
        f"{_(SERVICE_KIND_LABELS[ServiceKind(s.kind)])} {masked_number(s.number)}"
        for s in facts.services
    )
    return ArrearsNoticeData(
        hall_name=ctx.hall.name,
        hall_address=ctx.hall.address,
        hotline=ctx.hall.hotline,
        customer_name=facts.customer_name,
        account_no=facts.account_no,
        services=services,
        bills=bills,
        total_owed_fen=sum(b.amount_fen for b in bills),
        penalty_fen=status.penalty_fen,
        pay_by=ctx.today + timedelta(days=NOTICE_PAY_DAYS),
        next_step=_(next_step_text(status)),
        issue_date=ctx.today,
        notice_no=f"CJ{ctx.today:%Y%m%d}-{facts.account_no}",
        organisation=facts.customer_kind == CustomerKind.ORGANISATION,
    )


def next_step_text(status: ArrearsStatus) -> str:
    """The msgid of the next service action the tier holds beyond the one in force."""
    held = status.service_hold.rank if status.service_hold is not None else -1
    tier = status.tier
    step = next(
        (
            s
            for s in (tier.steps if tier is not None else ())
            if s.kind in SERVICE_ACTION_KINDS and s.kind.rank > held
        ),
        None,
    )
    return NEXT_STEP_TEXT[step.kind] if step is not None else NO_CUT_TEXT
