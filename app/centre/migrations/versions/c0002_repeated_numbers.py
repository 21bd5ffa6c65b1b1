"""centre: receipt and complaint numbers may repeat within a hall (flagged, both kept)

Revision ID: c0002
Revises: c0001
Create Date: 2026-12-07 16:40:00

A PC restored together with its number mark may repeat receipt and complaint numbers it
issued before the copy (see the PC's migration 0017). Both payments are money the hall
took: ``payment`` loses its unique ``(hall_id, receipt_no)``, which dropped the second
payment from the centre's money (its day's sum then never matched the PC's), and keeps a
plain index for the repeated-number check. Complaints are records; the expression index
finds the hall's complaints holding a number without reading all of them.
"""

from __future__ import annotations

from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE payment DROP CONSTRAINT IF EXISTS payment_hall_id_receipt_no_key")
    op.execute("CREATE INDEX ix_payment_receipt_no ON payment (hall_id, receipt_no)")
    op.execute(
        "CREATE INDEX ix_record_complaint_number ON record (hall_id, (payload->>'number')) "
        "WHERE kind = 'complaint'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_record_complaint_number")
    op.execute("DROP INDEX IF EXISTS ix_payment_receipt_no")
    # Refused (unique violation) while a hall holds a repeated receipt number.
    op.execute(
        "ALTER TABLE payment ADD CONSTRAINT payment_hall_id_receipt_no_key "
        "UNIQUE (hall_id, receipt_no)"
    )
