"""arrears, payments and receipts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 01:09:19.783175
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.store.ledger_sql import (
    LEDGER_FILL,
)
from app.store.ledger_sql import (
    LEDGER_TRIGGER_NAMES_0002 as LEDGER_TRIGGER_NAMES,
)
from app.store.ledger_sql import (
    LEDGER_TRIGGERS_0002 as LEDGER_TRIGGERS,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: New history tables whose rows are never changed or deleted.
APPEND_ONLY = (
    "arrears_action",
    "dispute_freeze",
    "penalty_waiver",
    "payment_allocation",
    "receipt_print",
    "arrears_policy_version",
)

PAYMENT_COLUMNS = (
    "kind VARCHAR(10) NOT NULL DEFAULT 'payment' "
    "CONSTRAINT ck_payment_kind_valid CHECK (kind IN ('payment', 'void', 'reversal'))",
    "original_id CHAR(32) REFERENCES payment (id)",
    "device_code VARCHAR(16) NOT NULL DEFAULT ''",
    "counter_id INTEGER REFERENCES counter (id)",
    "tendered_fen INTEGER",
    "change_fen INTEGER",
    "reason VARCHAR(200) NOT NULL DEFAULT ''",
    "approved_by INTEGER REFERENCES staff (id)",
    "penalty_fen INTEGER NOT NULL DEFAULT 0",
)


def upgrade() -> None:
    op.create_table(
        "receipt_sequence",
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_code", name=op.f("pk_receipt_sequence")),
    )
    op.create_table(
        "arrears_policy_version",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("policy_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_arrears_policy_version_created_by_staff")
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_arrears_policy_version")),
    )
    op.create_table(
        "sms_batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("exported_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_sms_batch_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_batch")),
    )
    op.create_table(
        "account_ledger",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("billed_fen", sa.Integer(), nullable=False),
        sa.Column("paid_fen", sa.Integer(), nullable=False),
        sa.Column("owed_fen", sa.Integer(), nullable=False),
        sa.Column("oldest_unpaid_due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_account_ledger_account_id_account")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_ledger")),
    )
    with op.batch_alter_table("account_ledger", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_ledger_oldest_unpaid_due", ["oldest_unpaid_due"], unique=False
        )
        batch_op.create_index("ix_account_ledger_owed_fen", ["owed_fen"], unique=False)

    op.create_table(
        "dispute_freeze",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_dispute_freeze_amount_positive")),
        sa.CheckConstraint(
            "expires_on >= starts_on", name=op.f("ck_dispute_freeze_expires_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_dispute_freeze_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_dispute_freeze_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_dispute_freeze_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_freeze")),
    )
    with op.batch_alter_table("dispute_freeze", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispute_freeze_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "penalty_waiver",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_penalty_waiver_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_penalty_waiver_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_penalty_waiver_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_waiver")),
    )
    with op.batch_alter_table("penalty_waiver", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penalty_waiver_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "sms_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_sms_message_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["sms_batch.id"], name=op.f("fk_sms_message_batch_id_sms_batch")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_sms_message_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_message")),
    )
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_message_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_message_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "arrears_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('sms_reminder', 'second_sms', 'phone_call', 'restrict', 'suspend', 'pre_terminate', 'restore', 'notice_printed')",
            name=op.f("ck_arrears_action_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_arrears_action_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_arrears_action_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["sms_message.id"],
            name=op.f("fk_arrears_action_message_id_sms_message"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_arrears_action_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_arrears_action_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrears_action")),
    )
    with op.batch_alter_table("arrears_action", schema=None) as batch_op:
        batch_op.create_index(
            "ix_arrears_action_account_id_taken_on", ["account_id", "taken_on"], unique=False
        )

    op.create_table(
        "payment_allocation",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bill.id"], name=op.f("fk_payment_allocation_bill_id_bill")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_payment_allocation_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("payment_id", "bill_id", name=op.f("pk_payment_allocation")),
    )
    op.create_table(
        "receipt_print",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("copy_no", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("archive_path", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_receipt_print_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_receipt_print_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_print")),
    )
    with op.batch_alter_table("receipt_print", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_receipt_print_payment_id"), ["payment_id"], unique=False
        )

    op.create_table(
        "restore_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_restore_request_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["done_by"], ["staff.id"], name=op.f("fk_restore_request_done_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_restore_request_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_restore_request_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_request")),
    )
    with op.batch_alter_table("restore_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_restore_request_account_id"), ["account_id"], unique=False
        )

    # Plain ALTER TABLE keeps the payment table (and its append-only triggers) in place;
    # batch mode would copy every payment into a new table.
    for column in PAYMENT_COLUMNS:
        op.execute(f"ALTER TABLE payment ADD COLUMN {column}")
    op.create_index(op.f("ix_payment_original_id"), "payment", ["original_id"], unique=True)
    # The worklist filters accounts in arrears by grid unit.
    op.create_index("ix_customer_grid_unit_id", "customer", ["grid_unit_id"], unique=False)

    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    op.execute(
        "CREATE TRIGGER restore_request_done_once BEFORE UPDATE ON restore_request "
        "WHEN OLD.done_at IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'restore_request is done and cannot change'); END"
    )
    op.execute(
        "CREATE TRIGGER restore_request_no_delete BEFORE DELETE ON restore_request "
        "BEGIN SELECT RAISE(ABORT, 'restore_request cannot be deleted'); END"
    )
    for statement in LEDGER_TRIGGERS:
        op.execute(statement)
    op.execute(LEDGER_FILL)


def downgrade() -> None:
    for name in (*LEDGER_TRIGGER_NAMES, "restore_request_done_once", "restore_request_no_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_index("ix_customer_grid_unit_id", table_name="customer")
    op.drop_index(op.f("ix_payment_original_id"), table_name="payment")
    for column in reversed(PAYMENT_COLUMNS):
        op.execute(f"ALTER TABLE payment DROP COLUMN {column.split()[0]}")

    with op.batch_alter_table("restore_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restore_request_account_id"))

    op.drop_table("restore_request")
    with op.batch_alter_table("receipt_print", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_print_payment_id"))

    op.drop_table("receipt_print")
    op.drop_table("payment_allocation")
    with op.batch_alter_table("arrears_action", schema=None) as batch_op:
        batch_op.drop_index("ix_arrears_action_account_id_taken_on")

    op.drop_table("arrears_action")
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_message_batch_id"))
        batch_op.drop_index(batch_op.f("ix_sms_message_account_id"))

    op.drop_table("sms_message")
    with op.batch_alter_table("penalty_waiver", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_waiver_account_id"))

    op.drop_table("penalty_waiver")
    with op.batch_alter_table("dispute_freeze", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_freeze_account_id"))

    op.drop_table("dispute_freeze")
    with op.batch_alter_table("account_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_account_ledger_owed_fen")
        batch_op.drop_index("ix_account_ledger_oldest_unpaid_due")

    op.drop_table("account_ledger")
    op.drop_table("sms_batch")
    op.drop_table("arrears_policy_version")
    op.drop_table("receipt_sequence")
