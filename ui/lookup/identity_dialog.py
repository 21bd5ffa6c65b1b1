"""The identity check before personal data is shown: a document seen, or the service password.

The check is a write (an identity-check row and an audit event, for failures too), so it
runs on the context's task worker; the dialog waits with its buttons disabled.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.store.models import VerificationMethod
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import BusyGuardDialog, Palette, set_text_colour


class IdentityCheckDialog(BusyGuardDialog):
    """Records how the customer at the counter proved their identity.

    Accepted only after the service confirmed the check; ``verified_method`` and
    ``verified_at`` then say how and when. A wrong password keeps the dialog open and says
    that the attempt was recorded.
    """

    def __init__(
        self,
        ctx: AppContext,
        customer_id: int,
        customer_name: str,
        has_service_password: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("identityDialog")
        self.setModal(True)
        self._ctx = ctx
        self._customer_id = customer_id
        self._customer_name = customer_name
        self._has_password = has_service_password
        self.verified_method: VerificationMethod | None = None
        self.verified_at: datetime | None = None

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.document_radio = QRadioButton(self)
        self.document_radio.setObjectName("identityMethodDocument")
        self.document_note = QLineEdit(self)
        self.document_note.setObjectName("identityDocumentNote")
        self.document_note.setMaxLength(200)
        self.password_radio = QRadioButton(self)
        self.password_radio.setObjectName("identityMethodPassword")
        self.password = QLineEdit(self)
        self.password.setObjectName("identityPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(32)
        self.password_hint = QLabel(self)
        self.password_hint.setWordWrap(True)
        set_text_colour(self.password_hint, Palette.MUTED)
        self.error = QLabel(self)
        self.error.setObjectName("identityError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()

        self._methods = QButtonGroup(self)
        self._methods.addButton(self.password_radio)
        self._methods.addButton(self.document_radio)
        if has_service_password:
            self.password_radio.setChecked(True)
        else:
            self.password_radio.setEnabled(False)
            self.document_radio.setChecked(True)
        self._methods.buttonToggled.connect(self._update_fields)
        self.password.textEdited.connect(self._clear_error)
        self.document_note.textEdited.connect(self._clear_error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.setColumnMinimumWidth(0, 24)
        grid.addWidget(self.password_radio, 0, 0, 1, 2)
        grid.addWidget(self.password, 1, 1)
        grid.addWidget(self.password_hint, 2, 1)
        grid.addWidget(self.document_radio, 3, 0, 1, 2)
        grid.addWidget(self.document_note, 4, 1)
        grid.setVerticalSpacing(8)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(6)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(500)

        self._update_fields()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Verify identity"))
        self.intro.setText(
            _(
                "Check that the person at the counter is {name} before showing personal data."
            ).format(name=self._customer_name)
        )
        self.password_radio.setText(_("Service password typed by the customer"))
        self.password.setPlaceholderText(_("Service password"))
        self.password_hint.setText(
            _("Hand the keyboard or keypad to the customer; do not ask them to say it aloud.")
            if self._has_password
            else _("This customer has no service password; check an identity document instead.")
        )
        self.document_radio.setText(_("Identity document seen"))
        self.document_note.setPlaceholderText(
            _("Which document, for example resident ID card (required)")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Verify"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        # Wrapped texts change height with the language; size for the new wording.
        self.adjustSize()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def method(self) -> VerificationMethod:
        if self.password_radio.isChecked():
            return VerificationMethod.SERVICE_PASSWORD
        return VerificationMethod.DOCUMENT

    def submit(self) -> None:
        """Ask the service to check and record the identity proof (on the task worker)."""
        if self._busy:
            return
        method = self.method()
        password = self.password.text()
        note = self.document_note.text()
        customers, actor, customer_id = self._ctx.customers, self._ctx.actor, self._customer_id
        self._set_busy(True)
        self._ctx.tasks.run(
            lambda: customers.verify_identity(
                actor, customer_id, method, service_password=password, document_note=note
            ),
            on_done=lambda ok: self._checked(method, bool(ok)),
            on_error=self._failed,
        )

    def _checked(self, method: VerificationMethod, ok: bool) -> None:
        self._set_busy(False)
        if ok:
            self.verified_method = method
            self.verified_at = datetime.now(UTC)
            self.accept()
            return
        self.password.clear()
        self._show_error(_("The service password is wrong. The failed attempt has been recorded."))
        self.password.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_error(error_text(exc))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.hide()

    def _update_fields(self) -> None:
        by_password = self.password_radio.isChecked()
        self.password.setEnabled(by_password)
        self.document_note.setEnabled(not by_password)
        self._clear_error()
        (self.password if by_password else self.document_note).setFocus()
