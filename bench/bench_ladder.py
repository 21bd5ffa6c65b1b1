"""Ladder evaluation for every account in arrears, reading the records included.

Usage: python -m bench.bench_ladder --db PATH [--today 2026-11-28] [--limit N] [--rounds 3]

Budget (issue 17): at least 20,000 accounts/s over every account in arrears at a million
customers. The figure is one ``ArrearsService.statuses`` call with every account in
arrears, as a report calls it: policy, hall and business date read once, the accounts
read and evaluated 1,000 at a time, the chunks shared between worker processes and the
calling thread (``app.services.arrears.parallel``: one worker per core but the caller's).
The workers are started by a first call before the rounds (their start is printed apart:
a program starts them once). Also printed: the same on one process (``workers=0``).

The floor is the same statements (``bulk.LADDER_READS``) run in raw sqlite3 on one
connection, rows fetched and dropped: what SQLite must do on one core whatever the code
above it. Also measured in the same run: the engine alone on the ledgers in memory, and
the per-account path the bulk path replaced (``load_inputs`` + ``EngineInputs.evaluate``),
as a before/after. Rounds alternate the floor and the figures (so all see the same load),
after a first pass over the one-process figure and the floor with the cache as found;
the best round of each is printed (the machine is shared: the best is the least
disturbed), with the median in brackets; the ratio is per round.

The store must be at the schema head (``halldesk db upgrade`` on a copy first).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from app.services.arrears import ArrearsService, parallel
from app.services.arrears.bulk import LADDER_READS
from app.services.arrears.records import chunks, id_list, load_inputs
from app.services.hall import HallService
from app.store.database import SCHEMA_HEAD, current_revision, open_store, sqlite_url

BUDGET_PER_S = 20_000
CHUNK = 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 28))
    parser.add_argument("--limit", type=int, default=0, help="only the first N accounts")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    store = open_store(sqlite_url(args.db), migrate=False)
    revision = current_revision(store.engine)
    if revision != SCHEMA_HEAD:
        raise SystemExit(f"{args.db} is at schema {revision}, not {SCHEMA_HEAD}: migrate it first")
    timezone = HallService(store).info().timezone
    noon = datetime.combine(args.today, clock_time(12), ZoneInfo(timezone)).astimezone(UTC)
    service = ArrearsService(store, lambda: noon)
    raw = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    raw.execute("PRAGMA cache_size=-16384")  # as the store's own connections
    ids = [
        row[0]
        for row in raw.execute(
            "SELECT account_id FROM account_ledger WHERE oldest_unpaid_due < ? ORDER BY account_id",
            (args.today.isoformat(),),
        )
    ]
    if args.limit:
        ids = ids[: args.limit]
    groups = [list(chunk) for chunk in chunks(ids, CHUNK)]

    def floor(group: list[int]) -> None:
        listed = id_list(group)
        for sql in LADDER_READS:
            raw.execute(sql.format(ids=listed, today=args.today.isoformat())).fetchall()

    def one_process() -> float:
        return sum(_seconds(lambda g=group: service.statuses(g, workers=0)) for group in groups)

    def floor_pass() -> float:
        return sum(_seconds(lambda g=group: floor(g)) for group in groups)

    def shared() -> float:
        return _seconds(lambda: service.statuses(ids))

    print(f"store: {args.db}, business date {args.today}, {len(ids):,} accounts in arrears")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    cold_one, cold_floor = one_process(), floor_pass()
    print(
        f"first pass (cache as found): one process {len(ids) / cold_one:,.0f}/s, "
        f"floor {len(ids) / cold_floor:,.0f}/s"
    )
    started = shared()
    print(
        f"first shared call (starts {parallel.worker_count()} worker process(es)): "
        f"{started:.2f} s, {len(ids) / started:,.0f}/s"
    )
    rounds = [(floor_pass(), shared(), one_process()) for _ in range(args.rounds)]
    floors = [f for f, _, _ in rounds]
    figures = [f for _, f, _ in rounds]
    singles = [f for _, _, f in rounds]

    def rate(seconds: float) -> str:
        return f"{len(ids) / seconds:,.0f}"

    best = min(figures)
    print(
        f"ladder evaluation, reads included, one call ({parallel.worker_count()} worker(s) "
        f"+ the caller): {rate(best)} accounts/s [median {rate(statistics.median(figures))}]"
        f"  budget {BUDGET_PER_S:,}/s {'OK' if len(ids) / best >= BUDGET_PER_S else 'MISSED'}"
    )
    print(
        f"the same on one process (1,000 per call): {rate(min(singles))} accounts/s "
        f"[median {rate(statistics.median(singles))}]"
    )
    ratios = [figure / floor_s for floor_s, figure, _ in rounds]
    print(
        f"floor (the same reads, raw sqlite3, one connection): {rate(min(floors))} accounts/s "
        f"[median {rate(statistics.median(floors))}]  ratio {min(ratios):.2f}x "
        f"[median {statistics.median(ratios):.2f}x]"
    )
    sample = groups[: max(1, 20_000 // CHUNK)]
    sample_count = sum(len(g) for g in sample)
    policy = service.current_policy()[1]
    with store.read() as session:
        inputs = [load_inputs(session, group, timezone) for group in sample]

    def engine() -> None:
        for group_inputs in inputs:
            for account_inputs in group_inputs.values():
                account_inputs.evaluate(policy, args.today)

    def before() -> None:
        with store.read() as session:
            for group in sample:
                for account_inputs in load_inputs(session, group, timezone).values():
                    account_inputs.evaluate(policy, args.today)

    engine_s = min(_seconds(engine) for _ in range(args.rounds))
    before_s = min(_seconds(before) for _ in range(args.rounds))
    print(f"engine alone (inputs in memory, {sample_count:,}): {sample_count / engine_s:,.0f}/s")
    print(f"per-account path (load_inputs + evaluate, {sample_count:,}): "
          f"{sample_count / before_s:,.0f}/s")  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    parallel.shutdown()
    raw.close()
    store.close()


def _seconds(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
