"""The late-payment penalty as a ledger: accrued day by day on what was overdue that day,
posted when money is taken, never asked again once settled or waived, nothing accrued on a
frozen amount.

Telecommunications Regulations art. 34: "电信用户逾期不交纳电信费用的，电信业务经营者有权要求
补交电信费用，并可以按照所欠费用每日加收3‰的违约金。" (3‰ a day of the fees owed.)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.arrears import evaluate
from app.domain.arrears_policy import default_policy
from app.domain.freeze import Freeze
from app.domain.ledger import BillLine, DatedLedger, PaymentLine
from app.domain.penalty import (
    NO_PENALTY_FACTS,
    PenaltyFacts,
    PenaltyPosition,
    PenaltyRun,
    PostedAccrual,
    base_runs,
    daily_penalty_fen,
    late_penalty_fen,
    owed_penalty_fen,
    penalty_position,
    runs_from_json,
    runs_to_json,
    split_payment,
)

RATE = 3
POLICY = default_policy()
DUE = date(2026, 1, 31)
BILL = BillLine("2026-01", 300_00, date(2026, 1, 5), DUE)


def d(month: int, dom: int, year: int = 2026) -> date:
    return date(year, month, dom)


def position(
    bills: list[BillLine],
    payments: list[PaymentLine],
    today: date,
    facts: PenaltyFacts = NO_PENALTY_FACTS,
    freezes: tuple[Freeze, ...] = (),
) -> PenaltyPosition:
    return penalty_position(DatedLedger(bills, payments), freezes, facts, RATE, today)


def posted(runs: list[PenaltyRun], at: date, ref: str = "a") -> PostedAccrual:
    return PostedAccrual(datetime.combine(at, time(12), UTC), ref, RATE, tuple(runs))


# --- the figures ---------------------------------------------------------------------


def test_penalty_accrues_on_what_was_owed_on_each_day() -> None:
    """Issue 12 item 1: ¥300 due 2026-01-31, ¥100 paid on 02-10, quoted on 02-20.

    02-01..02-10 (10 late days, the payment day included) on ¥300: 10 × ¥0.90 = ¥9.00;
    02-11..02-20 (10 days) on the ¥200 still owed: 10 × ¥0.60 = ¥6.00. The ¥100 went to the
    bill (bills are settled first), so the ¥9.00 is still owed: ¥15.00 in all. The old
    engine charged 20 days on ¥200 (¥12.00): it forgot what was owed before the payment.
    """
    payments = [PaymentLine(d(2, 10), 100_00)]
    status = evaluate(POLICY, [BILL], payments, [], [], d(2, 20))
    assert status.penalty_fen == 9_00 + 6_00
    now = position([BILL], payments, d(2, 20))
    assert [(r.first, r.last, r.base_fen) for r in now.unposted] == [
        (d(2, 1), d(2, 10), 300_00),
        (d(2, 11), d(2, 20), 200_00),
    ]
    assert late_penalty_fen(200_00, 10, RATE) == 6_00  # what accrued since the payment


def test_a_settled_or_waived_penalty_is_never_asked_again() -> None:
    """The ¥9.00 of 02-01..02-10 posted on 02-10 and settled (or waived) then: on 02-20
    only the ¥6.00 accrued since on the ¥200 still owed is asked, the issue's figure."""
    payments = [PaymentLine(d(2, 10), 100_00)]
    on_the_day = position([BILL], payments, d(2, 10))
    assert on_the_day.owed_fen == 9_00
    accrual = posted(list(on_the_day.to_post), d(2, 10))
    assert accrual.amount_fen == 9_00
    for facts in (
        PenaltyFacts((accrual,), settled_fen=9_00),
        PenaltyFacts((accrual,), waived_fen=9_00),
    ):
        assert position([BILL], payments, d(2, 10), facts).owed_fen == 0
        later = position([BILL], payments, d(2, 20), facts)
        assert later.owed_fen == 6_00
        assert later.accrued_fen == 15_00
        status = evaluate(POLICY, [BILL], payments, [], [], d(2, 20), penalty=facts)
        assert status.penalty_fen == 6_00


def test_paying_everything_quoted_leaves_nothing_to_ask() -> None:
    quote = position([BILL], [], d(2, 10))
    assert quote.owed_fen == 9_00
    split = split_payment(300_00 + 9_00, 300_00, quote.owed_fen)
    assert (split.bills_fen, split.penalty_fen, split.prepayment_fen) == (300_00, 9_00, 0)
    facts = PenaltyFacts((posted(list(quote.to_post), d(2, 10)),), settled_fen=split.penalty_fen)
    payments = [PaymentLine(d(2, 10), split.bills_fen)]
    for day in (d(2, 10), d(2, 11), d(3, 31)):
        assert position([BILL], payments, day, facts).owed_fen == 0


def test_a_void_re_opens_exactly_what_its_payment_settled() -> None:
    quote = position([BILL], [], d(2, 10))
    facts = PenaltyFacts((posted(list(quote.to_post), d(2, 10)),), settled_fen=9_00)
    paid = [PaymentLine(d(2, 10), 300_00)]
    assert position([BILL], paid, d(2, 10), facts).owed_fen == 0
    voided = [*paid, PaymentLine(d(2, 10), -300_00)]
    reopened = PenaltyFacts(facts.accruals, settled_fen=9_00 - 9_00)
    assert position([BILL], voided, d(2, 10), reopened).owed_fen == 9_00
    # From the next day the bill accrues again, on the ¥300 the void re-opened.
    assert position([BILL], voided, d(2, 12), reopened).owed_fen == 9_00 + 2 * 90


# --- the rules ---------------------------------------------------------------------------------


def test_each_day_is_rounded_down_to_the_fen() -> None:
    """3‰ of ¥280.51 is 84.153 fen: 84 fen a day, never more than 3‰ on any day."""
    assert daily_penalty_fen(280_51, RATE) == 84
    assert daily_penalty_fen(1500, RATE) == 4  # 4.5 fen: down, not up
    assert daily_penalty_fen(333, RATE) == 0  # 0.999 fen
    assert daily_penalty_fen(10_000, 0) == daily_penalty_fen(-5, RATE) == 0
    assert late_penalty_fen(10_000, 10, RATE) == 3_00  # ¥100, 10 days late: ¥3.00


def test_no_penalty_accrues_on_a_frozen_amount() -> None:
    """Issue 12 item 2: ¥120 of ¥300 disputed and frozen 02-06..02-15: those ten days
    accrue on ¥180 only; the frozen days are never charged, and from 02-16 the ¥120
    accrues again (the dispute went the operator's way, the freeze ended)."""
    freeze = Freeze(120_00, d(2, 6), d(2, 15))
    status = evaluate(POLICY, [BILL], [], [], [freeze], d(2, 15))
    assert status.frozen_fen == 120_00
    assert status.penalty_fen == 5 * 90 + 10 * 54
    after = evaluate(POLICY, [BILL], [], [], [freeze], d(2, 20))
    assert after.penalty_fen == 5 * 90 + 10 * 54 + 5 * 90
    # A freeze of more than is overdue leaves a zero base, never a negative one.
    whole = Freeze(500_00, d(2, 1), d(2, 28))
    assert evaluate(POLICY, [BILL], [], [], [whole], d(2, 28)).penalty_fen == 0


def test_a_day_posted_before_the_freeze_was_recorded_stays_posted() -> None:
    """A payment taken in the morning posts the day; a freeze recorded that afternoon
    (starting that day) does not reach back into what was already charged."""
    morning = position([BILL], [], d(2, 10))
    facts = PenaltyFacts((posted(list(morning.to_post), d(2, 10)),), settled_fen=9_00)
    freeze = (Freeze(300_00, d(2, 10), d(2, 20)),)
    assert position([BILL], [], d(2, 20), facts, freeze).owed_fen == 0


def test_overlapping_postings_of_two_pcs_count_each_day_once() -> None:
    """Two PCs, offline, each posted 02-01..02-10: after sync each day counts once (the
    earlier posting's), and the second PC's penalty shows as overpaid, not as owed."""
    runs = list(position([BILL], [], d(2, 10)).to_post)
    first = posted(runs, d(2, 10), "a")
    second = PostedAccrual(first.posted_at + timedelta(minutes=5), "b", RATE, tuple(runs))
    both = PenaltyFacts((second, first), settled_fen=18_00)
    now = position([BILL], [], d(2, 10), both)
    assert now.accrued_fen == 9_00 and now.owed_fen == 0 and now.overpaid_fen == 9_00
    # Partly overlapping: 02-01..02-05 posted by one, 02-01..02-08 by the other.
    short = posted([PenaltyRun(d(2, 1), d(2, 5), 300_00)], d(2, 5), "c")
    long = posted([PenaltyRun(d(2, 1), d(2, 8), 300_00)], d(2, 8), "d")
    assert position([BILL], [], d(2, 10), PenaltyFacts((long, short))).accrued_fen == 9_00


def test_a_new_rate_applies_to_days_not_posted_yet() -> None:
    facts = PenaltyFacts((posted([PenaltyRun(d(2, 1), d(2, 5), 300_00)], d(2, 5)),))
    lower = penalty_position(DatedLedger([BILL], []), (), facts, 2, d(2, 10))
    assert lower.posted_fen == 5 * 90 and lower.unposted_fen == 5 * 60


def test_month_ends_and_a_leap_day() -> None:
    """Due 2028-01-31; 2028 is a leap year: February has 29 late days."""
    bill = BillLine("2028-01", 100_00, date(2028, 1, 5), date(2028, 1, 31))
    runs = base_runs(DatedLedger([bill], []), (), date(2028, 2, 1), date(2028, 3, 1))
    assert [(r.first, r.last, r.days) for r in runs] == [(date(2028, 2, 1), date(2028, 3, 1), 30)]
    status = evaluate(POLICY, [bill], [], [], [], date(2028, 2, 29))
    assert status.penalty_fen == 29 * 30


def test_bills_are_settled_before_the_penalty() -> None:
    """Issue 12 item 1: which part of a payment settles what. The bills first (every bill
    owed, oldest first), then the penalty, then a prepayment."""
    assert split_payment(100_00, 300_00, 9_00) == split_payment(100_00, 300_00, 0)
    assert (split_payment(305_00, 300_00, 9_00).penalty_fen) == 5_00
    split = split_payment(400_00, 300_00, 9_00)
    assert (split.bills_fen, split.penalty_fen, split.prepayment_fen) == (300_00, 9_00, 91_00)
    credit = split_payment(50_00, -20_00, 9_00)  # a credit on the account: nothing owed
    assert (credit.bills_fen, credit.penalty_fen, credit.prepayment_fen) == (0, 9_00, 41_00)
    with pytest.raises(ValueError):
        split_payment(-1, 0, 0)


def test_runs_round_trip_through_json() -> None:
    runs = (PenaltyRun(d(2, 1), d(2, 10), 300_00), PenaltyRun(d(2, 11), d(2, 20), 0))
    assert runs_from_json(runs_to_json(runs)) == runs
    with pytest.raises(ValueError):
        PenaltyRun(d(2, 2), d(2, 1), 1)


# --- property: random counters over month ends and a leap day ---------------------------------

START = date(2027, 12, 20)
DAYS = 130  # to the end of April 2028, through 2028-02-29


@dataclass
class Counter:
    """The account as the counter sees it: bills, what payments credited, the penalty's
    facts; every money event quotes first and checks the quote."""

    bills: list[BillLine] = field(default_factory=list)
    payments: list[PaymentLine] = field(default_factory=list)
    taken: list[tuple[int, int]] = field(default_factory=list)  # (credited, penalty) per payment
    voided: set[int] = field(default_factory=set)
    accruals: list[PostedAccrual] = field(default_factory=list)
    freezes: list[Freeze] = field(default_factory=list)
    settled: int = 0
    waived: int = 0
    seq: itertools.count[int] = field(default_factory=itertools.count)

    def facts(self) -> PenaltyFacts:
        return PenaltyFacts(tuple(self.accruals), self.settled, self.waived)

    def quote(self, day: date) -> PenaltyPosition:
        now = penalty_position(
            DatedLedger(self.bills, self.payments), self.freezes, self.facts(), RATE, day
        )
        # Never asks for what was settled or waived, and never less than the rest.
        assert now.overpaid_fen == 0
        assert now.owed_fen == now.accrued_fen - self.settled - self.waived
        assert now.accrued_fen == oracle(self, day)
        # The ladder's sum-only path gives the same amount owed.
        assert now.owed_fen == owed_penalty_fen(
            DatedLedger(self.bills, self.payments), self.freezes, self.facts(), RATE, day
        )
        return now

    def post(self, day: date, now: PenaltyPosition) -> None:
        if now.to_post:
            at = datetime.combine(day, time(9), UTC) + timedelta(seconds=next(self.seq))
            self.accruals.append(PostedAccrual(at, f"{at:%Y%m%d%H%M%S}", RATE, now.to_post))

    def owed_bills(self) -> int:
        return sum(b.amount_fen for b in self.bills) - sum(p.amount_fen for p in self.payments)

    def pay(self, day: date, amount: int) -> None:
        now = self.quote(day)
        split = split_payment(amount, self.owed_bills(), now.owed_fen)
        self.post(day, now)
        credited = split.bills_fen + split.prepayment_fen
        self.payments.append(PaymentLine(day, credited))
        self.settled += split.penalty_fen
        self.taken.append((credited, split.penalty_fen))
        assert self.quote(day).owed_fen == now.owed_fen - split.penalty_fen

    def waive(self, day: date) -> None:
        now = self.quote(day)
        self.post(day, now)
        self.waived += now.owed_fen
        assert self.quote(day).owed_fen == 0

    def void(self, day: date, pick: int) -> None:
        open_ = [i for i in range(len(self.taken)) if i not in self.voided]
        if not open_:
            return
        index = open_[pick % len(open_)]
        before = self.quote(day).owed_fen
        credited, penalty = self.taken[index]
        self.voided.add(index)
        self.payments.append(PaymentLine(day, -credited))
        self.settled -= penalty
        assert self.quote(day).owed_fen == before + penalty


def oracle(counter: Counter, today: date) -> int:
    """The day-by-day sum, written plainly: for each day, what bills due before it still
    owed after the payments of earlier days (oldest bill first), less what a freeze held
    that day, times 3‰ rounded down."""
    total = 0
    day = min((b.due_date for b in counter.bills), default=today) + timedelta(days=1)
    ordered = sorted(counter.bills, key=lambda b: (b.period, b.due_date))
    while day <= today:
        credit = sum(p.amount_fen for p in counter.payments if p.paid_on < day)
        overdue = 0
        for bill in ordered:
            paid = min(bill.amount_fen, max(0, credit))
            credit -= paid
            if bill.due_date < day:
                overdue += bill.amount_fen - paid
        frozen = sum(f.amount_fen for f in counter.freezes if f.starts_on <= day <= f.expires_on)
        total += max(0, overdue - frozen) * RATE // 1000
        day += timedelta(days=1)
    return total


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


_event = st.one_of(
    st.tuples(st.just("bill"), st.integers(1_00, 900_00), st.integers(0, 2)),
    st.tuples(st.just("pay"), st.integers(1, 600_00), st.just(0)),
    st.tuples(st.just("waive"), st.just(0), st.just(0)),
    st.tuples(st.just("void"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("freeze"), st.integers(1_00, 500_00), st.integers(0, 40)),
)


@settings(max_examples=150, deadline=None)
@given(days=st.lists(st.lists(_event, max_size=3), min_size=DAYS, max_size=DAYS))
def test_total_penalty_is_the_day_by_day_sum_and_nothing_is_asked_twice(
    days: list[list[tuple[str, int, int]]],
) -> None:
    counter = Counter()
    for offset, events in enumerate(days):
        day = START + timedelta(days=offset)
        # A freeze recorded today starts today: taken before the money events of the day
        # (the one case apart is test_a_day_posted_before_the_freeze_was_recorded...).
        for kind, amount, extra in sorted(events, key=lambda e: e[0] != "freeze"):
            if kind == "bill":
                due = month_end(day)
                for _ in range(extra):
                    due = month_end(due + timedelta(days=1))
                period = f"{len(counter.bills):04d}"
                counter.bills.append(BillLine(period, amount, day, due))
            elif kind == "pay":
                counter.pay(day, amount)
            elif kind == "waive":
                counter.waive(day)
            elif kind == "void":
                counter.void(day, amount)
            else:
                counter.freezes.append(Freeze(amount, day, day + timedelta(days=extra)))
    last = START + timedelta(days=DAYS - 1)
    final = counter.quote(last)
    assert final.accrued_fen == oracle(counter, last)
    assert counter.settled + counter.waived + final.owed_fen == final.accrued_fen
