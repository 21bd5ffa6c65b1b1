"""Sync benchmark: push 10,000 operations, pull 100,000 changed rows (local PostgreSQL).

    python -m bench.bench_sync --pg postgresql://postgres@127.0.0.1:54329/postgres

A scratch database is created on that server (and dropped at the end), loaded with a small
demo hall; one hall PC is enrolled through the in-process transport (the same JSON round
trip as HTTP, without the socket). Figures:

- push: 5,000 payments with one allocation each = 10,000 outbox operations, sent in
  batches of ``PUSH_BATCH`` (each one PostgreSQL transaction, set-based); floor: the same
  10,000 rows bulk-inserted into a bare jsonb table (``executemany``, 200 a statement).
- pull: 100,000 customers changed at the centre, pulled in pages of ``PULL_PAGE`` (each
  page and its cursor move one SQLite transaction); floor: the very same rows
  bulk-inserted into a copy of the demo hall's ``customer`` table in one ``executemany``
  (one transaction, foreign keys not checked).
- bills: 10,000 new bills pulled, so the ``account_ledger`` triggers run per row.

Peak memory is the process's peak RSS after each phase (``ru_maxrss``): it must not grow
with the number of rows beyond the page size. ``--profile DIR`` writes cProfiles of the push
and the pull (``push.prof``, ``pull.prof``); ``--keep`` keeps the scratch database.
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

BUDGET_S = 10.0


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_customer(template: dict[str, Any], i: int) -> dict[str, Any]:
    """The i-th changed customer (the floor inserts the very same rows)."""
    cid = 1_000_000 + i
    return {
        **template,
        "id": cid,
        "id_number": f"B{cid:017d}",
        "id_number_rev": f"B{cid:017d}"[::-1],
        "contact_phone": f"139{cid:08d}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True, help="a PostgreSQL URL (a scratch DB is made)")
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bills", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--profile", type=Path, help="write cProfiles of push and pull to this directory"
    )
    args = parser.parse_args(argv)

    from sqlalchemy import create_engine, select
    from sqlalchemy.engine import make_url

    from app.centre.local import LocalTransport
    from app.centre.service import Centre, centre_engine, migrate, pg_url
    from app.demo.generator import generate
    from app.domain.ids import uuid7
    from app.store import sync_registry
    from app.store.database import open_store, sqlite_url
    from app.store.models import DeviceInfo, Payment, PaymentAllocation
    from app.sync.client import HallSync, SyncReport

    base = make_url(pg_url(args.pg))
    name = f"bench_sync_{int(time.time())}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = centre_engine(base.set(database=name).render_as_string(hide_password=False))
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        migrate(engine)
        centre = Centre(engine)
        demo = tmp / "demo.sqlite3"
        generate(demo, customers=30, seed=5, today=date(2026, 11, 15))
        centre.ensure_hall("B1", "Bench hall")
        centre.load_store("B1", demo)
        _device, code = centre.enrol_device("B1")
        store = open_store(sqlite_url(tmp / "pc.sqlite3"))
        client = HallSync(store, LocalTransport(centre))
        client.enrol("local:", code)
        client.sync()
        print(f"setup done, peak RSS {rss_mb():.0f} MB", flush=True)

        # --- push ------------------------------------------------------------------------
        with store.read() as s:
            device = s.scalars(select(DeviceInfo)).one().device_code
            bills = [
                (int(b), int(a))
                for b, a in s.execute(text("SELECT id, account_id FROM bill ORDER BY id"))
            ]
        payments = args.ops // 2
        now = datetime.now(UTC)
        for start in range(0, payments, 1000):
            with store.unit_of_work() as s:
                for i in range(start, min(start + 1000, payments)):
                    bill, account = bills[i % len(bills)]
                    pid = uuid7()
                    s.add(
                        Payment(
                            id=pid,
                            account_id=account,
                            amount_fen=1,
                            method="cash",
                            paid_at=now,
                            device_code=device,
                            receipt_no=f"{device}-B{i:08d}",
                        )
                    )
                    s.flush()
                    s.add(PaymentAllocation(payment_id=pid, bill_id=bill, amount_fen=1))
        state = client.state()
        report = SyncReport()
        profiler = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        client.push(state.credential, report)
        if profiler is not None:
            profiler.disable()
            args.profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(args.profile / "push.prof")
        push_s = time.perf_counter() - t0
        assert report.applied == payments * 2, report
        push_rss = rss_mb()

        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE floor_op (id uuid PRIMARY KEY, payload jsonb)"))
        rows = [
            {"i": str(uuid7()), "p": '{"amount_fen": 1, "method": "cash"}'}
            for _ in range(payments * 2)
        ]
        t0 = time.perf_counter()
        with engine.begin() as conn:
            for start in range(0, len(rows), 200):
                conn.execute(
                    text("INSERT INTO floor_op VALUES (CAST(:i AS uuid), CAST(:p AS jsonb))"),
                    rows[start : start + 200],
                )
        push_floor_s = time.perf_counter() - t0

        # --- pull ------------------------------------------------------------------------
        template = centre.records("B1", "customer")["1"]
        customers = [bench_customer(template, i) for i in range(args.rows)]
        for start in range(0, len(customers), 5000):
            centre.put_records("B1", "customer", customers[start : start + 5000])
        del customers
        report = SyncReport()
        profiler = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        client.pull(state.credential, report)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile / "pull.prof")
        pull_s = time.perf_counter() - t0
        assert report.pulled >= args.rows, report
        pull_rss = rss_mb()

        floor_path = tmp / "floor.sqlite3"
        src = sqlite3.connect(demo)
        dst = sqlite3.connect(floor_path)
        src.backup(dst)
        src.close()
        table = sync_registry.kinds()["customer"].table
        cols = [c.name for c in table.columns]
        floor_rows = [
            tuple(
                sync_registry.encode_value(v)
                for v in (bench_customer(template, i).get(c) for c in cols)
            )
            for i in range(args.rows)
        ]
        t0 = time.perf_counter()
        with dst:
            dst.executemany(
                f"INSERT INTO customer ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                floor_rows,
            )
        pull_floor_s = time.perf_counter() - t0
        dst.close()

        # --- bills: the ledger triggers run on every pulled bill ---------------------------
        bill_t = centre.records("B1", "bill")["1"]
        accounts = sorted({int(p["account_id"]) for p in centre.records("B1", "bill").values()})
        new_bills = [
            {
                **bill_t,
                "id": 5_000_000 + i,
                "account_id": accounts[i % len(accounts)],
                "period": f"{3000 + i // len(accounts) // 12}-{i // len(accounts) % 12 + 1:02d}",
            }
            for i in range(args.bills)
        ]
        centre.put_records("B1", "bill", new_bills)
        report = SyncReport()
        t0 = time.perf_counter()
        client.pull(state.credential, report)
        bills_s = time.perf_counter() - t0
        per_account = args.bills // len(accounts)

        total = push_s + pull_s
        print(f"push {args.ops} ops            {push_s:6.2f} s  floor {push_floor_s:5.2f} s  "
              f"ratio {push_s / push_floor_s:5.1f}x  peak RSS {push_rss:.0f} MB")  # fmt: skip
        print(f"pull {args.rows} rows         {pull_s:6.2f} s  floor {pull_floor_s:5.2f} s  "
              f"ratio {pull_s / pull_floor_s:5.1f}x  peak RSS {pull_rss:.0f} MB")  # fmt: skip
        print(f"push + pull                {total:6.2f} s  budget {BUDGET_S:g} s "
              f"{'OK' if total <= BUDGET_S else 'OVER'}")  # fmt: skip
        print(f"pull {args.bills} bills (~{per_account}/account, ledger triggers) "
              f"{bills_s:6.2f} s  peak RSS {rss_mb():.0f} MB")  # fmt: skip
        store.close()
    finally:
        engine.dispose()
        if args.keep:
            print(f"kept database {name} and {tmp}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            shutil.rmtree(tmp, ignore_errors=True)
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
