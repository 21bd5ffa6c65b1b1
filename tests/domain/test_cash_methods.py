"""The non-cash methods at a shift's close: what each is expected to show (its net takings,
voids and reversals included), the totals typed from the settlement slips and statements,
which must be entered, and when a difference needs a reason or a shift leader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import i18n
from app.domain.cash import (
    MAX_METHOD_TOTAL_FEN,
    CashDifference,
    EntryKind,
    MethodCount,
    MethodTotalError,
    MoneyEntry,
    ShiftCash,
    check_method_total,
    close_needs,
    had_takings,
    parse_method_total,
    reconcile_methods,
    shift_cash,
)
from app.domain.errors import ValidationError
from app.i18n import N_

ORDER = ("cash", "bank_card", "wechat", "alipay")
LABELS = {"bank_card": N_("Bank card"), "wechat": N_("WeChat Pay"), "alipay": N_("Alipay")}


def _shift(*entries: MoneyEntry) -> ShiftCash:
    return shift_cash(500_00, entries, method_order=ORDER)


def test_expected_per_method_is_net_of_voids_and_reversals() -> None:
    cash = shift_cash(
        500_00,
        [
            MoneyEntry("cash", 158_00, tendered_fen=200_00, change_fen=42_00),
            MoneyEntry("bank_card", 300_00),
            MoneyEntry("bank_card", 120_00),
            MoneyEntry("bank_card", -120_00, EntryKind.VOID),  # voided on the terminal too
            MoneyEntry("bank_card", -45_50, EntryKind.REVERSAL),  # an older card payment
            MoneyEntry("wechat", 99_50),
        ],
        method_order=ORDER,
    )
    methods = reconcile_methods(
        cash, {"bank_card": 254_50, "wechat": 99_00, "alipay": None}, LABELS
    )
    assert [m.method for m in methods] == ["bank_card", "wechat", "alipay"]  # never cash
    card, wechat, alipay = methods
    assert (card.expected_fen, card.counted_fen, card.difference_fen) == (254_50, 254_50, 0)
    assert card.difference.kind.value == "balanced"
    assert (wechat.expected_fen, wechat.counted_fen, wechat.difference_fen) == (99_50, 99_00, -50)
    assert wechat.difference.kind.value == "shortage"
    # Alipay took nothing: it may be left empty and counts as 0.
    assert alipay == MethodCount("alipay", 0, 0)


def test_a_method_with_takings_must_be_counted() -> None:
    cash = _shift(MoneyEntry("bank_card", 300_00), MoneyEntry("alipay", 10_00))
    with pytest.raises(MethodTotalError) as err:
        reconcile_methods(cash, {"bank_card": 300_00}, LABELS)
    assert err.value.field == "alipay"
    with i18n.in_language("en"):
        assert err.value.user_message().startswith("Alipay had takings in this shift")
    with i18n.in_language("zh_CN"):
        assert "支付宝" in err.value.user_message()


def test_a_payment_voided_to_nothing_is_still_counted() -> None:
    """The slip shows the sale and its void: the clerk confirms it nets to 0."""
    cash = _shift(MoneyEntry("wechat", 20_00), MoneyEntry("wechat", -20_00, EntryKind.VOID))
    assert had_takings(cash.method("wechat"))
    with pytest.raises(MethodTotalError):
        reconcile_methods(cash, {}, LABELS)
    (_card, wechat, _alipay) = reconcile_methods(cash, {"wechat": 0}, LABELS)
    assert wechat.expected_fen == 0 and wechat.difference_fen == 0


def test_totals_for_cash_or_unknown_methods_are_refused() -> None:
    cash = _shift()
    for method in ("cash", "cheque"):
        with pytest.raises(MethodTotalError) as err:
            reconcile_methods(cash, {method: 1_00}, LABELS)
        assert err.value.field == method


@pytest.mark.parametrize("bad", [-1, 1.5, "300", True, MAX_METHOD_TOTAL_FEN + 1])
def test_counted_totals_are_non_negative_fen(bad: object) -> None:
    with pytest.raises(ValidationError):
        check_method_total("bank_card", bad)
    with pytest.raises(ValidationError):
        reconcile_methods(_shift(), {"bank_card": bad}, LABELS)  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("", None),
        ("   ", None),
        ("0", 0),
        ("0.00", 0),
        ("¥0", 0),
        ("300", 300_00),
        ("1,254.5", 1254_50),
        (" ¥99.05 ", 99_05),
    ],
)
def test_parse_a_total_typed_in_yuan(text: str, fen: int | None) -> None:
    assert parse_method_total(text, "bank_card", LABELS["bank_card"]) == fen


@pytest.mark.parametrize("text", ["-5", "12.345", "0.001", "abc", "1e3", "¥"])
def test_parse_refuses_negative_ambiguous_or_unreadable_totals(text: str) -> None:
    with pytest.raises(MethodTotalError) as err:
        parse_method_total(text, "wechat", LABELS["wechat"])
    assert err.value.field == "wechat"
    with i18n.in_language("en"):
        assert err.value.user_message().startswith("WeChat Pay:")


def test_the_reason_and_leader_rule_covers_every_method() -> None:
    balanced = CashDifference(500_00, 500_00)
    card_small = MethodCount("bank_card", 300_00, 295_00)
    card_big = MethodCount("bank_card", 300_00, 250_00)
    assert close_needs(balanced, [], 10_00) == (False, False)
    assert close_needs(balanced, [MethodCount("wechat", 5_00, 5_00)], 10_00) == (False, False)
    assert close_needs(balanced, [card_small], 10_00) == (True, False)
    assert close_needs(balanced, [card_big], 10_00) == (True, True)
    assert close_needs(CashDifference(500_00, 480_00), [card_small], 10_00) == (True, True)
    # A surplus over the limit needs a leader as much as a shortage does.
    assert close_needs(balanced, [MethodCount("alipay", 0, 10_01)], 10_00) == (True, True)
    assert close_needs(balanced, [MethodCount("alipay", 0, 10_00)], 10_00) == (True, False)


@given(
    st.lists(
        st.tuples(st.sampled_from(["bank_card", "wechat", "alipay"]), st.integers(1, 10_000_00)),
        max_size=20,
    ),
    st.data(),
)
def test_expected_is_the_methods_net_takings(
    payments: list[tuple[str, int]], data: st.DataObject
) -> None:
    entries = [MoneyEntry(m, fen) for m, fen in payments]
    entries += [
        MoneyEntry(e.method, -e.amount_fen, data.draw(st.sampled_from(list(EntryKind)[1:])))
        for e in list(entries)
        if data.draw(st.booleans())
    ]
    cash = shift_cash(0, entries, method_order=ORDER)
    counted = {m: sum(e.amount_fen for e in entries if e.method == m) for m in ORDER[1:]}
    methods = reconcile_methods(cash, {m: max(fen, 0) for m, fen in counted.items()}, LABELS)
    for m in methods:
        assert m.expected_fen == counted[m.method]
        assert m.difference_fen == 0
