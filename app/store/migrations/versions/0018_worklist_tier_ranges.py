"""the worklist's tier filter as index ranges

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 19:00:00

The tier filter computed every overdue account's ladder amount from the day asked (owed
minus the bills not yet due minus the active freezes) and compared it with the tier's
range: 80-116 ms per count at a million customers (issue 17), whatever the tier held.
The ladder amount is, for every account without a freeze and with at most one due date
ahead, a today-independent amount chosen by its last due date: the amount owed once the
last due date has passed, the amount owed before the last due date's bills while it is
ahead. Three partial indexes over the accounts with something unpaid make a tier a few
key ranges (``app.services.arrears.worklist``, ``_TIER_PARTS``): by last due date, then
``owed_fen`` (``ix_worklist_tier_owed``) or ``owed_fen - last_due_fen``
(``ix_worklist_tier_before``, an expression index: no new column, nothing for the
triggers or ``ledger_drift`` to keep), and by ``prior_due`` (``ix_worklist_prior``: the
rare accounts with two due dates ahead). Indexes only: the rows are not touched.
Downgrading drops them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_UNPAID = sa.text("oldest_unpaid_due IS NOT NULL")
#: What every worklist index carries after its keys (the models' ``_WORKLIST_TAIL``).
_TAIL = (
    "oldest_unpaid_due",
    "owed_fen",
    "grid_unit_id",
    "last_due",
    "last_due_fen",
    "prior_due",
    "stage_rank",
)
#: The indexes the models declare.
_INDEXES = (
    ("ix_worklist_tier_owed", ("last_due", "owed_fen", "account_id")),
    ("ix_worklist_prior", ("prior_due", "account_id")),
)
#: The expression index (its plain columns carried too, so it covers the count).
_BEFORE_COLUMNS = ", ".join(
    ["last_due", "owed_fen - last_due_fen", "account_id", *(c for c in _TAIL if c != "last_due")]
)


def upgrade() -> None:
    for name, keys in _INDEXES:
        columns = [*keys, *(c for c in _TAIL if c not in keys)]
        op.create_index(name, "account_ledger", columns, sqlite_where=_UNPAID)
    op.execute(
        f"CREATE INDEX ix_worklist_tier_before ON account_ledger ({_BEFORE_COLUMNS}) "
        "WHERE oldest_unpaid_due IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_worklist_tier_before")
    for name, _keys in reversed(_INDEXES):
        op.drop_index(name, table_name="account_ledger")
