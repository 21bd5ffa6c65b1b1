"""Changing one's own password (File menu), and the change a one-time password forces at
the login before anything else."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import HallDeskError, ValidationError
from app.domain.passwords import MIN_PASSWORD_LENGTH, PASSWORD_HISTORY
from app.i18n import _
from app.services.base import Actor
from app.services.staff import PasswordChange, PasswordService
from ui.admin.dialogs import EnterChain
from ui.errors import error_text
from ui.tasks import TaskRunner
from ui.widgets import BusyGuardDialog, Palette, set_text_colour

_FIELDS: Final = {"current": 0, "password": 1, "again": 2}


class ChangePasswordDialog(BusyGuardDialog):
    """Asks for the current password and the new one twice, and changes it in the
    background (scrypt takes a moment). A refusal (a rule, a wrong current password) is
    shown in the dialog, which stays open with what was typed; ``passwordChanged`` is
    emitted and the dialog accepted once the new password is stored.

    ``forced``: the login found a one-time password. The current password is the one just
    typed at the login (``current``), so only the new one is asked for, and the way out is
    to log out (reject), not to carry on.
    """

    passwordChanged = Signal()

    def __init__(
        self,
        passwords: PasswordService,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        forced: bool = False,
        current: str = "",
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setModal(True)
        self._passwords = passwords
        self._actor = actor
        self._forced = forced
        self._tasks = tasks or TaskRunner(self)
        self._error: BaseException | None = None

        self.intro = QLabel(self)
        self.intro.setObjectName("changePasswordIntro")
        self.intro.setWordWrap(True)
        self.current = QLineEdit(self)
        self.current.setObjectName("currentPassword")
        self.new = QLineEdit(self)
        self.new.setObjectName("newPassword")
        self.again = QLineEdit(self)
        self.again.setObjectName("newPasswordAgain")
        for edit in (self.current, self.new, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(128)
        if forced:
            self.current.setText(current)
        self.rules = QLabel(self)
        self.rules.setObjectName("changePasswordRules")
        self.rules.setWordWrap(True)
        set_text_colour(self.rules, Palette.MUTED)
        self.error = QLabel(self)
        self.error.setObjectName("changePasswordError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)

        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(3)]
        for label, field in zip(self._labels, (self.current, self.new, self.again), strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
        if forced:  # the one-time password was just typed at the login
            self.form.setRowVisible(0, False)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("changePasswordOk")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("changePasswordCancel")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        # Enter moves from field to field, and commits from the last one.
        self._enter = EnterChain([self.current, self.new, self.again], self.submit)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.rules)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        (self.new if forced else self.current).setFocus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        if self._forced:
            self.setWindowTitle(_("Choose your own password"))
            self.intro.setText(
                _(
                    "{staff_no} {name}: you logged in with a one-time password. Choose your "
                    "own password now; nothing else can be done before."
                ).format(staff_no=self._actor.staff_no, name=self._actor.name)
            )
            self.cancel_button.setText(_("Log out"))
        else:
            self.setWindowTitle(_("Change password"))
            self.intro.setText(
                _("{staff_no} {name}: change your password.").format(
                    staff_no=self._actor.staff_no, name=self._actor.name
                )
            )
            self.cancel_button.setText(_("Cancel"))
        texts = (_("&Current password:"), _("&New password:"), _("New password &again:"))
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        self.rules.setText(
            _(
                "At least {count} characters, not your staff number, and none of your last "
                "{history} passwords."
            ).format(count=MIN_PASSWORD_LENGTH, history=PASSWORD_HISTORY)
        )
        self.ok_button.setText(_("Change password"))
        self.error.setText(error_text(self._error) if self._error is not None else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def submit(self) -> None:
        if self._busy:
            return
        self._show_error(None)
        change = PasswordChange(self.current.text(), self.new.text(), self.again.text())
        self._busy = True
        self.buttons.setEnabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor)
        self._tasks.run(
            lambda: self._passwords.change_own(self._actor, change),
            on_done=self._changed,
            on_error=self._refused,
        )

    def _changed(self, _result: object) -> None:
        self._idle()
        self.passwordChanged.emit()
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._idle()
        if not isinstance(exc, HallDeskError):
            raise exc
        self._show_error(exc)
        field = exc.field if isinstance(exc, ValidationError) else "current"
        target = {"current": self.current, "again": self.again}.get(field, self.new)
        if self._forced and target is self.current:  # the one-time password: not here
            target = self.new
        target.selectAll()
        target.setFocus()

    def _idle(self) -> None:
        self._busy = False
        self.buttons.setEnabled(True)
        self.unsetCursor()

    def _show_error(self, exc: BaseException | None) -> None:
        self._error = exc
        self.error.setText(error_text(exc) if exc is not None else "")
