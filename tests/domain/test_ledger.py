from __future__ import annotations

from datetime import date

from app.domain.ledger import BillLine, BillState, is_huge_charge, settle


def _bill(period: str, fen: int) -> BillLine:
    y, m = map(int, period.split("-"))
    issue = date(y + (m == 12), m % 12 + 1, 1)
    return BillLine(period, fen, issue, issue.replace(day=20))


def test_payments_settle_the_oldest_bills_first() -> None:
    bills = [_bill("2026-03", 5000), _bill("2026-01", 3000), _bill("2026-02", 4000)]
    summary = settle(bills, 8500)
    states = [(b.bill.period, b.state, b.paid_fen) for b in summary.bills]
    assert states == [
        ("2026-01", BillState.PAID, 3000),
        ("2026-02", BillState.PAID, 4000),
        ("2026-03", BillState.PARTIAL, 1500),
    ]
    assert summary.arrears_fen == 3500
    assert summary.balance_fen == -3500
    assert summary.oldest_unpaid_due() == date(2026, 4, 20)


def test_overdue_counts_only_bills_past_due() -> None:
    summary = settle([_bill("2026-01", 3000), _bill("2026-02", 4000)], 0)
    assert summary.overdue_fen(date(2026, 3, 19)) == 3000  # February bill due 20 March
    assert summary.overdue_fen(date(2026, 3, 21)) == 7000


def test_prepayment_is_credit() -> None:
    summary = settle([_bill("2026-01", 3000)], 5000)
    assert summary.balance_fen == 2000
    assert summary.arrears_fen == 0
    assert summary.oldest_unpaid_due() is None


def test_huge_charge_rule() -> None:
    assert is_huge_charge(50001, [10000, 10000, 10000])
    assert not is_huge_charge(50000, [10000, 10000, 10000])  # exactly 5x is not "more than"
    assert not is_huge_charge(99999, [10000, 10000])  # fewer than three months: no basis
    assert not is_huge_charge(100, [0, 0, 0])
    summary = settle([_bill(f"2026-0{m}", 100 if m < 4 else 1000) for m in range(1, 5)], 0)
    assert [b.huge_charge for b in summary.bills] == [False, False, False, True]
