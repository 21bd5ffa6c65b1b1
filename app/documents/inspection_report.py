"""The service-etiquette inspection report (服务规范检查报告): one signed checklist on A4.

It names the clerk, the inspector, the counter, the times and the template version, shows
the score against the pass mark and whether a critical item failed, then every section with
its score and every item with its answer, item score and comment (failed items marked, a
critical item flagged), the corrective actions the inspection opened and the rechecks it
made, and the signature lines. A correction says which inspection it supersedes and why; a
superseded inspection carries a banner. Labels are English msgids translated at render
time; item texts come from the template in the current language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from app.documents.base import (
    FONT,
    FONT_BOLD,
    SHADE,
    build_pdf,
    grid_table,
    para,
    paragraph_wrap,
)
from app.i18n import N_, _, format_date, pgettext

MARGIN: Final = 16 * mm
WIDTH: Final = A4[0] - 2 * MARGIN
DANGER: Final = "#c62828"

_KIND_TITLES: Final = {
    "inspection": N_("Service-standard inspection report"),
    "self_check": N_("Service-standard self-check record"),
    "simulation": N_("Weekly simulation score record"),
}
_RECHECK_LABELS: Final = {
    "recheck_passed": N_("rechecked: put right, closed"),
    "recheck_failed": N_("rechecked: still failing, stays open"),
    "cancelled": N_("cancelled by this correction"),
}


@dataclass(frozen=True, slots=True)
class ReportItem:
    text: str
    answer: str
    score: str
    comment: str
    failed: bool
    critical: bool
    photo: bool


@dataclass(frozen=True, slots=True)
class ReportSection:
    title: str
    score: str
    items: tuple[ReportItem, ...]


@dataclass(frozen=True, slots=True)
class ReportAction:
    item: str
    owner: str
    due_on: date


@dataclass(frozen=True, slots=True)
class InspectionReportData:
    """Everything the report prints, already formatted by the caller (times in the hall's
    time zone, percentages) except the labels, which are translated here."""

    hall_name: str
    title: str
    kind: str
    template_version: int
    inspection_id: str
    clerk: str
    inspector: str
    counter: str
    started_at: str
    signed_at: str
    score: str
    pass_percent: int
    passed: bool
    critical_failed: bool
    sections: tuple[ReportSection, ...]
    actions: tuple[ReportAction, ...] = ()
    rechecks: tuple[tuple[str, str], ...] = ()
    comment: str = ""
    scenario: str = ""
    supersedes: str = ""
    correction_reason: str = ""
    superseded_by: str = ""


def _styles() -> dict[str, ParagraphStyle]:
    return _styles_for(paragraph_wrap())


@cache
def _styles_for(wrap: str | None) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("report", fontName=FONT, fontSize=9.5, leading=13, wordWrap=wrap)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, body, **kw)

    return {
        "body": body,
        "cell": style("cell", fontSize=9, leading=12),
        "cell_bold": style("cell_bold", fontName=FONT_BOLD, fontSize=9, leading=12),
        "cell_center": style("cell_center", fontSize=9, leading=12, alignment=TA_CENTER),
        "hall": style("hall", fontName=FONT_BOLD, fontSize=11, leading=15, alignment=TA_CENTER),
        "title": style("title", fontName=FONT_BOLD, fontSize=17, leading=24, alignment=TA_CENTER),
        "subtitle": style("subtitle", fontSize=10, leading=14, alignment=TA_CENTER),
        "section": style("section", fontName=FONT_BOLD, fontSize=11, leading=16, spaceBefore=6),
        "verdict": style("verdict", fontName=FONT_BOLD, fontSize=13, leading=18),
        "sign": style("sign", fontSize=10, leading=18),
        "meta": style("meta", fontSize=8, leading=11, alignment=TA_RIGHT),
    }


def _p(text: str, style: str = "body", *, color: str = "") -> Paragraph:
    return para(text, _styles()[style], color=color)


def _label(msgid: str, value: str) -> list[Paragraph]:
    return [_p(_(msgid), "cell_bold"), _p(value or "-", "cell")]


def _header(data: InspectionReportData) -> list[Flowable]:
    story: list[Flowable] = [
        _p(data.hall_name, "hall"),
        _p(_(_KIND_TITLES.get(data.kind, _KIND_TITLES["inspection"])), "title"),
        _p(
            _("{title} (version {version})").format(
                title=data.title, version=data.template_version
            ),
            "subtitle",
        ),
        Spacer(1, 3 * mm),
    ]
    if data.superseded_by:
        story.append(
            _p(
                _("Superseded by correction {id}: this record no longer counts.").format(
                    id=data.superseded_by
                ),
                "verdict",
                color=DANGER,
            )
        )
    person = N_("Clerk") if data.kind != "self_check" else N_("Clerk (self-check)")
    signer = N_("Inspector") if data.kind != "self_check" else N_("Signed by")
    rows = [
        _label(person, data.clerk) + _label(signer, data.inspector),
        _label(N_("Counter"), data.counter) + _label(N_("Record no."), data.inspection_id),
        _label(N_("Started"), data.started_at) + _label(N_("Signed"), data.signed_at),
    ]
    if data.scenario:
        rows.append([*_label(N_("Scenario"), data.scenario), "", ""])
    widths = [WIDTH * 0.14, WIDTH * 0.36, WIDTH * 0.14, WIDTH * 0.36]
    extra: list[Any] = [
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("BACKGROUND", (2, 0), (2, -1), SHADE),
    ]
    if data.scenario:
        extra.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
    story.append(grid_table(rows, widths, *extra, padding=(3, 4)))
    story.append(Spacer(1, 3 * mm))
    if data.supersedes:
        story.append(
            _p(
                _("This is a correction of record {id}. Reason: {reason}").format(
                    id=data.supersedes, reason=data.correction_reason
                ),
                "body",
            )
        )
    verdict = _("Passed") if data.passed else _("Failed")
    line = _("Score {score} (pass mark {mark}%): {verdict}").format(
        score=data.score, mark=data.pass_percent, verdict=verdict
    )
    story.append(_p(line, "verdict", color="" if data.passed else DANGER))
    if data.critical_failed:
        story.append(
            _p(
                _("A critical item failed: the inspection fails whatever its score."),
                "body",
                color=DANGER,
            )
        )
    return story


def _section(section: ReportSection) -> list[Flowable]:
    head = _("{title} — {score}").format(title=section.title, score=section.score)
    rows: list[list[Any]] = [
        [
            _p(_("Item"), "cell_bold"),
            _p(_("Answer"), "cell_bold"),
            _p(_("Score"), "cell_bold"),
            _p(_("Comment"), "cell_bold"),
        ]
    ]
    for item in section.items:
        text = item.text
        if item.critical:
            text = _("{text} [critical]").format(text=text)
        comment = item.comment
        if item.photo:
            comment = (comment + " " if comment else "") + _("(photo attached)")
        color = DANGER if item.failed else ""
        rows.append(
            [
                _p(text, "cell", color=color),
                _p(item.answer or _("not answered"), "cell_center", color=color),
                _p(item.score, "cell_center"),
                _p(comment, "cell"),
            ]
        )
    table = grid_table(
        rows,
        [WIDTH * 0.46, WIDTH * 0.12, WIDTH * 0.1, WIDTH * 0.32],
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        padding=(2, 3),
        repeat_rows=1,
    )
    return [_p(head, "section"), table]


def _actions(data: InspectionReportData) -> list[Flowable]:
    story: list[Flowable] = []
    if data.actions:
        rows: list[list[Any]] = [
            [
                _p(_("Item to put right"), "cell_bold"),
                _p(_("Responsible"), "cell_bold"),
                _p(pgettext("corrective action", "Due"), "cell_bold"),
            ]
        ]
        rows += [
            [_p(a.item, "cell"), _p(a.owner, "cell"), _p(format_date(a.due_on), "cell")]
            for a in data.actions
        ]
        story += [
            _p(_("Corrective actions"), "section"),
            grid_table(
                rows,
                [WIDTH * 0.56, WIDTH * 0.24, WIDTH * 0.2],
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                padding=(2, 3),
                repeat_rows=1,
            ),
        ]
    if data.rechecks:
        story.append(_p(_("Corrective actions rechecked"), "section"))
        for item, kind in data.rechecks:
            label = _RECHECK_LABELS.get(kind)
            story.append(
                _p(_("{item}: {result}").format(item=item, result=_(label) if label else kind))
            )
    return story


def _story(data: InspectionReportData) -> list[Flowable]:
    story = _header(data)
    for section in data.sections:
        story += _section(section)
    story += _actions(data)
    if data.comment:
        story += [_p(_("Remarks"), "section"), _p(data.comment)]
    story.append(
        KeepTogether(
            [
                Spacer(1, 8 * mm),
                _p(
                    _("Inspector's signature: {name}   (credential checked at signing)").format(
                        name=data.inspector
                    ),
                    "sign",
                ),
                _p(_("Clerk's acknowledgement: ____________________   Date: __________"), "sign"),
            ]
        )
    )
    return story


def _page(data: InspectionReportData) -> Any:
    def paint(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setFont(FONT, 7.5)
        c.setFillGray(0.35)
        c.drawString(MARGIN, MARGIN - 7 * mm, data.hall_name)
        c.drawRightString(
            A4[0] - MARGIN,
            MARGIN - 7 * mm,
            _("{record} · Page {page}").format(record=data.inspection_id, page=doc.page),
        )
        c.restoreState()

    return paint


def render_inspection_report(data: InspectionReportData, *, invariant: bool = False) -> bytes:
    """The report as A4 PDF bytes; ``invariant=True`` gives byte-identical output per input."""
    return build_pdf(
        lambda: _story(data),
        pagesize=A4,
        margin=MARGIN,
        title=_(_KIND_TITLES.get(data.kind, _KIND_TITLES["inspection"])),
        invariant=invariant,
        page=_page(data),
    )


__all__ = [
    "InspectionReportData",
    "ReportAction",
    "ReportItem",
    "ReportSection",
    "render_inspection_report",
]
