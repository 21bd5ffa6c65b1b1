"""The administration window's dialogs: a member of staff (add, edit), a confirmation with
an optional reason (disable, enable, new one-time password), the one-time password shown
once, a counter, and the counter a PC sits at.

Each is a ``ServiceDialog``: OK checks the fields, runs one service call on the context's
task worker and closes only when the service said yes; a refusal is shown inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, pgettext
from app.services.hall.admin import CounterRow, HallAdminService, PcRow
from app.services.staff import (
    NewStaff,
    OneTimePassword,
    StaffAdminService,
    StaffEdit,
    StaffRow,
)
from app.store.models import Role
from ui.context import AppContext
from ui.service_dialogs import ServiceDialog
from ui.widgets import Palette, role_text, set_text_colour

ROLES: Final = (Role.CLERK, Role.LEADER, Role.ADMIN)


class EnterChain(QObject):
    """Enter in a field moves to the next one, and commits from the last (the dialog's
    default button would otherwise commit half-filled from the first field)."""

    def __init__(self, fields: Sequence[QWidget], commit: Callable[[], object]) -> None:
        super().__init__(fields[0])
        self._fields = list(fields)
        self._commit = commit
        for field in self._fields:
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched in self._fields
        ):
            position = self._fields.index(watched)  # type: ignore[arg-type]
            later = [f for f in self._fields[position + 1 :] if f.isEnabled() and f.isVisible()]
            if later:
                later[0].setFocus()
            else:
                self._commit()
            return True
        return super().eventFilter(watched, event)


class StaffDialog(ServiceDialog):
    """Add a member of staff (``row`` None) or edit one: staff number (fixed once given),
    name, role, and the counters they may work (none ticked: any counter). Adding returns
    the ``OneTimePassword`` to show."""

    def __init__(
        self,
        ctx: AppContext,
        counters: Sequence[tuple[int, str, str]],
        row: StaffRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("staffEditDialog")
        self._row = row
        self.staff_no = QLineEdit(self)
        self.staff_no.setObjectName("staffNo")
        self.staff_no.setMaxLength(16)
        self.name = QLineEdit(self)
        self.name.setObjectName("staffName")
        self.name.setMaxLength(50)
        self.role = QComboBox(self)
        self.role.setObjectName("staffRole")
        for role in ROLES:
            self.role.addItem("", role.value)
        self.counters = QListWidget(self)
        self.counters.setObjectName("staffCounters")
        self.counters.setMaximumHeight(140)
        for counter_id, code, name in counters:
            item = QListWidgetItem(f"{code}  {name}", self.counters)
            item.setData(Qt.ItemDataRole.UserRole, counter_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = row is not None and counter_id in row.counter_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.counters_hint = QLabel(self)
        self.counters_hint.setWordWrap(True)
        set_text_colour(self.counters_hint, Palette.MUTED)
        self._labels = [QLabel(self) for _ in range(4)]
        for label, field in zip(
            self._labels, (self.staff_no, self.name, self.role, self.counters), strict=True
        ):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.form.addRow("", self.counters_hint)
        if row is not None:
            self.staff_no.setText(row.staff_no)
            self.staff_no.setReadOnly(True)
            self.staff_no.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.name.setText(row.name)
            self.role.setCurrentIndex(max(0, self.role.findData(row.role.value)))
            self.name.setFocus()
        else:
            self.staff_no.setFocus()
        self._enter = EnterChain([self.staff_no, self.name], self.submit)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        if self._row is None:
            self.setWindowTitle(_("Add a member of staff"))
            self.intro.setText(
                _(
                    "The new member gets a one-time password, shown once when you press OK; "
                    "they choose their own at their first login."
                )
            )
        else:
            self.setWindowTitle(_("Edit {staff_no}").format(staff_no=self._row.staff_no))
            self.intro.setText(_("The staff number stays: the records name it."))
        texts = (_("&Staff number:"), _("&Name:"), _("&Role:"), _("&Counters:"))
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        for index, role in enumerate(ROLES):
            self.role.setItemText(index, role_text(role))
        self.counters_hint.setText(
            _("Tick the counters they may open a shift at; none ticked: any counter.")
        )

    def chosen_counters(self) -> list[int]:
        return [
            int(self.counters.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.counters.count())
            if self.counters.item(i).checkState() == Qt.CheckState.Checked
        ]

    def collect(self) -> Callable[[], Any]:
        service = self._ctx.service(StaffAdminService)
        actor = self._ctx.actor
        role = Role(self.role.currentData())
        counters = self.chosen_counters()
        name = self.name.text()
        if self._row is None:
            new = NewStaff(self.staff_no.text(), name, role, counters)
            return lambda: service.add(actor, new)
        edit = StaffEdit(self._row.staff_id, name, role, counters)
        return lambda: service.edit(actor, edit)


class ConfirmDialog(ServiceDialog):
    """A yes-or-no for one change, with an optional reason (kept in the audit trail)."""

    def __init__(
        self,
        ctx: AppContext,
        name: str,
        title: str,
        text: str,
        call: Callable[[str], Any],
        *,
        reason: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName(name)
        self._title = title
        self._text = text
        self._call = call
        self.reason: QLineEdit | None = None
        self._reason_label = QLabel(self)
        if reason:
            self.reason = QLineEdit(self)
            self.reason.setObjectName(f"{name}Reason")
            self.reason.setMaxLength(200)
            self._reason_label.setBuddy(self.reason)
            self.form.addRow(self._reason_label, self.reason)
            self._enter = EnterChain([self.reason], self.submit)
            self.reason.setFocus()
        else:
            self.ok_button.setFocus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_(self._title))
        self.intro.setText(self._text)
        self._reason_label.setText(_("&Reason (optional):"))

    def collect(self) -> Callable[[], Any]:
        reason = self.reason.text() if self.reason is not None else ""
        return lambda: self._call(reason)


class OneTimePasswordDialog(QDialog):
    """Shows a one-time password once, large and selectable, to give to its owner."""

    def __init__(self, given: OneTimePassword, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("oneTimePasswordDialog")
        self.setModal(True)
        self._given = given
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.password = QLabel(given.password, self)
        self.password.setObjectName("oneTimePassword")
        self.password.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() + 8)
        font.setBold(True)
        self.password.setFont(font)
        self.password.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        set_text_colour(self.note, Palette.WARNING)
        self.copy_button = QPushButton(self)
        self.copy_button.setObjectName("oneTimePasswordCopy")
        self.copy_button.clicked.connect(self.copy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("oneTimePasswordClose")
        self.close_button.setDefault(True)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(8)
        layout.addWidget(self.password)
        layout.addSpacing(8)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.close_button.setFocus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("One-time password"))
        self.intro.setText(
            _("The one-time password of {staff_no} {name}:").format(
                staff_no=self._given.staff_no, name=self._given.name
            )
        )
        self.note.setText(
            _(
                "Give it to them in person. It is shown only now and is not stored; at their "
                "first login they must choose their own password. The hall's other PCs know "
                "it after their next sync."
            )
        )
        self.copy_button.setText(_("&Copy"))
        self.close_button.setText(_("Close"))

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self._given.password)


class CounterDialog(ServiceDialog):
    """Add a counter (code and name) or rename one (``row``)."""

    def __init__(
        self, ctx: AppContext, row: CounterRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("counterDialog")
        self._row = row
        self.code = QLineEdit(self)
        self.code.setObjectName("counterCode")
        self.code.setMaxLength(16)
        self.name = QLineEdit(self)
        self.name.setObjectName("counterName")
        self.name.setMaxLength(50)
        self._labels = [QLabel(self) for _ in range(2)]
        for label, field in zip(self._labels, (self.code, self.name), strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
        if row is not None:
            self.code.setText(row.code)
            self.code.setReadOnly(True)
            self.code.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.name.setText(row.name)
            self.name.setFocus()
        else:
            self.code.setFocus()
        self._enter = EnterChain([self.code, self.name], self.submit)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Add a counter") if self._row is None else _("Rename a counter"))
        self.intro.setText(
            _("Counters are never removed: shifts and payments name them.")
            if self._row is None
            else _("The code stays; the new name shows everywhere from now on.")
        )
        self._labels[0].setText(_("&Code:"))
        self._labels[1].setText(pgettext("counter", "&Name:"))

    def collect(self) -> Callable[[], Any]:
        service = self._ctx.service(HallAdminService)
        actor = self._ctx.actor
        name = self.name.text()
        if self._row is None:
            code = self.code.text()
            return lambda: service.add_counter(actor, code, name)
        counter_id = self._row.counter_id
        return lambda: service.rename_counter(actor, counter_id, name)


NO_COUNTER: Final = N_("(no counter)")


class PcCounterDialog(ServiceDialog):
    """Put a PC of the hall at a counter; it takes it when it next starts."""

    def __init__(
        self,
        ctx: AppContext,
        pc: PcRow,
        counters: Sequence[CounterRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("pcAssignDialog")
        self._pc = pc
        self.counter = QComboBox(self)
        self.counter.setObjectName("pcCounter")
        self.counter.addItem("", None)
        for row in counters:
            self.counter.addItem(f"{row.code}  {row.name}", row.counter_id)
        self.counter.setCurrentIndex(max(0, self.counter.findData(pc.counter_id)))
        self._label = QLabel(self)
        self._label.setBuddy(self.counter)
        self.form.addRow(self._label, self.counter)
        self.counter.setFocus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("The counter of PC {pc}").format(pc=self._pc.pc_code))
        self.intro.setText(
            _(
                "The PC takes its new counter when it next starts, once no shift of it is "
                "open at its current counter."
            )
        )
        self._label.setText(_("&Counter:"))
        self.counter.setItemText(0, _(NO_COUNTER))

    def collect(self) -> Callable[[], Any]:
        service = self._ctx.service(HallAdminService)
        actor = self._ctx.actor
        pc_code = self._pc.pc_code
        counter_id = self.counter.currentData()
        return lambda: service.assign_pc(actor, pc_code, counter_id)
