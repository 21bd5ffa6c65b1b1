"""Models of the arrears ladder, payment collection and receipts.

History is append-only (triggers in the migration refuse UPDATE and DELETE): ladder
actions, freezes, waivers, penalty postings, allocations and receipt prints. ``account_ledger`` is a
projection of bills and payments kept by triggers in the same
transaction as each insert, so the worklist can filter and sort every account in SQL; it
is never written by application code and can be rebuilt and compared at any time.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.ids import uuid7
from app.store.models.core import Base, UTCDateTime, enum_check


class ActionKind(StrEnum):
    """Steps taken on an account in arrears: the ladder's steps, restore, a printed notice."""

    SMS_REMINDER = "sms_reminder"
    SECOND_SMS = "second_sms"
    PHONE_CALL = "phone_call"
    RESTRICT = "restrict"
    SUSPEND = "suspend"
    PRE_TERMINATE = "pre_terminate"
    RESTORE = "restore"
    NOTICE_PRINTED = "notice_printed"


class CallResult(StrEnum):
    PROMISED = "promised"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    WRONG_NUMBER = "wrong_number"


#: The accounts the worklist reads: something unpaid (overdue or not yet due).
_UNPAID = text("oldest_unpaid_due IS NOT NULL")
#: What every worklist index carries after its order keys, so no query reads the table.
_WORKLIST_TAIL = (
    "oldest_unpaid_due",
    "owed_fen",
    "grid_unit_id",
    "last_due",
    "last_due_fen",
    "prior_due",
    "stage_rank",
    "freeze_until",
)


def _worklist_index(name: str, *keys: str) -> Index:
    tail = [c for c in _WORKLIST_TAIL if c not in keys]
    return Index(name, *keys, *tail, sqlite_where=_UNPAID)


class AccountLedger(Base):
    """Per-account totals; see the module docstring. ``owed_fen`` < 0 is a credit.

    ``paid_fen`` counts what payments credited to the account, that is without the part
    of a payment that settled a late-payment penalty. ``oldest_unpaid_due`` is the due date
    of the oldest bill not covered when payments settle bills oldest first.

    The worklist's keys (migration 0014, see ``app.store.ledger_sql``): the customer's
    ``sort_pinyin``/``sort_name`` and ``grid_unit_id``/``grid_code`` ('' for none), and from
    the bills ``last_due`` (the latest due date), ``last_due_fen`` (the bills due that day)
    and ``prior_due`` (the latest due date before it); ``stage_rank`` (migration 0015): the
    ``StepKind.rank`` of the worklist's stage, NULL for none; ``freeze_until`` (migration 0018):
    the latest expiry of the account's dispute freezes. The ``ix_worklist_*`` indexes cover
    only the accounts with something unpaid and carry every column a worklist query reads;
    the tier filter's (0018) are keyed by the last due date, then the amount that is the
    ladder amount once it has passed (``owed_fen``) or while it is ahead (``owed_fen -
    last_due_fen``, ``ix_worklist_tier_before``), and by ``prior_due``.
    """

    __tablename__ = "account_ledger"
    __table_args__ = (
        Index("ix_account_ledger_owed_fen", "owed_fen"),
        Index("ix_account_ledger_oldest_unpaid_due", "oldest_unpaid_due"),
        _worklist_index("ix_worklist_owed", "owed_fen", "account_id"),
        _worklist_index("ix_worklist_due", "oldest_unpaid_due", "account_id"),
        _worklist_index("ix_worklist_name", "sort_pinyin", "sort_name", "account_id"),
        _worklist_index("ix_worklist_grid", "grid_code", "owed_fen", "account_id"),
        _worklist_index("ix_worklist_grid_unit", "grid_unit_id", "oldest_unpaid_due", "account_id"),
        # The tier filter's ranges (migration 0018, which also creates
        # ``ix_worklist_tier_before`` on ``owed_fen - last_due_fen``: an expression index
        # the models cannot declare).
        _worklist_index("ix_worklist_tier_owed", "last_due", "owed_fen", "account_id"),
        _worklist_index("ix_worklist_prior", "prior_due", "account_id"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    billed_fen: Mapped[int] = mapped_column(Integer, default=0)
    paid_fen: Mapped[int] = mapped_column(Integer, default=0)
    owed_fen: Mapped[int] = mapped_column(Integer, default=0)
    oldest_unpaid_due: Mapped[date | None] = mapped_column(Date, default=None)
    sort_pinyin: Mapped[str] = mapped_column(String(200), server_default="")
    sort_name: Mapped[str] = mapped_column(String(100), server_default="")
    grid_unit_id: Mapped[int | None] = mapped_column(Integer)
    grid_code: Mapped[str] = mapped_column(String(16), server_default="")
    last_due: Mapped[date | None] = mapped_column(Date)
    last_due_fen: Mapped[int] = mapped_column(Integer, server_default="0")
    prior_due: Mapped[date | None] = mapped_column(Date)
    stage_rank: Mapped[int | None] = mapped_column(Integer)
    freeze_until: Mapped[date | None] = mapped_column(Date)


class ArrearsPolicyVersion(Base):
    """The hall's ladder policy (``ArrearsPolicy.to_dict()`` as JSON). Editing adds a version;
    the highest version is in force."""

    __tablename__ = "arrears_policy_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class SmsBatch(Base):
    """A CSV file of reminder messages handed to the SMS platform."""

    __tablename__ = "sms_batch"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    file_name: Mapped[str] = mapped_column(String(260))
    message_count: Mapped[int] = mapped_column(Integer)


class SmsMessage(Base):
    """An outbound reminder. Pending until exported in a batch; the text is kept as sent."""

    __tablename__ = "sms_message"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sms_batch.id"), index=True)


class ArrearsAction(Base):
    """One step taken on the ladder (who, when, what, result)."""

    __tablename__ = "arrears_action"
    __table_args__ = (
        enum_check("kind", ActionKind),
        Index("ix_arrears_action_account_id_taken_on", "account_id", "taken_on"),
        Index("ix_arrears_action_taken_on", "taken_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    kind: Mapped[str] = mapped_column(String(20))
    taken_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    result: Mapped[str] = mapped_column(String(20), default="")
    promised_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sms_message.id"))


class DisputeFreeze(Base):
    """An amount taken out of the ladder while a dispute is open (leader, reason, expiry)."""

    __tablename__ = "dispute_freeze"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("expires_on >= starts_on", name="expires_after_start"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class PenaltyWaiver(Base):
    """A leader's decision not to charge the late-payment penalty."""

    __tablename__ = "penalty_waiver"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class PenaltyAccrual(Base):
    """Late-payment penalty posted to an account (``app.domain.penalty``): the days from
    ``first_day`` to ``last_day`` not posted before, as runs of equal base (``runs_json``:
    ``[[first, last, base_fen], …]``, zero bases included, so those days count as posted)
    at ``per_mille``‰ a day rounded down each day; ``amount_fen`` is their sum.

    Posted in the transaction of the payment that took money for the account
    (``payment_id``), before it settled anything, so the penalty the payment settled was
    posted first. What is owed is the postings less ``payment.penalty_fen`` and
    ``penalty_waiver.amount_fen``; the days not posted yet are computed until a payment
    posts them.
    """

    __tablename__ = "penalty_accrual"
    __table_args__ = (
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("last_day >= first_day", name="days_in_order"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    per_mille: Mapped[int] = mapped_column(Integer)
    runs_json: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    device_code: Mapped[str] = mapped_column(String(16), default="")
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payment.id"))


class PaymentAllocation(Base):
    """How much of a payment settled which bill, fixed when it was taken (oldest first)."""

    __tablename__ = "payment_allocation"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment.id"), primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), primary_key=True)
    amount_fen: Mapped[int] = mapped_column(Integer)


class ReceiptSequence(Base):
    """The last receipt number issued by a device; advanced in the payment's transaction,
    so numbers are gap-free per device."""

    __tablename__ = "receipt_sequence"

    device_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class ReceiptPrint(Base):
    """Each time a receipt was printed or saved; copy 0 is the original, later ones 补打."""

    __tablename__ = "receipt_print"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment.id"), index=True)
    copy_no: Mapped[int] = mapped_column(Integer)
    layout: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    archive_path: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(10))
    error: Mapped[str] = mapped_column(String(500), default="")


class RestoreRequest(Base):
    """Service to restore after full payment, with the hall's deadline; done once."""

    __tablename__ = "restore_request"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payment.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
