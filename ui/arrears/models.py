"""The small table models of the arrears area: a quote's unpaid bills, the lines of a
payment plan, restore requests with their countdown, the SMS queue, and the history of
one customer's arrears and payments. All are ``RowTableModel``s over the services' rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.i18n import N_, _, format_date, format_datetime, format_money
from app.services.arrears import (
    SMS_STATE_LABELS,
    HistoryEvent,
    ReminderPlan,
    RestoreRow,
    SmsRow,
    SmsState,
)
from app.services.payments import QuoteBill
from ui.arrears.labels import call_result_text, event_text, stage_text
from ui.widgets import ALIGN_RIGHT, Column, Palette, RowTableModel, payment_method_text


class QuoteBillsTableModel(RowTableModel[QuoteBill]):
    """The unpaid bills of a payment quote, oldest first; overdue ones in red."""

    def __init__(self, today: Callable[[], date], parent: Any = None) -> None:
        def overdue(b: QuoteBill) -> QColor | None:
            return Palette.DANGER if b.due_date < today() else None

        super().__init__(
            [
                Column(N_("Bill month"), lambda b: b.period),
                Column(N_("Billed"), lambda b: format_money(b.amount_fen), align=ALIGN_RIGHT),
                Column(
                    N_("Unpaid"),
                    lambda b: format_money(b.outstanding_fen),
                    align=ALIGN_RIGHT,
                    foreground=overdue,
                    bold=lambda b: True,
                ),
                Column(N_("Due"), lambda b: format_date(b.due_date), foreground=overdue),
            ],
            parent,
        )


@dataclass(frozen=True)
class PlanLine:
    """One line of what a payment will record: a label and a value, both computed when
    shown (so they follow the language); ``emphasis`` makes the line bold."""

    label: Callable[[], str]
    value: Callable[[], str]
    emphasis: bool = False
    colour: QColor | None = None


class PlanLinesTableModel(RowTableModel[PlanLine]):
    """The confirmation step: allocations, penalty, prepayment, change, balance after."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                Column(N_("Item"), lambda line: line.label(), bold=lambda line: line.emphasis),
                Column(
                    N_("Value"),
                    lambda line: line.value(),
                    align=ALIGN_RIGHT,
                    bold=lambda line: line.emphasis,
                    foreground=lambda line: line.colour,
                ),
            ],
            parent,
        )


def countdown_text(deadline: datetime, now: datetime) -> str:
    """Time left until ``deadline`` as h:mm:ss, or how long it has been overdue."""
    seconds = int((deadline - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    clock = f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if overdue:
        return _("overdue {time}").format(time=clock)
    return _("{time} left").format(time=clock)


class RestoreTableModel(RowTableModel[RestoreRow]):
    """Services waiting to be restored after full payment, with a live countdown.

    ``now`` is read at paint time; the tab repaints the countdown column every second
    (``tick``), so the table itself is not re-queried.
    """

    COUNTDOWN_COLUMN = 3

    def __init__(self, now: Callable[[], datetime], timezone: str, parent: Any = None) -> None:
        self._now = now

        def late(r: RestoreRow) -> QColor | None:
            return Palette.DANGER if r.deadline_at <= now() else None

        super().__init__(
            [
                Column(N_("Service"), lambda r: r.service_number),
                Column(N_("Customer"), lambda r: r.customer_name_masked),
                Column(N_("Deadline"), lambda r: format_datetime(r.deadline_at, timezone)),
                Column(
                    N_("Time left"),
                    lambda r: countdown_text(r.deadline_at, now()),
                    align=ALIGN_RIGHT,
                    foreground=late,
                    bold=lambda r: r.deadline_at <= now(),
                ),
            ],
            parent,
        )

    def tick(self) -> None:
        if self.rows:
            column = self.COUNTDOWN_COLUMN
            self.dataChanged.emit(
                self.index(0, column),
                self.index(len(self.rows) - 1, column),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )

    def overdue_count(self) -> int:
        now = self._now()
        return sum(1 for r in self.rows if r.deadline_at <= now)


class SmsQueueTableModel(RowTableModel[SmsRow]):
    """Reminder messages in the outbound queue; pending ones wait for the CSV export."""

    def __init__(self, timezone: str, parent: Any = None) -> None:
        def pending(m: SmsRow) -> QColor | None:
            return Palette.WARNING if m.state == SmsState.PENDING else Palette.MUTED

        super().__init__(
            [
                Column(N_("Queued at"), lambda m: format_datetime(m.created_at, timezone)),
                Column(N_("Customer"), lambda m: m.customer_name_masked),
                Column(N_("Phone"), lambda m: m.phone_masked),
                Column(N_("Queue state"), lambda m: sms_state_text(m.state), foreground=pending),
                Column(N_("Message"), lambda m: m.text),
            ],
            parent,
        )


class ReminderPlansTableModel(RowTableModel[ReminderPlan]):
    """The reminder batch before it is queued: each account's message, or why it gets none.

    ``names`` maps account ids to the masked customer names shown in the worklist.
    """

    def __init__(self, names: dict[int, str], parent: Any = None) -> None:
        def refused(p: ReminderPlan) -> QColor | None:
            return Palette.DANGER if p.refusal is not None else None

        def message(p: ReminderPlan) -> str:
            return p.refusal.user_message() if p.refusal is not None else p.text

        super().__init__(
            [
                Column(N_("Customer"), lambda p: names.get(p.account_id, "")),
                Column(N_("Account"), lambda p: p.account_no),
                Column(
                    N_("Reminder"),
                    lambda p: stage_text(p.kind) if p.refusal is None else _("None"),
                    foreground=refused,
                ),
                Column(N_("Phone"), lambda p: p.phone_masked),
                Column(N_("Message"), message, foreground=refused, tooltip=message),
            ],
            parent,
        )


def sms_state_text(state: str) -> str:
    msgid = SMS_STATE_LABELS.get(SmsState(state)) if state in set(SmsState) else None
    return _(msgid) if msgid else state


def history_details(event: HistoryEvent) -> str:
    """The particulars of a history event in one line: what, on which line, until when."""
    parts: list[str] = []
    if event.service_number:
        parts.append(event.service_number)
    if event.kind in ("payment", "void", "reversal"):
        # The receipt number, or the payment's own reference when it had no receipt.
        if event.reference:
            parts.append(event.reference)
        if event.method:
            parts.append(payment_method_text(event.method))
    elif event.reference and event.kind in ("sms_reminder", "second_sms"):
        parts.append(event.reference)
    if event.on_date is not None:
        if event.kind == "phone_call":
            parts.append(_("promised by {date}").format(date=format_date(event.on_date)))
        elif event.kind == "freeze":
            parts.append(_("until {date}").format(date=format_date(event.on_date)))
        elif event.kind == "restore_request":
            parts.append(_("restore by {date}").format(date=format_date(event.on_date)))
    if event.text:
        parts.append(event.text)
    return " · ".join(parts)


def _staff(event: HistoryEvent) -> str:
    if event.approved_by_no:
        return _("{staff_no} (approved by {leader_no})").format(
            staff_no=event.staff_no or "—", leader_no=event.approved_by_no
        )
    return event.staff_no


class HistoryTableModel(RowTableModel[HistoryEvent]):
    """One customer's arrears and payment history, newest first; corrections in red."""

    def __init__(self, timezone: str, parent: Any = None) -> None:
        def amount(e: HistoryEvent) -> str:
            return format_money(e.amount_fen) if e.amount_fen is not None else ""

        def colour(e: HistoryEvent) -> QColor | None:
            if e.amount_fen is not None and e.amount_fen < 0:
                return Palette.DANGER
            if e.kind in ("restrict", "suspend", "pre_terminate"):
                return Palette.WARNING
            return None

        super().__init__(
            [
                Column(N_("When"), lambda e: format_datetime(e.at, timezone)),
                Column(N_("Account"), lambda e: e.account_no),
                Column(N_("Event"), lambda e: event_text(e.kind), foreground=colour),
                Column(N_("Amount"), amount, align=ALIGN_RIGHT, foreground=colour),
                Column(N_("Result"), lambda e: call_result_text(e.result) if e.result else ""),
                Column(N_("Staff"), _staff),
                Column(N_("Details"), history_details),
            ],
            parent,
        )
