"""The administration window, the change of one's own password and the audit trail viewer,
driven from the keyboard on a copy of the demo store (English, so texts can be checked)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMenu, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.domain.errors import AuthenticationError
from app.services.base import audit
from app.services.hall import HallService
from app.services.staff import NewStaff, StaffAdminService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Role
from tests.ui.drive import (
    choose_from_menu,
    focused,
    gone,
    press,
    top_dialog,
    type_in,
    wait_focus,
)
from ui.admin.audit_model import AuditTrailModel
from ui.admin.audit_trail import AuditTrailWindow
from ui.admin.dialogs import OneTimePasswordDialog
from ui.admin.password_dialog import ChangePasswordDialog
from ui.admin.staff_window import StaffAdminWindow
from ui.context import AppContext
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.qt_settings import QSettingsBackend


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(demo_db_copy))
    yield opened
    opened.close()


def window_for(qtbot: QtBot, store: Store, staff_no: str) -> MainWindow:
    ctx = AppContext.create(store, AuthService(store).actor_for(staff_no), QSettingsBackend())
    window = MainWindow(ctx, idle_timeout_ms=0)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_from_menu(qtbot: QtBot, window: MainWindow, action_name: str) -> None:
    choose_from_menu(qtbot, window, "menuAdmin", action_name)


def test_menus_follow_the_role(qtbot: QtBot, store: Store) -> None:
    clerk = window_for(qtbot, store, "A001")
    assert clerk.findChild(QMenu, "menuAdmin").menuAction() not in clerk.menuBar().actions()
    assert clerk.admin.change_password_action.isVisible()
    assert clerk.admin.open_staff_admin() is None and clerk.admin.open_audit_trail() is None
    leader = window_for(qtbot, store, "L001")
    assert leader.findChild(QMenu, "menuAdmin").menuAction() in leader.menuBar().actions()
    assert leader.admin.audit_action.isVisible() and not leader.admin.staff_admin_action.isVisible()
    admin = window_for(qtbot, store, "ADMIN")
    assert admin.admin.audit_action.isVisible() and admin.admin.staff_admin_action.isVisible()
    file_names = [a.objectName() for a in admin.file_menu.actions()]
    assert file_names.index("actionChangePassword") == file_names.index("actionSettings") + 1


def test_the_administrator_adds_a_clerk_from_the_keyboard(qtbot: QtBot, store: Store) -> None:
    window = window_for(qtbot, store, "ADMIN")
    open_from_menu(qtbot, window, "actionStaffAdmin")
    admin = top_dialog("staffAdmin")
    assert isinstance(admin, StaffAdminWindow)
    wait_focus(qtbot, admin.staff.filter)  # the first field
    admin_size = admin.frameGeometry()
    assert admin_size.width() <= 1366 and admin_size.height() <= 768

    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    edit = top_dialog("staffEditDialog")
    wait_focus(qtbot, edit.findChild(QLineEdit, "staffNo"))
    type_in(qtbot, "a120")
    press(qtbot, Qt.Key.Key_Tab)
    type_in(qtbot, "钱 多多")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused().objectName() == "staffRole"  # clerk, the first role
    press(qtbot, Qt.Key.Key_Tab)
    assert focused().objectName() == "staffCounters"
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Space)  # tick C02
    edit.findChild(QLineEdit, "staffName").setFocus()
    press(qtbot, Qt.Key.Key_Return)  # the keyboard model: Enter moves to the next field,
    assert focused().objectName() == "staffRole"
    press(qtbot, Qt.Key.Key_Return)  # and on the last one (the role) commits
    gone(qtbot, "staffEditDialog")
    shown = top_dialog("oneTimePasswordDialog")
    assert isinstance(shown, OneTimePasswordDialog)
    wait_focus(qtbot, shown.close_button)
    password = shown.findChild(QLabel, "oneTimePassword").text()
    assert len(password) >= 8
    press(qtbot, Qt.Key.Key_Escape)
    gone(qtbot, "oneTimePasswordDialog")
    row = admin.staff.selected()
    assert row is not None and (row.staff_no, row.name, row.counters) == (
        "A120",
        "钱 多多",
        ("C02",),
    )
    assert row.must_change_password
    assert AuthService(store).login("A120", password).role == Role.CLERK

    # Disable (Ctrl+D, with a reason): the focus is back on the table after each dialog.
    wait_focus(qtbot, admin.staff.table)
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    confirm = top_dialog("staffDisableDialog")
    wait_focus(qtbot, confirm.findChild(QLineEdit, "staffDisableDialogReason"))
    type_in(qtbot, "调岗")
    press(qtbot, Qt.Key.Key_Return)
    gone(qtbot, "staffDisableDialog")
    row = admin.staff.selected()
    assert row is not None and row.staff_no == "A120" and not row.active
    assert admin.staff.active_button.text().startswith("Enable")
    # Tab leaves the table.
    wait_focus(qtbot, admin.staff.table)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is not admin.staff.table


def test_a_new_one_time_password_and_a_lifted_lock_out(qtbot: QtBot, store: Store) -> None:
    auth = AuthService(store)
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            auth.login("A002", "wrong")
    window = window_for(qtbot, store, "ADMIN")
    dialog = window.admin.open_staff_admin()
    assert isinstance(dialog, StaffAdminWindow)
    page = dialog.staff
    wait_focus(qtbot, page.filter)
    type_in(qtbot, "A002")
    press(qtbot, Qt.Key.Key_Return)  # to the table
    assert focused() is page.table
    row = page.selected()
    assert row is not None and row.staff_no == "A002" and row.locked_until is not None
    assert page.unlock_button.isEnabled()
    press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (page.selected() or row).locked_until is None, timeout=10000)
    assert auth.login("A002", "demo").staff_no == "A002"
    wait_focus(qtbot, page.table)
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    confirm = top_dialog("staffResetDialog")
    wait_focus(qtbot, confirm.ok_button)  # type: ignore[attr-defined]
    press(qtbot, Qt.Key.Key_Return)
    gone(qtbot, "staffResetDialog")
    password = top_dialog("oneTimePasswordDialog").findChild(QLabel, "oneTimePassword").text()
    assert AuthService(store).password_change_due(auth.login("A002", password))


def test_counters_pcs_and_hall_details(qtbot: QtBot, store: Store) -> None:
    window = window_for(qtbot, store, "ADMIN")
    dialog = window.admin.open_staff_admin()
    assert isinstance(dialog, StaffAdminWindow)
    wait_focus(qtbot, dialog.staff.filter)
    press(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentWidget() is dialog.counters
    assert [p.pc_code for p in dialog.counters.pcs.rows] == ["PC01"]  # this PC, listed
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    add = top_dialog("counterDialog")
    wait_focus(qtbot, add.findChild(QLineEdit, "counterCode"))
    type_in(qtbot, "c09")
    press(qtbot, Qt.Key.Key_Return)
    type_in(qtbot, "9号台席")
    press(qtbot, Qt.Key.Key_Return)
    gone(qtbot, "counterDialog")
    assert "C09" in [c.code for c in dialog.counters.counters.rows]

    dialog.counters.pcs_view.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    assign = top_dialog("pcAssignDialog")
    combo = assign.findChild(QWidget, "pcCounter")
    wait_focus(qtbot, combo)
    combo.setCurrentIndex(combo.findText("C09  9号台席"))  # type: ignore[attr-defined]
    assign.ok_button.click()  # type: ignore[attr-defined]
    gone(qtbot, "pcAssignDialog")
    assert dialog.counters.pcs.rows[0].counter_code == "C09"

    press(qtbot, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    hall = dialog.hall
    wait_focus(qtbot, hall.name)
    hall.name.selectAll()
    type_in(qtbot, "静安寺营业厅")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)  # the hotline's Enter saves
    qtbot.waitUntil(lambda: hall.message.text() == "Saved.", timeout=10000)
    press(qtbot, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    history = dialog.history
    qtbot.waitUntil(lambda: not history.model.loading, timeout=10000)
    actions = {history.model.row_at(n).action for n in range(history.model.rowCount())}
    assert {"counter_added", "pc_assigned", "hall_details_changed"} <= actions
    dialog.close()
    assert window.ctx.hall.name == "静安寺营业厅" == HallService(store).info().name
    assert window.hall_label.text() == "静安寺营业厅"


def test_changing_ones_own_password(qtbot: QtBot, store: Store) -> None:
    window = window_for(qtbot, store, "A001")
    dialog = window.admin.change_password()
    assert (
        isinstance(dialog, ChangePasswordDialog) and dialog.objectName() == "changePasswordDialog"
    )
    wait_focus(qtbot, dialog.current)
    type_in(qtbot, "demo")
    press(qtbot, Qt.Key.Key_Return)
    type_in(qtbot, "A001")
    press(qtbot, Qt.Key.Key_Return)
    type_in(qtbot, "A001")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10000)
    assert "at least 8" in dialog.error.text()
    assert focused() is dialog.new and dialog.isVisible()
    type_in(qtbot, "counter-pw-1")
    dialog.again.setText("counter-pw-1")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Return)
    gone(qtbot, "changePasswordDialog")
    assert AuthService(store).login("A001", "counter-pw-1").staff_no == "A001"


def test_a_one_time_password_forces_the_change_at_login(qtbot: QtBot, store: Store) -> None:
    admin = AuthService(store).actor_for("ADMIN")
    given = StaffAdminService(store).add(admin, NewStaff("A121", "孙", Role.CLERK))
    login = LoginDialog(AuthService(store), HallService(store).info(), QSettingsBackend())
    qtbot.addWidget(login)
    login.show()
    wait_focus(qtbot, login.staff_no)
    type_in(qtbot, "A121")
    press(qtbot, Qt.Key.Key_Tab)
    type_in(qtbot, given.password)
    press(qtbot, Qt.Key.Key_Return)
    forced = login.password_dialog
    assert isinstance(forced, ChangePasswordDialog) and forced.isVisible()
    assert login.actor is None and not forced.current.isVisible()
    assert "one-time" in forced.intro.text()
    wait_focus(qtbot, forced.new)
    press(qtbot, Qt.Key.Key_Escape)  # backing out logs out: nothing else opens
    qtbot.waitUntil(lambda: login.password_dialog is None)
    assert login.actor is None and "one-time password is kept" in login.message.text()
    wait_focus(qtbot, login.password)
    type_in(qtbot, given.password)
    press(qtbot, Qt.Key.Key_Return)
    forced = login.password_dialog
    assert isinstance(forced, ChangePasswordDialog)
    wait_focus(qtbot, forced.new)
    type_in(qtbot, "sun-pw-2026")
    press(qtbot, Qt.Key.Key_Return)
    type_in(qtbot, "sun-pw-2026")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.actor is not None, timeout=10000)
    assert login.result() == QDialog.DialogCode.Accepted
    assert not AuthService(store).password_change_due(login.actor)


def _seed_trail(store: Store) -> None:
    from datetime import UTC, datetime

    auth = AuthService(store)
    clerk, leader = auth.actor_for("A001"), auth.actor_for("L001")
    now = datetime.now(UTC)
    with store.unit_of_work() as session:
        audit(
            session,
            at=now,
            staff_id=clerk.staff_id,
            action="unmask",
            entity="customer",
            entity_id=5,
        )
        audit(
            session,
            at=now,
            staff_id=clerk.staff_id,
            action="payment_void",
            entity="payment",
            entity_id="p-1",
            approved_by=leader.staff_id,
            amount_fen=-880,
            reason="找错钱",
        )
        audit(session, at=now, staff_id=clerk.staff_id, action="drawer_open", entity="drawer")


def test_the_audit_trail_from_the_keyboard(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    _seed_trail(store)
    window = window_for(qtbot, store, "L001")
    open_from_menu(qtbot, window, "actionAuditTrail")
    trail = top_dialog("auditTrail")
    assert isinstance(trail, AuditTrailWindow)
    view = trail.view
    wait_focus(qtbot, view.start)
    geometry = trail.frameGeometry()
    assert geometry.width() <= 1366 and geometry.height() <= 768
    qtbot.waitUntil(lambda: not view.model.loading, timeout=10000)
    assert view.model.total >= 3  # the three seeded today, at least

    press(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # personal data shown
    qtbot.waitUntil(lambda: not view.model.loading and view.model.rowCount() == 1, timeout=10000)
    assert view.model.row_at(0).action == "unmask"
    press(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # no-sale drawer opens
    qtbot.waitUntil(lambda: not view.model.loading and view.model.rowCount() == 1, timeout=10000)
    assert view.model.row_at(0).action == "drawer_open"
    press(qtbot, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # approvals
    qtbot.waitUntil(lambda: not view.model.loading and view.model.rowCount() == 1, timeout=10000)
    void = view.model.row_at(0)
    assert (void.action, void.approved_by_no) == ("payment_void", "L001")
    assert view.model.index(0, 5).data() == i18n.format_money(-880)

    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    press(qtbot, Qt.Key.Key_Return)
    detail = view.detail
    assert detail is not None and detail.isVisible()
    wait_focus(qtbot, detail.text)
    assert "找错钱" in detail.text.toPlainText() and "L001" in detail.text.toPlainText()
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.detail is None)
    assert trail.isVisible()
    wait_focus(qtbot, view.table)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is not view.table

    target = tmp_path / "trail.xlsx"
    view.chooser = lambda _parent, _title, _name: str(target)
    press(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.last_export == target, timeout=20000)
    sheet = load_workbook(target).active
    assert sheet is not None
    codes = [r[9] for r in sheet.iter_rows(values_only=True) if isinstance(r[0], datetime)]
    assert codes == ["payment_void"]  # the one approved action of the filter shown
    press(qtbot, Qt.Key.Key_Escape)
    gone(qtbot, "auditTrail")
    con = sqlite3.connect(Path(str(store.engine.url.database)))
    try:
        exported = con.execute(
            "SELECT detail FROM audit_event WHERE action = 'audit_exported'"
        ).fetchone()
    finally:
        con.close()
    assert json.loads(exported[0])["events"] == 1


def test_the_trail_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, store: Store
) -> None:
    _seed_trail(store)
    ctx = AppContext.create(store, AuthService(store).actor_for("ADMIN"), QSettingsBackend())
    model = AuditTrailModel(ctx, page_size=2)
    model.set_query()
    ctx.tasks.wait()
    qtbot.waitUntil(lambda: not model.loading, timeout=10000)
    assert model.rowCount() == 2 and model.canFetchMore(model.index(-1, -1).parent())
    model.fetchMore(model.index(-1, -1).parent())
    qtbot.waitUntil(lambda: model.rowCount() > 2, timeout=10000)
    qtmodeltester.check(model)
