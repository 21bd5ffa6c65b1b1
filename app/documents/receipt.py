"""The payment receipt (缴费收据), on 80 mm roll paper or A5.

Both layouts print the same content in the same order: ``ReceiptContent``, built once by
``app.documents.receipt_content.receipt_content`` (the thermal printer's ESC/POS commands
lay out the same object). A reprint carries a 补打 mark with its count; a voided receipt
keeps all its content under a 作废 mark. Labels are translated when the content is built,
so the caller's language applies; data values print as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.documents.base import (
    FONT,
    FONT_BOLD,
    SHADE,
    Overlay,
    QrFlowable,
    RollWriter,
    build_pdf,
    grid_table,
    para,
    paragraph_wrap,
    register_fonts,
    text_width,
)
from app.documents.data import PaidBill, ReceiptData, ReceiptLayout
from app.documents.receipt_content import ReceiptContent, Row, receipt_content
from app.i18n import _

__all__ = [
    "PaidBill",
    "ReceiptData",
    "ReceiptLayout",
    "layout_roll",
    "render_receipt",
]

ROLL_WIDTH: Final = 80 * mm
ROLL_MARGIN: Final = 4 * mm
#: 72 mm printable / 24 full-width characters = 3 mm ≈ 8.5 pt per character.
ROLL_FONT_SIZE: Final = 8.5
ROLL_LEADING: Final = 12.0
QR_SIZE: Final = 25 * mm


# --- 80 mm roll ----------------------------------------------------------------------------


def _void_overlay(word: str) -> Overlay:
    """A large outlined word across the body: thermal paper has no grey, and outlines keep
    the content underneath readable."""

    def paint(c: Canvas, width: float, height: float) -> None:
        # Fit the rotated word inside the width: w·cos35° + h·sin35° ≤ 90 % of the width.
        size = min(0.9 * width / (c.stringWidth(word, FONT_BOLD, 1) * 0.819 + 0.574), height / 4)
        c.saveState()
        c.translate(width / 2, height / 2)
        c.rotate(35)
        text = c.beginText()
        text.setTextRenderMode(1)
        text.setFont(FONT_BOLD, size)
        c.setLineWidth(1.4)
        text.setTextOrigin(-c.stringWidth(word, FONT_BOLD, size) / 2, -size * 0.35)
        text.textLine(word)
        c.drawText(text)
        c.restoreState()

    return paint


def layout_roll(data: ReceiptData) -> RollWriter:
    """Lay out the 80 mm receipt (exposed so tests can check every line's width)."""
    content = receipt_content(data)
    w = RollWriter(ROLL_WIDTH, ROLL_MARGIN, size=ROLL_FONT_SIZE, leading=ROLL_LEADING)
    w.text(content.title, size=11.5, bold=True, align="center")
    w.text(content.subtitle, size=10, bold=True, align="center")
    if content.address:
        w.text(content.address, size=7.5, align="center")
    if content.void:
        w.gap(2)
        w.banner(content.void[0], size=16, inverse=True, sub=content.void[1])
    if content.reprint:
        w.gap(2)
        w.banner(content.reprint[0], size=14, inverse=False, sub=content.reprint[1])
    w.rule()
    for label, value in content.head:
        w.pair(label, value)
    w.rule()
    if content.items:
        w.text(content.bills_heading, bold=True)
        for label, value in content.items:
            w.pair(label, value, indent=ROLL_FONT_SIZE)
        w.rule()
    w.pair(*content.total, size=11, bold=True)
    w.text(content.words_line)
    w.rule()
    for label, value in content.payment:
        w.pair(label, value)
    if content.qr_payload:
        w.rule()
        w.qr(content.qr_payload, QR_SIZE)
        w.text(content.qr_caption, size=7.5, align="center")
    w.rule()
    for line in content.footer:
        w.text(line, align="center")
    if content.void:
        w.overlay(_void_overlay(content.void[0]))
    return w


# --- A5 ------------------------------------------------------------------------------------

A5_MARGIN: Final = 12 * mm
A5_WIDTH: Final = A5[0] - 2 * A5_MARGIN
A5_LABEL: Final = 25 * mm


def _styles() -> dict[str, ParagraphStyle]:
    return _styles_for(paragraph_wrap())


@cache
def _styles_for(wrap: str | None) -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("receipt", fontName=FONT, fontSize=9, leading=12, wordWrap=wrap)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, base, **kw)

    return {
        "body": base,
        "bold": style("bold", fontName=FONT_BOLD),
        "right": style("right", alignment=TA_RIGHT),
        "total": style("total", fontName=FONT_BOLD, fontSize=11, leading=14),
        "total_right": style(
            "total_right", fontName=FONT_BOLD, fontSize=11, leading=14, alignment=TA_RIGHT
        ),
        "small": style("small", fontSize=7.5, leading=10),
        "title": style("title", fontName=FONT_BOLD, fontSize=15, leading=20, alignment=TA_CENTER),
        "subtitle": style(
            "subtitle", fontName=FONT_BOLD, fontSize=12, leading=16, alignment=TA_CENTER
        ),
        "centre_small": style("centre_small", fontSize=7.5, leading=10, alignment=TA_CENTER),
        "mark": style("mark", fontName=FONT_BOLD, fontSize=14, leading=18, alignment=TA_CENTER),
    }


def _p(text: str, style: str = "body", color: str = "") -> Paragraph:
    return para(text, _styles()[style], color=color)


def _pairs(rows: Sequence[Row]) -> Table:
    """Label/value pairs two to a row, in reading order. A pair whose value would wrap in
    half the width, or that is left over, gets a row of its own."""
    value_w = A5_WIDTH / 2 - A5_LABEL
    fits = value_w - 12  # cell padding
    cells: list[list[Any]] = []
    extra: list[Any] = []
    pending: list[Row] = list(rows)
    while pending:
        label, value = pending.pop(0)
        r = len(cells)
        extra.append(("BACKGROUND", (0, r), (0, r), SHADE))
        line: list[Any] = [_p(label, "bold"), _p(value)]
        if pending and text_width(value, 9) <= fits and text_width(pending[0][1], 9) <= fits:
            label, value = pending.pop(0)
            extra.append(("BACKGROUND", (2, r), (2, r), SHADE))
            line += [_p(label, "bold"), _p(value)]
        else:
            line += ["", ""]
            extra.append(("SPAN", (1, r), (3, r)))
        cells.append(line)
    return grid_table(cells, [A5_LABEL, value_w, A5_LABEL, value_w], *extra)


def _marks(content: ReceiptContent) -> Table | None:
    """The void and reprint marks side by side: void white on black, reprint outlined."""
    marks = [(m, inverse) for m, inverse in ((content.void, True), (content.reprint, False)) if m]
    if not marks:
        return None
    cells: list[Any] = []
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for col, (mark, inverse) in enumerate(marks):
        assert mark is not None
        color = "white" if inverse else ""
        cells.append([_p(mark[0], "mark", color), _p(mark[1], "centre_small", color)])
        style.append(("BOX", (col, 0), (col, 0), 1.5, colors.black))
        if inverse:
            style.append(("BACKGROUND", (col, 0), (col, 0), colors.black))
    table = Table([cells], colWidths=[A5_WIDTH / len(marks)] * len(marks))
    table.setStyle(TableStyle(style))
    return table


def _a5_story(content: ReceiptContent) -> list[Flowable]:
    story: list[Flowable] = [_p(content.title, "title"), _p(content.subtitle, "subtitle")]
    if content.address:
        story.append(_p(content.address, "centre_small"))
    marks = _marks(content)
    if marks is not None:
        story += [Spacer(1, 2 * mm), marks]
    story += [Spacer(1, 3 * mm), _pairs(content.head), Spacer(1, 3 * mm)]

    amount_w = 34 * mm
    items: list[list[Any]] = [[_p(content.bills_heading, "bold"), _p(_("Amount"), "bold")]]
    items += [[_p(label), _p(value, "right")] for label, value in content.items]
    items.append([_p(content.total[0], "total"), _p(content.total[1], "total_right")])
    words = content.words_line
    items.append([_p(words, "bold"), ""])
    last = len(items) - 1
    story.append(
        grid_table(
            items,
            [A5_WIDTH - amount_w, amount_w],
            ("SPAN", (0, last), (1, last)),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEABOVE", (0, last - 1), (-1, last - 1), 1.2, colors.black),
        )
    )
    story += [Spacer(1, 3 * mm), _pairs(content.payment), Spacer(1, 4 * mm)]

    footer = [_p(line, "small") for line in content.footer]
    if content.qr_payload:
        qr_block = [QrFlowable(content.qr_payload, QR_SIZE), _p(content.qr_caption, "small")]
        bottom = Table([[qr_block, footer]], colWidths=[QR_SIZE + 10 * mm, None])
        bottom.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (0, 0), 0),
                ]
            )
        )
        story.append(KeepTogether([bottom]))
    else:
        story += footer
    return story


def _a5_page(data: ReceiptData, content: ReceiptContent) -> Any:
    """Per page: the void watermark under the content, and the receipt number and page."""

    def paint(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setFont(FONT, 7)
        c.setFillGray(0.35)
        line = _("Receipt no. {number} · page {page}").format(number=data.receipt_no, page=doc.page)
        c.drawRightString(A5[0] - A5_MARGIN, A5_MARGIN / 2, line)
        if content.void:
            c.setFillGray(0.86)
            c.translate(A5[0] / 2, A5[1] / 2)
            c.rotate(35)
            c.setFont(FONT_BOLD, 110)
            c.drawCentredString(0, -38, content.void[0])
        c.restoreState()

    return paint


def _render_a5(data: ReceiptData, *, invariant: bool) -> bytes:
    content = receipt_content(data)
    return build_pdf(
        lambda: _a5_story(content),
        pagesize=A5,
        margin=A5_MARGIN,
        title=_title(data),
        invariant=invariant,
        page=_a5_page(data, content),
    )


def _title(data: ReceiptData) -> str:
    return _("Payment receipt") + " " + data.receipt_no


def render_receipt(
    data: ReceiptData, layout: ReceiptLayout = ReceiptLayout.ROLL_80, *, invariant: bool = False
) -> bytes:
    """The receipt as PDF bytes; ``invariant=True`` gives byte-identical output per input."""
    if layout is ReceiptLayout.A5:
        return _render_a5(data, invariant=invariant)
    writer = layout_roll(data)
    return writer.render(title=_title(data), invariant=invariant)
