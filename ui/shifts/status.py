"""A status-bar label with the clerk's shift state at this counter (``statusShift``).

The main window can show it with one line
(``status.addPermanentWidget(ShiftStatusLabel(ctx, status))``); it reads the state every
30 seconds and whenever ``refresh()`` is called (after the shift tab opened or closed one).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app.i18n import _
from app.services.shifts import ShiftService
from ui.context import AppContext
from ui.widgets import Palette, set_text_colour

REFRESH_MS: Final = 30_000


class ShiftStatusLabel(QLabel):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusShift")
        self._ctx = ctx
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        try:
            desk = self._ctx.service(ShiftService).desk(self._ctx.actor)
        except Exception:  # the tab reports store faults; the status bar stays quiet
            self.setText("")
            return
        if desk.mine is not None:
            self.setText(_("Shift open"))
            set_text_colour(self, Palette.OK)
        else:
            self.setText(_("No shift open"))
            set_text_colour(self, Palette.DANGER)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
