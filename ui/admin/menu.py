"""The main window's administration actions: File → Change password (everyone), and the
Administration menu (``menuAdmin``): staff, counters and hall (administrators), the audit
trail (shift leaders and administrators). The windows are imported when first opened, so
the main window starts without them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from app.i18n import _
from app.store.models import Role
from ui.window_host import WindowHost


class AdminMenu(QObject):
    """Builds the actions into ``window``'s menus and opens their windows. ``dialog`` is
    the last window opened (tests and scripts)."""

    def __init__(self, window: WindowHost) -> None:
        assert isinstance(window, QWidget)
        super().__init__(window)
        self._window = window
        ctx = window.ctx
        self.dialog: QDialog | None = None
        self.change_password_action = self._action("actionChangePassword", self.change_password)
        self.staff_admin_action = self._action("actionStaffAdmin", self.open_staff_admin)
        self.staff_admin_action.setVisible(ctx.actor.role == Role.ADMIN)
        self.audit_action = self._action("actionAuditTrail", self.open_audit_trail)
        self.audit_action.setVisible(ctx.actor.is_leader)
        items = window.file_menu.actions()
        after = items.index(window.settings_action) + 1  # right below Settings…
        if after < len(items):
            window.file_menu.insertAction(items[after], self.change_password_action)
        else:
            window.file_menu.addAction(self.change_password_action)
        bar = window.menuBar()
        self.menu = QMenu(bar)
        self.menu.setObjectName("menuAdmin")
        self.menu.addAction(self.staff_admin_action)
        self.menu.addAction(self.audit_action)
        if ctx.actor.is_leader:
            bar.insertMenu(window.help_menu.menuAction(), self.menu)

    def _action(self, name: str, slot: object) -> QAction:
        action = QAction(self._window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        self._window.addAction(action)
        return action

    def retranslate_ui(self) -> None:
        self.change_password_action.setText(_("Change &password…"))
        self.menu.setTitle(_("Ad&ministration"))
        self.staff_admin_action.setText(_("&Staff, counters and hall…"))
        self.audit_action.setText(_("Audit &trail…"))

    def _show(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_a: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    @Slot()
    def change_password(self) -> QDialog:
        """Change one's own password (every role)."""
        from app.services.staff import PasswordService
        from ui.admin.password_dialog import ChangePasswordDialog

        ctx = self._window.ctx
        dialog = ChangePasswordDialog(
            ctx.service(PasswordService), ctx.actor, self._window, tasks=ctx.tasks
        )
        dialog.passwordChanged.connect(
            lambda: self._window.statusBar().showMessage(_("Your password was changed."), 10_000)
        )
        return self._show(dialog)

    @Slot()
    def open_staff_admin(self) -> QDialog | None:
        """Staff, counters and PCs, the hall's details (administrators only; the services
        check again). Closing it refreshes what the window shows of the hall."""
        if self._window.ctx.actor.role != Role.ADMIN:
            return None
        from ui.admin.staff_window import StaffAdminWindow

        dialog = StaffAdminWindow(self._window.ctx, self._window)
        dialog.finished.connect(self._hall_may_have_changed)
        return self._show(dialog)

    @Slot()
    def open_audit_trail(self) -> QDialog | None:
        """The audit trail (shift leaders and administrators)."""
        if not self._window.ctx.actor.is_leader:
            return None
        from ui.admin.audit_trail import AuditTrailWindow

        return self._show(AuditTrailWindow(self._window.ctx, self._window))

    def _hall_may_have_changed(self, _result: int) -> None:
        ctx = self._window.ctx
        ctx.hall = ctx.hall_service.info()
        self._window.retranslate_ui()
