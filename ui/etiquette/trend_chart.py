"""A clerk's score trend, drawn with QPainter (this build has no QtCharts).

The y axis runs 0–100 %, with the pass mark as a dashed line; each signed checklist is a
point at its business date (evenly spaced, in order, so several on one day stay apart),
joined by a line. A failed inspection's point is red, a critical fail is a red square.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.etiquette_scoring import format_percent
from app.i18n import _, format_date
from app.services.etiquette.reports import TrendPoint
from ui.widgets import Palette

MARGIN_LEFT: Final = 48
MARGIN_RIGHT: Final = 16
MARGIN_TOP: Final = 16
MARGIN_BOTTOM: Final = 36


class TrendChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("etiquetteTrendChart")
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._points: tuple[TrendPoint, ...] = ()
        self._pass_percent = 85

    @property
    def points(self) -> tuple[TrendPoint, ...]:
        return self._points

    def set_points(self, points: Sequence[TrendPoint], pass_percent: int) -> None:
        self._points = tuple(points)
        self._pass_percent = pass_percent
        self.setToolTip(
            "\n".join(
                f"{format_date(p.business_date)}  {format_percent(p.score_tenths)}"
                for p in self._points[-20:]
            )
        )
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

    def point_position(self, index: int) -> QPointF:
        """Where point ``index`` is drawn (tests and hit-testing use it)."""
        rect = self.plot_rect()
        n = len(self._points)
        x = rect.left() + (rect.width() * (index + 0.5) / n if n else 0)
        y = rect.bottom() - rect.height() * self._points[index].score_tenths / 1000
        return QPointF(x, y)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.plot_rect()
        text_colour = self.palette().text().color()
        grid = QPen(Palette.MUTED, 0.5)
        painter.setPen(grid)
        metrics = painter.fontMetrics()
        for percent in (0, 25, 50, 75, 100):
            y = rect.bottom() - rect.height() * percent / 100
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            label = f"{percent}%"
            painter.setPen(text_colour)
            painter.drawText(
                QPointF(
                    rect.left() - metrics.horizontalAdvance(label) - 6, y + metrics.ascent() / 3
                ),
                label,
            )
            painter.setPen(grid)
        mark_y = rect.bottom() - rect.height() * self._pass_percent / 100
        painter.setPen(QPen(Palette.WARNING, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(rect.left(), mark_y), QPointF(rect.right(), mark_y))
        if not self._points:
            painter.setPen(text_colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, _("No signed inspection yet."))
            painter.end()
            return
        path = QPainterPath()
        for i in range(len(self._points)):
            pos = self.point_position(i)
            if i == 0:
                path.moveTo(pos)
            else:
                path.lineTo(pos)
        painter.setPen(QPen(Palette.INFO, 2))
        painter.drawPath(path)
        step = max(1, len(self._points) // 8)
        for i, point in enumerate(self._points):
            pos = self.point_position(i)
            colour = Palette.OK if point.passed else Palette.DANGER
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour)
            if point.critical_failed:
                painter.drawRect(QRectF(pos.x() - 4, pos.y() - 4, 8, 8))
            else:
                painter.drawEllipse(pos, 4, 4)
            if i % step == 0:
                painter.setPen(text_colour)
                label = point.business_date.strftime("%m-%d")
                width = metrics.horizontalAdvance(label)
                painter.drawText(
                    QPointF(pos.x() - width / 2, rect.bottom() + metrics.height() + 4), label
                )
        painter.end()
