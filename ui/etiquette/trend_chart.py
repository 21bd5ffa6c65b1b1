"""A clerk's score trend, drawn by the shared painted chart (``ui.charts``).

The y axis runs 0–100 %, with the pass mark as a dashed line; each signed checklist is a
point at its business date (evenly spaced, in order, so several on one day stay apart),
joined by a line. A failed inspection's point is red, a critical fail is a red square.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from app.domain.etiquette_scoring import format_percent
from app.i18n import _, format_date
from app.services.etiquette.reports import TrendPoint
from ui.charts import ChartPoint, Marker, SeriesChart, SeriesStyle
from ui.widgets import Palette


class TrendChart(SeriesChart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("etiquetteTrendChart")
        self._points: tuple[TrendPoint, ...] = ()
        self.set_points((), 85)

    @property
    def points(self) -> tuple[TrendPoint, ...]:
        return self._points

    def set_points(self, points: Sequence[TrendPoint], pass_percent: int) -> None:
        self._points = tuple(points)
        self.set_series(
            [
                ChartPoint(
                    label=p.business_date.strftime("%m-%d"),
                    value=p.score_tenths / 10,
                    tooltip=f"{format_date(p.business_date)}  {format_percent(p.score_tenths)}",
                    colour=Palette.OK if p.passed else Palette.DANGER,
                    marker=Marker.SQUARE if p.critical_failed else Marker.CIRCLE,
                )
                for p in self._points
            ],
            style=SeriesStyle.LINE,
            y_max=100,
            y_text=lambda v: f"{v:.0f}%",
            reference=pass_percent,
            empty_text=lambda: _("No signed inspection yet."),
        )
