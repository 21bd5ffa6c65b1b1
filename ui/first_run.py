"""The first-run wizard: sets a new store up for this hall, counter and first administrator.

Shown by ``ui.app.run_gui`` when the store is new (``SetupService.needs_setup``); the demo
store already has its hall and never shows it. Pages: language (switches the interface at
once), hall (printed on receipts), counter and PC, centre, first administrator. Each page
checks its fields with the service's own checks before moving on and says why in the
user's language; nothing typed is lost on a refusal. Finishing writes everything through
``SetupService.set_up`` in one transaction. When an enrolment code was given, the new
administrator then enrols this PC with the centre (``enrol``, normally
``SyncService.enrol``); a failure there does not undo the set-up: it is kept in
``enrolment_error`` for the caller to show, and enrolling can be done later. The login
dialog follows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.errors import HallDeskError, ValidationError
from app.i18n import _
from app.services.base import Actor
from app.services.hall.setup import (
    MIN_PASSWORD_LENGTH,
    AdminDetails,
    CentreDetails,
    CounterDetails,
    HallDetails,
    SetupRequest,
    SetupService,
    clean_admin,
    clean_centre,
    clean_counter,
    clean_hall,
)
from app.settings import LANGUAGE, SettingsBackend
from ui.errors import error_text
from ui.language import apply_language, fill_language_box

log = logging.getLogger(__name__)

#: Enrols this PC: (administrator, centre URL, one-time code) -> the device code.
Enrol = Callable[[Actor, str, str], str]

_STYLE: Final = """
QLabel[role="error"] { color: #b3261e; }
QLineEdit[invalid="true"] { border: 1px solid #b3261e; border-radius: 2px; padding: 1px; }
"""


class _FormPage(QWizardPage):
    """A page with a form of line edits, an error line, and field-named validation."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.form = QFormLayout()
        self.error = QLabel(self)
        self.error.setObjectName(f"{name}Error")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.error)
        self.fields: dict[str, QLineEdit] = {}
        self._labels: dict[str, QLabel] = {}

    def add_field(self, key: str, object_name: str, *, password: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(object_name)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(lambda _text, e=edit: self._mark(e, False))
        label = QLabel(self)
        label.setBuddy(edit)
        self.form.addRow(label, edit)
        self.fields[key] = edit
        self._labels[key] = label
        return edit

    def set_label(self, key: str, text: str) -> None:
        self._labels[key].setText(text)

    def text(self, key: str) -> str:
        return self.fields[key].text()

    def show_error(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        if isinstance(exc, ValidationError) and exc.field in self.fields:
            edit = self.fields[exc.field]
            self._mark(edit, True)
            edit.setFocus()

    def clear_error(self) -> None:
        self.error.clear()
        for edit in self.fields.values():
            self._mark(edit, False)

    def check(self, action: Callable[[], object]) -> bool:
        """Run ``action``; a refusal is shown on this page and keeps the user here."""
        self.clear_error()
        try:
            action()
        except HallDeskError as exc:
            self.show_error(exc)
            return False
        return True

    @staticmethod
    def _mark(edit: QLineEdit, invalid: bool) -> None:
        if edit.property("invalid") == invalid:
            return
        edit.setProperty("invalid", invalid)
        edit.style().unpolish(edit)
        edit.style().polish(edit)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        raise NotImplementedError


class LanguagePage(_FormPage):
    def __init__(self, settings: SettingsBackend, parent: QWidget | None = None) -> None:
        super().__init__("firstRunLanguagePage", parent)
        self._settings = settings
        self.language = QComboBox(self)
        self.language.setObjectName("firstRunLanguage")
        fill_language_box(self.language)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self._language_label = QLabel(self)
        self._language_label.setBuddy(self.language)
        self.form.addRow(self._language_label, self.language)
        self.retranslate_ui()

    def _language_chosen(self, _index: int) -> None:
        code = self.language.currentData()
        app = QApplication.instance()
        if isinstance(code, str) and app is not None:
            LANGUAGE.write(self._settings, apply_language(app, code))

    def code(self) -> str:
        code = self.language.currentData()
        return code if isinstance(code, str) else ""

    def retranslate_ui(self) -> None:
        self.setTitle(_("Welcome to HallDesk"))
        self.setSubTitle(
            _(
                "This PC has no hall yet. The next pages set up the hall, this counter and "
                "the first administrator. Choose the language first."
            )
        )
        self._language_label.setText(_("&Language:"))


class HallPage(_FormPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("firstRunHallPage", parent)
        self.add_field("hall_name", "firstRunHallName").setMaxLength(100)
        self.add_field("hall_code", "firstRunHallCode").setMaxLength(16)
        self.add_field("address", "firstRunAddress").setMaxLength(200)
        self.add_field("hotline", "firstRunHotline").setMaxLength(20)
        self.fields["hotline"].setText("10000")
        self.retranslate_ui()

    def details(self) -> HallDetails:
        return HallDetails(
            self.text("hall_name"),
            self.text("hall_code"),
            self.text("address"),
            self.text("hotline"),
        )

    def validatePage(self) -> bool:
        return self.check(lambda: clean_hall(self.details()))

    def retranslate_ui(self) -> None:
        self.setTitle(_("The hall"))
        self.setSubTitle(_("The name, address and hotline are printed on every receipt."))
        self.set_label("hall_name", _("Hall &name:"))
        self.set_label("hall_code", _("Hall &code:"))
        self.set_label("address", _("&Address:"))
        self.set_label("hotline", _("Service &hotline:"))


class CounterPage(_FormPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("firstRunCounterPage", parent)
        self.add_field("counter_code", "firstRunCounterCode").setMaxLength(16)
        self.add_field("counter_name", "firstRunCounterName").setMaxLength(50)
        self.add_field("device_code", "firstRunDeviceCode").setMaxLength(16)
        self.fields["counter_code"].setText("C01")
        self.fields["device_code"].setText("PC01")
        self.retranslate_ui()

    def details(self) -> CounterDetails:
        return CounterDetails(
            self.text("counter_code"), self.text("counter_name"), self.text("device_code")
        )

    def validatePage(self) -> bool:
        return self.check(lambda: clean_counter(self.details()))

    def retranslate_ui(self) -> None:
        self.setTitle(_("This counter"))
        self.setSubTitle(_("The counter this PC stands at. Receipt numbers carry the PC's code."))
        self.set_label("counter_code", _("Counter c&ode:"))
        self.set_label("counter_name", _("Counter &name:"))
        self.set_label("device_code", _("&PC code:"))


class CentrePage(_FormPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("firstRunCentrePage", parent)
        self.add_field("centre_url", "firstRunCentreUrl").setMaxLength(300)
        self.add_field("enrolment_code", "firstRunEnrolmentCode").setMaxLength(64)
        self.fields["centre_url"].setPlaceholderText("https://")
        self.retranslate_ui()

    def details(self) -> CentreDetails:
        return CentreDetails(self.text("centre_url"), self.text("enrolment_code"))

    def validatePage(self) -> bool:
        return self.check(lambda: clean_centre(self.details()))

    def retranslate_ui(self) -> None:
        self.setTitle(_("The centre"))
        self.setSubTitle(
            _(
                "Where this hall syncs, and the enrolment code from the centre's "
                "administrator. Both can be left empty and entered later; the hall works "
                "offline until then."
            )
        )
        self.set_label("centre_url", _("Centre &address:"))
        self.set_label("enrolment_code", _("&Enrolment code:"))


class AdminPage(_FormPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("firstRunAdminPage", parent)
        self.add_field("staff_no", "firstRunAdminStaffNo").setMaxLength(16)
        self.add_field("admin_name", "firstRunAdminName").setMaxLength(50)
        self.add_field("password", "firstRunAdminPassword", password=True)
        self.add_field("password_again", "firstRunAdminPasswordAgain", password=True)
        self.retranslate_ui()

    def details(self) -> AdminDetails:
        return AdminDetails(
            self.text("staff_no"),
            self.text("admin_name"),
            self.text("password"),
            self.text("password_again"),
        )

    def validatePage(self) -> bool:
        wizard = self.wizard()
        if not isinstance(wizard, FirstRunWizard):
            return False
        if wizard.actor is not None:  # already written (validated twice): never set up twice
            return True
        if not self.check(lambda: clean_admin(self.details())):
            return False
        return self.check(wizard.set_up)

    def retranslate_ui(self) -> None:
        self.setTitle(_("The first administrator"))
        self.setSubTitle(
            _(
                "The administrator logs in next and adds the other staff. The password "
                "needs at least {count} characters."
            ).format(count=MIN_PASSWORD_LENGTH)
        )
        self.set_label("staff_no", _("&Staff number:"))
        self.set_label("admin_name", _("&Name:"))
        self.set_label("password", _("&Password:"))
        self.set_label("password_again", _("Password &again:"))


class FirstRunWizard(QWizard):
    """Collects the set-up and writes it with ``SetupService.set_up`` on Finish.

    ``actor`` is the new administrator once the wizard was accepted (None if cancelled).
    """

    def __init__(
        self,
        service: SetupService,
        settings: SettingsBackend,
        parent: QWidget | None = None,
        *,
        enrol: Enrol | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setStyleSheet(_STYLE)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.actor: Actor | None = None
        self.enrolled_device = ""
        self.enrolment_error = ""
        self._service = service
        self._enrol = enrol
        self.language_page = LanguagePage(settings, self)
        self.hall_page = HallPage(self)
        self.counter_page = CounterPage(self)
        self.centre_page = CentrePage(self)
        self.admin_page = AdminPage(self)
        for page in (
            self.language_page,
            self.hall_page,
            self.counter_page,
            self.centre_page,
            self.admin_page,
        ):
            self.addPage(page)
        self.resize(620, 440)
        self.retranslate_ui()

    def request(self) -> SetupRequest:
        return SetupRequest(
            hall=self.hall_page.details(),
            counter=self.counter_page.details(),
            centre=self.centre_page.details(),
            language=self.language_page.code(),
            admin=self.admin_page.details(),
        )

    def set_up(self) -> Actor:
        self.actor = self._service.set_up(self.request())
        self._enrol_with_centre(self.actor)
        return self.actor

    def _enrol_with_centre(self, actor: Actor) -> None:
        centre = clean_centre(self.centre_page.details())
        if not centre.enrolment_code or self._enrol is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.enrolled_device = self._enrol(actor, centre.url, centre.enrolment_code)
        except Exception as exc:  # the set-up stands; any failure is reported, not raised
            log.warning("enrolment with %s failed after set-up: %s", centre.url, exc)
            self.enrolment_error = error_text(exc)
        finally:
            QApplication.restoreOverrideCursor()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Set up HallDesk"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("&Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< &Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
