"""Shift handover: the counter's cash session, the handover and the hall day."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.context import AppContext


class ShiftTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shiftTab")
        self.ctx = ctx

    def retranslate_ui(self) -> None:
        pass
