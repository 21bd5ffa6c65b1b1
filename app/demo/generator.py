"""The deterministic demo-data generator: a hall with a million customers in minutes.

``generate`` creates the store through ``open_store`` (so the schema is exactly the Alembic
head), then bulk-loads it on one raw ``sqlite3`` connection in one transaction. Customers,
accounts and services are made in Python and written with ``executemany`` in batches;
each batch is expanded into bills, payments and ``account_ledger`` rows in SQL
(``app.demo.ledger_sql``) by a second thread while the main thread makes the next batch.
During the load most secondary indexes and all triggers are dropped (the ledger
projection's triggers would cost more than everything else) and the journal is kept in
memory; afterwards the indexes and triggers are recreated from the DDL the migrations
wrote, the planner's statistics are gathered and the store goes back to WAL. The same
seed and ``today`` give the same rows, byte for byte.

Demo-only shortcuts, documented for users: every staff password is ``demo``, every
customer's service password is ``135790`` (one hash shared by all customers), and the salts
of these hashes come from the seed so that a seed reproduces the whole file.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from app.demo import complaints, ladder, ledger_sql, vocab
from app.demo.hall import TIMEZONE, counter_staff_count, insert_hall
from app.demo.holdings import HoldingsFactory, Iso
from app.demo.people import DEMO_SERVICE_PASSWORD, Draw, PeopleFactory
from app.domain.arrears_policy import default_policy
from app.domain.errors import StoreError
from app.domain.passwords import hash_password
from app.i18n import N_
from app.store.database import open_store, sqlite_url
from app.store.ledger_sql import FREEZE_FILL, STAGE_FILL

ORGANISATION_SHARE: Final = 0.04
CUSTOMERS_PER_GRID: Final = 2000
MIN_GRIDS: Final = 5
BATCH: Final = 20_000
#: Page cache for the bulk load, in KiB per customer (a million customers make a file of
#: about 4 GB), within bounds: the pages being filled stay in memory rather than being
#: spilled to the file and read back. SQLite takes the memory only as pages are used.
CACHE_KIB_PER_CUSTOMER: Final = 5
CACHE_KIB_BOUNDS: Final = (65_536, 2_000_000)
#: Page cache while the indexes are built (KiB).
INDEX_CACHE_KIB: Final = 65_536
#: Rows ANALYZE samples per index: enough for the planner, seconds instead of a minute.
ANALYSIS_LIMIT: Final = 4000

Progress = Callable[[str], None]
Row = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What ``generate`` wrote, and how long it took."""

    customers: int
    accounts: int
    services: int
    bills: int
    payments: int
    accounts_in_arrears: int
    elapsed_seconds: float


def _ignore(_message: str) -> None:
    return None


def generate(
    db_path: Path,
    customers: int,
    seed: int = 1,
    *,
    progress: Progress | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Create a demo store at ``db_path`` with ``customers`` customers.

    Raises ``ValueError`` if the store already holds customers (or any hall): demo data
    goes only into a new, empty store. ``today`` fixes the demo's current date (the bills
    cover the twelve months before its month); it defaults to the real date.
    """
    if customers < 1:
        raise ValueError("the number of customers must be at least 1")
    started = time.perf_counter()
    report = progress or _ignore
    today = today or date.today()
    db_path = Path(db_path)

    report("creating the store")
    open_store(sqlite_url(db_path)).close()
    # One connection, used by one thread at a time: the main thread writes a batch, then
    # the expander thread expands it while the main thread makes the next one.
    con = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    try:
        _refuse_non_empty(con, db_path)
        _enter_bulk_mode(con, customers)
        try:
            counts = _load(con, customers, seed, today, report)
            report("statistics")
            con.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            con.execute("ANALYZE")
        finally:
            _leave_bulk_mode(con)
    finally:
        con.close()
    return DemoSummary(*counts, elapsed_seconds=time.perf_counter() - started)


def _refuse_non_empty(con: sqlite3.Connection, db_path: Path) -> None:
    """A typed refusal (the command line prints it in the user's language, no traceback):
    demo data never goes into a store that holds anything."""
    if con.execute("SELECT EXISTS (SELECT 1 FROM customer)").fetchone()[0]:
        raise StoreError(
            N_("{path} already contains customers; demo data needs a new store."), path=db_path
        )
    if con.execute("SELECT EXISTS (SELECT 1 FROM hall)").fetchone()[0]:
        raise StoreError(
            N_("{path} already contains a hall; demo data needs a new store."), path=db_path
        )


_BULK_PRAGMAS: Final = (
    "synchronous=OFF",
    "temp_store=MEMORY",
    "foreign_keys=OFF",
    "locking_mode=EXCLUSIVE",
    # Large sorts (the counter payments, CREATE INDEX) may use a second core.
    "threads=2",
    # The generated rows satisfy the CHECK constraints by construction (enum values come
    # from the vocabularies, amounts are positive; the tests check every row), and
    # evaluating ``x IN (…)`` costs about a microsecond per row, a third of an insert.
    "ignore_check_constraints=ON",
)


def _enter_bulk_mode(con: sqlite3.Connection, customers: int) -> None:
    """Rollback journal in memory, no syncs, no per-row checks: for a store nobody uses."""
    mode = con.execute("PRAGMA journal_mode=MEMORY").fetchone()[0]
    if mode != "memory":
        raise RuntimeError(f"cannot take the store out of WAL for the bulk load ({mode})")
    low, high = CACHE_KIB_BOUNDS
    cache_kib = min(high, max(low, customers * CACHE_KIB_PER_CUSTOMER))
    for pragma in (*_BULK_PRAGMAS, f"cache_size=-{cache_kib}"):
        con.execute(f"PRAGMA {pragma}")


def _leave_bulk_mode(con: sqlite3.Connection) -> None:
    """Back to the store's normal settings, and to WAL (a file setting, it persists).

    The switch to WAL happens before ``synchronous=FULL``, so it does not wait for the
    gigabytes just written to reach the disk: the operating system writes them back in
    its own time, and a demo store lost to a power cut is simply generated again.
    """
    con.execute("PRAGMA ignore_check_constraints=OFF")
    con.execute("PRAGMA threads=0")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA locking_mode=NORMAL")
    mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    con.execute("PRAGMA synchronous=FULL")
    if mode != "wal":
        raise RuntimeError(f"the store did not return to WAL mode ({mode})")


def _load(
    con: sqlite3.Connection, customers: int, seed: int, today: date, report: Progress
) -> tuple[int, int, int, int, int, int]:
    rng = random.Random(seed)
    draw = Draw(rng)
    months = ledger_sql.billing_months(today, ZoneInfo(TIMEZONE), rng)
    # Accounts and services open before the first billed month, so each has twelve bills.
    last_open_day = date.fromisoformat(f"{months[0].period}-01") - timedelta(days=1)
    grids = max(MIN_GRIDS, round(customers / CUSTOMERS_PER_GRID))
    people = PeopleFactory(draw, grids, last_open_day)
    iso = Iso()
    holdings = HoldingsFactory(draw, last_open_day, iso)

    con.execute("BEGIN")
    expansion: _Expansion | None = None
    try:
        indexes = _drop_schema_objects(con, "index")
        triggers = _drop_schema_objects(con, "trigger")
        report("hall, staff and grid units")
        insert_hall(con, rng, people)
        ledger_sql.create_work_tables(con, months)
        service_password = hash_password(DEMO_SERVICE_PASSWORD, salt=rng.randbytes(16))
        expansion = _Expansion(rng.getrandbits(44), counter_staff_count(), today)
        _insert_customers(
            con, customers, people, holdings, iso, service_password, expansion, report
        )
        report("ladder history")
        expansion.finish(con)
        ledger_sql.drop_work_tables(con)
        con.execute(STAGE_FILL)
        con.execute(FREEZE_FILL)
        complaints.insert_complaints(con, seed, today, customers)
        report("indexes")
        # CREATE INDEX sorts in runs the size of the page cache; runs of 64 MiB merge
        # nearly twice as fast as one run of gigabytes.
        con.execute(f"PRAGMA cache_size=-{INDEX_CACHE_KIB}")
        for sql in indexes:
            con.execute(sql)
        for sql in triggers:
            con.execute(sql)
        report("writing")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        if expansion is not None:
            expansion.close()
    return (
        customers,
        holdings.next_account - 1,
        holdings.next_service - 1,
        expansion.bills,
        expansion.payments,
        holdings.arrears,
    )


#: Indexes whose keys arrive in ascending order, or are all NULL: cheaper to fill as rows
#: come than to build by sorting afterwards.
_KEPT_INDEXES: Final = frozenset(
    {"ix_account_customer_id", "ix_service_account_id", "ix_payment_original_id"}
)


def _drop_schema_objects(con: sqlite3.Connection, kind: str) -> list[str]:
    """Drop the migrations' secondary indexes (or triggers); return their DDL, in creation
    order, to recreate them exactly after the load.

    Without triggers the load skips the per-row upkeep of ``account_ledger``, which is
    built per batch instead; the append-only triggers never fire on inserts anyway.
    Recreated objects are identical to the migrations' (the tests compare the schema).
    """
    rows = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL ORDER BY rowid",
        (kind,),
    ).fetchall()
    dropped = [(name, sql) for name, sql in rows if name not in _KEPT_INDEXES]
    for name, _sql in dropped:
        con.execute(f'DROP {kind.upper()} "{name}"')
    return [sql for _name, sql in dropped]


_CUSTOMER_INSERT: Final = (
    "INSERT INTO customer (id, hall_id, kind, name, name_pinyin, name_initials, id_type, "
    "id_number, id_number_rev, contact_phone, address, service_password_hash, grid_unit_id, "
    "created_on) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_ACCOUNT_INSERT: Final = (
    "INSERT INTO account (id, customer_id, number, opened_on) VALUES (?, ?, ?, ?)"
)
_SERVICE_INSERT: Final = (
    "INSERT INTO service (id, account_id, kind, number, plan, monthly_fee_fen, status, "
    "opened_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Expansion:
    """What a batch expands into (bills, payments, ledger rows, the ladder's history) and
    the running totals.

    The ladder's history is worked out in a forked worker process (the engine is pure
    Python: in this process it would hold the GIL the customer rows are made with; the
    worker gets plain rows and returns plain rows, never touching the store); its rows are
    written in batch order, as each batch's result is ready, and all of them by
    ``finish``."""

    def __init__(self, key: int, staff_count: int, today: date) -> None:
        self.key = key
        self.staff_count = staff_count
        self.today = today
        self.policy = default_policy()
        self.bills = 0
        self.payments = 0
        self.actions = 0
        # A forked worker, started here on the main thread before the expander thread
        # exists; where fork is not offered (Windows, macOS' default is spawn, which
        # re-imports the program), the history is worked out in the expander thread.
        self._replayer: Executor
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._replayer = ProcessPoolExecutor(max_workers=1, mp_context=context)
            self._replayer.submit(int).result()
        else:
            self._replayer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-ladder")
        self._replays: deque[Future[ladder.LadderRows]] = deque()

    def __call__(self, con: sqlite3.Connection, first: int, last: int) -> None:
        self.bills += ledger_sql.insert_bills(con, first, last)
        payments_after = con.execute("SELECT COALESCE(MAX(rowid), 0) FROM payment").fetchone()
        self.payments += ledger_sql.insert_payments(
            con,
            first,
            last,
            key=self.key,
            hall_code=vocab.HALL_CODE,
            staff_count=self.staff_count,
        )
        ledger_sql.insert_ledger(con, first, last)
        batch = ladder.read_batch(
            con, first, last, payments_after=int(payments_after[0]), today=self.today
        )
        self._replays.append(
            self._replayer.submit(ladder.replay, batch, self.today, TIMEZONE, self.policy)
        )
        while self._replays and self._replays[0].done():
            self.actions += ladder.write_rows(con, self._replays.popleft().result())

    def finish(self, con: sqlite3.Connection) -> None:
        """Write the history of every batch (waiting for the worker)."""
        while self._replays:
            self.actions += ladder.write_rows(con, self._replays.popleft().result())

    def close(self) -> None:
        self._replayer.shutdown(cancel_futures=True)


def _insert_customers(
    con: sqlite3.Connection,
    customers: int,
    people: PeopleFactory,
    holdings: HoldingsFactory,
    iso: Iso,
    service_password: str,
    expand: _Expansion,
    report: Progress,
) -> None:
    """Customers, accounts, services and profiles in batches, each then expanded into its
    bills, payments and ledger rows.

    The expansion is a few SQL statements that run without the GIL, so a second thread runs
    it while the main thread makes the next batch. The main thread writes the batch's rows
    itself (``executemany`` takes the GIL for every row; two threads contending for it
    would each wait on the other) once the previous expansion is done: the connection is
    never used by two threads at once. The random draws all happen on the main thread, in
    order, so the data does not depend on the timing.
    """
    random = people.draw.random
    rows: list[Row] = []
    first_account = 1
    pending: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-expand") as expander:
        for customer_id in range(1, customers + 1):
            organisation = random() < ORGANISATION_SHARE
            who = people.organisation() if organisation else people.person()
            mobile = holdings.add_customer(customer_id, organisation, who.created_on)
            phone = who.contact_phone or (mobile if random() < 0.75 else people.any_mobile())
            rows.append(
                (customer_id, who.kind, who.name, who.name_pinyin, who.name_initials,
                 who.id_type, who.id_number, who.id_number[::-1], phone, who.address,
                 service_password, who.grid, iso(who.created_on))
            )  # fmt: skip
            if len(rows) == BATCH or customer_id == customers:
                accounts, services, profiles = holdings.drain()
                if pending is not None:
                    pending.result()
                con.executemany(_CUSTOMER_INSERT, rows)
                con.executemany(_ACCOUNT_INSERT, accounts)
                con.executemany(_SERVICE_INSERT, services)
                ledger_sql.insert_profiles(con, profiles)
                last_account = holdings.next_account - 1
                pending = expander.submit(expand, con, first_account, last_account)
                rows, first_account = [], last_account + 1
                report(f"customers {customer_id:,} / {customers:,}")
        if pending is not None:
            pending.result()
