"""TLS and the centre credential (issue 13, item 7): "both sides accept plain HTTP to any
host without a word … The PC keeps its centre credential in plain text in a store created
0644"."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import select

from app.centre.service import Centre
from app.cli import main
from app.domain.errors import PermissionDenied
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from app.store.models import AuditEvent
from app.sync import credentials
from app.sync.service import SyncService
from app.sync.transport import HttpTransport, PlainHttpRefused, unencrypted
from tests.sync.conftest import load_hall, new_hall_pc, pay


class MemoryKeyring(KeyringBackend):
    """A credential store in memory (stands for Windows Credential Locker / Secret
    Service, which this machine has not)."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def os_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    try:
        yield store
    finally:
        keyring.set_keyring(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_new_store_and_its_wal_and_shm_are_readable_by_the_user_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = open_store(sqlite_url(tmp_path / "new.sqlite3"))
        try:
            with store.unit_of_work() as s:
                s.add(AuditEvent(at=datetime.now(UTC), action="x", entity="y", detail="{}"))
            files = sorted(tmp_path.glob("new.sqlite3*"))
            assert {f.name for f in files} >= {"new.sqlite3", "new.sqlite3-wal", "new.sqlite3-shm"}
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        finally:
            store.close()
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_existing_store_is_tightened_when_opened(demo_db_copy: Path) -> None:
    demo_db_copy.chmod(0o644)
    store = open_store(sqlite_url(demo_db_copy))
    store.close()
    assert _mode(demo_db_copy) == 0o600


def test_the_credential_goes_to_the_os_credential_store(
    os_keyring: MemoryKeyring, centre: Centre, tiny_demo: Path, tmp_path: Path
) -> None:
    load_hall(centre, "H1", tiny_demo)
    pc = new_hall_pc(centre, "H1", tmp_path / "pc.sqlite3")
    stored = pc.sync.state().credential
    assert credentials.in_credential_store(stored)
    [secret] = os_keyring.secrets.values()
    assert secret not in stored and len(secret) > 20
    raw = (tmp_path / "pc.sqlite3").read_bytes()
    assert secret.encode() not in raw  # nowhere in the store file
    pay(pc.store, 100, account_id=1)
    assert pc.sync.sync().applied == 1  # read back from the credential store
    os_keyring.secrets.clear()  # e.g. the Windows profile was reset
    with pytest.raises(credentials.CredentialMissing):
        pc.sync.sync()


def test_without_a_usable_credential_store_it_stays_in_the_private_store(
    centre: Centre, tiny_demo: Path, tmp_path: Path
) -> None:
    """This machine (like CI) has no usable backend: ``keyring.backends.fail``."""
    load_hall(centre, "H1", tiny_demo)
    pc = new_hall_pc(centre, "H1", tmp_path / "pc.sqlite3")
    assert not credentials.in_credential_store(pc.sync.state().credential)
    assert pc.sync.sync().pushed == 0


def test_plain_http_goes_only_to_this_machine_unless_an_administrator_allows_it(
    demo_db_copy: Path,
) -> None:
    assert not unencrypted("http://127.0.0.1:8765") and not unencrypted("http://localhost:1")
    assert not unencrypted("https://centre.example:8765")
    assert unencrypted("http://centre.example:8765") and unencrypted("http://[2001:db8::1]:80")
    # Refused before any byte is sent (no connection is attempted).
    with pytest.raises(PlainHttpRefused):
        HttpTransport("http://centre.example:8765").call("meta", {}, "x")
    store = open_store(sqlite_url(demo_db_copy))
    try:
        service = SyncService(store)
        auth = AuthService(store)
        assert not service.plain_http_allowed()
        for role_holder in ("A001", "L001"):
            with pytest.raises(PermissionDenied):
                service.set_plain_http_allowed(auth.actor_for(role_holder), True)
        service.set_plain_http_allowed(auth.actor_for("ADMIN"), True)
        assert service.plain_http_allowed()
        transport: Any = service._transport("http://centre.example:8765")
        assert transport.allow_plain_http and transport.unencrypted
        with store.read() as s:
            assert s.scalars(
                select(AuditEvent).where(AuditEvent.action == "sync_plain_http")
            ).first()
    finally:
        store.close()


def test_the_sync_command_refuses_plain_http_to_another_machine(
    demo_db_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    try:
        from sqlalchemy import update

        from app.store.models.sync import SyncState
        from app.sync.client import HallSync

        HallSync(store, None).state()
        with store.unit_of_work() as s:
            s.execute(
                update(SyncState).values(url="http://centre.example:8765", credential="secret")
            )
    finally:
        store.close()
    assert main(["sync", "run", "--db", str(demo_db_copy)]) == 1
    assert "http://centre.example:8765" in capsys.readouterr().err


def test_the_centre_warns_when_it_serves_plain_http_beyond_this_machine(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    served: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(kw))
    assert main(["centre", "serve", "--db", pg_url, "--host", "0.0.0.0"]) == 0
    assert "0.0.0.0" in capsys.readouterr().err
    assert main(["centre", "serve", "--db", pg_url, "--host", "127.0.0.1"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["centre", "serve", "--db", pg_url, "--workers", "3"]) == 0
    assert served[-1]["workers"] == 3 and served[-1]["factory"] is True
