"""The denomination counting grid: one field per note and coin, line totals and the total.

Each field takes a whole number of pieces (``app.domain.cash.parse_count``); what cannot be
read is marked in red, named in ``error_text`` and leaves the total unchanged, so nothing
typed is lost. Field object names are ``count_<code>`` (``count_note_100`` …).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget

from app.domain.cash import DENOMINATIONS, MAX_PIECES, CashCount, parse_count
from app.domain.errors import ValidationError
from app.i18n import _, format_money


class DenominationGrid(QWidget):
    """Counts by denomination; ``changed`` fires after every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, prefix: str = "count") -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}Grid")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(4)
        self.fields: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        self.line_totals: dict[str, QLabel] = {}
        self.header_pieces = QLabel(self)
        self.header_amount = QLabel(self)
        layout.addWidget(self.header_pieces, 0, 1)
        layout.addWidget(self.header_amount, 0, 2)
        for row, d in enumerate(DENOMINATIONS, start=1):
            label = QLabel(self)
            edit = QLineEdit(self)
            edit.setObjectName(f"{prefix}_{d.code}")
            edit.setValidator(QIntValidator(0, MAX_PIECES, edit))
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(110)
            edit.textChanged.connect(self._update)
            total = QLabel(self)
            total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            total.setMinimumWidth(110)
            layout.addWidget(label, row, 0)
            layout.addWidget(edit, row, 1)
            layout.addWidget(total, row, 2)
            self.fields[d.code], self.labels[d.code], self.line_totals[d.code] = edit, label, total
        self.total_caption = QLabel(self)
        self.total = QLabel(self)
        self.total.setObjectName(f"{prefix}Total")
        font = self.total.font()
        font.setBold(True)
        self.total.setFont(font)
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        last = len(DENOMINATIONS) + 1
        layout.addWidget(self.total_caption, last, 0, 1, 2)
        layout.addWidget(self.total, last, 2)
        self.retranslate_ui()
        self._update()

    def counts(self) -> dict[str, int]:
        """The counts typed, or ValidationError naming the first unreadable field."""
        return {code: parse_count(edit.text(), code) for code, edit in self.fields.items()}

    def set_counts(self, counts: dict[str, int]) -> None:
        for code, edit in self.fields.items():
            n = counts.get(code, 0)
            edit.setText(str(n) if n else "")

    def total_fen(self) -> int | None:
        try:
            return CashCount.of(self.counts()).total_fen
        except ValidationError:
            return None

    def _update(self) -> None:
        for d in DENOMINATIONS:
            edit = self.fields[d.code]
            try:
                n = parse_count(edit.text(), d.code)
                edit.setStyleSheet("")
                self.line_totals[d.code].setText(format_money(n * d.value_fen) if n else "")
            except ValidationError:
                edit.setStyleSheet("border: 1px solid #c62828;")
                self.line_totals[d.code].setText("")
        total = self.total_fen()
        self.total.setText(format_money(total) if total is not None else "—")
        self.changed.emit()

    def retranslate_ui(self) -> None:
        self.header_pieces.setText(_("Pieces"))
        self.header_amount.setText(_("Amount"))
        for d in DENOMINATIONS:
            self.labels[d.code].setText(_(d.label))
        self.total_caption.setText(_("Total counted:"))
        if self.fields:
            self._update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
