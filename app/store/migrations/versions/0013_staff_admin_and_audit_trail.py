"""staff administration, counters and PCs, the audit trail's indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 09:00:00

Staff, counters and the hall are now written at the hall (issue 16): an administrator adds
staff at any PC, and the rows travel to the hall's other PCs through the centre.

- ``staff.must_change_password``: the password is a one-time password an administrator
  gave; the person chooses their own at the next login. Existing staff: 0 (false).
- ``staff_password``: every password a member of staff had, as its hash (append-only: its
  triggers refuse UPDATE and DELETE), for the rule "not one of the last few". Existing
  staff start with an empty history; their current hash is on the ``staff`` row, which
  the rule checks too.
- ``staff_counter``: the counters a member of staff may open a shift at (none: any).
- ``hall_pc``: which counter each PC of the hall sits at, by the PC's device code.
- The audit trail viewer filters by person and by action kind over a long history:
  ``(staff_id, at)`` and ``(action, at)`` indexes, and an index on the approving leader
  inside the event's JSON detail (``json_extract(detail, '$.approved_by')``). That last
  one is an expression index, which the models cannot declare (SQLAlchemy does not reflect
  it either, so the model comparison in the tests does not see it): it exists through
  this migration only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_APPROVED_BY_INDEX = (
    "CREATE INDEX ix_audit_event_approved_by ON audit_event "
    "(json_extract(detail, '$.approved_by')) "
    "WHERE json_extract(detail, '$.approved_by') IS NOT NULL"
)


def upgrade() -> None:
    op.add_column(
        "staff",
        sa.Column(
            "must_change_password", sa.Boolean(), nullable=False, server_default=sa.text("0")
        ),
    )
    op.create_table(
        "staff_password",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("one_time", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by"], ["staff.id"], name=op.f("fk_staff_password_set_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_password_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_password")),
    )
    op.create_index(
        op.f("ix_staff_password_staff_id"), "staff_password", ["staff_id"], unique=False
    )
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER staff_password_no_{verb.lower()} BEFORE {verb} ON staff_password "
            "BEGIN SELECT RAISE(ABORT, 'staff_password is append-only'); END"
        )
    op.create_table(
        "staff_counter",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_staff_counter_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_counter_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("staff_id", "counter_id", name=op.f("pk_staff_counter")),
    )
    op.create_table(
        "hall_pc",
        sa.Column("pc_code", sa.String(length=16), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_hall_pc_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["staff.id"], name=op.f("fk_hall_pc_updated_by_staff")
        ),
        sa.PrimaryKeyConstraint("pc_code", name=op.f("pk_hall_pc")),
    )
    op.create_index("ix_audit_event_staff_at", "audit_event", ["staff_id", "at"], unique=False)
    op.create_index("ix_audit_event_action_at", "audit_event", ["action", "at"], unique=False)
    op.execute(_APPROVED_BY_INDEX)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_audit_event_approved_by")
    op.drop_index("ix_audit_event_action_at", table_name="audit_event")
    op.drop_index("ix_audit_event_staff_at", table_name="audit_event")
    op.drop_table("hall_pc")
    op.drop_table("staff_counter")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS staff_password_no_{verb}")
    op.drop_index(op.f("ix_staff_password_staff_id"), table_name="staff_password")
    op.drop_table("staff_password")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
