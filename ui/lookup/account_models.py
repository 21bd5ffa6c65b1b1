"""Table models of one account in the customer panel: services, bills and payments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtGui import QColor

from app.domain.ledger import BillState, SettledBill
from app.i18n import N_, format_date, format_datetime, format_money
from app.services.customers import PaymentView, ServiceView
from ui.widgets import (
    ALIGN_RIGHT,
    Column,
    Palette,
    RowTableModel,
    bill_state_text,
    payment_method_text,
    service_kind_text,
    service_status_colour,
    service_status_text,
)


class ServicesTableModel(RowTableModel[ServiceView]):
    """The lines of an account: kind, number, plan and status (coloured by severity)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                Column(N_("Service"), lambda s: service_kind_text(s.kind)),
                Column(N_("Number"), lambda s: s.number),
                Column(N_("Plan"), lambda s: s.plan),
                Column(
                    N_("Status"),
                    lambda s: service_status_text(s.status),
                    foreground=lambda s: service_status_colour(s.status),
                    bold=lambda s: s.status != "normal",
                ),
            ],
            parent,
        )


def is_overdue(bill: SettledBill, today: date) -> bool:
    return bill.outstanding_fen > 0 and bill.bill.due_date < today


class BillsTableModel(RowTableModel[SettledBill]):
    """Recent bills, newest first, with the paid state derived by the ledger.

    ``today`` is the hall's business date, asked at paint time so a panel left open past
    midnight still marks a bill overdue on the right day.
    """

    def __init__(self, today: Callable[[], date], parent: Any = None) -> None:
        def state_colour(b: SettledBill) -> QColor | None:
            if b.state is BillState.PAID:
                return Palette.OK
            return Palette.DANGER if is_overdue(b, today()) else Palette.WARNING

        def amount_colour(b: SettledBill) -> QColor | None:
            return Palette.DANGER if b.huge_charge else None

        super().__init__(
            [
                Column(N_("Period"), lambda b: b.bill.period),
                Column(
                    N_("Amount"),
                    lambda b: format_money(b.bill.amount_fen),
                    align=ALIGN_RIGHT,
                    foreground=amount_colour,
                    bold=lambda b: b.huge_charge,
                ),
                Column(N_("Issued"), lambda b: format_date(b.bill.issue_date)),
                Column(N_("Due"), lambda b: format_date(b.bill.due_date)),
                Column(
                    N_("State"),
                    lambda b: bill_state_text(b.state, is_overdue(b, today())),
                    foreground=state_colour,
                    bold=lambda b: is_overdue(b, today()),
                ),
                Column(
                    N_("Outstanding"),
                    lambda b: format_money(b.outstanding_fen) if b.outstanding_fen else "",
                    align=ALIGN_RIGHT,
                ),
            ],
            parent,
        )


class PaymentsTableModel(RowTableModel[PaymentView]):
    """Recent payments, newest first; times in the hall's time zone, reversals in red."""

    def __init__(self, timezone: str, parent: Any = None) -> None:
        super().__init__(
            [
                Column(N_("Paid at"), lambda p: format_datetime(p.paid_at, timezone)),
                Column(
                    N_("Amount"),
                    lambda p: format_money(p.amount_fen),
                    align=ALIGN_RIGHT,
                    foreground=lambda p: Palette.DANGER if p.amount_fen < 0 else None,
                ),
                Column(N_("Method"), lambda p: payment_method_text(p.method)),
                Column(N_("Reference"), lambda p: p.reference),
                Column(N_("Receipt no."), lambda p: p.receipt_no),
            ],
            parent,
        )
