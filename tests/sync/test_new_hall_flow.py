"""A real hall from its first start (issue 16, "Done means"), through the widgets, against
a real centre over PostgreSQL:

``halldesk run --new-store`` shows the first-run wizard, which creates the administrator
and enrols the PC with the centre (which holds the hall's customers and bills); the
administrator syncs, adds a clerk and a shift leader; the clerk logs in with the one-time
password, must choose their own, opens a shift and takes a payment; after a sync the
hall's other PC knows the clerk, and once the administrator disabled them and both PCs
synced, the clerk can no longer log in there.

Everything the people do is key presses (Chinese as an input method commits it) and mouse
clicks on the real widgets; the test only reads widgets and the stores to check. It shows
the windows ``ui.app.run_gui`` shows, in its order (wizard, login, main window; the login
again after logging out), one by one, so it can act between them; the hall's second PC is
created from the centre (``halldesk sync init``), as a hall's next PC would be.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app import i18n
from app.centre.local import LocalTransport
from app.centre.service import Centre
from app.services.hall import HallService
from app.services.hall.setup import SetupService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Account, Payment, Staff
from app.sync import registry
from app.sync.service import SyncService
from tests.sync.conftest import load_hall, new_hall_pc
from tests.ui.drive import (
    choose_from_menu,
    click,
    focused,
    gone,
    press,
    type_in,
    wait_dialog,
    wait_focus,
)
from ui.context import AppContext
from ui.first_run import FirstRunWizard
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.qt_settings import QSettingsBackend

ADMIN_PW = "hall-admin-2026"
CLERK_PW = "clerk-own-pw-1"
#: What the centre holds of a hall before its first PC is set up: its customers, their
#: accounts, services and bills (the back office's), and the arrears policy.
CUSTOMER_KINDS = ("grid_unit", "customer", "account", "service", "bill", "arrears_policy_version")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture
def hall_centre(centre: Centre, tiny_demo: Path, monkeypatch: pytest.MonkeyPatch) -> Centre:
    """The centre of hall H1: its customers, accounts and bills, and no staff or counters
    (they are the hall's, made at the hall)."""
    load_hall(centre, "H1", tiny_demo)
    for kind in registry.kinds():
        if kind not in CUSTOMER_KINDS:
            for key in list(centre.records("H1", kind)):
                centre.delete_record("H1", kind, key)
    monkeypatch.setattr(
        SyncService, "transport_factory", staticmethod(lambda _url: LocalTransport(centre))
    )
    return centre


def _enter(qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_Return)


def _tab(qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_Tab)


def run_wizard(qtbot: QtBot, store: Store, code: str) -> FirstRunWizard:
    wizard = FirstRunWizard(SetupService(store), QSettingsBackend(), enrol=SyncService(store).enrol)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    _enter(qtbot)  # the language page: Chinese stays… the test reads English, set above
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.hall_page)
    wait_focus(qtbot, wizard.findChild(QLineEdit, "firstRunHallName"))
    type_in(qtbot, "徐汇漕溪营业厅")
    _tab(qtbot)
    type_in(qtbot, "H1")
    _tab(qtbot)
    type_in(qtbot, "上海市徐汇区漕溪北路100号")
    _tab(qtbot)
    type_in(qtbot, "10000")
    _enter(qtbot)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.counter_page)
    wait_focus(qtbot, wizard.findChild(QLineEdit, "firstRunCounterCode"))
    select_all(qtbot)
    type_in(qtbot, "T01")
    _tab(qtbot)
    type_in(qtbot, "一号台")
    _enter(qtbot)  # the keyboard model: Enter moves on to the PC code,
    _enter(qtbot)  # which keeps its default; on the last field Enter goes Next
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.centre_page)
    wait_focus(qtbot, wizard.findChild(QLineEdit, "firstRunCentreUrl"))
    type_in(qtbot, "https://centre.example.cn")
    _tab(qtbot)
    type_in(qtbot, code)
    _enter(qtbot)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin_page)
    wait_focus(qtbot, wizard.findChild(QLineEdit, "firstRunAdminStaffNo"))
    type_in(qtbot, "GL01")
    _tab(qtbot)
    type_in(qtbot, "顾林")
    _tab(qtbot)
    type_in(qtbot, ADMIN_PW)
    _tab(qtbot)
    type_in(qtbot, ADMIN_PW)
    _enter(qtbot)  # Finish
    qtbot.waitUntil(lambda: wizard.result() == QWizard.DialogCode.Accepted, timeout=20000)
    assert wizard.enrolment_error == "" and wizard.enrolled_device.startswith("D")
    return wizard


def log_in(qtbot: QtBot, store: Store, staff_no: str, password: str) -> LoginDialog:
    login = LoginDialog(AuthService(store), HallService(store).info(), QSettingsBackend())
    qtbot.addWidget(login)
    login.show()
    qtbot.waitExposed(login)
    login.activateWindow()
    wait_focus(qtbot, login.staff_no if not login.staff_no.text() else login.password)
    if focused() is login.staff_no:
        type_in(qtbot, staff_no)
        _tab(qtbot)
    else:  # the last staff number is remembered: replace it
        press(qtbot, Qt.Key.Key_Backtab)
        select_all(qtbot)
        type_in(qtbot, staff_no)
        _tab(qtbot)
    type_in(qtbot, password)
    _enter(qtbot)
    return login


def main_window(qtbot: QtBot, store: Store, login: LoginDialog) -> MainWindow:
    assert login.actor is not None
    ctx = AppContext.create(store, login.actor, QSettingsBackend())
    window = MainWindow(ctx, idle_timeout_ms=0)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def sync_with_f9(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.sync.running, timeout=5000)
    qtbot.waitUntil(lambda: not window.sync.running, timeout=30000)
    assert not window.sync.last_error, window.sync.last_error


def add_member(qtbot: QtBot, admin: QWidget, staff_no: str, name: str, role_steps: int) -> str:
    """In the staff page (focus in the list): Ctrl+N, the fields, OK; the one-time password
    shown, then Esc."""
    wait_focus(qtbot, admin.findChild(QTableView, "staffTable"))
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    edit = wait_dialog(qtbot, "staffEditDialog")
    wait_focus(qtbot, edit.findChild(QLineEdit, "staffNo"))
    type_in(qtbot, staff_no)
    _tab(qtbot)
    type_in(qtbot, name)
    _tab(qtbot)
    for _ in range(role_steps):
        press(qtbot, Qt.Key.Key_Down)
    click(qtbot, edit.ok_button)  # type: ignore[attr-defined]
    shown = wait_dialog(qtbot, "oneTimePasswordDialog")
    password = shown.findChild(QLabel, "oneTimePassword").text()  # type: ignore[union-attr]
    wait_focus(qtbot, shown.findChild(QPushButton, "oneTimePasswordClose"))
    press(qtbot, Qt.Key.Key_Escape)
    gone(qtbot, "oneTimePasswordDialog")
    wait_focus(qtbot, admin.findChild(QTableView, "staffTable"))  # back in the list
    return password


def test_a_new_hall_from_the_wizard_to_a_payment_and_a_disabled_clerk(
    qtbot: QtBot, hall_centre: Centre, tmp_path: Path
) -> None:
    centre = hall_centre
    _device, code = centre.enrol_device("H1")
    store = open_store(sqlite_url(tmp_path / "hall-a.sqlite3"))  # run --new-store
    try:
        assert SetupService(store).needs_setup()
        run_wizard(qtbot, store, code)

        # The administrator logs in and syncs (F9): the hall's customers arrive.
        login = log_in(qtbot, store, "GL01", ADMIN_PW)
        qtbot.waitUntil(lambda: login.actor is not None, timeout=10000)
        admin_window = main_window(qtbot, store, login)
        sync_with_f9(qtbot, admin_window)
        with store.read() as s:
            assert (s.scalar(select(func.count()).select_from(Account)) or 0) > 0

        # Staff: a clerk and a shift leader.
        choose_from_menu(qtbot, admin_window, "menuAdmin", "actionStaffAdmin")
        admin = wait_dialog(qtbot, "staffAdmin")
        wait_focus(qtbot, admin.findChild(QLineEdit, "staffFilter"))
        press(qtbot, Qt.Key.Key_Return)  # into the list
        clerk_otp = add_member(qtbot, admin, "K101", "孔晓", 0)
        leader_otp = add_member(qtbot, admin, "K900", "白班长", 1)
        assert clerk_otp != leader_otp
        press(qtbot, Qt.Key.Key_Escape)  # closes the administration window
        gone(qtbot, "staffAdmin")
        with store.read() as s:
            roles = dict(s.execute(select(Staff.staff_no, Staff.role)).all())
        assert roles == {"GL01": "admin", "K101": "clerk", "K900": "leader"}
        sync_with_f9(qtbot, admin_window)
        choose_from_menu(qtbot, admin_window, "menuFile", "actionLogOut")
        qtbot.waitUntil(lambda: not admin_window.isVisible(), timeout=10000)
        store = open_store(sqlite_url(tmp_path / "hall-a.sqlite3"))  # the window closed it

        # The clerk: the one-time password, then their own, before anything else.
        login = log_in(qtbot, store, "K101", clerk_otp)
        forced = wait_dialog(qtbot, "changePasswordDialog")
        assert login.actor is None
        wait_focus(qtbot, forced.findChild(QLineEdit, "newPassword"))
        type_in(qtbot, "K101")
        _enter(qtbot)
        type_in(qtbot, "K101")
        _enter(qtbot)
        error = forced.findChild(QLabel, "changePasswordError")
        qtbot.waitUntil(lambda: "at least" in error.text() or "staff number" in error.text())  # type: ignore[union-attr]
        wait_focus(qtbot, forced.findChild(QLineEdit, "newPassword"))  # selected again
        type_in(qtbot, CLERK_PW)
        _enter(qtbot)
        select_all(qtbot)
        type_in(qtbot, CLERK_PW)
        _enter(qtbot)
        qtbot.waitUntil(lambda: login.actor is not None, timeout=10000)
        clerk_window = main_window(qtbot, store, login)

        # Open a shift (Shift handover tab, Open shift, one 100-yuan note).
        press_in(qtbot, clerk_window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        open_button = clerk_window.findChild(QPushButton, "openShiftButton")
        qtbot.waitUntil(lambda: open_button is not None and open_button.isEnabled())
        fill_when_open(qtbot, "openShiftDialog", [("openCount_note_100", "1")])
        click(qtbot, open_button)
        qtbot.waitUntil(lambda: "open" in clerk_window.shift_label.text().lower(), timeout=10000)

        # Take a payment: find the customer, pay what the account owes.
        account_no = owing_account(store)
        press_in(qtbot, clerk_window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        search = clerk_window.findChild(QLineEdit, "lookupSearch")
        wait_focus(qtbot, search)
        type_in(qtbot, account_no)
        _enter(qtbot)
        sections = clerk_window.findChild(QTabWidget, "customerSections")
        qtbot.waitUntil(lambda: sections is not None and sections.isVisible(), timeout=10000)
        bar = sections.tabBar()  # type: ignore[union-attr]
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
        pay = clerk_window.findChild(QPushButton, "panelPayButton")
        qtbot.waitUntil(
            lambda: pay is not None and pay.isVisible() and pay.isEnabled(), timeout=10000
        )
        click(qtbot, pay)
        payment = wait_dialog(qtbot, "paymentDialog")
        before = payments_of(store)
        click(qtbot, payment.findChild(QPushButton, "paymentNext"))
        record = payment.findChild(QPushButton, "paymentRecord")
        qtbot.waitUntil(lambda: record is not None and record.isVisible(), timeout=10000)
        click(qtbot, record)
        qtbot.waitUntil(lambda: payments_of(store) == before + 1, timeout=20000)
        status = payment.findChild(QLabel, "paymentReceiptStatus")
        qtbot.waitUntil(lambda: bool(status.text()) and not payment.is_busy(), timeout=30000)  # type: ignore[union-attr, attr-defined]
        assert "print" in status.text().lower(), status.text()  # type: ignore[union-attr]
        close = payment.findChild(QPushButton, "paymentClose")
        click(qtbot, close)
        gone(qtbot, "paymentDialog")
        sync_with_f9(qtbot, clerk_window)
        with store.read() as s:
            paid_id, paid_by = s.execute(
                select(Payment.id, Payment.staff_id).order_by(Payment.paid_at.desc()).limit(1)
            ).one()
        assert paid_by == clerk_window.ctx.actor.staff_id
        assert str(paid_id) in centre.records("H1", "payment")

        # The hall's other PC, set up from the centre: the clerk and the leader are there.
        other = new_hall_pc(centre, "H1", tmp_path / "hall-b.sqlite3", LocalTransport(centre))
        assert AuthService(other.store).login("K101", CLERK_PW).staff_no == "K101"
        assert AuthService(other.store).password_change_due(
            AuthService(other.store).login("K900", leader_otp)
        )
        with other.store.read() as s:
            assert s.get(Payment, paid_id) is not None

        # The administrator disables the clerk at PC A; after the syncs, PC B refuses them.
        choose_from_menu(qtbot, clerk_window, "menuFile", "actionLogOut")
        qtbot.waitUntil(lambda: not clerk_window.isVisible(), timeout=10000)
        store = open_store(sqlite_url(tmp_path / "hall-a.sqlite3"))
        login = log_in(qtbot, store, "GL01", ADMIN_PW)
        qtbot.waitUntil(lambda: login.actor is not None, timeout=10000)
        admin_window = main_window(qtbot, store, login)
        choose_from_menu(qtbot, admin_window, "menuAdmin", "actionStaffAdmin")
        admin = wait_dialog(qtbot, "staffAdmin")
        wait_focus(qtbot, admin.findChild(QLineEdit, "staffFilter"))
        type_in(qtbot, "K101")
        _enter(qtbot)
        press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        confirm = wait_dialog(qtbot, "staffDisableDialog")
        wait_focus(qtbot, confirm.findChild(QLineEdit, "staffDisableDialogReason"))
        type_in(qtbot, "离职")
        _enter(qtbot)
        gone(qtbot, "staffDisableDialog")
        press(qtbot, Qt.Key.Key_Escape)
        gone(qtbot, "staffAdmin")
        sync_with_f9(qtbot, admin_window)
        other.sync.sync()
        refused = log_in(qtbot, other.store, "K101", CLERK_PW)
        qtbot.waitUntil(lambda: bool(refused.message.text()), timeout=10000)
        assert refused.actor is None
        assert "wrong password" in refused.message.text()
        admin_window.close()
        other.store.close()
    finally:
        store.close()


def select_all(qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def press_in(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def fill_when_open(qtbot: QtBot, name: str, fields: list[tuple[str, str]]) -> None:
    """For a dialog the program runs modally (``exec``): type into it once it shows, then
    press its OK button."""

    def step() -> None:
        from tests.ui.drive import visible

        dialog = visible(name)
        if dialog is None:
            QTimer.singleShot(50, step)
            return
        for field_name, text in fields:
            edit = dialog.findChild(QLineEdit, field_name)
            assert edit is not None
            qtbot.keyClicks(edit, text)
        ok = dialog.ok_button  # type: ignore[attr-defined]
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, step)


def payments_of(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Payment)) or 0)


def owing_account(store: Store) -> str:
    """The number of an account that owes something (what the customer tells the clerk)."""
    from app.store.models import AccountLedger

    with store.read() as s:
        number = s.scalars(
            select(Account.number)
            .join(AccountLedger, AccountLedger.account_id == Account.id)
            .where(AccountLedger.owed_fen > 0)
            .order_by(Account.id)
            .limit(1)
        ).first()
    assert number is not None
    return str(number)
