"""penalty postings and cash rounding

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:00:00

``penalty_accrual``: the late-payment penalty posted to an account when a payment takes
money for it (``app.domain.penalty``), append-only like the other money history (triggers
refuse UPDATE and DELETE). Stores written before have no postings: their penalty is
computed day by day from the bills, payments and freezes until the next payment posts it,
less what earlier payments settled and leaders waived.

``payment.rounding_fen``: the fen of a cash payment written off in the customer's favour
(the counter takes cash in whole jiao). A plain ``ALTER TABLE … ADD COLUMN`` keeps the
payment table and its append-only and ledger triggers (0002) in place; earlier payments
read 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "penalty_accrual",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("per_mille", sa.Integer(), nullable=False),
        sa.Column("runs_json", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_penalty_accrual_amount_not_negative")),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_penalty_accrual_days_in_order")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_penalty_accrual_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_penalty_accrual_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_penalty_accrual_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_accrual")),
    )
    op.create_index(
        op.f("ix_penalty_accrual_account_id"), "penalty_accrual", ["account_id"], unique=False
    )
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER penalty_accrual_no_{verb.lower()} BEFORE {verb} ON penalty_accrual "
            "BEGIN SELECT RAISE(ABORT, 'penalty_accrual is append-only'); END"
        )
    op.execute("ALTER TABLE payment ADD COLUMN rounding_fen INTEGER NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE payment DROP COLUMN rounding_fen")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS penalty_accrual_no_{verb}")
    op.drop_index(op.f("ix_penalty_accrual_account_id"), table_name="penalty_accrual")
    op.drop_table("penalty_accrual")
