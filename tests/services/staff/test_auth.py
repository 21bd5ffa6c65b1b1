from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.errors import AuthenticationError, ValidationError
from app.services.staff.auth import LOCKOUT, MAX_FAILED_LOGINS, AuthService
from app.store.database import open_store, sqlite_url
from app.store.models import Role


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_login_with_demo_credentials(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    actor = AuthService(store).login("a001", "demo")
    assert actor.staff_no == "A001" and actor.role is Role.CLERK
    assert AuthService(store).login("L001", "demo").is_leader
    store.close()


def test_failures_count_and_lock_out(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    clock = FakeClock()
    auth = AuthService(store, clock)
    for attempt in range(1, MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError) as err:
            auth.login("A001", "wrong")
        assert err.value.params["remaining"] == MAX_FAILED_LOGINS - attempt
    with pytest.raises(AuthenticationError) as err:
        auth.login("A001", "wrong")
    assert "minutes" in err.value.params
    # Locked: even the right password is refused until the lock expires.
    with pytest.raises(AuthenticationError):
        auth.login("A001", "demo")
    clock.now += LOCKOUT + timedelta(seconds=1)
    assert auth.login("A001", "demo").staff_no == "A001"
    store.close()
    con = sqlite3.connect(demo_db_copy)
    actions = [r[0] for r in con.execute("SELECT action FROM audit_event ORDER BY at")]
    assert actions.count("login_failed") == MAX_FAILED_LOGINS
    assert "staff_locked" in actions and "login_refused_locked" in actions
    assert actions[-1] == "login"


def test_lockout_survives_a_restart(demo_db_copy: Path) -> None:
    clock = FakeClock()
    store = open_store(sqlite_url(demo_db_copy))
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            AuthService(store, clock).login("A001", "wrong")
    store.close()
    reopened = open_store(sqlite_url(demo_db_copy))
    with pytest.raises(AuthenticationError):
        AuthService(reopened, clock).login("A001", "demo")
    reopened.close()


def test_unknown_staff_and_empty_fields(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    auth = AuthService(store)
    with pytest.raises(AuthenticationError):
        auth.login("Z999", "demo")
    with pytest.raises(ValidationError) as err:
        auth.login("  ", "demo")
    assert err.value.field == "staff_no"
    with pytest.raises(ValidationError) as err:
        auth.login("A001", "")
    assert err.value.field == "password"
    store.close()


def test_leader_credential_refuses_a_clerk(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    auth = AuthService(store)
    assert auth.leader_credential("L001", "demo").role is Role.LEADER
    with pytest.raises(AuthenticationError):
        auth.leader_credential("A001", "demo")
    store.close()
