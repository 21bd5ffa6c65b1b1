"""Service-etiquette checklists: inspections, self-checks, weekly simulations, trends."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.context import AppContext


class EtiquetteTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("etiquetteTab")
        self.ctx = ctx

    def retranslate_ui(self) -> None:
        pass
