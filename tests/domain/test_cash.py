"""The cash arithmetic of a shift: denominations, counts, expected cash, the difference;
and the handover's signing rules and opening checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.cash import (
    BY_CODE,
    DENOMINATIONS,
    MAX_PIECES,
    CashCount,
    CashDifference,
    DifferenceKind,
    EntryKind,
    MoneyEntry,
    check_float_left,
    parse_count,
    shift_cash,
)
from app.domain.errors import ValidationError
from app.domain.handover import (
    Arrival,
    HandoverRefused,
    Signer,
    check_signature,
    is_locked,
    judge_opening,
    next_signer,
)


def test_the_denominations_in_circulation() -> None:
    values = [(d.code, d.value_fen, d.coin) for d in DENOMINATIONS]
    assert values == [
        ("note_100", 10000, False),
        ("note_50", 5000, False),
        ("note_20", 2000, False),
        ("note_10", 1000, False),
        ("note_5", 500, False),
        ("note_1", 100, False),
        ("coin_1", 100, True),
        ("coin_0_5", 50, True),
        ("coin_0_1", 10, True),
    ]


def test_count_total_in_fen() -> None:
    count = CashCount.of({"note_100": 3, "note_20": 1, "coin_0_5": 3, "coin_0_1": 2, "note_5": 0})
    assert count.total_fen == 300_00 + 20_00 + 1_50 + 20
    assert count.as_dict() == {"note_100": 3, "note_20": 1, "coin_0_5": 3, "coin_0_1": 2}
    assert CashCount.of({}).total_fen == 0


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None, MAX_PIECES + 1])
def test_counts_are_whole_non_negative_numbers(bad: object) -> None:
    with pytest.raises(ValidationError) as err:
        CashCount.of({"note_10": bad})
    assert err.value.field == "note_10"


def test_unknown_denomination_is_refused() -> None:
    with pytest.raises(ValidationError):
        CashCount.of({"note_2": 1})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 0), (" 12 ", 12), ("0", 0), (str(MAX_PIECES), MAX_PIECES), ("１２", 12), ("３", 3)],
)
def test_parse_count(text: str, expected: int) -> None:
    assert parse_count(text, "note_50") == expected


@pytest.mark.parametrize("text", ["1.5", "-2", "abc", "٣", "1e3", "1,000", "1\x00"])
def test_parse_count_refuses_what_is_not_a_whole_number(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_count(text, "note_50")


counts = st.dictionaries(
    st.sampled_from([d.code for d in DENOMINATIONS]), st.integers(0, MAX_PIECES)
)


@given(counts)
def test_total_is_the_sum_of_value_times_pieces(pieces: dict[str, int]) -> None:
    count = CashCount.of(pieces)
    assert count.total_fen == sum(BY_CODE[c].value_fen * n for c, n in pieces.items())
    assert count.total_fen % 10 == 0


def test_expected_cash_with_change_voids_reversals_and_movements() -> None:
    entries = [
        MoneyEntry("cash", 158_00, tendered_fen=200_00, change_fen=42_00),
        MoneyEntry("cash", 50_00),  # exact money
        MoneyEntry("cash", -50_00, EntryKind.VOID),
        MoneyEntry("cash", -30_00, EntryKind.REVERSAL),  # an older payment refunded in cash
        MoneyEntry("bank_card", 300_00),
        MoneyEntry("bank_card", -300_00, EntryKind.REVERSAL),
        MoneyEntry("wechat", 99_50),
        MoneyEntry("wechat", 10_00),
    ]
    cash = shift_cash(500_00, entries, cash_in=[100_00], cash_out=[200_00, 50_00])
    assert cash.cash_received_fen == 250_00
    assert cash.change_given_fen == 42_00
    assert cash.cash_corrections_fen == -80_00
    # 500 + 250 - 42 - 80 + 100 - 250
    assert cash.expected_cash_fen == 478_00
    assert cash.method("cash").net_fen == 128_00
    card = cash.method("bank_card")
    assert (card.payments, card.reversals, card.net_fen) == (1, 1, 0)
    wechat = cash.method("wechat")
    assert (wechat.payments, wechat.payments_fen) == (2, 109_50)
    assert cash.method("alipay").net_fen == 0
    assert cash.takings_fen == 128_00 + 0 + 109_50


def test_reported_methods_come_first_even_when_unused() -> None:
    cash = shift_cash(0, [MoneyEntry("wechat", 1_00)], method_order=("cash", "bank_card"))
    assert [m.method for m in cash.methods] == ["cash", "bank_card", "wechat"]


def test_bad_entries_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        MoneyEntry("cash", -1_00)
    with pytest.raises(ValueError):
        MoneyEntry("cash", 1_00, EntryKind.VOID)
    with pytest.raises(ValueError):
        MoneyEntry("cash", 1_00, tendered_fen=5_00, change_fen=3_00)
    with pytest.raises(ValueError):
        shift_cash(-1, [])
    with pytest.raises(ValueError):
        shift_cash(0, [], cash_out=[0])


cash_payment = st.builds(
    lambda amount, extra: MoneyEntry("cash", amount, tendered_fen=amount + extra, change_fen=extra),
    st.integers(1, 10_000_00),
    st.integers(0, 100_00),
)
other_payment = st.builds(
    MoneyEntry, st.sampled_from(["bank_card", "wechat", "alipay"]), st.integers(1, 10_000_00)
)


@given(
    float_fen=st.integers(0, 5_000_00),
    payments=st.lists(st.one_of(cash_payment, other_payment), max_size=30),
    voided=st.data(),
    ins=st.lists(st.integers(1, 1_000_00), max_size=5),
    outs=st.lists(st.integers(1, 1_000_00), max_size=5),
)
def test_expected_cash_is_float_plus_net_cash_plus_movements(
    float_fen: int,
    payments: list[MoneyEntry],
    voided: st.DataObject,
    ins: list[int],
    outs: list[int],
) -> None:
    """However change and corrections split it, the drawer holds the float, plus the net
    cash takings, plus cash in, less cash out; non-cash methods never reach it."""
    corrections = [
        MoneyEntry(p.method, -p.amount_fen, voided.draw(st.sampled_from(list(EntryKind)[1:])))
        for p in payments
        if voided.draw(st.booleans())
    ]
    cash = shift_cash(float_fen, [*payments, *corrections], cash_in=ins, cash_out=outs)
    net_cash = sum(e.amount_fen for e in [*payments, *corrections] if e.method == "cash")
    assert cash.expected_cash_fen == float_fen + net_cash + sum(ins) - sum(outs)
    assert cash.takings_fen == sum(e.amount_fen for e in [*payments, *corrections])
    for total in cash.methods:
        assert total.payments == sum(1 for p in payments if p.method == total.method)


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**6))
def test_difference_sign_and_limit(expected: int, counted: int, limit: int) -> None:
    diff = CashDifference(expected, counted)
    assert diff.difference_fen == counted - expected
    kind = diff.kind
    if counted > expected:
        assert kind is DifferenceKind.SURPLUS
    elif counted < expected:
        assert kind is DifferenceKind.SHORTAGE
    else:
        assert kind is DifferenceKind.BALANCED
    assert diff.over_limit(limit) == (abs(counted - expected) > limit)


def test_limit_is_inclusive() -> None:
    assert not CashDifference(100_00, 90_00).over_limit(10_00)
    assert CashDifference(100_00, 89_90).over_limit(10_00)
    assert CashDifference(100_00, 110_10).over_limit(10_00)


def test_float_left_is_within_the_count() -> None:
    assert check_float_left(0, 0) == 0
    assert check_float_left(500_00, 500_00) == 500_00
    with pytest.raises(ValidationError):
        check_float_left(500_10, 500_00)
    with pytest.raises(ValidationError):
        check_float_left(-1, 500_00)


# -- handover signatures --------------------------------------------------------------------


def test_signing_order_and_lock() -> None:
    signed: dict[Signer, int] = {}
    assert next_signer(signed) is Signer.OUTGOING
    with pytest.raises(HandoverRefused):
        check_signature(signed, Signer.INCOMING, 2, outgoing_staff_id=1, signer_is_leader=False)
    with pytest.raises(HandoverRefused):  # only the shift's clerk signs as outgoing
        check_signature(signed, Signer.OUTGOING, 2, outgoing_staff_id=1, signer_is_leader=False)
    check_signature(signed, Signer.OUTGOING, 1, outgoing_staff_id=1, signer_is_leader=False)
    signed[Signer.OUTGOING] = 1
    with pytest.raises(HandoverRefused):  # the same person cannot sign twice
        check_signature(signed, Signer.INCOMING, 1, outgoing_staff_id=1, signer_is_leader=False)
    signed[Signer.INCOMING] = 2
    with pytest.raises(HandoverRefused):  # a clerk cannot countersign
        check_signature(signed, Signer.LEADER, 3, outgoing_staff_id=1, signer_is_leader=False)
    with pytest.raises(HandoverRefused):  # the incoming clerk cannot countersign too
        check_signature(signed, Signer.LEADER, 2, outgoing_staff_id=1, signer_is_leader=True)
    check_signature(signed, Signer.LEADER, 3, outgoing_staff_id=1, signer_is_leader=True)
    signed[Signer.LEADER] = 3
    assert is_locked(signed) and next_signer(signed) is None
    with pytest.raises(HandoverRefused):
        check_signature(signed, Signer.LEADER, 4, outgoing_staff_id=1, signer_is_leader=True)


# -- opening checks -------------------------------------------------------------------------

OPENING = datetime(2026, 11, 15, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


def test_opening_checks() -> None:
    before = timedelta(minutes=15)
    arrivals = [
        Arrival(1, OPENING - timedelta(minutes=20)),
        Arrival(2, OPENING - timedelta(minutes=15)),  # exactly on the limit: on time
        Arrival(3, OPENING - timedelta(minutes=14)),
    ]
    verdict = judge_opening(OPENING, before, arrivals, [1, 2, 3], {1, 2}, OPENING)
    assert verdict.late_staff == (3,)
    assert verdict.uncleaned_counters == (3,)
    assert not verdict.opened_late and not verdict.all_passed
    good = judge_opening(OPENING, before, arrivals[:2], [1, 2], {1, 2}, OPENING)
    assert good.all_passed
    late_open = judge_opening(OPENING, before, [], [], set(), OPENING + timedelta(minutes=1))
    assert late_open.opened_late and not late_open.all_passed
    assert judge_opening(OPENING, before, [], [], set(), None).not_opened
