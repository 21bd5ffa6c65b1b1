"""Small dialogs of the arrears ladder: a shift leader's credential (with a reason), the
reminder batch, a phone call's result, a dispute freeze, and marking a service restored.

Each dialog checks what was typed, then runs the service call on the context's task worker
(the calls write: the step, its audit event, the outbox) with its buttons disabled; a
refusal is shown inside the dialog in the user's language and the dialog stays open. The
dialog is accepted only once the service said yes; ``outcome`` then holds its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Final

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.arrears import ArrearsRuleError
from app.domain.errors import ValidationError
from app.domain.money import parse_amount
from app.i18n import N_, _, format_money, ngettext
from app.services.arrears import ReminderPlan
from app.services.base import Actor
from app.store.models.arrears import CallResult
from ui.arrears.labels import call_result_text, yuan_text
from ui.arrears.models import ReminderPlansTableModel
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import (
    BusyGuardDialog,
    Palette,
    configure_table,
    heading_label,
    set_column_widths,
    set_text_colour,
)

#: The longest reason the services keep (``penalty_waiver.reason`` holds 200 characters).
MAX_REASON: Final = 200
#: The narrowest a service dialog opens (wider when its form needs it).
MIN_WIDTH: Final = 520

REASON_REQUIRED: Final = N_("Enter a reason.")


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ServiceDialog(BusyGuardDialog):
    """A dialog whose OK runs one service call in the background.

    Subclasses build their fields into ``self.form`` and implement ``collect()``: it reads
    and checks the fields (raising ``ValidationError``, shown inline) and returns the call
    to run on the worker. ``outcome`` is what the call returned.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(True)
        self._ctx = ctx
        self.outcome: Any = None

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setVerticalSpacing(8)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(MIN_WIDTH)

    def showEvent(self, event: QShowEvent) -> None:
        # An explicit minimum width overrides the layout's, so a form wider than MIN_WIDTH
        # (the shift close's count grid beside its card totals) would clip: widen to it.
        layout = self.layout()
        if layout is not None:
            self.setMinimumWidth(max(MIN_WIDTH, layout.minimumSize().width()))
        super().showEvent(event)

    # -- for subclasses -----------------------------------------------------------------------

    def collect(self) -> Callable[[], Any]:
        """Check the fields and return the call to run (raise ``ValidationError``)."""
        raise NotImplementedError

    def finished_ok(self, outcome: Any) -> None:
        """The call succeeded: keep its answer and close."""
        self.outcome = outcome
        self.accept()

    def retranslate_ui(self) -> None:
        self.ok_button.setText(_("OK"))
        self.cancel_button.setText(_("Cancel"))

    # -- running ------------------------------------------------------------------------------

    def submit(self) -> None:
        if self._busy:
            return
        self.clear_error()
        try:
            call = self.collect()
        except ValidationError as exc:
            self.show_error(exc.user_message())
            return
        self._set_busy(True)
        self._ctx.tasks.run(call, on_done=self._done, on_error=self._failed)

    def _done(self, outcome: Any) -> None:
        self._set_busy(False)
        self.finished_ok(outcome)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_failure(exc)

    def show_failure(self, exc: BaseException) -> None:
        if isinstance(exc, ArrearsRuleError):
            self.show_error(_("Refused: {reason}").format(reason=exc.user_message()))
        else:
            self.show_error(error_text(exc))

    def is_busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def clear_error(self) -> None:
        self.error.hide()
        self.error.clear()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def _reason_text(edit: QLineEdit, field: str = "reason") -> str:
    text = edit.text().strip()
    if not text:
        raise ValidationError(field, REASON_REQUIRED)
    return text


class LeaderDialog(ServiceDialog):
    """A shift leader approves one action with their staff number and password.

    ``action(leader, reason)`` runs in the background right after the credential was
    checked (``AuthService.leader_credential``), so a refusal by the rules appears here,
    where the leader is looking. Without an action the dialog just returns the ``Actor``
    (the payment dialog holds it for the waiver). ``reason`` asks for a required reason.
    ``describe`` gives the translated sentence of what is being approved.
    """

    def __init__(
        self,
        ctx: AppContext,
        describe: Callable[[], str],
        *,
        action: Callable[[Actor, str], Any] | None = None,
        reason: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("leaderDialog")
        self._describe = describe
        self._action = action
        self.leader: Actor | None = None
        self.reason_text = ""
        self.build_fields()

        self.reason = QLineEdit(self)
        self.reason.setObjectName("leaderReason")
        self.reason.setMaxLength(MAX_REASON)
        self.reason_label = QLabel(self)
        if reason:
            self.form.addRow(self.reason_label, self.reason)
        else:
            self.reason.hide()
            self.reason_label.hide()
        self._wants_reason = reason

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.leader_heading = heading_label(self, point_delta=0)
        self.staff_no = QLineEdit(self)
        self.staff_no.setObjectName("leaderStaffNo")
        self.staff_no.setMaxLength(16)
        self.password = QLineEdit(self)
        self.password.setObjectName("leaderPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(64)
        self.staff_no_label = QLabel(self)
        self.password_label = QLabel(self)
        self.form.addRow(line)
        self.form.addRow(self.leader_heading)
        self.form.addRow(self.staff_no_label, self.staff_no)
        self.form.addRow(self.password_label, self.password)
        for edit in (self.staff_no, self.password, self.reason):
            edit.textEdited.connect(self.clear_error)
        self.retranslate_ui()

    def build_fields(self) -> None:
        """Subclasses add their own rows above the reason and the credential."""

    def collect_input(self) -> Any:
        """Subclasses check their own fields; the value is handed to the action."""
        return None

    def collect(self) -> Callable[[], Any]:
        payload = self.collect_input()
        reason = _reason_text(self.reason) if self._wants_reason else ""
        staff_no = self.staff_no.text().strip()
        password = self.password.text()
        if not staff_no:
            raise ValidationError("staff_no", N_("Enter the shift leader's staff number."))
        if not password:
            raise ValidationError("password", N_("Enter the shift leader's password."))
        self.reason_text = reason
        auth, action = self._ctx.auth, self._action

        def run() -> Any:
            leader = auth.leader_credential(staff_no, password)
            if action is None:
                return leader
            return leader, self.call_action(action, leader, reason, payload)

        return run

    def call_action(
        self, action: Callable[..., Any], leader: Actor, reason: str, payload: Any
    ) -> Any:
        return action(leader, reason)

    def finished_ok(self, outcome: Any) -> None:
        if isinstance(outcome, Actor):
            self.leader, value = outcome, outcome
        else:
            self.leader, value = outcome
        self.password.clear()
        super().finished_ok(value)

    def show_failure(self, exc: BaseException) -> None:
        self.password.clear()
        super().show_failure(exc)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Shift leader's approval"))
        self.intro.setText(self._describe())
        self.reason_label.setText(_("Reason:"))
        self.reason.setPlaceholderText(_("Why (kept in the audit log)"))
        self.leader_heading.setText(_("Shift leader"))
        self.staff_no_label.setText(_("Staff number:"))
        self.password_label.setText(_("Password:"))
        self.ok_button.setText(_("Approve"))


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
