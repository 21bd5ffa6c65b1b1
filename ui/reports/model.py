"""One table of a report (``ReportTable``) as a read-only Qt table model: each cell's
text is ``cell_text``, the text the printed report shows; figures are right-aligned and
a total row is bold."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.documents.report_tables import ReportTable, cell_text, is_figure
from ui.widgets import (
    ALIGN_LEFT,
    ALIGN_RIGHT,
    ALIGNMENT_ROLE,
    DISPLAY_ROLE,
    FONT_ROLE,
    ROW_FLAGS,
    TOOLTIP_ROLE,
)

Index = QModelIndex | QPersistentModelIndex


class ReportTableModel(QAbstractTableModel):
    def __init__(self, table: ReportTable, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self._rows = table.all_rows()
        self._bold = QFont()
        self._bold.setBold(True)
        self._figures = [
            any(is_figure(row[c]) for row in self._rows) for c in range(len(table.headers))
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY_ROLE
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.table.headers):
            if role == DISPLAY_ROLE:
                return self.table.headers[section]
            if role == ALIGNMENT_ROLE:
                return int(ALIGN_RIGHT if self._figures[section] else ALIGN_LEFT)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self.table.headers)):
            return None
        if role in (DISPLAY_ROLE, TOOLTIP_ROLE):
            return cell_text(self._rows[row][column])
        if role == ALIGNMENT_ROLE:
            return int(ALIGN_RIGHT if self._figures[column] else ALIGN_LEFT)
        if role == FONT_ROLE and self.table.total is not None and row == len(self._rows) - 1:
            return self._bold
        return None
