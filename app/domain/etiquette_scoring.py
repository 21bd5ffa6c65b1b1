"""Service-etiquette checklists as data, and how an answered checklist is scored.

A template is a list of sections, each a list of items. An item has a response set — pass /
fail (/ not applicable), or a 0–N scale (/ not applicable) — a weight, whether it must be
answered before the checklist can be signed, and whether failing it fails the whole
inspection (a *critical* item, for example a forbidden phrase said to a customer).

Scoring rules, and why:

* An item scores ``points / max`` (pass = 1 of 1, fail = 0 of 1, a scale answer k of N).
* A section and the whole checklist score the **weighted** mean of their answered items:
  ``sum(weight * points / max) / sum(weight)``. Items answered *not applicable* and items
  left unanswered are out of both sums (an N/A item must not lower or raise a score); a
  section or checklist with nothing to count has no score (``None``), not 0 and not 100.
* An item **fails** when answered fail, or when its scale answer is below the item's pass
  mark. A failed item becomes a corrective action; a failed *critical* item fails the
  inspection whatever its score. Otherwise the inspection passes when its score, **as
  shown** (rounded half-up to one decimal, ``percent_tenths``), reaches the template's
  pass mark: 84.96 % is shown, stored and reported as 85.0 %, so it passes a mark of 85 %.
  A verdict decided on a hidden hundredth would contradict the figure the clerk signs.
* Arithmetic is exact (``Fraction``); percentages are rounded half-up to one decimal only
  for display, storage and the verdict (``percent_tenths``).

The texts of a template are data, not messages: each carries Chinese and English and the
interface shows the one of its language (``LocalText.pick``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final

from app.domain.errors import ValidationError
from app.i18n import N_, current_language

#: The largest scale an item may use (0–10).
MAX_SCALE: Final = 10
MAX_WEIGHT: Final = 100
MAX_TEXT: Final = 300
KEY_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

PASS: Final = "pass"
FAIL: Final = "fail"
NOT_APPLICABLE: Final = "na"


class ResponseKind(StrEnum):
    PASS_FAIL = "pass_fail"
    SCALE = "scale"


class TemplateKind(StrEnum):
    """What a template is used for: a leader's inspection, a clerk's self-check at the start
    of a shift, or the scoring sheet of the weekly one-to-one simulation."""

    INSPECTION = "inspection"
    SELF_CHECK = "self_check"
    SIMULATION = "simulation"


class TemplateError(ValueError):
    """A template definition that breaks the rules of its format (a data or editor bug)."""


@dataclass(frozen=True, slots=True)
class LocalText:
    """A text of the template in Chinese and English."""

    zh: str
    en: str

    def pick(self, language: str) -> str:
        if language.startswith("zh"):
            return self.zh or self.en
        return self.en or self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh_CN": self.zh, "en": self.en}

    @classmethod
    def from_dict(cls, value: Any, where: str) -> LocalText:
        if isinstance(value, str):
            value = {"zh_CN": value, "en": value}
        if not isinstance(value, Mapping):
            raise TemplateError(f"{where}: a text is an object with zh_CN and en")
        zh = str(value.get("zh_CN", "")).strip()
        en = str(value.get("en", "")).strip()
        if not zh and not en:
            raise TemplateError(f"{where}: the text is empty in both languages")
        if len(zh) > MAX_TEXT or len(en) > MAX_TEXT:
            raise TemplateError(f"{where}: a text is longer than {MAX_TEXT} characters")
        return cls(zh, en)


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """One checklist item. ``max_points`` is 1 for pass/fail; ``pass_mark`` is the lowest
    passing scale answer (1 for pass/fail)."""

    key: str
    text: LocalText
    response: ResponseKind = ResponseKind.PASS_FAIL
    max_points: int = 1
    pass_mark: int = 1
    weight: int = 1
    mandatory: bool = True
    critical: bool = False
    allow_na: bool = True

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.key):
            raise TemplateError(f"item key {self.key!r} is not a lower-case identifier")
        if self.response is ResponseKind.PASS_FAIL:
            if self.max_points != 1 or self.pass_mark != 1:
                raise TemplateError(f"{self.key}: a pass/fail item scores 0 or 1")
        elif not 1 <= self.max_points <= MAX_SCALE:
            raise TemplateError(f"{self.key}: a scale runs from 0 to 1…{MAX_SCALE}")
        elif not 1 <= self.pass_mark <= self.max_points:
            raise TemplateError(f"{self.key}: the pass mark lies within the scale")
        if isinstance(self.weight, bool) or not 1 <= self.weight <= MAX_WEIGHT:
            raise TemplateError(f"{self.key}: a weight is a whole number 1…{MAX_WEIGHT}")

    def choices(self) -> tuple[str, ...]:
        """The answers this item accepts, as stored."""
        base = (
            (PASS, FAIL)
            if self.response is ResponseKind.PASS_FAIL
            else tuple(str(n) for n in range(self.max_points, -1, -1))
        )
        return (*base, NOT_APPLICABLE) if self.allow_na else base

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "text": self.text.to_dict(),
            "response": self.response.value,
            "weight": self.weight,
            "mandatory": self.mandatory,
            "critical": self.critical,
            "allow_na": self.allow_na,
        }
        if self.response is ResponseKind.SCALE:
            out["max"] = self.max_points
            out["pass_mark"] = self.pass_mark
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemSpec:
        key = str(data.get("key", ""))
        try:
            response = ResponseKind(data.get("response", ResponseKind.PASS_FAIL.value))
        except ValueError:
            raise TemplateError(f"{key}: unknown response set {data.get('response')!r}") from None
        max_points = int(data.get("max", 1 if response is ResponseKind.PASS_FAIL else 5))
        default_mark = 1 if response is ResponseKind.PASS_FAIL else -(-max_points * 3 // 5)
        return cls(
            key=key,
            text=LocalText.from_dict(data.get("text"), key),
            response=response,
            max_points=max_points,
            pass_mark=int(data.get("pass_mark", default_mark)),
            weight=int(data.get("weight", 1)),
            mandatory=bool(data.get("mandatory", True)),
            critical=bool(data.get("critical", False)),
            allow_na=bool(data.get("allow_na", True)),
        )


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str
    title: LocalText
    items: tuple[ItemSpec, ...]

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.key):
            raise TemplateError(f"section key {self.key!r} is not a lower-case identifier")
        if not self.items:
            raise TemplateError(f"section {self.key} has no items")

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title.to_dict(),
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """A whole checklist: its code (stable across versions), kind, title, pass mark (percent)
    and sections. Item keys are unique across the template and stable across versions, so
    reports can follow an item through edits."""

    code: str
    kind: TemplateKind
    title: LocalText
    sections: tuple[SectionSpec, ...]
    pass_percent: int = 80
    scenarios: tuple[LocalText, ...] = ()

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.code):
            raise TemplateError(f"template code {self.code!r} is not a lower-case identifier")
        if not self.sections:
            raise TemplateError(f"template {self.code} has no sections")
        if not 0 <= self.pass_percent <= 100:
            raise TemplateError(f"template {self.code}: the pass mark is a percentage")
        seen_sections: set[str] = set()
        seen_items: set[str] = set()
        for section in self.sections:
            if section.key in seen_sections:
                raise TemplateError(f"section key {section.key} appears twice")
            seen_sections.add(section.key)
            for item in section.items:
                if item.key in seen_items:
                    raise TemplateError(f"item key {item.key} appears twice")
                seen_items.add(item.key)

    @property
    def items(self) -> tuple[ItemSpec, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, key: str) -> ItemSpec:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def section_of(self, item_key: str) -> SectionSpec:
        for section in self.sections:
            if any(item.key == item_key for item in section.items):
                return section
        raise KeyError(item_key)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "kind": self.kind.value,
            "title": self.title.to_dict(),
            "pass_percent": self.pass_percent,
            "sections": [section.to_dict() for section in self.sections],
        }
        if self.scenarios:
            out["scenarios"] = [s.to_dict() for s in self.scenarios]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TemplateSpec:
        code = str(data.get("code", ""))
        try:
            kind = TemplateKind(data.get("kind", ""))
        except ValueError:
            raise TemplateError(f"{code}: unknown template kind {data.get('kind')!r}") from None
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list):
            raise TemplateError(f"{code}: sections must be a list")
        sections = tuple(
            SectionSpec(
                key=str(s.get("key", "")),
                title=LocalText.from_dict(s.get("title"), str(s.get("key", ""))),
                items=tuple(ItemSpec.from_dict(i) for i in s.get("items", [])),
            )
            for s in raw_sections
        )
        return cls(
            code=code,
            kind=kind,
            title=LocalText.from_dict(data.get("title"), code),
            sections=sections,
            pass_percent=int(data.get("pass_percent", 80)),
            scenarios=tuple(
                LocalText.from_dict(s, f"{code} scenario") for s in data.get("scenarios", [])
            ),
        )


# --- answers and scores ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemScore:
    """How one item came out. ``points`` is None for not applicable or unanswered."""

    key: str
    answered: bool
    not_applicable: bool
    points: int | None
    max_points: int
    weight: int
    failed: bool
    critical_failed: bool

    @property
    def counts(self) -> bool:
        """Whether the item is in the denominator (answered and applicable)."""
        return self.points is not None

    @property
    def fraction(self) -> Fraction | None:
        return None if self.points is None else Fraction(self.points, self.max_points)


@dataclass(frozen=True, slots=True)
class SectionScore:
    key: str
    score: Fraction | None
    counted: int
    failed: int


@dataclass(frozen=True, slots=True)
class ChecklistScore:
    """The score of a whole checklist; ``passed`` is None while nothing counts, and is
    decided on the score as shown (one decimal, half-up), never on a hidden digit."""

    items: tuple[ItemScore, ...]
    sections: tuple[SectionScore, ...]
    score: Fraction | None
    critical_failed: bool
    pass_percent: int
    missing_mandatory: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool | None:
        if self.critical_failed:
            return False
        tenths = percent_tenths(self.score)
        if tenths is None:
            return None
        return tenths >= self.pass_percent * 10

    @property
    def failed_items(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items if item.failed)

    def item(self, key: str) -> ItemScore:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def section(self, key: str) -> SectionScore:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


def check_answer(item: ItemSpec, value: str) -> str:
    """The stored form of an answer to ``item``; ValidationError when it does not fit."""
    value = (value or "").strip().lower()
    if value in item.choices():
        return value
    if value == NOT_APPLICABLE:
        raise ValidationError(item.key, N_("This item cannot be answered “not applicable”."))
    if item.response is ResponseKind.SCALE:
        raise ValidationError(item.key, N_("Give a score from 0 to {max}."), max=item.max_points)
    raise ValidationError(item.key, N_("Answer pass or fail."))


def score_item(item: ItemSpec, value: str | None) -> ItemScore:
    """Score one answer (``None`` = not answered yet); the answer must fit the item."""
    if value is None:
        return ItemScore(item.key, False, False, None, item.max_points, item.weight, False, False)
    value = check_answer(item, value)
    if value == NOT_APPLICABLE:
        return ItemScore(item.key, True, True, None, item.max_points, item.weight, False, False)
    points = int(value) if item.response is ResponseKind.SCALE else int(value == PASS)
    failed = points < item.pass_mark
    return ItemScore(
        item.key,
        True,
        False,
        points,
        item.max_points,
        item.weight,
        failed,
        failed and item.critical,
    )


def weighted_score(items: Iterable[ItemScore]) -> Fraction | None:
    """``sum(weight * points/max) / sum(weight)`` over the counted items; None when none."""
    total = Fraction(0)
    weights = 0
    for item in items:
        fraction = item.fraction
        if fraction is None:
            continue
        total += item.weight * fraction
        weights += item.weight
    return None if weights == 0 else total / weights


def score_checklist(template: TemplateSpec, answers: Mapping[str, str | None]) -> ChecklistScore:
    """Score ``answers`` (item key → stored answer; absent = unanswered) against ``template``.

    Answers to keys the template does not have are refused: they would be silently lost.
    """
    known = {item.key for item in template.items}
    stray = sorted(set(answers) - known)
    if stray:
        raise ValidationError("answers", N_("The checklist has no item {key}."), key=stray[0])
    items: list[ItemScore] = []
    sections: list[SectionScore] = []
    missing: list[str] = []
    for section in template.sections:
        section_items = [score_item(item, answers.get(item.key)) for item in section.items]
        items.extend(section_items)
        missing.extend(
            spec.key
            for spec, scored in zip(section.items, section_items, strict=True)
            if spec.mandatory and not scored.answered
        )
        sections.append(
            SectionScore(
                key=section.key,
                score=weighted_score(section_items),
                counted=sum(1 for i in section_items if i.counts),
                failed=sum(1 for i in section_items if i.failed),
            )
        )
    return ChecklistScore(
        items=tuple(items),
        sections=tuple(sections),
        score=weighted_score(items),
        critical_failed=any(i.critical_failed for i in items),
        pass_percent=template.pass_percent,
        missing_mandatory=tuple(missing),
    )


def check_signable(template: TemplateSpec, answers: Mapping[str, str | None]) -> ChecklistScore:
    """The score, once every mandatory item is answered and something counts; otherwise a
    ValidationError naming the first missing item (in the template's order)."""
    result = score_checklist(template, answers)
    if result.missing_mandatory:
        first = template.item(result.missing_mandatory[0])
        raise ValidationError(
            "answers",
            N_("Mandatory items not answered yet: {count}. The first is: {item}"),
            count=len(result.missing_mandatory),
            item=first.text.pick(current_language()),
        )
    if result.score is None:
        raise ValidationError(
            "answers", N_("At least one item must be answered with a score to sign.")
        )
    return result


def percent_tenths(value: Fraction | None) -> int | None:
    """A fraction of 1 as tenths of a percent, rounded half-up (0.8765 → 877 = 87.7 %)."""
    if value is None:
        return None
    scaled = value * 1000
    return int(scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)


def format_percent(tenths: int | None) -> str:
    """``877`` → ``87.7%``; None → an en dash."""
    if tenths is None:
        return "–"
    return f"{tenths // 10}.{tenths % 10}%"


# --- ranking ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankedEntry:
    rank: int
    key: int
    score: int


def rank_scores(scores: Mapping[int, int]) -> tuple[RankedEntry, ...]:
    """Standard competition ranking ("1224"): higher scores first; equal scores share a rank
    and the next rank skips; ties are listed by key so the order is stable."""
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    out: list[RankedEntry] = []
    for position, (key, score) in enumerate(ordered, start=1):
        rank = out[-1].rank if out and out[-1].score == score else position
        out.append(RankedEntry(rank, key, score))
    return tuple(out)


def failure_rate(fails: int, counted: int) -> Fraction | None:
    """Failures per counted (answered, applicable) answer; None when nothing counted."""
    if counted < 0 or fails < 0 or fails > counted:
        raise ValueError("fails must lie between 0 and counted")
    return None if counted == 0 else Fraction(fails, counted)


def best_per_key(rows: Sequence[tuple[int, int]]) -> dict[int, int]:
    """The highest score of each key among (key, score) pairs."""
    best: dict[int, int] = {}
    for key, score in rows:
        if key not in best or score > best[key]:
            best[key] = score
    return best
