"""The administration chapter's screenshots (called by docs/make_screenshots.py).

An administrator (ADMIN of the demo store) opens the administration window, adds a clerk
(the one-time password shown once), looks at the counters and PCs, the hall's details and
the history; a shift leader opens the audit trail on "personal data shown"; the new clerk
logs in with the one-time password and must choose their own. Everything runs through the
real widgets on the script's demo store and clock. PNGs go into docs/images/guide/ as
``admin-*-<language>.png``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from ui.language import apply_language

Shot = Callable[[QWidget, str, str], None]
Settle = Callable[..., None]
WindowFor = Callable[[Path, str, Callable[[], datetime]], QWidget]

#: The windows fit 1366×768 with room for a panel; shots of dialogs are their own size.
SCREEN = (1366, 728)


def admin_shots(
    app: QApplication,
    db: Path,
    clock: Callable[[], datetime],
    languages: tuple[str, ...],
    window_for: WindowFor,
    shot: Shot,
    settle: Settle,
) -> None:
    from app.services.customers import CustomerService
    from app.services.staff import NewStaff, StaffAdminService
    from app.services.staff.auth import AuthService
    from app.store.database import open_store, sqlite_url
    from app.store.models import Role, VerificationMethod
    from ui.admin.audit_trail import AuditTrailWindow
    from ui.admin.dialogs import OneTimePasswordDialog
    from ui.admin.password_dialog import ChangePasswordDialog
    from ui.admin.staff_window import StaffAdminWindow
    from ui.main_window import MainWindow

    # Something for the trail to show: the clerk checks a customer and unmasks them.
    store = open_store(sqlite_url(db))
    try:
        auth = AuthService(store, clock)
        clerk = auth.actor_for("A001")
        customers = CustomerService(store, clock)
        con = sqlite3.connect(db)
        customer_id = int(
            con.execute(
                "SELECT id FROM customer WHERE service_password_hash IS NOT NULL LIMIT 1"
            ).fetchone()[0]
        )
        con.close()
        customers.verify_identity(
            clerk, customer_id, VerificationMethod.SERVICE_PASSWORD, service_password="135790"
        )
        customers.unmask(clerk, customer_id)
    finally:
        store.close()

    window = window_for(db, "ADMIN", clock)
    assert isinstance(window, MainWindow)
    window.resize(*SCREEN)
    window.show()
    settle(app)
    given = None
    for language in languages:
        apply_language(app, language)
        dialog = window.admin.open_staff_admin()
        assert isinstance(dialog, StaffAdminWindow)
        settle(app, 40)
        window.ctx.tasks.wait()
        if given is None:
            given = window.ctx.service(StaffAdminService).add(
                window.ctx.actor, NewStaff("A101", "林小雨", Role.CLERK)
            )
        dialog.staff.reload(select_staff=given.staff_id)
        settle(app, 20)
        shot(dialog, "admin-staff", language)
        shown = OneTimePasswordDialog(given, dialog)
        shown.show()
        settle(app, 20)
        shot(shown, "admin-one-time-password", language)
        shown.close()
        edit = dialog.staff.edit()
        assert edit is not None
        settle(app, 20)
        shot(edit, "admin-staff-edit", language)
        edit.reject()
        dialog.pages.setCurrentWidget(dialog.counters)
        settle(app, 40)
        shot(dialog, "admin-counters", language)
        dialog.pages.setCurrentWidget(dialog.hall)
        settle(app, 20)
        shot(dialog, "admin-hall", language)
        dialog.pages.setCurrentWidget(dialog.history)
        window.ctx.tasks.wait()
        settle(app, 40)
        window.ctx.tasks.wait()
        settle(app, 40)
        shot(dialog, "admin-history", language)
        dialog.close()
        settle(app)
    window.close()
    settle(app)

    leader = window_for(db, "L001", clock)
    assert isinstance(leader, MainWindow)
    leader.resize(*SCREEN)
    leader.show()
    settle(app)
    for language in languages:
        apply_language(app, language)
        trail = leader.admin.open_audit_trail()
        assert isinstance(trail, AuditTrailWindow)
        trail.view.start.setDate(trail.view.start.date().addDays(-60))
        trail.view.press_quick("unmask", True)
        leader.ctx.tasks.wait()
        settle(app, 40)
        leader.ctx.tasks.wait()
        settle(app, 40)
        trail.view.table.selectRow(0)
        shot(trail, "audit-trail", language)
        trail.close()
        settle(app)
    leader.close()
    settle(app)

    # The new clerk's first login: the one-time password must be replaced at once.
    from app.domain.errors import ValidationError
    from app.domain.passwords import check_new_password
    from app.services.staff import PasswordService
    from ui.errors import error_text

    assert given is not None
    store = open_store(sqlite_url(db))
    try:
        actor = AuthService(store, clock).actor_for(given.staff_no)
        for language in languages:
            apply_language(app, language)
            forced = ChangePasswordDialog(
                PasswordService(store, clock), actor, None, forced=True, current=given.password
            )
            forced.show()
            forced.new.setText("a101")
            forced.again.setText("a101")
            try:  # what OK would answer: the rules, checked by the domain
                check_new_password("a101", given.staff_no, ())
            except ValidationError as exc:
                forced.error.setText(error_text(exc))
            settle(app, 20)
            shot(forced, "admin-forced-password", language)
            forced.close()
    finally:
        store.close()
