"""centre: complaint records by number (the repeated-number check)

Revision ID: c0002
Revises: c0001
Create Date: 2026-12-07 16:40:00

Each pushed complaint is checked against the hall's complaints holding its number (a PC
restored with its number mark may repeat one; ``complaint_no_clash``); the expression
index keeps that check to the few rows with the number instead of the hall's complaints.
"""

from __future__ import annotations

from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_record_complaint_number ON record (hall_id, (payload->>'number')) "
        "WHERE kind = 'complaint'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_record_complaint_number")
