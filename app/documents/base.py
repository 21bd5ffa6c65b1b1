"""What every printed document shares: the embedded CJK font, text wrapping, QR codes, the
canvas/template set-up with its invariant mode, and a layout writer for roll paper.

Every document embeds the bundled Noto Sans SC (TrueType outlines, subset by reportlab), so a
PDF prints the same on any machine and viewer. ``invariant=True`` makes the output
byte-identical from run to run (reportlab's invariant mode: fixed creation date 2000-01-01,
fixed document id, no per-run data); golden-file tests rely on it. A ``SOURCE_DATE_EPOCH``
in the environment also fixes the date (to that value), so golden tests unset it.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from app import i18n, paths

FONT: Final = "NotoSansSC"
FONT_BOLD: Final = "NotoSansSC-Bold"
CREATOR: Final = "HallDesk"
#: Width a font line may exceed its box by, for floating-point noise only.
EPSILON: Final = 0.01

_font_lock = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register the bundled regular and bold faces once per process (thread-safe, cached).

    Loading the two TrueType files takes ~0.2 s, so it happens on the first document only.
    """
    global _fonts_ready
    if _fonts_ready:
        return
    with _font_lock:
        if _fonts_ready:
            return
        registered = set(pdfmetrics.getRegisteredFontNames())
        if FONT not in registered:
            pdfmetrics.registerFont(TTFont(FONT, str(paths.font_path())))
        if FONT_BOLD not in registered:
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(paths.font_path(bold=True))))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )
        _fonts_ready = True


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    return float(pdfmetrics.stringWidth(text, FONT_BOLD if bold else FONT, size))


# --- wrapping ------------------------------------------------------------------------------

#: No line starts with these (they stay with the character before them).
_NO_LINE_START: Final = frozenset("，。、；：？！）》」』】〕”’…·％%,.;:?!)]}")
#: No line ends with these (they go to the next line with the character after them).
_NO_LINE_END: Final = frozenset("（《「『【〔“‘([{¥￥")


def _breaks_anywhere(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _tokens(text: str) -> list[str]:
    """Split into unbreakable pieces: one CJK character, one latin word, or a run of spaces."""
    tokens: list[str] = []
    for ch in text:
        last = tokens[-1] if tokens else ""
        if ch.isspace():
            if last and last[-1].isspace():
                tokens[-1] += ch
            else:
                tokens.append(ch)
        elif last and (
            (ch in _NO_LINE_START and not last[-1].isspace())
            or last[-1] in _NO_LINE_END
            or not (_breaks_anywhere(ch) or last[-1].isspace() or _breaks_anywhere(last[-1]))
        ):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def _split_long(token: str, width: float, size: float, bold: bool) -> list[str]:
    pieces: list[str] = []
    current = ""
    for ch in token:
        if current and text_width(current + ch, size, bold=bold) > width + EPSILON:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap_text(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points.

    CJK text breaks between any two characters; latin text breaks at spaces (a word wider
    than the line is cut). Closing punctuation never starts a line, opening punctuation never
    ends one. ``\\n`` forces a break. An empty text gives one empty line.
    """
    register_fonts()
    lines: list[str] = []
    space_w = text_width(" ", size, bold=bold)
    for paragraph in text.split("\n"):
        line, line_w, pending = "", 0.0, ""
        for token in _tokens(paragraph):
            if token.isspace():
                pending = " " if line else ""
                continue
            token_w = text_width(token, size, bold=bold)
            gap_w = space_w if pending else 0.0
            if line and line_w + gap_w + token_w <= width + EPSILON:
                line, line_w = line + pending + token, line_w + gap_w + token_w
            else:
                if line:
                    lines.append(line)
                pieces = (
                    _split_long(token, width, size, bold) if token_w > width + EPSILON else [token]
                )
                lines.extend(pieces[:-1])
                line = pieces[-1]
                line_w = text_width(line, size, bold=bold)
            pending = ""
        lines.append(line)
    return lines


# --- QR codes ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def qr_modules(payload: str, level: str = "M") -> tuple[tuple[bool, ...], ...]:
    """The QR symbol's dark modules, row by row from the top (encoded by reportlab's
    ``QrCodeWidget``). Cached: a preview and the print that follows render the same code."""
    widget = QrCodeWidget(payload, barLevel=level, barBorder=0)
    widget.qr.make()
    return tuple(tuple(bool(dark) for dark in row) for row in widget.qr.modules)


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for ``payload`` as a ``size`` square with its lower-left corner at
    (x, y), without quiet zone (leave at least 4 modules of white around it).

    The modules go into one filled path, one rectangle per horizontal run. Rendering the
    widget through a ``Drawing`` builds a validated shape per run and costs about three times
    as much (50 ms against 18 ms per receipt), which alone would break the 50 ms budget.
    """
    modules = qr_modules(payload)
    box = size / len(modules)
    path = canvas.beginPath()
    for r, row in enumerate(modules):
        bottom = y + size - (r + 1) * box
        col = 0
        for dark, run in groupby(row):
            length = len(list(run))
            if dark:
                path.rect(x + col * box, bottom, length * box, box)
            col += length
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QrFlowable(Flowable):  # type: ignore[misc]
    """A QR code as a platypus flowable, ``size`` points square."""

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        self.payload = payload
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.payload, 0, 0, self.size)


# --- canvas and templates ------------------------------------------------------------------


def paragraph_wrap() -> str | None:
    """Platypus ``wordWrap`` for the current language: Chinese breaks between any two
    characters (with its punctuation rules); other languages break at spaces only."""
    return "CJK" if i18n.current_language().startswith("zh") else None


def _common_kwargs(invariant: bool) -> dict[str, Any]:
    return {
        "invariant": 1 if invariant else 0,
        "pageCompression": 1,
        # Without this the page resources name Helvetica, which is never embedded.
        "initialFontName": FONT,
        "initialFontSize": 9,
        "lang": i18n.current_language().replace("_", "-"),
    }


def new_canvas(
    buffer: io.BytesIO, pagesize: tuple[float, float], *, title: str, invariant: bool
) -> Canvas:
    """A canvas with the fonts registered, metadata set and invariant mode as asked."""
    register_fonts()
    canvas = Canvas(buffer, pagesize=pagesize, **_common_kwargs(invariant))
    canvas.setTitle(title)
    canvas.setAuthor(CREATOR)
    canvas.setCreator(CREATOR)
    return canvas


def doc_template_kwargs(*, title: str, invariant: bool) -> dict[str, Any]:
    """Keyword arguments giving a platypus template the same metadata and invariant mode."""
    register_fonts()
    return {"title": title, "author": CREATOR, "creator": CREATOR, **_common_kwargs(invariant)}


def build_pdf(
    make_story: Callable[[], list[Any]],
    *,
    pagesize: tuple[float, float],
    margin: float,
    title: str,
    invariant: bool,
    page: Callable[[Canvas, Any], None] | None = None,
    bottom_margin: float | None = None,
) -> bytes:
    """Lay the story out on pages of ``pagesize`` with equal margins (the bottom one may
    differ, for a footer) and return the PDF; ``page`` paints each page's header/footer.

    ``make_story`` is called once the fonts are registered (styles name them)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin if bottom_margin is None else bottom_margin,
        **doc_template_kwargs(title=title, invariant=invariant),
    )
    story = make_story()
    if page is None:
        doc.build(story)
    else:
        doc.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()


# --- platypus helpers ----------------------------------------------------------------------

GRID: Final = colors.Color(0.55, 0.55, 0.55)
SHADE: Final = colors.Color(0.92, 0.92, 0.92)


def para(text: str, style: ParagraphStyle, *, color: str = "") -> Paragraph:
    """A paragraph of plain text (escaped, so data can never inject markup)."""
    markup = escape(text)
    if color:
        markup = f'<font color="{color}">{markup}</font>'
    return Paragraph(markup, style)


def grid_table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *extra: Any,
    padding: tuple[float, float] = (2, 3),
    repeat_rows: int = 0,
) -> Table:
    """A ruled table in the document font; ``extra`` adds TableStyle commands."""
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=repeat_rows)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), padding[0]),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding[1]),
                *extra,
            ]
        )
    )
    return table


# --- roll paper ----------------------------------------------------------------------------


class LayoutOverflow(RuntimeError):
    """A line of text would cross the printable area: a layout bug, never printed."""


@dataclass(frozen=True, slots=True)
class TextSpan:
    """One drawn line of text: left edge, width and baseline from the top of the page."""

    text: str
    x: float
    width: float
    top: float


_Op = Callable[[Canvas, float], None]
Overlay = Callable[[Canvas, float, float], None]


class RollWriter:
    """Lays out a document top to bottom on roll paper, then paints it on a page whose
    height is exactly the content's (no blank tail).

    Layout runs once and records drawing operations with their offset from the top; the
    page height is known only at the end, so painting replays them. Every line of text is
    checked against the printable width when it is laid out (``LayoutOverflow``), and kept in
    ``spans`` for tests.
    """

    def __init__(self, width: float, margin: float, *, size: float, leading: float) -> None:
        register_fonts()
        self.width = width
        self.margin = margin
        self.size = size
        self.leading = leading
        self.spans: list[TextSpan] = []
        self._ops: list[_Op] = []
        self._overlays: list[Overlay] = []
        self.y = margin  # offset of the next line from the top edge

    @property
    def inner(self) -> float:
        return self.width - 2 * self.margin

    def _line(
        self, text: str, x: float, size: float, bold: bool, baseline: float, *, white: bool = False
    ) -> None:
        w = text_width(text, size, bold=bold)
        if x < self.margin - EPSILON or x + w > self.width - self.margin + EPSILON:
            raise LayoutOverflow(f"{text!r} crosses the printable width ({x:.1f}+{w:.1f})")
        self.spans.append(TextSpan(text, x, w, baseline))
        font = FONT_BOLD if bold else FONT

        def op(c: Canvas, h: float) -> None:
            c.setFillGray(1 if white else 0)
            c.setFont(font, size)
            c.drawString(x, h - baseline, text)

        self._ops.append(op)

    def _x(self, text_w: float, align: str) -> float:
        if align == "center":
            return self.margin + (self.inner - text_w) / 2
        if align == "right":
            return self.width - self.margin - text_w
        return self.margin

    def text(
        self,
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        align: str = "left",
        indent: float = 0.0,
    ) -> None:
        """Wrapped text, each line aligned; ``indent`` shifts left-aligned lines."""
        size = size or self.size
        leading = self.leading * size / self.size
        for line in wrap_text(text, self.inner - indent, size, bold=bold):
            x = self._x(text_width(line, size, bold=bold), align) + (
                indent if align == "left" else 0
            )
            self._line(line, x, size, bold, self.y + (leading - size) / 2 + 0.88 * size)
            self.y += leading

    def pair(
        self,
        label: str,
        value: str,
        *,
        size: float | None = None,
        bold: bool = False,
        indent: float = 0.0,
    ) -> None:
        """Label on the left and value flush right; a value that does not fit goes below."""
        size = size or self.size
        leading = self.leading * size / self.size
        label_w = text_width(label, size, bold=bold)
        value_w = text_width(value, size, bold=bold)
        if indent + label_w + size + value_w <= self.inner + EPSILON:
            baseline = self.y + (leading - size) / 2 + 0.88 * size
            self._line(label, self.margin + indent, size, bold, baseline)
            self._line(value, self.width - self.margin - value_w, size, bold, baseline)
            self.y += leading
            return
        self.text(label, size=size, bold=bold, indent=indent)
        self.text(value, size=size, bold=bold, align="right")

    def gap(self, height: float) -> None:
        self.y += height

    def rule(self, *, dashed: bool = True) -> None:
        """A horizontal rule across the printable width, with half a line above and below."""
        self.y += self.leading / 3
        y = self.y
        left, right = self.margin, self.width - self.margin

        def op(c: Canvas, h: float) -> None:
            c.saveState()
            c.setLineWidth(0.6)
            if dashed:
                c.setDash(2, 1.5)
            c.line(left, h - y, right, h - y)
            c.restoreState()

        self._ops.append(op)
        self.y += self.leading / 3

    def qr(self, payload: str, size: float) -> None:
        """A centred QR code with a quiet zone of about 3 mm above and below."""
        self.y += 3 * mm
        top = self.y
        x = self.margin + (self.inner - size) / 2
        self._ops.append(lambda c, h: draw_qr(c, payload, x, h - top - size, size))
        self.y += size + 3 * mm

    def banner(self, text: str, *, size: float, inverse: bool, sub: str = "") -> None:
        """A boxed mark across the width: white on black (``inverse``) or outlined."""
        pad = 2.0
        lines = [
            (line, size, size * 1.45)
            for line in wrap_text(text, self.inner - 2 * pad, size, bold=True)
        ]
        if sub:
            lines += [
                (line, self.size, self.size * 1.35)
                for line in wrap_text(sub, self.inner - 2 * pad, self.size, bold=True)
            ]
        height = sum(leading for _, _, leading in lines) + pad
        top = self.y + 1
        left, w = self.margin, self.inner

        def box(c: Canvas, h: float) -> None:
            c.saveState()
            c.setLineWidth(1.2)
            c.rect(left, h - top - height, w, height, stroke=1, fill=1 if inverse else 0)
            c.restoreState()

        self._ops.append(box)
        y = top
        for line, line_size, leading in lines:
            x = self._x(text_width(line, line_size, bold=True), "center")
            baseline = y + (leading - line_size) / 2 + 0.88 * line_size
            self._line(line, x, line_size, True, baseline, white=inverse)
            y += leading
        self.y = top + height + 2

    def overlay(self, paint: Overlay) -> None:
        """Something painted over the finished page, given the page width and height."""
        self._overlays.append(paint)

    def render(self, *, title: str, invariant: bool) -> bytes:
        height = self.y + self.margin
        buffer = io.BytesIO()
        canvas = new_canvas(buffer, (self.width, height), title=title, invariant=invariant)
        for op in self._ops:
            op(canvas, height)
        for paint in self._overlays:
            paint(canvas, self.width, height)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()
