"""covering indexes for the ladder's bulk read of bills and payments

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 16:10:00

The ladder evaluates every account in arrears in bulk (``records.ladder_statuses``): per
1,000 accounts it reads every bill in ledger order (account, period) and every payment in
time order. Through ``uq_bill_account_id_period`` and ``ix_payment_account_id`` each row
was a lookup into the table, scattered across a 4 GB file at a million customers (issue
17). ``ix_bill_ladder`` and ``ix_payment_ladder`` hold every column those reads need, in
the order they need them, so each read walks one index and never touches the tables.
``ix_payment_ladder`` starts with ``account_id`` and replaces ``ix_payment_account_id``
(every lookup by account uses it instead): one index more on ``bill``, none on
``payment``. Only indexes change; no row is touched. Downgrading restores 0014's indexes.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The indexes as this revision creates them (the models declare the same).
BILL_INDEX = ("ix_bill_ladder", ("account_id", "period", "due_date", "amount_fen"))
PAYMENT_INDEX = ("ix_payment_ladder", ("account_id", "paid_at", "amount_fen", "penalty_fen"))


def upgrade() -> None:
    op.create_index(BILL_INDEX[0], "bill", list(BILL_INDEX[1]))
    op.create_index(PAYMENT_INDEX[0], "payment", list(PAYMENT_INDEX[1]))
    op.drop_index("ix_payment_account_id", table_name="payment")


def downgrade() -> None:
    op.create_index("ix_payment_account_id", "payment", ["account_id"])
    op.drop_index(PAYMENT_INDEX[0], table_name="payment")
    op.drop_index(BILL_INDEX[0], table_name="bill")
