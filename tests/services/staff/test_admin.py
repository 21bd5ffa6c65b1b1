"""Staff administration and everyone's own password, on a copy of the demo store.

"营业人员必须注重自身形象,必须佩带工号牌" (the hall rules): every member of staff is known
by the staff number on their badge; history names them, so nobody is ever deleted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.errors import (
    AuthenticationError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.domain.ids import hall_record_id
from app.services.base import Actor
from app.services.shifts import ShiftService
from app.services.shifts.records import ShiftRefused
from app.services.staff import (
    NewStaff,
    PasswordChange,
    PasswordService,
    StaffAdminService,
    StaffEdit,
)
from app.services.staff.auth import MAX_FAILED_LOGINS, AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Role, Staff
from app.store.models.admin import StaffPassword


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hall:
    path: Path
    store: Store
    clock: Clock
    auth: AuthService
    admin: StaffAdminService
    passwords: PasswordService
    administrator: Actor

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.path)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def counter_id(self, code: str) -> int:
        return next(c for c, k, _n in self.admin.counters(self.administrator) if k == code)


@pytest.fixture
def hall(demo_db_copy: Path) -> Iterator[Hall]:
    store = open_store(sqlite_url(demo_db_copy))
    clock = Clock()
    auth = AuthService(store, clock)
    yield Hall(
        demo_db_copy,
        store,
        clock,
        auth,
        StaffAdminService(store, clock),
        PasswordService(store, clock),
        auth.actor_for("ADMIN"),
    )
    store.close()


def test_an_added_clerk_logs_in_with_the_one_time_password_and_must_change_it(
    hall: Hall,
) -> None:
    given = hall.admin.add(hall.administrator, NewStaff("wang0101", " 王  小明 ", Role.CLERK))
    assert (given.staff_no, given.name) == ("WANG0101", "王 小明")
    assert given.staff_id == hall_record_id("staff", "WANG0101")  # the same id on every PC
    clerk = hall.auth.login("WANG0101", given.password)
    assert clerk.role == Role.CLERK
    assert hall.passwords.must_change(clerk)
    # The plain password is stored nowhere, only its hash (also in the history).
    dump = "\n".join(str(r) for r in hall.sql("SELECT * FROM staff_password"))
    assert given.password not in dump
    assert given.password not in str(hall.sql("SELECT payload FROM sync_outbox"))

    with pytest.raises(ValidationError, match="not the same"):
        hall.passwords.change_own(clerk, PasswordChange(given.password, "new-pass-1", "new-pas"))
    with pytest.raises(ValidationError, match="staff number"):
        hall.passwords.change_own(clerk, PasswordChange(given.password, "Wang0101", "Wang0101"))
    with pytest.raises(ValidationError, match="last"):
        hall.passwords.change_own(
            clerk, PasswordChange(given.password, given.password, given.password)
        )
    hall.passwords.change_own(clerk, PasswordChange(given.password, "new-pass-1", "new-pass-1"))
    assert not hall.passwords.must_change(clerk)
    with pytest.raises(AuthenticationError):
        hall.auth.login("WANG0101", given.password)
    assert hall.auth.login("WANG0101", "new-pass-1").staff_id == clerk.staff_id
    actions = [a for (a,) in hall.sql("SELECT action FROM audit_event ORDER BY at, id")]
    assert {"staff_added", "login", "password_changed", "login_failed"} <= set(actions)


def test_a_leader_with_a_one_time_password_cannot_approve_until_they_change_it(
    hall: Hall,
) -> None:
    given = hall.admin.add(hall.administrator, NewStaff("L101", "赵班长", Role.LEADER))
    with pytest.raises(AuthenticationError, match="one-time"):
        hall.auth.leader_credential("L101", given.password)
    leader = hall.auth.login("L101", given.password)
    hall.passwords.change_own(leader, PasswordChange(given.password, "leader-pw-9", "leader-pw-9"))
    assert hall.auth.leader_credential("L101", "leader-pw-9").role == Role.LEADER


def test_the_last_passwords_cannot_come_back(hall: Hall) -> None:
    given = hall.admin.add(hall.administrator, NewStaff("A102", "钱", Role.CLERK))
    clerk = hall.auth.login("A102", given.password)
    current = given.password
    for n in range(5):
        hall.passwords.change_own(
            clerk, PasswordChange(current, f"rotate-{n}-pw", f"rotate-{n}-pw")
        )
        current = f"rotate-{n}-pw"
    # The one-time password is six changes back: out of the last five, allowed again;
    # rotate-0 is the fifth-newest: refused.
    with pytest.raises(ValidationError, match="5"):
        hall.passwords.change_own(clerk, PasswordChange(current, "rotate-0-pw", "rotate-0-pw"))
    hall.passwords.change_own(clerk, PasswordChange(current, given.password, given.password))


def test_a_wrong_current_password_counts_towards_the_lock_out(hall: Hall) -> None:
    clerk = hall.auth.actor_for("A001")
    for n in range(1, MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError, match=str(MAX_FAILED_LOGINS - n)):
            hall.passwords.change_own(clerk, PasswordChange("wrong", "abcdefgh9", "abcdefgh9"))
    with pytest.raises(AuthenticationError, match="Too many"):
        hall.passwords.change_own(clerk, PasswordChange("wrong", "abcdefgh9", "abcdefgh9"))
    with pytest.raises(AuthenticationError, match="Too many"):
        hall.auth.login("A001", "demo")  # the lock-out holds for the login too
    hall.admin.unlock(hall.administrator, clerk.staff_id)
    assert hall.auth.login("A001", "demo").staff_no == "A001"
    unlocked = hall.sql("SELECT detail FROM audit_event WHERE action = 'staff_unlocked'")
    assert json.loads(str(unlocked[0][0]))["was_locked"] is True


def test_only_administrators_administer(hall: Hall) -> None:
    for staff_no in ("A001", "L001"):
        actor = hall.auth.actor_for(staff_no)
        with pytest.raises(PermissionDenied):
            hall.admin.staff(actor)
        with pytest.raises(PermissionDenied):
            hall.admin.add(actor, NewStaff("A103", "孙", Role.CLERK))
        with pytest.raises(PermissionDenied):
            hall.admin.reset_password(actor, hall.auth.actor_for("A002").staff_id)


def test_a_disabled_member_cannot_log_in_and_is_never_deleted(hall: Hall) -> None:
    clerk = hall.auth.actor_for("A002")
    hall.admin.set_active(hall.administrator, clerk.staff_id, False, "离职")
    with pytest.raises(AuthenticationError):
        hall.auth.login("A002", "demo")
    row = next(r for r in hall.admin.staff(hall.administrator) if r.staff_no == "A002")
    assert not row.active
    assert "A002" not in [
        r.staff_no for r in hall.admin.staff(hall.administrator, include_disabled=False)
    ]
    hall.admin.set_active(hall.administrator, clerk.staff_id, True)
    assert hall.auth.login("A002", "demo").staff_no == "A002"
    detail = hall.sql("SELECT detail FROM audit_event WHERE action = 'staff_disabled'")
    assert json.loads(str(detail[0][0]))["reason"] == "离职"


def test_a_disabled_leader_runs_no_script_under_their_number(
    hall: Hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16, item 1: "a disabled member of staff can no longer log in anywhere" — nor
    act through the scripts that take a staff number instead of a password."""
    from app.cli import main

    leader = hall.auth.actor_for("L001")
    hall.admin.set_active(hall.administrator, leader.staff_id, False, "调岗")
    with pytest.raises(AuthenticationError):
        hall.auth.actor_for("L001")
    hall.store.close()
    out = tmp_path / "trail.xlsx"
    args = ["audit", "export", "--db", str(hall.path), "--from", "2026-11-01"]
    assert main([*args, "--to", "2026-11-30", "--out", str(out), "--by", "L001"]) == 1
    assert not out.exists()


def test_the_hall_keeps_an_active_administrator(hall: Hall) -> None:
    me = hall.administrator
    with pytest.raises(PermissionDenied, match="yourself"):
        hall.admin.set_active(me, me.staff_id, False)
    with pytest.raises(PermissionDenied, match="own role"):
        hall.admin.edit(me, StaffEdit(me.staff_id, me.name, Role.LEADER))
    second = hall.admin.add(me, NewStaff("ADM2", "副管理员", Role.ADMIN))
    other = Actor(second.staff_id, "ADM2", "副管理员", Role.ADMIN, me.hall_id)
    hall.admin.set_active(other, me.staff_id, False)  # another administrator remains
    with pytest.raises(PermissionDenied, match="only active administrator"):
        hall.admin.edit(
            Actor(99, "X", "x", Role.ADMIN, me.hall_id),
            StaffEdit(second.staff_id, "副管理员", Role.CLERK),
        )


def test_a_staff_number_is_taken_once(hall: Hall) -> None:
    with pytest.raises(ValidationError, match="already taken") as refused:
        hall.admin.add(hall.administrator, NewStaff("a001", "重复", Role.CLERK))
    assert refused.value.field == "staff_no"
    with pytest.raises(ValidationError) as bad:
        hall.admin.add(hall.administrator, NewStaff("A-1", "坏", Role.CLERK))
    assert bad.value.field == "staff_no"
    with pytest.raises(ValidationError) as control:
        hall.admin.add(hall.administrator, NewStaff("A104", "名\x00字", Role.CLERK))
    assert control.value.field == "name"


def test_an_edit_is_audited_with_what_it_was_and_what_it_became(hall: Hall) -> None:
    c02 = hall.counter_id("C02")
    given = hall.admin.add(hall.administrator, NewStaff("A105", "周", Role.CLERK, [c02]))
    row = next(r for r in hall.admin.staff(hall.administrator) if r.staff_no == "A105")
    assert row.counters == ("C02",)
    hall.admin.edit(
        hall.administrator,
        StaffEdit(given.staff_id, "周杰", Role.LEADER, [c02, hall.counter_id("C03")]),
    )
    detail = json.loads(
        str(hall.sql("SELECT detail FROM audit_event WHERE action = 'staff_changed'")[0][0])
    )
    assert detail["name"] == {"before": "周", "after": "周杰"}
    assert detail["role"] == {"before": "clerk", "after": "leader"}
    assert detail["counters"] == {"before": ["C02"], "after": ["C02", "C03"]}
    with pytest.raises(NotFound):
        hall.admin.edit(hall.administrator, StaffEdit(123, "x", Role.CLERK))


def test_a_clerk_works_only_at_the_counters_listed_for_them(hall: Hall) -> None:
    """The demo PC sits at C01: a clerk listed for C02 only cannot open a shift there."""
    clerk = hall.auth.actor_for("A003")
    hall.admin.edit(
        hall.administrator,
        StaffEdit(clerk.staff_id, clerk.name, Role.CLERK, [hall.counter_id("C02")]),
    )
    shifts = ShiftService(hall.store, hall.clock)
    with pytest.raises(ShiftRefused, match="C01"):
        shifts.open(clerk, {"note_100": 1})
    hall.admin.edit(hall.administrator, StaffEdit(clerk.staff_id, clerk.name, Role.CLERK, []))
    assert shifts.open(clerk, {"note_100": 1}) is not None


def test_a_reset_gives_a_new_one_time_password_and_lifts_the_lock_out(hall: Hall) -> None:
    clerk = hall.auth.actor_for("A004")
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            hall.auth.login("A004", "nope")
    given = hall.admin.reset_password(hall.administrator, clerk.staff_id)
    assert hall.auth.login("A004", given.password).staff_id == clerk.staff_id
    assert hall.passwords.must_change(clerk)
    with pytest.raises(PermissionDenied):
        hall.admin.reset_password(hall.administrator, hall.administrator.staff_id)


def test_a_lock_out_stays_on_this_pc_and_makes_no_sync_operation(hall: Hall) -> None:
    """Failed logins and the lock-out are this PC's own (``Kind.local``): before issue 16
    every failed login queued the whole staff row (with its counters) for the centre."""
    before = hall.sql("SELECT count(*) FROM sync_outbox WHERE kind = 'staff'")[0][0]
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            hall.auth.login("A005", "nope")
    hall.clock.now += timedelta(hours=1)
    hall.auth.login("A005", "demo")  # clears the count
    assert hall.sql("SELECT count(*) FROM sync_outbox WHERE kind = 'staff'")[0][0] == before
    hall.admin.set_active(hall.administrator, hall.auth.actor_for("A005").staff_id, False)
    payloads = [
        json.loads(str(p))
        for (p,) in hall.sql("SELECT payload FROM sync_outbox WHERE kind = 'staff'")
    ]
    assert payloads and all("failed_logins" not in p and "locked_until" not in p for p in payloads)


def test_a_new_member_travels_before_their_password_history(hall: Hall) -> None:
    """The outbox lists parents first whatever order a unit of work wrote the rows in:
    another PC's pull never meets a password history row whose member of staff it does
    not have yet (a page boundary between the two used to be a foreign-key failure)."""
    staff_id = hall_record_id("staff", "A107")
    with hall.store.unit_of_work() as session:
        session.execute(text("PRAGMA defer_foreign_keys = ON"))  # the child may come first
        session.add(
            StaffPassword(
                staff_id=staff_id, password_hash="x", set_at=hall.clock.now, one_time=True
            )
        )
        session.add(
            Staff(
                id=staff_id,
                hall_id=hall.administrator.hall_id,
                staff_no="A107",
                name="郑",
                role="clerk",
                password_hash="x",
            )
        )
    kinds = [k for (k,) in hall.sql("SELECT kind FROM sync_outbox ORDER BY seq")]
    assert kinds == ["staff", "staff_password"]
    hall.admin.add(hall.administrator, NewStaff("A106", "吴", Role.CLERK, [hall.counter_id("C01")]))
    kinds = [k for (k,) in hall.sql("SELECT kind FROM sync_outbox ORDER BY seq")][2:]
    assert kinds.index("staff") < kinds.index("staff_password")
    assert kinds.index("staff") < kinds.index("staff_counter")
