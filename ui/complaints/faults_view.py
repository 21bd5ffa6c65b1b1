"""Fault notices: the list (active first) with the complaints counted on each, and, for
shift leaders, the editor that issues a notice or closes one with a leader's credential
(objectName ``faultNoticeEditor``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, QEvent, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.i18n import N_, _, format_datetime
from app.services.complaints.faults import (
    LEVEL_LABELS,
    FaultNoticeRequest,
    FaultNoticeService,
    FaultNoticeView,
    check_notice,
)
from ui.complaints.fault_banner import notices_changed
from ui.context import AppContext
from ui.errors import error_text
from ui.service_dialogs import LeaderDialog
from ui.widgets import (
    Column,
    Palette,
    RowTableModel,
    configure_table,
    heading_label,
    set_column_widths,
    set_text_colour,
)


class FaultNoticesView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("faultNotices")
        self._ctx = ctx
        self._service = ctx.service(FaultNoticeService)
        self.dialog: LeaderDialog | None = None
        tz = ctx.hall.timezone

        def when(value: datetime | None) -> str:
            return format_datetime(value, tz, fmt="short") if value else ""

        self.model = RowTableModel[FaultNoticeView](
            [
                Column(N_("Level"), lambda n: n.roman),
                Column(N_("Services affected"), lambda n: n.services),
                Column(N_("Areas affected"), lambda n: n.areas),
                Column(N_("Started"), lambda n: when(n.started_at)),
                Column(N_("Expected recovery"), lambda n: when(n.expected_recovery_at)),
                Column(N_("Linked complaints"), lambda n: str(n.complaints)),
                Column(
                    N_("Notice state"),
                    lambda n: (
                        _("Active") if n.active else _("Closed {at}").format(at=when(n.closed_at))
                    ),
                    foreground=lambda n: Palette.DANGER if n.active else Palette.MUTED,
                ),
                Column(N_("Wording for customers"), lambda n: n.wording),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("faultNoticeTable")
        self.table.setModel(self.model)
        configure_table(self.table)
        set_column_widths(self.table, (5, 14, 16, 14, 14, 8, 14, 40))

        self.editor = QWidget(self)
        self.editor.setObjectName("faultNoticeEditor")
        self.heading = heading_label(self.editor)
        self.level = QComboBox(self.editor)
        self.level.setObjectName("faultLevel")
        self.services = QLineEdit(self.editor)
        self.services.setObjectName("faultServices")
        self.services.setMaxLength(200)
        self.areas = QLineEdit(self.editor)
        self.areas.setObjectName("faultAreas")
        self.areas.setMaxLength(200)
        zone = QTimeZone(ctx.hall.timezone.encode())
        now = ctx.clock()
        self.started = QDateTimeEdit(self.editor)
        self.started.setObjectName("faultStarted")
        self.started.setTimeZone(zone)
        self.started.setCalendarPopup(True)
        self.started.setDateTime(QDateTime.fromSecsSinceEpoch(int(now.timestamp()), zone))
        self.recovery = QDateTimeEdit(self.editor)
        self.recovery.setObjectName("faultRecovery")
        self.recovery.setTimeZone(zone)
        self.recovery.setCalendarPopup(True)
        later = now + timedelta(hours=4)
        self.recovery.setDateTime(QDateTime.fromSecsSinceEpoch(int(later.timestamp()), zone))
        self.recovery_known = QCheckBox(self.editor)
        self.recovery_known.setObjectName("faultRecoveryKnown")
        self.recovery_known.setChecked(True)
        self.recovery_known.toggled.connect(self.recovery.setEnabled)
        self.wording = QPlainTextEdit(self.editor)
        self.wording.setObjectName("faultWording")
        self.wording.setMaximumHeight(90)
        self.error = QLabel(self.editor)
        self.error.setObjectName("faultError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.issue_button = QPushButton(self.editor)
        self.issue_button.setObjectName("faultIssue")
        self.issue_button.clicked.connect(lambda *_a: self.issue())
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("faultClose")
        self.close_button.clicked.connect(lambda *_a: self.close_selected())
        self._captions: list[tuple[QLabel, str]] = []
        form = QFormLayout()
        recovery_row = QHBoxLayout()
        recovery_row.addWidget(self.recovery_known)
        recovery_row.addWidget(self.recovery, 1)
        for msgid, field in (
            (N_("Level"), self.level),
            (N_("Services affected"), self.services),
            (N_("Areas affected"), self.areas),
            (N_("Started"), self.started),
            (N_("Expected recovery"), recovery_row),
            (N_("Approved wording for customers"), self.wording),
        ):
            caption = QLabel(self.editor)
            self._captions.append((caption, msgid))
            form.addRow(caption, field)
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.heading)
        editor_layout.addLayout(form)
        editor_layout.addWidget(self.error)
        editor_layout.addWidget(self.issue_button)
        self.editor.setVisible(ctx.actor.is_leader)
        self.close_button.setVisible(ctx.actor.is_leader)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.close_button)
        layout.addWidget(self.editor)
        self.retranslate_ui()

    def refresh(self) -> None:
        try:
            self.model.set_rows(self._service.all())
        except Exception as exc:
            self.error.setText(error_text(exc))

    def request_value(self) -> FaultNoticeRequest:
        zone = ZoneInfo(self._ctx.hall.timezone)

        def aware(edit: QDateTimeEdit) -> datetime:
            return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), zone)

        return FaultNoticeRequest(
            level=int(self.level.currentData() or 0),
            services=self.services.text(),
            areas=self.areas.text(),
            started_at=aware(self.started),
            expected_recovery_at=aware(self.recovery) if self.recovery_known.isChecked() else None,
            wording=self.wording.toPlainText(),
        )

    def issue(self) -> LeaderDialog | None:
        """Check the form, then ask for a shift leader's credential and issue the notice."""
        self.error.clear()
        request = self.request_value()
        try:
            check_notice(request, self._ctx.clock())
        except ValidationError as exc:
            self.error.setText(exc.user_message())
            return None
        service, actor = self._service, self._ctx.actor
        dialog = LeaderDialog(
            self._ctx,
            lambda: _("Issue a level {level} fault notice for {services}.").format(
                level=request.level, services=request.services
            ),
            action=lambda leader, _reason: service.create(actor, leader, request),
            parent=self,
        )
        dialog.accepted.connect(self._issued)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _issued(self) -> None:
        self.services.clear()
        self.areas.clear()
        self.wording.clear()
        self.refresh()
        notices_changed()

    def selected(self) -> FaultNoticeView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def close_selected(self) -> LeaderDialog | None:
        notice = self.selected()
        if notice is None or not notice.active:
            self.error.setText(_("Select an active notice to close."))
            return None
        service, actor = self._service, self._ctx.actor
        dialog = LeaderDialog(
            self._ctx,
            lambda: _("Close the fault notice for {services}: service is restored.").format(
                services=notice.services
            ),
            action=lambda leader, reason: service.close(actor, leader, notice.notice_id, reason),
            reason=True,
            parent=self,
        )
        dialog.accepted.connect(lambda: (self.refresh(), notices_changed()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def retranslate_ui(self) -> None:
        self.heading.setText(_("Issue a fault notice"))
        for caption, msgid in self._captions:
            caption.setText(_(msgid))
        current = self.level.currentData()
        self.level.clear()
        for level, msgid in LEVEL_LABELS.items():
            self.level.addItem(_(msgid), level)
        self.level.setCurrentIndex(max(0, self.level.findData(current)))
        self.recovery_known.setText(_("Known"))
        self.issue_button.setText(_("Issue notice…"))
        self.close_button.setText(_("Close selected notice (service restored)…"))
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
