"""The first-run wizard: a new store is set up page by page, then its administrator logs in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app import i18n
from app.domain.errors import AuthenticationError
from app.i18n import N_
from app.services.base import Actor
from app.services.hall import HallService
from app.services.hall.setup import SETTING_CENTRE_URL, SETTING_LANGUAGE, SetupService
from app.services.staff.auth import AuthService
from app.settings import LANGUAGE
from app.store.database import Store, open_store, sqlite_url
from app.sync.service import SyncService
from tests.ui.drive import run_gui_driven, visible
from ui.first_run import FirstRunWizard
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.qt_settings import QSettingsBackend

HAN = re.compile(r"[\u4e00-\u9fff]")
ADMIN, PASSWORD = "ADM1", "first-admin-pw"

FIELDS = {
    "firstRunHallName": "浦东世纪大道营业厅",
    "firstRunHallCode": "pd-01",
    "firstRunAddress": "上海市浦东新区世纪大道1号",
    "firstRunHotline": "10000",
    "firstRunCounterCode": "C02",
    "firstRunCounterName": "2号台席",
    "firstRunDeviceCode": "PC02",
    "firstRunCentreUrl": "https://centre.example.cn",
    "firstRunEnrolmentCode": "ENROL-7788",
    "firstRunAdminStaffNo": ADMIN.lower(),
    "firstRunAdminName": "王管理",
    "firstRunAdminPassword": PASSWORD,
    "firstRunAdminPasswordAgain": PASSWORD,
}


@pytest.fixture
def new_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(sqlite_url(tmp_path / "hall.sqlite3"))
    yield store
    store.close()


class Enrolments:
    """Stands in for ``SyncService.enrol``: records the calls, answers or fails."""

    def __init__(self) -> None:
        self.calls: list[tuple[Actor, str, str]] = []
        self.failure: Exception | None = None

    def __call__(self, actor: Actor, url: str, code: str) -> str:
        self.calls.append((actor, url, code))
        if self.failure is not None:
            raise self.failure
        return "PD01-07"


@pytest.fixture
def enrolments() -> Enrolments:
    return Enrolments()


@pytest.fixture
def wizard(qtbot: QtBot, new_store: Store, enrolments: Enrolments) -> FirstRunWizard:
    wiz = FirstRunWizard(SetupService(new_store), QSettingsBackend(), enrol=enrolments)
    qtbot.addWidget(wiz)
    wiz.show()
    qtbot.waitExposed(wiz)
    return wiz


def field(wizard: QWidget, name: str) -> QLineEdit:
    edit = wizard.findChild(QLineEdit, name)
    assert isinstance(edit, QLineEdit), name
    return edit


def fill_page(wizard: FirstRunWizard) -> None:
    page = wizard.currentPage()
    for name, value in FIELDS.items():
        edit = page.findChild(QLineEdit, name)
        if edit is not None:
            edit.setText(value)


def error_of(wizard: FirstRunWizard) -> str:
    page = wizard.currentPage()
    label = page.findChild(QLabel, f"{page.objectName()}Error")
    assert isinstance(label, QLabel)
    return label.text()


def test_fill_the_wizard_then_log_in_as_the_new_administrator(
    qtbot: QtBot, wizard: FirstRunWizard, new_store: Store, enrolments: Enrolments
) -> None:
    assert wizard.objectName() == "firstRunWizard"
    assert HAN.search(wizard.windowTitle())
    assert wizard.currentPage().objectName() == "firstRunLanguagePage"
    wizard.next()

    # An empty hall name is refused on its page, in Chinese, and nothing typed is lost.
    assert wizard.currentPage().objectName() == "firstRunHallPage"
    field(wizard, "firstRunHallCode").setText("PD-01")
    wizard.next()
    assert wizard.currentPage().objectName() == "firstRunHallPage"
    assert HAN.search(error_of(wizard))
    assert field(wizard, "firstRunHallName").property("invalid") is True
    assert field(wizard, "firstRunHallCode").text() == "PD-01"
    fill_page(wizard)
    wizard.next()

    assert wizard.currentPage().objectName() == "firstRunCounterPage"
    assert field(wizard, "firstRunDeviceCode").text() == "PC01"  # a sensible default
    fill_page(wizard)
    wizard.next()

    assert wizard.currentPage().objectName() == "firstRunCentrePage"
    field(wizard, "firstRunCentreUrl").setText("centre.example.cn")
    wizard.next()
    assert wizard.currentPage().objectName() == "firstRunCentrePage"
    assert error_of(wizard)
    fill_page(wizard)
    wizard.next()

    assert wizard.currentPage().objectName() == "firstRunAdminPage"
    fill_page(wizard)
    field(wizard, "firstRunAdminPasswordAgain").setText(PASSWORD + "x")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.isVisible() and HAN.search(error_of(wizard))
    assert SetupService(new_store).needs_setup()
    field(wizard, "firstRunAdminPasswordAgain").setText(PASSWORD)
    wizard.button(QWizard.WizardButton.FinishButton).click()

    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.actor is not None and wizard.actor.staff_no == ADMIN
    hall = HallService(new_store).info()
    assert (hall.code, hall.counter_code, hall.device_code) == ("PD-01", "C02", "PC02")
    assert HallService(new_store).setting(SETTING_CENTRE_URL) == "https://centre.example.cn"
    # The new administrator enrolled the PC with the code given on the centre page.
    assert enrolments.calls == [(wizard.actor, "https://centre.example.cn", "ENROL-7788")]
    assert (wizard.enrolled_device, wizard.enrolment_error) == ("PD01-07", "")

    login = LoginDialog(AuthService(new_store), hall, QSettingsBackend())
    qtbot.addWidget(login)
    login.show()
    login.staff_no.setText(ADMIN)
    login.password.setText(PASSWORD)
    login.login_button.click()
    assert login.actor is not None
    assert (login.actor.staff_no, login.actor.role.value) == (ADMIN, "admin")


def test_choosing_english_switches_the_wizard_and_is_remembered(
    qtbot: QtBot, wizard: FirstRunWizard, new_store: Store
) -> None:
    box = wizard.language_page.language
    box.setCurrentIndex(box.findData("en"))
    qtbot.waitUntil(lambda: wizard.windowTitle() == "Set up HallDesk")
    assert i18n.current_language() == "en"
    assert LANGUAGE.read(QSettingsBackend()) == "en"
    wizard.next()
    assert wizard.currentPage().title() == "The hall"
    for _ in range(3):
        fill_page(wizard)
        wizard.next()
    fill_page(wizard)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted, (
        wizard.currentPage().objectName(),
        error_of(wizard),
    )
    assert HallService(new_store).setting(SETTING_LANGUAGE) == "en"


def test_a_failed_enrolment_keeps_the_set_up_and_says_why(
    qtbot: QtBot, wizard: FirstRunWizard, new_store: Store, enrolments: Enrolments
) -> None:
    enrolments.failure = AuthenticationError(N_("Unknown staff number or wrong password."))
    for _ in range(4):
        fill_page(wizard)
        wizard.next()
    fill_page(wizard)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert len(enrolments.calls) == 1 and wizard.enrolled_device == ""
    assert HAN.search(wizard.enrolment_error)
    assert not SetupService(new_store).needs_setup()


def test_no_enrolment_code_means_no_enrolment(
    qtbot: QtBot, wizard: FirstRunWizard, enrolments: Enrolments
) -> None:
    for _ in range(4):
        fill_page(wizard)
        if wizard.currentPage() is wizard.centre_page:
            field(wizard, "firstRunEnrolmentCode").clear()
        wizard.next()
    fill_page(wizard)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert enrolments.calls == []


class FakeCentre:
    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        assert (endpoint, body["code"]) == ("enrol", "ENROL-7788")
        return {"device_code": "PD01-07", "credential": "device-secret", "hall_code": "PD-01"}


def test_run_gui_on_a_new_store_sets_it_up_then_logs_in(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SyncService, "transport_factory", staticmethod(lambda url: FakeCentre()))

    seen: list[str] = []

    def step() -> None:
        wizard = visible("firstRunWizard")
        if isinstance(wizard, FirstRunWizard):
            if wizard.currentPage() is wizard.admin_page:
                fill_page(wizard)
                wizard.button(QWizard.WizardButton.FinishButton).click()
            else:
                fill_page(wizard)
                wizard.next()
            return
        login = visible("loginDialog")
        if isinstance(login, LoginDialog) and "login" not in seen:
            seen.append("login")
            login.staff_no.setText(ADMIN)
            login.password.setText(PASSWORD)
            login.login_button.click()
            return
        window = visible("mainWindow")
        if isinstance(window, MainWindow) and "window" not in seen:
            seen.append("window")
            seen.append(window.ctx.actor.staff_no)
            window.close()

    run_gui_driven(tmp_path / "real.sqlite3", step, every_ms=30)
    assert seen == ["login", "window", ADMIN]
    store = open_store(sqlite_url(tmp_path / "real.sqlite3"))
    try:
        assert HallService(store).info().device_code == "PD01-07"  # the centre's code
        assert SyncService(store).status().enrolled
    finally:
        store.close()


def test_cancelling_the_wizard_leaves_the_store_new(qtbot: QtBot, tmp_path: Path) -> None:
    from ui.app import run_gui

    def cancel() -> None:
        wizard = visible("firstRunWizard")
        if wizard is not None:
            wizard.reject()

    driver = QTimer()
    driver.timeout.connect(cancel)
    driver.start(30)
    try:
        assert run_gui(tmp_path / "cancelled.sqlite3") == 0
    finally:
        driver.stop()
    store = open_store(sqlite_url(tmp_path / "cancelled.sqlite3"))
    try:
        assert SetupService(store).needs_setup()
    finally:
        store.close()
