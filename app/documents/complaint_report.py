"""The complaints report of a period as an A4 PDF: the headline figures, then counts by
category, by department and by satisfaction. An internal sheet: it prints in the
language of the screen."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.base import SHADE, build_pdf, grid_table
from app.documents.complaint_data import ComplaintReportData, ReportLine, report_headline
from app.documents.receipt import _p
from app.i18n import _

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN


def _breakdown(title: str, lines: Sequence[ReportLine]) -> list[Flowable]:
    rows = [[_p(title, "bold"), _p(_("Count"), "bold"), _p(_("Answered in time"), "bold")]]
    rows += [[_p(line.label), _p(str(line.count)), _p(str(line.in_time))] for line in lines]
    if not lines:
        rows.append([_p(_("None")), _p("0"), _p("0")])
    table = grid_table(
        rows,
        [WIDTH * 0.6, WIDTH * 0.2, WIDTH * 0.2],
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        repeat_rows=1,
    )
    return [table, Spacer(1, 5 * mm)]


def render_report(data: ComplaintReportData, *, invariant: bool = False) -> bytes:
    title = _("Complaints report")

    def story() -> list[Flowable]:
        generated = data.generated_at.astimezone(ZoneInfo(data.timezone)).strftime("%Y-%m-%d %H:%M")
        parts: list[Flowable] = [
            _p(data.hall_name, "title"),
            _p(title, "subtitle"),
            _p(
                _("Period {start} to {end}, made {generated}").format(
                    start=data.start.isoformat(), end=data.end.isoformat(), generated=generated
                ),
                "centre_small",
            ),
            Spacer(1, 5 * mm),
            grid_table(
                [[_p(k, "bold"), _p(v)] for k, v in report_headline(data)],
                [WIDTH * 0.5, WIDTH * 0.5],
            ),
            Spacer(1, 6 * mm),
        ]
        parts += _breakdown(_("By category"), data.by_category)
        parts += _breakdown(_("By department"), data.by_department)
        parts += _breakdown(_("By satisfaction"), data.by_satisfaction)
        return parts

    return build_pdf(
        story,
        pagesize=A4,
        margin=MARGIN,
        title=f"{title} {data.start}–{data.end}",
        invariant=invariant,
    )
