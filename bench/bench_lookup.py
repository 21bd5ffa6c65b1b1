"""Lookup latency in the service layer, beside the same query in raw sqlite3.

Usage: python -m bench.bench_lookup --db /tmp/demo1m.sqlite3 [--samples 200]

Samples are drawn from the store itself (random customers, seeded), so each query has a
real answer. The floor is the single indexed query in raw sqlite3 that answers the same
question; the ratio shows what the service layer (classification, SQLAlchemy, masking of
the first page of rows) costs on top of it.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
from pathlib import Path

from app.services.customers import CustomerService
from app.store.database import open_store, sqlite_url
from bench.common import report, time_each

EXACT_BUDGET_MS = 5.0
NAME_BUDGET_MS = 30.0
PAGE = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    raw = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
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
        hits = service.search(q)
        service.rows([h.customer_id for h in hits[:PAGE]])

    print(f"store: {args.db} ({max_id:,} customers); {args.samples} samples per kind")
    for name, queries, sql, budget in kinds:
        for q in queries[:10]:  # warm caches for both sides alike
            lookup(q)
            raw.execute(sql, (q,)).fetchall()
        floor = time_each(lambda q, sql=sql: raw.execute(sql, (q,)).fetchall(), queries)
        samples = time_each(lookup, queries)
        print(report(name, samples, budget, floor))
    store.close()


if __name__ == "__main__":
    main()
