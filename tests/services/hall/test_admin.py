"""The hall's details, counters and PCs as the administrator keeps them (issue 16, item 2).

"并注意保持台席的整洁干净" (the hall rules): the counters (台席) are the hall's places of
work; each has a code and a name, and each PC sits at one.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents.receipt import ReceiptLayout
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.services.base import Actor
from app.services.hall.admin import HallAdminService, rename_pc
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.payments.receipts import ReceiptService
from app.services.shifts import ShiftService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import DeviceInfo
from tests.conftest import open_test_shift

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


@dataclass
class Hall:
    path: Path
    store: Store
    service: HallAdminService
    admin: Actor
    auth: AuthService

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.path)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def audit(self, action: str) -> list[dict[str, object]]:
        return [
            json.loads(str(d))
            for (d,) in self.sql("SELECT detail FROM audit_event WHERE action = ?", action)
        ]


@pytest.fixture
def hall(demo_db_copy: Path) -> Iterator[Hall]:
    store = open_store(sqlite_url(demo_db_copy))
    auth = AuthService(store, lambda: NOW)
    yield Hall(
        demo_db_copy, store, HallAdminService(store, lambda: NOW), auth.actor_for("ADMIN"), auth
    )
    store.close()


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_next_receipt_prints_the_hall_details_as_changed(hall: Hall) -> None:
    before = hall.service.profile()
    assert hall.service.save_profile(
        hall.admin, "浦东新区世纪大道营业厅", "上海市浦东新区世纪大道100号", "021-10000"
    )
    after = hall.service.profile()
    assert (after.name, after.address, after.hotline) == (
        "浦东新区世纪大道营业厅",
        "上海市浦东新区世纪大道100号",
        "021-10000",
    )
    change = hall.audit("hall_details_changed")[0]
    assert change["name"] == {"before": before.name, "after": "浦东新区世纪大道营业厅"}
    assert change["hotline"] == {"before": before.hotline, "after": "021-10000"}
    assert not hall.service.save_profile(hall.admin, after.name, after.address, after.hotline)
    assert len(hall.audit("hall_details_changed")) == 1  # nothing changed: nothing written

    open_test_shift(hall.store, lambda: NOW)
    payments = PaymentService(hall.store, lambda: NOW)
    clerk = hall.auth.actor_for("A001")
    account = int(
        str(hall.sql("SELECT account_id FROM account_ledger WHERE owed_fen > 0 LIMIT 1")[0][0])
    )
    plan = payments.prepare(
        clerk, PaymentRequest(account, 5000, PaymentMethod.BANK_CARD, reference="T0001")
    )
    paid = payments.record(clerk, plan)
    text = pdf_text(
        ReceiptService(hall.store, lambda: NOW)
        .render(paid.payment_id, ReceiptLayout.ROLL_80, reprint=False)
        .pdf
    )
    assert "浦东新区世纪大道营业厅" in text
    assert "上海市浦东新区世纪大道100号" in text
    assert "021-10000" in text
    assert before.name not in text


def test_hall_details_are_checked_and_only_administrators_change_them(hall: Hall) -> None:
    p = hall.service.profile()
    with pytest.raises(ValidationError) as bad:
        hall.service.save_profile(hall.admin, p.name, p.address, "hotline")
    assert bad.value.field == "hotline"
    with pytest.raises(ValidationError) as empty:
        hall.service.save_profile(hall.admin, " ", p.address, p.hotline)
    assert empty.value.field == "hall_name"
    with pytest.raises(PermissionDenied):
        hall.service.save_profile(hall.auth.actor_for("L001"), "x", p.address, p.hotline)


def test_counters_are_added_and_renamed_never_twice(hall: Hall) -> None:
    new_id = hall.service.add_counter(hall.admin, "c09", "9号台席（VIP）")
    row = next(c for c in hall.service.counters() if c.counter_id == new_id)
    assert (row.code, row.name) == ("C09", "9号台席（VIP）")
    with pytest.raises(ValidationError, match="already exists"):
        hall.service.add_counter(hall.admin, "C09", "again")
    hall.service.rename_counter(hall.admin, new_id, "9号台席")
    assert hall.audit("counter_renamed")[0]["name"] == {
        "before": "9号台席（VIP）",
        "after": "9号台席",
    }
    with pytest.raises(NotFound):
        hall.service.rename_counter(hall.admin, 999_999, "x")
    with pytest.raises(PermissionDenied):
        hall.service.add_counter(hall.auth.actor_for("A001"), "C10", "x")


def _device_counter(hall: Hall) -> int | None:
    with hall.store.read() as session:
        device = session.get(DeviceInfo, 1)
        assert device is not None
        return device.counter_id


def test_a_pc_moved_to_another_counter_takes_it_at_its_next_start(hall: Hall) -> None:
    first = hall.service.register_this_pc()  # the demo PC, at C01, joins the hall's list
    pcs = hall.service.pcs()
    assert [(p.pc_code, p.counter_code, p.this_pc) for p in pcs] == [("PC01", "C01", True)]
    c02 = next(c.counter_id for c in hall.service.counters() if c.code == "C02")
    hall.service.assign_pc(hall.admin, "PC01", c02)
    assert hall.audit("pc_assigned")[0]["counter"] == {"before": "C01", "after": "C02"}
    assert _device_counter(hall) == first.counter_id  # not while running
    start = hall.service.register_this_pc()
    assert start.counter_id == c02 and start.waiting_for is None
    assert _device_counter(hall) == c02
    assert next(c for c in hall.service.counters() if c.code == "C02").pcs == ("PC01",)
    with pytest.raises(NotFound):
        hall.service.assign_pc(hall.admin, "PC99", c02)


def test_a_pc_keeps_its_counter_while_its_shift_there_is_open(hall: Hall) -> None:
    hall.service.register_this_pc()
    c01 = _device_counter(hall)
    open_test_shift(hall.store, lambda: NOW)
    c03 = next(c.counter_id for c in hall.service.counters() if c.code == "C03")
    hall.service.assign_pc(hall.admin, "PC01", c03)
    start = hall.service.register_this_pc()
    assert (start.counter_id, start.waiting_for) == (c01, c03)
    assert _device_counter(hall) == c01
    shifts = ShiftService(hall.store, lambda: NOW)
    clerk = hall.auth.actor_for("A001")
    shifts.close(clerk, {"note_100": 1}, float_left_fen=10000)
    assert hall.service.register_this_pc().counter_id == c03


def test_an_enrolment_renames_the_pc_on_the_halls_list(hall: Hall) -> None:
    hall.service.register_this_pc()
    with hall.store.unit_of_work() as session:
        rename_pc(session, "PC01", "D00007", NOW)
    assert [p.pc_code for p in hall.service.pcs()] == ["D00007"]
    ops = hall.sql("SELECT kind, action, key FROM sync_outbox WHERE kind = 'hall_pc' ORDER BY seq")
    assert ops[-2:] == [("hall_pc", "upsert", "D00007"), ("hall_pc", "delete", "PC01")]
