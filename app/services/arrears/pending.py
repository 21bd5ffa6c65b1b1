"""Pending items of arrears: restore requests not yet done, promises to pay that fall due.

* **Restore** (``PendingKind.RESTORE``): every ``restore_request`` without ``done_at``,
  due at its deadline (overdue once past). With a ``counter_id``, only those asked for by
  a payment taken at that counter (each counter restores what it was paid for).
* **Promise to pay** (``PendingKind.PROMISE_TO_PAY``): a phone call whose result was
  "promised" (``arrears_action`` kind ``phone_call``, result ``promised``, with
  ``promised_on``) falls due when the promised day is on or before the horizon's day and
  the account still owes. Only the latest promise of an account counts, and only if no
  payment came after the call (a payment keeps or ends the promise). With a
  ``staff_id``, only the promises that clerk took.

``ref`` is the account number; ``summary`` the masked customer name and the data (service
number, amount owed); the kind's label is the prose.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.arrears.records import masked_customer_name, masked_number
from app.services.pending import PendingItem, PendingKind, PendingQuery, register_provider
from app.store.models import (
    Account,
    AccountLedger,
    ActionKind,
    ArrearsAction,
    CallResult,
    Customer,
    DeviceInfo,
    Hall,
    Payment,
    RestoreRequest,
    Service,
)


def _timezone(session: Session) -> ZoneInfo:
    device = session.scalars(select(DeviceInfo).limit(1)).first()
    hall = session.get(Hall, device.hall_id) if device else None
    return ZoneInfo(hall.timezone if hall else "Asia/Shanghai")


def _restores(session: Session, query: PendingQuery) -> list[PendingItem]:
    stmt = (
        select(RestoreRequest, Account.number, Service.number, Customer.name, Customer.kind)
        .join(Account, Account.id == RestoreRequest.account_id)
        .join(Service, Service.id == RestoreRequest.service_id)
        .join(Customer, Customer.id == Account.customer_id)
        .where(RestoreRequest.done_at.is_(None))
        .order_by(RestoreRequest.deadline_at)
    )
    if query.counter_id is not None:
        stmt = stmt.join(Payment, Payment.id == RestoreRequest.payment_id).where(
            Payment.counter_id == query.counter_id
        )
    return [
        PendingItem(
            kind=PendingKind.RESTORE,
            ref=account_no,
            summary=f"{masked_customer_name(name, kind)} {masked_number(number)}",
            due_at=request.deadline_at,
            overdue=request.deadline_at < query.now,
        )
        for request, account_no, number, name, kind in session.execute(stmt)
    ]


def _promises(session: Session, query: PendingQuery) -> list[PendingItem]:
    zone = _timezone(session)
    until_day = query.until.astimezone(zone).date()
    today = query.now.astimezone(zone).date()
    latest = (
        select(ArrearsAction.account_id, func.max(ArrearsAction.at).label("at"))
        .where(
            ArrearsAction.kind == ActionKind.PHONE_CALL.value,
            ArrearsAction.result == CallResult.PROMISED.value,
            ArrearsAction.promised_on.is_not(None),
        )
        .group_by(ArrearsAction.account_id)
        .subquery()
    )
    stmt = (
        select(ArrearsAction, Account.number, Customer.name, Customer.kind, AccountLedger.owed_fen)
        .join(
            latest,
            (latest.c.account_id == ArrearsAction.account_id) & (latest.c.at == ArrearsAction.at),
        )
        .join(Account, Account.id == ArrearsAction.account_id)
        .join(Customer, Customer.id == Account.customer_id)
        .join(AccountLedger, AccountLedger.account_id == Account.id)
        .where(
            ArrearsAction.kind == ActionKind.PHONE_CALL.value,
            ArrearsAction.result == CallResult.PROMISED.value,
            ArrearsAction.promised_on <= until_day,
            AccountLedger.owed_fen > 0,
            ~select(Payment.id)
            .where(
                Payment.account_id == ArrearsAction.account_id, Payment.paid_at > ArrearsAction.at
            )
            .exists(),
        )
        .order_by(ArrearsAction.promised_on)
    )
    if query.staff_id is not None:
        stmt = stmt.where(ArrearsAction.staff_id == query.staff_id)
    items = []
    for action, account_no, name, kind, owed in session.execute(stmt):
        promised = action.promised_on
        assert promised is not None
        items.append(
            PendingItem(
                kind=PendingKind.PROMISE_TO_PAY,
                ref=account_no,
                summary=f"{masked_customer_name(name, kind)} {owed / 100:.2f}",
                due_at=datetime.combine(promised, time(23, 59, 59), zone),
                overdue=promised < today,
            )
        )
    return items


def pending_items(session: Session, query: PendingQuery) -> Sequence[PendingItem]:
    return [*_restores(session, query), *_promises(session, query)]


register_provider((PendingKind.RESTORE, PendingKind.PROMISE_TO_PAY), pending_items)
