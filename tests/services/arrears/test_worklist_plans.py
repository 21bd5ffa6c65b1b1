"""Every worklist sort walks its own index, for the first page as for the whole list.

With ``LIMIT 100`` (the first page the clerk waits for) SQLite chose the overdue range's
index for the sort by name and sorted every overdue account after reading the table for
its key: 150-860 ms at a million customers, while the whole list walked the name index
in 37 ms (issue 17). Not timed: the plans are checked.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.domain.arrears_policy import default_policy
from app.services.arrears import WorklistFilter, WorklistSort
from app.services.arrears.worklist import WorklistQuery

FILTERS = (
    WorklistFilter(),
    WorklistFilter(min_days=31, max_days=90),
    WorklistFilter(tier="small"),
    WorklistFilter(stage="phone_call"),
)
#: Each sort's index (the models' ``ix_worklist_*``).
INDEXES = {"owed": "owed", "days": "due", "name": "name", "grid": "grid"}


@pytest.mark.parametrize("key", ["owed", "days", "name", "grid"])
@pytest.mark.parametrize("limit", ["", " LIMIT 100"])
def test_each_sort_walks_its_index_without_a_sort(demo_db: Path, key: str, limit: str) -> None:
    con = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    try:
        for filter in FILTERS:
            query = WorklistQuery(default_policy(), date(2026, 11, 15), filter, WorklistSort(key))
            plan = " | ".join(
                str(row[3])
                for row in con.execute(
                    "EXPLAIN QUERY PLAN " + query.ids_sql() + limit, query.params
                )
            )
            assert f"COVERING INDEX ix_worklist_{INDEXES[key]} " in plan + " ", (filter, plan)
            assert "TEMP B-TREE FOR ORDER BY" not in plan, (filter, plan)
    finally:
        con.close()


@pytest.mark.parametrize(
    "filter",
    [
        WorklistFilter(tier="small"),
        WorklistFilter(tier="large"),
        WorklistFilter(tier="large", min_days=31, max_days=90),
        WorklistFilter(tier="small", stage="phone_call"),
    ],
)
def test_a_tier_count_reads_the_tier_s_index_ranges(demo_db: Path, filter: WorklistFilter) -> None:
    """The tier's count reads key ranges (migration 0018): per last due date, the amount
    owed (``ix_worklist_tier_owed``) or the amount owed before the last due date's bills
    (``ix_worklist_tier_before``), the accounts with two due dates ahead by
    ``ix_worklist_prior`` and the frozen ones by id; no index is walked whole. It computed
    every overdue account's ladder amount instead (80-116 ms at a million customers,
    issue 17)."""
    con = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    try:
        query = WorklistQuery(default_policy(), date(2026, 11, 15), filter, None)
        plan = [
            str(row[3])
            for row in con.execute("EXPLAIN QUERY PLAN " + query.count_sql(), query.params)
        ]
    finally:
        con.close()
    text = " | ".join(plan)
    assert "COVERING INDEX ix_worklist_tier_owed (last_due=? AND owed_fen>?" in text, text
    assert "COVERING INDEX ix_worklist_tier_before (last_due=? AND <expr>>?" in text, text
    assert "INDEX ix_worklist_prior (prior_due>?)" in text, text
    assert "SEARCH l USING INTEGER PRIMARY KEY (rowid=?)" in text, text
    # the loose scan of the last due dates: one seek each, never a walk of the index
    assert "SEARCH account_ledger USING COVERING INDEX ix_worklist_tier_owed (last_due>?)" in text
    assert not [step for step in plan if step.startswith("SCAN l") or "SCAN account_ledger" in step]
