"""A leader's report as typed tables: what the screen, the printed PDF and the Excel
workbook all show (reportlab-free and openpyxl-free, so screens import it at no cost).

Each report's figures are computed once by its service into one data object; a ``*_book``
function turns that object into a ``ReportBook`` (headline figures, tables, charts, notes,
every label translated at that moment). The screen shows the book's tables, the PDF
(``app.documents.report_pdf``) prints them and the workbook (``app.documents.workbook``)
writes them, so the three cannot disagree: a figure is a typed cell, never text, until one
of them shows it. ``cell_text`` is the one way a cell becomes text, on screen and on paper.

Cells: ``str`` (text), ``int`` (a count), ``Money`` (integer fen), ``Percent`` (tenths of a
percent, rounded half-up from an exact fraction), ``Decimal`` (a measure such as hours,
already rounded to the places it shows), ``date``, ``LocalTime`` (a moment in the hall's
time, to the second) and ``None`` (no figure: "—").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from app.domain.amount_words import format_figures
from app.domain.etiquette_scoring import format_percent, percent_tenths

#: What a table cell shows when there is no figure (an open shift's count, a rate of 0/0).
NO_FIGURE = "—"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer fen; shown ``¥1,234.50`` (``-¥…`` below zero) everywhere."""

    fen: int

    def __post_init__(self) -> None:
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise TypeError(f"money is integer fen, not {type(self.fen).__name__}")


@dataclass(frozen=True, slots=True)
class Percent:
    """A rate as tenths of a percent (``875`` = 87.5 %); None when nothing was counted."""

    tenths: int | None

    @classmethod
    def of(cls, part: int, whole: int) -> Percent:
        """``part / whole`` rounded half-up to a tenth of a percent; no figure for 0/0."""
        return cls(None if whole == 0 else percent_tenths(Fraction(part, whole)))

    @property
    def fraction(self) -> Decimal | None:
        """The rate as a fraction of one with the shown precision (0.875), for Excel."""
        return None if self.tenths is None else Decimal(self.tenths) / 1000


@dataclass(frozen=True, slots=True)
class LocalTime:
    """A moment as the hall's clock showed it (naive, to the second): a time column of an
    exported list (the audit trail). A bare ``datetime`` is refused as a cell, so that no
    UTC time is ever shown as if it were the hall's."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None:
            raise TypeError("a local time cell is naive: convert to the hall's time first")
        object.__setattr__(self, "at", self.at.replace(microsecond=0))


Cell = str | int | Money | Percent | Decimal | date | LocalTime | None


def cell_text(cell: Cell) -> str:
    """The text of a cell, the same on screen and on paper."""
    if cell is None:
        return NO_FIGURE
    if isinstance(cell, Money):
        return format_figures(cell.fen)
    if isinstance(cell, Percent):
        return NO_FIGURE if cell.tenths is None else format_percent(cell.tenths)
    if isinstance(cell, LocalTime):
        return cell.at.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, bool):
        raise TypeError("a report cell is never a bool")
    if isinstance(cell, datetime):
        raise TypeError("format times before they go into a report cell")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def is_figure(cell: Cell) -> bool:
    """Whether the cell is a number (right-aligned on screen and on paper)."""
    return isinstance(cell, (int, Money, Percent, Decimal)) and not isinstance(cell, bool)


@dataclass(frozen=True, slots=True)
class ReportTable:
    """One table: ``key`` is stable (scripts and tests find a table by it), the rest is
    shown. Every row has one cell per header; ``total`` is an optional last row."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None

    def __post_init__(self) -> None:
        width = len(self.headers)
        for row in (*self.rows, *((self.total,) if self.total is not None else ())):
            if len(row) != width:
                raise ValueError(f"table {self.key}: a row has {len(row)} cells, not {width}")

    def all_rows(self) -> tuple[tuple[Cell, ...], ...]:
        """The rows with the total row last, as they are shown."""
        return self.rows if self.total is None else (*self.rows, self.total)

    def column(self, header_index: int) -> list[Cell]:
        return [row[header_index] for row in self.rows]


class ChartStyle(StrEnum):
    BARS = "bars"
    LINE = "line"


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """A figure over the days of the period, drawn beside the tables: one point per day
    (``None``: nothing to show that day). The same figures are a column of ``table``."""

    key: str
    title: str
    style: ChartStyle
    points: tuple[tuple[date, Money | Percent | None], ...]
    #: The table (by key) and column (by position) holding the same figures, the day in
    #: its first column: the workbook draws its own chart from them.
    table: str
    column: int


@dataclass(frozen=True, slots=True)
class ReportBook:
    """A whole report as shown: the title, the hall and the period, the headline figures,
    the tables, the charts and notes (definitions a reader needs, e.g. what "recovered"
    means). ``generated_at`` is aware; it is printed in ``timezone``."""

    key: str
    title: str
    hall_name: str
    start: date
    end: date
    generated_at: datetime
    timezone: str
    headline: tuple[tuple[str, Cell], ...]
    tables: tuple[ReportTable, ...]
    charts: tuple[ChartSeries, ...] = ()
    notes: tuple[str, ...] = ()

    def table(self, key: str) -> ReportTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def headline_value(self, label: str) -> Cell:
        for shown, value in self.headline:
            if shown == label:
                return value
        raise KeyError(label)


def table(
    key: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    total: Sequence[Cell] | None = None,
) -> ReportTable:
    """A ``ReportTable`` from any sequences."""
    return ReportTable(
        key,
        title,
        tuple(headers),
        tuple(tuple(r) for r in rows),
        tuple(total) if total is not None else None,
    )
