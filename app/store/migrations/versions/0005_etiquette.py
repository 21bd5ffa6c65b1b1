"""etiquette checklist templates, inspections and simulations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Signed checklists and the history of their corrective actions: never changed or deleted.
APPEND_ONLY = (
    "etiquette_inspection",
    "etiquette_answer",
    "etiquette_photo",
    "etiquette_signature",
    "corrective_action",
    "corrective_action_event",
)


def upgrade() -> None:
    op.create_table(
        "etiquette_template",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "kind IN ('inspection', 'self_check', 'simulation')",
            name=op.f("ck_etiquette_template_kind_valid"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_etiquette_template_version_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_etiquette_template_created_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etiquette_template")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_etiquette_template_code_version")),
    )
    op.create_table(
        "etiquette_inspection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("score_tenths", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("critical_failed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("scenario", sa.String(length=300), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("correction_reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('inspection', 'self_check', 'simulation')",
            name=op.f("ck_etiquette_inspection_kind_valid"),
        ),
        sa.CheckConstraint(
            "score_tenths IS NULL OR score_tenths BETWEEN 0 AND 1000",
            name=op.f("ck_etiquette_inspection_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["clerk_id"], ["staff.id"], name=op.f("fk_etiquette_inspection_clerk_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_etiquette_inspection_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_etiquette_inspection_created_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["hall.id"], name=op.f("fk_etiquette_inspection_hall_id_hall")
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["staff.id"], name=op.f("fk_etiquette_inspection_inspector_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["etiquette_inspection.id"],
            name=op.f("fk_etiquette_inspection_supersedes_id_etiquette_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["etiquette_template.id"],
            name=op.f("fk_etiquette_inspection_template_id_etiquette_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etiquette_inspection")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_etiquette_inspection_supersedes_id")),
    )
    with op.batch_alter_table("etiquette_inspection", schema=None) as batch_op:
        batch_op.create_index(
            "ix_etiquette_inspection_clerk_id_signed_at", ["clerk_id", "signed_at"], unique=False
        )
        batch_op.create_index("ix_etiquette_inspection_iso_week", ["iso_week"], unique=False)

    op.create_table(
        "corrective_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.String(length=48), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["clerk_id"], ["staff.id"], name=op.f("fk_corrective_action_clerk_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_corrective_action_created_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["etiquette_inspection.id"],
            name=op.f("fk_corrective_action_inspection_id_etiquette_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_corrective_action_owner_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action")),
        sa.UniqueConstraint(
            "inspection_id", "item_key", name=op.f("uq_corrective_action_inspection_id_item_key")
        ),
    )
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.create_index("ix_corrective_action_clerk_id", ["clerk_id"], unique=False)

    op.create_table(
        "etiquette_answer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("section_key", sa.String(length=48), nullable=False),
        sa.Column("item_key", sa.String(length=48), nullable=False),
        sa.Column("value", sa.String(length=8), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["etiquette_inspection.id"],
            name=op.f("fk_etiquette_answer_inspection_id_etiquette_inspection"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etiquette_answer")),
        sa.UniqueConstraint(
            "inspection_id", "item_key", name=op.f("uq_etiquette_answer_inspection_id_item_key")
        ),
    )
    with op.batch_alter_table("etiquette_answer", schema=None) as batch_op:
        batch_op.create_index("ix_etiquette_answer_item_key", ["item_key"], unique=False)

    op.create_table(
        "etiquette_signature",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "role IN ('inspector', 'self')", name=op.f("ck_etiquette_signature_role_valid")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["etiquette_inspection.id"],
            name=op.f("fk_etiquette_signature_inspection_id_etiquette_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_etiquette_signature_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etiquette_signature")),
        sa.UniqueConstraint(
            "inspection_id", "role", name=op.f("uq_etiquette_signature_inspection_id_role")
        ),
    )
    op.create_table(
        "corrective_action_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('recheck_passed', 'recheck_failed', 'cancelled')",
            name=op.f("ck_corrective_action_event_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["corrective_action.id"],
            name=op.f("fk_corrective_action_event_action_id_corrective_action"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["etiquette_inspection.id"],
            name=op.f("fk_corrective_action_event_inspection_id_etiquette_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_corrective_action_event_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action_event")),
    )
    with op.batch_alter_table("corrective_action_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrective_action_event_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "etiquette_photo",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("answer_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/png', 'image/jpeg')",
            name=op.f("ck_etiquette_photo_content_type_valid"),
        ),
        sa.CheckConstraint(
            "size_bytes = length(data)", name=op.f("ck_etiquette_photo_size_matches")
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["etiquette_answer.id"],
            name=op.f("fk_etiquette_photo_answer_id_etiquette_answer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etiquette_photo")),
    )
    with op.batch_alter_table("etiquette_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_etiquette_photo_answer_id"), ["answer_id"], unique=True
        )

    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    # A template version is kept for ever, and frozen once an inspection used it.
    op.execute(
        "CREATE TRIGGER etiquette_template_no_delete BEFORE DELETE ON etiquette_template "
        "BEGIN SELECT RAISE(ABORT, 'etiquette_template versions are never deleted'); END"
    )
    op.execute(
        "CREATE TRIGGER etiquette_template_frozen_once_used BEFORE UPDATE ON etiquette_template "
        "WHEN EXISTS (SELECT 1 FROM etiquette_inspection WHERE template_id = OLD.id) "
        "BEGIN SELECT RAISE(ABORT, 'etiquette_template version is in use and frozen'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS etiquette_template_frozen_once_used")
    op.execute("DROP TRIGGER IF EXISTS etiquette_template_no_delete")
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_table("etiquette_photo")
    op.drop_table("corrective_action_event")
    op.drop_table("etiquette_signature")
    op.drop_table("etiquette_answer")
    op.drop_table("corrective_action")
    op.drop_table("etiquette_inspection")
    op.drop_table("etiquette_template")
