"""The counting widgets of a shift: the denomination grid and the non-cash method totals.

Each grid field takes a whole number of pieces (``app.domain.cash.parse_count``); what
cannot be read is marked in red, named in ``error_text`` and leaves the total unchanged, so
nothing typed is lost. Field object names are ``count_<code>`` (``count_note_100`` …).

The method totals take, per non-cash method of the shift, the total of the POS terminal's
settlement slip or of the platform's statement, in yuan (``parse_method_total``); a method
that had takings must be filled in, one without may stay empty. Field object names are
``<prefix>_<method>`` (``closeMethod_bank_card`` …).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from app.domain.cash import (
    CASH,
    DENOMINATIONS,
    MAX_PIECES,
    CashCount,
    MethodCount,
    MethodTally,
    MethodTotal,
    had_takings,
    parse_count,
    parse_method_total,
)
from app.domain.errors import ValidationError
from app.i18n import _, format_money, pgettext
from app.services.payments.plan import METHOD_MSGIDS
from ui.widgets import Palette, set_text_colour

_INVALID: Final = "border: 1px solid #c62828;"


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


def difference_text(fen: int) -> str:
    """ "Surplus ¥5.00" / "Shortage ¥5.00" / "Balanced"."""
    if fen > 0:
        return _("Surplus {amount}").format(amount=format_money(fen))
    if fen < 0:
        return _("Shortage {amount}").format(amount=format_money(-fen))
    return _("Balanced")


class MethodTotalsBox(QGroupBox):
    """The counted total of each non-cash method of the shift, with its expected takings
    (only when shown: a blind count hides them until Check) and, after Check, the
    difference. ``changed`` fires after every edit."""

    changed = Signal()

    def __init__(
        self,
        methods: Sequence[MethodTotal | MethodTally],
        parent: QWidget | None = None,
        *,
        prefix: str = "closeMethod",
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}Box")
        self.methods = tuple(m for m in methods if m.method != CASH)
        self.required = {m.method for m in self.methods if had_takings(m)}
        layout = QGridLayout(self)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(4)
        self.headers = [QLabel(self) for _column in range(4)]
        for column, header in enumerate(self.headers):
            layout.addWidget(header, 0, column)
        self.fields: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        self.expected: dict[str, QLabel] = {}
        self.differences: dict[str, QLabel] = {}
        for row, m in enumerate(self.methods, start=1):
            label = QLabel(self)
            edit = QLineEdit(self)
            edit.setObjectName(f"{prefix}_{m.method}")
            edit.setMaxLength(20)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(130)
            edit.textChanged.connect(self._edited)
            expected, difference = QLabel(self), QLabel(self)
            expected.setObjectName(f"{prefix}Expected_{m.method}")
            difference.setObjectName(f"{prefix}Difference_{m.method}")
            # Room for "Shortage CN¥1,234.50" without clipping.
            digit = self.fontMetrics().horizontalAdvance("0")
            edit.setMinimumWidth(digit * 10)
            for value in (expected, difference):
                value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                value.setMinimumWidth(digit * 18)
            layout.addWidget(label, row, 0)
            layout.addWidget(edit, row, 1)
            layout.addWidget(expected, row, 2)
            layout.addWidget(difference, row, 3)
            self.fields[m.method], self.labels[m.method] = edit, label
            self.expected[m.method], self.differences[m.method] = expected, difference
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note, len(self.methods) + 1, 0, 1, 4)
        self._shown: dict[str, int] = {}
        self.retranslate_ui()

    def label_msgid(self, method: str) -> str:
        return METHOD_MSGIDS.get(method, method)

    def totals(self) -> dict[str, int | None]:
        """Fen per method as typed (None: left empty), or a ``MethodTotalError`` naming the
        first field that cannot be read (it is marked)."""
        totals: dict[str, int | None] = {}
        for method, edit in self.fields.items():
            try:
                totals[method] = parse_method_total(edit.text(), method, self.label_msgid(method))
            except ValidationError:
                edit.setStyleSheet(_INVALID)
                edit.setFocus()
                raise
        return totals

    def show_expected(self, expected: Mapping[str, int]) -> None:
        """Show these expected takings (none while a blind count hides them)."""
        self._shown = dict(expected)
        for method, label in self.expected.items():
            fen = self._shown.get(method)
            label.setText(format_money(fen) if fen is not None else "")

    def show_result(self, methods: Sequence[MethodCount]) -> None:
        """After Check: each method's expected takings and difference."""
        self.show_expected({m.method: m.expected_fen for m in methods})
        for m in methods:
            label = self.differences.get(m.method)
            if label is None:
                continue
            label.setText(difference_text(m.difference_fen))
            set_text_colour(label, Palette.DANGER if m.difference_fen else Palette.OK)

    def _edited(self) -> None:
        for edit in self.fields.values():
            edit.setStyleSheet("")
        for label in self.differences.values():
            label.setText("")
        self.changed.emit()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Card and electronic takings"))
        for header, text in zip(
            self.headers,
            (
                _("Method"),
                _("Counted (yuan)"),
                _("Expected"),
                _("Difference"),
            ),
            strict=True,
        ):
            header.setText(text)
        for method, label in self.labels.items():
            label.setText(_(self.label_msgid(method)))
            self.fields[method].setPlaceholderText(
                pgettext("method total", "required") if method in self.required else "0.00"
            )
        if self.methods:
            self.note.setText(
                _(
                    "Type each total from the POS settlement slip or the platform's "
                    "statement. A method without takings may stay empty."
                )
            )
        else:
            self.note.setText(_("No card or electronic methods in this shift."))
        self.show_expected(self._shown)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
