"""Restriction (单停) before the 30-day floor: large arrears only, mobile lines only; which
lines a restriction reaches; the policy editor's refusal (issue 12 item 9).

Seed, 电信欠费管理制度 第十一条: "电信企业对于欠费用户应当分类管理,根据欠费情况采取不同的
处理方法。对于少额欠费的用户,可以通过电话、短信等方式进行催缴;对于大额欠费的用户,应当采取
更加严格的措施,包括但不限于限制通信服务、降低通信服务等措施。"
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.domain.arrears import (
    ActionTaken,
    ArrearsRule,
    ArrearsRuleError,
    ArrearsStatus,
    check_step_allowed,
    evaluate,
    restrictable_kinds,
)
from app.domain.arrears_policy import (
    ArrearsPolicy,
    LadderStep,
    StepKind,
    Tier,
    default_policy,
)
from app.domain.errors import ValidationError
from app.domain.ledger import BillLine

K = StepKind
SEED_RULE = (
    "对于少额欠费的用户,可以通过电话、短信等方式进行催缴;"
    "对于大额欠费的用户,应当采取更加严格的措施,包括但不限于限制通信服务"
)
DUE = date(2027, 3, 20)
SMS = LadderStep(K.SMS_REMINDER, 1)


def day(n: int) -> date:
    return DUE + timedelta(days=n)


def status(
    fen: int,
    today: date,
    policy: ArrearsPolicy,
    lines: frozenset[str] | None = None,
    actions: tuple[ActionTaken, ...] = (ActionTaken(K.SMS_REMINDER, day(1)),),
) -> ArrearsStatus:
    bills = [BillLine("2027-02", fen, DUE - timedelta(days=20), DUE)]
    return evaluate(policy, bills, [], actions, [], today, line_kinds=lines)


def early_everywhere() -> ArrearsPolicy:
    """A policy that restricts every amount on day 2 (what the editor let through)."""
    steps = (SMS, LadderStep(K.RESTRICT, 2, True), LadderStep(K.SUSPEND, 30, True))
    return ArrearsPolicy((Tier("all", 1, steps),))


def test_the_editor_refuses_an_early_restriction_below_the_large_tier() -> None:
    assert "限制通信服务" in SEED_RULE
    with pytest.raises(ValidationError) as err:
        early_everywhere().validate()
    assert err.value.field == "tiers"
    assert "day 2" in str(err.value) and "200" in str(err.value)
    # From day 30 any tier may restrict; a large tier may restrict earlier.
    late = ArrearsPolicy(
        (Tier("all", 1, (SMS, LadderStep(K.RESTRICT, 30, True), LadderStep(K.SUSPEND, 31, True))),)
    )
    late.validate()
    large = ArrearsPolicy((Tier("big", 20000, early_everywhere().tiers[0].steps),))
    large.validate()
    # Grace days move the restriction later: day 25 + 5 grace days is day 30.
    graced = ArrearsPolicy(
        (Tier("all", 1, (SMS, LadderStep(K.RESTRICT, 25, True), LadderStep(K.SUSPEND, 30, True))),),
        grace_days=5,
    )
    graced.validate()
    with pytest.raises(ValidationError):
        replace(graced, grace_days=4).validate()
    with pytest.raises(ValidationError) as bad:
        replace(default_policy(), large_arrears_fen=0).validate()
    assert bad.value.field == "large_arrears_fen"


def test_the_bundled_policy_and_its_threshold_round_trip() -> None:
    policy = default_policy()
    assert policy.large_arrears_fen == 20000
    assert ArrearsPolicy.from_dict(policy.to_dict()) == policy
    old = policy.to_dict()
    del old["large_arrears_fen"]  # a version stored before the threshold existed
    assert ArrearsPolicy.from_dict(old).large_arrears_fen == 20000


def test_a_stored_early_policy_still_loads_but_the_engine_holds_the_floor() -> None:
    """A version saved before the rule loads (so the hall can open and fix it), and the
    engine neither proposes nor allows an early restriction below the threshold."""
    stored = ArrearsPolicy.from_dict(early_everywhere().to_dict(), stored=True)
    with pytest.raises(ValidationError):
        ArrearsPolicy.from_dict(early_everywhere().to_dict())
    small = status(5000, day(2), stored)
    assert small.next_step is not None and small.next_step.kind == K.RESTRICT
    assert small.next_due == day(30)
    with pytest.raises(ArrearsRuleError) as err:
        check_step_allowed(stored, small, K.RESTRICT, day(2))
    assert err.value.rule is ArrearsRule.RESTRICT_FLOOR
    assert "200.00" in str(err.value) and "50.00" in str(err.value)
    check_step_allowed(stored, status(5000, day(30), stored), K.RESTRICT, day(30))
    large = status(25000, day(2), stored)
    assert large.next_due == day(2)
    check_step_allowed(stored, large, K.RESTRICT, day(2))


def test_lines_a_restriction_reaches() -> None:
    """Mobile only before day 30 (art. 34: a mobile contract may set its own payment
    term); mobile and fixed from day 30; broadband never (it has no outgoing-only state)."""
    policy = default_policy()
    before = status(50000, day(20), policy)
    assert restrictable_kinds(before, day(20)) == {"mobile"}
    assert restrictable_kinds(before, day(30)) == {"mobile", "fixed"}
    reminded = (
        ActionTaken(K.SMS_REMINDER, day(1)),
        ActionTaken(K.SECOND_SMS, day(5)),
        ActionTaken(K.PHONE_CALL, day(10)),
    )
    mobile = status(50000, day(20), policy, frozenset({"mobile", "broadband"}), reminded)
    assert mobile.next_step is not None and mobile.next_step.kind == K.RESTRICT
    assert mobile.next_due == day(20)
    fixed = status(50000, day(20), policy, frozenset({"fixed", "broadband"}), reminded)
    assert fixed.next_step is not None and fixed.next_step.kind == K.RESTRICT
    assert fixed.next_due == day(30)  # a fixed line only from the floor
    broadband = status(50000, day(20), policy, frozenset({"broadband"}), reminded)
    assert broadband.next_step is not None and broadband.next_step.kind == K.SUSPEND
    assert broadband.next_due == day(30)
