"""The X report page of the Shift tab: the open shift's takings by payment method, its
cash and its cash movements (under a blind count: the counts only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.cash import MethodTally, MethodTotal
from app.i18n import N_, _, format_datetime, format_money, ngettext
from app.services.payments.plan import method_label
from app.services.shifts import (
    AnyShiftReport,
    BlindShiftReport,
)
from ui.widgets import (
    ALIGN_RIGHT,
    Column,
    RowTableModel,
    heading_label,
    named_table,
    set_column_widths,
)

MethodRow = MethodTotal | MethodTally


def method_columns() -> list[Column[MethodRow]]:
    """The X report's columns. A ``MethodTally`` (a blind count's row: counts only) shows
    its counts and a dash for every amount."""

    def money(fen: Callable[[MethodTotal], int]) -> Callable[[MethodRow], str]:
        return lambda m: format_money(fen(m)) if isinstance(m, MethodTotal) else "—"

    def entries(count: Callable[[MethodRow], int], fen: Callable[[MethodTotal], int]) -> Any:
        return lambda m: f"{count(m)} / " + money(fen)(m)

    return [
        Column(N_("Method"), lambda m: method_label(m.method)),
        Column(N_("Payments"), lambda m: str(m.payments), ALIGN_RIGHT),
        Column(N_("Amount"), money(lambda m: m.payments_fen), ALIGN_RIGHT),
        Column(N_("Voids"), entries(lambda m: m.voids, lambda m: m.voids_fen), ALIGN_RIGHT),
        Column(
            N_("Reversals"),
            entries(lambda m: m.reversals, lambda m: m.reversals_fen),
            ALIGN_RIGHT,
        ),
        Column(N_("Net"), money(lambda m: m.net_fen), ALIGN_RIGHT, bold=lambda m: True),
    ]


class XReportPage(QWidget):
    """The open shift's X report; the tab reads it and passes it to :meth:`show_report`."""

    def __init__(self, timezone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("xReportPage")
        self.timezone = timezone
        self.x_heading = heading_label(self)
        self.method_model: RowTableModel[MethodRow] = RowTableModel(method_columns(), self)
        self.x_table = named_table(self, "xReportTable", self.method_model)
        set_column_widths(self.x_table, (12, 8, 12, 14, 14, 12))
        self.x_cash = QLabel(self)
        self.x_cash.setObjectName("xReportCash")
        self.x_cash.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.x_cash.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.x_movements = QLabel(self)
        self.x_movements.setObjectName("xReportMovements")
        self.x_movements.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.x_heading)
        self.x_table.setMaximumHeight(self.x_table.verticalHeader().defaultSectionSize() * 8)
        layout.addWidget(self.x_table)
        layout.addWidget(self.x_cash)
        layout.addWidget(self.x_movements)
        layout.addStretch(1)

    def show_report(self, report: AnyShiftReport | None) -> None:
        """Show ``report`` (None: no shift open)."""
        if report is None:
            self.method_model.set_rows(())
            self.x_heading.setText(_("X report: no shift open"))
            self.x_cash.setText("")
            self.x_movements.setText("")
            return
        tz = self.timezone
        self.x_heading.setText(
            _("X report at {time}").format(time=format_datetime(report.generated_at, tz))
        )
        if isinstance(report, BlindShiftReport):
            self.method_model.set_rows(report.methods)
            self.x_cash.setText(
                _(
                    "Blind count: the float, cash received, change, cash in and out and the "
                    "expected cash are shown once everything is counted at the close."
                )
            )
            self.x_movements.setText(
                ngettext(
                    "{count} cash movement in this shift.",
                    "{count} cash movements in this shift.",
                    report.cash_movements,
                ).format(count=report.cash_movements)
                if report.cash_movements
                else ""
            )
            self._show_no_sale_opens(report.no_sale_opens)
            return
        self.method_model.set_rows(report.cash.methods)
        cash = report.cash
        lines = [
            _("Opening float: {amount}").format(amount=format_money(cash.opening_float_fen)),
            _("Cash received: {amount}; change given: {change}").format(
                amount=format_money(cash.cash_received_fen),
                change=format_money(cash.change_given_fen),
            ),
            _("Cash in: {cash_in}; cash out: {cash_out}").format(
                cash_in=format_money(cash.cash_in_fen), cash_out=format_money(cash.cash_out_fen)
            ),
        ]
        if cash.rounding_fen:
            lines.append(
                _("Cash rounded down to the jiao for customers: {amount}").format(
                    amount=format_money(cash.rounding_fen)
                )
            )
        lines.append(_("Total takings: {amount}").format(amount=format_money(cash.takings_fen)))
        lines.append(
            _("Expected cash: {amount}").format(amount=format_money(cash.expected_cash_fen))
        )
        self.x_cash.setText("\n".join(lines))
        self.x_movements.setText(
            "\n".join(
                f"{format_datetime(m.at, tz)}  "
                + (_("Cash in") if m.kind.value == "cash_in" else _("Cash out"))
                + f"  {format_money(m.amount_fen)}  {m.reason}"
                for m in report.movements
            )
        )
        self._show_no_sale_opens(report.no_sale_opens)

    def _show_no_sale_opens(self, count: int) -> None:
        """The drawer's no-sale openings under the movements (``ui.devices``)."""
        if count:
            from ui.devices.texts import no_sale_text

            lines = [self.x_movements.text(), no_sale_text(count)]
            self.x_movements.setText("\n".join(line for line in lines if line))

    def retranslate_ui(self) -> None:
        self.method_model.retranslate()
