"""the statutory date of each complaint; contact phones searchable

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-08 09:00:00

``complaint_state.statutory_due_at``: the end of the 15th calendar day after the complaint
was received (or reopened), in the hall's time zone, pauses not counted: from then on an
unanswered customer may appeal (``ComplaintClock.statutory_due``). It is a projection
column like ``due_at``: filled here from ``clock_start`` for every existing row, so the
worklist, the pending list and the reports can ask SQL for it. The column stays NULL-able:
a NOT NULL would need a rebuild of the table (batch mode), whose constraint order is not
deterministic; every writer of the projection fills it.

``ix_customer_contact_phone``: the lookup finds a customer by contact phone as well as by
service number, an equality on this index (the exact-lookup budget).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: The 15 days of the regulation (``app.domain.complaint_clock.STATUTORY_DAYS``), fixed
#: here as this revision knew them.
STATUTORY_DAYS = 15
_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def _statutory(clock_start: str, zone: ZoneInfo) -> str:
    start = datetime.fromisoformat(str(clock_start)).replace(tzinfo=UTC)
    last = start.astimezone(zone).date() + timedelta(days=STATUTORY_DAYS + 1)
    due = datetime.combine(last, time(), zone).astimezone(UTC).replace(tzinfo=None)
    return due.strftime(_FORMAT)


def upgrade() -> None:
    op.add_column("complaint_state", sa.Column("statutory_due_at", sa.DateTime(), nullable=True))
    conn = op.get_bind()
    timezone = conn.execute(
        sa.text(
            "SELECT h.timezone FROM device_info d JOIN hall h ON h.id = d.hall_id "
            "UNION ALL SELECT timezone FROM hall LIMIT 1"
        )
    ).scalar()
    zone = ZoneInfo(timezone or "Asia/Shanghai")
    rows = conn.execute(sa.text("SELECT complaint_id, clock_start FROM complaint_state")).all()
    if rows:
        conn.execute(
            sa.text("UPDATE complaint_state SET statutory_due_at = :due WHERE complaint_id = :id"),
            [{"id": cid, "due": _statutory(start, zone)} for cid, start in rows],
        )
    op.create_index("ix_complaint_state_statutory_due_at", "complaint_state", ["statutory_due_at"])
    op.create_index("ix_customer_contact_phone", "customer", ["contact_phone"])


def downgrade() -> None:
    op.drop_index("ix_customer_contact_phone", table_name="customer")
    op.drop_index("ix_complaint_state_statutory_due_at", table_name="complaint_state")
    with op.batch_alter_table("complaint_state") as batch:
        batch.drop_column("statutory_due_at")
