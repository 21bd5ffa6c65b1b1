"""PostgreSQL for the sync tests: a fresh database per test from ``HALLDESK_TEST_PG``.

``.ci/run`` starts a throwaway cluster and sets the variable. Without it the tests are
skipped on a workstation and FAIL under ``CI=true`` (a CI run must never pass silently
without the centre's database).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

import uvicorn
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.centre.api import create_app
from app.centre.local import LocalTransport
from app.centre.service import Centre, centre_engine, migrate
from app.domain.ids import uuid7
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Bill, DeviceInfo, Payment, PaymentAllocation
from app.sync.client import HallSync
from tests.conftest import DEMO_TODAY

PG_VAR = "HALLDESK_TEST_PG"


def base_pg_url() -> str:
    url = os.environ.get(PG_VAR, "")
    if not url:
        message = f"{PG_VAR} is not set: the sync tests need a PostgreSQL (see .ci/run)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


def create_database() -> str:
    base = make_url(base_pg_url())
    name = f"hd_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def centre(pg_url: str) -> Iterator[Centre]:
    engine = centre_engine(pg_url)
    migrate(engine)
    try:
        yield Centre(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An 8-customer demo store: the centre's data for the sync tests."""
    from app.demo.generator import generate

    path = tmp_path_factory.mktemp("sync-demo") / "tiny.sqlite3"
    generate(path, customers=8, seed=11, today=DEMO_TODAY)
    return path


@dataclass
class Hall:
    """One hall PC: its store file, its store and its sync client."""

    path: Path
    store: Store
    sync: HallSync
    transport: Any

    def reopen(self) -> None:
        self.store.close()
        self.store = open_store(sqlite_url(self.path))
        self.sync = HallSync(self.store, self.transport, self.sync.clock)


def load_hall(centre: Centre, code: str, source: Path) -> None:
    centre.ensure_hall(code, f"Hall {code}")
    centre.load_store(code, source)


@pytest.fixture
def two_pcs(centre: Centre, tiny_demo: Path, tmp_path: Path) -> tuple[Hall, Hall]:
    """Two PCs of hall H1 (the tiny demo loaded into the centre), each with its first sync."""
    load_hall(centre, "H1", tiny_demo)
    return (
        new_hall_pc(centre, "H1", tmp_path / "a.sqlite3"),
        new_hall_pc(centre, "H1", tmp_path / "b.sqlite3"),
    )


def new_hall_pc(centre: Centre, hall_code: str, path: Path, transport: Any = None) -> Hall:
    """A PC whose first store is created by pulling from the centre (``sync init``)."""
    _device, code = centre.enrol_device(hall_code)
    store = open_store(sqlite_url(path))
    transport = transport or LocalTransport(centre)
    client = HallSync(store, transport)
    client.enrol("local:", code)
    client.sync()
    return Hall(path, store, client, transport)


def pay(
    store: Store,
    amount_fen: int,
    *,
    bill_id: int | None = None,
    account_id: int | None = None,
    paid_at: datetime | None = None,
) -> uuid.UUID:
    """A payment written at the counter (as PaymentService writes it: one transaction)."""
    with store.unit_of_work() as session:
        device = session.scalars(select(DeviceInfo)).one()
        if bill_id is not None:
            bill = session.get(Bill, bill_id)
            assert bill is not None
            account_id = bill.account_id
        assert account_id is not None
        pid = uuid7()
        session.add(
            Payment(
                id=pid,
                account_id=account_id,
                amount_fen=amount_fen,
                method="cash",
                paid_at=paid_at or datetime.now(UTC),
                device_code=device.device_code,
                receipt_no=f"{device.device_code}-{pid.hex[-10:]}",
            )
        )
        session.flush()
        if bill_id is not None:
            session.add(PaymentAllocation(payment_id=pid, bill_id=bill_id, amount_fen=amount_fen))
    return pid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(centre: Centre) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(centre), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
