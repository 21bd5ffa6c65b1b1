"""The weekly simulation ranking (周例会服务规范模拟评比): the week's clerks by score, on A4.

At the weekly meeting each clerk does a one-to-one simulation of the service standard; it is
scored on the simulation sheet and the clerks are ranked. Equal scores share a rank. Each
line names the scenario of the clerk's best simulation that week and how many were scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from app.documents.base import (
    FONT,
    FONT_BOLD,
    SHADE,
    build_pdf,
    grid_table,
    para,
    paragraph_wrap,
)
from app.i18n import _

MARGIN: Final = 18 * mm
WIDTH: Final = A4[0] - 2 * MARGIN


@dataclass(frozen=True, slots=True)
class RankingLine:
    rank: int
    clerk: str
    score: str
    scenario: str
    sessions: int


@dataclass(frozen=True, slots=True)
class SimulationRankingData:
    hall_name: str
    iso_week: str
    printed_at: str
    lines: tuple[RankingLine, ...]


@cache
def _styles_for(wrap: str | None) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("ranking", fontName=FONT, fontSize=10, leading=14, wordWrap=wrap)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, body, **kw)

    return {
        "body": body,
        "cell": style("cell", fontSize=9.5, leading=13),
        "cell_bold": style("cell_bold", fontName=FONT_BOLD, fontSize=9.5, leading=13),
        "cell_center": style("cell_center", fontSize=9.5, leading=13, alignment=TA_CENTER),
        "hall": style("hall", fontName=FONT_BOLD, fontSize=11, leading=15, alignment=TA_CENTER),
        "title": style("title", fontName=FONT_BOLD, fontSize=17, leading=24, alignment=TA_CENTER),
        "meta": style("meta", fontSize=8.5, leading=12, alignment=TA_RIGHT),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return para(text, _styles_for(paragraph_wrap())[style])


def _story(data: SimulationRankingData) -> list[Flowable]:
    story: list[Flowable] = [
        _p(data.hall_name, "hall"),
        _p(_("Weekly service-standard simulation ranking"), "title"),
        _p(_("Week {week}").format(week=data.iso_week), "cell_center"),
        _p(_("Printed {time}").format(time=data.printed_at), "meta"),
        Spacer(1, 4 * mm),
    ]
    if not data.lines:
        story.append(_p(_("No simulation was scored in this week.")))
        return story
    rows: list[list[Any]] = [
        [
            _p(_("Rank"), "cell_bold"),
            _p(_("Clerk"), "cell_bold"),
            _p(_("Score"), "cell_bold"),
            _p(_("Scenario"), "cell_bold"),
            _p(_("Sessions"), "cell_bold"),
        ]
    ]
    rows += [
        [
            _p(str(line.rank), "cell_center"),
            _p(line.clerk, "cell"),
            _p(line.score, "cell_center"),
            _p(line.scenario, "cell"),
            _p(str(line.sessions), "cell_center"),
        ]
        for line in data.lines
    ]
    story.append(
        grid_table(
            rows,
            [WIDTH * 0.08, WIDTH * 0.22, WIDTH * 0.12, WIDTH * 0.46, WIDTH * 0.12],
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            padding=(3, 4),
            repeat_rows=1,
        )
    )
    story += [
        Spacer(1, 10 * mm),
        _p(_("Shift leader: ____________________   Date: __________")),
    ]
    return story


def render_simulation_ranking(data: SimulationRankingData, *, invariant: bool = False) -> bytes:
    """The ranking as A4 PDF bytes; ``invariant=True`` gives byte-identical output per input."""
    return build_pdf(
        lambda: _story(data),
        pagesize=A4,
        margin=MARGIN,
        title=_("Weekly service-standard simulation ranking") + " " + data.iso_week,
        invariant=invariant,
    )
