"""The leader's reports for a month: building each one's figures, printing it (PDF) and
writing its workbook.

Usage: python -m bench.bench_reports [--db PATH] [--customers 20000] [--samples 3]

Without an existing ``--db`` the script makes a demo store of ``--customers`` customers
(today 2026-11-15). Each report is built for the 31 days up to that day as the shift
leader L001; "build" is ``LeaderReports.build`` (the figures and the book, what the
dialog waits for), "pdf" and "xlsx" render that one built report. No budget is set: a
report runs on the task worker, off the GUI thread; the figures say what a leader waits.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from app.demo.generator import generate
from app.services.base import Actor
from app.services.reports import LeaderReports, ReportKind
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from bench.common import report, time_each

TODAY = date(2026, 11, 15)
START = date(2026, 10, 16)
NOW = datetime(2026, 11, 15, 10, tzinfo=UTC)


def measure(
    reports: LeaderReports, leader: Actor, kind: ReportKind, folder: Path, samples: int
) -> None:
    built = reports.build(leader, kind, START, TODAY)
    rows = sum(len(t.all_rows()) for t in built.book.tables)
    runs = range(samples)
    build = time_each(lambda _i: reports.build(leader, kind, START, TODAY), runs)
    pdf = time_each(lambda _i: reports.pdf(built), runs)
    xlsx = time_each(
        lambda i: reports.save_workbook(leader, built, folder / f"{kind}{i}.xlsx"), runs
    )
    print(f"{kind} ({rows} table rows)")
    for name, samples_ms in (("build", build), ("pdf", pdf), ("xlsx", xlsx)):
        print("  " + report(name, samples_ms, None))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "reports.sqlite3"
        if not db.exists():
            generate(db, args.customers, seed=11, today=TODAY)
        store = open_store(sqlite_url(db))
        try:
            leader = AuthService(store).actor_for("L001")
            reports = LeaderReports(store, lambda: NOW)
            for kind in ReportKind:
                measure(reports, leader, kind, Path(tmp), args.samples)
        finally:
            store.close()


if __name__ == "__main__":
    main()
