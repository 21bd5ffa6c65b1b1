"""Bills and payments of the demo store, expanded in SQL from the per-account profiles.

Twelve bills per account come from ``INSERT … SELECT`` over the profile table crossed with
a twelve-row month table; bill ids are ``(account_id - 1) * 12 + month``. Payments come
from the same cross join: one for each group of months an account settles at once, and
perhaps a partial one for its first unpaid month. Variation is deterministic integer
hashing of the account's random salt and the month's random keys, kept below 2**63 at
every step so SQLite never falls back to floating point; SQLite's ``random()`` is never
used.

A bill of period P is issued on the 1st of the month after P and falls due on the 20th of
that month. A payment is made between the issue and the due date of the last bill it
covers (accounts paying two or three bills at once are late on the earlier ones), in the
hall's local time, stored as naive UTC as ``UTCDateTime`` does.

Payment ids are UUIDv7-shaped and unique by construction. Historical payments reached this
PC from the centre, whose run recorded each month's payments the night after the due date;
their ids carry that run's time plus the account id in milliseconds. So ids grow in the
order rows are inserted and the primary-key index is filled at its end instead of at
random places, which on a million-customer store saves a sort or random inserts of twelve
million rows.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from app.demo.holdings import MONTHS, PROFILE_COLUMNS
from app.store.ledger_sql import KEYS_FILL

PRIME: Final = 2_147_483_647  # 2**31 - 1
LOW44: Final = 1 << 44
#: The UUID variant bits (0b10) at the top of the low 64 bits, as a signed 64-bit integer:
#: SQLite's printf('%x') prints it in two's complement, so the hex comes out right.
VARIANT: Final = -(1 << 63)
#: The version nibble (7) at the top of bits 48–63 of the high half.
VERSION: Final = 0x7000
DAY_MS: Final = 86_400_000
DAY_S: Final = 86_400
HOUR_MS: Final = 3_600_000
#: Historical counter payments were taken at counters C02 … C06 (devices PC02 … PC06),
#: never at the demo device PC01 (C01), whose own receipt sequence starts at 1.
HISTORY_DEVICE_FIRST: Final = 2
HISTORY_DEVICE_COUNT: Final = 5
DUE_DAY: Final = 20

#: Multiplier and increment (below 2**31) of each stream's affine step.
_STREAMS: Final = ((1_103_515_245, 12_345), (48_271, 1_013_904_223))
BILL_STREAM: Final = 0
TIME_STREAM: Final = 1


def _hash(stream: int) -> str:
    """An SQL expression of a pseudo-random value in [0, 2**31 - 1) for (account, month).

    ``h = (salt * mul + inc) mod p`` with the account's random salt and the month's random
    ``mul``/``inc``, then one affine step per stream; all factors are below 2**31, so every
    product stays below 2**62. A hash costs a fraction of a microsecond per row, so one
    value is sliced into several fields.
    """
    mul, inc = _STREAMS[stream]
    base = f"((p.salt * m.mul + m.inc) % {PRIME})"
    return f"(({base} * {mul} + {inc}) % {PRIME})"


@dataclass(frozen=True, slots=True)
class Month:
    """One billing month and its keys."""

    idx: int
    period: str
    issue_date: date
    due_date: date
    #: Local midnight of the issue date, as Unix milliseconds.
    issue_ms: int
    #: Payments fall on issue day + 0 … max_day (the due date; for the latest month, at
    #: most the day before ``today``).
    max_day: int
    #: The centre's nightly run that recorded the month's non-counter payments.
    recorded_ms: int
    mul: int
    inc: int


def billing_months(today: date, tz: ZoneInfo, rng: random.Random) -> list[Month]:
    """The twelve months before ``today``'s month, oldest first."""
    months: list[Month] = []
    for idx in range(1, MONTHS + 1):
        year, month = divmod(today.year * 12 + today.month - 1 - (MONTHS + 1 - idx), 12)
        issue_year, issue_month = divmod(year * 12 + month + 1, 12)
        issue = date(issue_year, issue_month + 1, 1)
        due = issue.replace(day=DUE_DAY)
        issue_ms = int(datetime.combine(issue, time(0), tzinfo=tz).timestamp()) * 1000
        max_day = (due - issue).days
        if idx == MONTHS:
            max_day = max(0, min(max_day, (today - issue).days - 1))
        months.append(
            Month(
                idx=idx,
                period=f"{year:04d}-{month + 1:02d}",
                issue_date=issue,
                due_date=due,
                issue_ms=issue_ms,
                max_day=max_day,
                recorded_ms=issue_ms + (max_day + 1) * DAY_MS + 2 * HOUR_MS,
                mul=1 + rng.getrandbits(30),
                inc=rng.getrandbits(30),
            )
        )
    return months


_MONTH_COLUMNS: Final = (
    "idx INTEGER PRIMARY KEY, period TEXT, issue_date TEXT, due_date TEXT, issue_ms INTEGER, "
    "max_day INTEGER, recorded_ms INTEGER, mul INTEGER, inc INTEGER"
)


def create_work_tables(con: sqlite3.Connection, months: list[Month]) -> None:
    """The temp tables the SQL expands: one profile per account, the twelve months."""
    columns = ", ".join(
        f"{name} {'TEXT' if name == 'method' else 'INTEGER'}" for name in PROFILE_COLUMNS
    ).replace("account_id INTEGER", "account_id INTEGER PRIMARY KEY")
    con.execute(f"CREATE TEMP TABLE demo_profile ({columns})")
    con.execute(f"CREATE TEMP TABLE demo_month ({_MONTH_COLUMNS})")
    con.executemany(
        "INSERT INTO demo_month VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (m.idx, m.period, m.issue_date.isoformat(), m.due_date.isoformat(), m.issue_ms,
             m.max_day, m.recorded_ms, m.mul, m.inc)
            for m in months
        ],
    )  # fmt: skip


def insert_profiles(con: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    marks = ", ".join("?" for _ in PROFILE_COLUMNS)
    con.executemany(f"INSERT INTO demo_profile VALUES ({marks})", rows)


def drop_work_tables(con: sqlite3.Connection) -> None:
    con.execute("DROP TABLE IF EXISTS temp.demo_profile")
    con.execute("DROP TABLE IF EXISTS temp.demo_month")
    con.execute("DROP TABLE IF EXISTS temp.demo_ladder")


def _changes(con: sqlite3.Connection) -> int:
    return int(con.execute("SELECT changes()").fetchone()[0])


# -- bills -------------------------------------------------------------------------------

_BILL_HASH: Final = _hash(BILL_STREAM)
#: A usual month costs the base fee, plus (in ``extra_pct`` of the months) up to ``var_fen``
#: of usage; a huge month costs more than six usual maximums, so it always is more than
#: five times the average of the three months before it.
_BILL_AMOUNT: Final = f"""CASE WHEN m.idx = p.huge_month
            THEN 6 * (p.base_fen + p.var_fen) + {_BILL_HASH} % 50000
            WHEN {_BILL_HASH} % 100 < p.extra_pct
            THEN p.base_fen + {_BILL_HASH} / 100 % p.var_fen
            ELSE p.base_fen
       END"""
_BILLS: Final = f"""
INSERT INTO bill (id, account_id, period, amount_fen, issue_date, due_date)
SELECT (p.account_id - 1) * {MONTHS} + m.idx, p.account_id, m.period, {_BILL_AMOUNT},
       m.issue_date, m.due_date
FROM temp.demo_profile AS p CROSS JOIN temp.demo_month AS m
WHERE p.account_id BETWEEN ? AND ?
ORDER BY p.account_id, m.idx
"""


def insert_bills(con: sqlite3.Connection, first_account: int, last_account: int) -> int:
    """The twelve bills of each account in the range (whose profiles are in place)."""
    con.execute(_BILLS, (first_account, last_account))
    return _changes(con)


# -- payments ----------------------------------------------------------------------------

_T: Final = _hash(TIME_STREAM)
_BILL_ID: Final = f"((p.account_id - 1) * {MONTHS} + m.idx)"
#: Bills covered by the payment of month ``m``: back to the end of the previous group.
_SPAN: Final = "(m.idx - ((m.idx - 1) / p.grp) * p.grp)"
#: Paid at (Unix seconds; payments are recorded to the second): the bill's issue day plus
#: the account's usual day (with a jitter that changes from month to month, never after
#: the due date) and a time of day from the hash.
_PAID_S: Final = (
    f"(m.issue_ms / 1000 + min(m.max_day, p.day0 + (p.salt / 8 + m.inc) % (p.jitter + 1))"
    f" * {DAY_S} + p.tod0 + {_T} % p.tod_span)"
)
#: This month's bill is recomputed (cheaper than reading it back); a payment for more
#: months adds the earlier bills from the table.
_SETTLED: Final = (
    f"({_BILL_AMOUNT} + CASE WHEN {_SPAN} > 1 THEN (SELECT sum(amount_fen) FROM bill "
    f"WHERE id BETWEEN {_BILL_ID} - {_SPAN} + 1 AND {_BILL_ID} - 1) ELSE 0 END)"
)
_AMOUNT: Final = f"""CASE WHEN m.idx > p.paid_months
                THEN max(100, {_BILL_AMOUNT} * p.partial_pct / 10000 * 100)
                WHEN m.idx = {MONTHS} AND p.credit_steps >= 0
                THEN ({_SETTLED} / 5000 + 1 + p.credit_steps) * 5000
                ELSE {_SETTLED}
           END"""
#: Months with a payment: the end of each group of ``grp`` paid months, and the first
#: unpaid month when the account paid part of it.
_PAYING: Final = """((m.idx <= p.paid_months AND (m.idx % p.grp = 0 OR m.idx = p.paid_months))
           OR (m.idx = p.paid_months + 1 AND p.partial_pct > 0))"""
#: Cheap per-payment variety (transaction numbers, clerk, counter): a hash per column
#: would cost more than the insert.
_MIX: Final = "(p.salt + m.inc)"
_REFERENCE: Final = f"""CASE p.method
           WHEN 'wechat' THEN '42000' || (1000000000 + {_MIX} % 1000000000) || {_BILL_ID}
           WHEN 'alipay' THEN '2088' || (1000000000 + {_MIX} % 999999937) || {_BILL_ID}
           WHEN 'online' THEN 'WT' || (1000000000 + {_MIX} % 999999929)
           WHEN 'bank_deduction' THEN 'TS' || m.period
           ELSE ''
       END"""
#: The device (and counter) a counter payment was taken at: C02 … C06.
_COUNTER: Final = f"({_MIX} / 7 % {HISTORY_DEVICE_COUNT} + {HISTORY_DEVICE_FIRST})"
#: UUIDv7 layout: 48 bits of milliseconds (the centre's recording run plus the account id,
#: unique per account and month), version 7, 12 bits from the salt; variant 0b10, then a
#: bijection of the account id (scrambled by ``:key``) and the month: unique by
#: construction, and growing in insertion order.
_UUID: Final = (
    f"printf('%016x%016x', (m.recorded_ms + p.account_id) * 65536 + {VERSION} + p.salt % 4096, "
    f"{VARIANT} + (p.account_id * 2654435761 + :key) % {LOW44} * 16 + m.idx)"
)


def _paid_at(seconds: str) -> str:
    """As SQLAlchemy's DateTime stores it: ``YYYY-MM-DD HH:MM:SS.ffffff`` (naive UTC)."""
    return f"datetime({seconds}, 'unixepoch') || '.000000'"


#: All payments of a batch of accounts, in id order (month, account). At a counter (cash,
#: bank card): a clerk or the leader, the counter and its device, and a receipt number
#: unique through the bill id. Away from a counter: none of these.
_PAYMENTS: Final = f"""
INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at, staff_id,
                     receipt_no, device_code, counter_id)
SELECT {_UUID}, p.account_id, {_AMOUNT}, p.method, {_REFERENCE}, {_paid_at(_PAID_S)},
       CASE WHEN p.counter THEN 1 + {_MIX} % :staff_count END,
       CASE WHEN p.counter THEN printf('%s-PC%02d-%08d', :hall, {_COUNTER}, {_BILL_ID}) END,
       CASE WHEN p.counter THEN printf('PC%02d', {_COUNTER}) ELSE '' END,
       CASE WHEN p.counter THEN {_COUNTER} END
FROM temp.demo_month AS m CROSS JOIN temp.demo_profile AS p
WHERE p.account_id BETWEEN :first AND :last AND {_PAYING}
ORDER BY m.idx, p.account_id
"""


def insert_payments(
    con: sqlite3.Connection,
    first_account: int,
    last_account: int,
    *,
    key: int,
    hall_code: str,
    staff_count: int,
) -> int:
    """The payments of the accounts in the range; return how many.

    ``key`` (< 2**44) scrambles the UUIDs' low bits; counter payments get one of the first
    ``staff_count`` staff ids and a receipt number ``<hall>-<device>-<bill id>``.
    """
    params = {
        "first": first_account,
        "last": last_account,
        "key": key,
        "hall": hall_code,
        "staff_count": staff_count,
    }
    con.execute(_PAYMENTS, params)
    return _changes(con)


# -- the account ledger projection -------------------------------------------------------

_FIRST_BILL: Final = f"(p.account_id - 1) * {MONTHS}"
#: Bills settled by the payment of the last month: the last group of ``grp`` months.
_LAST_SPAN: Final = f"({MONTHS} - ({MONTHS - 1} / p.grp) * p.grp)"
#: What the account's payments add up to, from its bills and profile: every bill up to
#: ``paid_months``, the partial payment of the next one, the credit rounded onto the last
#: payment. It mirrors ``_AMOUNT`` summed over ``_PAYING``; the tests check the result
#: against the payment rows through ``ledger_drift``.
_PAID_TOTAL: Final = f"""(
    coalesce((SELECT sum(amount_fen) FROM bill
              WHERE id BETWEEN {_FIRST_BILL} + 1 AND {_FIRST_BILL} + p.paid_months), 0)
    + CASE WHEN p.partial_pct > 0 AND p.paid_months < {MONTHS}
           THEN max(100, (SELECT amount_fen FROM bill
                          WHERE id = {_FIRST_BILL} + p.paid_months + 1)
                         * p.partial_pct / 10000 * 100)
           ELSE 0 END
    + CASE WHEN p.credit_steps >= 0 AND p.paid_months = {MONTHS}
           THEN (SELECT (sum(amount_fen) / 5000 + 1 + p.credit_steps) * 5000 - sum(amount_fen)
                 FROM bill WHERE id BETWEEN {_FIRST_BILL} + {MONTHS} - {_LAST_SPAN} + 1
                                        AND {_FIRST_BILL} + {MONTHS})
           ELSE 0 END
)"""
#: ``account_ledger`` as ``app.store.ledger_sql.LEDGER_SELECT`` defines it (billed, paid net
#: of penalties (none here), owed, the due date of the oldest bill that payments
#: oldest-first leave open), for a batch of accounts, from id ranges of their bills; a
#: window runs only where something is owed. The generic query's window over every bill
#: of the store takes minutes on a million accounts.
_LEDGER: Final = f"""
WITH totals AS MATERIALIZED (
    SELECT p.account_id,
           (SELECT sum(amount_fen) FROM bill
            WHERE id BETWEEN {_FIRST_BILL} + 1 AND {_FIRST_BILL} + {MONTHS}) AS billed,
           {_PAID_TOTAL} AS paid
    FROM temp.demo_profile AS p
    WHERE p.account_id BETWEEN :first AND :last
)
INSERT INTO account_ledger (account_id, billed_fen, paid_fen, owed_fen, oldest_unpaid_due)
SELECT account_id, billed, paid, billed - paid,
       CASE WHEN billed > paid THEN (
           SELECT c.due_date FROM (
               SELECT due_date, period, sum(amount_fen) OVER (ORDER BY period, id) AS cum
               FROM bill WHERE bill.account_id = totals.account_id
           ) AS c
           WHERE c.cum > paid ORDER BY c.period LIMIT 1
       ) END
FROM totals
"""


def insert_ledger(con: sqlite3.Connection, first_account: int, last_account: int) -> None:
    """The ``account_ledger`` rows of the accounts in the range, once their bills are in
    (the projection's triggers are off during the load), with the worklist's keys."""
    con.execute(_LEDGER, {"first": first_account, "last": last_account})
    con.execute(KEYS_FILL, {"first": first_account, "last": last_account})
