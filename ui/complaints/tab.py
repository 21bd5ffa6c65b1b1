"""Complaint intake, the worklist by time left, follow-up and fault notices."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.context import AppContext


class ComplaintsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaintsTab")
        self.ctx = ctx

    def retranslate_ui(self) -> None:
        pass
