"""The fault campaign (issue 13): a real centre process over the real PostgreSQL and hall PCs
syncing over HTTP, through the faults that once lost or blocked money — ``kill -9`` of the
centre mid-push and mid-pull, ``kill -9`` of a PC's sync, dropped answers, replays, a burst
of PCs right after a centre start, and a poison record. Afterwards every payment exists
exactly once at the centre and on every PC of its hall, receipt numbers never repeat (nor
do the numbers of the complaints the campaign takes), and every PC's next sync succeeds.

Payments are taken through ``PaymentService`` (real, gap-free receipt numbers).

**Adding a scenario**: write a function
``scenario_<name>(c: Campaign) -> None`` that uses the campaign's PCs (``c.pcs``,
``c.pay``, ``c.sync``, ``c.reopen``), centre (``c.kill_centre``, ``c.start_centre``,
``c.hold``) and files, and append it to :data:`SCENARIOS`. The final checks
(:meth:`Campaign.check`) run after all scenarios; a scenario records what it created with
``c.pay`` so the checks know every payment. Sized to run in about a minute.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.centre.service import Centre
from app.services.payments import PaymentService
from app.services.payments.plan import PaymentRequest
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Account, Payment, PaymentMethod
from app.store.models.complaints import Complaint
from app.sync.client import HallSync
from app.sync.protocol import SyncError, SyncOffline
from app.sync.transport import HttpTransport
from tests.conftest import _copy_store, open_test_shift
from tests.sync.conftest import free_port, load_hall
from tests.sync.restored_store import counter_complaints
from tests.sync.test_refusals import poison_complaint

ROOT = Path(__file__).resolve().parents[2]


class DroppingTransport:
    """HTTP, but the answer of the next push is lost after the centre committed it; every
    push body is kept for replays."""

    def __init__(self, inner: HttpTransport) -> None:
        self.inner = inner
        self.drop_next_push = False
        self.sent: list[dict[str, Any]] = []

    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        answer = self.inner.call(endpoint, body, credential)
        if endpoint == "push":
            self.sent.append(json.loads(json.dumps(body)))
            if self.drop_next_push:
                self.drop_next_push = False
                raise SyncOffline("answer dropped")
        return answer


@dataclass
class PC:
    name: str
    hall: str
    path: Path
    store: Store
    transport: DroppingTransport
    client: HallSync


@dataclass
class Campaign:
    centre: Centre
    db: str
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    pcs: list[PC] = field(default_factory=list)
    #: Every payment taken: id → (PC name, receipt number, amount).
    payments: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    #: Every complaint taken with ``complain``, in order: (PC name, number, description).
    complaints: list[tuple[str, str, str]] = field(default_factory=list)
    #: Operations parked on purpose (the poison record and what waits behind it).
    parked: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # the centre process

    def start_centre(self) -> None:
        log = (self.folder / "centre.log").open("ab")
        args = [self.db, str(self.port), str(self.folder)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.campaign_centre", *args],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                HttpTransport(self.url, timeout=2).call("meta", {"protocol": 2}, None)
            except SyncError as exc:
                if not isinstance(exc, SyncOffline):
                    return  # it answers (401)
            assert time.monotonic() < deadline, "the centre did not start"
            assert self.process.poll() is None, "the centre exited"
            time.sleep(0.1)

    def kill_centre(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def hold(self, point: str) -> Callable[[], None]:
        """Make the centre wait at ``point``; returns a function that waits until it is
        there."""
        (self.folder / f"{point}.hold").write_text("")

        def reached() -> None:
            deadline = time.monotonic() + 60
            while not (self.folder / f"{point}.reached").exists():
                assert time.monotonic() < deadline, f"the centre never reached {point}"
                time.sleep(0.05)
            (self.folder / f"{point}.hold").unlink()
            (self.folder / f"{point}.reached").unlink()

        return reached

    # the PCs

    def add_pc(self, name: str, hall: str) -> PC:
        _device, code = self.centre.enrol_device(hall)
        path = self.folder / f"{name}.sqlite3"
        store = open_store(sqlite_url(path))
        transport = DroppingTransport(HttpTransport(self.url, timeout=60))
        client = HallSync(store, transport)
        client.enrol(self.url, code)
        client.sync()
        open_test_shift(store)
        pc = PC(name, hall, path, store, transport, client)
        self.pcs.append(pc)
        return pc

    def reopen(self, pc: PC) -> None:
        pc.store.close()
        pc.store = open_store(sqlite_url(pc.path))
        pc.client = HallSync(pc.store, pc.transport)

    def pay(self, pc: PC, n: int = 1) -> None:
        """``n`` payments at this PC's counter, as the clerk takes them."""
        service = PaymentService(pc.store)
        clerk = AuthService(pc.store).actor_for("A001")
        with pc.store.read() as s:
            accounts = list(s.scalars(select(Account.id).order_by(Account.id)))
        for i in range(n):
            amount = 1000 + 10 * (len(self.payments) + i)  # cash is taken in whole jiao
            account = accounts[(len(self.payments) + i) % len(accounts)]
            plan = service.prepare(clerk, PaymentRequest(account, amount, PaymentMethod.CASH))
            recorded = service.record(clerk, plan)
            with pc.store.read() as s:
                row = s.get(Payment, recorded.payment_id)
                assert row is not None and row.receipt_no
                self.payments[str(row.id)] = (pc.name, row.receipt_no, row.amount_fen)

    def complain(self, pc: PC, n: int = 1) -> None:
        """``n`` complaints taken at this PC's counter (``ComplaintService.intake``)."""
        label = f"{pc.name}-{len(self.complaints)}-"
        for number, description in counter_complaints(pc.store, n, label=label):
            self.complaints.append((pc.name, number, description))

    def sync(self, pc: PC) -> Any:
        return pc.client.sync()

    # the checks

    def check(self) -> None:
        """Every PC's next sync succeeds; every payment is once at the centre and on every
        PC of its hall; receipt numbers never repeat."""
        for _round in range(2):  # the second round brings each PC the others' last work
            for pc in self.pcs:
                report = pc.client.sync()
                assert report.rejected == 0, (pc.name, report)
        with self.centre.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id::text, receipt_no, amount_fen, hall_id FROM payment")
            ).all()
            halls = dict(conn.execute(text("SELECT id, code FROM hall")).all())
        at_centre: dict[str, list[tuple[str, int, str]]] = {}
        for pid, receipt, amount, hall_id in rows:
            at_centre.setdefault(pid, []).append((receipt, amount, halls[hall_id]))
        for pid, (pc_name, receipt, amount) in self.payments.items():
            assert len(at_centre.get(pid, [])) == 1, (pid, pc_name, at_centre.get(pid))
            assert at_centre[pid][0][:2] == (receipt, amount)
        receipts = [(r[3], r[1]) for r in rows if r[1]]  # unique per hall at the centre
        assert len(receipts) == len(set(receipts)), "a receipt number repeats at the centre"
        taken = [r for _p, r, _a in self.payments.values()]
        assert len(taken) == len(set(taken)), "a receipt number was issued twice"
        for pc in self.pcs:
            mine = {p for p, v in self.payments.items() if _hall_of(self, v[0]) == pc.hall}
            with pc.store.read() as s:
                local = {str(r[0]) for r in s.execute(select(Payment.id))}
                pending = {
                    str(r[0])
                    for r in s.execute(
                        text("SELECT op_id FROM sync_outbox WHERE state = 'pending'")
                    )
                }
            assert mine <= local, (pc.name, sorted(mine - local)[:3])
            assert pending <= self.parked, (pc.name, pending - self.parked)
        self._check_complaints()

    def _check_complaints(self) -> None:
        """Every complaint taken is once at the centre and on every PC of its hall, with
        its own number; no complaint number was issued twice."""
        numbers = [n for _pc, n, _d in self.complaints]
        assert len(numbers) == len(set(numbers)), "a complaint number was issued twice"
        for hall in {pc.hall for pc in self.pcs}:
            at_centre = [
                (c["number"], c["description"])
                for c in self.centre.records(hall, "complaint").values()
            ]
            taken = {(n, d) for name, n, d in self.complaints if _hall_of(self, name) == hall}
            assert taken <= set(at_centre), (hall, taken - set(at_centre))
            assert len({n for n, _d in at_centre}) == len(at_centre), hall
            for pc in (p for p in self.pcs if p.hall == hall):
                with pc.store.read() as s:
                    local = set(s.execute(select(Complaint.number, Complaint.description)).all())
                assert taken <= local, (pc.name, taken - local)


def _hall_of(c: Campaign, pc_name: str) -> str:
    return next(p.hall for p in c.pcs if p.name == pc_name)


# --- the scenarios ---------------------------------------------------------------------------


def scenario_kill_centre_mid_push(c: Campaign) -> None:
    a = c.pcs[0]
    c.pay(a, 5)
    reached = c.hold("push.before_commit")
    failed: list[BaseException] = []
    worker = threading.Thread(target=lambda: _expect_failure(c.sync, a, failed))
    worker.start()
    reached()
    c.kill_centre()
    worker.join(60)
    assert failed and isinstance(failed[0], SyncError)
    c.start_centre()
    report = c.sync(a)
    assert report.applied >= 5 and report.duplicates == 0  # nothing was committed


def scenario_kill_centre_mid_pull(c: Campaign) -> None:
    b = c.pcs[1]
    c.pay(b, 3)
    reached = c.hold("pull.page")
    failed: list[BaseException] = []
    worker = threading.Thread(target=lambda: _expect_failure(c.sync, b, failed))
    worker.start()
    reached()
    c.kill_centre()
    worker.join(60)
    assert failed and isinstance(failed[0], SyncError)
    c.start_centre()
    report = c.sync(b)
    assert report.applied == 0  # the push had gone through before the pull
    assert report.pulled >= 0


def scenario_kill_pc_mid_sync(c: Campaign) -> None:
    """A PC's sync is killed (-9) after the centre committed its push and before the PC
    recorded the answer: the next sync sends again and is answered ``duplicate``."""
    a = c.pcs[0]
    c.pay(a, 4)
    a.store.close()
    marker = c.folder / "pc-killed-here"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from app.store.database import open_store, sqlite_url
        from app.sync.client import HallSync
        from app.sync.transport import HttpTransport

        def hook(point):
            if point == "push.before_ack_commit":
                Path({str(marker)!r}).write_text("")
                time.sleep(600)

        store = open_store(sqlite_url({str(a.path)!r}))
        HallSync(store, HttpTransport({c.url!r}), crash=hook).sync()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert time.monotonic() < deadline and proc.poll() is None, "the PC never got there"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    c.reopen(a)
    report = c.sync(a)
    assert report.duplicates >= 4 and report.applied == 0


def scenario_dropped_answers_and_replays(c: Campaign) -> None:
    b = c.pcs[1]
    c.pay(b, 3)
    b.transport.drop_next_push = True
    with pytest.raises(SyncOffline):
        c.sync(b)
    report = c.sync(b)
    assert report.duplicates >= 3 and report.applied == 0
    # Replays: every push body this PC ever sent, delivered again (late), changes nothing.
    credential = b.client.state().credential
    for body in b.transport.sent:
        answer = b.transport.inner.call("push", body, credential)
        assert {r["result"] for r in answer["results"]} <= {"duplicate", "flagged"}


def scenario_burst_after_a_centre_start(c: Campaign) -> None:
    """Issue 13, item 1: every PC pushes in the same second right after the centre starts
    (its registry was half-built then)."""
    for pc in c.pcs:
        c.pay(pc, 5)
    c.kill_centre()
    c.start_centre()
    barrier = threading.Barrier(len(c.pcs))
    errors: list[BaseException] = []

    def go(pc: PC) -> None:
        barrier.wait()
        try:
            report = c.sync(pc)
            assert report.rejected == 0 and report.flagged == 0, report
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(pc,)) for pc in c.pcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []


def scenario_poison_record(c: Campaign) -> None:
    a = c.pcs[0]
    c.pay(a, 1)
    poison_complaint(a.store)
    c.pay(a, 1)
    report = c.sync(a)
    assert report.rejected == 2 and report.applied >= 2  # the complaint and its event
    with a.store.read() as s:  # those two stay here, parked and held; nothing else
        c.parked |= {
            str(r[0])
            for r in s.execute(text("SELECT op_id FROM sync_outbox WHERE state = 'pending'"))
        }


def scenario_restored_store(c: Campaign) -> None:
    """A PC put back on an older copy of its store (issue 13, item 2) takes payments and
    complaints offline before its next sync: no receipt or complaint number is issued
    twice, its lost payments and complaints come back with the pull, and nothing blocks
    (the final checks)."""
    pc = c.pcs[2]
    c.pay(pc, 3)
    c.complain(pc, 2)
    c.sync(pc)
    copy = _copy_store(pc.path, c.folder / f"{pc.name}.older.sqlite3")
    c.pay(pc, 3)
    c.complain(pc, 2)
    c.sync(pc)
    pc.store.close()
    for suffix in ("-wal", "-shm"):
        pc.path.with_name(pc.path.name + suffix).unlink(missing_ok=True)
    pc.path.write_bytes(copy.read_bytes())
    c.reopen(pc)
    c.pay(pc, 3)
    c.complain(pc, 2)
    report = c.sync(pc)
    assert report.applied >= 5 and report.rejected == 0


SCENARIOS: list[Callable[[Campaign], None]] = [
    scenario_kill_centre_mid_push,
    scenario_kill_centre_mid_pull,
    scenario_kill_pc_mid_sync,
    scenario_dropped_answers_and_replays,
    scenario_burst_after_a_centre_start,
    scenario_poison_record,
    scenario_restored_store,
]


def _expect_failure(fn: Callable[[PC], Any], pc: PC, failed: list[BaseException]) -> None:
    try:
        fn(pc)
    except BaseException as exc:
        failed.append(exc)


@pytest.mark.timeout(240)
def test_fault_campaign(centre: Centre, pg_url: str, tiny_demo: Path, tmp_path: Path) -> None:
    for hall in ("H1", "H2"):
        load_hall(centre, hall, tiny_demo)
    c = Campaign(centre, pg_url, tmp_path)
    c.start_centre()
    try:
        for i, hall in enumerate(("H1", "H1", "H1", "H2", "H2", "H2")):
            c.add_pc(f"pc{i}", hall)
        for scenario in SCENARIOS:
            scenario(c)
        c.check()
        assert len(c.payments) >= 30
    finally:
        for pc in c.pcs:
            pc.store.close()
        if c.process is not None:
            c.kill_centre()
