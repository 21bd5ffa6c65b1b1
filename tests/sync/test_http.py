"""The centre over real HTTP on loopback (uvicorn in a thread), and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.centre.service import Centre
from app.cli import main
from app.store.database import open_store, sqlite_url
from app.store.models import Customer
from app.sync.client import HallSync
from app.sync.protocol import DeviceRefused, SyncOffline
from app.sync.transport import HttpTransport
from tests.sync.conftest import free_port, load_hall, pay


def test_enrol_init_pay_and_sync_over_http(
    server: str, centre: Centre, tiny_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_hall(centre, "H1", tiny_demo)
    pg = centre.engine.url.render_as_string(hide_password=False)
    assert main(["centre", "enrol-device", "--db", pg, "--hall", "H1"]) == 0
    code = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    db = tmp_path / "hall.sqlite3"
    assert main(["sync", "init", "--db", str(db), "--url", server, "--code", code]) == 0
    assert "D0000" in capsys.readouterr().out
    store = open_store(sqlite_url(db))
    try:
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(Customer)) == 8
        pid = pay(store, 100, account_id=1)
        report = HallSync(store, HttpTransport(server)).sync()
        assert (report.pushed, report.applied) == (1, 1)
        assert str(pid) in centre.records("H1", "payment")
    finally:
        store.close()
    assert main(["sync", "run", "--db", str(db)]) == 0
    # A wrong credential is refused with 401, not mistaken for a network failure.
    with pytest.raises(DeviceRefused):
        HttpTransport(server).call("meta", {"protocol": 1}, "not-a-credential")


def test_unreachable_centre_is_offline(tmp_path: Path) -> None:
    with pytest.raises(SyncOffline):
        HttpTransport(f"http://127.0.0.1:{free_port()}", timeout=2).call(
            "meta", {"protocol": 1}, "x"
        )
