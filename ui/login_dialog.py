"""The login dialog: staff number and password, with the hall and counter of this PC.

It is the first window of a start and is shown before the store is open: this module
imports no service and no SQLAlchemy (``tests/test_architecture.py``), the store opens on
the task worker while the clerk types (``ui.startup``), and :meth:`LoginDialog.store_ready`
hands it the login service and the hall once it is open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AuthenticationError, HallDeskError, ValidationError
from app.i18n import N_, _
from app.settings import LANGUAGE, LAST_STAFF_NO, SettingsBackend
from ui.errors import error_text
from ui.language import apply_language, fill_language_box

if TYPE_CHECKING:  # the dialog shows before these (and SQLAlchemy under them) are imported
    from app.services.base import Actor
    from app.services.hall import HallInfo
    from app.services.staff.auth import AuthService

DEMO_NOTE: Final = N_("Demo store — staff A001 / L001 / ADMIN, password demo")
MUST_CHANGE: Final = N_("Choose your own password to log in: the one-time password is kept.")
OPENING: Final = N_("Opening the data file…")
LOGGING_IN_WHEN_OPEN: Final = N_("Opening the data file… you are logged in as soon as it is open.")

_STYLE: Final = """
#loginHeader { background: #1f4e79; }
#loginHeader QLabel { color: white; }
#loginProduct { font-size: 16pt; font-weight: bold; }
#loginMessage { color: #b3261e; }
#loginMessage[waiting="true"] { color: #5f6368; }
#loginDemoNote { color: #5f6368; }
QLineEdit[invalid="true"] { border: 1px solid #b3261e; border-radius: 2px; padding: 1px; }
"""


def _set_invalid(field: QLineEdit, invalid: bool) -> None:
    field.setProperty("invalid", invalid)
    field.style().unpolish(field)
    field.style().polish(field)


def counter_text(hall: HallInfo) -> str:
    """This PC's counter as the login and the status bar show it: "1号台席（C01）"."""
    if not hall.counter_code:
        return _("No counter assigned to this PC")
    return _("{counter} ({code})").format(counter=hall.counter_name, code=hall.counter_code)


class LoginDialog(QDialog):
    """Asks for a staff number and password and checks them with ``AuthService.login``.

    On acceptance ``actor`` holds the logged-in staff member. Refusals (wrong password,
    locked account, empty field) are shown inline in the current language; the language
    box switches the whole interface at once and remembers the choice.

    Built with ``auth`` and ``hall`` of ``None`` it is the start's first window, shown while
    the store opens: the fields take typing at once, the hall and counter read "Opening the
    data file…", and a login asked for meanwhile (Enter, the button) waits and runs with
    what the fields hold when :meth:`store_ready` arrives. Nothing typed is lost.
    """

    def __init__(
        self,
        auth: AuthService | None,
        hall: HallInfo | None,
        settings: SettingsBackend,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setStyleSheet(_STYLE)
        self.actor: Actor | None = None
        self._auth = auth
        self._hall = hall
        self._settings = settings
        self._error: BaseException | None = None
        #: A login asked for before the store was open: it runs once it is.
        self.login_waiting = False
        #: The forced change of a one-time password, while it is open.
        self.password_dialog: QDialog | None = None

        header = QFrame(self)
        header.setObjectName("loginHeader")
        self._product = QLabel(header)
        self._product.setObjectName("loginProduct")
        self._subtitle = QLabel(header)
        self._language_label = QLabel(header)
        self._language = QComboBox(header)
        self._language.setObjectName("loginLanguage")
        fill_language_box(self._language)
        self._language.currentIndexChanged.connect(self._language_chosen)
        titles = QVBoxLayout()
        titles.addWidget(self._product)
        titles.addWidget(self._subtitle)
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(20, 14, 20, 14)
        header_row.addLayout(titles, 1)
        header_row.addWidget(self._language_label, 0, Qt.AlignmentFlag.AlignTop)
        header_row.addWidget(self._language, 0, Qt.AlignmentFlag.AlignTop)

        self._hall_value = QLabel(self)
        self._hall_value.setObjectName("loginHall")
        self._counter_value = QLabel(self)
        self._counter_value.setObjectName("loginCounter")
        self.staff_no = QLineEdit(self)
        self.staff_no.setObjectName("loginStaffNo")
        self.staff_no.setMaxLength(16)
        self.staff_no.setText(LAST_STAFF_NO.read(settings))
        self.password = QLineEdit(self)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.staff_no.textEdited.connect(lambda _text: self._clear_field(self.staff_no))
        self.password.textEdited.connect(lambda _text: self._clear_field(self.password))

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setHorizontalSpacing(14)
        self._form.setVerticalSpacing(10)
        self._labels = [QLabel(self) for _field in range(4)]
        fields = (self._hall_value, self._counter_value, self.staff_no, self.password)
        for label, field in zip(self._labels, fields, strict=True):
            label.setBuddy(field)
            self._form.addRow(label, field)

        self.message = QLabel(self)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(self.fontMetrics().height() * 2)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._demo_note = QLabel(self)
        self._demo_note.setObjectName("loginDemoNote")
        self._demo_note.setWordWrap(True)
        self._demo_note.setVisible(hall is not None and hall.is_demo)

        self._buttons = QDialogButtonBox(self)
        self.login_button = QPushButton(self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self._quit_button = QPushButton(self)
        self._quit_button.setObjectName("loginQuit")
        self._buttons.addButton(self.login_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self._buttons.addButton(self._quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.clicked.connect(self.try_login)
        self._quit_button.clicked.connect(self.reject)

        body = QVBoxLayout()
        body.setContentsMargins(24, 18, 24, 18)
        body.setSpacing(10)
        body.addLayout(self._form)
        body.addWidget(self.message)
        body.addWidget(self._demo_note)
        body.addWidget(self._buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(header)
        outer.addLayout(body)
        self.setMinimumWidth(440)

        (self.password if self.staff_no.text() else self.staff_no).setFocus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Log in — HallDesk"))
        self._product.setText(_("HallDesk"))
        self._subtitle.setText(_("Business hall counter workbench"))
        self._language_label.setText(_("Language"))
        texts = (_("Hall"), _("Counter"), _("&Staff number"), _("&Password"))
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        if self._hall is None:
            self._hall_value.setText(_(OPENING))
            self._counter_value.setText("")
        else:
            self._hall_value.setText(self._hall.name)
            self._counter_value.setText(counter_text(self._hall))
        self.staff_no.setPlaceholderText(_("e.g. A001"))
        self._demo_note.setText(_(DEMO_NOTE))
        self.login_button.setText(_("Log in"))
        self._quit_button.setText(_("Quit"))
        self._show_message()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def is_ready(self) -> bool:
        """Whether the store is open (a login can be checked now)."""
        return self._auth is not None

    def store_ready(self, auth: AuthService, hall: HallInfo) -> None:
        """The store is open: show its hall and counter, and run a login asked for before."""
        self._auth = auth
        self._hall = hall
        self._demo_note.setVisible(hall.is_demo)
        self.retranslate_ui()
        if self.login_waiting:
            self.login_waiting = False
            self.try_login()

    @Slot()
    def try_login(self) -> None:
        """Check the entered credentials; accept the dialog, or explain the refusal.

        Before the store is open the login waits for it (:meth:`store_ready`)."""
        self._show_error(None)
        if self._auth is None:
            self.login_waiting = True
            self._show_message()
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            actor = self._auth.login(self.staff_no.text(), self.password.text())
        except HallDeskError as exc:
            self._refused(exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        LAST_STAFF_NO.write(self._settings, actor.staff_no)
        if self._auth.password_change_due(actor):
            self._force_password_change(actor, self.password.text())
            return
        self.actor = actor
        self.accept()

    def _force_password_change(self, actor: Actor, one_time: str) -> None:
        """A one-time password: the person chooses their own before anything else; the
        login completes only once it is stored (closing the dialog logs them out)."""
        from app.services.staff import PasswordService
        from ui.admin.password_dialog import ChangePasswordDialog

        assert self._auth is not None  # a login was checked
        dialog = ChangePasswordDialog(
            PasswordService(self._auth.store), actor, self, forced=True, current=one_time
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.password_dialog = dialog
        dialog.passwordChanged.connect(lambda: self._changed_password(actor))
        dialog.rejected.connect(self._password_change_refused)
        dialog.open()

    def _changed_password(self, actor: Actor) -> None:
        self.password_dialog = None
        self.actor = actor
        self.accept()

    def _password_change_refused(self) -> None:
        self.password_dialog = None
        self._show_error(AuthenticationError(MUST_CHANGE))
        self.password.clear()
        self.activateWindow()
        self.password.setFocus()

    def _refused(self, exc: HallDeskError) -> None:
        self._show_error(exc)
        if isinstance(exc, ValidationError) and exc.field == "staff_no":
            _set_invalid(self.staff_no, True)
            self.staff_no.setFocus()
        elif isinstance(exc, ValidationError):
            _set_invalid(self.password, True)
            self.password.setFocus()
        else:
            self.password.clear()
            self.password.setFocus()

    def _show_message(self) -> None:
        waiting = self._error is None and self.login_waiting
        if self.message.property("waiting") != waiting:  # grey, not the refusals' red
            self.message.setProperty("waiting", waiting)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        if self._error is not None:
            self.message.setText(error_text(self._error))
        else:
            self.message.setText(_(LOGGING_IN_WHEN_OPEN) if waiting else "")

    def _show_error(self, exc: BaseException | None) -> None:
        self._error = exc
        self._show_message()
        if exc is None:
            _set_invalid(self.staff_no, False)
            _set_invalid(self.password, False)

    def _clear_field(self, field: QLineEdit) -> None:
        if field.property("invalid"):
            _set_invalid(field, False)

    @Slot(int)
    def _language_chosen(self, index: int) -> None:
        code = self._language.itemData(index)
        if not code:
            return
        app = QApplication.instance()
        if app is not None:
            code = apply_language(app, code)
        LANGUAGE.write(self._settings, code)
