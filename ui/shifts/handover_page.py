"""The handover page of the Shift tab: the counter's last closed shift with its close
figures, the pending list, equipment and supplies, notes, the three signatures, and the
printed sheet's preview and printing (rendered on the task worker)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.documents import titles
from app.domain.cash import CASH, had_takings
from app.domain.complaint_deadline import due_text
from app.domain.errors import ValidationError
from app.domain.handover import SIGNER_LABELS, Signer
from app.i18n import N_, _, format_datetime, format_money
from app.services.payments.plan import method_label
from app.services.pending import PENDING_KIND_LABELS, PendingItem
from app.services.shifts import (
    ShiftReport,
)
from app.services.shifts.handover import HandoverService
from app.services.shifts.views import (
    STANDARD_EQUIPMENT,
    EquipmentLine,
    HandoverView,
)
from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.printing import (
    PrintFunction,
    default_print_function,
    print_document,
    render_first_page,
)
from ui.shifts.counting import difference_text
from ui.shifts.dialogs import (
    SignDialog,
)
from ui.widgets import (
    Column,
    Palette,
    RowTableModel,
    heading_label,
    named_button,
    named_table,
    set_column_widths,
    set_text_colour,
)

SIGN_BUTTONS = {
    Signer.OUTGOING: "signOutgoingButton",
    Signer.INCOMING: "signIncomingButton",
    Signer.LEADER: "signLeaderButton",
}
SIGN_LABELS = {
    Signer.OUTGOING: "signatureOutgoing",
    Signer.INCOMING: "signatureIncoming",
    Signer.LEADER: "signatureLeader",
}


def close_summary(report: ShiftReport) -> str:
    """The close's figures, one line per method: expected, counted, difference."""
    close = report.shift.close
    if close is None:
        return ""
    lines = [
        _("Cash: expected {expected}, counted {counted}, {difference}").format(
            expected=format_money(close.expected_cash_fen),
            counted=format_money(close.counted_cash_fen),
            difference=difference_text(close.difference_fen),
        )
    ]
    for total in report.cash.methods:
        if total.method == CASH:
            continue
        counted = close.method(total.method)
        if not (had_takings(total) or (counted and counted.counted_fen)):
            continue  # nothing taken, nothing counted
        label = method_label(total.method)
        if counted is None:
            lines.append(
                _("{method}: takings {amount}, not counted at the close").format(
                    method=label, amount=format_money(total.net_fen)
                )
            )
            continue
        lines.append(
            _("{method}: expected {expected}, counted {counted}, {difference}").format(
                method=label,
                expected=format_money(counted.expected_fen),
                counted=format_money(counted.counted_fen),
                difference=difference_text(counted.difference_fen),
            )
        )
    return "\n".join(lines)


def pending_columns(tz: str) -> list[Column[PendingItem]]:
    return [
        Column(
            N_("Item"),
            lambda i: _(PENDING_KIND_LABELS[i.kind]),
            foreground=lambda i: Palette.DANGER if i.overdue else None,
        ),
        Column(N_("Reference"), lambda i: i.ref),
        Column(N_("Details"), lambda i: i.details()),
        Column(
            N_("Due"),
            lambda i: (
                (due_text(i.due_at, tz) if i.due_at else "")
                + (" " + _("(overdue)") if i.overdue else "")
            ),
            context="pending",
        ),
    ]


class HandoverPage(QWidget):
    """The handover of the counter's last closed shift."""

    #: A revision was saved or signed: the tab reads everything again.
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoverPage")
        self.ctx = ctx
        self.handovers = ctx.service(HandoverService)
        self.print_function: PrintFunction = default_print_function()
        self.handover: HandoverView | None = None
        self.handover_shift_id: uuid.UUID | None = None
        self.sheet_pdf: bytes | None = None
        tz = ctx.hall.timezone
        self.handover_heading = heading_label(self)
        self.handover_heading.setObjectName("handoverShiftLabel")
        self.handover_heading.setWordWrap(True)
        self.close_summary = QLabel(self)
        self.close_summary.setObjectName("handoverCloseSummary")
        self.close_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pending_caption = QLabel(self)
        self.pending_model: RowTableModel[PendingItem] = RowTableModel(pending_columns(tz), self)
        self.pending_table = named_table(self, "pendingTable", self.pending_model)
        set_column_widths(self.pending_table, (14, 14, 24, 18))
        self.equipment_caption = QLabel(self)
        self.equipment = QTableWidget(0, 3, self)
        self.equipment.setObjectName("equipmentTable")
        self.equipment.verticalHeader().setVisible(False)
        self.equipment.horizontalHeader().setStretchLastSection(True)
        self.equipment.setColumnWidth(0, 220)
        self.add_equipment = named_button(self, "addEquipmentButton")
        self.add_equipment.clicked.connect(lambda: self._add_equipment_row("", 0, ""))
        self.notes_caption = QLabel(self)
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("handoverNotes")
        self.notes.setMaximumHeight(70)
        self.correction_caption = QLabel(self)
        self.correction = QLineEdit(self)
        self.correction.setObjectName("correctionReason")
        self.correction.setMaxLength(200)
        self.save_button = named_button(self, "saveHandoverButton")
        self.save_button.clicked.connect(self.save_handover)
        self.handover_error = QLabel(self)
        self.handover_error.setObjectName("handoverError")
        self.handover_error.setWordWrap(True)
        set_text_colour(self.handover_error, Palette.DANGER)

        self.sign_box = QGroupBox(self)
        grid = QGridLayout(self.sign_box)
        self.sign_labels: dict[Signer, QLabel] = {}
        self.sign_buttons: dict[Signer, QPushButton] = {}
        self.sign_roles: dict[Signer, QLabel] = {}
        for row, role in enumerate(Signer):
            self.sign_roles[role] = QLabel(self.sign_box)
            label = QLabel(self.sign_box)
            label.setObjectName(SIGN_LABELS[role])
            button = named_button(self.sign_box, SIGN_BUTTONS[role])
            button.clicked.connect(lambda _c=False, r=role: self.sign(r))
            grid.addWidget(self.sign_roles[role], row, 0)
            grid.addWidget(label, row, 1)
            grid.addWidget(button, row, 2)
            self.sign_labels[role], self.sign_buttons[role] = label, button
        grid.setColumnStretch(1, 1)

        self.sheet = QLabel(self)
        self.sheet.setObjectName("handoverSheet")
        self.sheet.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.sheet.setMinimumWidth(300)
        self.sheet.setFrameShape(QLabel.Shape.StyledPanel)
        self.print_button = named_button(self, "printHandoverButton")
        self.print_button.clicked.connect(self.print_sheet)

        left = QVBoxLayout()
        left.addWidget(self.handover_heading)
        left.addWidget(self.close_summary)
        left.addWidget(self.pending_caption)
        left.addWidget(self.pending_table, 2)
        equipment_bar = QHBoxLayout()
        equipment_bar.addWidget(self.equipment_caption, 1)
        equipment_bar.addWidget(self.add_equipment)
        left.addLayout(equipment_bar)
        left.addWidget(self.equipment, 2)
        left.addWidget(self.notes_caption)
        left.addWidget(self.notes)
        save_bar = QHBoxLayout()
        save_bar.addWidget(self.correction_caption)
        save_bar.addWidget(self.correction, 1)
        save_bar.addWidget(self.save_button)
        left.addLayout(save_bar)
        left.addWidget(self.handover_error)
        left.addWidget(self.sign_box)
        right = QVBoxLayout()
        right.addWidget(self.sheet, 1)
        right.addWidget(self.print_button)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 1)

    # -- reading ---

    def reload(self) -> None:
        """Read the counter's last closed shift and its handover again."""
        shift_id = self.handovers.latest_shift_id()
        self.handover_shift_id = shift_id
        self.handover = self.handovers.view(shift_id) if shift_id else None
        self._show_handover()

    def _show_handover(self) -> None:
        view = self.handover
        tz = self.ctx.hall.timezone
        enabled = view is not None
        for w in (self.save_button, self.add_equipment, self.notes, self.equipment):
            w.setEnabled(enabled and not self._busy_sheet)
        self.handover_error.clear()
        if view is None:
            self.handover_heading.setText(_("No closed shift at this counter yet."))
            self.close_summary.clear()
            self.pending_model.set_rows(())
            self.equipment.setRowCount(0)
            for role in Signer:
                self.sign_labels[role].setText("")
                self.sign_buttons[role].setEnabled(False)
            self.print_button.setEnabled(False)
            self.sheet.clear()
            return
        shift = view.report.shift
        self.close_summary.setText(close_summary(view.report))
        current = view.current
        state = _("not written yet")
        if current is not None:
            # One message, so each language joins the two with its own comma (，in Chinese).
            state = _("revision {n}, {signatures}").format(
                n=current.revision_no,
                signatures=_("signed and locked") if current.locked else _("not fully signed"),
            )
        self.handover_heading.setText(
            _("Handover of {name} ({staff_no}), counter {counter}, closed {time}: {state}").format(
                name=shift.staff_name,
                staff_no=shift.staff_no,
                counter=shift.counter_code,
                time=format_datetime(shift.close.closed_at, tz) if shift.close else "",
                state=state,
            )
        )
        if current is None:
            self.pending_model.set_rows(self.handovers.pending_now(shift.shift_id))
            self._fill_equipment([EquipmentLine(code, 0) for code in STANDARD_EQUIPMENT])
            self.notes.setPlainText("")
        else:
            self.pending_model.set_rows(current.pending)
            self._fill_equipment(list(current.equipment))
            self.notes.setPlainText(current.notes)
        needs_reason = current is not None and bool(current.signatures)
        self.correction.setEnabled(needs_reason)
        self.correction_caption.setEnabled(needs_reason)
        self.save_button.setText(_("Save a correction") if needs_reason else _("Save handover"))
        next_role = current.next_signer if current else None
        for role in Signer:
            sig = current.signature(role) if current else None
            self.sign_labels[role].setText(
                f"{sig.staff_name} ({sig.staff_no})  {format_datetime(sig.signed_at, tz)}"
                if sig
                else _("not signed")
            )
            self.sign_buttons[role].setEnabled(role is next_role)
        self.print_button.setEnabled(True)
        self._render_preview()

    _busy_sheet = False

    def _fill_equipment(self, lines: list[EquipmentLine]) -> None:
        self.equipment.setRowCount(0)
        for line in lines:
            self._add_equipment_row(line.item, line.count, line.fault)

    def _add_equipment_row(self, item: str, count: int, fault: str) -> None:
        row = self.equipment.rowCount()
        self.equipment.insertRow(row)
        label = STANDARD_EQUIPMENT.get(item)
        name = QTableWidgetItem(_(label) if label else item)
        name.setData(Qt.ItemDataRole.UserRole, item if label else "")
        self.equipment.setItem(row, 0, name)
        self.equipment.setItem(row, 1, QTableWidgetItem(str(count)))
        self.equipment.setItem(row, 2, QTableWidgetItem(fault))

    def equipment_lines(self) -> list[EquipmentLine]:
        """The equipment table as lines (counts must be whole numbers, 0 or more)."""
        lines = []
        for row in range(self.equipment.rowCount()):
            cells = [self.equipment.item(row, c) for c in range(3)]
            name = cells[0].text().strip() if cells[0] else ""
            code = cells[0].data(Qt.ItemDataRole.UserRole) if cells[0] else ""
            count_text = cells[1].text().strip() if cells[1] else ""
            fault = cells[2].text().strip() if cells[2] else ""
            if not name and not count_text and not fault:
                continue
            if not count_text.isdecimal() or not count_text.isascii():
                raise ValidationError(
                    "equipment",
                    N_("Equipment counts are whole numbers (0 or more): row {row}."),
                    row=row + 1,
                )
            lines.append(EquipmentLine(code or name, int(count_text), fault))
        return lines

    def _render_preview(self) -> None:
        shift_id = self.handover_shift_id
        if shift_id is None:
            return
        handovers = self.handovers

        def done(pdf: bytes) -> None:
            self.sheet_pdf = pdf
            image = render_first_page(pdf, max(self.sheet.width(), 300))
            if image is not None:
                self.sheet.setPixmap(QPixmap.fromImage(image))

        self.ctx.tasks.run(
            lambda: handovers.render_sheet(shift_id),
            on_done=done,
            on_error=self.show_failure,
            owner=self,
        )

    # -- actions ---

    def _run_dialog(self, dialog: QDialog) -> bool:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            self.changed.emit()
        return accepted

    def save_handover(self) -> None:
        shift_id = self.handover_shift_id
        if shift_id is None:
            return
        self.handover_error.clear()
        try:
            lines = self.equipment_lines()
        except ValidationError as exc:
            self.handover_error.setText(exc.user_message())
            return
        notes, reason = self.notes.toPlainText(), self.correction.text()
        handovers, actor = self.handovers, self.ctx.actor
        self.save_button.setEnabled(False)

        def saved(_revision: object) -> None:
            self.correction.clear()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.handover_error.setText(error_text(exc))

        self.ctx.tasks.run(
            lambda: handovers.save(
                actor, shift_id, notes=notes, equipment=lines, correction_reason=reason
            ),
            on_done=saved,
            on_error=failed,
            owner=self,
        )

    def make_sign_dialog(self, role: Signer) -> SignDialog | None:
        current = self.handover.current if self.handover else None
        if current is None:
            self.handover_error.setText(_("Save the handover before signing it."))
            return None
        return SignDialog(self.ctx, current.revision_id, role, self)

    def sign(self, role: Signer) -> None:
        dialog = self.make_sign_dialog(role)
        if dialog is not None:
            self._run_dialog(dialog)

    def print_sheet(self) -> None:
        shift_id, view = self.handover_shift_id, self.handover
        if shift_id is None or view is None:
            return
        handovers, shift = self.handovers, view.report.shift

        def rendered(pdf: bytes) -> None:
            title = titles.handover_sheet(shift.business_date, shift.counter_code)
            try:
                print_document(self.print_function, pdf, title, self)
            except Exception as exc:
                show_error(self, exc)

        self.ctx.tasks.run(
            lambda: handovers.render_sheet(shift_id),
            on_done=rendered,
            on_error=self.show_failure,
            owner=self,
        )

    def show_failure(self, exc: BaseException) -> None:
        """A failed render or print, under the handover's form."""
        self.handover_error.setText(error_text(exc))

    def retranslate_ui(self) -> None:
        self.pending_caption.setText(_("Pending items (collected when the handover is saved)"))
        self.equipment_caption.setText(_("Equipment and supplies (count, faults)"))
        self.equipment.setHorizontalHeaderLabels([_("Item"), _("Count"), _("Faults")])
        self.add_equipment.setText(_("Add line"))
        self.notes_caption.setText(_("Notes"))
        self.correction_caption.setText(_("Reason for the correction:"))
        self.sign_box.setTitle(_("Signatures"))
        for role in Signer:
            self.sign_roles[role].setText(_(SIGNER_LABELS[role]))
            self.sign_buttons[role].setText(_("Sign"))
        self.print_button.setText(_("Print handover sheet"))
        self.pending_model.retranslate()
