"""cash sessions, shift handovers and the hall day

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: History tables whose rows are never changed or deleted.
APPEND_ONLY = (
    "cash_shift",
    "shift_close",
    "cash_count",
    "cash_movement",
    "handover",
    "handover_revision",
    "handover_signature",
    "opening_check",
    "hall_day_close",
)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "cash_shift",
        _id(),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opening_float_fen", sa.Integer(), nullable=False),
        sa.Column("expected_float_fen", sa.Integer(), nullable=True),
        sa.Column("float_reason", sa.String(length=200), nullable=False),
        sa.Column("previous_shift_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("opening_float_fen >= 0", name=op.f("ck_cash_shift_float_nonnegative")),
        _fk("cash_shift", "hall_id", "hall.id"),
        _fk("cash_shift", "counter_id", "counter.id"),
        _fk("cash_shift", "staff_id", "staff.id"),
        _fk("cash_shift", "previous_shift_id", "cash_shift.id"),
        _pk("cash_shift"),
    )
    op.create_index("ix_cash_shift_counter_id_opened_at", "cash_shift", ["counter_id", "opened_at"])
    op.create_index("ix_cash_shift_staff_id_opened_at", "cash_shift", ["staff_id", "opened_at"])
    op.create_index(op.f("ix_cash_shift_business_date"), "cash_shift", ["business_date"])

    op.create_table(
        "shift_close",
        _id(),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("blind", sa.Boolean(), nullable=False),
        sa.Column("expected_cash_fen", sa.Integer(), nullable=False),
        sa.Column("counted_cash_fen", sa.Integer(), nullable=False),
        sa.Column("difference_fen", sa.Integer(), nullable=False),
        sa.Column("float_left_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("unsynced_override_by", sa.Integer(), nullable=True),
        sa.Column("totals_json", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "counted_cash_fen >= 0", name=op.f("ck_shift_close_counted_nonnegative")
        ),
        sa.CheckConstraint(
            "float_left_fen >= 0", name=op.f("ck_shift_close_float_left_nonnegative")
        ),
        sa.CheckConstraint(
            "float_left_fen <= counted_cash_fen",
            name=op.f("ck_shift_close_float_left_within_count"),
        ),
        _fk("shift_close", "shift_id", "cash_shift.id"),
        _fk("shift_close", "staff_id", "staff.id"),
        _fk("shift_close", "approved_by", "staff.id"),
        _fk("shift_close", "unsynced_override_by", "staff.id"),
        _pk("shift_close"),
        sa.UniqueConstraint("shift_id", name=op.f("uq_shift_close_shift_id")),
    )

    op.create_table(
        "cash_count",
        _id(),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("counts_json", sa.Text(), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('opening', 'closing')", name=op.f("ck_cash_count_purpose_valid")
        ),
        sa.CheckConstraint("total_fen >= 0", name=op.f("ck_cash_count_total_nonnegative")),
        _fk("cash_count", "shift_id", "cash_shift.id"),
        _fk("cash_count", "staff_id", "staff.id"),
        _pk("cash_count"),
        sa.UniqueConstraint("shift_id", "purpose", name=op.f("uq_cash_count_shift_id_purpose")),
    )

    op.create_table(
        "cash_movement",
        _id(),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('cash_in', 'cash_out')", name=op.f("ck_cash_movement_kind_valid")
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_cash_movement_amount_positive")),
        _fk("cash_movement", "shift_id", "cash_shift.id"),
        _fk("cash_movement", "staff_id", "staff.id"),
        _fk("cash_movement", "approved_by", "staff.id"),
        _pk("cash_movement"),
    )
    op.create_index(op.f("ix_cash_movement_shift_id"), "cash_movement", ["shift_id"])

    op.create_table(
        "handover",
        _id(),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        _fk("handover", "shift_id", "cash_shift.id"),
        _fk("handover", "staff_id", "staff.id"),
        _pk("handover"),
        sa.UniqueConstraint("shift_id", name=op.f("uq_handover_shift_id")),
    )

    op.create_table(
        "handover_revision",
        _id(),
        sa.Column("handover_id", sa.Uuid(), nullable=False),
        sa.Column("revision_no", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("pending_json", sa.Text(), nullable=False),
        sa.Column("equipment_json", sa.Text(), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("correction_reason", sa.String(length=200), nullable=False),
        _fk("handover_revision", "handover_id", "handover.id"),
        _fk("handover_revision", "staff_id", "staff.id"),
        _fk("handover_revision", "supersedes_id", "handover_revision.id"),
        _pk("handover_revision"),
        sa.UniqueConstraint(
            "handover_id", "revision_no", name=op.f("uq_handover_revision_handover_id_revision_no")
        ),
    )

    op.create_table(
        "handover_signature",
        _id(),
        sa.Column("revision_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "role IN ('outgoing', 'incoming', 'leader')",
            name=op.f("ck_handover_signature_role_valid"),
        ),
        _fk("handover_signature", "revision_id", "handover_revision.id"),
        _fk("handover_signature", "staff_id", "staff.id"),
        _pk("handover_signature"),
        sa.UniqueConstraint(
            "revision_id", "role", name=op.f("uq_handover_signature_revision_id_role")
        ),
    )

    op.create_table(
        "opening_check",
        _id(),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("all_passed", sa.Boolean(), nullable=False),
        sa.Column("detail_json", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        _fk("opening_check", "hall_id", "hall.id"),
        _fk("opening_check", "staff_id", "staff.id"),
        _pk("opening_check"),
    )
    op.create_index(op.f("ix_opening_check_business_date"), "opening_check", ["business_date"])

    op.create_table(
        "hall_day_close",
        _id(),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        _fk("hall_day_close", "hall_id", "hall.id"),
        _fk("hall_day_close", "staff_id", "staff.id"),
        _pk("hall_day_close"),
        sa.UniqueConstraint(
            "hall_id", "business_date", name=op.f("uq_hall_day_close_hall_id_business_date")
        ),
    )

    # Plain ALTER TABLE keeps the payment table and its append-only triggers in place
    # (see 0002); history payments have no shift.
    op.execute("ALTER TABLE payment ADD COLUMN shift_id CHAR(32) REFERENCES cash_shift (id)")
    op.create_index(op.f("ix_payment_shift_id"), "payment", ["shift_id"])

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
    op.drop_index(op.f("ix_payment_shift_id"), table_name="payment")
    op.execute("ALTER TABLE payment DROP COLUMN shift_id")
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
