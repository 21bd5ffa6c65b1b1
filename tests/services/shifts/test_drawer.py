"""Opening the drawer without a sale: a reason, an audit event in the open shift, and the
count on the X report (blind or not) and on the printed Z sheet (the handover sheet)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import i18n
from app.domain.errors import ValidationError
from app.services.shifts import BlindShiftReport, NoOpenShift, ShiftReport
from app.services.shifts.drawer import DrawerService
from app.services.shifts.drawer_log import DRAWER_OPEN, DRAWER_OPEN_FAILED
from app.store.models import PaymentMethod
from tests.services.shifts.test_service import FLOAT, FLOAT_FEN, Hall, open_hall


@pytest.fixture
def hall(demo_db_copy: Path) -> Iterator[Hall]:
    opened = open_hall(demo_db_copy)
    yield opened
    opened.store.close()


def test_a_no_sale_opening_needs_a_reason_and_is_audited_in_the_shift(hall: Hall) -> None:
    drawer = DrawerService(hall.store, hall.clock)
    view = hall.shifts.open(hall.clerk, FLOAT)
    with pytest.raises(ValidationError):
        drawer.open_without_sale(hall.clerk, "   ")
    told: list[int] = []
    drawer.opened.add(lambda: told.append(1))
    opened = drawer.open_without_sale(hall.clerk, "change for a 100-yuan note")
    assert opened.shift_id == view.shift_id and told == [1]
    rows = hall.sql(
        "SELECT action, entity, entity_id, detail, staff_id FROM audit_event "
        "WHERE action LIKE 'drawer_open%'"
    )
    assert len(rows) == 1
    action, entity, entity_id, detail, staff = rows[0]
    assert (action, entity, entity_id) == (DRAWER_OPEN, "cash_shift", str(view.shift_id))
    assert json.loads(str(detail))["reason"] == "change for a 100-yuan note"
    assert staff == hall.clerk.staff_id

    drawer.pulse_failed(hall.clerk, opened, "printer off")
    failed = hall.sql("SELECT detail FROM audit_event WHERE action = ?", DRAWER_OPEN_FAILED)
    assert json.loads(str(failed[0][0]))["open_event"] == str(opened.event_id)


def test_no_shift_no_opening_but_a_leader_opens_the_counters_shift(hall: Hall) -> None:
    drawer = DrawerService(hall.store, hall.clock)
    with pytest.raises(NoOpenShift):
        drawer.open_without_sale(hall.clerk, "no shift")
    view = hall.shifts.open(hall.clerk, FLOAT)
    assert drawer.open_without_sale(hall.leader, "jammed note").shift_id == view.shift_id


def test_x_and_z_reports_count_the_no_sale_openings(hall: Hall) -> None:
    drawer = DrawerService(hall.store, hall.clock)
    view = hall.shifts.open(hall.clerk, FLOAT)
    hall.take(99_50, PaymentMethod.WECHAT)  # a sale is no no-sale opening
    drawer.open_without_sale(hall.clerk, "change")
    drawer.open_without_sale(hall.clerk, "change again")

    blind = hall.shifts.x_report(hall.clerk, view.shift_id)
    assert isinstance(blind, BlindShiftReport) and blind.no_sale_opens == 2
    full = hall.shifts.x_report(hall.leader, view.shift_id)
    assert isinstance(full, ShiftReport) and full.no_sale_opens == 2

    hall.clock.advance(hours=4)
    z = hall.shifts.close(
        hall.clerk, FLOAT, method_totals={"wechat": 99_50}, float_left_fen=FLOAT_FEN
    )
    assert z.is_z and z.no_sale_opens == 2
    with i18n.in_language("zh_CN"):
        pdf = hall.handovers.render_sheet(view.shift_id, invariant=True)
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "无交易开钱箱次数2" in "".join(text.split())  # in the sheet's language
    with i18n.in_language("en"):
        pdf = hall.handovers.render_sheet(view.shift_id, invariant=True)
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    # The label wraps in its cell; the count follows it.
    assert "Draweropenedwithoutasale2Deposited" in "".join(text.split())


def test_another_shifts_openings_do_not_count(hall: Hall) -> None:
    drawer = DrawerService(hall.store, hall.clock)
    first = hall.shifts.open(hall.clerk, FLOAT)
    drawer.open_without_sale(hall.clerk, "change")
    hall.clock.advance(hours=4)
    hall.shifts.close(hall.clerk, FLOAT, float_left_fen=FLOAT_FEN)
    hall.clock.advance(hours=1)
    second = hall.shifts.open(hall.clerk2, FLOAT)
    report = hall.shifts.x_report(hall.leader, second.shift_id)
    assert report.no_sale_opens == 0
    assert hall.shifts.x_report(hall.leader, first.shift_id).no_sale_opens == 1
