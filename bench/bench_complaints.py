"""The complaints worklist at 200,000 complaints: first page, sort by time left, each
filter; against a raw-sqlite floor.

Usage: python -m bench.bench_complaints [--db /tmp/complaints200k.sqlite3]
       [--complaints 200000] [--samples 15]

Without an existing ``--db`` the script makes one: a 2,000-customer demo store, then the
demo complaint generator (``app.demo.complaints``) adds ``--complaints`` more (about 1.3 s
per 10,000). Then, for each query the tab makes:

* **open**, as the tab does it: ``worklist_ids`` (every open complaint, sorted by time left
  in SQL; the tab's count is the length of that list) + ``worklist_rows`` for the first
  page of 100 (events replayed and the clock read for those only). Budget 300 ms, as the
  arrears worklist.
* each filter (status, category, department, staff; the status filter stays at "open"
  unless named) and the other sort (received, newest first): ids, as the tab asks.
* ``worklist_count`` of the default filter (for callers other than the tab).

The floor is the same ``SELECT complaint_id … ORDER BY`` on a raw ``sqlite3`` connection;
the ratio is what the service layer adds.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from app.demo.complaints import insert_complaints
from app.demo.generator import generate
from app.services.complaints import ComplaintService, WorklistFilter, WorklistSort
from app.services.complaints.worklist import worklist_sql
from app.store.database import open_store, sqlite_url
from bench.common import report, time_each

BUDGET_MS = 300.0
PAGE = 100
TODAY = date(2026, 11, 15)
NOW = datetime(2026, 11, 15, 2, tzinfo=UTC)


def build(path: Path, complaints: int) -> None:
    started = time.perf_counter()
    generate(path, customers=2000, seed=11, today=TODAY)
    con = sqlite3.connect(path, isolation_level=None)
    start = con.execute("SELECT last_no FROM complaint_sequence").fetchone()[0]
    con.execute("BEGIN")
    written = insert_complaints(con, 12, TODAY, 2000, complaints, start=start)
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
    print(f"built {written:,} complaints in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "complaints.sqlite3"
    if not path.exists():
        build(path, args.complaints)
    store = open_store(sqlite_url(path))
    service = ComplaintService(store, lambda: NOW)
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    raw.execute("PRAGMA cache_size=-16384")
    total = raw.execute("SELECT COUNT(*) FROM complaint_state").fetchone()[0]
    open_count = raw.execute("SELECT COUNT(*) FROM complaint_state WHERE archived = 0").fetchone()
    print(f"{total:,} complaints, {open_count[0]:,} open")
    runs = range(args.samples)

    def floor_of(filter: WorklistFilter, sort: WorklistSort) -> list[float]:
        clause, params = worklist_sql(filter, sort)
        order = params.pop("_order")
        sql = f"SELECT complaint_id FROM complaint_state {clause}ORDER BY {order}"
        return time_each(lambda _n: raw.execute(sql, params).fetchall(), runs)

    default, by_time = WorklistFilter(), WorklistSort()

    def open_worklist(_n: int) -> None:
        ids = service.worklist_ids(default, by_time)
        service.worklist_rows(ids[:PAGE])

    print(report("open (ids + first page)", time_each(open_worklist, runs), BUDGET_MS,
                 floor_of(default, by_time)))  # fmt: skip
    cases = {
        "all statuses, by time left": (WorklistFilter(status=None), by_time),
        "status forwarded": (WorklistFilter(status="forwarded"), by_time),
        "status archived": (WorklistFilter(status="archived"), by_time),
        "category network": (WorklistFilter(category="network"), by_time),
        "department technical": (WorklistFilter(department="technical"), by_time),
        "staff 3": (WorklistFilter(staff_id=3), by_time),
        "open, newest received first": (default, WorklistSort("received", True)),
        "all, newest received first": (WorklistFilter(status=None), WorklistSort("received", True)),
    }
    for name, (filter, sort) in cases.items():

        def query(_n: int, f: WorklistFilter = filter, s: WorklistSort = sort) -> None:
            service.worklist_ids(f, s)

        print(report(name, time_each(query, runs), BUDGET_MS, floor_of(filter, sort)))
    counts = time_each(lambda _n: service.worklist_count(default), runs)
    print(report("count of open complaints", counts, BUDGET_MS))
    ids = service.worklist_ids(WorklistFilter(status=None), by_time)
    pages = [ids[i : i + PAGE] for i in range(0, min(len(ids), PAGE * args.samples), PAGE)]
    print(report("one page of rows (100)", time_each(service.worklist_rows, pages), 100.0))
    store.close()


if __name__ == "__main__":
    main()
