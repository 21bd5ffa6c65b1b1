"""Tab and Shift+Tab leave every table of the other windows too (issue 15: "Tab and
Shift+Tab always leave a table (arrows move inside)"): the administration windows and
their dialogs, the audit trail, the leader's reports, the settings and the devices' dialogs.

Real key presses on each shown table (as ``test_fit`` does for the main tabs), every page
of every tab widget visited; the rule itself lives once in ``ui.keyboard``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QDialog, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from app.services.reports.registry import ReportKind
from app.store.database import Store
from tests.ui.keyboard.conftest import make_window
from ui.admin.staff_window import StaffAdminWindow
from ui.main_window import MainWindow
from ui.reports.dialog import ExportReportDialog
from ui.settings_dialog import SettingsDialog


def _leaves(qtbot: QtBot, view: QAbstractItemView, key: Qt.Key) -> bool:
    view.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    qtbot.keyClick(view, key)
    return not view.hasFocus()


def _walk_views(qtbot: QtBot, root: QWidget) -> list[str]:
    """Tab and Shift+Tab in each shown, focusable table of ``root`` (as it stands)."""
    walked: list[str] = []
    for view in root.findChildren(QAbstractItemView):
        if not (view.isVisible() and view.focusPolicy() & Qt.FocusPolicy.TabFocus):
            continue
        name = view.objectName() or type(view).__name__
        assert _leaves(qtbot, view, Qt.Key.Key_Tab), f"Tab is trapped in {name}"
        assert _leaves(qtbot, view, Qt.Key.Key_Backtab), f"Shift+Tab is trapped in {name}"
        walked.append(name)
    return walked


def walk(qtbot: QtBot, dialog: QWidget) -> set[str]:
    """Every table of ``dialog``, on every page of each of its tab widgets."""
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    walked = set(_walk_views(qtbot, dialog))
    for tabs in dialog.findChildren(QTabWidget):
        for page in range(tabs.count()):
            tabs.setCurrentIndex(page)
            qtbot.wait(20)
            walked |= set(_walk_views(qtbot, tabs.widget(page)))
    # None of them, shown or not, keeps Tab inside (the model sets it when polished).
    views = dialog.findChildren(QAbstractItemView)
    for view in views:
        view.ensurePolished()
    assert [v.objectName() for v in views if v.tabKeyNavigation()] == []
    return walked


def _close(dialog: QDialog) -> None:
    dialog.reject()


def test_tab_leaves_the_tables_of_the_administration_windows(
    qtbot: QtBot, store: Store, printed: Path
) -> None:
    window: MainWindow = make_window(qtbot, store, printed, staff_no="ADMIN")
    try:
        staff = window.admin.open_staff_admin()
        assert isinstance(staff, StaffAdminWindow)
        assert {"staffTable", "countersTable", "pcsTable"} <= walk(qtbot, staff)
        staff.pages.setCurrentIndex(0)
        dialog = staff.staff.add()  # the staff dialog: the counters list
        assert "staffCounters" in walk(qtbot, dialog)
        _close(dialog)
        _close(staff)

        audit = window.admin.open_audit_trail()
        assert audit is not None
        assert "auditTable" in walk(qtbot, audit)
        _close(audit)
    finally:
        window.ctx.tasks.wait()


def test_tab_leaves_the_tables_of_the_reports_and_the_settings(
    qtbot: QtBot, store: Store, printed: Path
) -> None:
    window = make_window(qtbot, store, printed, staff_no="L001")
    try:
        reports = window.open_reports()
        assert isinstance(reports, ExportReportDialog)
        reports.choose(ReportKind.HALL_DAY, date(2026, 11, 1), date(2026, 11, 15))
        with qtbot.waitSignal(reports.reportShown, timeout=30000):
            reports.refresh()
        walked = walk(qtbot, reports)
        assert any(name.startswith("leaderReportTable_") for name in walked), walked
        _close(reports)

        settings = SettingsDialog(window.ctx.settings, window)
        qtbot.addWidget(settings)
        settings.open()
        walk(qtbot, settings)  # the devices' fields: no table to be trapped in
        _close(settings)
    finally:
        window.ctx.tasks.wait()
