"""The arrears worklist: every account with something overdue, filtered and sorted in SQL.

Counting and ordering 100,000 accounts happens in one SQL statement each over the
``account_ledger`` projection (kept by triggers, indexed on ``owed_fen`` and
``oldest_unpaid_due``); the ladder engine runs only for the rows on screen
(``worklist_rows``). The SQL is built per query and carries only what the filter and the
sort need, so the default view (all accounts, by amount owed) reads the projection alone.

SQL and engine agree on membership, amounts and days; two figures are computed the
engine's way in SQL when a filter needs them:

* tier: the ladder amount is what is overdue (owed minus the bills not yet due) minus the
  active dispute freezes, compared with the policy's thresholds, as ``ArrearsPolicy.tier_for``;
* stage: the most severe step since the oldest unpaid bill fell due, counting reminders
  (calls only when the customer was reached) after ``oldest_unpaid_due`` and service
  actions not undone by a later restore; kept as ``account_ledger.stage_rank`` by
  triggers (migration 0015, ``app.store.ledger_sql``). The engine counts reminders from
  the start of the unbroken overdue stretch instead; the two differ only when an older
  bill was paid late or a payment was reversed, and the row then shows the engine's stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.arrears import ArrearsStatus
from app.domain.arrears_policy import ArrearsPolicy, StepKind
from app.domain.errors import ValidationError
from app.i18n import N_
from app.services.arrears.records import (
    STATUS_RANK,
    chunks,
    id_list,
    load_inputs,
    masked_customer_name,
    masked_number,
)
from app.store.ledger_sql import STAGE_RANK_CASE, stage_counts
from app.store.models import ActionKind, ServiceStatus

#: The stage filter's value for accounts on which no step was taken yet.
NO_STAGE: Final = "none"
SORT_KEYS: Final = frozenset({"owed", "days", "name", "grid"})


@dataclass(frozen=True, slots=True)
class WorklistFilter:
    """``None`` means "any". ``stage`` is a ``StepKind`` value or ``"none"`` (no step yet);
    ``min_days``/``max_days`` bound the days overdue, both inclusive."""

    tier: str | None = None
    stage: str | None = None
    grid_unit_id: int | None = None
    min_days: int | None = None
    max_days: int | None = None


@dataclass(frozen=True, slots=True)
class WorklistSort:
    """``key``: ``owed`` (amount owed), ``days`` (days overdue), ``name`` (by pinyin) or
    ``grid`` (grid unit code, then amount owed); ties go by account id."""

    key: str = "owed"
    descending: bool = True


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One visible row, computed by the engine. Personal data is masked.

    ``services``: masked service numbers, comma-separated (language-neutral).
    ``stage``: the most severe step taken (``StepKind`` value) or ``"none"``;
    ``next_step``: ``StepKind`` value or None; ``service_status``: the most severe status
    among the account's services (``ServiceStatus`` value), which also shows cuts made
    before HallDesk recorded them. ``promised_on``: an open promise to pay by that day.
    """

    account_id: int
    account_no: str
    customer_id: int
    customer_name_masked: str
    services: str
    owed_fen: int
    days_overdue: int
    tier: str | None
    stage: str
    next_step: str | None
    next_due: date | None
    restore_pending: bool
    overdue_fen: int = 0
    frozen_fen: int = 0
    penalty_fen: int = 0
    service_status: str = ServiceStatus.NORMAL.value
    promised_on: date | None = None
    grid_unit: str = ""


def check_filter(filter: WorklistFilter, sort: WorklistSort | None = None) -> None:
    """Refuse a filter or sort the SQL could not express (``ValidationError``)."""
    if filter.stage is not None and filter.stage != NO_STAGE:
        try:
            StepKind(filter.stage)
        except ValueError:
            raise ValidationError(
                "stage", N_("Unknown arrears stage {stage}."), stage=filter.stage
            ) from None
    for name, value in (("min_days", filter.min_days), ("max_days", filter.max_days)):
        if value is not None and value < 0:
            raise ValidationError(name, N_("Days overdue cannot be negative."))
    if (
        filter.min_days is not None
        and filter.max_days is not None
        and filter.min_days > filter.max_days
    ):
        raise ValidationError(
            "max_days", N_("The overdue range is empty: the minimum is above the maximum.")
        )
    if sort is not None and sort.key not in SORT_KEYS:
        raise ValidationError("sort", N_("The worklist cannot be sorted by {key}."), key=sort.key)


#: What the bills not yet due on ``:today`` amount to, from the projection's due-date keys
#: (``app.store.ledger_sql``): nothing when the last due date has passed, the last due
#: date's bills when the one before it has passed, and only otherwise (two due dates still
#: ahead: rare) the sum over the account's bills.
_NOT_DUE_SQL: Final = (
    "(CASE WHEN l.last_due IS NULL OR l.last_due < :today THEN 0 "
    "WHEN l.prior_due IS NULL OR l.prior_due < :today THEN l.last_due_fen "
    "ELSE COALESCE((SELECT SUM(b.amount_fen) FROM bill b "
    "WHERE b.account_id = l.account_id AND b.due_date >= :today), 0) END)"
)
#: Overdue = owed minus what the bills not yet due still account for (owed - MIN(owed,
#: not due), written so each part is evaluated once): payments settle the oldest bills
#: first, so the bills not yet due (the newest) are the last to be paid. Exact as long as
#: no bill falls due before the bill of an earlier period.
_OVERDUE_SQL: Final = f"MAX(l.owed_fen - {_NOT_DUE_SQL}, 0)"
#: The accounts with a dispute freeze active on ``:today`` (a few: one list, built once
#: per statement).
_FROZEN_IDS_SQL: Final = (
    "(SELECT account_id FROM dispute_freeze WHERE starts_on <= :today AND expires_on >= :today)"
)
#: The active dispute freezes; the sum is read only for the few accounts that have one.
_FROZEN_SQL: Final = (
    f"(CASE WHEN l.account_id IN {_FROZEN_IDS_SQL} THEN "
    "(SELECT SUM(f.amount_fen) FROM dispute_freeze f "
    "WHERE f.account_id = l.account_id AND f.starts_on <= :today "
    "AND f.expires_on >= :today) ELSE 0 END)"
)
#: The ladder amount ``ArrearsPolicy.tier_for`` reads: overdue minus the active freezes
#: (overdue - MIN(overdue, frozen)).
_LADDER_SQL: Final = f"MAX({_OVERDUE_SQL} - {_FROZEN_SQL}, 0)"
#: The accounts with a freeze that has not expired by ``:today`` (started or not): those
#: whose ``freeze_until`` (the projection's latest freeze expiry) is ``:today`` or later.
_FREEZE_LEFT_IDS_SQL: Final = "(SELECT account_id FROM dispute_freeze WHERE expires_on >= :today)"
#: No freeze can be active on ``:today`` (a column test, no probe of the freezes).
_NO_FREEZE_SQL: Final = "(l.freeze_until IS NULL OR l.freeze_until < :today)"
#: The rare rows, whose ladder amount needs ``_LADDER_SQL``: two due dates still ahead
#: (bills read) or a freeze that may be active on ``:today``.
_RARE_SQL: Final = "(l.prior_due >= :today OR l.freeze_until >= :today)"
#: An amount that is in a tier's range (``lo`` >= 1) exactly when the ladder amount is,
#: per row from the projection's columns alone: for every row but the rare ones the
#: ladder amount is ``MAX(x, 0)`` of the amount owed (last due date passed) or of the
#: amount owed before the last due date's bills (the one before it passed), and a range
#: starting at 1 or more holds ``MAX(x, 0)`` exactly when it holds ``x``.
_TIER_AMOUNT_SQL: Final = (
    f"(CASE WHEN {_RARE_SQL} THEN {_LADDER_SQL} "
    "WHEN l.last_due IS NULL OR l.last_due < :today THEN l.owed_fen "
    "ELSE l.owed_fen - l.last_due_fen END)"
)
#: The distinct last due dates of the accounts with something unpaid (a few: the hall's
#: billing days), one seek each in ``ix_worklist_tier_owed`` (a loose index scan).
_DUES_CTE: Final = (
    "WITH RECURSIVE dues(d) AS (SELECT MIN(last_due) FROM account_ledger "
    "INDEXED BY ix_worklist_tier_owed WHERE oldest_unpaid_due IS NOT NULL "
    "UNION ALL SELECT (SELECT MIN(last_due) FROM account_ledger "
    "INDEXED BY ix_worklist_tier_owed WHERE oldest_unpaid_due IS NOT NULL "
    "AND last_due > dues.d) FROM dues WHERE dues.d IS NOT NULL) "
)
#: The tier's members as four disjoint ranges (``{where}``: the other terms), each read
#: from an index in which the tier is one key range, so the count reads the rows it
#: counts and few others (migration 0018, ``app.store.ledger_sql``):
#:
#: 1. last due date passed, no freeze left: the amount owed, per last due date (``dues``)
#:    a range of ``ix_worklist_tier_owed``;
#: 2. the last due date ahead and the one before it passed, no freeze left: the amount owed
#:    before the last due date's bills, a range of ``ix_worklist_tier_before``;
#: 3. two due dates ahead (``ix_worklist_prior``; none unless the day asked is before
#:    a billing day): the ladder amount computed;
#: 4. a freeze not expired by ``:today`` (a few accounts, by id): the ladder amount
#:    computed.
#:
#: The last due dates come as an ``IN`` list, not a join: SQLite 3.40, joining ``dues``
#: to the expression index, chose a Bloom filter and returned no rows (a wrong result
#: the engine comparison in ``tests/services/arrears`` caught).
_TIER_PARTS: Final = (
    "SELECT 1 FROM account_ledger l INDEXED BY ix_worklist_tier_owed "
    "WHERE l.last_due IN (SELECT d FROM dues WHERE d < :today) AND {where} "
    f"AND l.owed_fen BETWEEN :tier_min AND :tier_max AND {_NO_FREEZE_SQL}",
    "SELECT 1 FROM account_ledger l INDEXED BY ix_worklist_tier_before "
    "WHERE l.last_due IN (SELECT d FROM dues WHERE d >= :today) AND {where} "
    "AND l.owed_fen - l.last_due_fen BETWEEN :tier_min AND :tier_max "
    f"AND (l.prior_due IS NULL OR l.prior_due < :today) AND {_NO_FREEZE_SQL}",
    "SELECT 1 FROM account_ledger l INDEXED BY ix_worklist_prior WHERE {where} "
    f"AND l.prior_due >= :today AND {_LADDER_SQL} BETWEEN :tier_min AND :tier_max",
    # NOT INDEXED: by id (the integer primary key), whatever the statistics say.
    "SELECT 1 FROM account_ledger l NOT INDEXED "
    f"WHERE l.account_id IN {_FREEZE_LEFT_IDS_SQL} AND l.freeze_until >= :today "
    "AND {where} AND (l.prior_due IS NULL OR l.prior_due < :today) "
    f"AND {_LADDER_SQL} BETWEEN :tier_min AND :tier_max",
)
#: The stage of every member that has one, reading the actions table once, grouped by
#: account: the rule of the projection's ``stage_rank`` (``app.store.ledger_sql``) with
#: only the steps taken by ``:today``. Read only when a step is dated after ``:today``
#: (a query for a past day); otherwise the stored key gives the same answer.
_STAGES_SQL: Final = (
    f"SELECT x.account_id AS account_id, MAX({STAGE_RANK_CASE.format(kind='x.kind')}) "
    "AS stage_rank FROM arrears_action x JOIN account_ledger s ON s.account_id = x.account_id "
    "WHERE x.taken_on <= :today AND s.oldest_unpaid_due < :today AND "
    + stage_counts(
        "x",
        "s.oldest_unpaid_due",
        "(SELECT MAX(r.taken_on) FROM arrears_action r WHERE r.account_id = x.account_id "
        f"AND r.kind = '{ActionKind.RESTORE.value}' AND r.taken_on <= :today)",
    )
    + " GROUP BY x.account_id"
)
#: Whether a step is dated after ``:today`` (one probe of ``ix_arrears_action_taken_on``;
#: SQLite evaluates it once per statement).
_FUTURE_STEP_SQL: Final = "EXISTS (SELECT 1 FROM arrears_action WHERE taken_on > :today)"


#: The order of each sort key (``{d}``: the direction asked for, ``{r}``: its reverse), each
#: served by an ``ix_worklist_*`` index of the projection (the grid's second key, the
#: amount owed, always descends: SQLite sorts only within a grid unit).
_ORDERS: Final = {
    "owed": "l.owed_fen {d}, l.account_id {d}",
    "days": "l.oldest_unpaid_due {r}, l.account_id {r}",  # more days = an earlier due date
    "name": "l.sort_pinyin {d}, l.sort_name {d}, l.account_id {d}",
    "grid": "l.grid_code {d}, l.owed_fen DESC, l.account_id {d}",
}


#: The partial index that holds each sort's order (``ix_worklist_*``, see the models).
_SORT_INDEXES: Final = {
    "owed": "ix_worklist_owed",
    "days": "ix_worklist_due",
    "name": "ix_worklist_name",
    "grid": "ix_worklist_grid",
}


def tier_range(policy: ArrearsPolicy, code: str) -> tuple[int, int | None] | None:
    """The ladder amounts (``lo``..``hi``, ``hi`` None for no limit) whose tier
    (``ArrearsPolicy.tier_for``) is ``code``; None if no amount has that tier."""
    tier = next((t for t in policy.tiers if t.code == code), None)
    if tier is None:
        return None
    low = max(1, tier.min_fen)
    if policy.tier_for(low) is not tier:
        return None  # another tier of the same threshold wins
    above = [t.min_fen for t in policy.tiers if t.min_fen > low]
    return low, (min(above) - 1 if above else None)


class WorklistQuery:
    """The SQL of one worklist query, built from what the filter and the sort need.

    One statement over ``account_ledger`` alone: membership is ``oldest_unpaid_due <
    today``; the overdue range, the grid unit and the tier are tests on the projection's
    columns (the tier's ladder amount from the due-date keys, without reading the bills;
    ``_TIER_AMOUNT_SQL``); the stage is the projection's ``stage_rank`` (the actions table
    is read, grouped by account, only when a step is dated after ``today``). The ids walk
    one partial ``ix_worklist_*`` index (the accounts with something unpaid, carrying every
    column a filter reads) in the sort's order: no table read and no sort. The count of a
    tier reads the tier's index ranges instead (``_TIER_PARTS``): its cost follows the
    accounts in the tier, not every account in arrears.
    """

    def __init__(
        self,
        policy: ArrearsPolicy,
        today: date,
        filter: WorklistFilter,
        sort: WorklistSort | None,
    ) -> None:
        check_filter(filter, sort)
        self.params: dict[str, Any] = {"today": today.isoformat()}
        terms = ["l.oldest_unpaid_due IS NOT NULL", "l.oldest_unpaid_due < :today"]
        if filter.min_days is not None:
            terms.append("l.oldest_unpaid_due <= :latest_due")
            self.params["latest_due"] = (today - timedelta(days=filter.min_days)).isoformat()
        if filter.max_days is not None:
            terms.append("l.oldest_unpaid_due >= :earliest_due")
            self.params["earliest_due"] = (today - timedelta(days=filter.max_days)).isoformat()
        if filter.grid_unit_id is not None:
            terms.append("l.grid_unit_id = :grid")
            self.params["grid"] = int(filter.grid_unit_id)
        tier: str | None = None
        if filter.tier is not None:
            amounts = tier_range(policy, filter.tier)
            if amounts is None:
                terms.append("0")
            else:
                low, high = amounts
                # The ladder amount never exceeds what is owed: a cheap test first; BETWEEN
                # evaluates the amount once.
                tier = (
                    f"l.owed_fen >= :tier_min AND {_TIER_AMOUNT_SQL} "
                    "BETWEEN :tier_min AND :tier_max"
                )
                self.params["tier_min"] = low
                self.params["tier_max"] = high if high is not None else 2**62
        if filter.stage == NO_STAGE:
            terms.append(
                f"(CASE WHEN {_FUTURE_STEP_SQL} THEN +l.account_id NOT IN "
                f"(SELECT account_id FROM ({_STAGES_SQL})) ELSE l.stage_rank IS NULL END)"
            )
        elif filter.stage is not None:
            terms.append(
                f"(CASE WHEN {_FUTURE_STEP_SQL} THEN +l.account_id IN "
                f"(SELECT account_id FROM ({_STAGES_SQL}) WHERE stage_rank = :stage_rank) "
                "ELSE l.stage_rank = :stage_rank END)"
            )
            self.params["stage_rank"] = StepKind(filter.stage).rank
        self._others = " AND ".join(terms)
        self._where = self._others if tier is None else f"{self._others} AND {tier}"
        # The count of a tier reads its index ranges (``_TIER_PARTS``), unless one grid
        # unit is asked for (its index is the more selective one).
        self._tier_ranges = tier is not None and filter.grid_unit_id is None
        self._sort = sort
        # The sort's own index, walked in order, unless one grid unit is asked for (its
        # index is the selective one). Left to itself the planner prefers the overdue
        # range's index and sorts ~73,000 rows after reading the table for the key: 1.6 s
        # sorted by grid, and 150-860 ms for the first 100 sorted by name (with ``LIMIT``
        # it stopped choosing the name index it walks for the whole list in 37 ms).
        self._indexed = (
            f"INDEXED BY {_SORT_INDEXES[sort.key]} "
            if sort is not None and filter.grid_unit_id is None
            else ""
        )

    def count_sql(self) -> str:
        if self._tier_ranges:
            parts = " UNION ALL ".join(p.format(where=self._others) for p in _TIER_PARTS)
            return f"{_DUES_CTE}SELECT COUNT(*) FROM ({parts})"
        return f"SELECT COUNT(*) FROM account_ledger l WHERE {self._where}"

    def ids_sql(self) -> str:
        sort = self._sort or WorklistSort()
        direction, reverse = ("DESC", "ASC") if sort.descending else ("ASC", "DESC")
        order = _ORDERS[sort.key].format(d=direction, r=reverse)
        return (
            f"SELECT l.account_id FROM account_ledger l {self._indexed}"
            f"WHERE {self._where} ORDER BY {order}"
        )


def _fetch_column(session: Session, sql: str, params: dict[str, Any]) -> list[Any]:
    """The first column of every row, through the driver's cursor: for 100,000 ids this
    saves the ~50 ms SQLAlchemy's result layer would spend on them."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()


def worklist_count(
    session: Session, policy: ArrearsPolicy, today: date, filter: WorklistFilter
) -> int:
    query = WorklistQuery(policy, today, filter, None)
    return int(_fetch_column(session, query.count_sql(), query.params)[0])


def worklist_ids(
    session: Session,
    policy: ArrearsPolicy,
    today: date,
    filter: WorklistFilter,
    sort: WorklistSort,
    limit: int | None = None,
) -> list[int]:
    query = WorklistQuery(policy, today, filter, sort)
    sql = query.ids_sql() + (f" LIMIT {int(limit)}" if limit is not None else "")
    return _fetch_column(session, sql, query.params)


_ROWS_SQL: Final = (
    "SELECT a.id, a.number, c.id, c.name, c.kind, COALESCE(g.name, '') FROM account a "
    "JOIN customer c ON c.id = a.customer_id LEFT JOIN grid_unit g ON g.id = c.grid_unit_id "
    "WHERE a.id IN ({ids})"
)


def worklist_rows(
    session: Session,
    policy: ArrearsPolicy,
    today: date,
    timezone: str,
    account_ids: Sequence[int],
) -> list[WorklistRow]:
    """Rows for ``account_ids`` in the order given; accounts with nothing overdue any more
    (paid since the ids were fetched) are left out."""
    inputs = load_inputs(session, account_ids, timezone)
    heads: dict[int, tuple[Any, ...]] = {}
    services: dict[int, list[tuple[str, str]]] = {}
    pending: set[int] = set()
    for chunk in chunks(list(inputs)):
        ids = id_list(chunk)
        for row in session.execute(text(_ROWS_SQL.format(ids=ids))):
            heads[row[0]] = tuple(row)
        for account_id, number, status in session.execute(
            text(
                "SELECT account_id, number, status FROM service "
                f"WHERE account_id IN ({ids}) ORDER BY account_id, kind, number"
            )
        ):
            services.setdefault(account_id, []).append((number, status))
        pending.update(
            session.execute(
                text(
                    "SELECT DISTINCT account_id FROM restore_request "
                    f"WHERE account_id IN ({ids}) AND done_at IS NULL"
                )
            ).scalars()
        )
    rows: list[WorklistRow] = []
    for account_id in account_ids:
        head = heads.get(account_id)
        if head is None:
            continue
        account_inputs = inputs[account_id]
        status = account_inputs.evaluate(policy, today)
        if status.overdue_fen <= 0:
            continue
        lines = services.get(account_id, [])
        rows.append(
            _row(
                head,
                status,
                lines,
                restore_pending=account_id in pending,
                promised_on=account_inputs.promised_on(status),
            )
        )
    return rows


def _row(
    head: tuple[Any, ...],
    status: ArrearsStatus,
    lines: list[tuple[str, str]],
    *,
    restore_pending: bool,
    promised_on: date | None,
) -> WorklistRow:
    account_id, account_no, customer_id, name, kind, grid = head
    worst = max(
        (s for _n, s in lines), key=lambda s: STATUS_RANK.get(ServiceStatus(s), 0), default=None
    )
    return WorklistRow(
        account_id=account_id,
        account_no=account_no,
        customer_id=customer_id,
        customer_name_masked=masked_customer_name(name, kind),
        services=", ".join(masked_number(n) for n, _s in lines),
        owed_fen=status.owed_fen,
        days_overdue=status.days_overdue,
        tier=status.tier.code if status.tier else None,
        stage=status.current_stage.value if status.current_stage else NO_STAGE,
        next_step=status.next_step.kind.value if status.next_step else None,
        next_due=status.next_due,
        restore_pending=restore_pending,
        overdue_fen=status.overdue_fen,
        frozen_fen=status.frozen_fen,
        penalty_fen=status.penalty_fen,
        service_status=str(worst or ServiceStatus.NORMAL),
        promised_on=promised_on,
        grid_unit=grid,
    )
