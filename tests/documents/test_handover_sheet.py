"""The handover sheet (Z report) and the hall day summary: their PDF text, marks and
revisions, rendered from a real shift on a copy of the demo store."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from app import i18n
from app.domain.errors import PermissionDenied
from app.domain.handover import Signer
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.shifts import ShiftService
from app.services.shifts.hallday import HallDayService
from app.services.shifts.handover import HandoverService
from app.services.shifts.views import EquipmentLine
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from app.store.models.shifts import CashMovementKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@dataclass
class Sheet:
    handovers: HandoverService
    day: HallDayService
    shift_id: uuid.UUID
    auth: AuthService


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 15, 8, 0, tzinfo=SHANGHAI).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def closed_shift(demo_db_copy: Path) -> Iterator[Sheet]:
    """A shift with a cash payment (change given), a card payment, a cash out, closed 5
    yuan short in the drawer and 10 yuan short on the card slip, its handover signed by
    the outgoing clerk only."""
    store = open_store(sqlite_url(demo_db_copy))
    clock = Clock()
    auth = AuthService(store, clock)
    clerk, leader = auth.actor_for("A001"), auth.actor_for("L001")
    shifts, payments = ShiftService(store, clock), PaymentService(store, clock)
    shift = shifts.open(clerk, {"note_100": 5})
    with store.read() as session:
        account = session.execute(
            text("SELECT account_id FROM account_ledger WHERE owed_fen <= 0 LIMIT 1")
        ).scalar_one()
    for request in (
        PaymentRequest(account, 158_00, PaymentMethod.CASH, "", 200_00),
        PaymentRequest(account, 300_00, PaymentMethod.BANK_CARD, "POS-7781"),
    ):
        payments.record(clerk, payments.prepare(clerk, request))
    shifts.cash_movement(clerk, CashMovementKind.CASH_OUT, 100_00, "to the safe", leader)
    clock.now += timedelta(hours=4)
    counted = {"note_100": 5, "note_50": 1, "coin_1": 3}  # 553 against 558 expected
    shifts.close(
        clerk,
        counted,
        method_totals={"bank_card": 290_00},  # the POS settlement slip
        float_left_fen=500_00,
        reason="change miscounted",
    )
    handovers = HandoverService(store, clock)
    revision = handovers.save(
        clerk,
        shift.shift_id,
        notes="客户张先生下午回电",
        equipment=[
            EquipmentLine("printer_paper", 4),
            EquipmentLine("pos_terminal", 2, "2号POS读卡失败"),
        ],
    )
    handovers.sign(clerk, revision.revision_id, Signer.OUTGOING, clerk)
    yield Sheet(handovers, HallDayService(store, clock), shift.shift_id, auth)
    store.close()


def test_the_sheet_in_chinese(closed_shift: Sheet) -> None:
    text = text_of(closed_shift.handovers.render_sheet(closed_shift.shift_id))
    for expected in (
        "交接班表",
        "C01",
        "A001",
        "PC01",
        "¥158.00",  # cash takings
        "¥300.00",  # bank card
        "¥42.00",  # change given
        "¥558.00",  # expected: 500 + 200 - 42 - 100
        "¥553.00",
        "短款 ¥5.00",
        "change miscounted",
        "¥500.00",  # float handed over
        "to the safe",
        "客户张先生下午回电",
        "2号POS读卡失败",
        "(A001)",  # the outgoing signature with the name
    ):
        assert expected in text, expected
    assert "草稿" in text  # not all three have signed


def test_the_sheet_shows_each_method_expected_counted_and_difference(
    closed_shift: Sheet,
) -> None:
    with i18n.in_language("en"):
        words = " ".join(
            text_of(closed_shift.handovers.render_sheet(closed_shift.shift_id)).split()
        )
    title = "Card and electronic takings counted (settlement slips and statements)"
    table = words[words.index(title) + len(title) :]
    assert table.startswith(
        " Method Expected Counted Difference"
        " Bank card ¥300.00 ¥290.00 Shortage ¥10.00"
        " WeChat Pay ¥0.00 ¥0.00 Balanced"
        " Alipay ¥0.00 ¥0.00 Balanced"
    ), table[:200]
    with i18n.in_language("zh_CN"):
        chinese = " ".join(
            text_of(closed_shift.handovers.render_sheet(closed_shift.shift_id)).split()
        )
    assert "银行卡 ¥300.00 ¥290.00 短款 ¥10.00" in chinese


def test_the_sheet_in_english_and_its_revisions(
    closed_shift: Sheet,
) -> None:
    handovers, shift_id = closed_shift.handovers, closed_shift.shift_id
    with i18n.in_language("en"):
        first = text_of(handovers.render_sheet(shift_id))
        assert "Shift Handover Sheet (Z report)" in first
        assert "Revision 1 of 1" in first and "DRAFT" in first
        assert "Shortage ¥5.00" in first and "Printer paper (rolls)" in first
    clerk = closed_shift.auth.actor_for("A001")
    handovers.save(
        clerk, shift_id, notes="corrected", equipment=[], correction_reason="paper count wrong"
    )
    with i18n.in_language("en"):
        second = text_of(handovers.render_sheet(shift_id))
        old = text_of(handovers.render_sheet(shift_id, 1))
    assert "Revision 2 of 2" in second and "Corrects revision 1: paper count wrong" in second
    assert "SUPERSEDED" in old and "Revision 1 of 2" in old


def test_the_sheet_is_deterministic_in_invariant_mode(
    closed_shift: Sheet,
) -> None:
    handovers, shift_id = closed_shift.handovers, closed_shift.shift_id
    assert handovers.render_sheet(shift_id, invariant=True) == handovers.render_sheet(
        shift_id, invariant=True
    )


def test_hall_day_summary(closed_shift: Sheet) -> None:
    day = closed_shift.day
    today = day.today()
    leader = closed_shift.auth.actor_for("L001")
    with i18n.in_language("en"):
        draft = text_of(day.summary_pdf(today, leader))
    assert "Hall Day Summary" in draft and "not closed yet" in draft
    assert "¥458.00" in draft  # total takings
    assert "Partly signed" in " ".join(draft.split())
    # The summary carries every shift's figures: a shift leader's paper.
    with pytest.raises(PermissionDenied):
        day.summary_pdf(today, closed_shift.auth.actor_for("A001"))
    day.close_day(leader, today, "平稳")
    text = text_of(day.summary_pdf(today, leader))
    assert "营业日汇总" in text and "平稳" in text and "草稿" not in text
