"""the worklist's stage on the account ledger projection

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 16:30:00

The worklist's stage filter read the actions table grouped by account for every query
(~250 ms at a million customers, issue 17). ``account_ledger`` gains ``stage_rank`` (the
rank of the most severe step since the oldest unpaid bill fell due, NULL for none;
``app.store.ledger_sql`` says the rule), kept by triggers on ``arrears_action`` and on the
projection's ``oldest_unpaid_due``; the five ``ix_worklist_*`` indexes are rebuilt to carry
it, so a stage filter is a test on the index walked; an index on ``arrears_action.taken_on``
lets the worklist see cheaply whether a step is dated after its day (it then reads the
actions as before). Every existing row is filled here in one grouped pass; ``ledger_drift``
compares the stage too. Downgrading drops the column, its triggers and index, and restores
0014's indexes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.store.ledger_sql import STAGE_FILL, STAGE_TRIGGER_NAMES, STAGE_TRIGGERS

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_UNPAID = sa.text("oldest_unpaid_due IS NOT NULL")
_TAIL_0014 = (
    "oldest_unpaid_due",
    "owed_fen",
    "grid_unit_id",
    "last_due",
    "last_due_fen",
    "prior_due",
)
#: The worklist indexes' order keys (0014's; the model declares the same).
_KEYS = (
    ("ix_worklist_owed", ("owed_fen", "account_id")),
    ("ix_worklist_due", ("oldest_unpaid_due", "account_id")),
    ("ix_worklist_name", ("sort_pinyin", "sort_name", "account_id")),
    ("ix_worklist_grid", ("grid_code", "owed_fen", "account_id")),
    ("ix_worklist_grid_unit", ("grid_unit_id", "oldest_unpaid_due", "account_id")),
)


def _create_indexes(tail: tuple[str, ...]) -> None:
    for name, keys in _KEYS:
        columns = [*keys, *(c for c in tail if c not in keys)]
        op.create_index(name, "account_ledger", columns, sqlite_where=_UNPAID)


def _drop_indexes() -> None:
    for name, _keys in _KEYS:
        op.drop_index(name, table_name="account_ledger")


def upgrade() -> None:
    op.add_column("account_ledger", sa.Column("stage_rank", sa.Integer(), nullable=True))
    op.execute(STAGE_FILL)
    _drop_indexes()
    _create_indexes((*_TAIL_0014, "stage_rank"))
    op.create_index("ix_arrears_action_taken_on", "arrears_action", ["taken_on"])
    for statement in STAGE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name in STAGE_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_arrears_action_taken_on", table_name="arrears_action")
    _drop_indexes()
    op.drop_column("account_ledger", "stage_rank")
    _create_indexes(_TAIL_0014)
