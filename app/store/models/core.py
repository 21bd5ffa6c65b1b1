"""Core models: halls, staff, customers, accounts, services, bills, payments, audit.

Rows mastered by the centre (halls, staff, customers, accounts, services, bills) keep the
centre's integer ids; rows created at the counter (payments, audit events, identity checks)
get UUIDv7 keys. Money is integer fen. Times are UTC. Balances are never stored: they are
derived from bills and payments (see ``app.domain.ledger``). Payments and audit events are
append-only, enforced by triggers created in the migrations.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from app.domain.ids import uuid7

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and gives them back aware (SQLite has no tz)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        from datetime import UTC

        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        from datetime import UTC

        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(StrEnum):
    CLERK = "clerk"
    LEADER = "leader"
    ADMIN = "admin"


class CustomerKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    BUSINESS_LICENCE = "business_licence"


class ServiceKind(StrEnum):
    MOBILE = "mobile"
    FIXED = "fixed"
    BROADBAND = "broadband"


class ServiceStatus(StrEnum):
    NORMAL = "normal"
    RESTRICTED = "restricted"
    SUSPENDED = "suspended"
    PRE_TERMINATED = "pre_terminated"


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_CARD = "bank_card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK_DEDUCTION = "bank_deduction"
    ONLINE = "online"


class VerificationMethod(StrEnum):
    DOCUMENT = "document"
    SERVICE_PASSWORD = "service_password"


def enum_check(column: str, enum: type[StrEnum]) -> CheckConstraint:
    values = ", ".join(f"'{m.value}'" for m in enum)
    return CheckConstraint(f"{column} IN ({values})", name=f"{column}_valid")


class Hall(Base):
    __tablename__ = "hall"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    hotline: Mapped[str] = mapped_column(String(20), default="")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")

    counters: Mapped[list[Counter]] = relationship(back_populates="hall")


class Counter(Base):
    """A counter position (台席) of a hall."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("hall_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(50))

    hall: Mapped[Hall] = relationship(back_populates="counters")


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (enum_check("role", Role),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_no: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: The password is a one-time password an administrator gave (migration 0013): the
    #: person must choose their own at the next login, before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=text("0"))

    hall: Mapped[Hall] = relationship()


class GridUnit(Base):
    """An area (网格) with the one manager responsible for it."""

    __tablename__ = "grid_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    manager_name: Mapped[str] = mapped_column(String(50))
    manager_phone: Mapped[str] = mapped_column(String(20))


class Customer(Base):
    """A person or organisation. ``id_number_rev`` is the ID reversed, for suffix search."""

    __tablename__ = "customer"
    __table_args__ = (
        enum_check("kind", CustomerKind),
        enum_check("id_type", IdType),
        UniqueConstraint("id_type", "id_number"),
        Index("ix_customer_name", "name"),
        Index("ix_customer_name_pinyin", "name_pinyin"),
        Index("ix_customer_name_initials", "name_initials"),
        Index("ix_customer_id_number_rev", "id_number_rev"),
        Index("ix_customer_contact_phone", "contact_phone"),
        Index("ix_customer_grid_unit_id", "grid_unit_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    name_pinyin: Mapped[str] = mapped_column(String(200))
    name_initials: Mapped[str] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(30))
    id_number_rev: Mapped[str] = mapped_column(String(30))
    contact_phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200), default="")
    service_password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    grid_unit_id: Mapped[int | None] = mapped_column(ForeignKey("grid_unit.id"))
    created_on: Mapped[date] = mapped_column(Date)

    grid_unit: Mapped[GridUnit | None] = relationship()
    accounts: Mapped[list[Account]] = relationship(back_populates="customer")


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    opened_on: Mapped[date] = mapped_column(Date)

    customer: Mapped[Customer] = relationship(back_populates="accounts")
    services: Mapped[list[Service]] = relationship(back_populates="account")


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (enum_check("kind", ServiceKind), enum_check("status", ServiceStatus))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(30), unique=True)
    plan: Mapped[str] = mapped_column(String(50))
    monthly_fee_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ServiceStatus.NORMAL.value)
    opened_on: Mapped[date] = mapped_column(Date)

    account: Mapped[Account] = relationship(back_populates="services")


class Bill(Base):
    """A monthly bill of an account, in fen."""

    __tablename__ = "bill"
    __table_args__ = (
        UniqueConstraint("account_id", "period"),
        CheckConstraint("amount_fen >= 0", name="amount_nonnegative"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        # The ladder's bulk read: every column it needs, in ledger order (migration 0016).
        Index("ix_bill_ladder", "account_id", "period", "due_date", "amount_fen"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int] = mapped_column(Integer)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)


class PaymentKind(StrEnum):
    PAYMENT = "payment"
    VOID = "void"
    REVERSAL = "reversal"


class Payment(Base):
    """Money received: immutable. A void (same shift, leader) or a reversal is a row of its
    own with the opposite amount and ``original_id`` pointing at the payment it corrects."""

    __tablename__ = "payment"
    __table_args__ = (
        enum_check("method", PaymentMethod),
        CheckConstraint("amount_fen <> 0", name="amount_nonzero"),
        # Every lookup by account, and the ladder's bulk read in time order without a
        # visit to the table (migration 0016; it replaced ``ix_payment_account_id``).
        Index("ix_payment_ladder", "account_id", "paid_at", "amount_fen", "penalty_fen"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(64), default="")
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: Indexed, not unique: a PC restored with its number mark may repeat a number a
    #: customer already holds on a receipt, and both payments are kept (migration 0017).
    receipt_no: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=PaymentKind.PAYMENT.value)
    original_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payment.id"), index=True, unique=True
    )
    device_code: Mapped[str] = mapped_column(String(16), default="")
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    tendered_fen: Mapped[int | None] = mapped_column(Integer)
    change_fen: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200), default="")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: The part of ``amount_fen`` that paid the late-payment penalty, not the bills.
    penalty_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: Cash only: the fen of ``amount_fen`` written off in the customer's favour because
    #: the counter takes cash in whole jiao (0–9; negative on a void or reversal). The
    #: account is credited ``amount_fen``; the drawer took ``amount_fen - rounding_fen``
    #: (migration 0010; ``app.domain.cash.cash_due``).
    rounding_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: The cash session it was taken in (``cash_shift``, migration 0004); None for history.
    shift_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cash_shift.id"), index=True)


class AuditEvent(Base):
    """Append-only record of who did what: logins, identity checks, unmasking, payments."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id"),
        # The audit trail viewer's filters (migration 0013, which also indexes the
        # approving leader inside ``detail``: an expression index models cannot declare).
        Index("ix_audit_event_staff_at", "staff_id", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")


class IdentityCheck(Base):
    """How a clerk verified a customer's identity before seeing unmasked data."""

    __tablename__ = "identity_check"
    __table_args__ = (enum_check("method", VerificationMethod),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    method: Mapped[str] = mapped_column(String(20))
    succeeded: Mapped[bool] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")


class HallSetting(Base):
    """Business configuration of the hall (syncs with it); preferences live in QSettings."""

    __tablename__ = "hall_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DeviceInfo(Base):
    """This PC's identity: one row. Receipt numbers are per device."""

    __tablename__ = "device_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_code: Mapped[str] = mapped_column(String(16))
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    is_demo: Mapped[bool] = mapped_column(default=False)
