"""The centre's tables (PostgreSQL), scoped per hall.

Records of every kind are kept as JSONB payloads per (hall, kind, key): ``record``. Every
write of a record appends to ``change_log`` (a trigger), stamped with the writing
transaction's id (``xid8``); pulls read the log after a (txid, seq) cursor and below the
oldest transaction still running, so a row committed out of order is never skipped. A log
entry whose record is gone is a tombstone. ``op`` keeps every pushed operation once (its id
is the primary key). ``payment`` and ``allocation`` are the typed money columns the centre
needs for the sanity check and for flagging odd payments; ``flag`` is the back office's list.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import UserDefinedType


class XID8(UserDefinedType[int]):
    cache_ok = True

    def get_col_spec(self, **_kw: object) -> str:
        return "xid8"


metadata = MetaData()

hall = Table(
    "hall",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    #: A change that needs every PC of the hall to re-download bumps the epoch.
    Column("epoch", Integer, nullable=False),
    #: Log entries below this transaction id have been purged: older cursors must reset.
    Column("purged_txid", BigInteger, nullable=False),
)

device = Table(
    "device",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hall_id", ForeignKey("hall.id"), nullable=False),
    Column("code", Text, nullable=False, unique=True),
    Column("enrol_code_hash", Text),
    Column("enrol_expires", DateTime(timezone=True)),
    Column("credential_hash", Text, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("enrolled_at", DateTime(timezone=True)),
    Column("last_seen_at", DateTime(timezone=True)),
    Column("revoked", Boolean, nullable=False),
)

op = Table(
    "op",
    metadata,
    Column("op_id", Uuid, primary_key=True),
    Column("hall_id", ForeignKey("hall.id"), nullable=False),
    Column("device_id", ForeignKey("device.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("payload_version", Integer, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("payload_hash", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

record = Table(
    "record",
    metadata,
    Column("hall_id", ForeignKey("hall.id"), primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("payload", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

change_log = Table(
    "change_log",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("txid", XID8, nullable=False),
    Column("hall_id", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
)

payment = Table(
    "payment",
    metadata,
    Column("hall_id", ForeignKey("hall.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("device_code", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("account_id", BigInteger, nullable=False),
    Column("receipt_no", Text),
    Column("unallocated_fen", BigInteger, nullable=False),
)

allocation = Table(
    "allocation",
    metadata,
    Column("hall_id", Integer, primary_key=True),
    Column("payment_id", Uuid, primary_key=True),
    Column("bill_id", BigInteger, primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("applied", Boolean, nullable=False),
)

flag = Table(
    "flag",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("hall_id", ForeignKey("hall.id"), nullable=False),
    Column("op_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
)

sanity_alert = Table(
    "sanity_alert",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("hall_id", ForeignKey("hall.id"), nullable=False),
    Column("device_code", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("hall_count", BigInteger, nullable=False),
    Column("hall_sum", BigInteger, nullable=False),
    Column("centre_count", BigInteger, nullable=False),
    Column("centre_sum", BigInteger, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
