"""the non-cash methods counted at a shift's close

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 11:30:00

``shift_close.method_counts_json``: per non-cash payment method (bank card, WeChat Pay,
Alipay), the expected net takings, the total the clerk counted from the terminal's
settlement slip or the platform's statement, and the difference, frozen with the close.
A plain ``ALTER TABLE … ADD COLUMN`` keeps the table and its append-only triggers (0004) in
place; closes recorded before this revision read "{}" (the methods were not counted).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "shift_close",
        sa.Column("method_counts_json", sa.Text(), nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    op.drop_column("shift_close", "method_counts_json")
