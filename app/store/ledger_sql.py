"""SQL of the account ledger projection: its triggers and the query that builds it.

The projection (``account_ledger``) is derived from bills and payments and kept current
by triggers in the writer's own transaction. Migration 0002 installs these statements;
changing them needs a new migration. ``ledger_drift`` recomputes the projection from
scratch and lists accounts where it differs, so drift is detected, not assumed away.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

#: The due date of the oldest bill that payments (oldest first) do not cover.
_OLDEST_DUE: Final = (
    "(SELECT c.due_date FROM (SELECT due_date, period, SUM(amount_fen) OVER "
    "(ORDER BY period, id) AS cum FROM bill WHERE account_id = {acct}) AS c "
    "WHERE c.cum > (SELECT paid_fen FROM account_ledger WHERE account_id = {acct}) "
    "ORDER BY c.period LIMIT 1)"
)


def _refresh(acct: str) -> str:
    return (
        f"UPDATE account_ledger SET owed_fen = billed_fen - paid_fen, "
        f"oldest_unpaid_due = {_OLDEST_DUE.format(acct=acct)} WHERE account_id = {acct};"
    )


#: account_ledger is a projection kept by these triggers in the writer's transaction.
LEDGER_TRIGGERS: Final = (
    "CREATE TRIGGER ledger_account_insert AFTER INSERT ON account BEGIN "
    "INSERT INTO account_ledger (account_id, billed_fen, paid_fen, owed_fen) "
    "VALUES (NEW.id, 0, 0, 0); END",
    "CREATE TRIGGER ledger_bill_insert AFTER INSERT ON bill BEGIN "
    "UPDATE account_ledger SET billed_fen = billed_fen + NEW.amount_fen "
    f"WHERE account_id = NEW.account_id; {_refresh('NEW.account_id')} END",
    "CREATE TRIGGER ledger_bill_update AFTER UPDATE OF amount_fen, account_id, period ON bill "
    "BEGIN UPDATE account_ledger SET billed_fen = billed_fen - OLD.amount_fen "
    f"WHERE account_id = OLD.account_id; {_refresh('OLD.account_id')} "
    "UPDATE account_ledger SET billed_fen = billed_fen + NEW.amount_fen "
    f"WHERE account_id = NEW.account_id; {_refresh('NEW.account_id')} END",
    "CREATE TRIGGER ledger_bill_delete AFTER DELETE ON bill BEGIN "
    "UPDATE account_ledger SET billed_fen = billed_fen - OLD.amount_fen "
    f"WHERE account_id = OLD.account_id; {_refresh('OLD.account_id')} END",
    "CREATE TRIGGER ledger_payment_insert AFTER INSERT ON payment BEGIN "
    "UPDATE account_ledger SET paid_fen = paid_fen + NEW.amount_fen - NEW.penalty_fen "
    f"WHERE account_id = NEW.account_id; {_refresh('NEW.account_id')} END",
)
LEDGER_TRIGGER_NAMES: Final = (
    "ledger_account_insert",
    "ledger_bill_insert",
    "ledger_bill_update",
    "ledger_bill_delete",
    "ledger_payment_insert",
)

#: The projection computed from scratch: one row per account.
LEDGER_SELECT: Final = """
WITH billed AS (SELECT account_id, SUM(amount_fen) AS fen FROM bill GROUP BY account_id),
paid AS (SELECT account_id, SUM(amount_fen - penalty_fen) AS fen FROM payment
         GROUP BY account_id),
cum AS (SELECT account_id, period, due_date,
               SUM(amount_fen) OVER (PARTITION BY account_id ORDER BY period, id) AS fen
        FROM bill)
SELECT a.id, COALESCE(b.fen, 0), COALESCE(p.fen, 0), COALESCE(b.fen, 0) - COALESCE(p.fen, 0),
       (SELECT c.due_date FROM cum c WHERE c.account_id = a.id AND c.fen > COALESCE(p.fen, 0)
        ORDER BY c.period LIMIT 1)
FROM account a LEFT JOIN billed b ON b.account_id = a.id LEFT JOIN paid p ON p.account_id = a.id
"""

LEDGER_FILL: Final = (
    "INSERT INTO account_ledger (account_id, billed_fen, paid_fen, owed_fen, oldest_unpaid_due)"
    + LEDGER_SELECT
)


def ledger_drift(session: Session, limit: int = 100) -> list[int]:
    """Accounts whose projection differs from a fresh computation (empty when all agree)."""
    sql = (
        "WITH fresh(account_id, billed_fen, paid_fen, owed_fen, oldest_unpaid_due) AS ("
        + LEDGER_SELECT
        + ") SELECT f.account_id FROM fresh f LEFT JOIN account_ledger l "
        "ON l.account_id = f.account_id WHERE l.account_id IS NULL "
        "OR l.billed_fen != f.billed_fen OR l.paid_fen != f.paid_fen "
        "OR l.owed_fen != f.owed_fen OR l.oldest_unpaid_due IS NOT f.oldest_unpaid_due "
        "LIMIT :limit"
    )
    return [row[0] for row in session.execute(text(sql), {"limit": limit})]
