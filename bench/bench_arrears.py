"""Arrears worklist open time and ladder evaluation throughput on a big store.

Usage: python -m bench.bench_arrears --db /tmp/lk1m.sqlite3 [--today 2026-11-28]
       [--samples 20] [--eval-limit N]

1. Worklist open, as the arrears tab does it: ``worklist_count`` + ``worklist_ids`` (all
   accounts in arrears, sorted by amount owed in SQL) + ``worklist_rows`` for the first 50
   (the ladder engine runs for those only). Budget: 300 ms at ~100,000 accounts in arrears.
   The floor is the same ids statement in raw sqlite3 (same page cache size); the ratio is
   what the service layer costs on top of it.
2. The other sorts and filters (every tier with every sort), budget 100 ms (issue 17),
   each twice against its raw-sqlite3 floor measured in the same run: (a) the first page
   the clerk waits for (ids ``LIMIT 100`` and their rows; the floor reads the rows' heads
   without the ladder engine), (b) the count and all ids, which the worklist model
   fetches in the background.
3. Ladder evaluation of every account in arrears (``--eval-scope all``: every account of
   the store): one ``statuses`` call, as a report makes it (bulk reads per 1,000 accounts,
   the chunks shared with worker processes, their start included: ``bench_ladder``
   measures it in detail beside its floor); total time and accounts/s, and the engine
   alone on inputs already in memory.

The store must be at the schema head: open it once with the program (or ``halldesk db
upgrade``) first; this script does not migrate a 4 GB file behind your back.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from app.domain.arrears_policy import StepKind, default_policy
from app.services.arrears import ArrearsService, WorklistFilter, WorklistSort, parallel
from app.services.arrears.records import load_inputs
from app.services.arrears.worklist import _ROWS_SQL, NO_STAGE, WorklistQuery
from app.services.hall import HallService
from app.store.database import SCHEMA_HEAD, Store, current_revision, open_store, sqlite_url
from bench.common import percentile, report, time_each

OPEN_BUDGET_MS = 300.0
#: Issue 17: every filter and sort at a million customers.
VARIANT_BUDGET_MS = 100.0
PAGE = 50
#: The worklist model's first page (``ui/worklist_model.py``).
FIRST_PAGE = 100
CHUNK = 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--eval-limit", type=int, default=0, help="evaluate only N accounts")
    parser.add_argument(
        "--eval-scope",
        choices=("arrears", "all"),
        default="arrears",
        help="evaluate the accounts in arrears (default) or every account of the store",
    )
    args = parser.parse_args()

    store = open_store(sqlite_url(args.db), migrate=False)
    revision = current_revision(store.engine)
    if revision != SCHEMA_HEAD:
        raise SystemExit(f"{args.db} is at schema {revision}, not {SCHEMA_HEAD}: migrate it first")
    tz = ZoneInfo(HallService(store).info().timezone)
    today = args.today or datetime.now(tz).date()
    noon = datetime.combine(today, clock_time(12), tz).astimezone(UTC)
    service = ArrearsService(store, lambda: noon)
    everyone = WorklistFilter()
    by_owed = WorklistSort("owed", True)
    by_name = WorklistSort("name", False)

    raw = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    raw.execute("PRAGMA cache_size=-16384")  # as the store's own connections
    customers = raw.execute("SELECT count(*) FROM customer").fetchone()[0]
    floor_query = WorklistQuery(default_policy(), today, everyone, by_owed)

    def open_worklist(_: int) -> None:
        service.worklist_count(everyone)
        ids = service.worklist_ids(everyone, by_owed)
        service.worklist_rows(ids[:PAGE])

    def floor(_: int) -> None:
        raw.execute(floor_query.ids_sql(), floor_query.params).fetchall()

    in_arrears = service.worklist_count(everyone)
    print(f"store: {args.db} ({customers:,} customers), business date {today}")
    print(f"accounts in arrears: {in_arrears:,}; {args.samples} samples each")
    runs = list(range(args.samples))
    for _ in range(3):  # warm the page cache for both sides alike
        open_worklist(0)
        floor(0)
    floor_ms = time_each(floor, runs)
    print(report("worklist open (count+ids+50 rows)", time_each(open_worklist, runs),
                 OPEN_BUDGET_MS, floor_ms))  # fmt: skip
    print(report("  count", time_each(lambda _: service.worklist_count(everyone), runs), None))
    ids = service.worklist_ids(everyone, by_owed)
    print(report("  ids (by owed)", time_each(lambda _: service.worklist_ids(everyone, by_owed),
                                               runs), None, floor_ms))  # fmt: skip
    print(report("  rows (first 50)", time_each(lambda _: service.worklist_rows(ids[:PAGE]),
                                                 runs), None))  # fmt: skip
    print(report("  rows (a page deep in the list)",
                 time_each(lambda n: service.worklist_rows(ids[n * 997 % len(ids):][:PAGE]),
                           runs), None))  # fmt: skip

    grid = raw.execute(
        "SELECT grid_unit_id FROM account_ledger WHERE oldest_unpaid_due < ? "
        "AND grid_unit_id IS NOT NULL GROUP BY grid_unit_id ORDER BY count(*) DESC LIMIT 1",
        (today.isoformat(),),
    ).fetchone()[0]
    variants: list[tuple[str, WorklistFilter, WorklistSort]] = [
        ("sort: days overdue", everyone, WorklistSort("days", True)),
        ("sort: name (pinyin)", everyone, WorklistSort("name", False)),
        ("sort: grid unit", everyone, WorklistSort("grid", False)),
        ("filter: 31-90 days", WorklistFilter(min_days=31, max_days=90), by_owed),
        *(
            (f"filter: stage {stage}", WorklistFilter(stage=stage), by_owed)
            for stage in [NO_STAGE, *(k.value for k in StepKind)]
        ),
        ("filter: stage suspend, by name", WorklistFilter(stage="suspend"), by_name),
        (f"filter: grid unit {grid}", WorklistFilter(grid_unit_id=grid), by_owed),
        # every tier with every sort (the count reads the tier's index ranges, migration
        # 0018; the ids walk the sort's index)
        *(
            (
                f"filter: tier {tier}" + ("" if key == "owed" else f", by {key}"),
                WorklistFilter(tier=tier),
                WorklistSort(key, key in ("owed", "days")),
            )
            for tier in ("large", "small")
            for key in ("owed", "days", "name", "grid")
        ),
    ]
    policy = service.current_policy()[1]
    few = runs[: max(3, args.samples // 2)]
    print(f"filters and sorts, budget {VARIANT_BUDGET_MS:g} ms each; floors: the same statements")
    print(f"in raw sqlite3 in this run. (a) first page: ids LIMIT {FIRST_PAGE} + their rows (what")
    print("the clerk waits for; the rows run the ladder engine, the floor reads the rows' heads")
    print("only); (b) count + all ids (the model's background fetch)")
    for name, filter, sort in variants:
        sql = WorklistQuery(policy, today, filter, sort)

        def first_page(_: int, f: WorklistFilter = filter, s: WorklistSort = sort) -> None:
            service.worklist_rows(service.worklist_ids(f, s, FIRST_PAGE))

        def raw_first_page(_: int, q: WorklistQuery = sql) -> None:
            page = raw.execute(f"{q.ids_sql()} LIMIT {FIRST_PAGE}", q.params).fetchall()
            ids = ", ".join(str(row[0]) for row in page) or "NULL"
            raw.execute(_ROWS_SQL.format(ids=ids)).fetchall()

        def query(_: int, f: WorklistFilter = filter, s: WorklistSort = sort) -> None:
            service.worklist_count(f)
            service.worklist_ids(f, s)

        def raw_query(_: int, q: WorklistQuery = sql) -> None:
            raw.execute(q.count_sql(), q.params).fetchall()
            raw.execute(q.ids_sql(), q.params).fetchall()

        for warm in (first_page, raw_first_page, query, raw_query):
            warm(0)
        found = service.worklist_count(filter)
        print(report(f"{name} [{found:,}] (a)", time_each(first_page, few),
                     VARIANT_BUDGET_MS, time_each(raw_first_page, few)))  # fmt: skip
        print(report(f"{name} (b)", time_each(query, few), VARIANT_BUDGET_MS,
                     time_each(raw_query, few)))  # fmt: skip

    if args.eval_scope == "all":
        ids = [row[0] for row in raw.execute("SELECT id FROM account ORDER BY id")]
    evaluate_all(store, service, ids[: args.eval_limit] if args.eval_limit else ids, today)
    raw.close()
    store.close()


def evaluate_all(store: Store, service: ArrearsService, ids: list[int], today: date) -> None:
    """Every account's status in one call (workers started by it); then the engine alone."""
    started = time.perf_counter()
    evaluated = len(service.statuses(ids))
    parallel.shutdown()
    total = time.perf_counter() - started
    print(
        f"{'ladder evaluation':<34} {evaluated:,} accounts in {total:.2f} s  "
        f"{evaluated / total:,.0f} accounts/s  ({total / evaluated * 1e6:.0f} µs/account, "
        "bulk reads included)"
    )
    policy = service.current_policy()[1]
    timezone = HallService(store).info().timezone
    with store.read() as session:
        inputs = load_inputs(session, ids[: 20 * CHUNK], timezone)
    marks = [time.perf_counter()]
    for account_inputs in inputs.values():
        account_inputs.evaluate(policy, today)
        marks.append(time.perf_counter())
    engine = marks[-1] - marks[0]
    each = [(b - a) * 1e6 for a, b in pairwise(marks)]
    print(
        f"{'  engine only (inputs in memory)':<34} {len(inputs):,} accounts in {engine:.2f} s  "
        f"{len(inputs) / engine:,.0f} accounts/s  p50 {percentile(each, 50):.0f} µs  "
        f"p95 {percentile(each, 95):.0f} µs"
    )


if __name__ == "__main__":
    main()
