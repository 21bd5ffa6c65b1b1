"""Payment collection: plans, the one-transaction record, gap-free receipt numbers, penalty
and waiver, restore requests, voids and reversals, against a copy of the demo store."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.domain.arrears_policy import default_policy
from app.domain.errors import (
    AuthenticationError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.domain.penalty import daily_penalty_fen
from app.services.base import Actor
from app.services.payments import (
    MAX_PAYMENT_FEN,
    CorrectionRefused,
    CorrectionRule,
    NoOpenShift,
    PaymentMethod,
    PaymentPlan,
    PaymentRequest,
    PaymentService,
    PlanOutdated,
    RecordedPayment,
    method_label,
)
from app.services.payments import service as payments_module
from app.services.shifts import ShiftService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.ledger_sql import ledger_drift
from tests.conftest import open_test_shift

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 15)


class Clock:
    """A settable clock: 10:00 in Shanghai on the demo's today unless moved."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Desk:
    """A copy of the demo store with the services and actors a test needs."""

    path: Path
    store: Store
    clock: Clock
    payments: PaymentService
    clerk: Actor
    leader: Actor

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.path)
        try:
            with con:
                return con.execute(query, params).fetchall()
        finally:
            con.close()

    def one(self, query: str, *params: object) -> object:
        rows = self.sql(query, *params)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]

    def owed(self, account_id: int) -> int:
        return self.ledger(account_id, "owed_fen")

    def ledger(self, account_id: int, column: str) -> int:
        query = f"SELECT {column} FROM account_ledger WHERE account_id = ?"
        return int(str(self.one(query, account_id)))

    def drift(self) -> list[int]:
        with self.store.read() as session:
            return ledger_drift(session)


@pytest.fixture
def desk(demo_db_copy: Path) -> Iterator[Desk]:
    store = open_store(sqlite_url(demo_db_copy))
    clock = Clock()
    auth = AuthService(store, clock)
    open_test_shift(store, clock)
    yield Desk(
        demo_db_copy,
        store,
        clock,
        PaymentService(store, clock),
        auth.actor_for("A001"),
        auth.actor_for("L001"),
    )
    store.close()


# -- finding accounts in the demo store ----------------------------------------------------


def overdue_account(desk: Desk, *, status: str | None = None) -> int:
    """An account with something overdue; with ``status``, one that has a line in it."""
    where = (
        ""
        if status is None
        else (
            " AND EXISTS (SELECT 1 FROM service s WHERE s.account_id = l.account_id"
            f" AND s.status = '{status}')"
        )
    )
    rows = desk.sql(
        "SELECT l.account_id FROM account_ledger l WHERE l.owed_fen > 0 "
        f"AND l.oldest_unpaid_due < ?{where} ORDER BY l.owed_fen DESC LIMIT 1",
        TODAY.isoformat(),
    )
    assert rows, "the demo store has no such account"
    return int(str(rows[0][0]))


def owing_not_overdue(desk: Desk) -> int:
    """An account owing only bills not yet due (so no penalty)."""
    return int(
        str(
            desk.one(
                "SELECT account_id FROM account_ledger WHERE owed_fen > 0 "
                "AND oldest_unpaid_due >= ? ORDER BY account_id LIMIT 1",
                TODAY.isoformat(),
            )
        )
    )


def settled_account(desk: Desk) -> int:
    """An account with nothing unpaid and no restricted line."""
    return int(
        str(
            desk.one(
                "SELECT l.account_id FROM account_ledger l WHERE l.owed_fen <= 0 "
                "AND NOT EXISTS (SELECT 1 FROM service s WHERE s.account_id = l.account_id "
                "AND s.status != 'normal') ORDER BY l.account_id LIMIT 1"
            )
        )
    )


def pay(desk: Desk, account_id: int, amount: int | None = None, **kw: object) -> PaymentRequest:
    quote = desk.payments.quote(account_id)
    due = quote.total_due_fen if amount is None else amount
    return PaymentRequest(account_id, due, PaymentMethod.CASH, **kw)  # type: ignore[arg-type]


def wechat(account_id: int, amount: int, **kw: object) -> PaymentRequest:
    """An e-payment request (no cash rounding), for amounts with fen that pay a part."""
    return PaymentRequest(account_id, amount, PaymentMethod.WECHAT, "WX-2026-0001", **kw)  # type: ignore[arg-type]


def day_by_day_penalty(desk: Desk, account_id: int, today: date) -> int:
    """The penalty written plainly from the account's rows: for each late day, what bills
    due before it still owed after the payments of earlier days (oldest first), times
    3‰, rounded down; less what payments settled of it."""
    bills = desk.sql(
        "SELECT amount_fen, due_date FROM bill WHERE account_id = ? ORDER BY period, due_date",
        account_id,
    )
    paid = [
        (datetime.fromisoformat(str(at)).replace(tzinfo=UTC).astimezone(SHANGHAI).date(), fen)
        for at, fen in desk.sql(
            "SELECT paid_at, amount_fen - penalty_fen FROM payment WHERE account_id = ?",
            account_id,
        )
    ]
    rate = default_policy().penalty_per_mille_per_day
    total = 0
    day = min(date.fromisoformat(str(due)) for _a, due in bills) + timedelta(days=1)
    while day <= today:
        credit = sum(int(str(fen)) for on, fen in paid if on < day)
        overdue = 0
        for amount, due in bills:
            settled = min(int(str(amount)), max(0, credit))
            credit -= settled
            if date.fromisoformat(str(due)) < day:
                overdue += int(str(amount)) - settled
        total += daily_penalty_fen(overdue, rate)
        day += timedelta(days=1)
    settled_penalty = desk.one(
        "SELECT COALESCE(SUM(penalty_fen), 0) FROM payment WHERE account_id = ?", account_id
    )
    return total - int(str(settled_penalty))


def receipt_counter(desk: Desk) -> int:
    rows = desk.sql("SELECT last_no FROM receipt_sequence WHERE device_code = 'PC01'")
    return int(str(rows[0][0])) if rows else 0


# -- quote ----------------------------------------------------------------------------------


def test_quote_of_an_account_in_arrears(desk: Desk) -> None:
    account = overdue_account(desk)
    quote = desk.payments.quote(account)
    assert quote.account_id == account
    assert quote.owed_fen == desk.owed(account) > 0
    assert sum(b.outstanding_fen for b in quote.unpaid_bills) == quote.owed_fen
    periods = [b.period for b in quote.unpaid_bills]
    assert periods == sorted(periods)
    overdue = [b for b in quote.unpaid_bills if b.due_date < TODAY]
    assert quote.overdue_fen == sum(b.outstanding_fen for b in overdue) > 0
    # 3‰ a day of what was overdue on each day (the demo store has no postings yet).
    assert quote.penalty_fen == day_by_day_penalty(desk, account, TODAY) > 0
    assert quote.penalty_accrued_fen == quote.penalty_fen
    assert quote.total_due_fen == quote.owed_fen + quote.penalty_fen
    name = str(
        desk.one(
            "SELECT c.name FROM customer c JOIN account a ON a.customer_id = c.id WHERE a.id = ?",
            account,
        )
    )
    assert quote.customer_name != name and quote.customer_name[0] == name[0]
    assert quote.services


def test_unknown_account_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound):
        desk.payments.quote(999_999)
    with pytest.raises(NotFound):
        desk.payments.prepare(desk.clerk, PaymentRequest(999_999, 100, PaymentMethod.CASH))


# -- full, partial, prepayment ------------------------------------------------------------------


def test_full_payment_settles_the_oldest_bills_first(desk: Desk) -> None:
    account = overdue_account(desk)
    quote = desk.payments.quote(account)
    plan = desk.payments.prepare(desk.clerk, pay(desk, account))
    assert [a.bill_id for a in plan.allocations] == [b.bill_id for b in quote.unpaid_bills]
    assert [a.amount_fen for a in plan.allocations] == [
        b.outstanding_fen for b in quote.unpaid_bills
    ]
    assert plan.penalty_fen == quote.penalty_fen and plan.prepayment_fen == 0
    assert plan.balance_after_fen == 0 and plan.overdue_after_fen == 0 and plan.clears_arrears
    assert plan.change_fen == 0 and plan.penalty_owed_after_fen == 0
    assert plan.penalty_posted_fen == quote.penalty_fen
    # Cash in whole jiao: the fen of the total are written off for the customer.
    rounding = quote.total_due_fen % 10
    assert plan.rounding_fen == rounding and plan.cash_fen == quote.total_due_fen - rounding

    recorded = desk.payments.record(desk.clerk, plan)

    assert desk.owed(account) == 0
    assert desk.drift() == []
    row = desk.sql(
        "SELECT amount_fen, penalty_fen, method, kind, device_code, counter_id, staff_id, "
        "receipt_no, tendered_fen, change_fen, rounding_fen FROM payment WHERE id = ?",
        recorded.payment_id.hex,
    )
    assert row == [
        (
            quote.total_due_fen,
            quote.penalty_fen,
            "cash",
            "payment",
            "PC01",
            1,
            desk.clerk.staff_id,
            recorded.receipt_no,
            quote.total_due_fen - rounding,
            0,
            rounding,
        )
    ]
    # The penalty was posted (every late day up to today) before the payment settled it.
    posted = desk.sql(
        "SELECT amount_fen, per_mille, last_day, payment_id, staff_id FROM penalty_accrual "
        "WHERE account_id = ?",
        account,
    )
    assert posted == [
        (quote.penalty_fen, 3, TODAY.isoformat(), recorded.payment_id.hex, desk.clerk.staff_id)
    ]
    allocations = desk.sql(
        "SELECT bill_id, amount_fen FROM payment_allocation WHERE payment_id = ? ORDER BY bill_id",
        recorded.payment_id.hex,
    )
    assert allocations == [(a.bill_id, a.amount_fen) for a in plan.allocations]
    events = desk.sql(
        "SELECT action, staff_id, detail FROM audit_event WHERE entity = 'payment' "
        "AND entity_id = ?",
        str(recorded.payment_id),
    )
    assert [(e[0], e[1]) for e in events] == [("payment", desk.clerk.staff_id)]
    detail = json.loads(str(events[0][2]))
    assert detail["receipt_no"] == recorded.receipt_no
    assert detail["amount_fen"] == quote.total_due_fen
    after = desk.payments.quote(account)
    assert after.owed_fen == 0 and after.penalty_fen == 0 and after.unpaid_bills == ()


def test_partial_payment_pays_part_of_the_oldest_bill(desk: Desk) -> None:
    account = overdue_account(desk)
    quote = desk.payments.quote(account)
    oldest = quote.unpaid_bills[0]
    part = oldest.outstanding_fen - 1
    plan = desk.payments.prepare(desk.clerk, wechat(account, part))
    assert [(a.bill_id, a.amount_fen) for a in plan.allocations] == [(oldest.bill_id, part)]
    assert plan.prepayment_fen == 0 and not plan.clears_arrears and plan.restores == ()
    assert plan.balance_after_fen == -(quote.owed_fen - part)
    # The bills come first: the penalty stays owed, to be asked once more, not twice.
    assert plan.penalty_fen == 0 and plan.penalty_owed_after_fen == quote.penalty_fen
    desk.payments.record(desk.clerk, plan)
    assert desk.owed(account) == quote.owed_fen - part
    assert desk.drift() == []
    after = desk.payments.quote(account)
    assert after.unpaid_bills[0].bill_id == oldest.bill_id
    assert after.unpaid_bills[0].outstanding_fen == 1
    assert after.penalty_fen == quote.penalty_fen


def test_payment_over_several_bills_splits_the_last_one(desk: Desk) -> None:
    account = owing_not_overdue(desk)
    quote = desk.payments.quote(account)
    assert quote.penalty_fen == 0 and quote.overdue_fen == 0
    plan = desk.payments.prepare(desk.clerk, wechat(account, quote.owed_fen + 12_34))
    assert sum(a.amount_fen for a in plan.allocations) == quote.owed_fen
    assert plan.prepayment_fen == 12_34 and plan.balance_after_fen == 12_34
    assert not plan.clears_arrears  # nothing was overdue
    desk.payments.record(desk.clerk, plan)
    assert desk.owed(account) == -12_34
    assert desk.drift() == []


def test_prepayment_without_unpaid_bills(desk: Desk) -> None:
    account = settled_account(desk)
    before = desk.owed(account)
    assert desk.payments.quote(account).unpaid_bills == ()
    plan = desk.payments.prepare(desk.clerk, pay(desk, account, 100_00))
    assert plan.allocations == () and plan.prepayment_fen == 100_00 and plan.penalty_fen == 0
    assert plan.balance_after_fen == -before + 100_00
    recorded = desk.payments.record(desk.clerk, plan)
    assert desk.owed(account) == before - 100_00
    assert desk.sql(
        "SELECT COUNT(*) FROM payment_allocation WHERE payment_id = ?", recorded.payment_id.hex
    ) == [(0,)]
    assert desk.drift() == []


# -- cash, methods, limits -------------------------------------------------------------------


def test_cash_change(desk: Desk) -> None:
    account = settled_account(desk)
    request = PaymentRequest(account, 123_40, PaymentMethod.CASH, tendered_fen=200_00)
    plan = desk.payments.prepare(desk.clerk, request)
    assert plan.change_fen == 76_60 and plan.rounding_fen == 0
    recorded = desk.payments.record(desk.clerk, plan)
    assert desk.sql(
        "SELECT tendered_fen, change_fen FROM payment WHERE id = ?", recorded.payment_id.hex
    ) == [(200_00, 76_60)]


def test_cash_without_tendered_is_the_exact_amount(desk: Desk) -> None:
    plan = desk.payments.prepare(desk.clerk, pay(desk, settled_account(desk), 50_00))
    assert plan.request.tendered_fen == 50_00 and plan.change_fen == 0


def test_less_tendered_than_the_amount_is_refused(desk: Desk) -> None:
    request = PaymentRequest(settled_account(desk), 100_00, PaymentMethod.CASH, tendered_fen=99_90)
    with pytest.raises(ValidationError) as err:
        desk.payments.prepare(desk.clerk, request)
    assert err.value.field == "tendered_fen"
    assert err.value.message == "Less cash was tendered than the amount to pay."


@pytest.mark.parametrize(
    "method", [PaymentMethod.BANK_CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY]
)
def test_electronic_payment_needs_a_reference(desk: Desk, method: PaymentMethod) -> None:
    account = settled_account(desk)
    for reference in ("", "   "):
        with pytest.raises(ValidationError) as err:
            desk.payments.prepare(desk.clerk, PaymentRequest(account, 10_00, method, reference))
        assert err.value.field == "reference"
    for bad in ("12", "4200 0012", "x" * 65, "单号12345"):
        with pytest.raises(ValidationError) as err:
            desk.payments.prepare(desk.clerk, PaymentRequest(account, 10_00, method, bad))
        assert err.value.field == "reference"
    with pytest.raises(ValidationError) as err:
        desk.payments.prepare(
            desk.clerk, PaymentRequest(account, 10_00, method, "T-4200001234", tendered_fen=10_00)
        )
    assert err.value.field == "tendered_fen"
    plan = desk.payments.prepare(
        desk.clerk, PaymentRequest(account, 10_00, method, " T-4200001234 ")
    )
    assert plan.request.reference == "T-4200001234" and plan.change_fen is None
    recorded = desk.payments.record(desk.clerk, plan)
    assert desk.sql(
        "SELECT method, reference, tendered_fen, change_fen FROM payment WHERE id = ?",
        recorded.payment_id.hex,
    ) == [(method.value, "T-4200001234", None, None)]


def test_cash_has_no_reference(desk: Desk) -> None:
    with pytest.raises(ValidationError) as err:
        desk.payments.prepare(
            desk.clerk, PaymentRequest(settled_account(desk), 10_00, PaymentMethod.CASH, "ABCD")
        )
    assert err.value.field == "reference"


@pytest.mark.parametrize("amount", [0, -1, -100_00, MAX_PAYMENT_FEN + 1])
def test_amount_limits(desk: Desk, amount: int) -> None:
    request = PaymentRequest(settled_account(desk), amount, PaymentMethod.WECHAT, "WX-0001-2026")
    with pytest.raises(ValidationError) as err:
        desk.payments.prepare(desk.clerk, request)
    assert err.value.field == "amount_fen"


def test_the_largest_amount_is_taken(desk: Desk) -> None:
    request = PaymentRequest(settled_account(desk), MAX_PAYMENT_FEN, PaymentMethod.CASH)
    assert desk.payments.prepare(desk.clerk, request).prepayment_fen == MAX_PAYMENT_FEN


@pytest.mark.parametrize("method", ["bank_deduction", "online", "cheque"])
def test_methods_not_taken_at_the_counter(desk: Desk, method: str) -> None:
    request = PaymentRequest(settled_account(desk), 10_00, method, "REF-1234")  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        desk.payments.prepare(desk.clerk, request)
    assert err.value.field == "method"


def test_method_labels_are_translated() -> None:
    from app.i18n import _

    assert method_label("cash") == _("Cash") == "现金"
    assert method_label("wechat") == _("WeChat Pay")
    assert method_label("alipay") == _("Alipay")
    assert method_label("bank_card") == _("Bank card")


# -- receipt numbers and the one transaction ----------------------------------------------------


def test_receipt_numbers_are_consecutive_and_gap_free(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = settled_account(desk)
    # This device has issued nothing yet: its sequence row is created at 0 by the first
    # payment (other devices' rows, from the demo history, are left alone).
    others = desk.sql("SELECT * FROM receipt_sequence WHERE device_code != 'PC01'")
    desk.sql("DELETE FROM receipt_sequence WHERE device_code = 'PC01'")
    assert desk.one("SELECT COUNT(*) FROM payment WHERE device_code = 'PC01'") == 0
    numbers = [
        desk.payments.record(
            desk.clerk, desk.payments.prepare(desk.clerk, pay(desk, account, 10_00 + 10 * i))
        ).receipt_no
        for i in range(2)
    ]
    assert numbers == ["PC01-00000001", "PC01-00000002"]

    # A failure after the number was drawn rolls the whole payment back, number included.
    payments_before = desk.one("SELECT COUNT(*) FROM payment")
    plan = desk.payments.prepare(desk.clerk, pay(desk, account, 5_00))

    def broken_audit(*_args: object, **_kw: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(payments_module, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        desk.payments.record(desk.clerk, plan)
    monkeypatch.undo()
    assert receipt_counter(desk) == 2
    assert desk.one("SELECT COUNT(*) FROM payment") == payments_before
    assert (
        desk.one(
            "SELECT COUNT(*) FROM payment_allocation pa JOIN payment p ON p.id = pa.payment_id "
            "WHERE p.receipt_no LIKE 'PC01-%'"
        )
        == 0
    )

    # A plan refused as outdated draws no number either.
    stale = desk.payments.prepare(desk.clerk, pay(desk, overdue_account(desk)))
    desk.clock.advance(days=1)
    with pytest.raises(PlanOutdated):
        desk.payments.record(desk.clerk, stale)
    assert receipt_counter(desk) == 2

    third = desk.payments.record(desk.clerk, desk.payments.prepare(desk.clerk, plan.request))
    assert third.receipt_no == "PC01-00000003"
    issued = [
        str(r[0])
        for r in desk.sql(
            "SELECT receipt_no FROM payment WHERE device_code = 'PC01' ORDER BY receipt_no"
        )
    ]
    assert issued == ["PC01-00000001", "PC01-00000002", "PC01-00000003"]
    assert desk.sql("SELECT * FROM receipt_sequence WHERE device_code != 'PC01'") == others
    assert desk.drift() == []


def test_record_refuses_a_plan_the_account_has_outgrown(desk: Desk) -> None:
    account = overdue_account(desk)
    plan = desk.payments.prepare(desk.clerk, pay(desk, account))
    # Another payment lands between the confirmation and the record.
    other = desk.payments.prepare(desk.clerk, pay(desk, account, 1_00))
    desk.payments.record(desk.clerk, other)
    payments_before = desk.one("SELECT COUNT(*) FROM payment")
    with pytest.raises(PlanOutdated) as err:
        desk.payments.record(desk.clerk, plan)
    assert err.value.field == "plan"
    assert desk.one("SELECT COUNT(*) FROM payment") == payments_before
    # Prepared again, it settles what is left.
    fresh = desk.payments.prepare(desk.clerk, pay(desk, account))
    assert fresh != plan
    desk.payments.record(desk.clerk, fresh)
    assert desk.owed(account) == 0


def test_a_hand_made_plan_is_refused(desk: Desk) -> None:
    account = overdue_account(desk)
    plan = desk.payments.prepare(desk.clerk, pay(desk, account))
    with pytest.raises(PlanOutdated):
        desk.payments.record(
            desk.clerk, replace(plan, penalty_fen=0, prepayment_fen=plan.penalty_fen)
        )


def test_payments_cannot_be_edited_or_deleted(desk: Desk) -> None:
    recorded = desk.payments.record(
        desk.clerk, desk.payments.prepare(desk.clerk, pay(desk, settled_account(desk), 10_00))
    )
    for statement in (
        "UPDATE payment SET amount_fen = 1 WHERE id = ?",
        "DELETE FROM payment WHERE id = ?",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            desk.sql(statement, recorded.payment_id.hex)


# -- penalty ------------------------------------------------------------------------------------


def test_bills_are_settled_before_the_penalty(desk: Desk) -> None:
    """Issue 12 item 1: which part of a payment settles what. The bills first (oldest
    first), then the penalty; the penalty settled is never asked again."""
    account = overdue_account(desk)
    quote = desk.payments.quote(account)
    paid_before = desk.ledger(account, "paid_fen")
    half = quote.penalty_fen // 2
    plan = desk.payments.prepare(desk.clerk, wechat(account, quote.owed_fen + half))
    assert sum(a.amount_fen for a in plan.allocations) == quote.owed_fen
    assert plan.penalty_fen == half and plan.waived_penalty_fen == 0
    assert plan.penalty_owed_after_fen == quote.penalty_fen - half
    recorded = desk.payments.record(desk.clerk, plan)
    assert desk.ledger(account, "paid_fen") - paid_before == quote.owed_fen
    assert desk.owed(account) == 0
    assert desk.sql(
        "SELECT penalty_fen, approved_by FROM payment WHERE id = ?", recorded.payment_id.hex
    ) == [(half, None)]
    assert desk.sql("SELECT COUNT(*) FROM penalty_waiver") == [(0,)]
    assert desk.drift() == []
    # Same day, a day later, a month later: only the rest is asked, nothing accrues any more.
    for days in (0, 1, 30):
        desk.clock.advance(days=days)
        assert desk.payments.quote(account).penalty_fen == quote.penalty_fen - half
    rest = desk.payments.prepare(desk.clerk, wechat(account, quote.penalty_fen - half))
    assert rest.penalty_fen == quote.penalty_fen - half and rest.allocations == ()
    desk.payments.record(desk.clerk, rest)
    assert desk.payments.quote(account).penalty_fen == 0


def test_any_amount_is_taken_and_settles_the_bills_first(desk: Desk) -> None:
    account = overdue_account(desk)
    quote = desk.payments.quote(account)
    assert quote.penalty_fen > 10
    plan = desk.payments.prepare(desk.clerk, wechat(account, quote.penalty_fen - 1))
    assert plan.penalty_fen == 0 and sum(a.amount_fen for a in plan.allocations) == (
        quote.penalty_fen - 1
    )


def test_a_later_quote_asks_only_what_accrued_since(desk: Desk) -> None:
    """Issue 12 item 1, the counter's story: the quote's penalty plus part of the bills is
    paid. The bills are settled first, so the penalty is still owed, once: the same day the
    quote asks exactly that penalty again (nothing more), ten days later that penalty plus
    the ten days' penalty on what is still overdue; paid in full, nothing more, ever."""
    account = overdue_account(desk)
    quote = desk.payments.quote(account)
    amount = quote.penalty_fen + 280_51
    assert amount < quote.owed_fen
    plan = desk.payments.prepare(desk.clerk, wechat(account, amount))
    assert plan.penalty_fen == 0 and plan.penalty_owed_after_fen == quote.penalty_fen
    desk.payments.record(desk.clerk, plan)
    same_day = desk.payments.quote(account)
    assert same_day.owed_fen == quote.owed_fen - amount
    assert same_day.penalty_fen == same_day.penalty_accrued_fen == quote.penalty_fen
    desk.clock.advance(days=10)
    later = desk.payments.quote(account)
    expected = day_by_day_penalty(desk, account, TODAY + timedelta(days=10))
    assert later.penalty_fen == expected > quote.penalty_fen
    desk.payments.record(desk.clerk, desk.payments.prepare(desk.clerk, pay(desk, account)))
    for days in (0, 1, 40):
        desk.clock.advance(days=days)
        assert desk.payments.quote(account).penalty_fen == 0


def test_waiving_the_penalty_needs_a_leader_and_a_reason(desk: Desk) -> None:
    account = overdue_account(desk)
    issued = receipt_counter(desk)
    quote = desk.payments.quote(account)
    plan = desk.payments.prepare(
        desk.clerk, pay(desk, account, quote.owed_fen, collect_penalty=False)
    )
    assert plan.penalty_fen == 0 and plan.waived_penalty_fen == quote.penalty_fen > 0
    assert plan.balance_after_fen == 0

    with pytest.raises(ValidationError) as err:
        desk.payments.record(desk.clerk, plan)
    assert err.value.field == "penalty_waiver"
    with pytest.raises(PermissionDenied):
        desk.payments.record(desk.clerk, plan, penalty_waiver=(desk.clerk, "first time late"))
    with pytest.raises(ValidationError) as err:
        desk.payments.record(desk.clerk, plan, penalty_waiver=(desk.leader, "  "))
    assert err.value.field == "reason"
    assert receipt_counter(desk) == issued
    assert desk.sql("SELECT COUNT(*) FROM penalty_waiver") == [(0,)]

    recorded = desk.payments.record(
        desk.clerk, plan, penalty_waiver=(desk.leader, "hospital stay, first time late")
    )
    assert desk.owed(account) == 0
    waivers = desk.sql(
        "SELECT account_id, amount_fen, reason, staff_id, approved_by FROM penalty_waiver"
    )
    assert waivers == [
        (
            account,
            quote.penalty_fen,
            "hospital stay, first time late",
            desk.clerk.staff_id,
            desk.leader.staff_id,
        )
    ]
    assert desk.sql(
        "SELECT penalty_fen, approved_by FROM payment WHERE id = ?", recorded.payment_id.hex
    ) == [(0, desk.leader.staff_id)]
    audit = desk.sql("SELECT staff_id, detail FROM audit_event WHERE action = 'penalty_waived'")
    assert len(audit) == 1 and audit[0][0] == desk.clerk.staff_id
    detail = json.loads(str(audit[0][1]))
    assert detail["approved_by"] == desk.leader.staff_id
    assert detail["payment"] == str(recorded.payment_id)
    assert detail["amount_fen"] == quote.penalty_fen


def test_a_waiver_without_a_penalty_is_refused(desk: Desk) -> None:
    plan = desk.payments.prepare(desk.clerk, pay(desk, settled_account(desk), 10_00))
    with pytest.raises(ValidationError) as err:
        desk.payments.record(desk.clerk, plan, penalty_waiver=(desk.leader, "goodwill"))
    assert err.value.field == "penalty_waiver"


def test_a_clerk_credential_is_not_a_leader_credential(desk: Desk) -> None:
    with pytest.raises(AuthenticationError):
        AuthService(desk.store, desk.clock).leader_credential("A001", "demo")


# -- restore requests ---------------------------------------------------------------------------


def test_full_payment_asks_to_restore_each_suspended_line(desk: Desk) -> None:
    account = overdue_account(desk, status="suspended")
    cut = {
        int(str(r[0]))
        for r in desk.sql(
            "SELECT id FROM service WHERE account_id = ? AND status IN ('restricted', 'suspended')",
            account,
        )
    }
    # A partial payment leaves something overdue: no restore yet.
    partial = desk.payments.prepare(desk.clerk, pay(desk, account, 1_00))
    assert partial.restores == ()
    desk.payments.record(desk.clerk, partial)
    assert desk.sql("SELECT COUNT(*) FROM restore_request WHERE account_id = ?", account) == [(0,)]

    plan = desk.payments.prepare(desk.clerk, pay(desk, account))
    assert set(plan.restores) == cut and plan.clears_arrears
    recorded = desk.payments.record(desk.clerk, plan)
    rows = desk.sql(
        "SELECT id, service_id, payment_id, requested_at, deadline_at, done_at "
        "FROM restore_request WHERE account_id = ?",
        account,
    )
    assert {int(str(r[1])) for r in rows} == cut
    assert {str(r[0]) for r in rows} == {i.hex for i in recorded.restore_request_ids}
    hours = default_policy().restore_hours
    for _id, _service, payment_id, requested, deadline, done in rows:
        assert payment_id == recorded.payment_id.hex and done is None
        requested_at = datetime.fromisoformat(str(requested))
        assert datetime.fromisoformat(str(deadline)) - requested_at == timedelta(hours=hours)
        assert requested_at.replace(tzinfo=UTC) == desk.clock.now

    # Open requests are not asked for twice (a later prepayment on the cleared account).
    again = desk.payments.prepare(desk.clerk, pay(desk, account, 10_00))
    assert again.restores == ()


def test_restore_for_a_line_restricted_by_hand(desk: Desk) -> None:
    """An overdue account whose lines are all normal, with one line suspended by SQL."""
    account = int(
        str(
            desk.one(
                "SELECT l.account_id FROM account_ledger l WHERE l.owed_fen > 0 AND "
                "l.oldest_unpaid_due < ? AND NOT EXISTS (SELECT 1 FROM service s WHERE "
                "s.account_id = l.account_id AND s.status != 'normal') "
                "ORDER BY l.account_id LIMIT 1",
                TODAY.isoformat(),
            )
        )
    )
    assert desk.payments.prepare(desk.clerk, pay(desk, account)).restores == ()
    service = int(str(desk.one("SELECT MIN(id) FROM service WHERE account_id = ?", account)))
    desk.sql("UPDATE service SET status = 'restricted' WHERE id = ?", service)
    plan = desk.payments.prepare(desk.clerk, pay(desk, account))
    assert plan.restores == (service,)
    recorded = desk.payments.record(desk.clerk, plan)
    assert len(recorded.restore_request_ids) == 1


def test_pre_terminated_lines_are_not_restored(desk: Desk) -> None:
    account = overdue_account(desk, status="pre_terminated")
    plan = desk.payments.prepare(desk.clerk, pay(desk, account))
    statuses = dict(
        desk.sql("SELECT id, status FROM service WHERE account_id = ?", account)  # type: ignore[arg-type]
    )
    assert all(statuses[s] in ("restricted", "suspended") for s in plan.restores)
    assert not any(statuses[s] == "pre_terminated" for s in plan.restores)


# -- void and reversal ----------------------------------------------------------------------------


def _take(desk: Desk, account: int, amount: int | None = None) -> tuple[int, RecordedPayment]:
    before = desk.owed(account)
    recorded = desk.payments.record(
        desk.clerk, desk.payments.prepare(desk.clerk, pay(desk, account, amount))
    )
    return before, recorded


def test_void_on_the_same_day_with_a_leader(desk: Desk) -> None:
    account = overdue_account(desk)
    before, recorded = _take(desk, account)
    assert desk.owed(account) == 0
    desk.clock.advance(hours=3)
    void = desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "wrong account")
    assert void.kind == "void" and void.receipt_no is None
    assert void.original_id == recorded.payment_id
    original = desk.sql(
        "SELECT amount_fen, penalty_fen FROM payment WHERE id = ?", recorded.payment_id.hex
    )[0]
    row = desk.sql(
        "SELECT amount_fen, penalty_fen, kind, original_id, reason, approved_by, staff_id, "
        "receipt_no, device_code FROM payment WHERE id = ?",
        void.payment_id.hex,
    )
    assert row == [
        (
            -int(str(original[0])),
            -int(str(original[1])),
            "void",
            recorded.payment_id.hex,
            "wrong account",
            desk.leader.staff_id,
            desk.clerk.staff_id,
            None,
            "PC01",
        )
    ]
    assert desk.owed(account) == before
    assert desk.drift() == []
    view = desk.payments.payment_view(recorded.payment_id)
    assert view.voided and not view.reversed and view.correction_id == void.payment_id
    assert not view.voidable and not view.reversible
    assert desk.sql(
        "SELECT action, staff_id FROM audit_event WHERE entity_id = ?", str(void.payment_id)
    ) == [("payment_void", desk.clerk.staff_id)]


def test_void_refused_with_a_clerk_credential(desk: Desk) -> None:
    _before, recorded = _take(desk, settled_account(desk), 10_00)
    with pytest.raises(PermissionDenied):
        desk.payments.void(desk.clerk, recorded.payment_id, desk.clerk, "mistake")
    with pytest.raises(ValidationError) as err:
        desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "")
    assert err.value.field == "reason"
    with pytest.raises(ValidationError):
        desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "x" * 201)
    assert desk.one("SELECT COUNT(*) FROM payment WHERE kind != 'payment'") == 0


def _close_shift(desk: Desk) -> None:
    shifts = ShiftService(desk.store, desk.clock)
    mine = shifts.desk(desk.clerk).mine
    assert mine is not None
    cash = shifts.x_report(desk.leader, mine.shift_id).cash.expected_cash_fen
    counts = {"coin_0_1": cash // 10} if cash % 10 == 0 else {}
    assert counts, "the test amounts are whole jiao"
    shifts.close(desk.clerk, counts, float_left_fen=0)


def test_void_refused_after_the_shift_closed(desk: Desk) -> None:
    _before, recorded = _take(desk, settled_account(desk), 10_00)
    assert desk.payments.payment_view(recorded.payment_id).voidable
    desk.clock.advance(hours=1)
    _close_shift(desk)
    assert not desk.payments.payment_view(recorded.payment_id).voidable
    with pytest.raises(NoOpenShift):
        desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "late")
    open_test_shift(desk.store, desk.clock, counts={})
    assert not desk.payments.payment_view(recorded.payment_id).voidable
    with pytest.raises(CorrectionRefused) as err:
        desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "late")
    assert err.value.rule is CorrectionRule.OTHER_SHIFT
    assert desk.payments.payment_view(recorded.payment_id).reversible
    reversal = desk.payments.reverse(desk.clerk, recorded.payment_id, desk.leader, "late")
    assert (
        desk.one(
            "SELECT count(*) FROM payment WHERE id = ? AND shift_id IS NOT NULL",
            reversal.payment_id.hex,
        )
        == 1
    )


def test_a_void_in_the_same_shift_across_utc_dates(desk: Desk) -> None:
    """01:00 and 23:00 in Shanghai are two UTC dates; the shift, still open, decides."""
    account = settled_account(desk)
    desk.clock.now = datetime(2026, 11, 15, 1, 0, tzinfo=SHANGHAI).astimezone(UTC)
    _before, recorded = _take(desk, account, 10_00)
    desk.clock.now = datetime(2026, 11, 15, 23, 0, tzinfo=SHANGHAI).astimezone(UTC)
    assert desk.clock.now.date() != recorded.paid_at.date()
    desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "customer changed mind")


def test_void_refused_twice_and_a_void_is_not_voided(desk: Desk) -> None:
    _before, recorded = _take(desk, settled_account(desk), 10_00)
    void = desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "mistake")
    with pytest.raises(CorrectionRefused) as err:
        desk.payments.void(desk.clerk, recorded.payment_id, desk.leader, "again")
    assert err.value.rule is CorrectionRule.ALREADY_CORRECTED
    with pytest.raises(CorrectionRefused) as err:
        desk.payments.reverse(desk.clerk, recorded.payment_id, desk.leader, "again")
    assert err.value.rule is CorrectionRule.ALREADY_CORRECTED
    with pytest.raises(CorrectionRefused) as err:
        desk.payments.void(desk.clerk, void.payment_id, desk.leader, "undo the void")
    assert err.value.rule is CorrectionRule.NOT_A_PAYMENT
    with pytest.raises(CorrectionRefused) as err:
        desk.payments.reverse(desk.clerk, void.payment_id, desk.leader, "undo the void")
    assert err.value.rule is CorrectionRule.NOT_A_PAYMENT
    with pytest.raises(NotFound):
        desk.payments.void(desk.clerk, payments_module.uuid7(), desk.leader, "nothing")
    assert desk.one("SELECT COUNT(*) FROM payment WHERE kind != 'payment'") == 1


def test_void_refused_to_a_clerk_without_the_shift(desk: Desk) -> None:
    """Another clerk at another counter has a shift of their own, not this one."""
    _before, recorded = _take(desk, settled_account(desk), 10_00)
    other = AuthService(desk.store, desk.clock).actor_for("A002")
    with pytest.raises(NoOpenShift):
        desk.payments.void(other, recorded.payment_id, desk.leader, "mistake")
    assert desk.one("SELECT COUNT(*) FROM payment WHERE kind != 'payment'") == 0


def test_reversal_at_any_time(desk: Desk) -> None:
    account = overdue_account(desk)
    before, recorded = _take(desk, account)
    desk.clock.advance(days=40)
    reversal = desk.payments.reverse(
        desk.clerk, recorded.payment_id, desk.leader, "card payment charged back"
    )
    assert reversal.kind == "reversal" and reversal.receipt_no is None
    row = desk.sql(
        "SELECT kind, original_id, approved_by, reason FROM payment WHERE id = ?",
        reversal.payment_id.hex,
    )
    assert row == [
        ("reversal", recorded.payment_id.hex, desk.leader.staff_id, "card payment charged back")
    ]
    assert desk.owed(account) == before
    assert desk.drift() == []
    view = desk.payments.payment_view(recorded.payment_id)
    assert view.reversed and not view.voided
    with pytest.raises(PermissionDenied):
        desk.payments.reverse(desk.clerk, recorded.payment_id, desk.clerk, "x")


def test_payment_view(desk: Desk) -> None:
    account = overdue_account(desk)
    plan = desk.payments.prepare(desk.clerk, pay(desk, account))
    recorded = desk.payments.record(desk.clerk, plan)
    view = desk.payments.payment_view(recorded.payment_id)
    assert view.kind == "payment" and view.receipt_no == recorded.receipt_no
    assert view.amount_fen == plan.amount_fen and view.penalty_fen == plan.penalty_fen
    assert view.staff_no == "A001" and view.prints == 0 and view.voidable
    assert [(a.bill_id, a.amount_fen) for a in view.allocations] == [
        (a.bill_id, a.amount_fen) for a in plan.allocations
    ]
    with pytest.raises(NotFound):
        desk.payments.payment_view(payments_module.uuid7())


def test_a_second_counter_waits_for_the_first_and_sees_its_payment(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two PCs confirm payments on one account from the same state. The first holds the
    write lock while it plans again; the second waits for it, then plans against the state
    the first committed and is refused instead of double-paying the same bills."""
    account = overdue_account(desk)
    other_store = open_store(sqlite_url(desk.path))
    other = PaymentService(other_store, desk.clock)
    issued = receipt_counter(desk)
    first = desk.payments.prepare(desk.clerk, pay(desk, account))
    second = other.prepare(desk.clerk, pay(desk, account))
    assert first == second
    inside, go = threading.Event(), threading.Event()
    real_plan = payments_module.plan_payment

    def slow_plan(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "first":
            inside.set()
            assert go.wait(10)
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(payments_module, "plan_payment", slow_plan)
    outcomes: dict[str, object] = {}

    def run(name: str, service: PaymentService, plan: PaymentPlan) -> None:
        try:
            outcomes[name] = service.record(desk.clerk, plan)
        except Exception as exc:
            outcomes[name] = exc

    one = threading.Thread(target=run, args=("first", desk.payments, first), name="first")
    two = threading.Thread(target=run, args=("second", other, second), name="second")
    one.start()
    assert inside.wait(10)
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second counter must wait for the first one's transaction"
    go.set()
    one.join(10)
    two.join(10)
    other_store.close()
    assert isinstance(outcomes["first"], RecordedPayment)
    assert isinstance(outcomes["second"], PlanOutdated)
    assert desk.owed(account) == 0
    assert receipt_counter(desk) == issued + 1
