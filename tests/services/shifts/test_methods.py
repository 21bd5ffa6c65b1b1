"""The card and electronic methods at a shift's close, against a copy of the demo store:
each method's total is typed from its settlement slip or statement, compared with its net
takings, recorded with the close for good, and a difference on any method follows the
drawer's rules (a reason; over the hall's limit, a shift leader)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import i18n
from app.domain.cash import MethodCount, MethodTotalError
from app.domain.errors import PermissionDenied, ValidationError
from app.services.payments import PaymentMethod
from app.services.shifts.records import read_method_counts
from tests.services.shifts.test_service import FLOAT, FLOAT_FEN, TODAY, Hall, open_hall


@pytest.fixture
def hall(demo_db_copy: Path) -> Iterator[Hall]:
    opened = open_hall(demo_db_copy)
    yield opened
    opened.store.close()


CARD, WECHAT = PaymentMethod.BANK_CARD, PaymentMethod.WECHAT


def _takings(hall: Hall) -> None:
    """Card 300 + 120 voided; WeChat 99.50; no Alipay; cash 20."""
    hall.shifts.open(hall.clerk, FLOAT)
    hall.take(20_00)
    hall.take(300_00, CARD)
    mistake = hall.take(120_00, CARD)
    hall.take(99_50, WECHAT)
    hall.payments.void(hall.clerk, mistake.payment_id, hall.leader, "keyed twice")  # type: ignore[attr-defined]


CASH_COUNT = {**FLOAT, "note_20": 1}


def test_a_balanced_close_records_every_method(hall: Hall) -> None:
    _takings(hall)
    totals = {"bank_card": 300_00, "wechat": 99_50}
    preview = hall.shifts.preview_close(hall.clerk, CASH_COUNT, totals)
    assert not preview.needs_reason and not preview.needs_leader
    assert preview.methods == (
        MethodCount("bank_card", 300_00, 300_00),
        MethodCount("wechat", 99_50, 99_50),
        MethodCount("alipay", 0, 0),  # no takings: left empty, counted as 0
    )
    report = hall.shifts.close(
        hall.clerk, CASH_COUNT, method_totals=totals, float_left_fen=FLOAT_FEN, blind=True
    )
    close = report.shift.close
    assert close is not None and close.methods == preview.methods
    assert close.method("wechat") == MethodCount("wechat", 99_50, 99_50)
    stored = json.loads(str(hall.one("SELECT method_counts_json FROM shift_close")))
    assert stored == {
        "alipay": {"counted_fen": 0, "difference_fen": 0, "expected_fen": 0},
        "bank_card": {"counted_fen": 300_00, "difference_fen": 0, "expected_fen": 300_00},
        "wechat": {"counted_fen": 99_50, "difference_fen": 0, "expected_fen": 99_50},
    }
    # The Z figures read back the same, whoever asks.
    z = hall.shifts.x_report(hall.clerk, report.shift.shift_id)
    assert z.is_z and z.shift.close is not None and z.shift.close.methods == preview.methods
    detail = json.loads(
        str(hall.one("SELECT detail FROM audit_event WHERE action = 'shift_closed'"))
    )
    assert detail["methods"]["bank_card"] == {"counted_fen": 300_00, "expected_fen": 300_00}


def test_a_method_with_takings_must_be_counted(hall: Hall) -> None:
    _takings(hall)
    for call in (
        lambda: hall.shifts.preview_close(hall.clerk, CASH_COUNT, {"bank_card": 300_00}),
        lambda: hall.shifts.preview_close(hall.clerk, CASH_COUNT, {"wechat": 99_50}),
        lambda: hall.shifts.close(
            hall.clerk, CASH_COUNT, method_totals={"bank_card": 300_00}, float_left_fen=0
        ),
        lambda: hall.shifts.close(hall.clerk, CASH_COUNT, float_left_fen=0),
    ):
        with pytest.raises(MethodTotalError) as err:
            call()
        with i18n.in_language("en"):
            assert "had takings in this shift" in err.value.user_message()
        assert err.value.field in {"bank_card", "wechat"}
    with pytest.raises(ValidationError) as bad:
        hall.shifts.close(
            hall.clerk,
            CASH_COUNT,
            method_totals={"bank_card": -1, "wechat": 99_50},
            float_left_fen=0,
        )
    assert bad.value.field == "bank_card"
    with pytest.raises(ValidationError):
        hall.shifts.preview_close(hall.clerk, CASH_COUNT, {"cash": 20_00})
    assert hall.one("SELECT count(*) FROM shift_close") == 0


def test_a_method_difference_needs_a_reason_and_over_the_limit_a_leader(hall: Hall) -> None:
    _takings(hall)
    small = {"bank_card": 300_00, "wechat": 94_50}  # 5 yuan short on WeChat: under the limit
    preview = hall.shifts.preview_close(hall.clerk, CASH_COUNT, small)
    assert preview.difference.difference_fen == 0  # the drawer is right
    assert preview.needs_reason and not preview.needs_leader
    with pytest.raises(ValidationError) as err:
        hall.shifts.close(hall.clerk, CASH_COUNT, method_totals=small, float_left_fen=0)
    assert err.value.field == "reason"

    big = {"bank_card": 250_00, "wechat": 99_50}  # the card slip shows 50 yuan less
    preview = hall.shifts.preview_close(hall.clerk, CASH_COUNT, big)
    assert preview.needs_leader and preview.methods[0].difference_fen == -50_00
    with pytest.raises(PermissionDenied) as denied:
        hall.shifts.close(
            hall.clerk, CASH_COUNT, method_totals=big, float_left_fen=0, reason="slip torn"
        )
    assert "limit" in denied.value.message
    with pytest.raises(PermissionDenied):  # a clerk's credential is not a leader's
        hall.shifts.close(
            hall.clerk,
            CASH_COUNT,
            method_totals=big,
            float_left_fen=0,
            reason="slip torn",
            leader=hall.clerk2,
        )
    assert hall.one("SELECT count(*) FROM shift_close") == 0
    report = hall.shifts.close(
        hall.clerk,
        CASH_COUNT,
        method_totals=big,
        float_left_fen=0,
        reason="one card payment settled on terminal 2",
        leader=hall.leader,
    )
    # The leader's hall day counts the card difference with the drawer's.
    (row,) = hall.day.day(TODAY, hall.leader).shifts
    assert (row.difference_fen, row.method_difference_fen) == (0, -50_00)
    assert hall.day.day(TODAY, hall.leader).difference_fen == -50_00
    close = report.shift.close
    assert close is not None and close.approved_by == hall.leader.name
    assert close.difference_fen == 0
    assert close.method("bank_card") == MethodCount("bank_card", 300_00, 250_00)
    assert close.reason == "one card payment settled on terminal 2"


def test_a_surplus_on_a_method_over_the_limit_needs_a_leader_too(hall: Hall) -> None:
    _takings(hall)
    preview = hall.shifts.preview_close(
        hall.clerk, CASH_COUNT, {"bank_card": 300_00, "wechat": 99_50, "alipay": 30_00}
    )
    assert preview.needs_leader and preview.methods[2].difference.kind.value == "surplus"


def test_the_method_counts_are_append_only(hall: Hall) -> None:
    _takings(hall)
    hall.shifts.close(
        hall.clerk,
        CASH_COUNT,
        method_totals={"bank_card": 300_00, "wechat": 99_50},
        float_left_fen=0,
    )
    for sql in (
        "UPDATE shift_close SET method_counts_json = '{}'",
        "DELETE FROM shift_close",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            hall.sql(sql)
    assert "bank_card" in str(hall.one("SELECT method_counts_json FROM shift_close"))


def test_a_close_from_before_the_methods_were_counted_reads_back_empty() -> None:
    assert read_method_counts("{}") == ()
    assert read_method_counts("") == ()
    stored = '{"wechat": {"expected_fen": 5, "counted_fen": 4, "difference_fen": -1}}'
    assert read_method_counts(stored, ("bank_card", "wechat")) == (MethodCount("wechat", 5, 4),)
