"""The arrears ladder engine: where an account stands on the hall's ladder on a given day.

Nothing here is stored. ``evaluate`` derives the status from the bills, payments, the log
of steps taken, restores and dispute freezes, so the status shown at the counter cannot
drift from the records it comes from; the service layer stores only those records.

The clocks follow the Telecommunications Regulations, art. 34 (see ``arrears_policy``):
days are counted from the bill's due date; suspension no earlier than 30 days after it;
pre-termination no earlier than 60 days after the day the service was actually suspended.
A restriction or suspension always needs an earlier reminder, so the customer has notice.

Restriction (单停, outgoing calls and data barred, incoming calls still work):

* Before the 30-day suspension floor it is for large arrears only (``policy.
  large_arrears_fen``, the seed's 大额欠费: "应当采取更加严格的措施,包括但不限于限制通信
  服务"), and for mobile lines only: art. 34 lets a mobile contract set its own payment
  period; every other line falls under the 30-day rule.
* From day 30 it applies to mobile and fixed lines (a fixed telephone can be barred from
  calling out). Broadband has no outgoing-only state: it is never restricted, only
  suspended (from day 30).
* ``evaluate`` takes the account's line kinds when known and never proposes a restriction
  no line can take (the ladder goes on to suspension); ``check_step_allowed`` refuses an
  early restriction below the threshold; the services pick the lines by
  ``restrictable_kinds`` and record which rule allowed the restriction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from app.domain.arrears_policy import (
    REMINDER_KINDS,
    SERVICE_ACTION_KINDS,
    SUSPEND_FLOOR_DAYS,
    TERMINATE_FLOOR_DAYS,
    ArrearsPolicy,
    LadderStep,
    StepKind,
    Tier,
)
from app.domain.errors import HallDeskError
from app.domain.freeze import Freeze
from app.domain.ledger import BillLine, DatedLedger, PaymentLine
from app.domain.penalty import NO_PENALTY_FACTS, PenaltyFacts, owed_penalty_fen
from app.i18n import N_, format_money

_DAY: Final = timedelta(days=1)
#: Each step's position in the severity order (``StepKind.rank``, read without a call).
_RANK: Final = {kind: kind.rank for kind in StepKind}
#: Line kinds (``ServiceKind`` values) a restriction reaches from day 30, and before it.
RESTRICTABLE_KINDS: Final = frozenset({"mobile", "fixed"})
EARLY_RESTRICTABLE_KINDS: Final = frozenset({"mobile"})


@dataclass(frozen=True, slots=True)
class ActionTaken:
    """A ladder step recorded as done (SMS queued or sent, call logged, restriction made)."""

    kind: StepKind
    on: date


class ArrearsRule(StrEnum):
    """Which rule refused a step, for callers that react to the reason, not the text."""

    NOT_IN_ARREARS = "not_in_arrears"
    FROZEN = "frozen"
    NOT_IN_TIER = "not_in_tier"
    ALREADY_TAKEN = "already_taken"
    NO_REMINDER = "no_reminder"
    SUSPEND_FLOOR = "suspend_floor"
    RESTRICT_FLOOR = "restrict_floor"
    NO_RESTRICTABLE_LINE = "no_restrictable_line"
    NO_SUSPENSION = "no_suspension"
    TERMINATE_FLOOR = "terminate_floor"


class ArrearsRuleError(HallDeskError):
    """A ladder step refused by the regulation or the hall's policy; ``rule`` says which."""

    def __init__(self, rule: ArrearsRule, message: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class ArrearsStatus:
    """Where one account stands on ``as_of``; every field is derived, none is stored.

    Amounts: ``owed_fen`` is everything unpaid; ``overdue_fen`` the part past its due date;
    ``frozen_fen`` the part held out by active dispute freezes (never more than overdue);
    ``ladder_fen`` the rest, which picks the tier. ``frozen_until`` is the last day the
    freezes still cover the whole overdue amount (None when they do not).

    The episode is the current unbroken stretch of days with something overdue; it starts
    on ``episode_start``. Only reminders sent since then count, so a reminder for arrears
    that were since paid is no notice for new ones. ``service_hold`` is the service action
    still in force (no restore on or after its day), whichever episode it belongs to: the
    line stays cut until someone restores it, so the ladder never proposes a milder cut.
    ``current_stage`` is the most severe of those reminders and the hold;
    ``suspended_on`` is the day of a suspension in force taken in this episode, which
    starts the 60-day pre-termination clock. ``restore_needed``: a hold is in force though
    the arrears it was for are paid (nothing overdue, or the hold predates this episode);
    art. 34 then gives the hall ``policy.restore_deadline(paid_at)``. ``penalty_fen`` is
    the late-payment penalty still owed (accrued less settled and waived); it never moves
    the account on the ladder, which follows the bills only.
    """

    as_of: date
    owed_fen: int
    overdue_fen: int
    frozen_fen: int
    ladder_fen: int
    frozen_until: date | None
    oldest_due: date | None
    days_overdue: int
    episode_start: date | None
    tier: Tier | None
    current_stage: StepKind | None
    first_reminder_on: date | None
    suspended_on: date | None
    service_hold: StepKind | None
    held_since: date | None
    next_step: LadderStep | None
    next_due: date | None
    penalty_fen: int
    restore_needed: bool

    @property
    def overdue_action(self) -> bool:
        """The next step is due today or was due earlier and is still not taken."""
        return self.next_due is not None and self.next_due <= self.as_of


def evaluate(
    policy: ArrearsPolicy,
    bills: Sequence[BillLine],
    payments: Sequence[PaymentLine],
    actions: Sequence[ActionTaken],
    freezes: Sequence[Freeze],
    today: date,
    *,
    restorations: Sequence[date] = (),
    penalty: PenaltyFacts = NO_PENALTY_FACTS,
    line_kinds: Collection[str] | None = None,
) -> ArrearsStatus:
    """The account's arrears status on ``today``.

    Records dated after ``today`` are ignored, so evaluating a past day replays history.
    ``restorations`` are the days the service was restored; a restore undoes every service
    action taken on or before its day. ``penalty`` holds the penalty's posted, settled and
    waived facts; ``penalty_fen`` is what is still owed of it (``app.domain.penalty``).
    ``line_kinds``: the kinds of the account's lines, when known (a restriction is proposed
    only where a line can take it).
    """
    return evaluate_ledger(
        policy,
        DatedLedger(bills, payments),
        actions,
        freezes,
        today,
        restorations=restorations,
        penalty=penalty,
        line_kinds=line_kinds,
    )


def evaluate_ledger(
    policy: ArrearsPolicy,
    ledger: DatedLedger,
    actions: Sequence[ActionTaken],
    freezes: Sequence[Freeze],
    today: date,
    *,
    restorations: Sequence[date] = (),
    penalty: PenaltyFacts = NO_PENALTY_FACTS,
    line_kinds: Collection[str] | None = None,
) -> ArrearsStatus:
    """``evaluate`` on a ledger already built (``DatedLedger.from_ordinals`` for bulk
    reads): the one implementation of the ladder's rules."""
    today_ordinal = today.toordinal()
    owed, overdue, oldest = ledger.standing(today)
    active = [f for f in freezes if f.active_on(today)] if freezes else []
    frozen = min(overdue, sum(f.amount_fen for f in active))
    ladder = overdue - frozen
    oldest_due = date.fromordinal(oldest) if oldest is not None else None
    days_overdue = max(0, today_ordinal - oldest) if oldest is not None else 0
    owed_penalty = owed_penalty_fen(
        ledger, freezes, penalty, policy.penalty_per_mille_per_day, today
    )

    episode_start = ledger.episode_start(today)
    last_restore = max((d for d in restorations if d <= today), default=None)
    # One pass over the log (the ladder reads every account in arrears): the service
    # actions in force (none restored since, "holds"), the reminders of this episode,
    # and of those the most severe step, the first days and this episode's suspension.
    service_hold: StepKind | None = None
    held_since: date | None = None
    reminded: StepKind | None = None
    first_reminder_on: date | None = None
    suspended_on: date | None = None
    for action in actions:
        kind, on = action.kind, action.on
        if on > today:
            continue
        if kind in SERVICE_ACTION_KINDS:
            if last_restore is not None and on <= last_restore:
                continue
            if service_hold is None or _RANK[kind] > _RANK[service_hold]:
                service_hold = kind
            if held_since is None or on < held_since:
                held_since = on
            if (
                kind == StepKind.SUSPEND
                and episode_start is not None
                and on >= episode_start
                and (suspended_on is None or on < suspended_on)
            ):
                suspended_on = on
        elif kind in REMINDER_KINDS and episode_start is not None and on >= episode_start:
            if reminded is None or _RANK[kind] > _RANK[reminded]:
                reminded = kind
            if first_reminder_on is None or on < first_reminder_on:
                first_reminder_on = on
    current_stage = _most_severe(k for k in (reminded, service_hold) if k is not None)

    tier = policy.tier_for(ladder)
    next_step: LadderStep | None = None
    next_due: date | None = None
    if tier is not None and oldest_due is not None:
        can_restrict = line_kinds is None or bool(RESTRICTABLE_KINDS & set(line_kinds))
        next_step = _next_step(
            tier, current_stage, first_reminder_on, suspended_on, can_restrict=can_restrict
        )
        if next_step is not None:
            next_due = _step_date(policy, next_step, oldest_due, first_reminder_on, suspended_on)
            if next_step.kind == StepKind.RESTRICT and not _may_restrict_early(
                policy, ladder, line_kinds
            ):
                next_due = max(next_due, oldest_due + timedelta(days=SUSPEND_FLOOR_DAYS))

    restore_needed = held_since is not None and (
        episode_start is None or held_since < episode_start
    )
    return ArrearsStatus(
        as_of=today,
        owed_fen=owed,
        overdue_fen=overdue,
        frozen_fen=frozen,
        ladder_fen=ladder,
        frozen_until=_frozen_until(active, overdue),
        oldest_due=oldest_due,
        days_overdue=days_overdue,
        episode_start=episode_start,
        tier=tier,
        current_stage=current_stage,
        first_reminder_on=first_reminder_on,
        suspended_on=suspended_on,
        service_hold=service_hold,
        held_since=held_since,
        next_step=next_step,
        next_due=next_due,
        penalty_fen=owed_penalty,
        restore_needed=restore_needed,
    )


def _most_severe(kinds: Iterable[StepKind]) -> StepKind | None:
    return max(kinds, key=_RANK.__getitem__, default=None)


def _frozen_until(active: Sequence[Freeze], overdue: int) -> date | None:
    if overdue <= 0:
        return None
    covered = 0
    for freeze in sorted(active, key=lambda f: f.expires_on, reverse=True):
        covered += freeze.amount_fen
        if covered >= overdue:
            return freeze.expires_on
    return None


def _next_step(
    tier: Tier,
    current_stage: StepKind | None,
    first_reminder_on: date | None,
    suspended_on: date | None,
    *,
    can_restrict: bool = True,
) -> LadderStep | None:
    """The first step of the tier beyond the furthest one taken, if it may be proposed.

    A service action is never proposed before a reminder (the reminder is proposed
    instead), nor pre-termination without a suspension in this episode, nor a restriction
    when no line of the account can be restricted (the next step is proposed instead).
    """
    taken = _RANK[current_stage] if current_stage is not None else -1
    step = next(
        (
            s
            for s in tier.steps
            if _RANK[s.kind] > taken and (can_restrict or s.kind != StepKind.RESTRICT)
        ),
        None,
    )
    if step is None:
        return None
    if step.kind in SERVICE_ACTION_KINDS and first_reminder_on is None:
        return next((s for s in tier.steps if s.kind in REMINDER_KINDS), None)
    if step.kind == StepKind.PRE_TERMINATE and suspended_on is None:
        return None
    return step


def _step_date(
    policy: ArrearsPolicy,
    step: LadderStep,
    oldest_due: date,
    first_reminder_on: date | None,
    suspended_on: date | None,
) -> date:
    """The policy's date for ``step``, pushed back to the regulation floors if earlier."""
    due = oldest_due + timedelta(days=max(0, policy.grace_days) + step.day_offset)
    if step.kind in SERVICE_ACTION_KINDS and first_reminder_on is not None:
        due = max(due, first_reminder_on + _DAY)
    if step.kind == StepKind.SUSPEND:
        due = max(due, oldest_due + timedelta(days=SUSPEND_FLOOR_DAYS))
    if step.kind == StepKind.PRE_TERMINATE and suspended_on is not None:
        due = max(due, suspended_on + timedelta(days=TERMINATE_FLOOR_DAYS))
    return due


def _may_restrict_early(
    policy: ArrearsPolicy, ladder_fen: int, line_kinds: Collection[str] | None
) -> bool:
    """Whether a restriction may come before the 30-day floor: large arrears, and a
    mobile line to restrict (when the lines are known)."""
    if ladder_fen < policy.large_arrears_fen:
        return False
    return line_kinds is None or bool(EARLY_RESTRICTABLE_KINDS & set(line_kinds))


def restrictable_kinds(status: ArrearsStatus, today: date) -> frozenset[str]:
    """The line kinds a restriction on ``today`` reaches: mobile lines only before the
    30-day floor, mobile and fixed lines from then on; never broadband."""
    if status.oldest_due is None:
        return RESTRICTABLE_KINDS
    floor = status.oldest_due + timedelta(days=SUSPEND_FLOOR_DAYS)
    return EARLY_RESTRICTABLE_KINDS if today < floor else RESTRICTABLE_KINDS


def check_step_allowed(
    policy: ArrearsPolicy, status: ArrearsStatus, kind: StepKind, today: date
) -> None:
    """Raise ``ArrearsRuleError`` unless ``kind`` may be taken on ``today``.

    Only the rules are checked (arrears exist, notice given, the art. 34 floors, the tier
    includes the action), not the policy's schedule: a leader may act before the day the
    ladder proposes, never before the law allows.
    """
    if status.ladder_fen <= 0:
        if status.frozen_until is not None:
            raise ArrearsRuleError(
                ArrearsRule.FROZEN,
                N_("This amount is frozen by a dispute until {date}."),
                date=status.frozen_until,
            )
        raise ArrearsRuleError(ArrearsRule.NOT_IN_ARREARS, N_("The account is not in arrears."))
    if kind not in SERVICE_ACTION_KINDS:
        return
    tier = policy.tier_for(status.ladder_fen)
    if tier is None or tier.step(kind) is None:
        raise ArrearsRuleError(
            ArrearsRule.NOT_IN_TIER,
            N_("The hall's policy does not restrict or suspend service for this amount."),
        )
    if status.service_hold is not None and status.service_hold.rank >= kind.rank:
        raise ArrearsRuleError(
            ArrearsRule.ALREADY_TAKEN, N_("The service is already restricted or suspended.")
        )
    if status.first_reminder_on is None or status.first_reminder_on >= today:
        raise ArrearsRuleError(
            ArrearsRule.NO_REMINDER,
            N_("Send a reminder before restricting or suspending the service."),
        )
    if kind == StepKind.RESTRICT and status.oldest_due is not None:
        floor = status.oldest_due + timedelta(days=SUSPEND_FLOOR_DAYS)
        if today < floor and status.ladder_fen < policy.large_arrears_fen:
            raise ArrearsRuleError(
                ArrearsRule.RESTRICT_FLOOR,
                N_(
                    "Before {date} (30 days after the due date) service may be restricted"
                    " only for large arrears of at least {threshold}; this account has"
                    " {amount} overdue."
                ),
                date=floor,
                threshold=format_money(policy.large_arrears_fen),
                amount=format_money(status.ladder_fen),
            )
    if kind == StepKind.SUSPEND and status.oldest_due is not None:
        floor = status.oldest_due + timedelta(days=SUSPEND_FLOOR_DAYS)
        if today < floor:
            raise ArrearsRuleError(
                ArrearsRule.SUSPEND_FLOOR,
                N_(
                    "Suspension is allowed only from {date}: 30 days after the due date"
                    " (Telecommunications Regulations art. 34)."
                ),
                date=floor,
            )
    if kind == StepKind.PRE_TERMINATE:
        if status.suspended_on is None:
            raise ArrearsRuleError(
                ArrearsRule.NO_SUSPENSION,
                N_("Suspend the service before pre-termination."),
            )
        floor = status.suspended_on + timedelta(days=TERMINATE_FLOOR_DAYS)
        if today < floor:
            raise ArrearsRuleError(
                ArrearsRule.TERMINATE_FLOOR,
                N_("Pre-termination is allowed only 60 days after the suspension, from {date}."),
                date=floor,
            )


def needs_leader(policy: ArrearsPolicy, status: ArrearsStatus, kind: StepKind) -> bool:
    """Whether a shift leader's credential is needed; always for cutting the service."""
    if kind in SERVICE_ACTION_KINDS:
        return True
    tier = policy.tier_for(status.ladder_fen)
    step = tier.step(kind) if tier is not None else None
    return step is not None and step.needs_leader
