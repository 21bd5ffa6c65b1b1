"""A customer's arrears history: every recorded step, newest first, ready to display.

Events come from the append-only records (payments with their voids and reversals, ladder
actions with the SMS text and its queue state, freezes, waivers, restore requests), so
the history is exactly what was recorded: who, when, what, with what result.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.i18n import N_
from app.services.arrears.records import as_utc, masked_number
from app.services.arrears.sms import SMS_STATE_LABELS, SmsState
from app.store.models import (
    Account,
    ActionKind,
    ArrearsAction,
    CallResult,
    DisputeFreeze,
    Payment,
    PenaltyWaiver,
    RestoreRequest,
    Service,
    SmsBatch,
    SmsMessage,
    Staff,
)


class HistoryKind(StrEnum):
    """What a history event records; the ladder's kinds keep their stored values."""

    SMS_REMINDER = ActionKind.SMS_REMINDER.value
    SECOND_SMS = ActionKind.SECOND_SMS.value
    PHONE_CALL = ActionKind.PHONE_CALL.value
    RESTRICT = ActionKind.RESTRICT.value
    SUSPEND = ActionKind.SUSPEND.value
    PRE_TERMINATE = ActionKind.PRE_TERMINATE.value
    RESTORE = ActionKind.RESTORE.value
    NOTICE_PRINTED = ActionKind.NOTICE_PRINTED.value
    PAYMENT = "payment"
    VOID = "void"
    REVERSAL = "reversal"
    FREEZE = "freeze"
    WAIVER = "waiver"
    RESTORE_REQUEST = "restore_request"


#: Display names of the kinds, translated where shown.
HISTORY_KIND_LABELS: Final[dict[str, str]] = {
    HistoryKind.SMS_REMINDER: N_("SMS reminder"),
    HistoryKind.SECOND_SMS: N_("Second SMS reminder"),
    HistoryKind.PHONE_CALL: N_("Phone call"),
    HistoryKind.RESTRICT: N_("Restrict outgoing service"),
    HistoryKind.SUSPEND: N_("Suspend service"),
    HistoryKind.PRE_TERMINATE: N_("Pre-terminate"),
    HistoryKind.RESTORE: N_("Service restored"),
    HistoryKind.NOTICE_PRINTED: N_("Arrears notice printed"),
    HistoryKind.PAYMENT: N_("Payment"),
    HistoryKind.VOID: N_("Payment voided"),
    HistoryKind.REVERSAL: N_("Payment reversed"),
    HistoryKind.FREEZE: N_("Dispute freeze"),
    HistoryKind.WAIVER: N_("Penalty waived"),
    HistoryKind.RESTORE_REQUEST: N_("Restore requested"),
}
#: Display names of ``HistoryEvent.result`` values, translated where shown.
RESULT_LABELS: Final[dict[str, str]] = {
    CallResult.PROMISED: N_("Promised to pay"),
    CallResult.REFUSED: N_("Refused to pay"),
    CallResult.UNREACHABLE: N_("Unreachable"),
    CallResult.WRONG_NUMBER: N_("Wrong number"),
    **SMS_STATE_LABELS,
}


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One recorded step. ``kind`` is a ``HistoryKind`` value (label: ``HISTORY_KIND_LABELS``).

    ``text``: the SMS as sent, the call note, the freeze/void/waiver reason, or the notice
    number. ``result``: a ``CallResult`` or ``SmsState`` value (label: ``RESULT_LABELS``),
    empty otherwise. ``on_date``: the promised payment date, a freeze's expiry or a restore
    deadline's day. ``reference``: receipt number (payments) or the SMS phone (masked).
    ``method``: the ``PaymentMethod`` value of payments. Amounts are fen; voids and
    reversals are negative.
    """

    at: datetime
    kind: str
    account_no: str
    text: str
    staff_no: str
    result: str
    amount_fen: int | None = None
    service_number: str = ""
    approved_by_no: str = ""
    on_date: date | None = None
    reference: str = ""
    method: str = ""
    account_id: int = 0
    record_id: str = ""


def customer_history(
    session: Session, account_ids: Sequence[int], timezone: str
) -> list[HistoryEvent]:
    """Every event of the given accounts, newest first (ties: the later record first)."""
    if not account_ids:
        return []
    numbers: dict[int, str] = {
        account_id: number
        for account_id, number in session.execute(
            select(Account.id, Account.number).where(Account.id.in_(account_ids))
        )
    }
    staff_no: dict[int, str] = {
        staff_id: number for staff_id, number in session.execute(select(Staff.id, Staff.staff_no))
    }
    events: list[HistoryEvent] = []

    def who(staff_id: int | None) -> str:
        return staff_no.get(staff_id, "") if staff_id is not None else ""

    for payment in session.scalars(select(Payment).where(Payment.account_id.in_(account_ids))):
        events.append(
            HistoryEvent(
                at=payment.paid_at,
                kind=payment.kind,
                account_no=numbers[payment.account_id],
                text=payment.reason,
                staff_no=who(payment.staff_id),
                result="",
                amount_fen=payment.amount_fen,
                approved_by_no=who(payment.approved_by),
                reference=payment.receipt_no or payment.reference,
                method=payment.method,
                account_id=payment.account_id,
                record_id=str(payment.id),
            )
        )
    line = aliased(Service)
    for action, number, body, phone, batch_id in session.execute(
        select(ArrearsAction, line.number, SmsMessage.body, SmsMessage.phone, SmsBatch.id)
        .outerjoin(line, line.id == ArrearsAction.service_id)
        .outerjoin(SmsMessage, SmsMessage.id == ArrearsAction.message_id)
        .outerjoin(SmsBatch, SmsBatch.id == SmsMessage.batch_id)
        .where(ArrearsAction.account_id.in_(account_ids))
    ):
        result = action.result
        text = action.note
        reference = ""
        if action.message_id is not None:
            result = SmsState.EXPORTED if batch_id is not None else SmsState.PENDING
            text = body or ""
            reference = masked_number(phone or "")
        elif action.kind != ActionKind.PHONE_CALL:
            result = ""
        events.append(
            HistoryEvent(
                at=action.at,
                kind=action.kind,
                account_no=numbers[action.account_id],
                text=text,
                staff_no=who(action.staff_id),
                result=result,
                service_number=masked_number(number) if number else "",
                approved_by_no=who(action.approved_by),
                on_date=action.promised_on,
                reference=reference,
                account_id=action.account_id,
                record_id=str(action.id),
            )
        )
    for freeze in session.scalars(
        select(DisputeFreeze).where(DisputeFreeze.account_id.in_(account_ids))
    ):
        events.append(
            HistoryEvent(
                at=freeze.at,
                kind=HistoryKind.FREEZE,
                account_no=numbers[freeze.account_id],
                text=freeze.reason,
                staff_no=who(freeze.staff_id),
                result="",
                amount_fen=freeze.amount_fen,
                approved_by_no=who(freeze.approved_by),
                on_date=freeze.expires_on,
                account_id=freeze.account_id,
                record_id=str(freeze.id),
            )
        )
    for waiver in session.scalars(
        select(PenaltyWaiver).where(PenaltyWaiver.account_id.in_(account_ids))
    ):
        events.append(
            HistoryEvent(
                at=waiver.at,
                kind=HistoryKind.WAIVER,
                account_no=numbers[waiver.account_id],
                text=waiver.reason,
                staff_no=who(waiver.staff_id),
                result="",
                amount_fen=waiver.amount_fen,
                approved_by_no=who(waiver.approved_by),
                account_id=waiver.account_id,
                record_id=str(waiver.id),
            )
        )
    for request, number in session.execute(
        select(RestoreRequest, Service.number)
        .join(Service, Service.id == RestoreRequest.service_id)
        .where(RestoreRequest.account_id.in_(account_ids))
    ):
        events.append(
            HistoryEvent(
                at=request.requested_at,
                kind=HistoryKind.RESTORE_REQUEST,
                account_no=numbers[request.account_id],
                text="",
                staff_no="",
                result="",
                service_number=masked_number(number),
                on_date=as_utc(request.deadline_at).astimezone(ZoneInfo(timezone)).date(),
                reference=str(request.payment_id or ""),
                account_id=request.account_id,
                record_id=str(request.id),
            )
        )
    # UUIDv7 record ids grow with time, so they order events of the same instant.
    events.sort(key=lambda e: (e.at, _uuid_key(e.record_id)), reverse=True)
    return events


def _uuid_key(value: str) -> str:
    try:
        return uuid.UUID(value).hex
    except ValueError:
        return value
