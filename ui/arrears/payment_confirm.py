"""The second page of the payment dialog: exactly what will be recorded, from
``PaymentService.prepare``'s plan, line by line in the order the payment settles them: the
bills, the penalty (and what of it stays owed), any prepayment; the cash rounding written
off for the customer, the change, the balance after, the services it restores.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.identity import mask_phone
from app.i18n import _, format_money, ngettext
from app.services.base import Actor
from app.services.customers import ServiceView
from app.services.payments import (
    PaymentPlan,
)
from ui.arrears.models import PlanLine, PlanLinesTableModel
from ui.widgets import (
    Palette,
    configure_table,
    heading_label,
    payment_method_text,
    set_text_colour,
)


class PaymentConfirmPage(QWidget):
    """The confirmation of a plan; a refusal to record it shows under the plan."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentConfirm")
        self.confirm_title = heading_label(self, point_delta=3)
        self.confirm_intro = QLabel(self)
        self.confirm_intro.setWordWrap(True)
        self.plan_model = PlanLinesTableModel(self)
        self.plan_table = QTableView(self)
        self.plan_table.setObjectName("paymentPlan")
        self.plan_table.setModel(self.plan_model)
        configure_table(self.plan_table)
        self.plan_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.plan_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plan_table.setAlternatingRowColors(False)
        self.plan_table.setShowGrid(True)
        header = self.plan_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.confirm_error = QLabel(self)
        self.confirm_error.setObjectName("paymentRecordError")
        self.confirm_error.setWordWrap(True)
        set_text_colour(self.confirm_error, Palette.DANGER)
        self.confirm_error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.confirm_title)
        layout.addWidget(self.confirm_intro)
        layout.addWidget(self.plan_table, 1)
        layout.addWidget(self.confirm_error)

    def fill_plan(
        self,
        plan: PaymentPlan,
        waiver: tuple[Actor, str] | None,
        services: tuple[ServiceView, ...],
    ) -> None:
        """The plan line by line, in the order the payment settles them."""
        request = plan.request
        lines: list[PlanLine] = []
        for allocation in plan.allocations:
            lines.append(
                PlanLine(
                    lambda a=allocation: _("Bill {month}").format(month=a.period),
                    lambda a=allocation: format_money(a.amount_fen),
                )
            )
        if plan.penalty_fen:
            lines.append(
                PlanLine(lambda: _("Late-payment penalty"), lambda: format_money(plan.penalty_fen))
            )
        if plan.penalty_owed_after_fen:
            lines.append(
                PlanLine(
                    lambda: _("Penalty still owed (the bills are paid first)"),
                    lambda: format_money(plan.penalty_owed_after_fen),
                    colour=Palette.WARNING,
                )
            )
        if waiver is not None and plan.waived_penalty_fen:
            leader, _reason = waiver
            lines.append(
                PlanLine(
                    lambda: _("Late-payment penalty waived (approved by {staff_no})").format(
                        staff_no=leader.staff_no
                    ),
                    lambda: format_money(plan.waived_penalty_fen),
                    colour=Palette.MUTED,
                )
            )
        if plan.prepayment_fen:
            lines.append(
                PlanLine(
                    lambda: _("Prepayment (credit on the account)"),
                    lambda: format_money(plan.prepayment_fen),
                )
            )
        if plan.rounding_fen:
            lines.append(
                PlanLine(
                    lambda: _("Total settled"),
                    lambda: format_money(request.amount_fen),
                )
            )
            lines.append(
                PlanLine(
                    lambda: _("Cash rounded down to the jiao (in the customer's favour)"),
                    lambda: "-" + format_money(plan.rounding_fen),
                    colour=Palette.INFO,
                )
            )
        lines.append(
            PlanLine(
                lambda: _("Total received"),
                lambda: format_money(plan.cash_fen),
                emphasis=True,
            )
        )
        lines.append(PlanLine(lambda: _("Method"), lambda: payment_method_text(request.method)))
        if request.reference:
            lines.append(PlanLine(lambda: _("Reference"), lambda: request.reference))
        if request.tendered_fen is not None:
            tendered = request.tendered_fen
            lines.append(PlanLine(lambda: _("Cash tendered"), lambda: format_money(tendered)))
            lines.append(
                PlanLine(
                    lambda: _("Change to give"),
                    lambda: format_money(plan.change_fen),
                    emphasis=True,
                    colour=Palette.OK,
                )
            )
        lines.append(
            PlanLine(
                lambda: _("Balance after payment"),
                lambda: _balance_text(plan.balance_after_fen),
                colour=Palette.DANGER if plan.balance_after_fen < 0 else None,
            )
        )
        if plan.restores:
            numbers = _service_numbers(services, plan.restores)
            lines.append(
                PlanLine(
                    lambda: ngettext(
                        "Service to be restored", "Services to be restored", len(numbers)
                    ),
                    lambda: ", ".join(numbers),
                    colour=Palette.INFO,
                )
            )
        self.plan_model.set_rows(lines)

    def show_error(self, text: str) -> None:
        self.confirm_error.setText(text)
        self.confirm_error.show()

    def clear_error(self) -> None:
        self.confirm_error.hide()

    def retranslate_ui(self) -> None:
        self.confirm_title.setText(_("Check before recording"))
        self.confirm_intro.setText(
            _(
                "This is exactly what will be recorded. A recorded payment cannot be edited; "
                "a mistake is corrected by a void within the same shift."
            )
        )
        self.plan_model.retranslate()


def _balance_text(fen: int) -> str:
    if fen < 0:
        return _("still owes {amount}").format(amount=format_money(-fen))
    if fen > 0:
        return _("credit {amount}").format(amount=format_money(fen))
    return format_money(0)


def _service_numbers(services: tuple[ServiceView, ...], service_ids: tuple[int, ...]) -> list[str]:
    by_id = {s.service_id: mask_phone(s.number) for s in services}
    return [by_id.get(sid, "") for sid in service_ids]
