"""Memory after scrolling the arrears worklist to its end (issue 17: ≤ 200 MB whatever the scroll).

Usage: python -m bench.bench_gui_worklist_memory --db COPY-OF-A-1M-STORE [--today 2026-11-28]

Each measurement is a fresh process (offscreen): the arrears tab (``ui.arrears.tab``, its
lazy worklist model on the task worker) for staff A001 on ``--db``, 1280×800, shown, its
first rows painted; then the worklist scrolled to its end one page (the view's page step)
at a time, each step waiting until the rows asked for have arrived and are painted
(``--passes N``: back to the top and down again, N times, to tell growth from a cache
that fills once). The
figure is the process's resident memory (RSS, ``/proc/self/status``) after the last page;
also shown: RSS once the first rows are painted, the peak (``VmHWM``), the pages the model
keeps and the time the scroll took. The floor is the same tab in the same kind of process
on an empty store (a demo store of one customer): what Qt, Python, SQLAlchemy and
the window cost before any row.

The store is not migrated (a newer schema is read as it is), but the tab writes to it as
in the hall: its first load stores the default arrears policy when there is none. Give it
a scratch copy, never a store to keep as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BUDGET_MB = 200.0
ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB (10^6 bytes)."""
    fields: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _sep, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024 / 1e6
    return fields["VmRSS"], fields["VmHWM"]


def _sqlite_mb() -> float | None:
    """SQLite's own heap (its page caches: up to 16 MB per connection, ``cache_size``), if
    the library Python uses can be asked (``sqlite3_memory_used``)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("sqlite3")
    if name is None:
        return None
    try:
        used = ctypes.CDLL(name).sqlite3_memory_used
    except (OSError, AttributeError):
        return None
    used.restype = ctypes.c_int64
    return float(used()) / 1e6


def _child(db: str, today: date | None, empty: bool, passes: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from app import bootstrap
    from app.services.staff.auth import AuthService
    from app.settings import MemoryBackend
    from app.store.database import SCHEMA_HEAD, current_revision, open_store, sqlite_url
    from ui.arrears.tab import ArrearsTab
    from ui.context import AppContext
    from ui.qt_app import ensure_application

    bootstrap.install()
    app = ensure_application()
    if empty:
        store = open_store(sqlite_url(db))
    else:
        store = open_store(sqlite_url(db), migrate=False)
        revision = current_revision(store.engine)
        if revision != SCHEMA_HEAD:  # read as it is: a newer schema only adds to this one's
            print(
                f"note: {db} is at schema {revision}, this code at {SCHEMA_HEAD}", file=sys.stderr
            )
    from app.services.hall import HallService

    zone = ZoneInfo(HallService(store).info().timezone)
    day = today or datetime.now(zone).date()
    noon = datetime.combine(day, clock_time(12), zone).astimezone(UTC)
    actor = AuthService(store).actor_for("A001")
    ctx = AppContext.create(store, actor, MemoryBackend(), clock=lambda: noon)
    tab = ArrearsTab(ctx)
    tab.resize(1280, 800)
    tab.show()
    model, view = tab.model, tab.worklist

    def settle() -> None:
        while model.pending:
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()
        view.viewport().repaint()

    settle()
    before, _peak = _rss_mb()
    rows = model.rowCount()
    bar = view.verticalScrollBar()
    started = time.perf_counter()
    steps = 0
    after_each: list[float] = []
    for _pass in range(passes):
        bar.setValue(0)
        settle()
        while bar.value() < bar.maximum():
            bar.setValue(bar.value() + bar.pageStep())
            settle()
            steps += 1
        after_each.append(_rss_mb()[0])
    seconds = time.perf_counter() - started
    after, peak = _rss_mb()
    pages = model.loaded_pages()
    sqlite = _sqlite_mb()
    tab.close()
    ctx.tasks.wait()
    store.close()
    return {
        "rows": rows,
        "steps": steps,
        "seconds": seconds,
        "before": before,
        "after": after,
        "peak": peak,
        "pages": len(pages),
        "sqlite": sqlite,
        "passes": after_each,
    }


def _spawn(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_gui_worklist_memory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    if done.returncode != 0:
        raise SystemExit(f"run failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a demo store, e.g. 1,000,000 customers")
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument(
        "--passes", type=int, default=1, help="scroll from the top to the end this many times"
    )
    parser.add_argument("--child", choices=["full", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = _child(args.db, args.today, args.child == "floor", args.passes)
        print(json.dumps(result), flush=True)
        return
    if not Path(args.db).is_file():
        raise SystemExit(f"no store at {args.db}")
    today = ["--today", args.today.isoformat()] if args.today else []
    with tempfile.TemporaryDirectory(prefix="halldesk-bench-memory-") as scratch:
        empty = str(Path(scratch) / "empty.sqlite3")
        cli = "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))"
        made = [sys.executable, "-c", cli, "demo-data", "--db", empty, "--customers", "1"]
        subprocess.run(made, cwd=ROOT, check=True, capture_output=True)
        floor = _spawn("--child", "floor", "--db", empty, "--passes", "1", *today)
    full = _spawn(
        "--child",
        "full",
        "--db",
        str(Path(args.db).resolve()),
        "--passes",
        str(args.passes),
        *today,
    )
    size_gb = Path(args.db).stat().st_size / 1e9
    print(f"store {args.db} ({size_gb:.1f} GB), {full['rows']:,} rows in the worklist")
    ratio = full["after"] / floor["after"]
    verdict = "OK" if full["after"] <= BUDGET_MB else "OVER"
    print(
        f"RSS after scrolling to the end     {full['after']:7.1f} MB  "
        f"floor {floor['after']:6.1f} MB  ratio {ratio:4.2f}x  budget {BUDGET_MB:g} MB {verdict}"
    )
    print(
        f"  first rows painted {full['before']:.1f} MB, peak {full['peak']:.1f} MB, "
        f"{full['steps']:,} page steps in {full['seconds']:.1f} s, "
        f"{full['pages']} pages of rows kept at the end"
    )
    if len(full["passes"]) > 1:
        each = ", ".join(f"{mb:.1f}" for mb in full["passes"])
        print(f"  RSS after each pass from the top to the end: {each} MB")
    if full["sqlite"] is not None:
        print(f"  of which SQLite's heap (page caches) at the end: {full['sqlite']:.1f} MB")
    print(f"  floor (empty store): first paint {floor['before']:.1f} MB, peak {floor['peak']:.1f}")
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
