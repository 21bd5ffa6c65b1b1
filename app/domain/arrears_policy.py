"""The hall's arrears policy (欠费管理制度): amount tiers and the ladder of steps for each.

The policy is hall configuration, stored in the database as ``to_dict()`` JSON, with a
bundled default in ``resources/policies/arrears_default.json``. ``validate()`` refuses any
policy that would let the ladder break the Telecommunications Regulations, art. 34:

* suspension (双停) no earlier than 30 days after the agreed payment date (the due date);
* termination (here pre-termination, 预拆机) no earlier than 60 days after the suspension;
* late-payment penalty at most 3‰ of the amount owed per day;
* service restored within 48 hours of full payment.

And the hall rule of the seed's 欠费管理制度 第十一条 (少额欠费 by phone and SMS; 大额欠费
"应当采取更加严格的措施,包括但不限于限制通信服务"): before the 30-day suspension floor, only
a tier of large arrears (``large_arrears_fen`` and up) may restrict service (单停). A
restriction before day 30 rests on art. 34's mobile clause (a mobile contract may set its
own payment period), so it reaches mobile lines only; see ``app.domain.arrears``.

The evaluation in ``app.domain.arrears`` enforces the same floors again on every proposal,
so a policy that slipped past validation (an old stored row, a hand-built object) still
cannot make the program propose an unlawful step.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, Final

from app import paths
from app.domain.errors import ValidationError
from app.i18n import N_, _

#: Art. 34: service may be suspended only this many days after the agreed payment date.
SUSPEND_FLOOR_DAYS: Final = 30
#: Art. 34: service may be terminated only if still unpaid this many days after suspension.
TERMINATE_FLOOR_DAYS: Final = 60
#: Art. 34: the late-payment penalty is 3‰ of the amount owed per day; a hall may charge less.
MAX_PENALTY_PER_MILLE: Final = 3
#: Art. 34: suspended service must be restored within 48 hours of full payment.
MAX_RESTORE_HOURS: Final = 48
#: A grace period longer than a billing month would hide a whole bill from the ladder.
MAX_GRACE_DAYS: Final = 31
#: The seed's 大额欠费: from this many fen overdue, restriction may come before day 30
#: (¥200, the bundled default's large tier).
LARGE_ARREARS_FEN: Final = 20000
POLICY_VERSION: Final = 1
DEFAULT_POLICY_FILE: Final = ("policies", "arrears_default.json")


class StepKind(StrEnum):
    """The steps of the ladder, listed in order of severity.

    The order is meaningful: a tier lists its steps in this order, and the "furthest step
    taken" is the most severe one. The values are stored in the action log and the policy.
    """

    SMS_REMINDER = "sms_reminder"
    SECOND_SMS = "second_sms"
    PHONE_CALL = "phone_call"
    RESTRICT = "restrict"
    SUSPEND = "suspend"
    PRE_TERMINATE = "pre_terminate"

    @property
    def rank(self) -> int:
        """Position in the severity order (0 = the mildest reminder)."""
        return _RANK[self]


_RANK: Final[dict[StepKind, int]] = {kind: index for index, kind in enumerate(StepKind)}

#: Steps that tell the customer; one must precede any service action (notice first).
REMINDER_KINDS: Final = frozenset({StepKind.SMS_REMINDER, StepKind.SECOND_SMS, StepKind.PHONE_CALL})
#: Steps that cut the service; each needs a shift leader and is undone by a restore.
SERVICE_ACTION_KINDS: Final = frozenset(
    {StepKind.RESTRICT, StepKind.SUSPEND, StepKind.PRE_TERMINATE}
)

#: Display names, translated with ``_()`` where shown.
STEP_LABELS: Final[Mapping[StepKind, str]] = {
    StepKind.SMS_REMINDER: N_("SMS reminder"),
    StepKind.SECOND_SMS: N_("Second SMS reminder"),
    StepKind.PHONE_CALL: N_("Phone call"),
    StepKind.RESTRICT: N_("Restrict outgoing service"),
    StepKind.SUSPEND: N_("Suspend service"),
    StepKind.PRE_TERMINATE: N_("Pre-terminate"),
}
#: Names of the bundled policy's tiers; a hall's own tier codes are shown as they are.
TIER_LABELS: Final[Mapping[str, str]] = {
    "small": N_("Small arrears"),
    "large": N_("Large arrears"),
}


def tier_label(code: str | None) -> str:
    """A tier's name in the current language ("" for no tier)."""
    if not code:
        return ""
    msgid = TIER_LABELS.get(code)
    return _(msgid) if msgid else code


@dataclass(frozen=True, slots=True)
class LadderStep:
    """One rung: ``kind`` is due ``day_offset`` days after the bill's due date."""

    kind: StepKind
    day_offset: int
    needs_leader: bool = False


@dataclass(frozen=True, slots=True)
class Tier:
    """The ladder for arrears of at least ``min_fen``, up to the next tier's threshold."""

    code: str
    min_fen: int
    steps: tuple[LadderStep, ...]

    def step(self, kind: StepKind) -> LadderStep | None:
        return next((s for s in self.steps if s.kind == kind), None)


@dataclass(frozen=True, slots=True)
class ArrearsPolicy:
    """The hall's tiers and ladders, with the penalty rate and the restore deadline.

    ``grace_days`` shifts every step later (never earlier, so the regulation floors still
    hold); the penalty is still counted from the due date, as art. 34 says.
    ``large_arrears_fen``: the seed's 大额欠费, from which a tier may restrict service before
    the 30-day floor.
    Construction does not validate, so a stored policy can be loaded and shown even when a
    rule changed; ``from_dict`` and ``default_policy`` return validated policies only.
    """

    tiers: tuple[Tier, ...]
    penalty_per_mille_per_day: int = MAX_PENALTY_PER_MILLE
    restore_hours: int = 24
    grace_days: int = 0
    large_arrears_fen: int = LARGE_ARREARS_FEN

    def tier_for(self, ladder_fen: int) -> Tier | None:
        """The tier chasing ``ladder_fen``: the highest threshold it reaches; None if clear."""
        if ladder_fen <= 0:
            return None
        reached = [t for t in self.tiers if t.min_fen <= ladder_fen]
        return max(reached, key=lambda t: t.min_fen) if reached else None

    def restore_deadline(self, paid_at: datetime) -> datetime:
        """When the service must be back after the payment that cleared the arrears."""
        return paid_at + timedelta(hours=min(self.restore_hours, MAX_RESTORE_HOURS))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form for the database; ``from_dict`` reads it back."""
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, stored: bool = False) -> ArrearsPolicy:
        """Read a stored policy strictly and return it validated.

        Keys starting with ``_`` are notes and ignored; any other unknown key is refused,
        so a misspelt setting fails loudly instead of silently falling back to a default.
        ``stored``: a version already in force, written before a hall rule was added
        (the early-restriction rule): it still loads, so the hall can open and fix it, and
        the engine applies that rule on every proposal and check.
        """
        return _from_dict(data, hall_rules=not stored)

    def validate(self, *, hall_rules: bool = True) -> None:
        """Raise ``ValidationError`` for the first rule the policy breaks; ``hall_rules``
        False leaves out the rules the engine enforces again on every step (see
        ``from_dict``)."""
        if not 0 <= self.penalty_per_mille_per_day <= MAX_PENALTY_PER_MILLE:
            raise ValidationError(
                "penalty_per_mille_per_day",
                N_("The late-payment penalty must be between 0 and {max}‰ per day."),
                max=MAX_PENALTY_PER_MILLE,
            )
        if not 1 <= self.restore_hours <= MAX_RESTORE_HOURS:
            raise ValidationError(
                "restore_hours",
                N_("Service must be restored within 1 to {max} hours of full payment."),
                max=MAX_RESTORE_HOURS,
            )
        if not 0 <= self.grace_days <= MAX_GRACE_DAYS:
            raise ValidationError(
                "grace_days",
                N_("The grace period must be between 0 and {max} days."),
                max=MAX_GRACE_DAYS,
            )
        if isinstance(self.large_arrears_fen, bool) or self.large_arrears_fen < 1:
            raise ValidationError(
                "large_arrears_fen", N_("The large-arrears threshold must be more than zero.")
            )
        if not self.tiers:
            raise ValidationError("tiers", N_("The arrears policy needs at least one tier."))
        codes: set[str] = set()
        thresholds: dict[int, str] = {}
        for tier in self.tiers:
            if not tier.code.strip():
                raise ValidationError("tiers", N_("Every arrears tier needs a code."))
            if tier.code in codes:
                raise ValidationError(
                    "tiers", N_("The tier code {tier} is used twice."), tier=tier.code
                )
            codes.add(tier.code)
            if tier.min_fen < 0:
                raise ValidationError(
                    "tiers",
                    N_("The threshold of tier {tier} cannot be negative."),
                    tier=tier.code,
                )
            if tier.min_fen in thresholds:
                raise ValidationError(
                    "tiers",
                    N_("Tiers {tier} and {other} start at the same amount; thresholds overlap."),
                    tier=tier.code,
                    other=thresholds[tier.min_fen],
                )
            thresholds[tier.min_fen] = tier.code
            _validate_steps(tier)
            if hall_rules:
                _validate_early_restriction(self, tier)


def _validate_early_restriction(policy: ArrearsPolicy, tier: Tier) -> None:
    """Seed, 欠费管理制度 第十一条: small arrears are chased by phone and SMS; only large
    arrears get stricter measures such as restricting service. Before the 30-day floor a
    restriction belongs to a tier of large arrears only."""
    step = tier.step(StepKind.RESTRICT)
    if step is None or step.day_offset + policy.grace_days >= SUSPEND_FLOOR_DAYS:
        return
    if tier.min_fen < policy.large_arrears_fen:
        raise ValidationError(
            "tiers",
            N_(
                "Tier {tier} restricts service on day {day}, before the 30-day floor; before"
                " then only large arrears (from {threshold} yuan) may be restricted. Move the"
                " restriction to day 30 or later, or start the tier at the large-arrears"
                " threshold."
            ),
            tier=tier.code,
            day=step.day_offset + policy.grace_days,
            threshold=_yuan(policy.large_arrears_fen),
        )


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _validate_steps(tier: Tier) -> None:
    previous: LadderStep | None = None
    reminded = False
    suspend: LadderStep | None = None
    for step in tier.steps:
        params: dict[str, Any] = {"tier": tier.code, "kind": step.kind.value}
        if step.day_offset < 1:
            raise ValidationError(
                "tiers",
                N_("Step {kind} of tier {tier} must come at least one day after the due date."),
                **params,
            )
        if previous is not None and step.kind.rank <= previous.kind.rank:
            raise ValidationError(
                "tiers",
                N_(
                    "Step {kind} of tier {tier} is out of order: steps go SMS reminder, second"
                    " SMS, phone call, restrict, suspend, pre-terminate, each at most once."
                ),
                **params,
            )
        if previous is not None and step.day_offset <= previous.day_offset:
            raise ValidationError(
                "tiers",
                N_("Step {kind} of tier {tier} must come later than the step before it."),
                **params,
            )
        if step.kind in SERVICE_ACTION_KINDS:
            if not reminded:
                raise ValidationError(
                    "tiers",
                    N_("Tier {tier} must send a reminder before step {kind}."),
                    **params,
                )
            if not step.needs_leader:
                raise ValidationError(
                    "tiers",
                    N_("Step {kind} of tier {tier} must need a shift leader's approval."),
                    **params,
                )
        if step.kind == StepKind.SUSPEND and step.day_offset < SUSPEND_FLOOR_DAYS:
            raise ValidationError(
                "tiers",
                N_(
                    "Suspension in tier {tier} must come at least {days} days after the due"
                    " date (Telecommunications Regulations art. 34)."
                ),
                days=SUSPEND_FLOOR_DAYS,
                **params,
            )
        if step.kind == StepKind.PRE_TERMINATE:
            if suspend is None:
                raise ValidationError(
                    "tiers",
                    N_("Tier {tier} must suspend the service before pre-termination."),
                    **params,
                )
            if step.day_offset - suspend.day_offset < TERMINATE_FLOOR_DAYS:
                raise ValidationError(
                    "tiers",
                    N_(
                        "Pre-termination in tier {tier} must come at least {days} days after"
                        " the suspension (Telecommunications Regulations art. 34)."
                    ),
                    days=TERMINATE_FLOOR_DAYS,
                    **params,
                )
        reminded = reminded or step.kind in REMINDER_KINDS
        if step.kind == StepKind.SUSPEND:
            suspend = step
        previous = step


# --- storage ------------------------------------------------------------------------------

_TOP_KEYS: Final = frozenset(
    {
        "version",
        "tiers",
        "penalty_per_mille_per_day",
        "restore_hours",
        "grace_days",
        "large_arrears_fen",
    }
)
_TIER_KEYS: Final = frozenset({"code", "min_fen", "steps"})
_STEP_KEYS: Final = frozenset({"kind", "day_offset", "needs_leader"})
_KIND_VALUES: Final = frozenset(kind.value for kind in StepKind)


def _to_dict(policy: ArrearsPolicy) -> dict[str, Any]:
    return {
        "version": POLICY_VERSION,
        "penalty_per_mille_per_day": policy.penalty_per_mille_per_day,
        "restore_hours": policy.restore_hours,
        "grace_days": policy.grace_days,
        "large_arrears_fen": policy.large_arrears_fen,
        "tiers": [
            {
                "code": tier.code,
                "min_fen": tier.min_fen,
                "steps": [
                    {
                        "kind": step.kind.value,
                        "day_offset": step.day_offset,
                        "needs_leader": step.needs_leader,
                    }
                    for step in tier.steps
                ],
            }
            for tier in policy.tiers
        ],
    }


def _from_dict(data: Mapping[str, Any], *, hall_rules: bool = True) -> ArrearsPolicy:
    _check_keys(data, _TOP_KEYS, "", None)
    version = data.get("version", POLICY_VERSION)
    if version != POLICY_VERSION:
        raise ValidationError(
            "version",
            N_("Arrears policy version {version} is not supported."),
            version=version,
        )
    tiers_data = data.get("tiers")
    if not isinstance(tiers_data, list):
        raise _malformed("tiers", "tiers")
    policy = ArrearsPolicy(
        tiers=tuple(_tier_from_dict(t, f"tiers[{i}]") for i, t in enumerate(tiers_data)),
        penalty_per_mille_per_day=_int(
            data, "penalty_per_mille_per_day", "", MAX_PENALTY_PER_MILLE
        ),
        restore_hours=_int(data, "restore_hours", "", 24),
        grace_days=_int(data, "grace_days", "", 0),
        large_arrears_fen=_int(data, "large_arrears_fen", "", LARGE_ARREARS_FEN),
    )
    policy.validate(hall_rules=hall_rules)
    return policy


def _tier_from_dict(data: object, where: str) -> Tier:
    if not isinstance(data, Mapping):
        raise _malformed("tiers", where)
    _check_keys(data, _TIER_KEYS, where + ".", "tiers")
    code = data.get("code")
    if not isinstance(code, str):
        raise _malformed("tiers", where + ".code")
    steps_data = data.get("steps")
    if not isinstance(steps_data, list):
        raise _malformed("tiers", where + ".steps")
    steps = tuple(_step_from_dict(s, f"{where}.steps[{i}]") for i, s in enumerate(steps_data))
    return Tier(code, _int(data, "min_fen", where + "."), steps)


def _step_from_dict(data: object, where: str) -> LadderStep:
    if not isinstance(data, Mapping):
        raise _malformed("tiers", where)
    _check_keys(data, _STEP_KEYS, where + ".", "tiers")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _KIND_VALUES:
        raise _malformed("tiers", where + ".kind")
    needs_leader = data.get("needs_leader", False)
    if not isinstance(needs_leader, bool):
        raise _malformed("tiers", where + ".needs_leader")
    return LadderStep(StepKind(kind), _int(data, "day_offset", where + "."), needs_leader)


def _malformed(field: str, key: str) -> ValidationError:
    return ValidationError(field, N_("The arrears policy has an invalid value at {key}."), key=key)


def _check_keys(
    data: Mapping[Any, Any], allowed: frozenset[str], prefix: str, field: str | None
) -> None:
    for key in data:
        if not isinstance(key, str) or (key not in allowed and not key.startswith("_")):
            raise ValidationError(
                field or str(key),
                N_("The arrears policy has an unknown setting {key}."),
                key=f"{prefix}{key}",
            )


def _int(data: Mapping[str, Any], key: str, prefix: str, default: int | None = None) -> int:
    value = data.get(key, default)
    # bool is an int subclass, but ``true`` as an offset is a typo, not day 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _malformed("tiers" if prefix else key, prefix + key)
    return value


@cache
def default_policy() -> ArrearsPolicy:
    """The bundled default; the ``_doc`` note in the JSON file explains its numbers."""
    with paths.resource(*DEFAULT_POLICY_FILE).open(encoding="utf-8") as fh:
        return ArrearsPolicy.from_dict(json.load(fh))
