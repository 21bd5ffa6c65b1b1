"""The arrears notice (催缴通知书): a formal, polite A4 letter asking a customer to pay.

It lists the services of the account (masked numbers), the unpaid bills with their due
dates, the penalty and the total due in figures and in uppercase, the pay-by date, how to
pay, the step that follows if nothing is paid (text chosen by the hall's ladder policy),
and the customer's rights: a dispute can be raised (answered within 15 days, then appeal
to 12300), and service is restored within 24 hours after full payment. Labels and prose are
English msgids translated at render time.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, Final

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
)

from app.documents.base import (
    FONT,
    FONT_BOLD,
    SHADE,
    build_pdf,
    grid_table,
    para,
    paragraph_wrap,
)
from app.documents.data import ArrearsNoticeData, OutstandingBill
from app.domain.amount_words import format_figures, rmb_receipt_line
from app.domain.identity import mask_name
from app.i18n import _, format_date, pgettext

__all__ = ["ArrearsNoticeData", "OutstandingBill", "render_arrears_notice"]

MARGIN: Final = 20 * mm
WIDTH: Final = A4[0] - 2 * MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    return _styles_for(paragraph_wrap())


@cache
def _styles_for(wrap: str | None) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "notice", fontName=FONT, fontSize=10.5, leading=16, wordWrap=wrap, spaceAfter=4
    )

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, body, **kw)

    return {
        "body": style("body", firstLineIndent=21 if wrap == "CJK" else 0),
        "plain": body,
        "cell": style("cell", fontSize=10, leading=14, spaceAfter=0),
        "cell_bold": style("cell_bold", fontName=FONT_BOLD, fontSize=10, leading=14, spaceAfter=0),
        "cell_right": style(
            "cell_right", fontSize=10, leading=14, spaceAfter=0, alignment=TA_RIGHT
        ),
        "total_right": style(
            "total_right",
            fontName=FONT_BOLD,
            fontSize=10,
            leading=14,
            spaceAfter=0,
            alignment=TA_RIGHT,
        ),
        "hall": style("hall", fontName=FONT_BOLD, fontSize=12, leading=16, alignment=TA_CENTER),
        "title": style("title", fontName=FONT_BOLD, fontSize=20, leading=28, alignment=TA_CENTER),
        "meta": style("meta", fontSize=9, leading=12, alignment=TA_RIGHT, spaceAfter=0),
        "sign": style("sign", alignment=TA_RIGHT, spaceAfter=0),
        "small": style("small", fontSize=8.5, leading=12, textColor=colors.Color(0.3, 0.3, 0.3)),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return para(text, _styles()[style])


def _long(value: date) -> str:
    return format_date(value, fmt="long")


def _table(rows: list[list[Any]], widths: list[float], *extra: Any) -> Table:
    return grid_table(
        rows,
        widths,
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        *extra,
        padding=(3, 4),
        repeat_rows=1,
    )


def _bills_table(data: ArrearsNoticeData) -> Table:
    rows: list[list[Any]] = [
        [
            _p(_("Billing period"), "cell_bold"),
            _p(_("Due date"), "cell_bold"),
            _p(_("Amount"), "cell_bold"),
        ]
    ]
    for bill in data.bills:
        rows.append(
            [
                _p(bill.period, "cell"),
                _p(_long(bill.due_date), "cell"),
                _p(format_figures(bill.amount_fen), "cell_right"),
            ]
        )
    rows.append(
        [_p(_("Unpaid charges"), "cell"), "", _p(format_figures(data.total_owed_fen), "cell_right")]
    )
    rows.append(
        [
            _p(_("Late-payment penalty"), "cell"),
            "",
            _p(format_figures(data.penalty_fen), "cell_right"),
        ]
    )
    rows.append(
        [_p(_("Total due"), "cell_bold"), "", _p(format_figures(data.total_due_fen), "total_right")]
    )
    words = _("{label}: {value}").format(
        label=_("In words"), value=rmb_receipt_line(data.total_due_fen)
    )
    rows.append([_p(words, "cell_bold"), "", ""])
    n = len(rows)
    spans = [("SPAN", (0, r), (1, r)) for r in range(n - 4, n - 1)]
    return _table(
        rows,
        [WIDTH * 0.4, WIDTH * 0.35, WIDTH * 0.25],
        *spans,
        ("SPAN", (0, n - 1), (2, n - 1)),
        ("LINEABOVE", (0, n - 4), (-1, n - 4), 1.0, colors.black),
    )


def _story(data: ArrearsNoticeData) -> list[Flowable]:
    name = mask_name(data.customer_name, organisation=data.organisation)
    deadline = _long(data.pay_by)
    total = format_figures(data.total_due_fen)
    story: list[Flowable] = [
        _p(data.hall_name, "hall"),
        _p(_("Payment Reminder Notice"), "title"),
    ]
    if data.notice_no:
        story.append(_p(_("Notice no. {number}").format(number=data.notice_no), "meta"))
    story.append(_p(_("Issued on {date}").format(date=_long(data.issue_date)), "meta"))
    story.append(Spacer(1, 5 * mm))
    story.append(_p(_("Dear {name},").format(name=name), "plain"))
    story.append(
        _p(
            _(
                "Thank you for using our services. According to our records, the following "
                "charges on account {account} are still unpaid. The total due, including the "
                "late-payment penalty, is {total}."
            ).format(account=data.account_no, total=total)
        )
    )
    services = pgettext("list separator", ", ").join(data.services)
    story.append(
        _table(
            [
                [_p(_("Account no."), "cell_bold"), _p(data.account_no, "cell")],
                [_p(_("Services"), "cell_bold"), _p(services or "-", "cell")],
            ],
            [WIDTH * 0.25, WIDTH * 0.75],
            ("BACKGROUND", (0, 0), (-1, -1), colors.white),
            ("BACKGROUND", (0, 0), (0, -1), SHADE),
        )
    )
    story += [Spacer(1, 3 * mm), _bills_table(data), Spacer(1, 5 * mm)]
    paragraphs = [
        _("Please pay the total due of {total} in full by {deadline}.").format(
            total=total, deadline=deadline
        ),
        _(
            "You can pay at the counter of any of our business halls, through our official "
            "app and online channels, or by calling the service hotline {hotline}. Please "
            "quote your account number when you pay."
        ).format(hotline=data.hotline),
        _(
            "If the charges are still unpaid after {deadline}, the following step will be "
            "taken in line with your service agreement: {step}"
        ).format(deadline=deadline, step=data.next_step),
        _(
            "If you disagree with any charge, you may raise a dispute at any of our business "
            "halls or through the service hotline {hotline}; we will reply within 15 days. If "
            "you are not satisfied with the reply, or receive none within 15 days, you may "
            "appeal to the telecommunications user appeal centre (12300)."
        ).format(hotline=data.hotline),
        _(
            "Any service restricted or suspended for non-payment is restored within 24 hours "
            "after the total due has been paid in full."
        ),
        _(
            "If you have already paid, please disregard this notice. Thank you for your "
            "understanding and support."
        ),
    ]
    story += [_p(text) for text in paragraphs[:-1]]
    # The signature never stands alone on a page: it keeps the closing paragraph with it.
    story.append(
        KeepTogether(
            [
                _p(paragraphs[-1]),
                Spacer(1, 6 * mm),
                _p(data.hall_name, "sign"),
                _p(_long(data.issue_date), "sign"),
                _p(_("(Seal)"), "sign"),
            ]
        )
    )
    return story


def _page(data: ArrearsNoticeData) -> Any:
    def paint(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setFont(FONT, 8)
        c.setFillGray(0.35)
        c.setLineWidth(0.4)
        c.setStrokeGray(0.6)
        c.line(MARGIN, MARGIN - 4 * mm, A4[0] - MARGIN, MARGIN - 4 * mm)
        left = data.hall_address
        if data.hotline:
            left = _("{address}  Service hotline: {hotline}").format(
                address=data.hall_address, hotline=data.hotline
            )
        c.drawString(MARGIN, MARGIN - 8 * mm, left)
        c.drawRightString(A4[0] - MARGIN, MARGIN - 8 * mm, _("Page {page}").format(page=doc.page))
        c.restoreState()

    return paint


def render_arrears_notice(data: ArrearsNoticeData, *, invariant: bool = False) -> bytes:
    """The notice as A4 PDF bytes; ``invariant=True`` gives byte-identical output per input."""
    return build_pdf(
        lambda: _story(data),
        pagesize=A4,
        margin=MARGIN,
        title=_("Payment Reminder Notice") + " " + data.account_no,
        invariant=invariant,
        page=_page(data),
    )
