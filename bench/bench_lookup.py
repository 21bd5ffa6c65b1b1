"""Lookup latency in the service layer, beside the same query in raw sqlite3.

Usage: python -m bench.bench_lookup --db /tmp/demo1m.sqlite3 [--samples 200]

Samples are drawn from the store itself (random customers, seeded), so each query has a
real answer. The figure is ``CustomerService.lookup`` (what the lookup tab calls as the
clerk types: the hits and the first page of masked rows). The floor is the same work in
raw sqlite3 on one open connection: the single indexed query of that kind, then the rows of
its first page (``customer`` joined to ``grid_unit``). The ratio shows what the service
layer (classification, the other kinds a string of digits may be, masking) costs on top;
issue 17's budget for the exact kinds is a ratio of 2.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.services.customers import CustomerService
from app.store.database import open_store, sqlite_url
from bench.common import percentile, report, time_each

EXACT_BUDGET_MS = 5.0
EXACT_RATIO_BUDGET = 2.0
ROWS_SQL = (
    "SELECT c.id, c.name, c.kind, c.id_number, c.contact_phone, COALESCE(g.name, '') "
    "FROM customer c LEFT JOIN grid_unit g ON g.id = c.grid_unit_id WHERE c.id IN ({ids})"
)
NAME_BUDGET_MS = 30.0
PAGE = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    raw = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, check_same_thread=False)
    max_id = raw.execute("SELECT max(id) FROM customer").fetchone()[0]
    rng = random.Random(args.seed)
    ids = [rng.randint(1, max_id) for _ in range(args.samples)]

    def col(sql: str) -> list[str]:
        return [raw.execute(sql, (i,)).fetchone()[0] for i in ids]

    mobiles = col(
        "SELECT s.number FROM service s JOIN account a ON a.id = s.account_id "
        "WHERE a.customer_id = ? AND s.kind = 'mobile' LIMIT 1"
    )
    accounts = col("SELECT number FROM account WHERE customer_id = ? LIMIT 1")
    contacts = col("SELECT contact_phone FROM customer WHERE id = ?")
    id_numbers = col("SELECT id_number FROM customer WHERE id = ?")
    names = col("SELECT name FROM customer WHERE id = ?")
    pinyins = col("SELECT name_pinyin FROM customer WHERE id = ?")
    initials = col("SELECT name_initials FROM customer WHERE id = ?")

    kinds: list[tuple[str, list[str], str, float]] = [
        (
            "mobile number",
            mobiles,
            "SELECT a.customer_id FROM service s JOIN account a ON a.id = s.account_id "
            "WHERE s.number = ?",
            EXACT_BUDGET_MS,
        ),
        (
            "contact phone",
            contacts,
            "SELECT id FROM customer WHERE contact_phone = ?",
            EXACT_BUDGET_MS,
        ),
        (
            "account number",
            accounts,
            "SELECT customer_id FROM account WHERE number = ?",
            EXACT_BUDGET_MS,
        ),
        (
            "ID number (18)",
            id_numbers,
            "SELECT id FROM customer WHERE id_number = ?",
            EXACT_BUDGET_MS,
        ),
        (
            "ID number (last 6)",
            [v[-6:] for v in id_numbers],
            "SELECT id FROM customer WHERE id_number_rev >= ?1 AND id_number_rev < ?1 || "
            "char(1114111) ORDER BY id_number_rev LIMIT 200",
            EXACT_BUDGET_MS,
        ),
        (
            "name prefix (2 chars)",
            [n[:2] for n in names],
            "SELECT id FROM customer WHERE name >= ?1 AND name < ?1 || char(1114111) "
            "ORDER BY name, id LIMIT 200",
            NAME_BUDGET_MS,
        ),
        (
            "full pinyin",
            pinyins,
            "SELECT id FROM customer WHERE name_pinyin >= ?1 AND name_pinyin < ?1 || "
            "char(1114111) ORDER BY name_pinyin, id LIMIT 200",
            NAME_BUDGET_MS,
        ),
        (
            "pinyin initials",
            initials,
            "SELECT id FROM customer WHERE name_initials >= ?1 AND name_initials < ?1 || "
            "char(1114111) ORDER BY name_initials, id LIMIT 200",
            NAME_BUDGET_MS,
        ),
    ]

    store = open_store(sqlite_url(args.db), migrate=False)
    service = CustomerService(store)

    def lookup(q: str) -> None:
        service.lookup(q, page=PAGE)

    def floor_of(sql: str) -> Callable[[str], None]:
        def run(q: str) -> None:
            ids = [r[0] for r in raw.execute(sql, (q,)).fetchall()][:PAGE]
            if ids:
                raw.execute(ROWS_SQL.format(ids=", ".join(map(str, ids)))).fetchall()

        return run

    print(f"store: {args.db} ({max_id:,} customers); {args.samples} samples per kind")
    for name, queries, sql, budget in kinds:
        run_floor = floor_of(sql)
        for q in queries:  # warm the page cache for both sides alike
            lookup(q)
            run_floor(q)
        floor: list[float] = []
        samples: list[float] = []
        for q in queries:  # alternating, so a slower moment of the machine hits both
            floor += time_each(run_floor, [q])
            samples += time_each(lookup, [q])
        line = report(name, samples, budget, floor)
        if budget == EXACT_BUDGET_MS:
            ratio = percentile(samples, 95) / percentile(floor, 95)
            line += f"  ratio budget {EXACT_RATIO_BUDGET:g}x {'OK' if ratio <= 2 else 'OVER'}"
        print(line)
    store.close()


if __name__ == "__main__":
    main()
