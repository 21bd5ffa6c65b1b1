"""the worklist's tier filter as index ranges

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 19:00:00

The tier filter computed every overdue account's ladder amount from the day asked (owed
minus the bills not yet due minus the active freezes, a probe of the freezes for each)
and compared it with the tier's range: 80-116 ms per count at a million customers (issue
17), whatever the tier held. For every account without a freeze and with at most one due
date ahead, the ladder amount is a today-independent amount chosen by its last due date:
the amount owed once that date has passed, the amount owed before its bills while it is
ahead. So:

* ``account_ledger.freeze_until``: the latest expiry of the account's dispute freezes
  (``app.store.ledger_sql``), kept by a trigger on ``dispute_freeze``, filled here in one
  grouped pass and compared by ``ledger_drift``: the accounts that may have a freeze
  active are a column test, not a probe;
* three partial indexes over the accounts with something unpaid make a tier a few key
  ranges (``app.services.arrears.worklist``, ``_TIER_PARTS``): by last due date, then
  ``owed_fen`` (``ix_worklist_tier_owed``) or ``owed_fen - last_due_fen``
  (``ix_worklist_tier_before``, an expression index the models cannot declare), and by
  ``prior_due`` (``ix_worklist_prior``: the rare accounts with two due dates ahead);
* the five ``ix_worklist_*`` indexes are rebuilt to carry ``freeze_until``.

Downgrading drops the trigger, the indexes and the column, and restores 0015's indexes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.store.ledger_sql import FREEZE_FILL, FREEZE_TRIGGER_NAMES, FREEZE_TRIGGERS

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_UNPAID = sa.text("oldest_unpaid_due IS NOT NULL")
#: What every worklist index carried after its keys at 0015.
_TAIL_0015 = (
    "oldest_unpaid_due",
    "owed_fen",
    "grid_unit_id",
    "last_due",
    "last_due_fen",
    "prior_due",
    "stage_rank",
)
#: ... and from this revision (the models' ``_WORKLIST_TAIL``).
_TAIL = (*_TAIL_0015, "freeze_until")
#: The worklist indexes of 0014/0015, rebuilt with the new tail.
_REBUILT = (
    ("ix_worklist_owed", ("owed_fen", "account_id")),
    ("ix_worklist_due", ("oldest_unpaid_due", "account_id")),
    ("ix_worklist_name", ("sort_pinyin", "sort_name", "account_id")),
    ("ix_worklist_grid", ("grid_code", "owed_fen", "account_id")),
    ("ix_worklist_grid_unit", ("grid_unit_id", "oldest_unpaid_due", "account_id")),
)
#: The tier filter's indexes the models declare.
_TIER = (
    ("ix_worklist_tier_owed", ("last_due", "owed_fen", "account_id")),
    ("ix_worklist_prior", ("prior_due", "account_id")),
)
#: The expression index (its plain columns carried too, so it covers the count).
_BEFORE_COLUMNS = ", ".join(
    ["last_due", "owed_fen - last_due_fen", "account_id", *(c for c in _TAIL if c != "last_due")]
)


def _create(indexes: tuple[tuple[str, tuple[str, ...]], ...], tail: tuple[str, ...]) -> None:
    for name, keys in indexes:
        columns = [*keys, *(c for c in tail if c not in keys)]
        op.create_index(name, "account_ledger", columns, sqlite_where=_UNPAID)


def _drop(indexes: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
    for name, _keys in indexes:
        op.drop_index(name, table_name="account_ledger")


def _statistics(names: list[str]) -> list[tuple[str, str, str]]:
    """The planner's statistics (``ANALYZE``: the demo store has them) of the indexes
    ``names``, which dropping an index deletes."""
    bind = op.get_bind()
    if not bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first():
        return []
    marks = ", ".join("?" for _ in names)
    return [
        (str(tbl), str(idx), str(stat))
        for tbl, idx, stat in bind.exec_driver_sql(
            f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx IN ({marks})", tuple(names)
        )
    ]


def upgrade() -> None:
    op.add_column("account_ledger", sa.Column("freeze_until", sa.Date(), nullable=True))
    op.execute(FREEZE_FILL)
    # The rebuilt indexes keep their keys: their statistics still hold (the planner reads
    # what a row gives; the new last column has none).
    statistics = _statistics([name for name, _keys in _REBUILT])
    _drop(_REBUILT)
    _create(_REBUILT, _TAIL)
    for row in statistics:
        op.get_bind().exec_driver_sql(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", row
        )
    _create(_TIER, _TAIL)
    op.execute(
        f"CREATE INDEX ix_worklist_tier_before ON account_ledger ({_BEFORE_COLUMNS}) "
        "WHERE oldest_unpaid_due IS NOT NULL"
    )
    for statement in FREEZE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name in FREEZE_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP INDEX IF EXISTS ix_worklist_tier_before")
    _drop(_TIER)
    _drop(_REBUILT)
    op.drop_column("account_ledger", "freeze_until")
    _create(_REBUILT, _TAIL_0015)
