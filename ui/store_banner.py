"""The store banner (objectName ``storeBanner``): across the top of the main window when the
store is damaged (payments are stopped; red) or when its last backup failed (amber).

The damaged state comes from the store's page check (``Store.health``), which runs in the
background from start-up: the banner looks at its verdict once a second (no database
work) until the check has an answer, and again after each failed payment or backup.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QToolBar, QVBoxLayout, QWidget

from app.i18n import _
from app.store.health import StoreDamaged, Verdict
from ui.context import AppContext

POLL_MS: Final = 1000
_DAMAGED_STYLE: Final = (
    "#storeBanner { background: #fdecea; border: 1px solid #e57373; border-radius: 4px; }"
    "#storeBanner QLabel { color: #8e1c1c; font-weight: bold; }"
)
_WARNING_STYLE: Final = (
    "#storeBanner { background: #fff4e5; border: 1px solid #f0b45b; border-radius: 4px; }"
    "#storeBanner QLabel { color: #7a4b00; }"
)


class StoreBanner(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storeBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._health = ctx.store.health
        self._path = ctx.store.path
        self.backup_error = ""
        self.text = QLabel(self)
        self.text.setObjectName("storeBannerText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.text)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    @property
    def damaged(self) -> bool:
        return self._health.verdict is Verdict.DAMAGED

    @Slot()
    def refresh(self) -> None:
        """Show what is wrong, if anything; stop looking once the check has answered."""
        if self._health.verdict in (Verdict.SOUND, Verdict.DAMAGED):
            self._timer.stop()
        self.retranslate_ui()
        visible = self.damaged or bool(self.backup_error)
        bar = self.parentWidget()
        if isinstance(bar, QToolBar):
            bar.setVisible(visible)  # a tool bar's widget shows and hides with it
        else:
            self.setVisible(visible)

    def watch(self) -> None:
        """Look at the verdict again (after a refused payment, a failed backup)."""
        if not self._timer.isActive():
            self._timer.start()
        self.refresh()

    @Slot(str)
    def show_backup_failed(self, reason: str) -> None:
        self.backup_error = reason
        self.watch()

    @Slot()
    def clear_backup_failed(self) -> None:
        self.backup_error = ""
        self.refresh()

    def retranslate_ui(self) -> None:
        if self.damaged:
            self.setStyleSheet(_DAMAGED_STYLE)
            self.text.setText(StoreDamaged(self._path or "?", self._health.reason).user_message())
        elif self.backup_error:
            self.setStyleSheet(_WARNING_STYLE)
            self.text.setText(
                _("The last backup of this store failed: {reason}").format(reason=self.backup_error)
            )
        else:
            self.text.setText("")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def install_store_banner(window: QMainWindow, ctx: AppContext) -> StoreBanner:
    """Put the banner in a fixed tool bar of its own across the top of ``window``."""
    bar = QToolBar(window)
    bar.setObjectName("storeBannerBar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setVisible(False)
    banner = StoreBanner(ctx, bar)
    bar.addWidget(banner)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.insertToolBarBreak(bar)
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    bar.setVisible(banner.damaged or bool(banner.backup_error))
    return banner
