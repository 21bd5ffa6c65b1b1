"""Staff, counters and the hall's details are the hall's: written at any of its PCs and
shared through the centre with the next sync (real PostgreSQL, two PCs of hall H1).

The decision (docs/sync.md, "Which kinds sync"): the hall is master. A disabled member of
staff can no longer log in at any PC of the hall once it has synced; passwords travel only
as hashes; a lock-out stays on the PC where it happened.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.centre.service import Centre
from app.domain.errors import AuthenticationError
from app.domain.ids import hall_record_id
from app.services.hall.admin import HallAdminService
from app.services.staff import (
    NewStaff,
    PasswordChange,
    PasswordService,
    StaffAdminService,
    StaffEdit,
)
from app.services.staff.auth import MAX_FAILED_LOGINS, AuthService
from app.store.models import Role, Staff
from tests.sync.conftest import Hall


def _staff(pc: Hall, staff_no: str) -> Staff:
    with pc.store.read() as s:
        found = s.scalars(select(Staff).where(Staff.staff_no == staff_no)).one()
        s.expunge(found)
        return found


def test_a_clerk_added_at_one_pc_logs_in_at_the_other_and_is_disabled_everywhere(
    centre: Centre, two_pcs: tuple[Hall, Hall]
) -> None:
    a, b = two_pcs
    admin_a = AuthService(a.store).actor_for("ADMIN")
    admin = StaffAdminService(a.store)
    given = admin.add(admin_a, NewStaff("K001", "孔令辉", Role.CLERK))
    a.sync.sync()
    b.sync.sync()

    # The record and its password hash reached the centre and B; the password did not.
    stored = centre.records("H1", "staff")[str(given.staff_id)]
    assert stored["staff_no"] == "K001" and stored["must_change_password"] is True
    assert "failed_logins" not in stored and "locked_until" not in stored
    assert given.password not in json.dumps(centre.records("H1", "staff_password"))
    auth_b = AuthService(b.store)
    clerk_b = auth_b.login("K001", given.password)
    assert PasswordService(b.store).must_change(clerk_b)
    PasswordService(b.store).change_own(
        clerk_b, PasswordChange(given.password, "kong-pw-88", "kong-pw-88")
    )
    b.sync.sync()
    a.sync.sync()
    # The new password works at A too (its hash travelled); the one-time one no longer.
    assert AuthService(a.store).login("K001", "kong-pw-88").staff_id == given.staff_id
    with pytest.raises(AuthenticationError):
        AuthService(a.store).login("K001", given.password)

    admin.set_active(admin_a, given.staff_id, False, "离职")
    # Before the sync, B still knows an active clerk…
    assert auth_b.login("K001", "kong-pw-88").staff_no == "K001"
    a.sync.sync()
    b.sync.sync()
    # …after it, the disabled clerk can no longer log in at B.
    with pytest.raises(AuthenticationError):
        auth_b.login("K001", "kong-pw-88")
    assert not _staff(b, "K001").active


def test_a_lock_out_stays_on_its_pc(centre: Centre, two_pcs: tuple[Hall, Hall]) -> None:
    a, b = two_pcs
    auth_b = AuthService(b.store)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            auth_b.login("A001", "wrong")
    b.sync.sync()
    a.sync.sync()
    assert _staff(b, "A001").locked_until is not None
    assert _staff(a, "A001").locked_until is None
    assert AuthService(a.store).login("A001", "demo").staff_no == "A001"
    # An administrator's change to the locked clerk reaches B without lifting B's lock-out.
    admin_a = AuthService(a.store).actor_for("ADMIN")
    clerk = _staff(a, "A001")
    StaffAdminService(a.store).edit(admin_a, StaffEdit(clerk.id, "新名字", Role.CLERK))
    a.sync.sync()
    b.sync.sync()
    on_b = _staff(b, "A001")
    assert on_b.name == "新名字" and on_b.locked_until is not None


def test_the_same_staff_number_added_offline_at_two_pcs_is_one_person(
    centre: Centre, two_pcs: tuple[Hall, Hall]
) -> None:
    a, b = two_pcs
    admin_a = AuthService(a.store).actor_for("ADMIN")
    admin_b = AuthService(b.store).actor_for("ADMIN")
    StaffAdminService(a.store).add(admin_a, NewStaff("K002", "王", Role.CLERK))
    StaffAdminService(b.store).add(admin_b, NewStaff("k002", "王五", Role.LEADER))
    a.sync.sync()
    b.sync.sync()  # B's change is pushed last: it wins
    a.sync.sync()
    for pc in (a, b):
        with pc.store.read() as s:
            rows = s.scalars(select(Staff).where(Staff.staff_no == "K002")).all()
            assert [(r.id, r.name, r.role) for r in rows] == [
                (hall_record_id("staff", "K002"), "王五", "leader")
            ]
    # Both additions stay in the trail.
    added = [
        json.loads(str(p["detail"]))
        for p in centre.records("H1", "audit_event").values()
        if p["action"] == "staff_added"
    ]
    assert sorted(d["name"] for d in added) == ["王", "王五"]


def test_hall_details_counters_and_pcs_reach_the_other_pc(
    centre: Centre, two_pcs: tuple[Hall, Hall]
) -> None:
    a, b = two_pcs
    admin_a = AuthService(a.store).actor_for("ADMIN")
    hall_a, hall_b = HallAdminService(a.store), HallAdminService(b.store)
    hall_b.register_this_pc()  # B puts itself on the hall's list
    b.sync.sync()
    a.sync.sync()
    profile = hall_a.profile()
    hall_a.save_profile(admin_a, "徐汇营业厅", "上海市徐汇区漕溪北路1号", "021-12345")
    c09 = hall_a.add_counter(admin_a, "C09", "9号台席")
    b_code = hall_b.pcs()[0].pc_code
    hall_a.assign_pc(admin_a, b_code, c09)
    a.sync.sync()
    b.sync.sync()
    moved = hall_b.profile()
    assert (moved.name, moved.address, moved.hotline) == (
        "徐汇营业厅",
        "上海市徐汇区漕溪北路1号",
        "021-12345",
    )
    assert moved.hall_id == profile.hall_id
    assert "C09" in [c.code for c in hall_b.counters()]
    assert hall_b.register_this_pc().counter_id == c09  # B takes its new counter
