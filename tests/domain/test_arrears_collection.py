"""What arrears collection recovered: the part of a day's payments that settled bills past
their due date, by the ledger's oldest-first rule, and the tier the ladder had the
account in when the day began.

Seed (欠费管理制度 第十一条): "对于少额欠费的用户,可以通过电话、短信等方式进行催缴;对于大额
欠费的用户,应当采取更加严格的措施" — the hall chases arrears by tier, so the leader's report
says how much each tier brought back."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.domain.arrears_collection import recoveries
from app.domain.arrears_policy import default_policy
from app.domain.freeze import Freeze
from app.domain.ledger import BillLine, DatedLedger, PaymentLine

OCT = BillLine("2026-10", 150_00, date(2026, 10, 1), date(2026, 10, 25))
NOV = BillLine("2026-11", 120_00, date(2026, 11, 1), date(2026, 11, 25))
DAY = date(2026, 11, 10)  # October's bill overdue, November's not yet due


def test_only_what_settles_overdue_bills_is_recovered() -> None:
    # 200 paid: 150 clears October (overdue), 50 goes to November (not due): 150 recovered.
    got = recoveries([OCT, NOV], [PaymentLine(DAY, 200_00)], [], [DAY])
    assert [(r.day, r.recovered_fen, r.ladder_fen) for r in got] == [(DAY, 150_00, 150_00)]
    # A part payment recovers what it pays.
    assert recoveries([OCT, NOV], [PaymentLine(DAY, 40_00)], [], [DAY])[0].recovered_fen == 40_00
    # Paying a bill before its due date recovers nothing: nothing was in arrears.
    early = date(2026, 10, 20)
    assert recoveries([OCT], [PaymentLine(early, 150_00)], [], [early])[0].recovered_fen == 0


def test_voids_count_on_their_own_day() -> None:
    later = date(2026, 11, 12)
    payments = [PaymentLine(DAY, 100_00), PaymentLine(DAY, -100_00)]  # paid and voided
    assert recoveries([OCT], payments, [], [DAY])[0].recovered_fen == 0
    payments = [PaymentLine(DAY, 100_00), PaymentLine(later, -100_00)]
    got = recoveries([OCT], payments, [], [DAY, later])
    assert [r.recovered_fen for r in got] == [100_00, -100_00]
    assert sum(r.recovered_fen for r in got) == 0  # the period's total is net


def test_the_tier_follows_the_ladder_amount_when_the_day_began() -> None:
    policy = default_policy()
    big = BillLine("2026-10", 350_00, date(2026, 10, 1), date(2026, 10, 25))
    day = recoveries([big], [PaymentLine(DAY, 50_00)], [], [DAY])[0]
    tier = policy.tier_for(day.ladder_fen)
    assert tier is not None and tier.code == "large"  # 350 overdue: the large tier
    # A dispute freeze holding 200 of it leaves 150 on the ladder: the small tier.
    freeze = Freeze(200_00, date(2026, 11, 1), date(2026, 11, 30))
    day = recoveries([big], [PaymentLine(DAY, 50_00)], [freeze], [DAY])[0]
    assert day.ladder_fen == 150_00 and day.recovered_fen == 50_00
    tier = policy.tier_for(day.ladder_fen)
    assert tier is not None and tier.code == "small"
    # Everything frozen: recovered, but in no tier.
    whole = Freeze(350_00, date(2026, 11, 1), date(2026, 11, 30))
    day = recoveries([big], [PaymentLine(DAY, 50_00)], [whole], [DAY])[0]
    assert day.ladder_fen == 0 and policy.tier_for(day.ladder_fen) is None


days = st.integers(min_value=0, max_value=90).map(
    lambda n: date.fromordinal(date(2026, 9, 1).toordinal() + n)
)


@given(
    st.lists(st.tuples(days, st.integers(1, 300_00)), min_size=1, max_size=5),
    st.lists(st.tuples(days, st.integers(-100_00, 300_00)), max_size=8),
)
def test_recoveries_add_up_to_the_fall_in_arrears(
    bills: list[tuple[date, int]], payments: list[tuple[date, int]]
) -> None:
    """Over any days, the recoveries are exactly how much the overdue amount fell because
    of the payments: the overdue amount at the end of the day without that day's payments,
    less the one with them."""
    lines = [BillLine(f"2026-{i:02d}", a, d, d) for i, (d, a) in enumerate(sorted(bills), 1)]
    paid = [PaymentLine(d, a) for d, a in payments]
    ledger = DatedLedger(lines, paid)
    for r in recoveries(lines, paid, [], [d for d, _a in payments]):
        without = DatedLedger(lines, [p for p in paid if p.paid_on != r.day])
        assert r.recovered_fen == without.overdue(r.day) - ledger.overdue(r.day)
