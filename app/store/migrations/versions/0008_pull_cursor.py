"""the pull cursor as the centre's opaque snapshot cursor

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 10:40:00

``sync_state.cursor_txid`` / ``cursor_seq`` (a watermark position) become ``pull_cursor``,
the JSON cursor the centre hands out and reads back (:mod:`app.sync.cursor`). A stored
watermark is kept in its protocol-1 form, which the centre still reads, so an enrolled PC
goes on from where it was without a full re-download.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sync_state", sa.Column("pull_cursor", sa.Text(), nullable=False, server_default="{}")
    )
    op.execute(
        "UPDATE sync_state SET pull_cursor = json_object('txid', cursor_txid, 'seq', cursor_seq) "
        "WHERE cursor_txid NOT IN ('', '0')"
    )
    op.drop_column("sync_state", "cursor_txid")
    op.drop_column("sync_state", "cursor_seq")


def downgrade() -> None:
    op.add_column(
        "sync_state", sa.Column("cursor_txid", sa.String(24), nullable=False, server_default="0")
    )
    op.add_column(
        "sync_state", sa.Column("cursor_seq", sa.Integer(), nullable=False, server_default="0")
    )
    # A snapshot cursor has no watermark form: the PC downloads everything again.
    op.execute("UPDATE sync_state SET epoch = -1")
    op.drop_column("sync_state", "pull_cursor")
