"""Etiquette checklists: signing, the reports and the inspection report PDF at a year's volume.

Usage: python -m bench.bench_etiquette [--inspections 2200] [--samples 50]

A fresh 300-customer demo store gets ``--inspections`` signed inspections of the counter
template (a hall of six clerks inspected about once a working day for a year), spread over
365 days with random failures, plus a weekly simulation per clerk. Then it times: signing
one more inspection (scoring, answers, actions, audit, one transaction), a clerk's trend,
their most-failed items, the hall's failure rates per item and section, the weekly ranking
and one inspection report PDF. The floor of the hall-wide rates is the same GROUP BY in raw
sqlite3 over the same answers. Budgets: 100 ms p95 for each interactive call, 150 ms for
the PDF (two A4 pages of tables).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.demo.generator import generate
from app.services.etiquette import AnswerInput, ChecklistDraft, EtiquetteService, iso_week_of
from app.services.etiquette.reports import EtiquetteReports
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from bench.common import report, time_each

BUDGET_MS = 100.0
PDF_BUDGET_MS = 150.0
START = datetime(2025, 11, 17, 2, 0, tzinfo=UTC)

FLOOR_SQL = """
SELECT a.item_key, sum(a.failed), sum(a.counted) FROM etiquette_answer a
JOIN etiquette_inspection i ON i.id = a.inspection_id
WHERE i.kind = 'inspection' AND NOT EXISTS (
    SELECT 1 FROM etiquette_inspection c WHERE c.supersedes_id = i.id)
GROUP BY a.item_key
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inspections", type=int, default=2200)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-etiquette-"))
    path = folder / "demo.sqlite3"
    generate(path, customers=300, seed=7, today=date(2026, 11, 15))
    store = open_store(sqlite_url(path))
    clock = [START]
    svc = EtiquetteService(store, lambda: clock[0])
    reports = EtiquetteReports(store, lambda: clock[0])
    auth = AuthService(store)
    leader = auth.leader_credential("L001", "demo")
    clerks = [auth.actor_for(f"A00{n}").staff_id for n in range(1, 7)]
    info = next(t for t in svc.templates(leader) if t.code == "counter_inspection")
    sim = next(t for t in svc.templates(leader) if t.code == "weekly_simulation")
    rng = random.Random(11)
    keys = [i.key for i in info.spec.items if i.response.value == "pass_fail"]

    def answers(spec_items: tuple, fails: int) -> dict[str, AnswerInput]:
        out = {
            i.key: AnswerInput("pass" if i.response.value == "pass_fail" else str(i.max_points))
            for i in spec_items
        }
        for key in rng.sample(keys, fails) if spec_items is info.spec.items else ():
            out[key] = AnswerInput("fail")
        return out

    def sign(n: int) -> None:
        clock[0] = START + timedelta(hours=4 * n)
        draft = ChecklistDraft(
            info.id,
            clerks[n % 6],
            clock[0] - timedelta(minutes=10),
            answers(info.spec.items, rng.choice((0, 0, 1, 2, 3))),
            counter_id=1 + n % 6,
        )
        svc.sign_inspection(leader, draft, leader)

    for n in range(args.inspections):
        sign(n)
    weeks = set()
    for n in range(0, args.inspections, 6):
        clock[0] = START + timedelta(hours=4 * n)
        weeks.add(iso_week_of(clock[0].date()))
    for week_start in range(0, 52):
        clock[0] = START + timedelta(weeks=week_start)
        for clerk in clerks:
            svc.sign_simulation(
                leader,
                ChecklistDraft(sim.id, clerk, clock[0], answers(sim.spec.items, 0), scenario="x"),
                leader,
            )
    base = args.inspections
    lines = [
        report(
            "sign one inspection",
            time_each(sign, range(base, base + args.samples)),
            BUDGET_MS,
        ),
        report(
            "clerk trend",
            time_each(lambda c: reports.clerk_trend(leader, c), clerks * (args.samples // 6 + 1)),
            BUDGET_MS,
        ),
        report(
            "clerk most-failed items",
            time_each(
                lambda c: reports.most_failed_items(leader, c), clerks * (args.samples // 6 + 1)
            ),
            BUDGET_MS,
        ),
    ]
    con = sqlite3.connect(path)
    floor = time_each(lambda _i: con.execute(FLOOR_SQL).fetchall(), range(args.samples))
    con.close()
    lines.append(
        report(
            "hall failure rates (item+section)",
            time_each(lambda _i: reports.failure_rates(leader), range(args.samples)),
            BUDGET_MS,
            floor,
        )
    )
    week_list = sorted(weeks)[: args.samples]
    lines.append(
        report(
            "weekly ranking",
            time_each(lambda w: reports.weekly_ranking(leader, w), week_list),
            BUDGET_MS,
        )
    )
    last = reports.inspections(leader, limit=args.samples)
    reports.render_inspection_report(leader, last[0].inspection_id)  # warm-up (fonts)
    lines.append(
        report(
            "inspection report PDF (warm)",
            time_each(lambda r: reports.render_inspection_report(leader, r.inspection_id), last),
            PDF_BUDGET_MS,
        )
    )
    store.close()
    print(f"{args.inspections} inspections + {52 * 6} simulations in {path}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
