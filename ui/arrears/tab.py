"""The arrears tab: the worklist of accounts in arrears and the ladder's actions on them,
with the restore requests (and their deadlines) and the outbound SMS queue beside it
(``side_panel``) and the worklist's filters above it (``filter_bar``).

The worklist is a lazy model over ids sorted and filtered in SQL, queried on the task
worker (``worklist_model``). Actions run on the worker too and reload the worklist when
they are done; the rows that were selected stay selected. The tab queries nothing until it
is first shown, so it costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.documents import titles
from app.domain.arrears_policy import SERVICE_ACTION_KINDS, StepKind
from app.i18n import _, ngettext
from app.services.arrears import WorklistFilter, WorklistRow, WorklistSort
from ui.arrears import step_dialogs as steps
from ui.arrears.action_dialogs import (
    CallLogDialog,
    FreezeDialog,
    ReminderBatchDialog,
    RestoreDialog,
)
from ui.arrears.filter_bar import WorklistFilterBar
from ui.arrears.labels import stage_text
from ui.arrears.payment_dialog import PaymentDialog, open_payment_dialog
from ui.arrears.side_panel import ArrearsSidePanel
from ui.arrears.worklist_model import COLUMNS, ArrearsWorklistTableModel
from ui.context import AppContext
from ui.errors import error_text
from ui.keyboard import PAY_KEY, keyed_text
from ui.lookup.tab import LookupTab
from ui.printing import ReceiptPrinting, print_document
from ui.service_dialogs import LeaderDialog
from ui.widgets import (
    FolderChooser,
    Palette,
    choose_folder,
    configure_table,
    set_column_widths,
    set_text_colour,
    show_busy,
)

#: The widest column texts in characters, in column order. A CJK character counts two: the
#: customer column fits an organisation's name of seven characters and the services two
#: masked numbers; longer texts show whole in a tooltip (``ui.column_widths``).
COLUMN_CHARS: Final = (14, 28, 14, 12, 11, 10, 12, 12, 16, 10)


class ArrearsTab(QWidget):
    """Work through the accounts in arrears: remind, call, restrict, suspend, freeze, print
    a notice, take a payment, and restore services once paid."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("arrearsTab")
        self._ctx = ctx
        self._loaded = False
        self._busy = False
        self.printing = ReceiptPrinting(ctx)
        self.choose_folder: FolderChooser = choose_folder
        self.last_refusal: QMessageBox | None = None

        self.filters = WorklistFilterBar(self)
        self.filters.changed.connect(self.apply_filters)
        self.filters.refreshRequested.connect(self.reload)
        self._build_worklist()
        self._build_actions()
        self.side = ArrearsSidePanel(ctx, self)
        self.side.restore_list.selectionModel().selectionChanged.connect(self._update_buttons)
        self.side.restore_button.clicked.connect(lambda *_args: self.mark_restored())
        self.side.export_button.clicked.connect(lambda *_args: self.export_sms())

        self.message = QLabel(self)
        self.message.setObjectName("arrearsMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(self.actions_row)
        top_layout.addWidget(self.worklist, 1)
        top_layout.addWidget(self.message)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("arrearsSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.splitter, 1)

        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self._tick)

        self._update_buttons()
        self.retranslate_ui()

    # -- construction ---------------------------------------------------------------------

    def _build_worklist(self) -> None:
        self.model = ArrearsWorklistTableModel(
            self._ctx.arrears, self._ctx.tasks, self.business_date, self
        )
        # Queries run on the worker: a busy cue meanwhile, the selection restored after.
        self._reselect: list[int] = []
        self.model.busyChanged.connect(self._show_busy)
        self.model.loaded.connect(self._worklist_loaded)
        self.model.failed.connect(lambda exc: self._say(error_text(exc), Palette.DANGER))
        self.worklist = QTableView(self)
        self.worklist.setObjectName("arrearsWorklist")
        self.worklist.setModel(self.model)
        configure_table(self.worklist)
        self.worklist.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.worklist.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        self._show_sort_indicator()
        set_column_widths(self.worklist, COLUMN_CHARS)
        self.worklist.selectionModel().selectionChanged.connect(self._update_buttons)
        self.worklist.doubleClicked.connect(self._double_clicked)
        self.model.modelReset.connect(self._show_count)
        self.model.rowsInserted.connect(self._show_count)

    def _button(self, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.clicked.connect(lambda *_args: slot())
        return button

    def _build_actions(self) -> None:
        self.pay_button = self._button("payButton", self.collect_payment)
        self.remind_button = self._button("remindButton", self.send_reminders)
        self.call_button = self._button("callButton", self.log_call)
        self.restrict_button = self._button("restrictButton", self.restrict)
        self.suspend_button = self._button("suspendButton", self.suspend)
        self.freeze_button = self._button("freezeButton", self.freeze)
        self.notice_button = self._button("noticeButton", self.print_notice)
        self.open_button = self._button("openCustomerButton", self.open_customer)
        font = self.pay_button.font()
        font.setBold(True)
        self.pay_button.setFont(font)
        row = QHBoxLayout()
        row.addWidget(self.pay_button)
        row.addSpacing(12)
        for button in (
            self.remind_button,
            self.call_button,
            self.restrict_button,
            self.suspend_button,
            self.freeze_button,
            self.notice_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.open_button)
        self.actions_row = row

    # -- loading --------------------------------------------------------------------------

    def business_date(self) -> date:
        return self._ctx.clock().astimezone(ZoneInfo(self._ctx.hall.timezone)).date()

    def now(self) -> datetime:
        return self._ctx.clock()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._tick_timer.start()
        # Payments taken in the lookup tab change the worklist; reload when coming back.
        if self._loaded:
            self.reload()
        else:
            self.load()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick_timer.stop()
        super().hideEvent(event)

    def load(self) -> None:
        """First query: the filter choices, the worklist, the restore requests and SMS."""
        self._loaded = True
        self._fill_filter_choices()
        self.apply_filters()
        self.refresh_side()

    def _fill_filter_choices(self) -> None:
        try:
            _version, policy = self._ctx.arrears.current_policy()
            grids = self._ctx.arrears.grid_units()
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            return
        self.filters.fill_choices([t.code for t in policy.tiers], grids)

    def current_filter(self) -> WorklistFilter:
        return self.filters.current_filter()

    def apply_filters(self) -> None:
        """Query the worklist again with the filters on screen."""
        self.filters.settle()
        self._loaded = True
        self.model.set_query(filter=self.current_filter())
        self._show_count()

    def reload(self) -> None:
        """Query again after an action; the selected accounts stay selected."""
        self._reselect = self.selected_account_ids()
        self.model.reload()
        self.refresh_side()
        self._show_count()

    def _show_busy(self, busy: bool) -> None:
        show_busy(self.worklist, busy)
        self._show_count()

    def _worklist_loaded(self) -> None:
        selected, self._reselect = self._reselect, []
        self.select_accounts(selected)
        self._show_count()
        self._update_buttons()

    def refresh_side(self) -> None:
        try:
            restores = self._ctx.arrears.pending_restores()
            sms = self._ctx.arrears.sms_queue(pending_only=False)
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            return
        self.side.set_rows(restores, sms)
        self._update_buttons()

    def _tick(self) -> None:
        self.side.tick()

    # -- sorting --------------------------------------------------------------------------

    def _header_clicked(self, column: int) -> None:
        if not self.model.is_sortable(column):
            self._show_sort_indicator()
            return
        current = self.model.worklist_sort
        key = COLUMNS[column].sort_key
        assert key is not None
        if key == current.key:
            descending = not current.descending
        else:
            descending = self.model.default_order(column) == Qt.SortOrder.DescendingOrder
        self.sort_by(key, descending)

    def sort_by(self, key: str, descending: bool) -> None:
        """Sort the worklist in SQL (``owed``, ``days``, ``name`` or ``grid``)."""
        self._reselect = self.selected_account_ids()
        self.model.set_query(sort=WorklistSort(key, descending))
        self._show_sort_indicator()

    def _show_sort_indicator(self) -> None:
        header = self.worklist.horizontalHeader()
        sort = self.model.worklist_sort
        header.blockSignals(True)
        header.setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder,
        )
        header.blockSignals(False)

    # -- selection ------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.worklist.selectionModel().selectedRows()})

    def selected_account_ids(self) -> list[int]:
        return [self.model.key_at(r) for r in self.selected_rows()]

    def selected_row_objects(self) -> list[WorklistRow]:
        """The selected rows whose page is loaded (``selected_account_ids``: all)."""
        rows = (self.model.row_at(r) for r in self.selected_rows())
        return [row for row in rows if row is not None]

    def current_row(self) -> WorklistRow | None:
        rows = self.selected_row_objects()
        return rows[0] if len(rows) == 1 else None

    def select_accounts(self, account_ids: Sequence[int]) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for account_id in account_ids:
            row = self.model.row_of(account_id)
            if row >= 0:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        self.worklist.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def select_rows(self, rows: Sequence[int]) -> None:
        self.select_accounts([self.model.key_at(r) for r in rows])

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.select_rows([index.row()])
            self.collect_payment()

    def _update_buttons(self) -> None:
        rows = self.selected_row_objects()
        one = len(rows) == 1 and not self._busy
        for button in (
            self.pay_button,
            self.call_button,
            self.restrict_button,
            self.suspend_button,
            self.freeze_button,
            self.notice_button,
            self.open_button,
        ):
            button.setEnabled(one)
        self.remind_button.setEnabled(bool(self.selected_rows()) and not self._busy)
        restore_selected = self.side.selected_restore() is not None
        self.side.restore_button.setEnabled(restore_selected and not self._busy)
        self.side.export_button.setEnabled(self.side.pending_sms() > 0 and not self._busy)
        self._label_action_tooltips(rows[0] if one else None)

    def _label_action_tooltips(self, row: WorklistRow | None) -> None:
        hint = ""
        if row is not None and row.next_step:
            hint = _("Next on the ladder: {step}").format(step=stage_text(row.next_step))
        for button in (self.restrict_button, self.suspend_button):
            button.setToolTip(
                _("Needs a shift leader's credential.") + (f"\n{hint}" if hint else "")
            )

    # -- actions --------------------------------------------------------------------------

    def _say(self, text: str, colour: Any = None) -> None:
        self.message.setText(text)
        set_text_colour(self.message, colour)

    def _after_action(self, text: str) -> None:
        self._say(text, Palette.OK)
        self.reload()

    def collect_payment(self) -> PaymentDialog | None:
        """Open the payment dialog for the selected account; returns it (tests)."""
        row = self.current_row()
        if row is None:
            return None
        return open_payment_dialog(self._ctx, row.account_id, self.printing, self, self._paid)

    def _paid(self, recorded: Any) -> None:
        self._after_action(
            _("Payment recorded, receipt no. {receipt_no}.").format(receipt_no=recorded.receipt_no)
        )

    def send_reminders(self) -> ReminderBatchDialog | None:
        """Preview the reminder of every selected account (text, or why none), then queue."""
        rows = self.selected_row_objects()
        if not rows:
            return None
        ids = [r.account_id for r in rows]
        arrears, actor = self._ctx.arrears, self._ctx.actor
        try:
            plans = arrears.reminder_preview(actor, ids)
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            return None
        dialog = steps.reminder_batch(self._ctx, rows, plans, self)
        dialog.accepted.connect(
            lambda: self._after_action(steps.reminders_sent_text(len(ids), dialog.outcome))
        )
        return self._open(dialog)

    def log_call(self) -> CallLogDialog | None:
        row = self.current_row()
        if row is None:
            return None
        dialog = steps.call_log(self._ctx, row, self.business_date(), self)
        dialog.accepted.connect(lambda: self._after_action(_("Phone call recorded.")))
        return self._open(dialog)

    def restrict(self) -> LeaderDialog | None:
        return self._service_action(StepKind.RESTRICT)

    def suspend(self) -> LeaderDialog | None:
        return self._service_action(StepKind.SUSPEND)

    def _service_action(self, kind: StepKind) -> LeaderDialog | None:
        """Restrict or suspend: the rules are checked first, so a refusal (no reminder yet,
        before the art. 34 floor …) is explained before anyone types a password; then a
        shift leader approves and the service checks again as it writes."""
        assert kind in SERVICE_ACTION_KINDS
        row = self.current_row()
        if row is None:
            return None
        try:
            standing = self._ctx.arrears.status(row.account_id)
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            return None
        check = next((c for c in standing.checks if c.kind == kind), None)
        if check is not None and check.refusal is not None:
            self.show_refusal(kind, row.account_no, check.refusal.user_message())
            return None
        dialog, done = steps.service_step(self._ctx, kind, row, self)
        account = row.account_no
        dialog.accepted.connect(lambda: self._after_action(_(done).format(account=account)))
        return self._open(dialog)

    def show_refusal(self, kind: StepKind, account_no: str, reason: str) -> QMessageBox:
        """Say why a step is refused: in the tab and in a message box (window-modal)."""
        title = _("Restriction refused") if kind == StepKind.RESTRICT else _("Suspension refused")
        text = _("Account {account}: {reason}").format(account=account_no, reason=reason)
        self._say(text, Palette.DANGER)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        box.setObjectName("arrearsRefusal")
        self.last_refusal = box
        return self._open(box)

    def freeze(self) -> FreezeDialog | None:
        row = self.current_row()
        if row is None:
            return None
        dialog = steps.freeze(self._ctx, row, self.business_date(), self)
        account = row.account_no
        dialog.accepted.connect(
            lambda: self._after_action(
                _("Dispute freeze recorded for account {account}.").format(account=account)
            )
        )
        return self._open(dialog)

    def print_notice(self) -> None:
        """Render the 催缴通知书 in the background, then print it."""
        row = self.current_row()
        if row is None:
            return
        arrears, actor, account_id = self._ctx.arrears, self._ctx.actor, row.account_id
        account = row.account_no
        self._set_busy(True)
        self._say(_("Preparing the arrears notice…"), Palette.MUTED)
        self._ctx.tasks.run(
            lambda: arrears.notice(actor, account_id),
            on_done=lambda pdf: self._notice_ready(account, pdf),
            on_error=self._action_failed,
        )

    def _notice_ready(self, account: str, pdf: bytes) -> None:
        self._set_busy(False)
        title = titles.arrears_notice(account)
        try:
            printed = print_document(self.printing.print_function, pdf, title, self)
        except Exception as exc:
            self._say(
                _("The arrears notice did not print: {reason}").format(reason=error_text(exc)),
                Palette.DANGER,
            )
            return
        self._after_action(
            _("Arrears notice printed for account {account}.").format(account=account)
            if printed
            else _("Arrears notice not printed.")
        )

    def _action_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._say(error_text(exc), Palette.DANGER)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def open_customer(self) -> bool:
        """Open the selected account's customer in the lookup tab and switch to it."""
        row = self.current_row()
        if row is None:
            return False
        tabs, lookup = self._lookup_tab()
        if lookup is None or not lookup.open_customer(row.customer_id):
            return False
        if tabs is not None:
            tabs.setCurrentWidget(lookup)
        return True

    def _lookup_tab(self) -> tuple[QTabWidget | None, LookupTab | None]:
        widget: QWidget | None = self.parentWidget()
        while widget is not None and not isinstance(widget, QTabWidget):
            widget = widget.parentWidget()
        if widget is None:
            return None, None
        for index in range(widget.count()):
            page = widget.widget(index)
            if isinstance(page, LookupTab):
                return widget, page
        return widget, None

    def mark_restored(self) -> RestoreDialog | None:
        request = self.side.selected_restore()
        if request is None:
            return None
        arrears, actor = self._ctx.arrears, self._ctx.actor
        dialog = RestoreDialog(
            self._ctx,
            request.account_no,
            request.service_number,
            lambda: arrears.restore(actor, request.id),
            self,
        )
        number = request.service_number
        dialog.accepted.connect(
            lambda: self._after_action(
                _("Service {service} marked as restored.").format(service=number)
            )
        )
        return self._open(dialog)

    def export_sms(self) -> None:
        """Write the pending reminders to a CSV batch in a folder the clerk picks."""
        folder = self.choose_folder(self, _("Folder for the SMS batch"))
        if not folder:
            return
        arrears, actor = self._ctx.arrears, self._ctx.actor
        self._set_busy(True)
        self._ctx.tasks.run(
            lambda: arrears.export_sms(actor, Path(folder)),
            on_done=self._sms_exported,
            on_error=self._action_failed,
        )

    def _sms_exported(self, path: Path) -> None:
        self._set_busy(False)
        self.side.show_exported(path)
        self.refresh_side()

    def _open(self, dialog: Any) -> Any:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- texts ----------------------------------------------------------------------------

    def _show_count(self) -> None:
        total = self.model.total_count()
        if not self._loaded or self.model.busy:
            self.filters.count_label.setText(_("Searching…") if self._loaded else "")
            return
        self.filters.count_label.setText(
            ngettext("{count} account in arrears", "{count} accounts in arrears", total).format(
                count=total
            )
        )

    def retranslate_ui(self) -> None:
        self.filters.retranslate_ui()
        self.pay_button.setText(keyed_text(_("Collect payment"), PAY_KEY))
        self.remind_button.setText(_("Send reminder"))
        self.call_button.setText(_("Log call"))
        self.restrict_button.setText(_("Restrict…"))
        self.suspend_button.setText(_("Suspend…"))
        self.freeze_button.setText(_("Dispute freeze…"))
        self.notice_button.setText(_("Print notice"))
        self.open_button.setText(_("Open customer"))
        self.remind_button.setToolTip(_("Queue an SMS reminder for every selected account."))
        self.model.retranslate()
        self.side.retranslate_ui()
        self._show_count()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
