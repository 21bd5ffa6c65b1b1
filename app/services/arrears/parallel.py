"""The ladder's bulk evaluation spread over the machine's cores.

``bulk.ladder_statuses`` reads and evaluates about 14,000 accounts a second on one core:
half of it is SQLite fetching rows, half the engine and the grouping in Python, and the
interpreter runs one of them at a time. A report over every account in arrears (tens of
thousands at a large hall) is split into chunks of ``CHUNK`` accounts: worker processes
take chunks from the front, the calling thread evaluates chunks from the back meanwhile,
so no core waits and a small call never waits for a worker.

* Workers are started with ``spawn`` (a process forked from a Qt program is not safe),
  once per store file, on the first call large enough to pay for them, and kept for the
  next report; they end with the program (``shutdown``; ``concurrent.futures`` also joins
  them at exit).
* Each worker opens the store file itself, read-only in effect (it runs only the reads
  of ``ladder_statuses``), with the store's own connection settings (``open_store``
  without migrating). Its reads see the last commit, as the caller's do (a read session
  holds no transaction open): a status is that of the records when its chunk was read,
  as any report running beside the counter's work sees them.
* A worker sends its statuses back as rows of numbers (``_encode``; dates as ordinals,
  the tier and step as their places in the policy), which costs a fifth of pickling the
  statuses themselves; the caller turns them back into the same ``ArrearsStatus``.
* A worker that dies (killed, out of memory) breaks its pool: the call is then evaluated
  in the calling thread alone, and the next large call starts new workers.
* A store that is not a file (tests' in-memory stores), a machine with one core, or a
  call below ``MIN_ACCOUNTS`` runs in the calling thread alone.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import Final

from app.domain.arrears import ArrearsStatus
from app.domain.arrears_policy import ArrearsPolicy, StepKind
from app.services.arrears.bulk import cyclic_gc_paused, ladder_statuses
from app.services.arrears.records import CHUNK, chunks
from app.store.database import Store, open_store, sqlite_url

log = logging.getLogger(__name__)

#: Below this many accounts the workers are not worth a message each way.
MIN_ACCOUNTS: Final = 4 * CHUNK

#: Chunks given to each worker ahead of the one it is reading, so it never idles.
_AHEAD: Final = 2

_pools: dict[Path, tuple[ProcessPoolExecutor, int]] = {}
_pools_lock = threading.Lock()

#: The worker's own store (one per worker process, opened by ``_open_worker_store``).
_worker_store: Store | None = None


def worker_count() -> int:
    """Worker processes beside the calling thread: one per core but the caller's."""
    return max(0, (os.cpu_count() or 1) - 1)


def evaluate(
    store: Store,
    account_ids: Sequence[int],
    timezone: str,
    policy: ArrearsPolicy,
    today: date,
    *,
    evaluate_here: Callable[[Sequence[int]], dict[int, ArrearsStatus]],
    workers: int | None = None,
    min_accounts: int = MIN_ACCOUNTS,
    chunk_size: int = CHUNK,
) -> dict[int, ArrearsStatus]:
    """``ladder_statuses`` of ``account_ids``, the chunks shared between the workers and
    ``evaluate_here`` (the caller's own evaluation of a chunk, in its reading session).
    The result is in the order of the (de-duplicated) ids, as the one-process path's."""
    unique = list(dict.fromkeys(int(a) for a in account_ids))
    count = worker_count() if workers is None else workers
    if store.path is None or count <= 0 or len(unique) < min_accounts:
        return evaluate_here(unique)
    pool = _pool(store.path, count)
    try:
        with cyclic_gc_paused():
            found = _share(pool, count, unique, chunk_size, timezone, policy, today, evaluate_here)
    except BrokenProcessPool as exc:
        log.warning("ladder workers of %s ended: evaluated here (%s)", store.path, exc)
        _forget(store.path, pool)
        return evaluate_here(unique)
    return {account_id: found[account_id] for account_id in unique}


def _share(
    pool: ProcessPoolExecutor,
    count: int,
    unique: list[int],
    chunk_size: int,
    timezone: str,
    policy: ArrearsPolicy,
    today: date,
    evaluate_here: Callable[[Sequence[int]], dict[int, ArrearsStatus]],
) -> dict[int, ArrearsStatus]:
    pending = deque(list(chunk) for chunk in chunks(unique, chunk_size))
    running: set[Future[list[_Row]]] = set()
    found: dict[int, ArrearsStatus] = {}
    while pending or running:
        while pending and len(running) < count * _AHEAD:
            running.add(pool.submit(_evaluate_chunk, pending.popleft(), timezone, policy, today))
        if pending:
            found.update(evaluate_here(pending.pop()))
        done, running = wait(running, timeout=0 if pending else None, return_when=FIRST_COMPLETED)
        for future in done:
            found.update(_decode(future.result(), policy))
    return found


def shutdown() -> None:
    """End every worker (the program is closing, or a test is done with its store)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool, _count in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def _forget(path: Path, pool: ProcessPoolExecutor) -> None:
    with _pools_lock:
        if _pools.get(path, (None, 0))[0] is pool:
            del _pools[path]
    pool.shutdown(wait=False, cancel_futures=True)


def _pool(path: Path, count: int) -> ProcessPoolExecutor:
    with _pools_lock:
        found = _pools.get(path)
        if found is not None and found[1] == count:
            return found[0]
        if found is not None:
            found[0].shutdown(wait=False, cancel_futures=True)
        pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_open_worker_store,
            initargs=(str(path),),
        )
        _pools[path] = (pool, count)
        return pool


def _open_worker_store(path: str) -> None:
    global _worker_store
    _worker_store = open_store(sqlite_url(path), migrate=False)


def _evaluate_chunk(
    account_ids: list[int], timezone: str, policy: ArrearsPolicy, today: date
) -> list[_Row]:
    """One chunk in a worker: its own reading session, as the caller reads its chunks."""
    assert _worker_store is not None, "the worker's store is opened by its initializer"
    with _worker_store.read() as session:
        statuses = ladder_statuses(session, account_ids, timezone, policy, today)
    return _encode(statuses, policy)


#: A status as the worker sends it: the account id, then each field of ``ArrearsStatus``
#: in order, dates as ordinals (0 for none), the tier and next step as their index in
#: the policy's tiers and the tier's steps, step kinds as their rank (-1 for none).
_Row = tuple[int, ...]
_KINDS: Final = tuple(StepKind)


def _encode(statuses: dict[int, ArrearsStatus], policy: ArrearsPolicy) -> list[_Row]:
    tiers = {id(tier): index for index, tier in enumerate(policy.tiers)}
    rows: list[_Row] = []
    for account_id, s in statuses.items():
        tier = s.tier
        step = s.next_step
        rows.append(
            (
                account_id,
                s.as_of.toordinal(),
                s.owed_fen,
                s.overdue_fen,
                s.frozen_fen,
                s.ladder_fen,
                _day(s.frozen_until),
                _day(s.oldest_due),
                s.days_overdue,
                _day(s.episode_start),
                tiers[id(tier)] if tier is not None else -1,
                s.current_stage.rank if s.current_stage is not None else -1,
                _day(s.first_reminder_on),
                _day(s.suspended_on),
                s.service_hold.rank if s.service_hold is not None else -1,
                _day(s.held_since),
                tier.steps.index(step) if tier is not None and step is not None else -1,
                _day(s.next_due),
                s.penalty_fen,
                int(s.restore_needed),
            )
        )
    return rows


def _decode(rows: list[_Row], policy: ArrearsPolicy) -> dict[int, ArrearsStatus]:
    tiers = policy.tiers
    result: dict[int, ArrearsStatus] = {}
    for row in rows:
        tier = tiers[row[10]] if row[10] >= 0 else None
        result[row[0]] = ArrearsStatus(
            as_of=date.fromordinal(row[1]),
            owed_fen=row[2],
            overdue_fen=row[3],
            frozen_fen=row[4],
            ladder_fen=row[5],
            frozen_until=_date(row[6]),
            oldest_due=_date(row[7]),
            days_overdue=row[8],
            episode_start=_date(row[9]),
            tier=tier,
            current_stage=_KINDS[row[11]] if row[11] >= 0 else None,
            first_reminder_on=_date(row[12]),
            suspended_on=_date(row[13]),
            service_hold=_KINDS[row[14]] if row[14] >= 0 else None,
            held_since=_date(row[15]),
            next_step=tier.steps[row[16]] if tier is not None and row[16] >= 0 else None,
            next_due=_date(row[17]),
            penalty_fen=row[18],
            restore_needed=bool(row[19]),
        )
    return result


def _day(value: date | None) -> int:
    return value.toordinal() if value is not None else 0


def _date(ordinal: int) -> date | None:
    return date.fromordinal(ordinal) if ordinal else None
