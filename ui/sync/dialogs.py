"""The dialogs of sync: its progress (cancelling between batches), the sync settings
(centre URL, enrolment, interval) and the list of flagged items a leader works through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import HallDeskError
from app.i18n import N_, _, format_datetime
from app.services.base import Actor
from app.store.models import Role
from app.sync.service import SyncService
from app.sync.status import unencrypted
from ui.context import AppContext

UNENCRYPTED_WARNING = N_(
    "Warning: the connection to the centre is not encrypted (http://): the PC's credential "
    "and the hall's data can be read on the network. Use https:// as soon as the centre "
    "offers it."
)

#: What the centre's flag reasons mean, for the leader working through the list.
REASON_LABELS = {
    "unknown_account": N_("Payment for an account the centre does not know"),
    "unknown_bill": N_("Paid a bill the centre does not know (kept as credit)"),
    "bill_already_paid": N_("Bill already paid (kept as credit)"),
    "receipt_no_clash": N_("Receipt number already used"),
    "complaint_no_clash": N_("Complaint number already used"),
    "conflicting_copy": N_("Differs from the centre's copy"),
    "op_id_reused": N_("Operation sent twice with different content"),
    "kind_not_writable": N_("The centre does not take this kind of record from a hall"),
    "bad_key": N_("Damaged record"),
    "append_only": N_("Deleting this record is not allowed"),
    "invalid_transition": N_(
        "Complaint step no longer valid after another PC's step (kept, not applied)"
    ),
    "bad_text": N_("Refused: the text holds characters the centre cannot store"),
    "bad_payload": N_("Refused: a value the centre cannot store"),
    "other_device": N_("Refused: it names another PC"),
    "unknown_kind": N_("Not taken yet: the centre does not know this kind of record"),
    "centre_error": N_("Not taken yet: the centre could not store it"),
}
#: What a leader does about each reason (shown beside it).
REASON_ADVICE = {
    "bad_text": N_(
        "Usually a character pasted from the clipboard. Send again: it goes without those "
        "characters (this PC keeps the text as typed)."
    ),
    "bad_payload": N_(
        "The record is damaged on this PC. Call the centre's support; it stays here, unsent."
    ),
    "other_device": N_(
        "It was recorded under another PC's device code. Call the centre's support; it "
        "stays here, unsent."
    ),
    "unknown_kind": N_("Sent again at every sync; the centre needs an update."),
    "centre_error": N_("Sent again at every sync; if it stays, call the centre's support."),
}
KIND_LABELS = {
    "complaint": N_("Complaint"),
    "payment": N_("Payment"),
    "payment_allocation": N_("Payment towards a bill"),
    "complaint_event": N_("Complaint step"),
}


class SyncProgressDialog(QDialog):
    def __init__(self, on_cancel: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncProgressDialog")
        self.setModal(True)
        self.label = QLabel(self)
        self.label.setObjectName("syncProgressLabel")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("syncProgressBar")
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("syncCancelButton")
        self.cancel_button.clicked.connect(on_cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button, alignment=Qt.AlignmentFlag.AlignRight)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Sync with the centre"))
        self.cancel_button.setText(_("Cancel"))
        if not self.label.text():
            self.label.setText(_("Connecting…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reject(self) -> None:  # closing = cancelling; the dialog closes when the job stops
        self.cancel_button.click()


class SyncSettingsDialog(QDialog):
    """The centre's address, enrolment with a one-time code, and the sync interval."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncSettingsDialog")
        self.ctx = ctx
        self.service = ctx.service(SyncService)
        status = self.service.status()
        self.url_edit = QLineEdit(status.url, self)
        self.url_edit.setObjectName("syncUrlEdit")
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("syncCodeEdit")
        self.interval_spin = QSpinBox(self)
        self.interval_spin.setObjectName("syncIntervalSpin")
        self.interval_spin.setRange(0, 24 * 60)
        self.interval_spin.setValue(self.service.interval_minutes())
        self.plain_http_check = QCheckBox(self)
        self.plain_http_check.setObjectName("syncPlainHttpCheck")
        self.plain_http_check.setChecked(self.service.plain_http_allowed())
        # Only an administrator may allow it (the service checks it again).
        self.plain_http_check.setEnabled(ctx.actor.role == Role.ADMIN)
        self.plain_http_warning = QLabel(self)
        self.plain_http_warning.setObjectName("syncPlainHttpWarning")
        self.plain_http_warning.setWordWrap(True)
        self.plain_http_warning.setStyleSheet("color: #b00020;")
        self.url_edit.textChanged.connect(self._update_warning)
        self.plain_http_check.toggled.connect(self._update_warning)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("syncEnrolState")
        self.error_label = QLabel(self)
        self.error_label.setObjectName("syncSettingsError")
        self.error_label.setWordWrap(True)
        self.form = QFormLayout()
        self.url_label, self.code_label, self.interval_label = QLabel(), QLabel(), QLabel()
        self.form.addRow(self.url_label, self.url_edit)
        self.form.addRow(self.code_label, self.code_edit)
        self.form.addRow(self.interval_label, self.interval_spin)
        self.form.addRow(self.plain_http_check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("syncSettingsButtons")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(self.form)
        layout.addWidget(self.plain_http_warning)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Sync settings"))
        self.url_label.setText(_("Centre address"))
        self.code_label.setText(_("Enrolment code"))
        self.interval_label.setText(_("Sync every (minutes, 0 = only by hand)"))
        self.plain_http_check.setText(
            _("Allow unencrypted http:// to a centre on another computer (administrator)")
        )
        self._update_warning()
        status = self.service.status()
        self.state_label.setText(
            _("This PC is enrolled with {url}.").format(url=status.url)
            if status.enrolled
            else _("This PC is not enrolled with a centre yet.")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @Slot()
    def _update_warning(self) -> None:
        if not unencrypted(self.url_edit.text().strip()):
            self.plain_http_warning.setText("")
        elif self.plain_http_check.isChecked():
            self.plain_http_warning.setText(_(UNENCRYPTED_WARNING))
        else:
            self.plain_http_warning.setText(
                _(
                    "This address is not encrypted: syncing with it is refused unless an "
                    "administrator allows it. Use an https:// address."
                )
            )

    @Slot()
    def save(self) -> None:
        try:
            if self.plain_http_check.isEnabled() and (
                self.plain_http_check.isChecked() != self.service.plain_http_allowed()
            ):
                self.service.set_plain_http_allowed(
                    self.ctx.actor, self.plain_http_check.isChecked()
                )
            self.service.set_interval(self.ctx.actor, self.interval_spin.value())
            if self.code_edit.text().strip():
                self.service.enrol(self.ctx.actor, self.url_edit.text(), self.code_edit.text())
        except HallDeskError as exc:
            self.error_label.setText(exc.user_message())  # the typed values stay
            return
        self.accept()


class SyncConflictsDialog(QDialog):
    """Items the centre flagged (odd payments, refused changes); a leader resolves each."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncConflictsDialog")
        self.ctx = ctx
        self.service = ctx.service(SyncService)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("syncConflictsTable")
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._show_advice)
        self.advice_label = QLabel(self)
        self.advice_label.setObjectName("syncConflictAdvice")
        self.advice_label.setWordWrap(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("syncResolveNote")
        self.resolve_button = QPushButton(self)
        self.resolve_button.setObjectName("syncResolveButton")
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.send_again_button = QPushButton(self)
        self.send_again_button.setObjectName("syncSendAgainButton")
        self.send_again_button.clicked.connect(self.send_again_selected)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("syncConflictsError")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.advice_label)
        layout.addWidget(self.note_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_again_button)
        buttons.addWidget(self.resolve_button)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        self.resize(900, 420)
        self.retranslate_ui()
        self.reload()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Flagged by the centre"))
        self.table.setHorizontalHeaderLabels([_("Flagged at"), _("Kind"), _("Item"), _("Reason")])
        self.note_edit.setPlaceholderText(_("How it was dealt with"))
        self.resolve_button.setText(_("Resolve (leader)…"))
        self.send_again_button.setText(_("Send again (leader)…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reload(self) -> None:
        self.rows = self.service.conflicts()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            values = (
                format_datetime(row.flagged_at, self.ctx.hall.timezone),
                _(KIND_LABELS[row.kind]) if row.kind in KIND_LABELS else row.kind,
                row.key,
                _(REASON_LABELS[row.reason]) if row.reason in REASON_LABELS else row.reason,
            )
            advice = _(REASON_ADVICE[row.reason]) if row.reason in REASON_ADVICE else ""
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(advice or value)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if self.rows:
            self.table.selectRow(0)
        self._show_advice()

    @Slot()
    def _show_advice(self) -> None:
        """What to do about the selected item, in words (below the list)."""
        selected = self.table.selectionModel().selectedRows()
        row = self.rows[selected[0].row()] if selected else None
        advice = REASON_ADVICE.get(row.reason, "") if row is not None else ""
        self.advice_label.setText(
            _("What to do: {advice}").format(advice=_(advice)) if advice else ""
        )

    def _selected(self) -> Any:
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            self.error_label.setText(_("Choose an item first."))
            return None
        return self.rows[selected[0].row()]

    @Slot()
    def send_again_selected(self) -> None:
        """A leader sends a refused record again (cleaned, for characters the centre
        cannot store), at the next sync."""
        from ui.service_dialogs import LeaderDialog

        row = self._selected()
        if row is None:
            return
        if not row.parked:
            self.error_label.setText(_("Only a record the centre refused can be sent again."))
            return

        def act(leader: Actor, _reason: str) -> None:
            self.service.send_again(leader, row.id)

        dialog = LeaderDialog(
            self.ctx,
            lambda: _("Send the refused record {item} again").format(item=row.key),
            action=act,
            parent=self,
        )
        dialog.finished.connect(lambda _r: self.reload())
        dialog.open()
        self.leader_dialog = dialog

    @Slot()
    def resolve_selected(self) -> None:
        from ui.service_dialogs import LeaderDialog

        row = self._selected()
        if row is None:
            return
        note = self.note_edit.text()

        def act(leader: Actor, _reason: str) -> None:
            self.service.resolve(leader, row.id, note)

        dialog = LeaderDialog(
            self.ctx,
            lambda: _("Resolve the flagged item {item}").format(item=row.key),
            action=act,
            parent=self,
        )
        dialog.finished.connect(lambda _r: self.reload())
        dialog.open()
        self.leader_dialog = dialog
