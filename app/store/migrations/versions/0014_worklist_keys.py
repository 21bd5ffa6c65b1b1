"""the worklist's keys on the account ledger projection

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 09:00:00

The arrears worklist sorted by name or grid, or filtered by tier or grid unit, made ~95,000
random lookups into the million-row ``account``, ``customer``, ``grid_unit`` and ``bill``
tables per query at a million customers (0.4-1.2 s, issue 17). ``account_ledger`` gains
the keys those queries read (the customer's name keys and grid unit, and the due dates
that tell which bills are not yet due; ``app.store.ledger_sql`` says what each means),
partial covering indexes over the accounts with something unpaid, and triggers that keep
the keys: the customer's and the grid unit's, and the bill triggers of 0002 replaced by
ones that keep the due dates too (and react to a changed due date). Every existing row is
filled here in one statement; ``ledger_drift`` compares the keys too. Downgrading drops
the keys and restores 0002's triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.store.ledger_sql import (
    KEYS_FILL,
    LEDGER_TRIGGER_NAMES,
    LEDGER_TRIGGER_NAMES_0002,
    LEDGER_TRIGGERS,
    LEDGER_TRIGGERS_0002,
)

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_UNPAID = sa.text("oldest_unpaid_due IS NOT NULL")
_TAIL = ("oldest_unpaid_due", "owed_fen", "grid_unit_id", "last_due", "last_due_fen", "prior_due")
#: The indexes as this revision creates them (the model declares the same).
INDEXES = (
    ("ix_worklist_owed", ("owed_fen", "account_id")),
    ("ix_worklist_due", ("oldest_unpaid_due", "account_id")),
    ("ix_worklist_name", ("sort_pinyin", "sort_name", "account_id")),
    ("ix_worklist_grid", ("grid_code", "owed_fen", "account_id")),
    ("ix_worklist_grid_unit", ("grid_unit_id", "oldest_unpaid_due", "account_id")),
)
_COLUMNS = (
    sa.Column("sort_pinyin", sa.String(200), nullable=False, server_default=""),
    sa.Column("sort_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("grid_unit_id", sa.Integer(), nullable=True),
    sa.Column("grid_code", sa.String(16), nullable=False, server_default=""),
    sa.Column("last_due", sa.Date(), nullable=True),
    sa.Column("last_due_fen", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("prior_due", sa.Date(), nullable=True),
)


def upgrade() -> None:
    for name in LEDGER_TRIGGER_NAMES_0002:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for column in _COLUMNS:
        op.add_column("account_ledger", column)
    op.get_bind().execute(sa.text(KEYS_FILL), {"first": 0, "last": 2**62})
    for name, keys in INDEXES:
        tail = [c for c in _TAIL if c not in keys]
        op.create_index(name, "account_ledger", [*keys, *tail], sqlite_where=_UNPAID)
    for statement in LEDGER_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name in LEDGER_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for name, _keys in INDEXES:
        op.drop_index(name, table_name="account_ledger")
    for column in reversed(_COLUMNS):
        op.drop_column("account_ledger", column.name)
    for statement in LEDGER_TRIGGERS_0002:
        op.execute(statement)
