"""The late-payment penalty of an account as it stood just after one payment.

A receipt prints the penalty still owed after its payment; a reprint months later must
print the same figure, so it is replayed from the records written up to that payment (the
payment itself included), not read from today's state. Reads only.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.freeze import Freeze
from app.domain.ledger import BillLine, DatedLedger, PaymentLine
from app.domain.penalty import PenaltyFacts, PostedAccrual, penalty_position, runs_from_json
from app.services.arrears.records import as_utc, business_date
from app.store.models import Bill, DisputeFreeze, Payment, PenaltyAccrual, PenaltyWaiver


def penalty_owed_after(session: Session, payment: Payment, timezone: str, per_mille: int) -> int:
    """The penalty the account still owed right after ``payment`` (settled and waived
    before or with it taken off; later payments, voids and postings not counted)."""
    at = payment.paid_at
    day = business_date(at, timezone)
    account = payment.account_id
    earlier = (Payment.paid_at < at) | ((Payment.paid_at == at) & (Payment.id <= payment.id))
    bills = [
        BillLine(b.period, b.amount_fen, b.issue_date, b.due_date)
        for b in session.scalars(select(Bill).where(Bill.account_id == account))
    ]
    payments = [
        PaymentLine(business_date(as_utc(paid_at), timezone), credited)
        for paid_at, credited in session.execute(
            select(Payment.paid_at, Payment.amount_fen - Payment.penalty_fen).where(
                Payment.account_id == account, earlier
            )
        )
    ]
    settled = session.scalar(
        select(func.coalesce(func.sum(Payment.penalty_fen), 0)).where(
            Payment.account_id == account, earlier
        )
    )
    waived = session.scalar(
        select(func.coalesce(func.sum(PenaltyWaiver.amount_fen), 0)).where(
            PenaltyWaiver.account_id == account, PenaltyWaiver.at <= at
        )
    )
    accruals = tuple(
        PostedAccrual(as_utc(a.at), a.id.hex, a.per_mille, runs_from_json(json.loads(a.runs_json)))
        for a in session.scalars(
            select(PenaltyAccrual).where(
                PenaltyAccrual.account_id == account, PenaltyAccrual.at <= at
            )
        )
    )
    freezes = [
        Freeze(f.amount_fen, f.starts_on, f.expires_on)
        for f in session.scalars(
            select(DisputeFreeze).where(DisputeFreeze.account_id == account, DisputeFreeze.at <= at)
        )
    ]
    facts = PenaltyFacts(accruals, int(settled or 0), int(waived or 0))
    return penalty_position(DatedLedger(bills, payments), freezes, facts, per_mille, day).owed_fen
