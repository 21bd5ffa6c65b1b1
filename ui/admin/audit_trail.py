"""The audit trail viewer (shift leaders and administrators): who did what to which record,
when, and which leader approved it.

The table is lazy: the service filters and sorts in SQL and hands out pages (a keyset
after the last row shown); the model asks for the next page as the view scrolls, on the
context's task worker, and drops an answer that belongs to an older filter. Keyboard
first: the first filter has the focus, Tab leaves the table, Enter opens the selected
event, Esc closes what is on top. The quick filters find the unmaskings of personal data,
the no-sale drawer opens, the leader approvals, failed logins, and the administration.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from PySide6.QtCore import (
    QDate,
    QEvent,
    QObject,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.audit_actions import action_text, detail_summary, entity_text
from app.i18n import _, format_datetime, format_money, ngettext
from app.services.arrears.records import business_date
from app.services.audit import (
    QUICK_FILTERS,
    AuditFilter,
    AuditRow,
    AuditTrailService,
)
from ui.admin.audit_model import AuditTrailModel, person_text, record_text
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import Palette, configure_table, set_column_widths, set_text_colour

#: Chooses a file to save to (None: cancelled); replaced in tests.
FileChooser = Callable[[QWidget, str, str], str | None]

COLUMN_CHARS: Final = (23, 12, 20, 20, 12, 11, 40)
#: Days the viewer shows when it opens (today and the days before).
DEFAULT_DAYS: Final = 7


def choose_file(parent: QWidget, title: str, name: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, title, name, "Excel (*.xlsx)")
    return path or None


class AuditDetailDialog(QDialog):
    """One event in full: every field and its whole detail (Esc closes)."""

    def __init__(self, ctx: AppContext, row: AuditRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditDetailDialog")
        self.setModal(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("auditDetailText")
        self.text.setReadOnly(True)
        pairs = [
            (_("Time"), format_datetime(row.at, ctx.hall.timezone, fmt="medium")),
            (_("Staff"), person_text(row.staff_no, row.staff_name)),
            (_("Action"), f"{action_text(row.action)} ({row.action})"),
            (_("Record"), record_text(row) or "—"),
            (_("Approved by"), person_text(row.approved_by_no, row.approved_by_name)),
        ]
        if row.amount_fen is not None:
            pairs.append((_("Amount"), format_money(row.amount_fen)))
        pairs.append((_("Details"), detail_summary(row.detail) or "—"))
        lines = [_("{label}: {value}").format(label=k, value=v) for k, v in pairs]
        lines += ["", json.dumps(row.detail, ensure_ascii=False, indent=2, sort_keys=True), ""]
        lines.append(_("{label}: {value}").format(label=_("Event id"), value=row.event_id))
        self.text.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setWindowTitle(_("Audit event"))
        self.resize(640, 480)
        self.text.setFocus()


class AuditTrailView(QWidget):
    """Filters, quick filters, the lazy table, its count and the Excel export.

    ``quick``: the quick filter pressed when it opens (the administration history page
    opens on "Staff and hall administration")."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        chooser: FileChooser = choose_file,
        quick: str = "",
        days: int = DEFAULT_DAYS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditTrailView")
        self._ctx = ctx
        self.chooser = chooser
        self._service = ctx.service(AuditTrailService)
        self._quick_actions: tuple[str, ...] = ()
        self._approved_only = False
        self.detail: AuditDetailDialog | None = None
        self.last_export: Path | None = None

        today = business_date(ctx.clock(), ctx.hall.timezone)  # the hall's day
        self.start = QDateEdit(self)
        self.start.setObjectName("auditStart")
        self.end = QDateEdit(self)
        self.end.setObjectName("auditEnd")
        for edit, day in ((self.start, today - timedelta(days=days - 1)), (self.end, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.dateChanged.connect(self._filters_changed)
        self.person = QComboBox(self)
        self.person.setObjectName("auditPerson")
        self.action = QComboBox(self)
        self.action.setObjectName("auditAction")
        self.record_kind = QComboBox(self)
        self.record_kind.setObjectName("auditRecordKind")
        self.record = QLineEdit(self)
        self.record.setObjectName("auditRecord")
        self.record.setClearButtonEnabled(True)
        self._fill_choices()
        self.person.currentIndexChanged.connect(self._filters_changed)
        self.action.currentIndexChanged.connect(self._action_chosen)
        self.record_kind.currentIndexChanged.connect(self._filters_changed)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(300)
        self._typing.timeout.connect(self._filters_changed)
        self.record.textEdited.connect(lambda _t: self._typing.start())
        self.record.returnPressed.connect(self._filters_changed)

        self.quick_group = QButtonGroup(self)
        self.quick_group.setExclusive(False)
        self.quick_buttons: dict[str, QPushButton] = {}
        quick_row = QHBoxLayout()
        self.quick_label = QLabel(self)
        quick_row.addWidget(self.quick_label)
        for number, found in enumerate(QUICK_FILTERS, start=1):
            button = QPushButton(self)
            button.setObjectName(f"auditQuick_{found.key}")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.clicked.connect(lambda checked, key=found.key: self.press_quick(key, checked))
            # A QShortcut, not the button's: setText (a language change) resets that one.
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(button.click)
            self.quick_buttons[found.key] = button
            self.quick_group.addButton(button)
            quick_row.addWidget(button)
        quick_row.addStretch(1)

        self.model = AuditTrailModel(ctx, self)
        self.model.loaded.connect(self._show_count)
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        configure_table(self.table)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        set_column_widths(self.table, COLUMN_CHARS)
        self.table.doubleClicked.connect(lambda _i: self.open_detail())
        self.table.installEventFilter(self)

        self.count = QLabel(self)
        self.count.setObjectName("auditCount")
        self.message = QLabel(self)
        self.message.setObjectName("auditMessage")
        self.message.setWordWrap(True)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("auditExportButton")
        self.export_button.setAutoDefault(False)
        self.export_button.clicked.connect(self.export)
        shortcut = QShortcut(QKeySequence("Ctrl+E"), self, self.export)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self._labels = [QLabel(self) for _ in range(6)]
        grid = QGridLayout()
        pairs = (
            (self.start, 0, 0),
            (self.end, 0, 2),
            (self.person, 0, 4),
            (self.action, 1, 0),
            (self.record_kind, 1, 2),
            (self.record, 1, 4),
        )
        for label, (field, row, col) in zip(self._labels, pairs, strict=True):
            label.setBuddy(field)
            grid.addWidget(label, row, col)
            grid.addWidget(field, row, col + 1)
        grid.setColumnStretch(5, 1)
        grid.setColumnStretch(3, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addLayout(quick_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.start, self.end)
        self.retranslate_ui()
        if quick:
            self.press_quick(quick, True)
        else:
            self.refresh()

    # -- filters ----------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        viewer = self._ctx.actor
        self.person.addItem("", None)
        for person in self._service.people(viewer):
            text = person_text(person.staff_no, person.name)
            if not person.active:
                text = _("{person} (disabled)").format(person=text)
            self.person.addItem(text, person.staff_id)
        self.action.addItem("", None)
        for code in sorted(
            set(self._service.actions(viewer)) | {"drawer_open", "unmask"}, key=action_text
        ):
            self.action.addItem(action_text(code), code)
        self.record_kind.addItem("", "")
        for entity in self._service.entities(viewer):
            self.record_kind.addItem(entity_text(entity), entity)

    def current_filter(self) -> AuditFilter:
        start, end = self.start.date(), self.end.date()
        action = self.action.currentData()
        return AuditFilter(
            start=date(start.year(), start.month(), start.day()),
            end=date(end.year(), end.month(), end.day()),
            staff_id=self.person.currentData(),
            actions=(action,) if action else self._quick_actions,
            approved_only=self._approved_only and not action,
            entity=self.record_kind.currentData() or "",
            record=self.record.text().strip(),
        )

    def press_quick(self, key: str, checked: bool = True) -> None:
        """A quick filter on (the others off) or off; it replaces the action chosen."""
        for other, button in self.quick_buttons.items():
            button.setChecked(checked and other == key)
        found = next(q for q in QUICK_FILTERS if q.key == key)
        self._quick_actions = found.actions if checked else ()
        self._approved_only = found.approved_only if checked else False
        if checked and self.action.currentIndex() != 0:
            self.action.blockSignals(True)
            self.action.setCurrentIndex(0)
            self.action.blockSignals(False)
        self.refresh()

    def _action_chosen(self, _index: int) -> None:
        if self.action.currentData():
            for button in self.quick_buttons.values():
                button.setChecked(False)
            self._quick_actions = ()
            self._approved_only = False
        self.refresh()

    def _filters_changed(self, *_args: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        self._typing.stop()
        self.count.setText(_("Loading…"))
        self.model.set_query(self.current_filter())

    def _show_count(self) -> None:
        if self.model.error is not None:
            self.count.setText("")
            self.message.setText(error_text(self.model.error))
            set_text_colour(self.message, Palette.DANGER)
            return
        total = self.model.total
        self.count.setText(ngettext("{count} event", "{count} events", total).format(count=total))

    # -- the table --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.open_detail()
            return True
        return super().eventFilter(watched, event)

    def selected(self) -> AuditRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(index.row())

    def open_detail(self) -> AuditDetailDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = AuditDetailDialog(self._ctx, row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._detail_closed)
        self.detail = dialog
        dialog.open()
        return dialog

    def _detail_closed(self, _result: int) -> None:
        self.detail = None
        self.window().activateWindow()
        self.table.setFocus()

    # -- export -----------------------------------------------------------------------------

    def export(self) -> None:
        flt = self.current_filter()
        name = f"audit-{flt.start}-{flt.end}.xlsx"
        chosen = self.chooser(self, _("Export the audit trail"), name)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        viewer = self._ctx.actor
        self.export_button.setEnabled(False)
        self.message.setText(_("Exporting…"))
        set_text_colour(self.message, None)
        self._ctx.tasks.run(
            lambda: self._service.export(viewer, flt, path),
            on_done=lambda count: self._exported(path, count),
            on_error=self._export_failed,
        )

    def _exported(self, path: Path, count: int) -> None:
        self.export_button.setEnabled(True)
        self.last_export = path
        self.message.setText(
            ngettext(
                "{count} event saved to {path}", "{count} events saved to {path}", count
            ).format(count=count, path=path)
        )
        set_text_colour(self.message, Palette.OK)

    def _export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.message.setText(error_text(exc))
        set_text_colour(self.message, Palette.DANGER)

    # -- language ---------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        texts = (_("&From"), _("&To"), _("&Person"), _("A&ction"), _("Re&cord"), _("Record &id"))
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        self.person.setItemText(0, _("Everyone"))
        self.action.setItemText(0, _("Every action"))
        self.record_kind.setItemText(0, _("Any record"))
        self.record.setPlaceholderText(_("id or its start"))
        self.quick_label.setText(_("Quick filters:"))
        for number, found in enumerate(QUICK_FILTERS, start=1):
            self.quick_buttons[found.key].setText(
                _("{label} (Alt+{key})").format(label=_(found.label), key=number)
            )
        self.export_button.setText(_("Export to Excel… (Ctrl+E)"))
        self.model.retranslate()
        if not self.model.loading:
            self._show_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class AuditTrailWindow(QDialog):
    """The audit trail as its own window (``actionAuditTrail``)."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, chooser: FileChooser = choose_file
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditTrail")
        self.view = AuditTrailView(ctx, self, chooser=chooser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("auditCloseButton")
        self.close_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1240, 660)
        self.retranslate_ui()
        self.view.start.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Audit trail"))
        self.close_button.setText(_("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
