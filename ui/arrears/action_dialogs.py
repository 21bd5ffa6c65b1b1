"""Small dialogs of the arrears ladder: a dispute freeze (with a shift leader's credential),
the reminder batch, a phone call's result, and marking a service restored (built on
``ui.service_dialogs``).

Each dialog checks what was typed, then runs the service call on the context's task worker
(the calls write: the step, its audit event, the outbox) with its buttons disabled; a
refusal is shown inside the dialog in the user's language and the dialog stays open. The
dialog is accepted only once the service said yes; ``outcome`` then holds its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import parse_amount
from app.i18n import _, format_money, ngettext
from app.services.arrears import ReminderPlan
from app.services.base import Actor
from app.store.models.arrears import CallResult
from ui.arrears.labels import call_result_text, yuan_text
from ui.arrears.models import ReminderPlansTableModel
from ui.context import AppContext
from ui.service_dialogs import (
    LeaderDialog,
    ServiceDialog,
    pydate,
    qdate,
)
from ui.widgets import (
    Palette,
    configure_table,
    set_column_widths,
    set_text_colour,
)


class FreezeDialog(LeaderDialog):
    """A dispute freeze: the amount in dispute, a reason, the expiry date, and a leader.

    The call is ``freeze(leader, amount_fen, reason, expires_on)``.
    """

    def __init__(
        self,
        ctx: AppContext,
        account_no: str,
        overdue_fen: int,
        today: date,
        action: Callable[[Actor, int, str, date], Any],
        parent: QWidget | None = None,
    ) -> None:
        self._account_no = account_no
        self._overdue_fen = overdue_fen
        self._today = today
        self._freeze = action
        super().__init__(
            ctx,
            self._describe_freeze,
            action=lambda leader, reason: None,
            reason=True,
            parent=parent,
        )
        self.setObjectName("freezeDialog")

    def build_fields(self) -> None:
        self.amount = QLineEdit(self)
        self.amount.setObjectName("freezeAmount")
        self.amount.setMaxLength(20)
        if self._overdue_fen > 0:
            self.amount.setText(yuan_text(self._overdue_fen))
        self.amount_label = QLabel(self)
        self.expires = QDateEdit(self)
        self.expires.setObjectName("freezeExpires")
        self.expires.setCalendarPopup(True)
        self.expires.setMinimumDate(qdate(self._today + timedelta(days=1)))
        self.expires.setDate(qdate(self._today + timedelta(days=30)))
        self.expires_label = QLabel(self)
        self.form.addRow(self.amount_label, self.amount)
        self.form.addRow(self.expires_label, self.expires)
        self.amount.textEdited.connect(self.clear_error)

    def collect_input(self) -> Any:
        # The service checks the amount against what is owed and the expiry against the
        # policy's limit; the form only makes sure both are readable.
        return parse_amount(self.amount.text(), field="amount"), pydate(self.expires.date())

    def call_action(
        self, action: Callable[..., Any], leader: Actor, reason: str, payload: Any
    ) -> Any:
        amount, expires = payload
        return self._freeze(leader, amount, reason, expires)

    def _describe_freeze(self) -> str:
        return _(
            "Freeze a disputed amount of account {account}: it is kept out of the reminder "
            "ladder until the expiry date. Overdue now: {overdue}."
        ).format(account=self._account_no, overdue=format_money(self._overdue_fen))

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Dispute freeze"))
        self.amount_label.setText(_("Amount in dispute (yuan):"))
        self.expires_label.setText(_("Frozen until:"))


class ReminderBatchDialog(ServiceDialog):
    """The reminders about to be queued, one per selected account, each rendered from the
    hall's template (or the reason it cannot go); OK queues them (``send``)."""

    def __init__(
        self,
        ctx: AppContext,
        plans: Sequence[ReminderPlan],
        names: dict[int, str],
        send: Callable[[], Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("reminderDialog")
        self._plans = list(plans)
        self._send = send
        self.model = ReminderPlansTableModel(names, self)
        self.model.set_rows(self._plans)
        self.table = QTableView(self)
        self.table.setObjectName("reminderPlans")
        self.table.setModel(self.model)
        configure_table(self.table)
        set_column_widths(self.table, (8, 12, 14, 12, 60))
        self.table.setMinimumHeight(200)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        set_text_colour(self.note, Palette.MUTED)
        self.form.addRow(self.table)
        self.form.addRow(self.note)
        self.setMinimumWidth(900)
        self.ok_button.setEnabled(self.ready_count() > 0)
        self.retranslate_ui()

    def ready_count(self) -> int:
        return sum(1 for p in self._plans if p.refusal is None)

    def collect(self) -> Callable[[], Any]:
        return self._send

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        self.ok_button.setEnabled(not busy and self.ready_count() > 0)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        count, ready = len(self._plans), self.ready_count()
        self.setWindowTitle(_("Send reminders"))
        self.intro.setText(
            ngettext(
                "{ready} of {count} selected account will get an SMS reminder.",
                "{ready} of {count} selected accounts will get an SMS reminder.",
                count,
            ).format(ready=ready, count=count)
        )
        self.note.setText(
            _(
                "Each message is written from the hall's template with the customer's name, "
                "the amount owed and the deadline. It waits in the SMS queue until the queue "
                "is exported for the SMS platform; nothing is sent from this PC."
            )
        )
        self.ok_button.setText(_("Queue reminders"))
        self.model.retranslate()


class CallLogDialog(ServiceDialog):
    """The result of a phone call: promised to pay (by a date), refused, unreachable, or a
    wrong number, with a note. The call is ``log(result, promised_on, note)``."""

    def __init__(
        self,
        ctx: AppContext,
        account_no: str,
        customer: str,
        today: date,
        log: Callable[[CallResult, date | None, str], Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("callDialog")
        self._account_no = account_no
        self._customer = customer
        self._today = today
        self._log = log
        self.results = QButtonGroup(self)
        self.result_buttons: dict[CallResult, QRadioButton] = {}
        box = QVBoxLayout()
        for result in CallResult:
            button = QRadioButton(self)
            button.setObjectName(f"callResult_{result.value}")
            self.results.addButton(button)
            self.result_buttons[result] = button
            box.addWidget(button)
        self.result_buttons[CallResult.PROMISED].setChecked(True)
        self.result_label = QLabel(self)
        self.promised = QDateEdit(self)
        self.promised.setObjectName("callPromisedOn")
        self.promised.setCalendarPopup(True)
        self.promised.setMinimumDate(qdate(today))
        self.promised.setDate(qdate(today + timedelta(days=3)))
        self.promised_label = QLabel(self)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("callNote")
        self.note.setFixedHeight(self.fontMetrics().height() * 4)
        self.note_label = QLabel(self)
        self.form.addRow(self.result_label, box)
        self.form.addRow(self.promised_label, self.promised)
        self.form.addRow(self.note_label, self.note)
        self.results.buttonToggled.connect(self._update_fields)
        self._update_fields()
        self.retranslate_ui()

    def chosen_result(self) -> CallResult:
        return next(r for r, b in self.result_buttons.items() if b.isChecked())

    def _update_fields(self) -> None:
        self.promised.setEnabled(self.chosen_result() is CallResult.PROMISED)
        self.clear_error()

    def collect(self) -> Callable[[], Any]:
        # The date and the note's length are the service's rules; it explains a refusal.
        result = self.chosen_result()
        promised = pydate(self.promised.date()) if result is CallResult.PROMISED else None
        note = self.note.toPlainText().strip()
        log = self._log
        return lambda: log(result, promised, note)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Log a phone call"))
        self.intro.setText(
            _("Phone call about account {account} ({customer}).").format(
                account=self._account_no, customer=self._customer
            )
        )
        self.result_label.setText(_("Result:"))
        for result, button in self.result_buttons.items():
            button.setText(call_result_text(result))
        self.promised_label.setText(_("Promised to pay by:"))
        self.note_label.setText(_("Note:"))
        self.ok_button.setText(_("Record call"))


class RestoreDialog(ServiceDialog):
    """Confirms that a service is back on in the operator's system (``restore()``)."""

    def __init__(
        self,
        ctx: AppContext,
        account_no: str,
        service_number: str,
        restore: Callable[[], Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("restoreDialog")
        self._account_no = account_no
        self._service_number = service_number
        self._restore = restore
        self.retranslate_ui()

    def collect(self) -> Callable[[], Any]:
        return self._restore

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Mark restored"))
        self.intro.setText(
            _(
                "Mark service {service} of account {account} as restored? Do this once the "
                "line works again in the operator's system; the time is recorded."
            ).format(service=self._service_number, account=self._account_no)
        )
        self.ok_button.setText(_("Mark restored"))
