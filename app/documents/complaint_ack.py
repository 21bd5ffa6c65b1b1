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

from typing import Final

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.base import RollWriter, build_pdf, grid_table
from app.documents.complaint_data import AckSlipData
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
from app.domain.complaint_clock import STATUTORY_DAYS
from app.domain.complaint_deadline import due_text
from app.i18n import _, format_date, format_datetime

__all__ = ["AckSlipData", "ack_lines", "layout_roll", "render_ack"]

APPEAL_HOTLINE: Final = "12300"


def _when(data: AckSlipData) -> tuple[str, str]:
    received = format_datetime(data.received_at, data.timezone, fmt="short")
    return received, due_text(data.due_at, data.timezone)


def ack_lines(data: AckSlipData) -> list[tuple[str, str]]:
    """The label/value pairs, in print order."""
    received, due = _when(data)
    rows = [
        (_("Complaint number"), data.number),
        (_("Received at"), received),
        (_("Customer"), data.customer_name),
        (_("Contact phone"), data.contact_phone),
        (_("Channel"), data.channel),
        (_("Category"), data.category + (f" / {data.subcategory}" if data.subcategory else "")),
        (_("Answer due by"), due),
        (_("Answer within"), data.period),
        (_("We will contact you by"), data.contact_way),
        (_("Received by"), data.staff_no),
    ]
    return rows


def appeal_text(data: AckSlipData) -> list[str]:
    _received, due = _when(data)
    lines = [
        _(
            "We will answer your complaint within {period} of receiving it, by {due} at the latest."
        ).format(period=data.period, due=due),
        _(
            "If you have no answer within {days} days of receiving the complaint (by "
            "{statutory}), or are not satisfied with the answer, you may appeal to the "
            "telecommunications user appeal body of the provincial communications "
            "administration, or call the {hotline} hotline."
        ).format(
            days=STATUTORY_DAYS,
            statutory=due_text(data.statutory_due_at, data.timezone),
            hotline=APPEAL_HOTLINE,
        ),
        _("You may appeal until {date}.").format(date=format_date(data.appeal_until, fmt="short")),
    ]
    if not data.calendar_known:
        lines.append(
            _("The deadline is an estimate: the public holidays of that year are not yet known.")
        )
    return lines


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
