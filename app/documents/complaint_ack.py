"""The complaint acknowledgement slip (投诉受理回执), on 80 mm roll paper or A5.

Same font, helpers and printing path as the payment receipt: the hall and title, the
complaint number, date of receipt, the customer and contact number (masked), channel,
category, a summary of what happened and what the customer asks, the answer deadline and how
the customer will be contacted, then the appeal route: the hall answers within its period
("15 个工作日" where it counts working days) by the date printed; with no answer within 15
days of receipt (the statutory date, printed too), or if the customer is not satisfied, the
provincial communications administration's appeal body or the 12300 hotline. Dates are
worded by ``app.domain.complaint_deadline``, as on the screen. Labels are English msgids
translated at render time (the service renders customer documents in Chinese).
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.base import RollWriter, build_pdf, grid_table
from app.documents.complaint_data import APPEAL_HOTLINE, AckSlipData, ack_lines, appeal_text
from app.documents.data import ReceiptLayout
from app.documents.receipt import (
    A5_LABEL,
    A5_MARGIN,
    A5_WIDTH,
    ROLL_FONT_SIZE,
    ROLL_LEADING,
    ROLL_MARGIN,
    ROLL_WIDTH,
    _p,
)
from app.i18n import _

__all__ = ["APPEAL_HOTLINE", "AckSlipData", "ack_lines", "appeal_text", "layout_roll", "render_ack"]


def layout_roll(data: AckSlipData) -> RollWriter:
    w = RollWriter(ROLL_WIDTH, ROLL_MARGIN, size=ROLL_FONT_SIZE, leading=ROLL_LEADING)
    w.text(data.hall_name, size=11.5, bold=True, align="center")
    w.text(_("Complaint acknowledgement"), size=10, bold=True, align="center")
    if data.hall_address:
        w.text(data.hall_address, size=7.5, align="center")
    w.rule()
    for label, value in ack_lines(data):
        w.pair(label, value)
    w.rule()
    w.text(_("What happened"), bold=True)
    w.text(data.summary)
    if data.request:
        w.text(_("What the customer asks"), bold=True)
        w.text(data.request)
    w.rule()
    for line in appeal_text(data):
        w.text(line, size=7.5)
    w.rule()
    if data.hotline:
        w.text(_("Service hotline: {hotline}").format(hotline=data.hotline), align="center")
    w.text(_("Please keep this slip."), align="center")
    return w


def _a5_story(data: AckSlipData) -> list[Flowable]:
    story: list[Flowable] = [
        _p(data.hall_name, "title"),
        _p(_("Complaint acknowledgement"), "subtitle"),
    ]
    if data.hall_address:
        story.append(_p(data.hall_address, "centre_small"))
    story.append(Spacer(1, 4 * mm))
    rows = [[_p(label, "bold"), _p(value)] for label, value in ack_lines(data)]
    rows.append([_p(_("What happened"), "bold"), _p(data.summary)])
    if data.request:
        rows.append([_p(_("What the customer asks"), "bold"), _p(data.request)])
    story.append(grid_table(rows, [A5_LABEL + 6 * mm, A5_WIDTH - A5_LABEL - 6 * mm]))
    story.append(Spacer(1, 4 * mm))
    for line in appeal_text(data):
        story.append(_p(line))
        story.append(Spacer(1, 1.5 * mm))
    story.append(Spacer(1, 3 * mm))
    if data.hotline:
        story.append(
            _p(_("Service hotline: {hotline}").format(hotline=data.hotline), "centre_small")
        )
    story.append(_p(_("Please keep this slip."), "centre_small"))
    return story


def _title(data: AckSlipData) -> str:
    return _("Complaint acknowledgement") + " " + data.number


def render_ack(
    data: AckSlipData, layout: ReceiptLayout = ReceiptLayout.ROLL_80, *, invariant: bool = False
) -> bytes:
    """The slip as PDF bytes; ``invariant=True`` gives byte-identical output per input."""
    if ReceiptLayout(layout) is ReceiptLayout.A5:
        return build_pdf(
            lambda: _a5_story(data),
            pagesize=A5,
            margin=A5_MARGIN,
            title=_title(data),
            invariant=invariant,
        )
    return layout_roll(data).render(title=_title(data), invariant=invariant)
