"""Migration 0016: the ladder's covering indexes keep every row and are used."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from app.services.arrears.bulk import _LEDGER_BILLS_SQL, _LEDGER_PAYMENTS_SQL
from app.store import database
from app.store.database import open_store, sqlite_url

_ROWS = (
    "SELECT 'bill', count(*), sum(amount_fen), group_concat(period) FROM bill "
    "UNION ALL SELECT 'payment', count(*), sum(amount_fen), sum(penalty_fen) FROM payment"
)


def _plans(con: sqlite3.Connection) -> str:
    return " ".join(
        str(row[3])
        for sql in (_LEDGER_BILLS_SQL, _LEDGER_PAYMENTS_SQL)
        for row in con.execute("EXPLAIN QUERY PLAN " + sql.format(ids="1, 2, 3"))
    )


def _indexes(con: sqlite3.Connection) -> set[str]:
    return {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}


def test_0016_keeps_the_rows_and_the_ladder_reads_walk_only_the_new_indexes(
    demo_db_copy: Path,
) -> None:
    """Down to 0014 and up again: bills and payments untouched; at 0014 the ladder's reads
    visit the tables, at 0016 each walks its covering index in the order it reads (no
    sort), and ``ix_payment_ladder`` has replaced ``ix_payment_account_id``."""
    url = sqlite_url(demo_db_copy)
    con = sqlite3.connect(demo_db_copy)
    before = con.execute(_ROWS).fetchall()
    con.close()
    command.downgrade(database.alembic_config(url), "0014")
    con = sqlite3.connect(demo_db_copy)
    old_plans = _plans(con)
    assert "ix_payment_account_id" in _indexes(con)
    con.close()
    assert "COVERING INDEX" not in old_plans
    command.upgrade(database.alembic_config(url), "head")
    con = sqlite3.connect(demo_db_copy)
    plans = _plans(con)
    after = con.execute(_ROWS).fetchall()
    indexes = _indexes(con)
    con.close()
    assert after == before
    assert "COVERING INDEX ix_bill_ladder" in plans
    assert "COVERING INDEX ix_payment_ladder" in plans
    assert "TEMP B-TREE" not in plans
    assert "ix_payment_account_id" not in indexes
    open_store(url).close()  # the models agree (open_store checks the head)
