"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 23:59:45.117618
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: Tables whose rows are never changed or deleted: corrections are new rows.
APPEND_ONLY = ("payment", "audit_event")


def upgrade() -> None:
    op.create_table(
        "hall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("hotline", sa.String(length=20), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall")),
        sa.UniqueConstraint("code", name=op.f("uq_hall_code")),
    )
    op.create_table(
        "hall_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_hall_setting")),
    )
    op.create_table(
        "counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"], name=op.f("fk_counter_hall_id_hall")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter")),
        sa.UniqueConstraint("hall_id", "code", name=op.f("uq_counter_hall_id_code")),
    )
    op.create_table(
        "grid_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("manager_name", sa.String(length=50), nullable=False),
        sa.Column("manager_phone", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"], name=op.f("fk_grid_unit_hall_id_hall")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_grid_unit_code")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("staff_no", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('clerk', 'leader', 'admin')", name=op.f("ck_staff_role_valid")
        ),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"], name=op.f("fk_staff_hall_id_hall")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("staff_no", name=op.f("uq_staff_staff_no")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_audit_event_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_pinyin", sa.String(length=200), nullable=False),
        sa.Column("name_initials", sa.String(length=50), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=30), nullable=False),
        sa.Column("id_number_rev", sa.String(length=30), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("service_password_hash", sa.String(length=200), nullable=True),
        sa.Column("grid_unit_id", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "id_type IN ('resident_id', 'passport', 'hk_macao_permit', 'business_licence')",
            name=op.f("ck_customer_id_type_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('person', 'organisation')", name=op.f("ck_customer_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["grid_unit_id"], ["grid_unit.id"], name=op.f("fk_customer_grid_unit_id_grid_unit")
        ),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"], name=op.f("fk_customer_hall_id_hall")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("id_type", "id_number", name=op.f("uq_customer_id_type_id_number")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_id_number_rev", ["id_number_rev"], unique=False)
        batch_op.create_index("ix_customer_name", ["name"], unique=False)
        batch_op.create_index("ix_customer_name_initials", ["name_initials"], unique=False)
        batch_op.create_index("ix_customer_name_pinyin", ["name_pinyin"], unique=False)

    op.create_table(
        "device_info",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_device_info_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"], name=op.f("fk_device_info_hall_id_hall")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_info")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_account_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("number", name=op.f("uq_account_number")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "identity_check",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "method IN ('document', 'service_password')",
            name=op.f("ck_identity_check_method_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_identity_check_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_identity_check_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_check")),
    )
    with op.batch_alter_table("identity_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_check_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "bill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_bill_amount_nonnegative")),
        sa.CheckConstraint("due_date >= issue_date", name=op.f("ck_bill_due_after_issue")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_bill_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill")),
        sa.UniqueConstraint("account_id", "period", name=op.f("uq_bill_account_id_period")),
    )
    op.create_table(
        "payment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("receipt_no", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "method IN ('cash', 'bank_card', 'wechat', 'alipay', 'bank_deduction', 'online')",
            name=op.f("ck_payment_method_valid"),
        ),
        sa.CheckConstraint("amount_fen <> 0", name=op.f("ck_payment_amount_nonzero")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_payment_account_id_account")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_payment_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_payment_receipt_no")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_account_id"), ["account_id"], unique=False)

    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("plan", sa.String(length=50), nullable=False),
        sa.Column("monthly_fee_fen", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('mobile', 'fixed', 'broadband')", name=op.f("ck_service_kind_valid")
        ),
        sa.CheckConstraint(
            "status IN ('normal', 'restricted', 'suspended', 'pre_terminated')",
            name=op.f("ck_service_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_service_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("number", name=op.f("uq_service_number")),
    )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_account_id"), ["account_id"], unique=False)

    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def downgrade() -> None:
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_account_id"))

    op.drop_table("service")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_account_id"))

    op.drop_table("payment")
    op.drop_table("bill")
    with op.batch_alter_table("identity_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_check_customer_id"))

    op.drop_table("identity_check")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_customer_id"))

    op.drop_table("account")
    op.drop_table("device_info")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_name_pinyin")
        batch_op.drop_index("ix_customer_name_initials")
        batch_op.drop_index("ix_customer_name")
        batch_op.drop_index("ix_customer_id_number_rev")

    op.drop_table("customer")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("staff")
    op.drop_table("grid_unit")
    op.drop_table("counter")
    op.drop_table("hall_setting")
    op.drop_table("hall")
