"""The administration window's hall pages: the counters and which PC sits at which, and
the hall's details as receipts print them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime, pgettext
from app.services.hall.admin import CounterRow, HallAdminService, PcRow
from ui.admin.dialogs import CounterDialog, PcCounterDialog
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import (
    Column,
    Palette,
    RowTableModel,
    configure_table,
    set_column_widths,
    set_text_colour,
)


def _enter_opens(view: QTableView, owner: QObject) -> None:
    view.installEventFilter(owner)


def _is_enter(event: QEvent) -> bool:
    return (
        event.type() == QEvent.Type.KeyPress
        and isinstance(event, QKeyEvent)
        and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
    )


class CountersPage(QWidget):
    """The hall's counters (add, rename) and its PCs (which counter each sits at)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countersPage")
        self._ctx = ctx
        self._service = ctx.service(HallAdminService)
        self.dialog: QWidget | None = None

        self.counters_title = QLabel(self)
        self.counters = RowTableModel[CounterRow](
            (
                Column(N_("Code"), lambda r: r.code),
                Column(N_("Counter name"), lambda r: r.name),
                Column(N_("PCs at it"), lambda r: "、".join(r.pcs)),
            ),
            self,
        )
        self.counters_view = QTableView(self)
        self.counters_view.setObjectName("countersTable")
        self.counters_view.setModel(self.counters)
        configure_table(self.counters_view)
        set_column_widths(self.counters_view, (8, 24, 24))
        _enter_opens(self.counters_view, self)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("counterAddButton")
        self.add_button.clicked.connect(self.add_counter)
        self.rename_button = QPushButton(self)
        self.rename_button.setObjectName("counterRenameButton")
        self.rename_button.clicked.connect(self.rename_counter)

        self.pcs_title = QLabel(self)
        self.pcs = RowTableModel[PcRow](
            (
                Column(N_("PC"), lambda r: r.pc_code, bold=lambda r: r.this_pc),
                Column(N_("Counter"), lambda r: f"{r.counter_code} {r.counter_name}".strip()),
                Column(N_("This PC"), lambda r: _("yes") if r.this_pc else ""),
                Column(
                    N_("Changed"),
                    lambda r: format_datetime(r.updated_at, self._ctx.hall.timezone),
                ),
                Column(N_("By"), lambda r: r.updated_by),
            ),
            self,
        )
        self.pcs_view = QTableView(self)
        self.pcs_view.setObjectName("pcsTable")
        self.pcs_view.setModel(self.pcs)
        configure_table(self.pcs_view)
        set_column_widths(self.pcs_view, (10, 22, 6, 20, 10))
        _enter_opens(self.pcs_view, self)
        self.assign_button = QPushButton(self)
        self.assign_button.setObjectName("pcAssignButton")
        self.assign_button.clicked.connect(self.assign_pc)
        self.message = QLabel(self)
        self.message.setObjectName("countersMessage")
        self.message.setWordWrap(True)
        for button in (self.add_button, self.rename_button, self.assign_button):
            button.setAutoDefault(False)

        counter_buttons = QHBoxLayout()
        counter_buttons.addWidget(self.add_button)
        counter_buttons.addWidget(self.rename_button)
        counter_buttons.addStretch(1)
        pc_buttons = QHBoxLayout()
        pc_buttons.addWidget(self.assign_button)
        pc_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counters_title)
        layout.addWidget(self.counters_view, 1)
        layout.addLayout(counter_buttons)
        layout.addWidget(self.pcs_title)
        layout.addWidget(self.pcs_view, 1)
        layout.addLayout(pc_buttons)
        layout.addWidget(self.message)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), self, self.add_counter)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reload()
        self.retranslate_ui()

    def reload(self) -> None:
        self._service.list_this_pc()
        self.counters.set_rows(self._service.counters())
        self.pcs.set_rows(self._service.pcs())
        for view in (self.counters_view, self.pcs_view):
            if view.model().rowCount() and not view.currentIndex().isValid():
                view.setCurrentIndex(view.model().index(0, 0))

    def retranslate_ui(self) -> None:
        self.counters_title.setText(_("Counters (台席)"))
        self.pcs_title.setText(_("The hall's PCs and the counter each sits at"))
        self.add_button.setText(_("Add a counter… (Ctrl+N)"))
        self.rename_button.setText(_("Rename…"))
        self.assign_button.setText(_("Move the selected PC to another counter…"))
        self.counters.retranslate()
        self.pcs.retranslate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if _is_enter(event):
            if watched is self.counters_view:
                self.rename_counter()
                return True
            if watched is self.pcs_view:
                self.assign_pc()
                return True
        return super().eventFilter(watched, event)

    def _selected(self, view: QTableView) -> int | None:
        index = view.currentIndex()
        return index.row() if index.isValid() else None

    def _open(self, dialog: CounterDialog | PcCounterDialog, done: str) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._changed(done))
        view = self.pcs_view if isinstance(dialog, PcCounterDialog) else self.counters_view
        dialog.finished.connect(lambda _r: self._back_to(view))
        self.dialog = dialog
        dialog.open()

    def _back_to(self, view: QTableView) -> None:
        self.dialog = None
        self.window().activateWindow()
        view.setFocus()

    def _changed(self, done: str) -> None:
        self.reload()
        self.message.setText(done)
        set_text_colour(self.message, Palette.OK)

    def add_counter(self) -> CounterDialog:
        dialog = CounterDialog(self._ctx, None, self)
        self._open(dialog, _("Counter added."))
        return dialog

    def rename_counter(self) -> CounterDialog | None:
        row = self._selected(self.counters_view)
        if row is None:
            return None
        dialog = CounterDialog(self._ctx, self.counters.row_at(row), self)
        self._open(dialog, _("Counter renamed."))
        return dialog

    def assign_pc(self) -> PcCounterDialog | None:
        row = self._selected(self.pcs_view)
        if row is None:
            return None
        dialog = PcCounterDialog(self._ctx, self.pcs.row_at(row), self.counters.rows, self)
        self._open(dialog, _("Saved: the PC takes its counter when it next starts."))
        return dialog


class HallDetailsPage(QWidget):
    """The hall's name, address and hotline: printed on every receipt from the next one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hallDetailsPage")
        self._ctx = ctx
        self._service = ctx.service(HallAdminService)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.code = QLabel(self)
        self.code.setObjectName("hallCode")
        self.name = QLineEdit(self)
        self.name.setObjectName("hallName")
        self.name.setMaxLength(100)
        self.address = QLineEdit(self)
        self.address.setObjectName("hallAddress")
        self.address.setMaxLength(200)
        self.hotline = QLineEdit(self)
        self.hotline.setObjectName("hallHotline")
        self.hotline.setMaxLength(20)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("hallDetailsSave")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.message = QLabel(self)
        self.message.setObjectName("hallDetailsMessage")
        self.message.setWordWrap(True)
        self._labels = [QLabel(self) for _ in range(4)]
        form = QFormLayout()
        for label, field in zip(
            self._labels, (self.code, self.name, self.address, self.hotline), strict=True
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        self.name.returnPressed.connect(self.address.setFocus)
        self.address.returnPressed.connect(self.hotline.setFocus)
        self.hotline.returnPressed.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.reload()
        self.retranslate_ui()

    def reload(self) -> None:
        profile = self._service.profile()
        self.code.setText(f"{profile.code}  ({profile.timezone})")
        self.name.setText(profile.name)
        self.address.setText(profile.address)
        self.hotline.setText(profile.hotline)

    def retranslate_ui(self) -> None:
        self.intro.setText(
            _(
                "What every receipt prints about the hall. A change shows on the next receipt "
                "and at the hall's other PCs after their next sync; the audit trail keeps "
                "what it was."
            )
        )
        texts = (
            _("Hall code"),
            pgettext("hall", "&Name:"),
            _("&Address:"),
            _("&Hotline:"),
        )
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        self.save_button.setText(_("&Save"))

    def save(self) -> None:
        actor = self._ctx.actor
        name, address, hotline = self.name.text(), self.address.text(), self.hotline.text()
        self.save_button.setEnabled(False)
        self._ctx.tasks.run(
            lambda: self._service.save_profile(actor, name, address, hotline),
            on_done=self._saved,
            on_error=self._refused,
        )

    def _saved(self, changed: bool) -> None:
        self.save_button.setEnabled(True)
        self.reload()
        self.message.setText(_("Saved.") if changed else _("Nothing changed."))
        set_text_colour(self.message, Palette.OK)

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(error_text(exc))
        set_text_colour(self.message, Palette.DANGER)
