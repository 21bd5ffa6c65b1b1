"""What the etiquette reports return: rows, one inspection in full, ranking and trend
points, failure counts and rates, and how an answer reads. Plain data, below both the
reports (``reports``) and the printed documents built from them (``report_documents``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Final

from app.domain.etiquette_scoring import (
    ResponseKind,
    TemplateKind,
    TemplateSpec,
    failure_rate,
    percent_tenths,
)
from app.i18n import N_, _

_ANSWER_LABELS: Final = {"pass": N_("Pass"), "fail": N_("Fail"), "na": N_("N/A")}


def answer_text(value: str, max_points: int, response: ResponseKind) -> str:
    """An answer as shown: Pass / Fail / N/A, or ``4 / 5`` on a scale; blank when unanswered."""
    if not value:
        return ""
    label = _ANSWER_LABELS.get(value)
    if label:
        return _(label)
    if response is ResponseKind.SCALE:
        return f"{value} / {max_points}"
    return value


@dataclass(frozen=True, slots=True)
class InspectionRow:
    inspection_id: uuid.UUID
    kind: TemplateKind
    template_title: str
    template_version: int
    clerk_id: int
    clerk: str
    inspector: str
    signed_at: datetime
    business_date: date
    score_tenths: int | None
    passed: bool
    critical_failed: bool
    supersedes_id: uuid.UUID | None
    superseded: bool
    scenario: str


@dataclass(frozen=True, slots=True)
class AnswerView:
    section_key: str
    item_key: str
    text: str
    value: str
    answer: str
    comment: str
    failed: bool
    critical: bool
    mandatory: bool
    score_tenths: int | None
    photo_answer_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class InspectionDetail:
    row: InspectionRow
    spec: TemplateSpec
    counter: str
    started_at: datetime
    comment: str
    correction_reason: str
    superseded_by: uuid.UUID | None
    answers: tuple[AnswerView, ...]
    section_scores: tuple[tuple[str, str, int | None], ...]  # key, title, tenths
    opened_actions: tuple[tuple[str, str, date], ...]  # item text, owner, due
    rechecks: tuple[tuple[str, str], ...]  # item text, event kind


@dataclass(frozen=True, slots=True)
class RankingRow:
    rank: int
    clerk_id: int
    clerk: str
    score_tenths: int
    inspection_id: uuid.UUID
    scenario: str
    sessions: int


@dataclass(frozen=True, slots=True)
class TrendPoint:
    business_date: date
    signed_at: datetime
    score_tenths: int
    passed: bool
    critical_failed: bool
    inspection_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class ItemFailures:
    item_key: str
    text: str
    fails: int
    counted: int


@dataclass(frozen=True, slots=True)
class FailureRate:
    key: str
    text: str
    fails: int
    counted: int

    @property
    def rate(self) -> Fraction | None:
        return failure_rate(self.fails, self.counted)

    @property
    def rate_tenths(self) -> int | None:
        return percent_tenths(self.rate)
