"""The fault banner (objectName ``faultBanner``): shown across the main window while service
fault notices are active, with the approved wording to tell customers.

It sits in a fixed tool bar at the top of the window (``install_fault_banner``), hidden when
no notice is active. It refreshes every minute and at once when a notice is issued or
closed at this PC (``notices_changed()``).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services.complaints.faults import FaultNoticeService, FaultNoticeView
from ui.context import AppContext

REFRESH_MS: Final = 60_000
_STYLE: Final = (
    "#faultBanner { background: #fdecea; border: 1px solid #e57373; border-radius: 4px; }"
    "#faultBanner QLabel { color: #8e1c1c; }"
)


class _Notifier(QObject):
    changed = Signal()


_notifier: _Notifier | None = None


def notifier() -> _Notifier:
    """One per process: the complaints tab announces new and closed notices on it."""
    global _notifier
    if _notifier is None:
        _notifier = _Notifier()
    return _notifier


def notices_changed() -> None:
    notifier().changed.emit()


class FaultBanner(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("faultBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._service = ctx.service(FaultNoticeService)
        self.notices: list[FaultNoticeView] = []
        self.text = QLabel(self)
        self.text.setObjectName("faultBannerText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.text)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        notifier().changed.connect(self.refresh)
        self._timezone = ctx.hall.timezone
        self.refresh()

    def refresh(self) -> None:
        try:
            self.notices = self._service.active()
        except Exception:  # a banner must never break the window; the tab shows errors
            self.notices = []
        self.retranslate_ui()
        visible = bool(self.notices)
        self.setVisible(visible)
        bar = self.parentWidget()
        if isinstance(bar, QToolBar):
            bar.setVisible(visible)

    def retranslate_ui(self) -> None:
        from app.i18n import format_datetime

        lines = []
        for n in self.notices:
            recovery = (
                format_datetime(n.expected_recovery_at, self._timezone, fmt="short")
                if n.expected_recovery_at
                else _("not yet known")
            )
            lines.append(
                _(
                    "Fault notice, level {level}: {services} in {areas}. Expected recovery: "
                    "{recovery}. Tell customers: {wording}"
                ).format(
                    level=n.roman,
                    services=n.services,
                    areas=n.areas,
                    recovery=recovery,
                    wording=n.wording,
                )
            )
        self.text.setText("\n".join(lines))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def install_fault_banner(window: QMainWindow, ctx: AppContext) -> FaultBanner:
    """Put the banner in a fixed tool bar across the top of ``window``."""
    bar = QToolBar(window)
    bar.setObjectName("faultBannerBar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setVisible(False)
    banner = FaultBanner(ctx, bar)
    bar.addWidget(banner)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    # A row of its own, whether other tool bars came before or come after it.
    window.insertToolBarBreak(bar)
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    bar.setVisible(bool(banner.notices))  # adding it to the window showed it again
    return banner
