"""An account as a payment sees it, read from the store: its bills, what payments
credited, its lines and open restores, and its late-payment penalty under the policy in
force. ``PaymentService`` plans against it twice: for the confirmation, and again inside
the write transaction (``plan.plan_payment``).

Outstanding amounts are the FIFO projection of ``app.domain.ledger.settle`` over the bills
and the sum of what payments credited (``amount_fen - penalty_fen``), the same rule the
``account_ledger`` triggers apply, so allocations agree with the ledger.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.arrears_policy import ArrearsPolicy, default_policy
from app.domain.errors import NotFound
from app.domain.identity import mask_name
from app.domain.ledger import BillLine
from app.i18n import N_
from app.services.arrears.records import load_inputs, read_policy
from app.services.customers.service import ServiceView
from app.services.payments.plan import AccountState, BillRow
from app.store.models import (
    Account,
    Bill,
    Customer,
    CustomerKind,
    Payment,
    RestoreRequest,
    Service,
)


def policy_in_force(session: Session) -> ArrearsPolicy:
    """The hall's ladder policy: the highest stored version, or the bundled default that
    ``ArrearsService`` writes as version 1 on first use (read only here, so a payment never
    writes policy rows)."""
    found = read_policy(session)
    return found[1] if found is not None else default_policy()


def account_state(
    session: Session, account_id: int, today: date, timezone: str, policy: ArrearsPolicy
) -> AccountState:
    """The account as a payment is planned against it (``plan.plan_payment``)."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(N_("No account with this number exists."))
    customer = session.get(Customer, account.customer_id)
    assert customer is not None
    bills = tuple(
        BillRow(b.id, BillLine(b.period, b.amount_fen, b.issue_date, b.due_date))
        for b in session.scalars(
            select(Bill).where(Bill.account_id == account_id).order_by(Bill.period, Bill.due_date)
        )
    )
    credited = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_fen - Payment.penalty_fen), 0)).where(
            Payment.account_id == account_id
        )
    )
    services = tuple(
        ServiceView(s.id, s.kind, s.number, s.plan, s.status)
        for s in session.scalars(
            select(Service)
            .where(Service.account_id == account_id)
            .order_by(Service.kind, Service.number)
        )
    )
    open_restores = frozenset(
        session.scalars(
            select(RestoreRequest.service_id).where(
                RestoreRequest.account_id == account_id, RestoreRequest.done_at.is_(None)
            )
        )
    )
    # The penalty's facts are read with the engine's other inputs, so the amount is the one
    # the arrears tab shows.
    penalty = load_inputs(session, [account_id], timezone)[account_id].penalty_position(
        policy, today
    )
    organisation = customer.kind == CustomerKind.ORGANISATION
    return AccountState(
        account_id=account.id,
        account_no=account.number,
        customer_id=customer.id,
        customer_name=mask_name(customer.name, organisation=organisation),
        organisation=organisation,
        bills=bills,
        credited_fen=int(credited or 0),
        penalty=penalty,
        services=services,
        open_restores=open_restores,
    )
