"""Cash at the counter is taken in whole jiao (issue 12 item 3): the drawer is counted to
1 jiao, so a shift that took cash to the fen could never balance. A cash payment that pays
everything owed has its fen written off for the customer, as a line of its own; the account
is left owing nothing; the drawer's expected cash is whole jiao and the close balances."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from app.domain.amount_words import format_figures
from app.domain.errors import ValidationError
from app.services.payments import PaymentMethod, PaymentRequest
from app.services.shifts import ShiftService
from app.services.shifts.handover import HandoverService
from tests.services.payments import test_service as test_payments
from tests.services.payments.test_service import Desk, overdue_account

#: The payments tests' store copy with an open shift.
desk = test_payments.desk


def fen_account(desk: Desk) -> tuple[int, int]:
    """An overdue account whose total due has fen, and that total."""
    rows = desk.sql(
        "SELECT account_id FROM account_ledger WHERE owed_fen > 0 ORDER BY account_id LIMIT 60"
    )
    for (account,) in rows:
        total = desk.payments.quote(int(str(account))).total_due_fen
        if total % 10:
            return int(str(account)), total
    raise AssertionError("no account owes fen in the demo store")


@pytest.fixture
def shifts(desk: Desk) -> Iterator[ShiftService]:
    yield ShiftService(desk.store, desk.clock)


def test_the_fen_of_everything_owed_are_written_off_and_the_drawer_balances(
    desk: Desk,
    shifts: ShiftService,
) -> None:
    account, total = fen_account(desk)
    fen = total % 10
    tendered = total - fen + 10_00
    plan = desk.payments.prepare(
        desk.clerk, PaymentRequest(account, total, PaymentMethod.CASH, tendered_fen=tendered)
    )
    recorded = desk.payments.record(desk.clerk, plan)
    # The drawer, counted to the jiao, balances: no reason, no leader.
    shift_id = shifts.desk(desk.clerk).mine.shift_id  # type: ignore[union-attr]
    expected = shifts.x_report(desk.leader, shift_id).expected_cash_fen
    assert expected is not None and expected % 10 == 0
    counts = {"note_100": expected // 100_00, "coin_0_1": expected % 100_00 // 10}
    preview = shifts.preview_close(desk.clerk, counts)
    assert preview.difference.difference_fen == 0 and not preview.needs_reason
    # The fen are their own line; the change is whole jiao; the account owes nothing.
    assert plan.rounding_fen == fen and plan.cash_fen == total - fen
    assert plan.change_fen == 10_00
    assert desk.owed(account) == 0
    assert desk.payments.quote(account).total_due_fen == 0
    assert desk.drift() == []
    assert desk.sql(
        "SELECT amount_fen, rounding_fen, tendered_fen, change_fen FROM payment WHERE id = ?",
        recorded.payment_id.hex,
    ) == [(total, fen, tendered, 10_00)]
    assert shifts.x_report(desk.leader, shift_id).cash.rounding_fen == fen
    closed = shifts.close(desk.clerk, counts, float_left_fen=0)
    assert closed.shift.close is not None and closed.shift.close.difference_fen == 0
    # The handover sheet (Z report) shows the fen written off on a line of their own.
    sheet = HandoverService(desk.store, desk.clock).render_sheet(shift_id)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet)).pages)
    assert "现金抹零（收至角）" + format_figures(fen) in "".join(text.split())


def test_a_void_pays_back_the_cash_taken_and_the_drawer_still_balances(
    desk: Desk,
    shifts: ShiftService,
) -> None:
    account, total = fen_account(desk)
    before = desk.owed(account)
    recorded = desk.payments.record(
        desk.clerk,
        desk.payments.prepare(desk.clerk, PaymentRequest(account, total, PaymentMethod.CASH)),
    )
    desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "wrong account")
    assert desk.owed(account) == before
    assert desk.sql(
        "SELECT amount_fen, rounding_fen FROM payment WHERE original_id = ?",
        recorded.payment_id.hex,
    ) == [(-total, -(total % 10))]
    report = shifts.x_report(desk.leader, shifts.desk(desk.clerk).mine.shift_id)  # type: ignore[union-attr]
    assert report.cash.rounding_fen == 0
    assert report.expected_cash_fen == 100_00  # the float: the cash went back


@pytest.mark.parametrize("amount", [100_05, 12_34])
def test_other_cash_amounts_must_be_whole_jiao(desk: Desk, amount: int) -> None:
    """Only everything owed is rounded: no one gains fen by splitting a payment."""
    account = overdue_account(desk)
    with pytest.raises(ValidationError) as err:
        desk.payments.prepare(desk.clerk, PaymentRequest(account, amount, PaymentMethod.CASH))
    assert err.value.field == "amount_fen"
    lower = f"{(amount - amount % 10) / 100:,.2f}"
    assert lower in err.value.user_message()
    # The same amount by card or app is taken to the fen.
    plan = desk.payments.prepare(
        desk.clerk, PaymentRequest(account, amount, PaymentMethod.ALIPAY, "ALI-0001")
    )
    assert plan.rounding_fen == 0 and plan.cash_fen == amount


def test_cash_tendered_is_whole_jiao(desk: Desk) -> None:
    account, total = fen_account(desk)
    with pytest.raises(ValidationError) as err:
        desk.payments.prepare(
            desk.clerk,
            PaymentRequest(account, total, PaymentMethod.CASH, tendered_fen=total + 1),
        )
    assert err.value.field == "tendered_fen"


def test_the_customer_is_never_asked_more_than_owed(desk: Desk) -> None:
    account, total = fen_account(desk)
    plan = desk.payments.prepare(desk.clerk, PaymentRequest(account, total, PaymentMethod.CASH))
    assert plan.cash_fen <= total and plan.request.tendered_fen == plan.cash_fen
    assert plan.change_fen == 0
