"""The filter bar above the arrears worklist: tier, stage, grid unit and days overdue, the
count of accounts, and Refresh. A choice applies at once; days typed wait a moment, so
"120" is one query, not three."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from PySide6.QtCore import (
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.domain.arrears_policy import StepKind
from app.i18n import _
from app.services.arrears import WorklistFilter
from ui.arrears.labels import NO_STAGE, stage_text, tier_text
from ui.widgets import (
    Palette,
    heading_label,
    set_text_colour,
)

#: Filters typed into the day boxes wait this long, so "120" is one query, not three.
FILTER_DELAY_MS: Final = 250


class WorklistFilterBar(QWidget):
    """The worklist's filters; ``changed`` when the filter on screen is another one."""

    #: The filter changed (a choice at once, typed days after ``FILTER_DELAY_MS``).
    changed = Signal()
    #: Refresh was pressed.
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("arrearsFilters")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self._chosen)
        self.title = heading_label(self, point_delta=1)
        self.tier_filter = QComboBox(self)
        self.tier_filter.setObjectName("arrearsTierFilter")
        self.stage_filter = QComboBox(self)
        self.stage_filter.setObjectName("arrearsStageFilter")
        self.grid_filter = QComboBox(self)
        self.grid_filter.setObjectName("arrearsGridFilter")
        self.grid_filter.setMinimumContentsLength(12)
        self.min_days = QSpinBox(self)
        self.min_days.setObjectName("arrearsMinDays")
        self.max_days = QSpinBox(self)
        self.max_days.setObjectName("arrearsMaxDays")
        for box in (self.min_days, self.max_days):
            box.setRange(0, 9999)
            box.setAccelerated(True)
            box.valueChanged.connect(self._timer.start)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("arrearsCount")
        set_text_colour(self.count_label, Palette.MUTED)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("arrearsRefresh")
        self.refresh_button.clicked.connect(self.refreshRequested)

        self.tier_label = QLabel(self)
        self.stage_label = QLabel(self)
        self.grid_label = QLabel(self)
        self.days_label = QLabel(self)
        self.days_to = QLabel(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title)
        row.addSpacing(16)
        for label, box in (
            (self.tier_label, self.tier_filter),
            (self.stage_label, self.stage_filter),
            (self.grid_label, self.grid_filter),
        ):
            row.addWidget(label)
            row.addWidget(box)
            row.addSpacing(8)
        row.addWidget(self.days_label)
        row.addWidget(self.min_days)
        row.addWidget(self.days_to)
        row.addWidget(self.max_days)
        row.addSpacing(12)
        row.addWidget(self.count_label, 1)
        row.addWidget(self.refresh_button)
        for box in (self.tier_filter, self.stage_filter, self.grid_filter):
            box.currentIndexChanged.connect(self._chosen)

    def _chosen(self) -> None:
        self._timer.stop()
        self.changed.emit()

    def settle(self) -> None:
        """Forget days still being typed: the filter on screen is being applied now."""
        self._timer.stop()

    def fill_choices(self, tiers: Sequence[str], grids: Sequence[tuple[int, str]]) -> None:
        """The choices of the policy's tiers, every ladder stage and the hall's grid units."""
        self._refill(self.tier_filter, [(code, lambda c=code: tier_text(c)) for code in tiers])
        stages = [(NO_STAGE, lambda: stage_text(NO_STAGE))] + [
            (k.value, lambda k=k: stage_text(k.value)) for k in StepKind
        ]
        self._refill(self.stage_filter, stages)
        self._refill(self.grid_filter, [(gid, lambda n=name: n) for gid, name in grids])
        self.grid_filter.setEnabled(bool(grids))

    def _refill(self, box: QComboBox, items: Sequence[tuple[Any, Callable[[], str]]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(_("All"), None)
        for value, text in items:
            box.addItem(text(), value)
            box.setItemData(box.count() - 1, text, Qt.ItemDataRole.UserRole + 1)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.blockSignals(False)

    def _retranslate_box(self, box: QComboBox) -> None:
        box.setItemText(0, _("All"))
        for index in range(1, box.count()):
            text = box.itemData(index, Qt.ItemDataRole.UserRole + 1)
            if callable(text):
                box.setItemText(index, text())

    def current_filter(self) -> WorklistFilter:
        return WorklistFilter(
            tier=self.tier_filter.currentData(),
            stage=self.stage_filter.currentData(),
            grid_unit_id=self.grid_filter.currentData(),
            min_days=self.min_days.value() or None,
            max_days=self.max_days.value() or None,
        )

    def retranslate_ui(self) -> None:
        self.title.setText(_("Arrears"))
        self.tier_label.setText(_("Tier:"))
        self.stage_label.setText(_("Stage:"))
        self.grid_label.setText(_("Grid:"))
        self.days_label.setText(_("Days overdue:"))
        self.days_to.setText(_("to"))
        for box in (self.min_days, self.max_days):
            box.setSpecialValueText(_("any"))
        for box in (self.tier_filter, self.stage_filter, self.grid_filter):
            self._retranslate_box(box)
        self.refresh_button.setText(_("Refresh"))
