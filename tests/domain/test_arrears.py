from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.arrears import (
    ActionTaken,
    ArrearsRule,
    ArrearsRuleError,
    ArrearsStatus,
    PaymentLine,
    check_step_allowed,
    evaluate,
    needs_leader,
)
from app.domain.arrears_policy import (
    REMINDER_KINDS,
    SERVICE_ACTION_KINDS,
    STEP_LABELS,
    ArrearsPolicy,
    LadderStep,
    StepKind,
    Tier,
    default_policy,
)
from app.domain.errors import ValidationError
from app.domain.freeze import Freeze
from app.domain.ledger import BillLine, DatedLedger, settle
from app.domain.penalty import late_penalty_fen

K = StepKind
POLICY = default_policy()
DUE = date(2027, 3, 20)


def bill(due: date, fen: int) -> BillLine:
    """A monthly bill for the month before ``due``, issued 19 days before it is due."""
    month_before = due.replace(day=1) - timedelta(days=1)
    return BillLine(month_before.strftime("%Y-%m"), fen, due - timedelta(days=19), due)


def day(n: int, base: date = DUE) -> date:
    """The ``n``-th day after ``base`` (day 0 is the due date)."""
    return base + timedelta(days=n)


def act(kind: StepKind, n: int, base: date = DUE) -> ActionTaken:
    return ActionTaken(kind, day(n, base))


def ev(
    bills: Sequence[BillLine],
    today: date,
    *,
    payments: Sequence[PaymentLine] = (),
    actions: Sequence[ActionTaken] = (),
    freezes: Sequence[Freeze] = (),
    restorations: Sequence[date] = (),
    policy: ArrearsPolicy = POLICY,
) -> ArrearsStatus:
    return evaluate(policy, bills, payments, actions, freezes, today, restorations=restorations)


def refused(status: ArrearsStatus, kind: StepKind, today: date) -> ArrearsRuleError:
    with pytest.raises(ArrearsRuleError) as err:
        check_step_allowed(POLICY, status, kind, today)
    assert err.value.user_message()
    return err.value


REMINDED = [act(K.SMS_REMINDER, 1), act(K.SECOND_SMS, 5), act(K.PHONE_CALL, 10)]


# --- amounts -------------------------------------------------------------------------------


def test_no_bills_is_clear() -> None:
    status = ev([], DUE)
    assert (status.owed_fen, status.overdue_fen, status.ladder_fen, status.penalty_fen) == (
        0,
        0,
        0,
        0,
    )
    assert status.oldest_due is None
    assert status.days_overdue == 0
    assert status.tier is None
    assert status.next_step is None
    assert status.next_due is None
    assert not status.overdue_action
    assert not status.restore_needed
    assert refused(status, K.SMS_REMINDER, DUE).rule == ArrearsRule.NOT_IN_ARREARS


def test_fully_paid_is_clear() -> None:
    status = ev([bill(DUE, 12000)], day(40), payments=[PaymentLine(day(3), 12000)])
    assert status.owed_fen == 0
    assert status.tier is None
    assert status.oldest_due is None
    assert status.next_step is None


def test_not_overdue_until_the_day_after_the_due_date() -> None:
    bills = [bill(DUE, 5000)]
    on_due = ev(bills, DUE)
    assert (on_due.owed_fen, on_due.overdue_fen, on_due.tier) == (5000, 0, None)
    assert on_due.oldest_due == DUE
    assert on_due.days_overdue == 0
    after = ev(bills, day(1))
    assert (after.overdue_fen, after.ladder_fen, after.days_overdue) == (5000, 5000, 1)
    assert after.tier is not None and after.tier.code == "small"
    assert after.next_step == LadderStep(K.SMS_REMINDER, 1)
    assert after.next_due == day(1)
    assert after.overdue_action


def test_partial_payment_reduces_the_ladder_amount() -> None:
    status = ev([bill(DUE, 30000)], day(8), payments=[PaymentLine(day(2), 12000)])
    assert (status.owed_fen, status.overdue_fen, status.ladder_fen) == (18000, 18000, 18000)
    assert status.tier is not None and status.tier.code == "small"
    assert status.oldest_due == DUE
    assert status.days_overdue == 8


def test_several_unpaid_bills_fifo_and_oldest_due_drives_the_days() -> None:
    jan, feb, mar = date(2027, 2, 20), date(2027, 3, 20), date(2027, 4, 20)
    bills = [bill(mar, 9000), bill(jan, 10000), bill(feb, 11000)]
    today = date(2027, 4, 25)
    status = ev(bills, today)
    assert status.oldest_due == jan
    assert status.days_overdue == (today - jan).days
    assert status.overdue_fen == 30000
    assert status.tier is not None and status.tier.code == "large"
    # A payment settles January first, then part of February; March is still open.
    paid = ev(bills, today, payments=[PaymentLine(date(2027, 4, 1), 15000)])
    assert paid.oldest_due == feb
    assert paid.days_overdue == (today - feb).days
    assert (paid.owed_fen, paid.overdue_fen) == (15000, 15000)
    assert paid.tier is not None and paid.tier.code == "small"


def test_bill_not_yet_due_is_owed_but_not_overdue() -> None:
    bills = [bill(DUE, 5000), bill(day(31), 7000)]
    status = ev(bills, day(10))
    assert (status.owed_fen, status.overdue_fen) == (12000, 5000)


def test_prepayment_is_credit_and_absorbs_later_bills() -> None:
    payments = [PaymentLine(day(-40), 20000)]
    bills = [bill(DUE, 8000), bill(day(31), 9000)]
    status = ev(bills, day(45), payments=payments)
    assert (status.owed_fen, status.overdue_fen) == (0, 0)
    assert status.tier is None
    later = ev([*bills, bill(day(59), 9000)], day(70), payments=payments)
    assert (later.owed_fen, later.overdue_fen) == (6000, 6000)
    assert later.oldest_due == day(59)


def test_reversed_payment_brings_the_arrears_back_with_the_original_due_date() -> None:
    payments = [PaymentLine(day(-5), 8000), PaymentLine(day(16), -8000)]
    status = ev([bill(DUE, 8000)], day(20), payments=payments)
    assert status.overdue_fen == 8000
    assert status.episode_start == day(16)
    assert status.days_overdue == 20
    assert status.next_step is not None and status.next_step.kind == K.SMS_REMINDER
    assert status.overdue_action


@pytest.mark.parametrize(("fen", "code"), [(19999, "small"), (20000, "large"), (20001, "large")])
def test_tier_boundary(fen: int, code: str) -> None:
    status = ev([bill(DUE, fen)], day(3))
    assert status.tier is not None and status.tier.code == code


def test_future_records_are_ignored() -> None:
    status = ev(
        [bill(DUE, 30000)],
        day(3),
        payments=[PaymentLine(day(4), 30000)],
        actions=[act(K.SMS_REMINDER, 4)],
    )
    assert status.owed_fen == 30000
    assert status.current_stage is None


# --- the ladder ------------------------------------------------------------------------------


def test_large_ladder_walks_through_the_default_steps() -> None:
    bills = [bill(DUE, 50000)]
    taken: list[ActionTaken] = []
    expected = [
        (K.SMS_REMINDER, 1),
        (K.SECOND_SMS, 5),
        (K.PHONE_CALL, 10),
        (K.RESTRICT, 20),
        (K.SUSPEND, 30),
        (K.PRE_TERMINATE, 90),
    ]
    for kind, offset in expected:
        status = ev(bills, day(offset), actions=taken)
        assert status.next_step is not None and status.next_step.kind == kind
        assert status.next_due == day(offset)
        assert status.overdue_action
        assert needs_leader(POLICY, status, kind) == (kind in SERVICE_ACTION_KINDS)
        check_step_allowed(POLICY, status, kind, day(offset))
        taken.append(act(kind, offset))
    done = ev(bills, day(100), actions=taken)
    assert done.current_stage == K.PRE_TERMINATE
    assert done.service_hold == K.PRE_TERMINATE
    assert done.next_step is None


def test_not_yet_due_step_is_not_an_overdue_action() -> None:
    status = ev([bill(DUE, 50000)], day(3), actions=[act(K.SMS_REMINDER, 1)])
    assert status.next_step is not None and status.next_step.kind == K.SECOND_SMS
    assert status.next_due == day(5)
    assert not status.overdue_action


def test_small_arrears_never_reach_restriction() -> None:
    actions = [act(K.SMS_REMINDER, 1), act(K.SECOND_SMS, 7), act(K.PHONE_CALL, 15)]
    status = ev([bill(DUE, 5000)], day(60), actions=actions)
    assert status.current_stage == K.PHONE_CALL
    assert status.next_step is None
    assert refused(status, K.RESTRICT, day(60)).rule == ArrearsRule.NOT_IN_TIER


def test_skipped_steps_are_not_proposed_again() -> None:
    actions = [act(K.SMS_REMINDER, 1), act(K.PHONE_CALL, 10)]
    status = ev([bill(DUE, 50000)], day(12), actions=actions)
    assert status.current_stage == K.PHONE_CALL
    assert status.next_step is not None and status.next_step.kind == K.RESTRICT


def test_payment_on_the_day_of_a_step_counts_before_it() -> None:
    bills = [bill(DUE, 50000)]
    cleared = ev(bills, day(1), payments=[PaymentLine(day(1), 50000)])
    assert cleared.next_step is None
    assert refused(cleared, K.SMS_REMINDER, day(1)).rule == ArrearsRule.NOT_IN_ARREARS
    # A part payment on suspension day drops the amount into the small tier: no suspension.
    actions = [*REMINDED, act(K.RESTRICT, 20)]
    partly = ev(bills, day(30), payments=[PaymentLine(day(30), 40000)], actions=actions)
    assert partly.tier is not None and partly.tier.code == "small"
    assert partly.next_step is None
    assert refused(partly, K.SUSPEND, day(30)).rule == ArrearsRule.NOT_IN_TIER
    # Even a step logged the same day does not survive into the next arrears.
    later = ev(
        [*bills, bill(day(31), 50000)],
        day(33),
        payments=[PaymentLine(day(1), 50000)],
        actions=[act(K.SMS_REMINDER, 1)],
    )
    assert later.episode_start == day(32)
    assert later.current_stage is None
    assert later.next_step is not None and later.next_step.kind == K.SMS_REMINDER


def test_reminders_for_paid_arrears_do_not_count_for_new_ones() -> None:
    feb = date(2027, 2, 20)
    bills = [bill(feb, 30000), bill(DUE, 30000)]
    payments = [PaymentLine(date(2027, 3, 10), 30000)]
    actions = [act(K.SMS_REMINDER, 1, feb), act(K.SECOND_SMS, 5, feb), act(K.PHONE_CALL, 10, feb)]
    status = ev(bills, day(25), payments=payments, actions=actions)
    assert status.episode_start == day(1)
    assert status.current_stage is None
    assert status.first_reminder_on is None
    assert status.next_step is not None and status.next_step.kind == K.SMS_REMINDER
    assert refused(status, K.RESTRICT, day(25)).rule == ArrearsRule.NO_REMINDER


def test_partial_payment_within_an_episode_keeps_its_steps() -> None:
    feb = date(2027, 2, 20)
    bills = [bill(feb, 30000), bill(DUE, 30000)]
    actions = [act(K.SMS_REMINDER, 1, feb), act(K.SECOND_SMS, 5, feb), act(K.PHONE_CALL, 10, feb)]
    # January is paid after March's bill is already overdue: the arrears never cleared.
    status = ev(bills, day(6), payments=[PaymentLine(day(3), 30000)], actions=actions)
    assert status.oldest_due == DUE
    assert status.episode_start == feb + timedelta(days=1)
    assert status.current_stage == K.PHONE_CALL
    assert status.next_step is not None and status.next_step.kind == K.RESTRICT
    assert status.next_due == day(20)


# --- notice before service actions ------------------------------------------------------------


def test_restrict_refused_without_a_prior_reminder_then_allowed() -> None:
    bills = [bill(DUE, 50000)]
    silent = ev(bills, day(25))
    assert refused(silent, K.RESTRICT, day(25)).rule == ArrearsRule.NO_REMINDER
    same_day = ev(bills, day(25), actions=[act(K.SMS_REMINDER, 25)])
    assert refused(same_day, K.RESTRICT, day(25)).rule == ArrearsRule.NO_REMINDER
    called = ev(bills, day(25), actions=[act(K.PHONE_CALL, 24)])
    check_step_allowed(POLICY, called, K.RESTRICT, day(25))


def test_ladder_proposes_a_reminder_when_a_cut_was_logged_without_one() -> None:
    status = ev([bill(DUE, 50000)], day(25), actions=[act(K.RESTRICT, 21)])
    assert status.current_stage == K.RESTRICT
    assert status.next_step is not None and status.next_step.kind == K.SMS_REMINDER
    assert status.overdue_action


def test_service_action_is_due_no_earlier_than_the_day_after_the_first_reminder() -> None:
    late = [act(K.SMS_REMINDER, 22)]
    status = ev([bill(DUE, 50000)], day(22), actions=late)
    assert status.next_step is not None and status.next_step.kind == K.SECOND_SMS
    status = ev([bill(DUE, 50000)], day(22), actions=[act(K.PHONE_CALL, 22)])
    assert status.next_step is not None and status.next_step.kind == K.RESTRICT
    assert status.next_due == day(23)
    assert not status.overdue_action


def test_repeating_a_cut_already_in_force_is_refused() -> None:
    status = ev([bill(DUE, 50000)], day(35), actions=[*REMINDED, act(K.SUSPEND, 30)])
    assert refused(status, K.RESTRICT, day(35)).rule == ArrearsRule.ALREADY_TAKEN
    assert refused(status, K.SUSPEND, day(35)).rule == ArrearsRule.ALREADY_TAKEN
    check_step_allowed(POLICY, status, K.SMS_REMINDER, day(35))


# --- regulation floors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "floor"),
    [
        (date(2028, 2, 29), date(2028, 3, 30)),
        (date(2028, 1, 30), date(2028, 2, 29)),
        (date(2027, 1, 30), date(2027, 3, 1)),
    ],
)
def test_suspension_floor_over_leap_years(due: date, floor: date) -> None:
    bills = [bill(due, 50000)]
    actions = [act(K.SMS_REMINDER, 1, due), act(K.RESTRICT, 20, due)]
    status = ev(bills, floor - timedelta(days=1), actions=actions)
    assert status.next_step is not None and status.next_step.kind == K.SUSPEND
    assert status.next_due == floor
    err = refused(status, K.SUSPEND, floor - timedelta(days=1))
    assert err.rule == ArrearsRule.SUSPEND_FLOOR
    assert err.params["date"] == floor
    assert floor.isoformat() in err.user_message()
    check_step_allowed(POLICY, ev(bills, floor, actions=actions), K.SUSPEND, floor)


def _policy_with_early_suspend() -> ArrearsPolicy:
    return ArrearsPolicy(
        tiers=(
            Tier(
                "small",
                1,
                (LadderStep(K.SMS_REMINDER, 1), LadderStep(K.SUSPEND, 10, needs_leader=True)),
            ),
        )
    )


def test_misconfigured_suspension_is_refused_and_never_proposed_early() -> None:
    policy = _policy_with_early_suspend()
    with pytest.raises(ValidationError) as err:
        policy.validate()
    assert err.value.field == "tiers"
    assert "30" in err.value.user_message()
    status = ev([bill(DUE, 500)], day(12), actions=[act(K.SMS_REMINDER, 1)], policy=policy)
    assert status.next_step is not None and status.next_step.kind == K.SUSPEND
    assert status.next_due == day(30)
    assert not status.overdue_action
    with pytest.raises(ArrearsRuleError) as refusal:
        check_step_allowed(policy, status, K.SUSPEND, day(12))
    assert refusal.value.rule == ArrearsRule.SUSPEND_FLOOR


def test_pre_termination_counts_60_days_from_the_actual_suspension() -> None:
    bills = [bill(DUE, 50000)]
    actions = [*REMINDED, act(K.RESTRICT, 20), act(K.SUSPEND, 45)]
    status = ev(bills, day(95), actions=actions)
    assert status.suspended_on == day(45)
    assert status.next_step is not None and status.next_step.kind == K.PRE_TERMINATE
    assert status.next_due == day(105)  # not day 90, which the policy alone would give
    assert not status.overdue_action
    err = refused(status, K.PRE_TERMINATE, day(104))
    assert err.rule == ArrearsRule.TERMINATE_FLOOR
    assert err.params["date"] == day(105)
    check_step_allowed(POLICY, ev(bills, day(105), actions=actions), K.PRE_TERMINATE, day(105))


def test_pre_termination_needs_a_suspension() -> None:
    status = ev([bill(DUE, 50000)], day(120), actions=[*REMINDED, act(K.RESTRICT, 20)])
    assert refused(status, K.PRE_TERMINATE, day(120)).rule == ArrearsRule.NO_SUSPENSION


# --- dispute freezes -------------------------------------------------------------------------


def test_freeze_takes_the_amount_out_until_it_expires() -> None:
    bills = [bill(DUE, 50000)]
    freeze = Freeze(50000, day(2), day(40))
    actions = [*REMINDED]
    frozen = ev(bills, day(25), actions=actions, freezes=[freeze])
    assert (frozen.overdue_fen, frozen.frozen_fen, frozen.ladder_fen) == (50000, 50000, 0)
    assert frozen.tier is None
    assert frozen.next_step is None
    assert frozen.frozen_until == day(40)
    err = refused(frozen, K.RESTRICT, day(25))
    assert err.rule == ArrearsRule.FROZEN
    assert err.params["date"] == day(40)
    assert day(40).isoformat() in err.user_message()
    assert frozen.days_overdue == 25
    # The day after expiry the whole amount is back, still counted from the due date.
    back = ev(bills, day(41), actions=actions, freezes=[freeze])
    assert (back.frozen_fen, back.ladder_fen) == (0, 50000)
    assert back.days_overdue == 41
    assert back.next_step is not None and back.next_step.kind == K.RESTRICT
    assert back.next_due == day(20)
    assert back.overdue_action


def test_freeze_larger_than_overdue_is_capped() -> None:
    status = ev([bill(DUE, 3000)], day(5), freezes=[Freeze(100000, day(1), day(60))])
    assert (status.frozen_fen, status.ladder_fen) == (3000, 0)


def test_partial_freeze_leaves_the_rest_on_the_ladder() -> None:
    status = ev([bill(DUE, 50000)], day(5), freezes=[Freeze(40000, day(1), day(60))])
    assert (status.frozen_fen, status.ladder_fen) == (40000, 10000)
    assert status.tier is not None and status.tier.code == "small"
    assert status.frozen_until is None


def test_freeze_not_yet_started_does_not_count() -> None:
    status = ev([bill(DUE, 50000)], day(5), freezes=[Freeze(50000, day(6), day(60))])
    assert status.frozen_fen == 0


def test_frozen_until_is_when_the_freezes_stop_covering_the_amount() -> None:
    freezes = [Freeze(30000, day(1), day(40)), Freeze(30000, day(1), day(20))]
    status = ev([bill(DUE, 50000)], day(5), freezes=freezes)
    assert status.ladder_fen == 0
    assert status.frozen_until == day(20)


@pytest.mark.parametrize(
    ("amount", "starts", "expires", "field"),
    [(0, 1, 5, "amount_fen"), (-1, 1, 5, "amount_fen"), (100, 5, 4, "expires_on")],
)
def test_freeze_is_checked(amount: int, starts: int, expires: int, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        Freeze(amount, day(starts), day(expires))
    assert err.value.field == field


# --- restore -------------------------------------------------------------------------------


def test_restore_needed_after_full_payment_of_a_suspended_account() -> None:
    bills = [bill(DUE, 50000)]
    actions = [*REMINDED, act(K.RESTRICT, 20), act(K.SUSPEND, 30)]
    payments = [PaymentLine(day(35), 50000 + 5250)]
    suspended = ev(bills, day(34), actions=actions)
    assert suspended.service_hold == K.SUSPEND
    assert not suspended.restore_needed
    paid = ev(bills, day(35), actions=actions, payments=payments)
    assert paid.owed_fen == 0
    assert paid.service_hold == K.SUSPEND
    assert paid.held_since == day(20)
    assert paid.restore_needed
    restored = ev(bills, day(36), actions=actions, payments=payments, restorations=[day(35)])
    assert restored.service_hold is None
    assert not restored.restore_needed


def test_restore_needed_when_a_cut_outlives_the_arrears_it_was_for() -> None:
    actions = [*REMINDED, act(K.RESTRICT, 20)]
    bills = [bill(DUE, 50000), bill(day(31), 50000)]
    status = ev(bills, day(40), actions=actions, payments=[PaymentLine(day(25), 50000)])
    assert status.episode_start == day(32)
    assert status.service_hold == K.RESTRICT
    assert status.restore_needed
    assert status.current_stage == K.RESTRICT


def test_restore_mid_episode_undoes_the_cut() -> None:
    actions = [*REMINDED, act(K.RESTRICT, 20)]
    status = ev([bill(DUE, 50000)], day(25), actions=actions, restorations=[day(22)])
    assert status.service_hold is None
    assert status.current_stage == K.PHONE_CALL
    assert status.next_step is not None and status.next_step.kind == K.RESTRICT
    assert not status.restore_needed


def test_restore_deadline() -> None:
    paid_at = datetime(2027, 4, 1, 16, 30, tzinfo=UTC)
    assert POLICY.restore_deadline(paid_at) == paid_at + timedelta(hours=24)
    legal = replace(POLICY, restore_hours=48)
    assert legal.restore_deadline(paid_at) == paid_at + timedelta(hours=48)
    misconfigured = replace(POLICY, restore_hours=72)
    assert misconfigured.restore_deadline(paid_at) == paid_at + timedelta(hours=48)


# --- penalty -------------------------------------------------------------------------------


def test_penalty_three_per_mille_per_day() -> None:
    assert late_penalty_fen(10000, 10, 3) == 300  # ¥100 owed 10 days late → ¥3.00
    status = ev([bill(DUE, 10000)], day(10))
    assert status.penalty_fen == 300
    assert ev([bill(DUE, 10000)], DUE).penalty_fen == 0


def test_penalty_rounds_each_day_down() -> None:
    assert late_penalty_fen(1500, 1, 3) == 4  # 4.5 fen: never more than 3‰ on a day
    assert late_penalty_fen(1500, 2, 3) == 8  # each day rounded, then added
    assert late_penalty_fen(100, 1, 3) == 0  # 0.3 fen
    assert late_penalty_fen(10000, 0, 3) == 0
    assert late_penalty_fen(10000, 5, 0) == 0


def test_penalty_on_what_was_overdue_each_day() -> None:
    jan, feb = date(2027, 2, 20), DUE
    status = ev([bill(jan, 10000), bill(feb, 10000)], day(10), payments=[PaymentLine(day(1), 5000)])
    # 2-21..3-20 (28 days): January's ¥100; 3-21 (day 1, the payment's day): January's
    # ¥100 and February's ¥100; 3-22..3-30 (9 days): ¥150 left of the two.
    assert status.penalty_fen == 28 * 30 + 60 + 9 * 45
    waived_rate = replace(POLICY, penalty_per_mille_per_day=0)
    assert ev([bill(DUE, 10000)], day(10), policy=waived_rate).penalty_fen == 0


# --- leader --------------------------------------------------------------------------------


def test_needs_leader() -> None:
    small = ev([bill(DUE, 5000)], day(5))
    large = ev([bill(DUE, 50000)], day(5))
    assert not needs_leader(POLICY, large, K.SMS_REMINDER)
    assert needs_leader(POLICY, large, K.SUSPEND)
    assert needs_leader(POLICY, small, K.RESTRICT)  # cutting service always needs a leader
    leader_calls = ArrearsPolicy(
        tiers=(Tier("small", 1, (LadderStep(K.PHONE_CALL, 3, needs_leader=True),)),)
    )
    assert needs_leader(leader_calls, small, K.PHONE_CALL)


# --- policy --------------------------------------------------------------------------------


def test_default_policy_is_valid_and_as_documented() -> None:
    POLICY.validate()
    assert (POLICY.penalty_per_mille_per_day, POLICY.restore_hours, POLICY.grace_days) == (
        3,
        24,
        0,
    )
    small, large = POLICY.tiers
    assert (small.code, small.min_fen, large.code, large.min_fen) == ("small", 1, "large", 20000)
    assert [(s.kind, s.day_offset) for s in small.steps] == [
        (K.SMS_REMINDER, 1),
        (K.SECOND_SMS, 7),
        (K.PHONE_CALL, 15),
    ]
    assert [(s.kind, s.day_offset, s.needs_leader) for s in large.steps] == [
        (K.SMS_REMINDER, 1, False),
        (K.SECOND_SMS, 5, False),
        (K.PHONE_CALL, 10, False),
        (K.RESTRICT, 20, True),
        (K.SUSPEND, 30, True),
        (K.PRE_TERMINATE, 90, True),
    ]
    assert set(STEP_LABELS) == set(StepKind)
    assert set(StepKind) == REMINDER_KINDS | SERVICE_ACTION_KINDS


def test_policy_dict_round_trip() -> None:
    data = POLICY.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert ArrearsPolicy.from_dict(data) == POLICY
    shifted = replace(POLICY, grace_days=3, restore_hours=48, penalty_per_mille_per_day=2)
    assert ArrearsPolicy.from_dict(shifted.to_dict()) == shifted


def test_grace_days_shift_the_steps_but_not_the_penalty() -> None:
    graced = replace(POLICY, grace_days=3)
    status = ev([bill(DUE, 10000)], day(2), policy=graced)
    assert status.next_due == day(4)
    assert not status.overdue_action
    assert status.penalty_fen == late_penalty_fen(10000, 2, 3)


def _tiers(*steps: LadderStep, min_fen: int = 1) -> tuple[Tier, ...]:
    return (Tier("large", min_fen, steps),)


SMS = LadderStep(K.SMS_REMINDER, 1)
BAD_POLICIES: list[tuple[str, ArrearsPolicy, str]] = [
    ("restore_hours", replace(POLICY, restore_hours=49), "48"),
    ("restore_hours", replace(POLICY, restore_hours=0), "48"),
    ("penalty_per_mille_per_day", replace(POLICY, penalty_per_mille_per_day=4), "3"),
    ("grace_days", replace(POLICY, grace_days=-1), "grace"),
    ("tiers", ArrearsPolicy(tiers=()), "at least one tier"),
    ("tiers", ArrearsPolicy(_tiers(SMS, LadderStep(K.SUSPEND, 29, True))), "30 days"),
    (
        "tiers",
        ArrearsPolicy(
            _tiers(SMS, LadderStep(K.SUSPEND, 30, True), LadderStep(K.PRE_TERMINATE, 89, True))
        ),
        "60 days",
    ),
    ("tiers", ArrearsPolicy(_tiers(SMS, LadderStep(K.PRE_TERMINATE, 90, True))), "suspend"),
    ("tiers", ArrearsPolicy(_tiers(LadderStep(K.RESTRICT, 20, True))), "reminder"),
    ("tiers", ArrearsPolicy(_tiers(SMS, LadderStep(K.RESTRICT, 20, False))), "leader"),
    ("tiers", ArrearsPolicy(_tiers(SMS, LadderStep(K.SECOND_SMS, 1))), "later"),
    ("tiers", ArrearsPolicy(_tiers(LadderStep(K.SECOND_SMS, 5), SMS)), "order"),
    ("tiers", ArrearsPolicy(_tiers(SMS, SMS)), "order"),
    ("tiers", ArrearsPolicy(_tiers(LadderStep(K.SMS_REMINDER, 0))), "one day after"),
    (
        "tiers",
        ArrearsPolicy((Tier("small", 1, (SMS,)), Tier("large", 1, (SMS,)))),
        "overlap",
    ),
    ("tiers", ArrearsPolicy((Tier("small", 1, (SMS,)), Tier("small", 500, (SMS,)))), "twice"),
    ("tiers", ArrearsPolicy((Tier(" ", 1, (SMS,)),)), "code"),
    ("tiers", ArrearsPolicy(_tiers(SMS, min_fen=-5)), "negative"),
]


@pytest.mark.parametrize(("field", "policy", "hint"), BAD_POLICIES)
def test_bad_policies_are_refused(field: str, policy: ArrearsPolicy, hint: str) -> None:
    with pytest.raises(ValidationError) as err:
        policy.validate()
    assert err.value.field == field
    assert hint in str(err.value)  # the English text; zh_CN is checked by tests/i18n


def _with(path: Sequence[str | int], value: Any) -> dict[str, Any]:
    data = POLICY.to_dict()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_with(["restore_hour"], 24), "restore_hour"),
        (_with(["restore_hours"], "24"), "restore_hours"),
        (_with(["restore_hours"], 36.0), "restore_hours"),
        (_with(["restore_hours"], 72), "restore_hours"),
        (_with(["version"], 2), "version"),
        (_with(["tiers"], {}), "tiers"),
        (_with(["tiers", 0, "steps", 0, "kind"], "letter"), "tiers"),
        (_with(["tiers", 0, "steps", 0, "kind"], ["sms_reminder"]), "tiers"),
        (_with(["tiers", 0, "steps", 0, "day_offset"], True), "tiers"),
        (_with(["tiers", 0, "steps", 0, "needs_leader"], "no"), "tiers"),
        (_with(["tiers", 0, "steps", 0, "delay"], 3), "tiers"),
        (_with(["tiers", 0, "code"], 7), "tiers"),
        (_with(["tiers", 0, "steps"], None), "tiers"),
        (_with(["tiers", 0], "small"), "tiers"),
    ],
)
def test_malformed_policy_dicts_are_refused(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        ArrearsPolicy.from_dict(data)
    assert err.value.field == field
    assert err.value.user_message()


def test_notes_in_a_policy_dict_are_ignored() -> None:
    data = _with(["_doc"], "why the numbers are what they are")
    data["tiers"][0]["_note"] = "chased by SMS and phone only"
    assert ArrearsPolicy.from_dict(data) == POLICY


# --- properties ----------------------------------------------------------------------------

START = date(2027, 1, 1)
_offsets = st.integers(min_value=0, max_value=420)
_today = st.integers(min_value=40, max_value=420).map(lambda n: day(n, START))


@st.composite
def _bills(draw: st.DrawFn) -> list[BillLine]:
    months = draw(st.lists(st.integers(0, 11), unique=True, min_size=1, max_size=6))
    result = []
    for m in months:
        due = date(2027 + (m + 1) // 12, (m + 1) % 12 + 1, 20)
        result.append(bill(due, draw(st.integers(0, 60000))))
    return result


_payments = st.lists(
    st.builds(
        PaymentLine,
        _offsets.map(lambda n: day(n, START)),
        st.integers(-30000, 40000).filter(lambda fen: fen != 0),
    ),
    max_size=3,
)
_random_actions = st.lists(
    st.builds(ActionTaken, st.sampled_from(StepKind), _offsets.map(lambda n: day(n, START))),
    max_size=4,
)


@st.composite
def _actions(draw: st.DrawFn) -> list[ActionTaken]:
    """Random log entries plus a ladder followed in order, with steps late by a few days."""
    anchor = day(draw(st.integers(40, 300)), START)
    followed = []
    for step in POLICY.tiers[1].steps[: draw(st.integers(0, 6))]:
        anchor += timedelta(days=draw(st.integers(1, 40)))
        followed.append(ActionTaken(step.kind, anchor))
    return followed + draw(_random_actions)


@st.composite
def _freezes(draw: st.DrawFn) -> list[Freeze]:
    result = []
    for _ in range(draw(st.integers(0, 3))):
        start = day(draw(_offsets), START)
        length = draw(st.integers(0, 90))
        result.append(Freeze(draw(st.integers(1, 60000)), start, day(length, start)))
    return result


_policies = st.sampled_from([POLICY, _policy_with_early_suspend(), replace(POLICY, grace_days=5)])


@settings(max_examples=400, deadline=None)
@given(
    policy=_policies,
    bills=_bills(),
    payments=_payments,
    actions=_actions(),
    freezes=_freezes(),
    restorations=st.lists(_offsets.map(lambda n: day(n, START)), max_size=2),
    today=_today,
)
def test_evaluate_invariants(
    policy: ArrearsPolicy,
    bills: list[BillLine],
    payments: list[PaymentLine],
    actions: list[ActionTaken],
    freezes: list[Freeze],
    restorations: list[date],
    today: date,
) -> None:
    s = ev(
        bills,
        today,
        payments=payments,
        actions=actions,
        freezes=freezes,
        restorations=restorations,
        policy=policy,
    )
    paid = sum(p.amount_fen for p in payments if p.paid_on <= today)
    billed = sum(b.amount_fen for b in bills)
    assert s.owed_fen == max(0, billed - paid)
    summary = settle(bills, paid)
    assert s.overdue_fen == summary.overdue_fen(today)
    assert s.oldest_due == summary.oldest_unpaid_due()
    assert 0 <= s.frozen_fen <= s.overdue_fen <= s.owed_fen
    assert s.ladder_fen == s.overdue_fen - s.frozen_fen >= 0
    assert s.days_overdue >= 0
    assert s.penalty_fen >= 0
    assert (s.tier is None) == (s.ladder_fen <= 0)
    assert (s.episode_start is None) == (s.overdue_fen == 0)
    if s.next_step is not None:
        assert s.oldest_due is not None and s.next_due is not None
        assert s.next_due > s.oldest_due
        if s.next_step.kind == K.SUSPEND:
            assert s.next_due >= s.oldest_due + timedelta(days=30)
        if s.next_step.kind == K.PRE_TERMINATE:
            assert s.suspended_on is not None
            assert s.next_due >= s.suspended_on + timedelta(days=60)
        if s.next_step.kind in SERVICE_ACTION_KINDS:
            assert s.first_reminder_on is not None and s.next_due > s.first_reminder_on
        if s.overdue_action:
            # What the ladder says is due, the rules allow.
            check_step_allowed(policy, s, s.next_step.kind, today)
    if s.restore_needed:
        assert s.service_hold is not None


@settings(max_examples=200, deadline=None)
@given(
    outstanding=st.integers(0, 10_000_000),
    days_late=st.integers(0, 400),
    rate=st.integers(0, 3),
)
def test_penalty_is_never_more_than_the_rate(outstanding: int, days_late: int, rate: int) -> None:
    penalty = late_penalty_fen(outstanding, days_late, rate)
    exact_thousandths = outstanding * rate * days_late
    assert 0 <= exact_thousandths - penalty * 1000 < 1000 * max(1, days_late)


@st.composite
def _bills_any_order(draw: st.DrawFn) -> list[BillLine]:
    """Bills whose due dates need not follow their periods, zero amounts included."""
    result = []
    for index in range(draw(st.integers(0, 6))):
        due = day(draw(_offsets), START)
        amount = draw(st.integers(0, 60000))
        result.append(BillLine(f"P{index:02d}", amount, due - timedelta(days=19), due))
    return result


@settings(max_examples=300, deadline=None)
@given(
    bills=st.one_of(_bills(), _bills_any_order()),
    payments=_payments,
    today=_today,
    rate=st.integers(1, 3),
)
def test_the_ledger_walks_are_the_day_by_day_definitions(
    bills: list[BillLine], payments: list[PaymentLine], today: date, rate: int
) -> None:
    """``episode_start`` and ``late_fen`` jump from one change day to the next (the
    ladder's bulk path runs them for every account in arrears); they must give what a
    day-by-day walk gives, for ledgers in due-date order and out of it."""
    ledger = DatedLedger(bills, payments)
    stretch: date | None = None
    walked = today
    while ledger.overdue(walked) > 0:
        stretch = walked
        walked -= timedelta(days=1)
    assert ledger.episode_start(today) == stretch
    days = range((today - START).days + 1)
    expected = sum(ledger.overdue_at_start(START + timedelta(days=n)) * rate // 1000 for n in days)
    assert ledger.late_fen(START.toordinal(), today.toordinal(), rate) == expected
