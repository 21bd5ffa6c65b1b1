"""complaints, complaint events, call-backs and fault notices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: What happened is never changed or deleted; ``complaint_state`` (the projection) is the
#: one table of this area that is updated.
APPEND_ONLY = (
    "complaint",
    "complaint_event",
    "complaint_callback",
    "complaint_callback_done",
    "fault_notice",
    "fault_notice_closure",
)

#: The indexes of ``complaint_state`` (as in the model).
WORKLIST_INDEXES = (
    ("ix_complaint_state_archived_due_rank", ["archived", "due_rank", "complaint_id"]),
    ("ix_complaint_state_status_due_rank", ["status", "due_rank", "complaint_id"]),
    ("ix_complaint_state_category_due_rank", ["category", "due_rank", "complaint_id"]),
    ("ix_complaint_state_department_due_rank", ["department", "due_rank", "complaint_id"]),
    ("ix_complaint_state_staff_id_due_rank", ["staff_id", "due_rank", "complaint_id"]),
    ("ix_complaint_state_due_rank", ["due_rank", "complaint_id"]),
    ("ix_complaint_state_archived_received_at", ["archived", "received_at", "complaint_id"]),
    ("ix_complaint_state_received_at", ["received_at", "complaint_id"]),
    ("ix_complaint_state_customer_id", ["customer_id"]),
    ("ix_complaint_state_fault_notice_id", ["fault_notice_id"]),
)


def upgrade() -> None:
    op.create_table(
        "complaint_sequence",
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_code", name=op.f("pk_complaint_sequence")),
    )
    op.create_table(
        "fault_notice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("services", sa.String(length=200), nullable=False),
        sa.Column("areas", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("expected_recovery_at", sa.DateTime(), nullable=True),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_fault_notice_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_fault_notice_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_notice")),
    )
    with op.batch_alter_table("fault_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fault_notice_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "complaint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("contact_way", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("subcategory", sa.String(length=40), nullable=False),
        sa.Column("service_number", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("request", sa.String(length=500), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("says_will_appeal", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "category IN ('billing', 'network', 'attitude', 'business', 'value_added', 'marketing', 'personal_info', 'other')",
            name=op.f("ck_complaint_category_valid"),
        ),
        sa.CheckConstraint(
            "channel IN ('counter', 'phone', 'online', 'letter', 'forwarded')",
            name=op.f("ck_complaint_channel_valid"),
        ),
        sa.CheckConstraint(
            "contact_way IN ('phone', 'sms', 'in_person', 'letter')",
            name=op.f("ck_complaint_contact_way_valid"),
        ),
        sa.CheckConstraint(
            "urgency IN ('normal', 'urgent', 'very_urgent')",
            name=op.f("ck_complaint_urgency_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_complaint_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_complaint_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("number", name=op.f("uq_complaint_number")),
    )
    op.create_table(
        "fault_notice_closure",
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_fault_notice_closure_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["fault_notice.id"],
            name=op.f("fk_fault_notice_closure_notice_id_fault_notice"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_fault_notice_closure_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_fault_notice_closure")),
    )
    op.create_table(
        "complaint_callback",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_callback_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_complaint_callback_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_callback")),
    )
    with op.batch_alter_table("complaint_callback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_callback_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaint_callback_due_at"), ["due_at"], unique=False)

    op.create_table(
        "complaint_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("subcategory", sa.String(length=40), nullable=True),
        sa.Column("department", sa.String(length=20), nullable=True),
        sa.Column("way", sa.String(length=16), nullable=True),
        sa.Column("satisfaction", sa.String(length=20), nullable=True),
        sa.Column("fault_notice_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('received', 'classified', 'forwarded', 'planned', 'handled', 'fed_back', 'archived', 'reopened', 'paused', 'resumed', 'note', 'fault_linked')",
            name=op.f("ck_complaint_event_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_event_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["fault_notice_id"],
            ["fault_notice.id"],
            name=op.f("fk_complaint_event_fault_notice_id_fault_notice"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_complaint_event_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_event")),
        sa.UniqueConstraint(
            "complaint_id", "seq", name=op.f("uq_complaint_event_complaint_id_seq")
        ),
    )
    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_event_at", ["at"], unique=False)

    op.create_table(
        "complaint_state",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("subcategory", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=20), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("clock_start", sa.DateTime(), nullable=False),
        sa.Column("paused_since", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("due_rank", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("satisfaction", sa.String(length=20), nullable=True),
        sa.Column("fault_notice_id", sa.Uuid(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'classified', 'forwarded', 'planned', 'handled', 'fed_back', 'archived')",
            name=op.f("ck_complaint_state_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_state_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_complaint_state_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["fault_notice_id"],
            ["fault_notice.id"],
            name=op.f("fk_complaint_state_fault_notice_id_fault_notice"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_complaint_state_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_complaint_state")),
    )
    with op.batch_alter_table("complaint_state", schema=None) as batch_op:
        # Each worklist filter walks its index already in the worklist's order, ending in
        # complaint_id (the tie-break), so SQLite neither sorts nor reads the table.
        for name, columns in WORKLIST_INDEXES:
            batch_op.create_index(name, columns, unique=False)

    op.create_table(
        "complaint_callback_done",
        sa.Column("callback_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["callback_id"],
            ["complaint_callback.id"],
            name=op.f("fk_complaint_callback_done_callback_id_complaint_callback"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_complaint_callback_done_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("callback_id", name=op.f("pk_complaint_callback_done")),
    )

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
    op.drop_table("complaint_callback_done")
    with op.batch_alter_table("complaint_state", schema=None) as batch_op:
        for name, _columns in reversed(WORKLIST_INDEXES):
            batch_op.drop_index(name)

    op.drop_table("complaint_state")
    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_event_at")

    op.drop_table("complaint_event")
    with op.batch_alter_table("complaint_callback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_callback_due_at"))
        batch_op.drop_index(batch_op.f("ix_complaint_callback_complaint_id"))

    op.drop_table("complaint_callback")
    op.drop_table("fault_notice_closure")
    op.drop_table("complaint")
    with op.batch_alter_table("fault_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fault_notice_created_at"))

    op.drop_table("fault_notice")
    op.drop_table("complaint_sequence")
