"""A leader's report (``ReportBook``) printed on A4: the hall, the title and the period,
the headline figures, every table, the notes. An internal sheet: it prints in the
language of the screen. Wide tables turn the page to landscape.

Every figure is ``cell_text`` of the book's cell, the very text the screen shows, so the
paper, the screen and the workbook (which stores the same cells as numbers) agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
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
    register_fonts,
    text_width,
)
from app.documents.report_tables import ReportBook, ReportTable, cell_text, is_figure
from app.i18n import _, format_datetime

MARGIN: Final = 14 * mm
CELL_SIZE: Final = 8.0
#: A table with more columns than this prints on a landscape page.
PORTRAIT_COLUMNS: Final = 7
_PAD: Final = 7.0  # cell padding left and right, points


@cache
def _styles_for(wrap: str | None) -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("book", fontName=FONT, fontSize=9, leading=12.5, wordWrap=wrap)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, body, **kw)

    cell = {"fontSize": CELL_SIZE, "leading": CELL_SIZE + 2.5}
    return {
        "body": body,
        "cell": style("cell", **cell),
        "cell_right": style("cell_right", alignment=TA_RIGHT, **cell),
        "cell_bold": style("cell_bold", fontName=FONT_BOLD, **cell),
        "cell_bold_right": style("cell_bold_right", fontName=FONT_BOLD, alignment=TA_RIGHT, **cell),
        "hall": style("hall", fontName=FONT_BOLD, fontSize=11, leading=15, alignment=TA_CENTER),
        "title": style("title", fontName=FONT_BOLD, fontSize=16, leading=22, alignment=TA_CENTER),
        "meta": style("meta", fontSize=8.5, leading=12, alignment=TA_CENTER),
        "section": style("section", fontName=FONT_BOLD, fontSize=10, leading=14, spaceBefore=6),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return para(text, _styles_for(paragraph_wrap())[style])


def _widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: float, *, bold_last: bool
) -> list[float]:
    """Columns as wide as their widest text (the header and a total row in bold), shrunk
    together to the page when too wide."""
    natural = []
    last = len(rows) - 1
    for index, title in enumerate(headers):
        widest = text_width(title, CELL_SIZE, bold=True)
        for r, row in enumerate(rows):
            widest = max(widest, text_width(row[index], CELL_SIZE, bold=bold_last and r == last))
        natural.append(widest + 2 * _PAD)
    total = sum(natural)
    if total <= width:
        return natural
    return [w * width / total for w in natural]


def _table(table: ReportTable, width: float) -> list[Flowable]:
    texts = [[cell_text(c) for c in row] for row in table.all_rows()]
    figures = [
        any(is_figure(row[i]) for row in table.all_rows()) for i in range(len(table.headers))
    ]
    header = [
        _p(title, "cell_bold_right" if figures[i] else "cell_bold")
        for i, title in enumerate(table.headers)
    ]
    body: list[list[Any]] = [header]
    total_row = len(table.rows) + 1 if table.total is not None else None
    for r, row in enumerate(texts, start=1):
        bold = r == total_row
        body.append(
            [
                _p(
                    text,
                    ("cell_bold" if bold else "cell") + ("_right" if figures[i] else ""),
                )
                for i, text in enumerate(row)
            ]
        )
    if not table.rows and table.total is None:
        body.append([_p(_("None"), "cell"), *(_p("", "cell") for _h in table.headers[1:])])
    extra: list[Any] = [("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if total_row is not None:
        extra.append(("BACKGROUND", (0, total_row), (-1, total_row), SHADE))
    grid = grid_table(
        body,
        _widths(table.headers, texts, width, bold_last=table.total is not None),
        *extra,
        padding=(1.5, 2.5),
        repeat_rows=1,
    )
    grid.hAlign = "LEFT"
    return [KeepTogether([_p(table.title, "section"), Spacer(1, 1.5 * mm), grid])]


def _page_of(book: ReportBook) -> tuple[float, float]:
    wide = any(len(t.headers) > PORTRAIT_COLUMNS for t in book.tables)
    page: tuple[float, float] = landscape(A4) if wide else A4
    return page


def _footer(book: ReportBook, pagesize: tuple[float, float]) -> Any:
    def paint(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setFont(FONT, 7.5)
        c.setFillGray(0.35)
        y = MARGIN - 6 * mm
        c.drawString(MARGIN, y, f"{book.hall_name}  {book.title}  {book.start} – {book.end}")
        c.drawRightString(pagesize[0] - MARGIN, y, _("Page {page}").format(page=doc.page))
        c.restoreState()

    return paint


def render_book(book: ReportBook, *, invariant: bool = False) -> bytes:
    """The report as PDF bytes; ``invariant=True`` gives the same bytes for the same book."""
    pagesize = _page_of(book)
    width = pagesize[0] - 2 * MARGIN

    def story() -> list[Flowable]:
        made = format_datetime(book.generated_at, book.timezone, fmt="short")
        parts: list[Flowable] = [
            _p(book.hall_name, "hall"),
            _p(book.title, "title"),
            _p(
                _("Period {start} to {end}, made {generated}").format(
                    start=book.start.isoformat(), end=book.end.isoformat(), generated=made
                ),
                "meta",
            ),
            Spacer(1, 4 * mm),
        ]
        if book.headline:
            texts = [(label, cell_text(value)) for label, value in book.headline]
            rows = [
                [_p(label, "cell_bold"), _p(text, "cell_right" if is_figure(v) else "cell")]
                for (label, text), (_label, v) in zip(texts, book.headline, strict=True)
            ]
            label_w = max(text_width(label, CELL_SIZE, bold=True) for label, _t in texts)
            value_w = max(text_width(text, CELL_SIZE) for _l, text in texts)
            pairs = grid_table(
                rows,
                [
                    min(label_w + 2 * _PAD, width * 0.5),
                    min(max(value_w, 60) + 2 * _PAD, width * 0.4),
                ],
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                padding=(1.5, 2.5),
            )
            pairs.hAlign = "LEFT"
            parts.append(pairs)
        for table in book.tables:
            parts += _table(table, width)
        if book.notes:
            parts.append(_p(_("Notes"), "section"))
            parts += [_p(note) for note in book.notes]
        return parts

    return build_pdf(
        story,
        pagesize=pagesize,
        margin=MARGIN,
        title=f"{book.title} {book.start}–{book.end}",
        invariant=invariant,
        page=_footer(book, pagesize),
        bottom_margin=MARGIN + 2 * mm,
    )
