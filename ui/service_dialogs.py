"""The dialogs every tab's actions share: ``ServiceDialog`` (OK runs one service call on
the task worker, with its buttons disabled, a refusal shown inside the dialog in the
user's language, the dialog kept open), and ``LeaderDialog`` (a shift leader's staff
number and password, with a reason, approving one action). The arrears ladder's own
dialogs are in ``ui.arrears.action_dialogs``; shifts, complaints, the counter's devices,
sync and the administration build theirs on these.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.arrears import ArrearsRuleError
from app.domain.errors import ValidationError
from app.i18n import N_, _
from app.services.base import Actor
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import BusyGuardDialog, Palette, heading_label, set_text_colour

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


def reason_text(edit: QLineEdit, field: str = "reason") -> str:
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
        reason = reason_text(self.reason) if self._wants_reason else ""
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
