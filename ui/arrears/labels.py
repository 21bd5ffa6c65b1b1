"""Translated labels of the arrears ladder: tiers, stages, call results, history events.

The services own the msgids (``HISTORY_KIND_LABELS``, ``RESULT_LABELS``, ``STEP_LABELS``);
this module looks them up when shown (never cached), so a language change only needs a
repaint.
"""

from __future__ import annotations

from typing import Final

from app.domain.arrears_policy import STEP_LABELS, StepKind, tier_label
from app.i18n import N_, _
from app.services.arrears import HISTORY_KIND_LABELS, NO_STAGE, RESULT_LABELS

__all__ = [
    "NO_STAGE",
    "call_result_text",
    "event_text",
    "stage_text",
    "tier_text",
    "yuan_text",
]

#: The stage of an account on which no step was taken yet.
STAGE_NONE_LABEL: Final = N_("No step yet")
#: A tier's name: the two default tiers are translated, a hall's own codes shown as is.
tier_text = tier_label


def stage_text(kind: str | None) -> str:
    """A ladder step's name; ``"none"`` (no step taken yet) has its own label."""
    if not kind or kind == NO_STAGE:
        return _(STAGE_NONE_LABEL)
    try:
        return _(STEP_LABELS[StepKind(kind)])
    except ValueError:
        return str(kind)


def call_result_text(result: str) -> str:
    """A call result or an SMS queue state."""
    msgid = RESULT_LABELS.get(result)
    return _(msgid) if msgid else result


def event_text(kind: str) -> str:
    msgid = HISTORY_KIND_LABELS.get(kind)
    return _(msgid) if msgid else kind


def yuan_text(fen: int) -> str:
    """Fen as the plain yuan figure a clerk types ("128.50"), for pre-filled fields."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
