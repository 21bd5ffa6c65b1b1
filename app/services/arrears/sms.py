"""Reminder texts and the outbound SMS queue.

HallDesk does not send SMS itself. A reminder is written to ``sms_message`` and stays
*pending* until an export hands it to the SMS platform as a CSV batch; the program never
claims a message was delivered. The texts are rendered from template files in
``resources/templates`` (Chinese, as customers receive them) with named placeholders:
``{name}`` (masked), ``{account}``, ``{amount}`` (Babel, zh_CN), ``{deadline}``,
``{hotline}`` and ``{hall}``.
"""

from __future__ import annotations

import csv
import os
import string
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Final, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app import paths
from app.domain.arrears_policy import StepKind
from app.domain.errors import StoreError, ValidationError
from app.domain.identity import is_mobile, mask_phone, normalise_phone
from app.i18n import N_, format_date, format_money
from app.services.arrears.records import as_utc, masked_customer_name
from app.services.base import Actor, audit
from app.services.customers.service import ServiceView
from app.services.hall.service import HallInfo
from app.store.models import (
    Account,
    Customer,
    ServiceKind,
    ServiceStatus,
    SmsBatch,
    SmsMessage,
    Staff,
)

#: The language of the texts customers receive.
SMS_LANGUAGE: Final = "zh_CN"
TEMPLATES: Final[dict[StepKind, str]] = {
    StepKind.SMS_REMINDER: "sms_reminder.txt",
    StepKind.SECOND_SMS: "sms_second_reminder.txt",
}
PLACEHOLDERS: Final = frozenset({"name", "account", "amount", "deadline", "hotline", "hall"})
CSV_HEADER: Final = ("message_id", "phone", "text", "created_at")


class SmsState(StrEnum):
    """Where a reminder is: waiting in the queue, or handed to the SMS platform."""

    PENDING = "pending"
    EXPORTED = "exported"


#: Display names of the queue states, translated where shown.
SMS_STATE_LABELS: Final[dict[str, str]] = {
    SmsState.PENDING: N_("Waiting for export"),
    SmsState.EXPORTED: N_("Exported to the SMS platform"),
}


@cache
def load_template(kind: StepKind) -> str:
    """The template text for a reminder step, checked for unknown placeholders."""
    file_name = TEMPLATES[kind]
    template = paths.resource("templates", file_name).read_text(encoding="utf-8").strip()
    for _literal, name, _spec, _conv in string.Formatter().parse(template):
        if name is not None and name not in PLACEHOLDERS:
            raise StoreError(
                N_("The reminder template {file} uses an unknown placeholder {name}."),
                file=file_name,
                name=name,
            )
    return template


def render_reminder(
    kind: StepKind,
    *,
    customer_name: str,
    customer_kind: str,
    account_no: str,
    amount_fen: int,
    deadline: date,
    hall: HallInfo,
) -> str:
    return load_template(kind).format(
        name=masked_customer_name(customer_name, customer_kind),
        account=account_no,
        amount=format_money(amount_fen, SMS_LANGUAGE),
        deadline=format_date(deadline, SMS_LANGUAGE, fmt="long"),
        hotline=hall.hotline,
        hall=hall.name,
    )


def reminder_phone(contact_phone: str, services: tuple[ServiceView, ...]) -> str | None:
    """Where an SMS reaches the customer: the contact phone when it is a mobile number,
    otherwise a mobile line of the account (one still receiving before a cut one)."""
    contact = normalise_phone(contact_phone)
    if is_mobile(contact):
        return contact
    order = {ServiceStatus.NORMAL: 0, ServiceStatus.RESTRICTED: 1, ServiceStatus.SUSPENDED: 2}
    mobiles = sorted(
        (s for s in services if s.kind == ServiceKind.MOBILE and is_mobile(s.number)),
        key=lambda s: (order.get(ServiceStatus(s.status), 3), s.number),
    )
    return mobiles[0].number if mobiles else None


@dataclass(frozen=True, slots=True)
class SmsRow:
    """One queued reminder, for the queue view. ``state`` is an ``SmsState`` value."""

    message_id: uuid.UUID
    account_id: int
    account_no: str
    customer_name_masked: str
    phone_masked: str
    text: str
    created_at: datetime
    staff_no: str
    state: str
    batch_file: str
    exported_at: datetime | None


def sms_queue(session: Session, *, pending_only: bool, limit: int) -> list[SmsRow]:
    query = (
        select(SmsMessage, Account.number, Customer.name, Customer.kind, Staff.staff_no, SmsBatch)
        .join(Account, Account.id == SmsMessage.account_id)
        .join(Customer, Customer.id == Account.customer_id)
        .join(Staff, Staff.id == SmsMessage.staff_id)
        .outerjoin(SmsBatch, SmsBatch.id == SmsMessage.batch_id)
        .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
        .limit(limit)
    )
    if pending_only:
        query = query.where(SmsMessage.batch_id.is_(None))
    rows: list[SmsRow] = []
    for message, account_no, name, kind, staff_no, batch in session.execute(query):
        rows.append(
            SmsRow(
                message_id=message.id,
                account_id=message.account_id,
                account_no=account_no,
                customer_name_masked=masked_customer_name(name, kind),
                phone_masked=mask_phone(message.phone),
                text=message.body,
                created_at=message.created_at,
                staff_no=staff_no,
                state=SmsState.EXPORTED if batch is not None else SmsState.PENDING,
                batch_file=batch.file_name if batch is not None else "",
                exported_at=batch.exported_at if batch is not None else None,
            )
        )
    return rows


def _free_path(folder: Path, stem: str) -> Path:
    candidate = folder / f"{stem}.csv"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}.csv"
        n += 1
    return candidate


def export_sms(session: Session, actor: Actor, now: datetime, timezone: str, folder: Path) -> Path:
    """Write every pending message to a new CSV batch and mark them exported.

    Runs in the caller's unit of work; the caller deletes the file if the transaction
    fails after it was written (the messages then stay pending).
    """
    messages = list(
        session.scalars(
            select(SmsMessage)
            .where(SmsMessage.batch_id.is_(None))
            .order_by(SmsMessage.created_at, SmsMessage.id)
        )
    )
    if not messages:
        raise ValidationError("sms", N_("There are no pending reminder messages to export."))
    if not folder.is_dir():
        raise ValidationError(
            "folder", N_("The folder {folder} does not exist."), folder=str(folder)
        )
    tz = ZoneInfo(timezone)
    stamp = now.astimezone(tz).strftime("%Y%m%d-%H%M%S")
    path = _free_path(folder, f"sms-batch-{stamp}")
    batch = SmsBatch(
        exported_at=now, staff_id=actor.staff_id, file_name=path.name, message_count=len(messages)
    )
    session.add(batch)
    session.flush()
    # Only messages still pending are marked; another counter exporting at the same moment
    # makes the counts differ and this export roll back (its file is then removed).
    marked = 0
    ids = [m.id for m in messages]
    for start in range(0, len(ids), 500):
        result = session.execute(
            update(SmsMessage)
            .where(SmsMessage.id.in_(ids[start : start + 500]), SmsMessage.batch_id.is_(None))
            .values(batch_id=batch.id)
            .execution_options(synchronize_session=False)
        )
        marked += cast("CursorResult[Any]", result).rowcount
    if marked != len(ids):
        raise StoreError(
            N_("Another counter exported some of these messages at the same time; try again.")
        )
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_HEADER)
            for message in messages:
                created = as_utc(message.created_at).astimezone(tz)
                writer.writerow((str(message.id), message.phone, message.body, created.isoformat()))
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(
            N_("The SMS batch could not be written to {path}: {reason}"),
            path=str(path),
            reason=exc.strerror or str(exc),
        ) from exc
    audit(
        session,
        at=now,
        staff_id=actor.staff_id,
        action="sms_exported",
        entity="sms_batch",
        entity_id=str(batch.id),
        file=path.name,
        count=len(messages),
    )
    return path
