"""SQL of the account ledger projection: its triggers and the query that builds it.

The projection (``account_ledger``) is derived from bills and payments and kept current
by triggers in the writer's own transaction. Migration 0002 installed the first
statements, 0014 the current ones (with the worklist's keys), 0015 the stage's, 0018
the latest freeze expiry's; changing them needs a new migration. ``ledger_drift``
recomputes the projection from scratch and lists accounts where it differs, so drift is
detected, not assumed away.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.arrears_policy import REMINDER_KINDS, SERVICE_ACTION_KINDS, StepKind
from app.store.models.arrears import ActionKind, CallResult

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


#: The triggers as migration 0002 installed them (0014 replaces the bill and account ones).
LEDGER_TRIGGERS_0002: Final = (
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
LEDGER_TRIGGER_NAMES_0002: Final = (
    "ledger_account_insert",
    "ledger_bill_insert",
    "ledger_bill_update",
    "ledger_bill_delete",
    "ledger_payment_insert",
)

# -- the worklist's keys (migration 0014) -------------------------------------------------
#
# The worklist filters and sorts the accounts in arrears by their customer's name, their
# grid unit and their ladder amount. Reading those from ``customer``, ``grid_unit`` and
# ``bill`` meant ~95,000 random lookups into million-row tables per query (0.4-1.2 s at a
# million customers); as columns of the projection, covered by partial indexes over the
# accounts with something unpaid, every query walks one index of ~100,000 short entries.
#
# * ``sort_pinyin``, ``sort_name``, ``grid_unit_id``, ``grid_code``: copies of the
#   customer's name keys and grid unit (its code, '' for none), kept by triggers on
#   ``account``, ``customer`` and ``grid_unit``.
# * ``last_due``, ``last_due_fen``, ``prior_due``: the latest due date among the account's
#   bills, what the bills due that day amount to, and the latest due date before it. The
#   bills not yet due on ``today`` then sum to 0 (``last_due < today``) or ``last_due_fen``
#   (``prior_due < today <= last_due``); only when two due dates are still ahead does the
#   worklist sum the bills (``not_due_sql``).

#: The name and grid keys of the account ``{acct}`` from its customer.
_KEYS_SET: Final = (
    "sort_pinyin = COALESCE((SELECT c.name_pinyin FROM account a JOIN customer c "
    "ON c.id = a.customer_id WHERE a.id = {acct}), ''), "
    "sort_name = COALESCE((SELECT c.name FROM account a JOIN customer c "
    "ON c.id = a.customer_id WHERE a.id = {acct}), ''), "
    "grid_unit_id = (SELECT c.grid_unit_id FROM account a JOIN customer c "
    "ON c.id = a.customer_id WHERE a.id = {acct}), "
    "grid_code = COALESCE((SELECT g.code FROM account a JOIN customer c "
    "ON c.id = a.customer_id JOIN grid_unit g ON g.id = c.grid_unit_id WHERE a.id = {acct}), '')"
)
#: The due-date keys of the account ``{acct}`` from its bills.
_DUES_SET: Final = (
    "last_due = (SELECT MAX(due_date) FROM bill WHERE account_id = {acct}), "
    "last_due_fen = COALESCE((SELECT SUM(amount_fen) FROM bill WHERE account_id = {acct} "
    "AND due_date = (SELECT MAX(due_date) FROM bill WHERE account_id = {acct})), 0), "
    "prior_due = (SELECT MAX(due_date) FROM bill WHERE account_id = {acct} "
    "AND due_date < (SELECT MAX(due_date) FROM bill WHERE account_id = {acct}))"
)


def _refresh_bills(acct: str) -> str:
    return (
        f"{_refresh(acct)} UPDATE account_ledger SET {_DUES_SET.format(acct=acct)} "
        f"WHERE account_id = {acct};"
    )


def _refresh_keys(acct: str) -> str:
    return f"UPDATE account_ledger SET {_KEYS_SET.format(acct=acct)} WHERE account_id = {acct};"


#: account_ledger is a projection kept by these triggers in the writer's transaction.
LEDGER_TRIGGERS: Final = (
    "CREATE TRIGGER ledger_account_insert AFTER INSERT ON account BEGIN "
    "INSERT INTO account_ledger (account_id, billed_fen, paid_fen, owed_fen) "
    f"VALUES (NEW.id, 0, 0, 0); {_refresh_keys('NEW.id')} END",
    "CREATE TRIGGER ledger_account_customer AFTER UPDATE OF customer_id ON account "
    f"BEGIN {_refresh_keys('NEW.id')} END",
    "CREATE TRIGGER ledger_customer_keys AFTER UPDATE OF name, name_pinyin, grid_unit_id "
    "ON customer WHEN OLD.name IS NOT NEW.name OR OLD.name_pinyin IS NOT NEW.name_pinyin "
    "OR OLD.grid_unit_id IS NOT NEW.grid_unit_id BEGIN UPDATE account_ledger SET "
    "sort_pinyin = NEW.name_pinyin, sort_name = NEW.name, grid_unit_id = NEW.grid_unit_id, "
    "grid_code = COALESCE((SELECT code FROM grid_unit WHERE id = NEW.grid_unit_id), '') "
    "WHERE account_id IN (SELECT id FROM account WHERE customer_id = NEW.id); END",
    "CREATE TRIGGER ledger_grid_code AFTER UPDATE OF code ON grid_unit "
    "WHEN OLD.code IS NOT NEW.code BEGIN UPDATE account_ledger SET grid_code = NEW.code "
    "WHERE account_id IN (SELECT a.id FROM customer c JOIN account a ON a.customer_id = c.id "
    "WHERE c.grid_unit_id = NEW.id); END",
    "CREATE TRIGGER ledger_bill_insert AFTER INSERT ON bill BEGIN "
    "UPDATE account_ledger SET billed_fen = billed_fen + NEW.amount_fen "
    f"WHERE account_id = NEW.account_id; {_refresh_bills('NEW.account_id')} END",
    "CREATE TRIGGER ledger_bill_update AFTER UPDATE OF amount_fen, account_id, period, "
    "due_date ON bill BEGIN UPDATE account_ledger SET billed_fen = billed_fen - OLD.amount_fen "
    f"WHERE account_id = OLD.account_id; {_refresh_bills('OLD.account_id')} "
    "UPDATE account_ledger SET billed_fen = billed_fen + NEW.amount_fen "
    f"WHERE account_id = NEW.account_id; {_refresh_bills('NEW.account_id')} END",
    "CREATE TRIGGER ledger_bill_delete AFTER DELETE ON bill BEGIN "
    "UPDATE account_ledger SET billed_fen = billed_fen - OLD.amount_fen "
    f"WHERE account_id = OLD.account_id; {_refresh_bills('OLD.account_id')} END",
    "CREATE TRIGGER ledger_payment_insert AFTER INSERT ON payment BEGIN "
    "UPDATE account_ledger SET paid_fen = paid_fen + NEW.amount_fen - NEW.penalty_fen "
    f"WHERE account_id = NEW.account_id; {_refresh('NEW.account_id')} END",
)
LEDGER_TRIGGER_NAMES: Final = (
    "ledger_account_insert",
    "ledger_account_customer",
    "ledger_customer_keys",
    "ledger_grid_code",
    "ledger_bill_insert",
    "ledger_bill_update",
    "ledger_bill_delete",
    "ledger_payment_insert",
)

#: The worklist keys of the accounts with ids in ``:first``..``:last``, computed from
#: scratch: customers, grid units and one grouped pass over the bills (no window).
KEYS_SELECT: Final = """
SELECT a.id AS account_id, c.name_pinyin AS sort_pinyin, c.name AS sort_name,
       c.grid_unit_id AS grid_unit_id, COALESCE(g.code, '') AS grid_code,
       d.last_due AS last_due, COALESCE(d.last_due_fen, 0) AS last_due_fen,
       d.prior_due AS prior_due
FROM account a JOIN customer c ON c.id = a.customer_id
LEFT JOIN grid_unit g ON g.id = c.grid_unit_id
LEFT JOIN (
    SELECT b.account_id, m.last_due,
           SUM(CASE WHEN b.due_date = m.last_due THEN b.amount_fen ELSE 0 END) AS last_due_fen,
           MAX(CASE WHEN b.due_date < m.last_due THEN b.due_date END) AS prior_due
    FROM bill b JOIN (SELECT account_id, MAX(due_date) AS last_due FROM bill
                      WHERE account_id BETWEEN :first AND :last GROUP BY account_id) m
      ON m.account_id = b.account_id
    GROUP BY b.account_id
) d ON d.account_id = a.id
WHERE a.id BETWEEN :first AND :last
"""
_KEY_COLUMNS: Final = (
    "sort_pinyin",
    "sort_name",
    "grid_unit_id",
    "grid_code",
    "last_due",
    "last_due_fen",
    "prior_due",
)
#: Fill the worklist keys of the projection rows of accounts ``:first``..``:last`` (the
#: migration for every existing row, the demo generator per batch).
KEYS_FILL: Final = (
    "UPDATE account_ledger SET "
    + ", ".join(f"{c} = k.{c}" for c in _KEY_COLUMNS)
    + f" FROM ({KEYS_SELECT}) AS k WHERE k.account_id = account_ledger.account_id"
)

# -- the worklist's stage (migration 0015) ------------------------------------------------
#
# ``stage_rank``: the rank (``StepKind.rank``) of the most severe step taken on the account
# since its oldest unpaid bill fell due, NULL for none (or nothing unpaid). The rule is
# the worklist's (``app.services.arrears.worklist``): reminders (SMS; a call only when the
# customer was reached) dated after ``oldest_unpaid_due``, and service actions not undone
# by a later restore. Kept by triggers on ``arrears_action`` (insert: the table is append-only)
# and on the projection's own ``oldest_unpaid_due``; the worklist reads it as long as no step is
# dated after its ``today`` (then it falls back to reading the actions).


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


_SMS_KINDS_SQL: Final = _quoted(k.value for k in REMINDER_KINDS if k != StepKind.PHONE_CALL)
_CUT_KINDS_SQL: Final = _quoted(k.value for k in SERVICE_ACTION_KINDS)
#: Call results that mean the customer heard the reminder (``records.REACHED_RESULTS``).
_REACHED_SQL: Final = _quoted([CallResult.PROMISED.value, CallResult.REFUSED.value])
#: ``StepKind.rank`` of an action's kind (NULL for a restore or a printed notice).
STAGE_RANK_CASE: Final = (
    "CASE {kind} " + " ".join(f"WHEN '{kind.value}' THEN {kind.rank}" for kind in StepKind) + " END"
)


def stage_counts(alias: str, due: str, last_restore: str) -> str:
    """The test that an action ``alias`` counts for the stage of an account whose oldest
    unpaid bill fell due on ``due`` and last restored on ``last_restore`` (NULL: never)."""
    return (
        f"(({alias}.kind IN ({_SMS_KINDS_SQL}) AND {alias}.taken_on > {due}) OR "
        f"({alias}.kind = '{StepKind.PHONE_CALL.value}' AND {alias}.result IN ({_REACHED_SQL}) "
        f"AND {alias}.taken_on > {due}) OR "
        f"({alias}.kind IN ({_CUT_KINDS_SQL}) AND {alias}.taken_on > COALESCE({last_restore}, '')))"
    )


#: The stage of the projection row being updated, from its actions (one indexed read).
_STAGE_OF_ROW: Final = (
    "CASE WHEN account_ledger.oldest_unpaid_due IS NULL THEN NULL ELSE "
    "(SELECT MAX(" + STAGE_RANK_CASE.format(kind="x.kind") + ") FROM arrears_action x "
    "WHERE x.account_id = account_ledger.account_id AND "
    + stage_counts(
        "x",
        "account_ledger.oldest_unpaid_due",
        "(SELECT MAX(r.taken_on) FROM arrears_action r WHERE r.account_id = x.account_id "
        f"AND r.kind = '{ActionKind.RESTORE.value}')",
    )
    + ") END"
)


def _restage(acct: str) -> str:
    return f"UPDATE account_ledger SET stage_rank = {_STAGE_OF_ROW} WHERE account_id = {acct};"


STAGE_TRIGGERS: Final = (
    "CREATE TRIGGER ledger_stage_action_insert AFTER INSERT ON arrears_action "
    f"BEGIN {_restage('NEW.account_id')} END",
    "CREATE TRIGGER ledger_stage_due AFTER UPDATE OF oldest_unpaid_due ON account_ledger "
    "WHEN OLD.oldest_unpaid_due IS NOT NEW.oldest_unpaid_due "
    f"BEGIN {_restage('NEW.account_id')} END",
)
STAGE_TRIGGER_NAMES: Final = (
    "ledger_stage_action_insert",
    "ledger_stage_due",
)

#: The stage of every account with something unpaid and a counting step, from scratch:
#: one grouped pass over the actions (``{ledger}``: a relation with ``account_id`` and
#: ``oldest_unpaid_due``).
STAGES_SELECT: Final = (
    "SELECT x.account_id AS account_id, MAX("
    + STAGE_RANK_CASE.format(kind="x.kind")
    + ") AS stage_rank FROM arrears_action x JOIN {ledger} s ON s.account_id = x.account_id "
    "LEFT JOIN (SELECT account_id, MAX(taken_on) AS last_restore FROM arrears_action "
    f"WHERE kind = '{ActionKind.RESTORE.value}' GROUP BY account_id) r "
    "ON r.account_id = x.account_id "
    "WHERE s.oldest_unpaid_due IS NOT NULL AND "
    + stage_counts("x", "s.oldest_unpaid_due", "r.last_restore")
    + " GROUP BY x.account_id"
)
#: Fill ``stage_rank`` of every projection row (migration 0015, the demo generator).
STAGE_FILL: Final = (
    "UPDATE account_ledger SET stage_rank = k.stage_rank FROM ("
    + STAGES_SELECT.format(ledger="account_ledger")
    + ") AS k WHERE k.account_id = account_ledger.account_id"
)


# -- the worklist's freeze key (migration 0018) --------------------------------------------
#
# ``freeze_until``: the latest ``expires_on`` among the account's dispute freezes (NULL for
# none). Any freeze that can be active on a day ``d`` expires on or after ``d``, so the
# accounts with ``freeze_until < d`` (or NULL) have no freeze active on ``d``: the tier
# filter computes the frozen amount only for the others. Kept by a trigger on
# ``dispute_freeze`` (insert: the table is append-only).

#: The latest expiry of the account ``{acct}``'s freezes (one indexed read).
_FREEZE_UNTIL: Final = "(SELECT MAX(expires_on) FROM dispute_freeze WHERE account_id = {acct})"
FREEZE_TRIGGERS: Final = (
    "CREATE TRIGGER ledger_freeze_insert AFTER INSERT ON dispute_freeze BEGIN "
    f"UPDATE account_ledger SET freeze_until = {_FREEZE_UNTIL.format(acct='NEW.account_id')} "
    "WHERE account_id = NEW.account_id; END",
)
FREEZE_TRIGGER_NAMES: Final = ("ledger_freeze_insert",)
#: Every account's latest freeze expiry, from scratch (one grouped pass over the freezes).
FREEZES_SELECT: Final = (
    "SELECT account_id, MAX(expires_on) AS freeze_until FROM dispute_freeze GROUP BY account_id"
)
#: Fill ``freeze_until`` of every projection row (migration 0018).
FREEZE_FILL: Final = (
    f"UPDATE account_ledger SET freeze_until = k.freeze_until FROM ({FREEZES_SELECT}) AS k "
    "WHERE k.account_id = account_ledger.account_id"
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

#: The fill of migration 0002 (the projection's columns of that time).
LEDGER_FILL: Final = (
    "INSERT INTO account_ledger (account_id, billed_fen, paid_fen, owed_fen, oldest_unpaid_due)"
    + LEDGER_SELECT
)


def ledger_drift(session: Session, limit: int = 100) -> list[int]:
    """Accounts whose projection differs from a fresh computation (empty when all agree):
    the totals, the oldest unpaid due date, the worklist keys, the stage and the latest
    freeze expiry."""
    keys = " OR ".join(f"l.{c} IS NOT k.{c}" for c in _KEY_COLUMNS)
    sql = (
        "WITH fresh(account_id, billed_fen, paid_fen, owed_fen, oldest_unpaid_due) AS ("
        + LEDGER_SELECT
        + f"), k AS ({KEYS_SELECT}), st AS ({STAGES_SELECT.format(ledger='fresh')}), "
        f"fz AS ({FREEZES_SELECT}) "
        "SELECT f.account_id FROM fresh f "
        "LEFT JOIN account_ledger l ON l.account_id = f.account_id "
        "LEFT JOIN k ON k.account_id = f.account_id "
        "LEFT JOIN st ON st.account_id = f.account_id "
        "LEFT JOIN fz ON fz.account_id = f.account_id WHERE l.account_id IS NULL "
        "OR l.stage_rank IS NOT st.stage_rank OR l.freeze_until IS NOT fz.freeze_until "
        "OR l.billed_fen != f.billed_fen OR l.paid_fen != f.paid_fen "
        "OR l.owed_fen != f.owed_fen OR l.oldest_unpaid_due IS NOT f.oldest_unpaid_due "
        f"OR {keys} LIMIT :limit"
    )
    params = {"limit": limit, "first": 0, "last": 2**62}
    return [row[0] for row in session.execute(text(sql), params)]
