"""sync outbox, cursors and conflicts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: An operation is immutable once written: only its delivery columns may change.
_OUTBOX_IMMUTABLE = (
    "CREATE TRIGGER sync_outbox_immutable BEFORE UPDATE OF op_id, kind, key, action, payload, "
    "payload_version, created_at, pay_device, pay_day ON sync_outbox BEGIN "
    "SELECT RAISE(ABORT, 'sync_outbox operations are immutable'); END"
)


def upgrade() -> None:
    op.create_table(
        "sync_outbox",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("op_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("result", sa.String(10), nullable=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("acked_at", sa.DateTime(), nullable=True),
        sa.Column("pay_device", sa.String(16), nullable=True),
        sa.Column("pay_day", sa.Date(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'acked')", name="state_valid"),
        sa.PrimaryKeyConstraint("seq", name="pk_sync_outbox"),
        sa.UniqueConstraint("op_id", name="uq_sync_outbox_op_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sync_outbox_state_seq", "sync_outbox", ["state", "seq"])
    op.create_index("ix_sync_outbox_kind_key", "sync_outbox", ["kind", "key"])
    op.create_index("ix_sync_outbox_pay_day", "sync_outbox", ["pay_device", "pay_day"])
    op.execute(_OUTBOX_IMMUTABLE)
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("device_code", sa.String(16), nullable=False),
        sa.Column("credential", sa.String(100), nullable=False),
        sa.Column("hall_code", sa.String(16), nullable=False),
        sa.Column("cursor_txid", sa.String(24), nullable=False),
        sa.Column("cursor_seq", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_state"),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("op_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflict"),
        sa.UniqueConstraint("op_id", name="uq_sync_conflict_op_id"),
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("pushed", sa.Integer(), nullable=False),
        sa.Column("pulled", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_run"),
    )
    op.create_table(
        "sync_stage",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_sync_stage"),
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS sync_outbox_immutable")
    for table in ("sync_stage", "sync_run", "sync_conflict", "sync_state", "sync_outbox"):
        op.drop_table(table)
