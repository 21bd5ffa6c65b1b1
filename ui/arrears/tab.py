"""The arrears tab: the worklist of accounts in arrears and the ladder's actions on them,
with the restore requests (and their deadlines) and the outbound SMS queue beside it.

The worklist is a lazy model over ids sorted and filtered in SQL (``worklist_model``).
Actions run on the task worker and reload the worklist when they are done; the rows that
were selected stay selected. The tab queries nothing until it is first shown, so it costs
nothing at start-up.
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
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.arrears_policy import SERVICE_ACTION_KINDS, StepKind
from app.i18n import N_, _, format_money, ngettext
from app.services.arrears import SmsRow, SmsState, WorklistFilter, WorklistRow, WorklistSort
from ui.arrears.action_dialogs import (
    CallLogDialog,
    FreezeDialog,
    LeaderDialog,
    ReminderBatchDialog,
    RestoreDialog,
)
from ui.arrears.labels import NO_STAGE, stage_text, tier_text
from ui.arrears.models import RestoreTableModel, SmsQueueTableModel
from ui.arrears.payment_dialog import PaymentDialog, open_payment_dialog
from ui.arrears.printing import ReceiptPrinting, print_document
from ui.arrears.worklist_model import COLUMNS, ArrearsWorklistTableModel
from ui.context import AppContext
from ui.errors import error_text
from ui.lookup.tab import LookupTab
from ui.widgets import (
    Palette,
    configure_table,
    heading_label,
    set_column_widths,
    set_text_colour,
)

#: Filters typed into the day boxes wait this long, so "120" is one query, not three.
FILTER_DELAY_MS: Final = 250
#: How many SMS rows the queue shows (the counts cover all of them).
SMS_SHOWN: Final = 200
#: The widest column texts in characters, in column order.
COLUMN_CHARS: Final = (8, 26, 14, 12, 8, 10, 14, 16, 18, 10)

#: Chooses the folder for an SMS export (``None``: cancelled); replaced in tests.
FolderChooser = Callable[[QWidget, str], str | None]


def choose_folder(parent: QWidget, title: str) -> str | None:
    folder = QFileDialog.getExistingDirectory(parent, title)
    return folder or None


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
        self._sms_rows: list[SmsRow] = []
        self.last_refusal: QMessageBox | None = None

        self._build_filters()
        self._build_worklist()
        self._build_actions()
        self._build_side()

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
        layout.addLayout(self.filters_row)
        layout.addWidget(self.splitter, 1)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filters)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self._tick)

        self._update_buttons()
        self.retranslate_ui()

    # -- construction ---------------------------------------------------------------------

    def _build_filters(self) -> None:
        self.title = heading_label(self, point_delta=1)
        self.tier_filter = QComboBox(self)
        self.tier_filter.setObjectName("arrearsTierFilter")
        self.stage_filter = QComboBox(self)
        self.stage_filter.setObjectName("arrearsStageFilter")
        self.grid_filter = QComboBox(self)
        self.grid_filter.setObjectName("arrearsGridFilter")
        self.grid_filter.setMinimumContentsLength(12)
        self.min_days = QSpinBox(self)
        self.min_days.setObjectName("arrearsMinDays")
        self.max_days = QSpinBox(self)
        self.max_days.setObjectName("arrearsMaxDays")
        for box in (self.min_days, self.max_days):
            box.setRange(0, 9999)
            box.setAccelerated(True)
            box.valueChanged.connect(self._filters_edited)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("arrearsCount")
        set_text_colour(self.count_label, Palette.MUTED)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("arrearsRefresh")
        self.refresh_button.clicked.connect(self.reload)

        self.tier_label = QLabel(self)
        self.stage_label = QLabel(self)
        self.grid_label = QLabel(self)
        self.days_label = QLabel(self)
        self.days_to = QLabel(self)
        row = QHBoxLayout()
        row.addWidget(self.title)
        row.addSpacing(16)
        for label, box in (
            (self.tier_label, self.tier_filter),
            (self.stage_label, self.stage_filter),
            (self.grid_label, self.grid_filter),
        ):
            row.addWidget(label)
            row.addWidget(box)
            row.addSpacing(8)
        row.addWidget(self.days_label)
        row.addWidget(self.min_days)
        row.addWidget(self.days_to)
        row.addWidget(self.max_days)
        row.addSpacing(12)
        row.addWidget(self.count_label, 1)
        row.addWidget(self.refresh_button)
        self.filters_row = row
        for box in (self.tier_filter, self.stage_filter, self.grid_filter):
            box.currentIndexChanged.connect(self.apply_filters)

    def _build_worklist(self) -> None:
        self.model = ArrearsWorklistTableModel(self._ctx.arrears, self.business_date, self)
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

    def _build_side(self) -> None:
        self.side = QSplitter(Qt.Orientation.Horizontal, self)
        self.side.setObjectName("arrearsSide")
        tz = self._ctx.hall.timezone
        self.restore_title = heading_label(self.side, point_delta=0)
        self.restore_model = RestoreTableModel(self._ctx.clock, tz, self)
        self.restore_list = QTableView(self.side)
        self.restore_list.setObjectName("restoreList")
        self.restore_list.setModel(self.restore_model)
        configure_table(self.restore_list)
        set_column_widths(self.restore_list, (13, 8, 16, 12))
        self.restore_list.selectionModel().selectionChanged.connect(self._update_buttons)
        self.restore_button = self._button("restoreButton", self.mark_restored)
        self.restore_hint = QLabel(self.side)
        self.restore_hint.setWordWrap(True)
        set_text_colour(self.restore_hint, Palette.MUTED)

        self.sms_title = heading_label(self.side, point_delta=0)
        self.sms_counts = QLabel(self.side)
        self.sms_counts.setObjectName("smsCounts")
        self.sms_model = SmsQueueTableModel(tz, self)
        self.sms_list = QTableView(self.side)
        self.sms_list.setObjectName("smsList")
        self.sms_list.setModel(self.sms_model)
        configure_table(self.sms_list)
        set_column_widths(self.sms_list, (14, 8, 12, 16, 40))
        self.export_button = self._button("exportSmsButton", self.export_sms)
        self.export_path = QLabel(self.side)
        self.export_path.setObjectName("smsExportPath")
        self.export_path.setWordWrap(True)
        self.export_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        restore_row = QHBoxLayout()
        restore_row.addWidget(self.restore_title)
        restore_row.addWidget(self.restore_hint, 1)
        restore_row.addWidget(self.restore_button)
        restore_box = QWidget(self.side)
        restore_layout = QVBoxLayout(restore_box)
        restore_layout.setContentsMargins(0, 0, 6, 0)
        restore_layout.addLayout(restore_row)
        restore_layout.addWidget(self.restore_list, 1)
        sms_row = QHBoxLayout()
        sms_row.addWidget(self.sms_title)
        sms_row.addWidget(self.sms_counts, 1)
        sms_row.addWidget(self.export_button)
        sms_box = QWidget(self.side)
        sms_layout = QVBoxLayout(sms_box)
        sms_layout.setContentsMargins(6, 0, 0, 0)
        sms_layout.addLayout(sms_row)
        sms_layout.addWidget(self.sms_list, 1)
        sms_layout.addWidget(self.export_path)
        self.side.addWidget(restore_box)
        self.side.addWidget(sms_box)
        self.side.setStretchFactor(0, 1)
        self.side.setStretchFactor(1, 1)
        self.side.setChildrenCollapsible(False)

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
        self._refill(
            self.tier_filter, [(t.code, lambda c=t.code: tier_text(c)) for t in policy.tiers]
        )
        stages = [(NO_STAGE, lambda: stage_text(NO_STAGE))] + [
            (k.value, lambda k=k: stage_text(k.value)) for k in StepKind
        ]
        self._refill(self.stage_filter, stages)
        self._refill(self.grid_filter, [(gid, lambda n=name: n) for gid, name in grids])
        self.grid_filter.setEnabled(bool(grids))

    def _refill(self, box: QComboBox, items: Sequence[tuple[Any, Callable[[], str]]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(_("All"), None)
        for value, text in items:
            box.addItem(text(), value)
            box.setItemData(box.count() - 1, text, Qt.ItemDataRole.UserRole + 1)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.blockSignals(False)

    def _retranslate_box(self, box: QComboBox) -> None:
        box.setItemText(0, _("All"))
        for index in range(1, box.count()):
            text = box.itemData(index, Qt.ItemDataRole.UserRole + 1)
            if callable(text):
                box.setItemText(index, text())

    def current_filter(self) -> WorklistFilter:
        return WorklistFilter(
            tier=self.tier_filter.currentData(),
            stage=self.stage_filter.currentData(),
            grid_unit_id=self.grid_filter.currentData(),
            min_days=self.min_days.value() or None,
            max_days=self.max_days.value() or None,
        )

    def _filters_edited(self) -> None:
        self._filter_timer.start()

    def apply_filters(self) -> None:
        """Query the worklist again with the filters on screen."""
        self._filter_timer.stop()
        self._loaded = True
        try:
            self.model.set_query(filter=self.current_filter())
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
        self._show_count()

    def reload(self) -> None:
        """Query again after an action; the selected accounts stay selected."""
        selected = self.selected_account_ids()
        try:
            self.model.reload()
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
        self.select_accounts(selected)
        self.refresh_side()
        self._show_count()

    def refresh_side(self) -> None:
        try:
            restores = self._ctx.arrears.pending_restores()
            sms = self._ctx.arrears.sms_queue(pending_only=False)
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            return
        self.restore_model.set_rows(restores)
        self.sms_model.set_rows(sms[:SMS_SHOWN])
        self._sms_rows = sms
        self._label_side()
        self._update_buttons()

    def _tick(self) -> None:
        self.restore_model.tick()
        self._label_restores()

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
        selected = self.selected_account_ids()
        try:
            self.model.set_query(sort=WorklistSort(key, descending))
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
        self._show_sort_indicator()
        self.select_accounts(selected)

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
        return [self.model.row_at(r).account_id for r in self.selected_rows()]

    def selected_row_objects(self) -> list[WorklistRow]:
        return [self.model.row_at(r) for r in self.selected_rows()]

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
        self.select_accounts([self.model.row_at(r).account_id for r in rows])

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
        self.remind_button.setEnabled(bool(rows) and not self._busy)
        restore_selected = bool(self.restore_list.selectionModel().selectedRows())
        self.restore_button.setEnabled(restore_selected and not self._busy)
        self.export_button.setEnabled(self._pending_sms() > 0 and not self._busy)
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
        names = {r.account_id: r.customer_name_masked for r in rows}
        dialog = ReminderBatchDialog(
            self._ctx, plans, names, lambda: arrears.send_reminders(actor, ids), self
        )
        dialog.accepted.connect(lambda: self._reminders_sent(len(ids), dialog.outcome))
        return self._open(dialog)

    def _reminders_sent(self, asked: int, outcome: Any) -> None:
        queued = len(outcome or ())
        text = ngettext(
            "{count} reminder queued for the SMS platform.",
            "{count} reminders queued for the SMS platform.",
            queued,
        ).format(count=queued)
        if queued < asked:
            text += " " + ngettext(
                "{count} account got no reminder (see the reasons before sending).",
                "{count} accounts got no reminder (see the reasons before sending).",
                asked - queued,
            ).format(count=asked - queued)
        self._after_action(text)

    def log_call(self) -> CallLogDialog | None:
        row = self.current_row()
        if row is None:
            return None
        arrears, actor, account_id = self._ctx.arrears, self._ctx.actor, row.account_id
        dialog = CallLogDialog(
            self._ctx,
            row.account_no,
            row.customer_name_masked,
            self.business_date(),
            lambda result, promised, note: arrears.log_call(
                actor, account_id, result, promised, note
            ),
            self,
        )
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
        arrears, actor, account_id = self._ctx.arrears, self._ctx.actor, row.account_id
        try:
            standing = arrears.status(account_id)
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            return None
        check = next((c for c in standing.checks if c.kind == kind), None)
        if check is not None and check.refusal is not None:
            self.show_refusal(kind, row.account_no, check.refusal.user_message())
            return None
        call = arrears.restrict if kind == StepKind.RESTRICT else arrears.suspend
        account, customer, owed = row.account_no, row.customer_name_masked, row.owed_fen
        if kind == StepKind.RESTRICT:
            describe = lambda: _(  # noqa: E731
                "Restrict outgoing service (单停) of account {account} ({customer}), owing "
                "{amount}. The customer can still receive calls."
            ).format(account=account, customer=customer, amount=format_money(owed))
            done = N_("Outgoing service restricted for account {account}.")
        else:
            describe = lambda: _(  # noqa: E731
                "Suspend service (双停) of account {account} ({customer}), owing {amount}."
            ).format(account=account, customer=customer, amount=format_money(owed))
            done = N_("Service suspended for account {account}.")
        dialog = LeaderDialog(
            self._ctx,
            describe,
            action=lambda leader, _reason: call(actor, account_id, leader),
            parent=self,
        )
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
        arrears, actor, account_id = self._ctx.arrears, self._ctx.actor, row.account_id
        dialog = FreezeDialog(
            self._ctx,
            row.account_no,
            row.overdue_fen or row.owed_fen,
            self.business_date(),
            lambda leader, amount, reason, expires: arrears.freeze(
                actor, leader, account_id, amount, reason, expires
            ),
            self,
        )
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
        title = _("Arrears notice {account}").format(account=account)
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
        rows = self.restore_list.selectionModel().selectedRows()
        if not rows:
            return None
        request = self.restore_model.row_at(rows[0].row())
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
        self.export_path.setText(_("Exported to {path}").format(path=str(path)))
        set_text_colour(self.export_path, Palette.OK)
        self.refresh_side()

    def _open(self, dialog: Any) -> Any:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- texts ----------------------------------------------------------------------------

    def _pending_sms(self) -> int:
        return sum(1 for m in self._sms_rows if m.state == SmsState.PENDING)

    def _show_count(self) -> None:
        total = self.model.total_count()
        if not self._loaded:
            self.count_label.setText("")
            return
        self.count_label.setText(
            ngettext("{count} account in arrears", "{count} accounts in arrears", total).format(
                count=total
            )
        )

    def _label_restores(self) -> None:
        pending = self.restore_model.rowCount()
        overdue = self.restore_model.overdue_count()
        title = ngettext(
            "Restore requests ({count})", "Restore requests ({count})", pending
        ).format(count=pending)
        self.restore_title.setText(title)
        if overdue:
            self.restore_hint.setText(
                ngettext(
                    "{count} restore is past its deadline.",
                    "{count} restores are past their deadline.",
                    overdue,
                ).format(count=overdue)
            )
            set_text_colour(self.restore_hint, Palette.DANGER)
        else:
            self.restore_hint.setText(
                _("Restore within the hall's deadline after full payment.")
                if pending
                else _("No service waiting to be restored.")
            )
            set_text_colour(self.restore_hint, Palette.MUTED)

    def _label_side(self) -> None:
        self._label_restores()
        rows = self._sms_rows
        pending = self._pending_sms()
        self.sms_title.setText(_("SMS queue"))
        self.sms_counts.setText(
            _("{pending} waiting for export · {exported} exported").format(
                pending=pending, exported=len(rows) - pending
            )
        )
        set_text_colour(self.sms_counts, Palette.WARNING if pending else Palette.MUTED)

    def retranslate_ui(self) -> None:
        self.title.setText(_("Arrears"))
        self.tier_label.setText(_("Tier:"))
        self.stage_label.setText(_("Stage:"))
        self.grid_label.setText(_("Grid:"))
        self.days_label.setText(_("Days overdue:"))
        self.days_to.setText(_("to"))
        for box in (self.min_days, self.max_days):
            box.setSpecialValueText(_("any"))
        for box in (self.tier_filter, self.stage_filter, self.grid_filter):
            self._retranslate_box(box)
        self.refresh_button.setText(_("Refresh"))
        self.pay_button.setText(_("Collect payment"))
        self.remind_button.setText(_("Send reminder"))
        self.call_button.setText(_("Log call"))
        self.restrict_button.setText(_("Restrict…"))
        self.suspend_button.setText(_("Suspend…"))
        self.freeze_button.setText(_("Dispute freeze…"))
        self.notice_button.setText(_("Print notice"))
        self.open_button.setText(_("Open customer"))
        self.remind_button.setToolTip(_("Queue an SMS reminder for every selected account."))
        self.restore_button.setText(_("Mark restored"))
        self.export_button.setText(_("Export SMS…"))
        self.export_button.setToolTip(
            _("Write the waiting messages to a CSV file for the SMS platform.")
        )
        self.model.retranslate()
        self.restore_model.retranslate()
        self.sms_model.retranslate()
        self._show_count()
        self._label_side()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
