"""A small chart painted with QPainter: one series of points over time, as a line with
markers or as bars (this build has no QtCharts: PySide6-Addons would add ~59 MB to every
install for two simple charts; see docs/performance.md).

The y axis runs from 0 to ``y_max`` with four grid lines labelled by ``y_text``; an
optional reference value (a pass mark) is a dashed line. Points are evenly spaced in the
order given, so several on one day stay apart; a point without a value leaves a gap.
Each point carries its label, tooltip text, colour and marker, so callers decide what a
point means (the etiquette trend marks failed inspections, the reports draw days).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.documents.report_tables import ChartSeries, ChartStyle, Money, Percent, cell_text
from app.i18n import _
from ui.widgets import Palette

MARGIN_LEFT: Final = 56
MARGIN_RIGHT: Final = 16
MARGIN_TOP: Final = 16
MARGIN_BOTTOM: Final = 36
#: At most this many x-axis labels, whatever the number of points.
MAX_X_LABELS: Final = 8


class Marker(StrEnum):
    CIRCLE = "circle"
    SQUARE = "square"


class SeriesStyle(StrEnum):
    LINE = "line"
    BARS = "bars"


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One point: its x-axis ``label``, its ``value`` (None: no value, a gap), what its
    tooltip says, and how it is drawn."""

    label: str
    value: float | None
    tooltip: str = ""
    colour: QColor | None = None
    marker: Marker = Marker.CIRCLE


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (an axis that reads well)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


class SeriesChart(QWidget):
    """See the module docstring. ``set_series`` replaces what is drawn."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._series: tuple[ChartPoint, ...] = ()
        self._style = SeriesStyle.LINE
        self._y_max = 100.0
        self._y_text: Callable[[float], str] = lambda v: f"{v:g}"
        self._reference: float | None = None
        self._empty_text: Callable[[], str] = lambda: ""

    @property
    def series(self) -> tuple[ChartPoint, ...]:
        return self._series

    @property
    def style(self) -> SeriesStyle:
        return self._style

    def set_series(
        self,
        points: Sequence[ChartPoint],
        *,
        style: SeriesStyle = SeriesStyle.LINE,
        y_max: float | None = None,
        y_text: Callable[[float], str] | None = None,
        reference: float | None = None,
        empty_text: Callable[[], str] | None = None,
    ) -> None:
        """Draw ``points``; ``y_max`` None: a round number above the highest value."""
        self._series = tuple(points)
        self._style = style
        highest = max((p.value for p in self._series if p.value is not None), default=0.0)
        self._y_max = y_max if y_max is not None else nice_ceiling(highest)
        if y_text is not None:
            self._y_text = y_text
        self._reference = reference
        if empty_text is not None:
            self._empty_text = empty_text
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 240)

    def plot_rect(self) -> QRectF:
        return QRectF(
            MARGIN_LEFT,
            MARGIN_TOP,
            max(1, self.width() - MARGIN_LEFT - MARGIN_RIGHT),
            max(1, self.height() - MARGIN_TOP - MARGIN_BOTTOM),
        )

    def _y(self, value: float) -> float:
        rect = self.plot_rect()
        return rect.bottom() - rect.height() * min(max(value, 0.0), self._y_max) / self._y_max

    def point_position(self, index: int) -> QPointF:
        """Where point ``index`` is drawn (its bar's top centre); tests and hit-testing use it."""
        rect = self.plot_rect()
        n = len(self._series)
        x = rect.left() + (rect.width() * (index + 0.5) / n if n else 0)
        value = self._series[index].value
        return QPointF(x, self._y(value if value is not None else 0.0))

    def point_at(self, x: float) -> int | None:
        """The point whose column holds ``x``, if any."""
        rect = self.plot_rect()
        n = len(self._series)
        if not n or not rect.left() <= x <= rect.right():
            return None
        return min(n - 1, int((x - rect.left()) / rect.width() * n))

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent):
            index = self.point_at(event.position().x())
            if index is not None and self._series[index].tooltip:
                QToolTip.showText(event.globalPos(), self._series[index].tooltip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)  # type: ignore[arg-type]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.plot_rect()
        text_colour = self.palette().text().color()
        metrics = painter.fontMetrics()
        grid = QPen(Palette.MUTED, 0.5)
        for step in range(5):
            value = self._y_max * step / 4
            y = self._y(value)
            painter.setPen(grid)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            label = self._y_text(value)
            painter.setPen(text_colour)
            painter.drawText(
                QPointF(
                    rect.left() - metrics.horizontalAdvance(label) - 6, y + metrics.ascent() / 3
                ),
                label,
            )
        if self._reference is not None:
            painter.setPen(QPen(Palette.WARNING, 1, Qt.PenStyle.DashLine))
            y = self._y(self._reference)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        if not self._series or all(p.value is None for p in self._series):
            painter.setPen(text_colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._empty_text())
            painter.end()
            return
        if self._style is SeriesStyle.BARS:
            self._paint_bars(painter, rect)
        else:
            self._paint_line(painter)
        step = max(1, math.ceil(len(self._series) / MAX_X_LABELS))
        painter.setPen(text_colour)
        for i, point in enumerate(self._series):
            if i % step:
                continue
            x = self.point_position(i).x()
            width = metrics.horizontalAdvance(point.label)
            painter.drawText(
                QPointF(x - width / 2, rect.bottom() + metrics.height() + 4), point.label
            )
        painter.end()

    def _paint_bars(self, painter: QPainter, rect: QRectF) -> None:
        n = len(self._series)
        width = max(1.0, rect.width() / n * 0.7)
        for i, point in enumerate(self._series):
            if point.value is None or point.value <= 0:
                continue
            top = self.point_position(i)
            colour = point.colour or Palette.INFO
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(QRectF(top.x() - width / 2, top.y(), width, rect.bottom() - top.y()))

    def _paint_line(self, painter: QPainter) -> None:
        path = QPainterPath()
        drawing = False
        for i, point in enumerate(self._series):
            if point.value is None:
                drawing = False
                continue
            pos = self.point_position(i)
            if drawing:
                path.lineTo(pos)
            else:
                path.moveTo(pos)
                drawing = True
        painter.setPen(QPen(Palette.INFO, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        for i, point in enumerate(self._series):
            if point.value is None:
                continue
            pos = self.point_position(i)
            colour = point.colour or Palette.INFO
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour)
            if point.marker is Marker.SQUARE:
                painter.drawRect(QRectF(pos.x() - 4, pos.y() - 4, 8, 8))
            else:
                painter.drawEllipse(pos, 4, 4)


def series_points(series: ChartSeries) -> list[ChartPoint]:
    """A report's series (``ChartSeries``) as points: yuan for money, percent for a rate
    (for drawing only; the labels and tooltips are the report's own texts)."""
    points = []
    for day, value in series.points:
        number: float | None = None
        if isinstance(value, Money):
            number = value.fen / 100
        elif isinstance(value, Percent) and value.tenths is not None:
            number = value.tenths / 10
        points.append(
            ChartPoint(
                label=day.strftime("%m-%d"),
                value=number,
                tooltip=f"{day.isoformat()}  {cell_text(value)}",
            )
        )
    return points


def show_series(chart: SeriesChart, series: ChartSeries) -> None:
    """Draw a report's series: money per day as bars, a rate per day as a line (0–100 %)."""
    if series.style is ChartStyle.BARS:
        chart.set_series(
            series_points(series),
            style=SeriesStyle.BARS,
            y_text=lambda v: cell_text(Money(round(v * 100))),
            empty_text=lambda: _("Nothing in this period."),
        )
    else:
        chart.set_series(
            series_points(series),
            style=SeriesStyle.LINE,
            y_max=100,
            y_text=lambda v: f"{v:.0f}%",
            empty_text=lambda: _("Nothing in this period."),
        )
