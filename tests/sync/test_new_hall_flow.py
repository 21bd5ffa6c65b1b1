"""A real hall from its first start (issue 16, "Done means"), through the widgets, against
a real centre over PostgreSQL:

``halldesk run --new-store`` shows the first-run wizard, which creates the administrator
and enrols the PC with the centre (which holds the hall's customers and bills); the
administrator syncs, adds a clerk and a shift leader; the clerk logs in with the one-time
password, must choose their own, opens a shift, takes a payment, closes the shift with a
blind count and hands it over; the leader logs in the same way, countersigns the handover,
closes the hall's day and exports the hall day report to Excel, and the workbook read
back with openpyxl shows the payment; after a sync the hall's other PC knows the clerk,
and once the administrator disabled them and both PCs synced, the clerk can no longer log
in there.

Everything the people do is key presses (Chinese as an input method commits it) and mouse
clicks on the real widgets (in the dialogs the program runs modally too:
``tests.ui.drive.driving_modal``); the test only reads widgets, the stores and the
workbook to check. It shows the windows ``ui.app.run_gui`` shows, in its order (wizard,
login, main window; the login again after logging out), one by one, so it can act between
them; the hall's second PC is created from the centre (``halldesk sync init``), as a hall's
next PC would be. One test, in phases (the functions after it), because each phase starts
from what the last one left.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
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
from app.documents.workbook import YUAN_FORMAT
from app.domain.cash import DENOMINATIONS
from app.i18n import format_money
from app.services.hall import HallService
from app.services.hall.setup import SetupService
from app.services.payments.plan import method_label
from app.services.staff.auth import AuthService
from app.store import sync_registry as registry
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Account, AuditEvent, Payment, Staff
from app.store.models.shifts import CashShift, HallDayClose
from app.sync.service import SyncService
from tests.sync.conftest import Hall, load_hall, new_hall_pc
from tests.ui.drive import (
    Wait,
    choose_from_menu,
    click,
    click_into,
    driving_modal,
    focused,
    gone,
    press,
    type_in,
    visible,
    wait_dialog,
    wait_focus,
)
from ui.context import AppContext
from ui.first_run import FirstRunWizard
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.qt_settings import QSettingsBackend
from ui.reports.dialog import ExportReportDialog

ADMIN_PW = "hall-admin-2026"
CLERK_PW = "clerk-own-pw-1"
LEADER_PW = "leader-own-pw-1"
#: The float the clerk counts into the drawer at the opening and leaves at the close.
FLOAT_FEN = 100_00
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


def test_a_new_hall_from_the_wizard_to_the_leaders_workbook_and_a_disabled_clerk(
    qtbot: QtBot, hall_centre: Centre, tmp_path: Path
) -> None:
    centre = hall_centre
    _device, code = centre.enrol_device("H1")
    pc = HallPc(tmp_path / "hall-a.sqlite3")  # run --new-store
    try:
        assert SetupService(pc.store).needs_setup()
        run_wizard(qtbot, pc.store, code)
        one_time = admin_adds_a_clerk_and_a_leader(qtbot, pc)
        paid = clerk_takes_a_payment_and_closes_the_shift(qtbot, pc, centre, *one_time)
        leader_closes_the_day_and_exports_it(qtbot, pc, one_time[1], paid, tmp_path)
        other = other_pc_knows_the_staff_and_the_day(centre, paid, tmp_path)
        try:
            disabled_clerk_cannot_log_in_at_the_other_pc(qtbot, pc, other)
        finally:
            other.store.close()
    finally:
        pc.store.close()


# -- the phases, in their order ------------------------------------------------------------


@dataclass
class HallPc:
    """PC A's store: each window closes it when its user logs out, the next login opens it."""

    path: Path
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self.store = open_store(sqlite_url(self.path))

    def log_in(
        self, qtbot: QtBot, staff_no: str, password: str, own_password: str = ""
    ) -> MainWindow:
        """Log in; with ``own_password``, the one-time password's forced change first."""
        login = log_in(qtbot, self.store, staff_no, password)
        if own_password:
            forced = wait_dialog(qtbot, "changePasswordDialog")
            assert login.actor is None  # nothing before the change
            choose_own_password(qtbot, forced, own_password)
        qtbot.waitUntil(lambda: login.actor is not None, timeout=10000)
        return main_window(qtbot, self.store, login)

    def log_out(self, qtbot: QtBot, window: MainWindow) -> None:
        choose_from_menu(qtbot, window, "menuFile", "actionLogOut")
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
        self.store = open_store(sqlite_url(self.path))  # the window closed it


@dataclass(frozen=True)
class Paid:
    """The clerk's payment as the store holds it."""

    payment_id: uuid.UUID
    amount_fen: int
    drawer_fen: int  # what it put into the drawer (the amount less any cash rounding)
    method: str
    day: date  # the hall's business date


def admin_adds_a_clerk_and_a_leader(qtbot: QtBot, pc: HallPc) -> tuple[str, str]:
    """The administrator logs in and syncs (F9: the hall's customers arrive), adds a clerk
    and a shift leader, syncs and logs out. Returns their one-time passwords."""
    admin_window = pc.log_in(qtbot, "GL01", ADMIN_PW)
    sync_with_f9(qtbot, admin_window)
    with pc.store.read() as s:
        assert (s.scalar(select(func.count()).select_from(Account)) or 0) > 0

    choose_from_menu(qtbot, admin_window, "menuAdmin", "actionStaffAdmin")
    admin = wait_dialog(qtbot, "staffAdmin")
    wait_focus(qtbot, admin.findChild(QLineEdit, "staffFilter"))
    press(qtbot, Qt.Key.Key_Return)  # into the list
    clerk_otp = add_member(qtbot, admin, "K101", "孔晓", 0)
    leader_otp = add_member(qtbot, admin, "K900", "白班长", 1)
    assert clerk_otp != leader_otp
    press(qtbot, Qt.Key.Key_Escape)  # closes the administration window
    gone(qtbot, "staffAdmin")
    with pc.store.read() as s:
        roles = dict(s.execute(select(Staff.staff_no, Staff.role)).all())
    assert roles == {"GL01": "admin", "K101": "clerk", "K900": "leader"}
    sync_with_f9(qtbot, admin_window)
    pc.log_out(qtbot, admin_window)
    return clerk_otp, leader_otp


def clerk_takes_a_payment_and_closes_the_shift(
    qtbot: QtBot, pc: HallPc, centre: Centre, clerk_otp: str, leader_otp: str
) -> Paid:
    """The clerk logs in with the one-time password and must choose their own (their staff
    number is refused), opens a shift, takes a payment and syncs; then closes the shift with
    a blind count and hands it over: the handover saved and signed as the outgoing clerk
    (the leader, still holding a one-time password, cannot sign it yet)."""
    login = log_in(qtbot, pc.store, "K101", clerk_otp)
    forced = wait_dialog(qtbot, "changePasswordDialog")
    assert login.actor is None
    wait_focus(qtbot, forced.findChild(QLineEdit, "newPassword"))
    type_in(qtbot, "K101")
    _enter(qtbot)
    type_in(qtbot, "K101")
    _enter(qtbot)
    error = forced.findChild(QLabel, "changePasswordError")
    qtbot.waitUntil(lambda: "at least" in error.text() or "staff number" in error.text())  # type: ignore[union-attr]
    choose_own_password(qtbot, forced, CLERK_PW)  # the new password is selected again
    qtbot.waitUntil(lambda: login.actor is not None, timeout=10000)
    clerk_window = main_window(qtbot, pc.store, login)

    # Open a shift (Shift handover tab, Open shift, one 100-yuan note).
    press_in(qtbot, clerk_window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    open_button = clerk_window.findChild(QPushButton, "openShiftButton")
    qtbot.waitUntil(lambda: open_button is not None and open_button.isEnabled())
    with driving_modal(qtbot, count_the_float(qtbot)):
        click(qtbot, open_button)
    qtbot.waitUntil(lambda: "open" in clerk_window.shift_label.text().lower(), timeout=10000)

    # Take a payment: find the customer, pay what the account owes.
    account_no = owing_account(pc.store)
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
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible() and pay.isEnabled(), timeout=10000)
    click(qtbot, pay)
    payment = wait_dialog(qtbot, "paymentDialog")
    before = payments_of(pc.store)
    click(qtbot, payment.findChild(QPushButton, "paymentNext"))
    record = payment.findChild(QPushButton, "paymentRecord")
    qtbot.waitUntil(lambda: record is not None and record.isVisible(), timeout=10000)
    click(qtbot, record)
    qtbot.waitUntil(lambda: payments_of(pc.store) == before + 1, timeout=20000)
    status = payment.findChild(QLabel, "paymentReceiptStatus")
    qtbot.waitUntil(lambda: bool(status.text()) and not payment.is_busy(), timeout=30000)  # type: ignore[union-attr, attr-defined]
    assert "print" in status.text().lower(), status.text()  # type: ignore[union-attr]
    click(qtbot, payment.findChild(QPushButton, "paymentClose"))
    gone(qtbot, "paymentDialog")
    sync_with_f9(qtbot, clerk_window)  # unsynced payments would refuse the close
    paid = last_payment(pc.store)
    with pc.store.read() as s:
        assert s.get(Payment, paid.payment_id).staff_id == clerk_window.ctx.actor.staff_id  # type: ignore[union-attr]
    assert str(paid.payment_id) in centre.records("H1", "payment")

    # Close the shift: a blind count of the drawer (the float and the payment's cash).
    press_in(qtbot, clerk_window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    close_button = clerk_window.findChild(QPushButton, "closeShiftButton")
    qtbot.waitUntil(lambda: close_button is not None and close_button.isEnabled())
    with driving_modal(qtbot, count_the_drawer(qtbot, FLOAT_FEN + paid.drawer_fen)):
        click(qtbot, close_button)
    qtbot.waitUntil(lambda: "no shift open" in clerk_window.shift_label.text().lower())

    # The handover page comes up: save it and sign as the outgoing clerk.
    pages = clerk_window.findChild(QTabWidget, "shiftPages")
    assert pages is not None and page_name(pages.currentWidget()) == "handoverPage"
    heading = clerk_window.findChild(QLabel, "handoverShiftLabel")
    assert heading is not None and "K101" in heading.text() and "not written yet" in heading.text()
    click(qtbot, clerk_window.findChild(QPushButton, "saveHandoverButton"))
    qtbot.waitUntil(lambda: "revision 1" in heading.text(), timeout=10000)
    sign_handover(qtbot, clerk_window, "signOutgoingButton", "K101", CLERK_PW)
    # The leader, who has not logged in yet, cannot take it with the one-time password.
    refused = "K900 has a one-time password"
    sign_handover(qtbot, clerk_window, "signIncomingButton", "K900", leader_otp, refused)
    incoming = clerk_window.findChild(QLabel, "signatureIncoming")
    assert incoming is not None and incoming.text() == "not signed"
    clerk_window.ctx.tasks.wait()  # the store's backup after the close
    pc.log_out(qtbot, clerk_window)
    return paid


def leader_closes_the_day_and_exports_it(
    qtbot: QtBot, pc: HallPc, leader_otp: str, paid: Paid, tmp_path: Path
) -> None:
    """The shift leader logs in (one-time password, then their own), takes the handover as
    the incoming side, with the administrator's countersign (the three signatures are three
    people: in a hall of one clerk the day's last handover goes to the leader), closes the
    hall's day on the Hall day page, syncs, and exports the hall day report of that day
    from Reports → Leader's reports; the workbook, read back, shows the payment."""
    leader_window = pc.log_in(qtbot, "K900", leader_otp, own_password=LEADER_PW)
    press_in(qtbot, leader_window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    pages = leader_window.findChild(QTabWidget, "shiftPages")
    assert pages is not None
    choose_tab(qtbot, pages, "handoverPage")
    sign_handover(qtbot, leader_window, "signIncomingButton", "K900", LEADER_PW)
    sign_handover(qtbot, leader_window, "signLeaderButton", "GL01", ADMIN_PW)
    heading = leader_window.findChild(QLabel, "handoverShiftLabel")
    qtbot.waitUntil(lambda: "signed and locked" in heading.text(), timeout=10000)  # type: ignore[union-attr]

    # The hall day: the clerk's closed shift with the payment; close the day.
    choose_tab(qtbot, pages, "hallDayPage")
    table = leader_window.findChild(QTableView, "hallDayTable")
    assert table is not None
    model = table.model()
    assert model.rowCount() == 1
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[1] == "孔晓 (K101)" and row[4] == format_money(paid.amount_fen), row
    assert row[7] == "Balanced" and row[9] == "Signed and locked", row
    activate(qtbot, leader_window)  # back from the signature's dialog
    has_keyboard = click_into(qtbot, leader_window.findChild(QLineEdit, "closeDayNote"))
    qtbot.waitUntil(lambda: bool(has_keyboard()))
    type_in(qtbot, "今日平稳")
    click(qtbot, leader_window.findChild(QPushButton, "closeDayButton"))
    status = leader_window.findChild(QLabel, "hallDayStatus")
    qtbot.waitUntil(lambda: "Day closed by 白班长" in status.text(), timeout=10000)  # type: ignore[union-attr]
    sync_with_f9(qtbot, leader_window)

    # Reports → Leader's reports: the hall day report, today; Browse… then Ctrl+S.
    choose_from_menu(qtbot, leader_window, "menuReports", "actionExportReport")
    dialog = wait_dialog(qtbot, "exportReportDialog")
    assert isinstance(dialog, ExportReportDialog)
    wait_focus(qtbot, dialog.kind)
    assert dialog.kind.currentText() == "Hall day report"
    target = tmp_path / "leader" / "hall-day.xlsx"
    target.parent.mkdir()
    dialog.chooser = lambda _parent, _title, _suggested: str(target)
    press(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    wait_focus(qtbot, dialog.period)
    press(qtbot, Qt.Key.Key_Home)  # the first period: today
    assert dialog.period.currentText() == "Today"
    qtbot.waitUntil(
        lambda: dialog.report is not None and dialog.report.book.start == paid.day,  # type: ignore[attr-defined]
        timeout=20000,
    )
    assert (dialog.report.book.start, dialog.report.book.end) == (paid.day, paid.day)  # type: ignore[attr-defined]
    click(qtbot, dialog.browse_button)
    assert dialog.file.text() == str(target)
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Saved" in dialog.message.text()
    check_the_workbook(target, pc.store, paid)
    press(qtbot, Qt.Key.Key_Escape)
    gone(qtbot, "exportReportDialog")
    with pc.store.read() as s:
        exported = s.scalars(
            select(AuditEvent.staff_id).where(AuditEvent.action == "report_exported")
        ).all()
    assert list(exported) == [leader_window.ctx.actor.staff_id]
    leader_window.ctx.tasks.wait()
    pc.log_out(qtbot, leader_window)


def check_the_workbook(path: Path, store: Store, paid: Paid) -> None:
    """The hall day report's workbook: the payment's amount under its method and under the
    clerk, and each table's total the day's takings in the store."""
    with store.read() as s:
        day_fen = int(s.scalar(select(func.sum(Payment.amount_fen))) or 0)
    assert day_fen == paid.amount_fen  # the hall's only payment so far
    book = openpyxl.load_workbook(path)

    def rows(sheet: str) -> dict[object, dict[str, Any]]:
        """The sheet's rows by their first cell (a day as a date), each cell by header."""
        ws = book[sheet]
        assert ws.freeze_panes == "A2"
        header = [c.value for c in ws[1]]
        found: dict[object, dict[str, Any]] = {}
        for r in ws.iter_rows(min_row=2):
            first = r[0].value
            found[first.date() if isinstance(first, datetime) else first] = dict(
                zip(header, r, strict=True)
            )
        return found

    def yuan(cell: Any) -> int:
        assert cell.number_format == YUAN_FORMAT, cell.number_format
        return round(cell.value * 100)

    methods = rows("Takings per payment method")
    label = method_label(paid.method)
    assert label in methods and "Total" in methods, set(methods)
    taken = {name: yuan(row["Takings"]) for name, row in methods.items() if name != "Total"}
    assert taken == {name: paid.amount_fen if name == label else 0 for name in taken}
    assert yuan(methods["Total"]["Takings"]) == day_fen
    clerks = rows("Takings per clerk")
    assert set(clerks) == {"孔晓 (K101)", "Total"}, set(clerks)
    assert yuan(clerks["孔晓 (K101)"]["Takings"]) == paid.amount_fen
    assert yuan(clerks["孔晓 (K101)"][label]) == paid.amount_fen
    assert yuan(clerks["孔晓 (K101)"]["Cash difference"]) == 0
    assert yuan(clerks["Total"]["Takings"]) == day_fen
    days = rows("Takings per day")
    day = days[paid.day]
    assert yuan(day["Takings"]) == day_fen and day["Shifts"].value == 1
    assert str(day["Day closed"].value).startswith("白班长 at ")


def other_pc_knows_the_staff_and_the_day(centre: Centre, paid: Paid, tmp_path: Path) -> Hall:
    """The hall's other PC, set up from the centre: the clerk and the leader with the
    passwords they chose, the payment, and the day's close."""
    other = new_hall_pc(centre, "H1", tmp_path / "hall-b.sqlite3", LocalTransport(centre))
    auth = AuthService(other.store)
    assert auth.login("K101", CLERK_PW).staff_no == "K101"
    assert not auth.password_change_due(auth.login("K900", LEADER_PW))
    with other.store.read() as s:
        assert s.get(Payment, paid.payment_id) is not None
        closed = s.scalars(select(HallDayClose.business_date)).all()
    assert list(closed) == [paid.day]
    return other


def disabled_clerk_cannot_log_in_at_the_other_pc(qtbot: QtBot, pc: HallPc, other: Hall) -> None:
    """The administrator disables the clerk at PC A; after both PCs synced, PC B refuses
    them."""
    admin_window = pc.log_in(qtbot, "GL01", ADMIN_PW)
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


# -- steps -----------------------------------------------------------------------------------


def select_all(qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def activate(qtbot: QtBot, window: MainWindow) -> None:
    """Bring the window to the front (the offscreen platform does not when a dialog
    closes)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def press_in(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    activate(qtbot, window)
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def choose_own_password(qtbot: QtBot, forced: QWidget, password: str) -> None:
    """In the forced change of a one-time password: the new one, Enter, again, Enter."""
    wait_focus(qtbot, forced.findChild(QLineEdit, "newPassword"))
    type_in(qtbot, password)  # replaces what is selected
    _enter(qtbot)
    select_all(qtbot)
    type_in(qtbot, password)
    _enter(qtbot)


def page_name(widget: QWidget) -> str:
    """A tab page's name, seen through the scroll area a tall page sits in."""
    if isinstance(widget, QScrollArea) and widget.widget() is not None:
        return widget.widget().objectName()
    return widget.objectName()


def choose_tab(qtbot: QtBot, tabs: QTabWidget, name: str) -> None:
    """Click the tab of the page called ``name``."""
    index = next(i for i in range(tabs.count()) if page_name(tabs.widget(i)) == name)
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def count_the_float(qtbot: QtBot) -> Generator[Wait, object, None]:
    """The Open shift dialog: one 100-yuan note in the drawer, Open shift."""
    dialog = yield lambda: visible("openShiftDialog")
    assert isinstance(dialog, QDialog)
    yield click_into(qtbot, dialog.findChild(QLineEdit, "openCount_note_100"))
    type_in(qtbot, str(FLOAT_FEN // 100_00))
    click(qtbot, dialog.ok_button)  # type: ignore[attr-defined]
    yield lambda: visible("openShiftDialog") is None


def count_the_drawer(qtbot: QtBot, drawer_fen: int) -> Generator[Wait, object, None]:
    """The Close shift dialog under the hall's blind count: count the drawer note by note
    (the expected cash hidden), Check, the float to leave, Close shift."""
    dialog = yield lambda: visible("closeShiftDialog")
    assert isinstance(dialog, QDialog)
    blind = dialog.findChild(QCheckBox, "blindCount")
    expected = dialog.findChild(QLabel, "closeExpected")
    assert blind is not None and blind.isChecked() and not blind.isEnabled()
    assert expected is not None and "Blind count" in expected.text()
    for code, pieces in notes_and_coins(drawer_fen).items():
        yield click_into(qtbot, dialog.findChild(QLineEdit, f"closeCount_{code}"))
        type_in(qtbot, str(pieces))
    total = dialog.findChild(QLabel, "closeCountTotal")
    assert total is not None and total.text() == format_money(drawer_fen)
    ok = dialog.ok_button  # type: ignore[attr-defined]
    assert not ok.isEnabled()  # Check first
    click(qtbot, dialog.findChild(QPushButton, "closeCheckButton"))
    yield ok.isEnabled
    difference = dialog.findChild(QLabel, "closeDifference")
    assert difference is not None
    assert f"Expected cash: {format_money(drawer_fen)}" in difference.text()
    assert "Difference: Balanced" in difference.text(), difference.text()
    float_left = dialog.findChild(QLineEdit, "floatLeft")
    assert float_left is not None and float_left.text() == ""  # counted out, not shown
    yield click_into(qtbot, float_left)
    type_in(qtbot, str(FLOAT_FEN // 100))
    click(qtbot, ok)
    yield lambda: visible("closeShiftDialog") is None


def sign_handover(
    qtbot: QtBot,
    window: MainWindow,
    button_name: str,
    staff_no: str,
    password: str,
    refused: str = "",
) -> None:
    """A signature on the handover: the Sign button, then the signer's own staff number
    and password in the dialog, Enter. With ``refused``: the dialog says so and stays
    open, Esc closes it."""

    def sign() -> Generator[Wait, object, None]:
        dialog = yield lambda: visible("signDialog")
        assert isinstance(dialog, QDialog)
        yield click_into(qtbot, dialog.findChild(QLineEdit, "signStaffNo"))
        type_in(qtbot, staff_no)
        _tab(qtbot)
        yield lambda: focused().objectName() == "signPassword"
        type_in(qtbot, password)
        _enter(qtbot)
        if refused:
            error = dialog.error  # type: ignore[attr-defined]
            yield lambda: visible("signDialog") is None or not error.isHidden()
            assert visible("signDialog") is not None, f"{staff_no} signed: {refused} expected"
            assert refused in error.text(), error.text()
            press(qtbot, Qt.Key.Key_Escape)
        yield lambda: visible("signDialog") is None

    button = window.findChild(QPushButton, button_name)
    qtbot.waitUntil(lambda: button is not None and button.isEnabled(), timeout=10000)
    with driving_modal(qtbot, sign()):
        click(qtbot, button)


def notes_and_coins(fen: int) -> dict[str, int]:
    """What a drawer holding ``fen`` has, the largest notes first."""
    pieces: dict[str, int] = {}
    for d in DENOMINATIONS:
        if d.code == "note_1":
            continue  # yuan as coins
        pieces[d.code], fen = divmod(fen, d.value_fen)
    assert fen == 0, "a drawer holds whole jiao"
    return {code: n for code, n in pieces.items() if n}


def last_payment(store: Store) -> Paid:
    with store.read() as s:
        payment = s.scalars(select(Payment).order_by(Payment.paid_at.desc()).limit(1)).one()
        shift = s.get(CashShift, payment.shift_id)
        assert shift is not None
        return Paid(
            payment.id,
            payment.amount_fen,
            payment.amount_fen - payment.rounding_fen,
            payment.method,
            shift.business_date,
        )


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
