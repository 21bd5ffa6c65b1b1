"""Beside the arrears worklist: the restore requests with their countdown to the hall's
deadline, and the outbound SMS queue with its export. The tab reads both and hands the rows
over; marking a restore and exporting the SMS are the tab's actions on this panel's rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services.arrears import (
    RestoreRow,
    SmsRow,
    SmsState,
)
from ui.arrears.models import RestoreTableModel, SmsQueueTableModel
from ui.context import AppContext
from ui.widgets import (
    Palette,
    configure_table,
    heading_label,
    named_button,
    set_column_widths,
    set_text_colour,
)

#: How many SMS rows the queue shows (the counts cover all of them).
SMS_SHOWN: Final = 200


class ArrearsSidePanel(QSplitter):
    """The restore requests and the SMS queue, side by side."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("arrearsSide")
        self._sms_rows: list[SmsRow] = []
        tz = ctx.hall.timezone
        self.restore_title = heading_label(self, point_delta=0)
        self.restore_model = RestoreTableModel(ctx.clock, tz, self)
        self.restore_list = QTableView(self)
        self.restore_list.setObjectName("restoreList")
        self.restore_list.setModel(self.restore_model)
        configure_table(self.restore_list)
        set_column_widths(self.restore_list, (13, 8, 16, 12))
        self.restore_button = named_button(self, "restoreButton")
        self.restore_hint = QLabel(self)
        self.restore_hint.setWordWrap(True)
        set_text_colour(self.restore_hint, Palette.MUTED)

        self.sms_title = heading_label(self, point_delta=0)
        self.sms_counts = QLabel(self)
        self.sms_counts.setObjectName("smsCounts")
        self.sms_model = SmsQueueTableModel(tz, self)
        self.sms_list = QTableView(self)
        self.sms_list.setObjectName("smsList")
        self.sms_list.setModel(self.sms_model)
        configure_table(self.sms_list)
        set_column_widths(self.sms_list, (14, 8, 12, 16, 40))
        self.export_button = named_button(self, "exportSmsButton")
        self.export_path = QLabel(self)
        self.export_path.setObjectName("smsExportPath")
        self.export_path.setWordWrap(True)
        self.export_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        restore_row = QHBoxLayout()
        restore_row.addWidget(self.restore_title)
        restore_row.addWidget(self.restore_hint, 1)
        restore_row.addWidget(self.restore_button)
        restore_box = QWidget(self)
        restore_layout = QVBoxLayout(restore_box)
        restore_layout.setContentsMargins(0, 0, 6, 0)
        restore_layout.addLayout(restore_row)
        restore_layout.addWidget(self.restore_list, 1)
        sms_row = QHBoxLayout()
        sms_row.addWidget(self.sms_title)
        sms_row.addWidget(self.sms_counts, 1)
        sms_row.addWidget(self.export_button)
        sms_box = QWidget(self)
        sms_layout = QVBoxLayout(sms_box)
        sms_layout.setContentsMargins(6, 0, 0, 0)
        sms_layout.addLayout(sms_row)
        sms_layout.addWidget(self.sms_list, 1)
        sms_layout.addWidget(self.export_path)
        self.addWidget(restore_box)
        self.addWidget(sms_box)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 1)
        self.setChildrenCollapsible(False)

    def set_rows(self, restores: Sequence[RestoreRow], sms: Sequence[SmsRow]) -> None:
        """Show the pending restores and the queue (its first ``SMS_SHOWN`` messages)."""
        self.restore_model.set_rows(restores)
        self.sms_model.set_rows(sms[:SMS_SHOWN])
        self._sms_rows = list(sms)
        self.label()

    def selected_restore(self) -> RestoreRow | None:
        rows = self.restore_list.selectionModel().selectedRows()
        return self.restore_model.row_at(rows[0].row()) if rows else None

    def tick(self) -> None:
        """Count the restores' deadlines down (every second while shown)."""
        self.restore_model.tick()
        self.label_restores()

    def show_exported(self, path: Path) -> None:
        self.export_path.setText(_("Exported to {path}").format(path=str(path)))
        set_text_colour(self.export_path, Palette.OK)

    def pending_sms(self) -> int:
        """Messages waiting for the export."""
        return sum(1 for m in self._sms_rows if m.state == SmsState.PENDING)

    def label_restores(self) -> None:
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

    def label(self) -> None:
        """The titles and counts of both lists."""
        self.label_restores()
        rows = self._sms_rows
        pending = self.pending_sms()
        self.sms_title.setText(_("SMS queue"))
        self.sms_counts.setText(
            _("{pending} waiting for export · {exported} exported").format(
                pending=pending, exported=len(rows) - pending
            )
        )
        set_text_colour(self.sms_counts, Palette.WARNING if pending else Palette.MUTED)

    def retranslate_ui(self) -> None:
        self.restore_button.setText(_("Mark restored"))
        self.export_button.setText(_("Export SMS…"))
        self.export_button.setToolTip(
            _("Write the waiting messages to a CSV file for the SMS platform.")
        )
        self.restore_model.retranslate()
        self.sms_model.retranslate()
        self.label()
