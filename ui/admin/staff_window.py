"""The administration window (administrators only): staff, counters and PCs, the hall's
details, and the history of every change (the audit trail's administration actions).

Keyboard first: the staff filter has the focus; Tab leaves each table; Enter on a member
of staff edits them; the actions have their keys on their buttons; Esc closes the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime
from app.services.staff import OneTimePassword, StaffAdminService, StaffRow
from ui.admin.audit_trail import AuditTrailView, FileChooser, choose_file
from ui.admin.dialogs import ConfirmDialog, OneTimePasswordDialog, StaffDialog
from ui.admin.hall_pages import CountersPage, HallDetailsPage
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import (
    Column,
    Palette,
    RowRole,
    RowTableModel,
    configure_table,
    role_text,
    set_column_widths,
    set_text_colour,
)

COLUMN_CHARS: Final = (10, 14, 10, 18, 30)


def _status(row: StaffRow, timezone: str) -> str:
    parts = [_("active") if row.active else _("disabled")]
    if row.must_change_password:
        parts.append(_("one-time password"))
    if row.locked_until is not None:
        parts.append(
            _("locked out here until {time}").format(
                time=format_datetime(row.locked_until, timezone)
            )
        )
    return ", ".join(parts)


class StaffPage(QWidget):
    """The hall's staff and what an administrator does to them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffPage")
        self._ctx = ctx
        self._service = ctx.service(StaffAdminService)
        self.dialog: QDialog | None = None

        self.filter = QLineEdit(self)
        self.filter.setObjectName("staffFilter")
        self.filter.setClearButtonEnabled(True)
        self.show_disabled = QCheckBox(self)
        self.show_disabled.setObjectName("staffShowDisabled")
        self.show_disabled.setChecked(True)
        self.show_disabled.toggled.connect(lambda _on: self.reload())
        timezone = ctx.hall.timezone
        self.model = RowTableModel[StaffRow](
            (
                Column(N_("Staff number"), lambda r: r.staff_no, bold=lambda r: r.active),
                Column(N_("Name"), lambda r: r.name),
                Column(N_("Role"), lambda r: role_text(r.role)),
                Column(N_("Counters"), lambda r: "、".join(r.counters) or _("any")),
                Column(
                    N_("Status"),
                    lambda r: _status(r, timezone),
                    foreground=lambda r: (
                        Palette.DANGER
                        if r.locked_until is not None
                        else Palette.MUTED
                        if not r.active
                        else Palette.WARNING
                        if r.must_change_password
                        else None
                    ),
                ),
            ),
            self,
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView(self)
        self.table.setObjectName("staffTable")
        self.table.setModel(self.proxy)
        configure_table(self.table)
        set_column_widths(self.table, COLUMN_CHARS)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.filter.returnPressed.connect(self.table.setFocus)
        self.table.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())

        self.add_button = self._button("staffAddButton", self.add, "Ctrl+N")
        self.edit_button = self._button("staffEditButton", self.edit, "Ctrl+E")
        self.active_button = self._button("staffDisableButton", self.toggle_active, "Ctrl+D")
        self.reset_button = self._button("staffResetPasswordButton", self.reset_password, "Ctrl+R")
        self.unlock_button = self._button("staffUnlockButton", self.unlock, "Ctrl+U")
        self.message = QLabel(self)
        self.message.setObjectName("staffMessage")
        self.message.setWordWrap(True)
        self.filter_label = QLabel(self)
        self.filter_label.setBuddy(self.filter)

        top = QHBoxLayout()
        top.addWidget(self.filter_label)
        top.addWidget(self.filter, 1)
        top.addWidget(self.show_disabled)
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.active_button,
            self.reset_button,
            self.unlock_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.reload()
        self.retranslate_ui()

    def _button(self, name: str, slot: Callable[[], Any], keys: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        shortcut = QShortcut(QKeySequence(keys), self, slot)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return button

    # -- data -------------------------------------------------------------------------------

    def reload(self, select_staff: int | None = None) -> None:
        current = self.selected()
        wanted = (
            select_staff if select_staff is not None else (current.staff_id if current else None)
        )
        try:
            rows = self._service.staff(
                self._ctx.actor, include_disabled=self.show_disabled.isChecked()
            )
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            rows = []
        self.model.set_rows(rows)
        target = 0
        for n, row in enumerate(rows):
            if row.staff_id == wanted:
                target = n
        if rows:
            self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(target, 0)))
        self._update_buttons()

    def selected(self) -> StaffRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = index.data(RowRole)
        return row if isinstance(row, StaffRow) else None

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.active_button, self.reset_button, self.unlock_button):
            button.setEnabled(row is not None)
        if row is not None:
            self.unlock_button.setEnabled(row.locked_until is not None)
        self._label_active_button(row)

    def _label_active_button(self, row: StaffRow | None) -> None:
        if row is not None and not row.active:
            self.active_button.setText(_("Enable again (Ctrl+D)"))
        else:
            self.active_button.setText(_("Disable… (Ctrl+D)"))

    def _say(self, text: str, colour: Any = Palette.OK) -> None:
        self.message.setText(text)
        set_text_colour(self.message, colour)

    # -- actions ----------------------------------------------------------------------------

    def _open(self, dialog: QDialog, on_ok: Callable[[Any], None]) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: on_ok(getattr(dialog, "outcome", None)))
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if self.dialog is None:  # back to the list (not while the next dialog is open)
            self.window().activateWindow()
            self.table.setFocus()

    def _counters(self) -> list[tuple[int, str, str]]:
        return self._service.counters(self._ctx.actor)

    def add(self) -> StaffDialog:
        dialog = StaffDialog(self._ctx, self._counters(), None, self)
        self._open(dialog, self._added)
        return dialog

    def _added(self, given: OneTimePassword) -> None:
        self.reload(select_staff=given.staff_id)
        self._say(_("{staff_no} {name} added.").format(staff_no=given.staff_no, name=given.name))
        self._show_password(given)

    def _show_password(self, given: OneTimePassword) -> None:
        shown = OneTimePasswordDialog(given, self)
        shown.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        shown.finished.connect(lambda _r: self._dialog_closed(shown))
        self.dialog = shown
        shown.open()

    def edit(self) -> StaffDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = StaffDialog(self._ctx, self._counters(), row, self)
        self._open(dialog, lambda _o: self._changed(row, _("{staff_no} saved.")))
        return dialog

    def _changed(self, row: StaffRow, message: str) -> None:
        self.reload(select_staff=row.staff_id)
        self._say(message.format(staff_no=row.staff_no, name=row.name))

    def toggle_active(self) -> ConfirmDialog | None:
        row = self.selected()
        if row is None:
            return None
        service, actor = self._service, self._ctx.actor
        if row.active:
            dialog = ConfirmDialog(
                self._ctx,
                "staffDisableDialog",
                N_("Disable a member of staff"),
                _(
                    "Disable {staff_no} {name}? They can no longer log in or approve, here "
                    "at once and at the hall's other PCs after their next sync. Their records "
                    "stay; you can enable them again."
                ).format(staff_no=row.staff_no, name=row.name),
                lambda reason: service.set_active(actor, row.staff_id, False, reason),
                reason=True,
                parent=self,
            )
            done = _("{staff_no} {name} disabled.")
        else:
            dialog = ConfirmDialog(
                self._ctx,
                "staffEnableDialog",
                N_("Enable a member of staff again"),
                _("Enable {staff_no} {name} again? They log in with their last password.").format(
                    staff_no=row.staff_no, name=row.name
                ),
                lambda reason: service.set_active(actor, row.staff_id, True, reason),
                reason=True,
                parent=self,
            )
            done = _("{staff_no} {name} enabled again.")
        self._open(dialog, lambda _o: self._changed(row, done))
        return dialog

    def reset_password(self) -> ConfirmDialog | None:
        row = self.selected()
        if row is None:
            return None
        service, actor = self._service, self._ctx.actor
        dialog = ConfirmDialog(
            self._ctx,
            "staffResetDialog",
            N_("New one-time password"),
            _(
                "Give {staff_no} {name} a new one-time password? Their current password stops "
                "working; they choose a new one at their next login."
            ).format(staff_no=row.staff_no, name=row.name),
            lambda _reason: service.reset_password(actor, row.staff_id),
            parent=self,
        )
        self._open(dialog, self._reset_done)
        return dialog

    def _reset_done(self, given: OneTimePassword) -> None:
        self.reload(select_staff=given.staff_id)
        self._say(_("New one-time password for {staff_no}.").format(staff_no=given.staff_no))
        self._show_password(given)

    def unlock(self) -> None:
        row = self.selected()
        if row is None:
            return
        actor = self._ctx.actor
        self._ctx.tasks.run(
            lambda: self._service.unlock(actor, row.staff_id),
            on_done=lambda _r: self._changed(row, _("{staff_no}: lock-out lifted on this PC.")),
            on_error=lambda exc: self._say(error_text(exc), Palette.DANGER),
        )

    # -- keys and language ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.edit()
            return True
        return super().eventFilter(watched, event)

    def retranslate_ui(self) -> None:
        self.filter_label.setText(_("&Find:"))
        self.filter.setPlaceholderText(_("staff number or name"))
        self.show_disabled.setText(_("Show &disabled staff"))
        self.add_button.setText(_("Add… (Ctrl+N)"))
        self.edit_button.setText(_("Edit… (Enter)"))
        self.reset_button.setText(_("New one-time password… (Ctrl+R)"))
        self.unlock_button.setText(_("Lift lock-out (Ctrl+U)"))
        self._label_active_button(self.selected())
        self.model.retranslate()


class StaffAdminWindow(QDialog):
    """Staff, counters and PCs, hall details, history: the administrator's window."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, chooser: FileChooser = choose_file
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staffAdmin")
        self.pages = QTabWidget(self)
        self.pages.setObjectName("staffAdminPages")
        self.staff = StaffPage(ctx, self.pages)
        self.counters = CountersPage(ctx, self.pages)
        self.hall = HallDetailsPage(ctx, self.pages)
        self.history = AuditTrailView(ctx, self.pages, chooser=chooser, quick="admin", days=90)
        self.history.setObjectName("adminHistoryPage")
        for page in (self.staff, self.counters, self.hall, self.history):
            self.pages.addTab(page, "")
        self.pages.currentChanged.connect(self._page_shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("staffAdminClose")
        self.close_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(buttons)
        for number in range(4):
            QShortcut(
                QKeySequence(f"Ctrl+{number + 1}"),
                self,
                lambda n=number: self.pages.setCurrentIndex(n),
            )
        self.resize(1180, 640)
        self.retranslate_ui()
        self.staff.filter.setFocus()

    def _page_shown(self, index: int) -> None:
        page = self.pages.widget(index)
        if page is self.counters:
            self.counters.reload()
            self.counters.counters_view.setFocus()
        elif page is self.hall:
            self.hall.name.setFocus()
        elif page is self.history:
            self.history.refresh()
            self.history.start.setFocus()
        else:
            self.staff.filter.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Staff and hall administration"))
        titles = (_("Staff members"), _("Counters and PCs"), _("Hall details"), _("History"))
        for index, title in enumerate(titles):
            self.pages.setTabText(
                index, _("{title} (Ctrl+{key})").format(title=title, key=index + 1)
            )
        self.close_button.setText(_("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
            self.staff.retranslate_ui()
            self.counters.retranslate_ui()
            self.hall.retranslate_ui()
        super().changeEvent(event)
