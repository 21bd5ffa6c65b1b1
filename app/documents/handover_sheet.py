"""The shift handover sheet (交接班表 / Z report) and the hall's end-of-day summary, on A4.

The handover sheet prints one revision of a shift's handover: the shift (counter, clerk,
device, business date, opened and closed times), the takings per payment method with their
voids and reversals, the cash reconciliation (float, cash received, change, cash
corrections, cash in and out, expected, counted, difference as 长款/短款, the float handed
over and the deposit), each non-cash method's expected takings against the total counted
from its settlement slip or statement with the difference, the cash movements, the
closing count by note and coin, the pending list as it was handed over, the equipment and
supplies with faults, the notes, and the three signature boxes with names and times. A
revision that is not fully signed prints a DRAFT mark; one that a later revision corrected
prints SUPERSEDED; a correction names the revision it corrects and why.

The data classes hold what the caller decided (already-formatted names, hall-local times
as text are not used: times are aware datetimes printed in ``timezone``). Labels are English
msgids translated at render time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, Final

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from app.documents.base import (
    FONT,
    FONT_BOLD,
    SHADE,
    build_pdf,
    grid_table,
    para,
    paragraph_wrap,
    register_fonts,
)
from app.domain.amount_words import format_figures
from app.i18n import _, format_date, format_datetime, pgettext

MARGIN: Final = 15 * mm
WIDTH: Final = A4[0] - 2 * MARGIN


@dataclass(frozen=True, slots=True)
class MethodLine:
    label: str  # translated method name
    payments: int
    payments_fen: int
    voids: int
    voids_fen: int
    reversals: int
    reversals_fen: int

    @property
    def net_fen(self) -> int:
        return self.payments_fen + self.voids_fen + self.reversals_fen


@dataclass(frozen=True, slots=True)
class MethodCountLine:
    """A non-cash method at the close: its net takings against the total counted from the
    settlement slip or statement (None: not counted, a close from before they were)."""

    label: str  # translated method name
    expected_fen: int
    counted_fen: int | None

    @property
    def difference_fen(self) -> int | None:
        return None if self.counted_fen is None else self.counted_fen - self.expected_fen


@dataclass(frozen=True, slots=True)
class SheetLine:
    """A generic row: a label (translated), a value (data), and an optional third column."""

    label: str
    value: str
    extra: str = ""


@dataclass(frozen=True, slots=True)
class SignatureLine:
    role: str  # translated role
    name: str  # "name (staff no)", "" when not signed
    signed_at: datetime | None


@dataclass(frozen=True, slots=True)
class HandoverSheetData:
    hall_name: str
    timezone: str
    counter: str
    clerk: str
    device_code: str
    business_date: date
    opened_at: datetime
    closed_at: datetime | None
    methods: tuple[MethodLine, ...]
    opening_float_fen: int
    expected_float_fen: int | None
    float_reason: str
    cash_received_fen: int
    change_given_fen: int
    cash_corrections_fen: int
    cash_in_fen: int
    cash_out_fen: int
    expected_cash_fen: int
    counted_cash_fen: int | None
    difference_fen: int | None
    difference_reason: str
    approved_by: str
    float_left_fen: int | None
    blind: bool
    movements: tuple[SheetLine, ...]  # time, kind and reason, amount
    closing_counts: tuple[SheetLine, ...]  # denomination, pieces, amount
    pending: tuple[SheetLine, ...]  # kind, ref and summary, due
    equipment: tuple[SheetLine, ...]  # item, count, fault
    notes: str
    signatures: tuple[SignatureLine, ...]
    revision_no: int
    revision_count: int
    corrects: int | None = None
    correction_reason: str = ""
    locked: bool = False
    superseded: bool = False
    printed_at: datetime | None = None
    method_counts: tuple[MethodCountLine, ...] = ()
    #: Fen written off for customers to take cash in whole jiao (not in the drawer).
    cash_rounding_fen: int = 0
    #: Times the drawer was opened without a sale during the shift.
    no_sale_opens: int = 0


@dataclass(frozen=True, slots=True)
class DayShiftLine:
    counter: str
    clerk: str
    opened_at: datetime
    closed_at: datetime | None
    takings_fen: int
    expected_cash_fen: int
    counted_cash_fen: int | None
    difference_fen: int | None
    handover: str  # translated state


@dataclass(frozen=True, slots=True)
class HallDaySummaryData:
    hall_name: str
    timezone: str
    business_date: date
    shifts: tuple[DayShiftLine, ...]
    methods: tuple[SheetLine, ...]  # method, amount
    takings_fen: int
    difference_fen: int
    opening: tuple[SheetLine, ...]  # check, result
    pending: tuple[SheetLine, ...]
    closed_by: str
    closed_at: datetime | None
    note: str = ""
    extra: tuple[SheetLine, ...] = field(default_factory=tuple)


@cache
def _styles_for(wrap: str | None) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("hb", fontName=FONT, fontSize=9, leading=12.5, wordWrap=wrap)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, body, **kw)

    return {
        "body": body,
        "cell": style("cell", fontSize=8, leading=10.5),
        "bold": style("bold", fontName=FONT_BOLD, fontSize=8, leading=10.5),
        "right": style("right", fontSize=8, leading=10.5, alignment=TA_RIGHT),
        "right_bold": style("rb", fontName=FONT_BOLD, fontSize=8, leading=10.5, alignment=TA_RIGHT),
        "hall": style("hall", fontName=FONT_BOLD, fontSize=11, leading=15, alignment=TA_CENTER),
        "title": style("title", fontName=FONT_BOLD, fontSize=15, leading=20, alignment=TA_CENTER),
        "section": style("section", fontName=FONT_BOLD, fontSize=9.5, leading=13, spaceBefore=4),
        "mark": style("mark", fontName=FONT_BOLD, fontSize=11, leading=15, alignment=TA_CENTER),
        "meta": style("meta", fontSize=8, leading=10.5, alignment=TA_CENTER),
    }


def _p(text: str, style: str = "cell", color: str = "") -> Paragraph:
    return para(text, _styles_for(paragraph_wrap())[style], color=color)


def _heading(first: str, *figures: str) -> list[Any]:
    """A table's heading row: the first column's title, then right-aligned figure titles."""
    return [_p(first, "bold"), *(_p(title, "right_bold") for title in figures)]


def _money(fen: int | None) -> str:
    return "—" if fen is None else format_figures(fen)


def _time(value: datetime | None, tz: str) -> str:
    return format_datetime(value, tz, fmt="short") if value is not None else "—"


def _table(rows: list[list[Any]], widths: list[float], *extra: Any, header: bool = True) -> Table:
    style = [("BACKGROUND", (0, 0), (-1, 0), SHADE)] if header else []
    return grid_table(
        rows, widths, *style, *extra, padding=(1.5, 2.5), repeat_rows=1 if header else 0
    )


def difference_text(fen: int | None) -> str:
    """长款 ¥x / 短款 ¥x / balanced, in the current language."""
    if fen is None:
        return "—"
    if fen > 0:
        return _("Surplus {amount}").format(amount=format_figures(fen))
    if fen < 0:
        return _("Shortage {amount}").format(amount=format_figures(-fen))
    return _("Balanced")


def _pairs(rows: list[tuple[str, str]], columns: int = 2) -> Table:
    """Label/value pairs laid out in ``columns`` pairs per row."""
    cells: list[list[Any]] = []
    for start in range(0, len(rows), columns):
        line: list[Any] = []
        for label, value in rows[start : start + columns]:
            line += [_p(label, "bold"), _p(value)]
        while len(line) < 2 * columns:
            line.append("")
        cells.append(line)
    label_w, value_w = WIDTH * 0.19, WIDTH / columns - WIDTH * 0.19
    return _table(
        cells,
        [label_w, value_w] * columns,
        *[("BACKGROUND", (2 * i, 0), (2 * i, -1), SHADE) for i in range(columns)],
        header=False,
    )


def _mark(data: HandoverSheetData) -> list[Flowable]:
    marks: list[Flowable] = []
    if data.superseded:
        marks.append(
            _p(_("SUPERSEDED by a later revision — kept for the record"), "mark", "#b00020")
        )
    elif not data.locked:
        marks.append(_p(_("DRAFT — not yet signed by all three"), "mark", "#b00020"))
    return marks


def _method_counts(data: HandoverSheetData) -> list[Flowable]:
    """Card and electronic takings: expected against counted, per method."""
    rows: list[list[Any]] = [
        _heading(_("Method"), _("Expected"), pgettext("shift close", "Counted"), _("Difference"))
    ]
    for m in data.method_counts:
        rows.append(
            [
                _p(m.label),
                _p(format_figures(m.expected_fen), "right"),
                _p(_money(m.counted_fen), "right"),
                _p(
                    difference_text(m.difference_fen),
                    "right_bold" if m.difference_fen else "right",
                ),
            ]
        )
    title = _("Card and electronic takings counted (settlement slips and statements)")
    table = _table(rows, [WIDTH * w for w in (0.31, 0.23, 0.23, 0.23)])
    return [KeepTogether([_p(title, "section"), table])]


def _sheet_story(data: HandoverSheetData) -> list[Flowable]:
    tz = data.timezone
    revision = (
        _("Revision {n} of {count}").format(n=data.revision_no, count=data.revision_count)
        if data.revision_no
        else _("Handover not saved yet")
    )
    story: list[Flowable] = [
        _p(data.hall_name, "hall"),
        _p(_("Shift Handover Sheet (Z report)"), "title"),
        _p(revision, "meta"),
        *_mark(data),
    ]
    if data.corrects is not None:
        story.append(
            _p(
                _("Corrects revision {n}: {reason}").format(
                    n=data.corrects, reason=data.correction_reason
                ),
                "meta",
            )
        )
    story.append(Spacer(1, 3 * mm))
    story.append(
        _pairs(
            [
                (_("Counter"), data.counter),
                (_("Clerk"), data.clerk),
                (_("Business date"), format_date(data.business_date, fmt="long")),
                (_("PC"), data.device_code),
                (_("Opened"), _time(data.opened_at, tz)),
                (_("Closed"), _time(data.closed_at, tz)),
            ]
        )
    )

    story.append(_p(_("Takings by payment method"), "section"))
    rows: list[list[Any]] = [
        _heading(_("Method"), _("Payments"), _("Amount"), _("Voids"), _("Reversals"), _("Net"))
    ]
    for m in data.methods:
        rows.append(
            [
                _p(m.label),
                _p(str(m.payments), "right"),
                _p(format_figures(m.payments_fen), "right"),
                _p(f"{m.voids} / {format_figures(m.voids_fen)}", "right"),
                _p(f"{m.reversals} / {format_figures(m.reversals_fen)}", "right"),
                _p(format_figures(m.net_fen), "right_bold"),
            ]
        )
    total = sum(m.net_fen for m in data.methods)
    rows.append([_p(_("Total"), "bold"), "", "", "", "", _p(format_figures(total), "right_bold")])
    story.append(_table(rows, [WIDTH * w for w in (0.2, 0.12, 0.17, 0.17, 0.17, 0.17)]))

    story.append(_p(_("Cash"), "section"))
    float_line = _money(data.opening_float_fen)
    if data.expected_float_fen is not None and data.expected_float_fen != data.opening_float_fen:
        float_line = _("{counted} (handed over {expected}; {reason})").format(
            counted=float_line, expected=_money(data.expected_float_fen), reason=data.float_reason
        )
    cash_rows = [
        (_("Opening float"), float_line),
        (_("Cash received"), _money(data.cash_received_fen)),
        (_("Change given"), _money(data.change_given_fen)),
        (_("Cash voids and reversals"), _money(data.cash_corrections_fen)),
        *(
            [(_("Cash rounded down to the jiao"), _money(data.cash_rounding_fen))]
            if data.cash_rounding_fen
            else []
        ),
        (_("Cash in"), _money(data.cash_in_fen)),
        (_("Cash out"), _money(data.cash_out_fen)),
        (_("Expected cash"), _money(data.expected_cash_fen)),
        (
            _("Counted cash"),
            _money(data.counted_cash_fen) + (" " + _("(blind count)") if data.blind else ""),
        ),
        (_("Difference"), difference_text(data.difference_fen)),
        (_("Float handed over"), _money(data.float_left_fen)),
        (_("Drawer opened without a sale"), str(data.no_sale_opens)),
    ]
    if data.counted_cash_fen is not None and data.float_left_fen is not None:
        cash_rows.append(
            (_("Deposited to the safe"), _money(data.counted_cash_fen - data.float_left_fen))
        )
    if data.difference_reason:
        cash_rows.append((_("Reason for the difference"), data.difference_reason))
    if data.approved_by:
        cash_rows.append((_("Difference approved by"), data.approved_by))
    story.append(_pairs(cash_rows))
    if data.method_counts:
        story += _method_counts(data)

    if data.movements:
        story.append(_p(_("Cash movements"), "section"))
        rows = [[_p(_("Time"), "bold"), _p(_("Movement"), "bold"), _p(_("Amount"), "right_bold")]]
        rows += [[_p(m.label), _p(m.value), _p(m.extra, "right")] for m in data.movements]
        story.append(_table(rows, [WIDTH * 0.2, WIDTH * 0.6, WIDTH * 0.2]))
    if data.closing_counts:
        story.append(_p(_("Closing count by note and coin"), "section"))
        rows = [
            [
                _p(_("Note or coin"), "bold"),
                _p(_("Pieces"), "right_bold"),
                _p(_("Amount"), "right_bold"),
            ]
        ]
        rows += [
            [_p(c.label), _p(c.value, "right"), _p(c.extra, "right")] for c in data.closing_counts
        ]
        story.append(_table(rows, [WIDTH * 0.5, WIDTH * 0.2, WIDTH * 0.3]))

    story.append(_p(_("Pending items handed over"), "section"))
    if data.pending:
        rows = [
            [
                _p(_("Item"), "bold"),
                _p(_("Details"), "bold"),
                _p(pgettext("pending", "Due"), "bold"),
            ]
        ]
        rows += [[_p(i.label), _p(i.value), _p(i.extra)] for i in data.pending]
        story.append(_table(rows, [WIDTH * 0.25, WIDTH * 0.5, WIDTH * 0.25]))
    else:
        story.append(_p(_("Nothing pending."), "body"))

    story.append(_p(_("Equipment and supplies"), "section"))
    if data.equipment:
        rows = [[_p(_("Item"), "bold"), _p(_("Count"), "right_bold"), _p(_("Faults"), "bold")]]
        rows += [[_p(e.label), _p(e.value, "right"), _p(e.extra or "—")] for e in data.equipment]
        story.append(_table(rows, [WIDTH * 0.35, WIDTH * 0.15, WIDTH * 0.5]))
    else:
        story.append(_p(_("None listed."), "body"))

    story.append(_p(_("Notes"), "section"))
    story.append(_p(data.notes or "—", "body"))

    sig_rows: list[list[Any]] = [
        [_p(_("Signed as"), "bold"), _p(_("Name"), "bold"), _p(_("Signed at"), "bold")]
    ]
    for s in data.signatures:
        sig_rows.append([_p(s.role), _p(s.name or _("(not signed)")), _p(_time(s.signed_at, tz))])
    story.append(
        KeepTogether(
            [
                _p(_("Signatures"), "section"),
                _table(
                    sig_rows,
                    [WIDTH * 0.25, WIDTH * 0.45, WIDTH * 0.3],
                    ("TOPPADDING", (0, 1), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
                ),
            ]
        )
    )
    return story


def _footer(hall_name: str, tz: str, printed_at: datetime | None, label: str) -> Any:
    def paint(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setFont(FONT, 7.5)
        c.setFillGray(0.35)
        c.setStrokeGray(0.6)
        c.setLineWidth(0.4)
        y = MARGIN - 5 * mm
        c.line(MARGIN, y + 3 * mm, A4[0] - MARGIN, y + 3 * mm)
        left = f"{hall_name}  {label}"
        if printed_at is not None:
            left += "  " + _("Printed {time}").format(time=_time(printed_at, tz))
        c.drawString(MARGIN, y, left)
        c.drawRightString(A4[0] - MARGIN, y, _("Page {page}").format(page=doc.page))
        c.restoreState()

    return paint


def _build(
    make_story: Callable[[], list[Flowable]], title: str, footer: Any, invariant: bool
) -> bytes:
    return build_pdf(
        make_story,
        pagesize=A4,
        margin=MARGIN,
        title=title,
        invariant=invariant,
        page=footer,
        bottom_margin=MARGIN + 2 * mm,
    )


def render_handover_sheet(data: HandoverSheetData, *, invariant: bool = False) -> bytes:
    """The handover sheet as A4 PDF bytes."""
    register_fonts()
    label = _("{counter} revision {n}").format(counter=data.counter, n=data.revision_no)
    return _build(
        lambda: _sheet_story(data),
        _("Shift Handover Sheet (Z report)") + " " + label,
        _footer(data.hall_name, data.timezone, data.printed_at, label),
        invariant,
    )


def _day_story(data: HallDaySummaryData) -> list[Flowable]:
    tz = data.timezone
    story: list[Flowable] = [
        _p(data.hall_name, "hall"),
        _p(_("Hall Day Summary"), "title"),
        _p(format_date(data.business_date, fmt="long"), "meta"),
    ]
    if data.closed_at is None:
        story.append(_p(_("DRAFT — the day is not closed yet"), "mark", "#b00020"))
    story.append(_p(_("Opening checks"), "section"))
    if data.opening:
        checks: list[list[Any]] = [[_p(o.label, "bold"), _p(o.value)] for o in data.opening]
        story.append(
            _table(
                checks,
                [WIDTH * 0.3, WIDTH * 0.7],
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                header=False,
            )
        )
    else:
        story.append(_p(_("No opening checks recorded."), "body"))
    story.append(_p(_("Shifts"), "section"))
    rows: list[list[Any]] = [
        [
            _p(_("Counter"), "bold"),
            _p(_("Clerk"), "bold"),
            _p(_("Opened"), "bold"),
            _p(_("Closed"), "bold"),
            _p(_("Takings"), "right_bold"),
            _p(_("Expected cash"), "right_bold"),
            _p(_("Counted cash"), "right_bold"),
            _p(_("Difference"), "right_bold"),
            _p(_("Handover"), "bold"),
        ]
    ]
    for s in data.shifts:
        rows.append(
            [
                _p(s.counter),
                _p(s.clerk),
                _p(_time(s.opened_at, tz)),
                _p(_time(s.closed_at, tz) if s.closed_at else _("open")),
                _p(format_figures(s.takings_fen), "right"),
                _p(format_figures(s.expected_cash_fen), "right"),
                _p(_money(s.counted_cash_fen), "right"),
                _p(difference_text(s.difference_fen), "right"),
                _p(s.handover),
            ]
        )
    widths = [0.08, 0.14, 0.12, 0.12, 0.1, 0.1, 0.1, 0.11, 0.13]
    story.append(_table(rows, [WIDTH * w for w in widths]))
    story.append(_p(_("Totals"), "section"))
    totals = [[_p(m.label, "bold"), _p(m.value, "right")] for m in data.methods]
    totals.append(
        [_p(_("Total takings"), "bold"), _p(format_figures(data.takings_fen), "right_bold")]
    )
    totals.append(
        [
            _p(_("Total difference (cash, card and e-payment)"), "bold"),
            _p(difference_text(data.difference_fen), "right_bold"),
        ]
    )
    story.append(
        _table(
            totals, [WIDTH * 0.4, WIDTH * 0.3], ("BACKGROUND", (0, 0), (0, -1), SHADE), header=False
        )
    )
    story.append(_p(_("Pending in the hall"), "section"))
    if data.pending:
        rows = [
            [
                _p(_("Item"), "bold"),
                _p(_("Details"), "bold"),
                _p(pgettext("pending", "Due"), "bold"),
            ]
        ]
        rows += [[_p(i.label), _p(i.value), _p(i.extra)] for i in data.pending]
        story.append(_table(rows, [WIDTH * 0.25, WIDTH * 0.5, WIDTH * 0.25]))
    else:
        story.append(_p(_("Nothing pending."), "body"))
    if data.note:
        story += [_p(_("Notes"), "section"), _p(data.note, "body")]
    closed = (
        _("Closed by {name} at {time}").format(name=data.closed_by, time=_time(data.closed_at, tz))
        if data.closed_at
        else _("Not closed")
    )
    story += [Spacer(1, 4 * mm), _p(closed, "body")]
    return story


def render_hall_day_summary(data: HallDaySummaryData, *, invariant: bool = False) -> bytes:
    """The end-of-day summary as A4 PDF bytes."""
    register_fonts()
    label = data.business_date.isoformat()
    return _build(
        lambda: _day_story(data),
        _("Hall Day Summary") + " " + label,
        _footer(data.hall_name, data.timezone, None, label),
        invariant,
    )
