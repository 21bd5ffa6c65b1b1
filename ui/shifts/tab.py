"""Shift handover: the counter's cash session, the handover and the hall day.

The top bar always says whether the clerk has a shift open at this counter (payments need
one) and holds the shift's actions: open, cash in, cash out, close. Three pages below: the
X report of the open shift; the handover of the counter's last closed shift (pending list,
equipment and supplies, notes, the three signatures, the sheet's preview and printing); and
the shift leader's hall day (every counter's shifts, opening checks, end-of-day close).

Reads are small and run on the GUI thread; writes go through the dialogs (task worker);
rendering and printing the sheet run on the worker, the print step on the GUI thread.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.cash import CASH, MethodTally, MethodTotal, had_takings
from app.domain.complaint_deadline import due_text
from app.domain.errors import ValidationError
from app.domain.handover import SIGNER_LABELS, Signer
from app.i18n import N_, _, format_datetime, format_money, ngettext
from app.services.payments.plan import method_label
from app.services.pending import PENDING_KIND_LABELS, PendingItem
from app.services.shifts import (
    AnyShiftReport,
    BlindShiftReport,
    DeskShift,
    ShiftReport,
    ShiftService,
)
from app.services.shifts.hallday import HallDayService
from app.services.shifts.handover import HandoverService
from app.services.shifts.views import (
    HANDOVER_STATE_LABELS,
    STANDARD_EQUIPMENT,
    DayShiftRow,
    EquipmentLine,
    HallDay,
    HandoverView,
)
from ui.arrears.printing import (
    PrintFunction,
    default_print_function,
    print_document,
    render_first_page,
)
from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.shifts.counting import difference_text
from ui.shifts.dialogs import (
    CashInDialog,
    CashOutDialog,
    CloseShiftDialog,
    OpenShiftDialog,
    SignDialog,
)
from ui.shifts.opening import OpeningCheckDialog
from ui.widgets import (
    ALIGN_RIGHT,
    Column,
    Palette,
    RowTableModel,
    configure_table,
    heading_label,
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


def _money(fen: int | None) -> str:
    return format_money(fen) if fen is not None else "—"


MethodRow = MethodTotal | MethodTally


def method_columns() -> list[Column[MethodRow]]:
    """The X report's columns. A ``MethodTally`` (a blind count's row: counts only) shows
    its counts and a dash for every amount."""

    def money(fen: Callable[[MethodTotal], int]) -> Callable[[MethodRow], str]:
        return lambda m: format_money(fen(m)) if isinstance(m, MethodTotal) else "—"

    def entries(count: Callable[[MethodRow], int], fen: Callable[[MethodTotal], int]) -> Any:
        return lambda m: f"{count(m)} / " + money(fen)(m)

    return [
        Column(N_("Method"), lambda m: method_label(m.method)),
        Column(N_("Payments"), lambda m: str(m.payments), ALIGN_RIGHT),
        Column(N_("Amount"), money(lambda m: m.payments_fen), ALIGN_RIGHT),
        Column(N_("Voids"), entries(lambda m: m.voids, lambda m: m.voids_fen), ALIGN_RIGHT),
        Column(
            N_("Reversals"),
            entries(lambda m: m.reversals, lambda m: m.reversals_fen),
            ALIGN_RIGHT,
        ),
        Column(N_("Net"), money(lambda m: m.net_fen), ALIGN_RIGHT, bold=lambda m: True),
    ]


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


def day_columns(tz: str) -> list[Column[DayShiftRow]]:
    return [
        Column(N_("Counter"), lambda r: r.counter_code),
        Column(N_("Clerk"), lambda r: f"{r.staff_name} ({r.staff_no})"),
        Column(N_("Opened"), lambda r: format_datetime(r.opened_at, tz)),
        Column(
            N_("Closed"),
            lambda r: format_datetime(r.closed_at, tz) if r.closed_at else _("open"),
            foreground=lambda r: Palette.INFO if r.closed_at is None else None,
        ),
        Column(N_("Takings"), lambda r: _money(r.takings_fen), ALIGN_RIGHT),
        Column(N_("Expected cash"), lambda r: _money(r.expected_cash_fen), ALIGN_RIGHT),
        Column(N_("Counted cash"), lambda r: _money(r.counted_cash_fen), ALIGN_RIGHT),
        Column(
            N_("Difference"),
            lambda r: difference_text(r.difference_fen) if r.difference_fen is not None else "—",
            foreground=lambda r: Palette.DANGER if r.difference_fen else None,
        ),
        Column(
            N_("Card and e-payment difference"),
            lambda r: (
                difference_text(r.method_difference_fen)
                if r.method_difference_fen is not None
                else "—"
            ),
            foreground=lambda r: Palette.DANGER if r.method_difference_fen else None,
        ),
        Column(N_("Handover"), lambda r: _(HANDOVER_STATE_LABELS[r.handover])),
    ]


def _button(parent: QWidget, name: str) -> QPushButton:
    button = QPushButton(parent)
    button.setObjectName(name)
    return button


def _table(parent: QWidget, name: str, model: RowTableModel[object]) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    configure_table(view)
    return view


class ShiftTab(QWidget):
    """See the module docstring."""

    #: Emitted after every reload (a shift opened, closed, counted …), for the status bar.
    reloaded = Signal()
    #: Emitted, from whichever thread wrote, when this PC recorded a payment, a void, a
    #: reversal or a cash movement; the X report is read again (on the GUI thread).
    moneyMoved = Signal()
    #: A shift was closed at this counter (the main window backs the store up then).
    shiftClosed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shiftTab")
        self.ctx = ctx
        self.shifts = ctx.service(ShiftService)
        self.handovers = ctx.service(HandoverService)
        self.hall_day = ctx.service(HallDayService)
        self.print_function: PrintFunction = default_print_function()
        self.desk: DeskShift | None = None
        self.report: AnyShiftReport | None = None
        self.handover: HandoverView | None = None
        self.handover_shift_id: uuid.UUID | None = None
        self.day: HallDay | None = None
        self.sheet_pdf: bytes | None = None
        tz = ctx.hall.timezone

        # -- top bar
        self.status = QLabel(self)
        self.status.setObjectName("shiftStatus")
        font = self.status.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 2)
        self.status.setFont(font)
        self.open_button = _button(self, "openShiftButton")
        self.cash_in_button = _button(self, "cashInButton")
        self.cash_out_button = _button(self, "cashOutButton")
        self.refresh_button = _button(self, "xReportButton")
        self.close_button = _button(self, "closeShiftButton")
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        for b in (
            self.open_button,
            self.cash_in_button,
            self.cash_out_button,
            self.refresh_button,
            self.close_button,
        ):
            bar.addWidget(b)
        self.open_button.clicked.connect(self.open_shift)
        self.cash_in_button.clicked.connect(self.cash_in)
        self.cash_out_button.clicked.connect(self.cash_out)
        self.refresh_button.clicked.connect(self.reload)
        self.close_button.clicked.connect(self.close_shift)

        self.pages = QTabWidget(self)
        self.pages.setObjectName("shiftPages")
        self.pages.addTab(self._build_x_page(), "")
        self.pages.addTab(self._build_handover_page(tz), "")
        self.pages.addTab(self._build_day_page(tz), "")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self.retranslate_ui()
        self.reload()
        self.moneyMoved.connect(self.reload_report)
        ctx.payments.money_moved.add(self._money_moved)
        self.shifts.money_moved.add(self._money_moved)

    # -- building -----------------------------------------------------------------------------

    def _build_x_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("xReportPage")
        self.x_heading = heading_label(page)
        self.method_model: RowTableModel[MethodRow] = RowTableModel(method_columns(), page)
        self.x_table = _table(page, "xReportTable", self.method_model)
        set_column_widths(self.x_table, (12, 8, 12, 14, 14, 12))
        self.x_cash = QLabel(page)
        self.x_cash.setObjectName("xReportCash")
        self.x_cash.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.x_cash.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.x_movements = QLabel(page)
        self.x_movements.setObjectName("xReportMovements")
        self.x_movements.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.x_heading)
        self.x_table.setMaximumHeight(self.x_table.verticalHeader().defaultSectionSize() * 8)
        layout.addWidget(self.x_table)
        layout.addWidget(self.x_cash)
        layout.addWidget(self.x_movements)
        layout.addStretch(1)
        return page

    def _build_handover_page(self, tz: str) -> QWidget:
        page = QWidget(self)
        page.setObjectName("handoverPage")
        self.handover_heading = heading_label(page)
        self.handover_heading.setObjectName("handoverShiftLabel")
        self.handover_heading.setWordWrap(True)
        self.close_summary = QLabel(page)
        self.close_summary.setObjectName("handoverCloseSummary")
        self.close_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pending_caption = QLabel(page)
        self.pending_model: RowTableModel[PendingItem] = RowTableModel(pending_columns(tz), page)
        self.pending_table = _table(page, "pendingTable", self.pending_model)
        set_column_widths(self.pending_table, (14, 14, 24, 18))
        self.equipment_caption = QLabel(page)
        self.equipment = QTableWidget(0, 3, page)
        self.equipment.setObjectName("equipmentTable")
        self.equipment.verticalHeader().setVisible(False)
        self.equipment.horizontalHeader().setStretchLastSection(True)
        self.equipment.setColumnWidth(0, 220)
        self.add_equipment = _button(page, "addEquipmentButton")
        self.add_equipment.clicked.connect(lambda: self._add_equipment_row("", 0, ""))
        self.notes_caption = QLabel(page)
        self.notes = QPlainTextEdit(page)
        self.notes.setObjectName("handoverNotes")
        self.notes.setMaximumHeight(70)
        self.correction_caption = QLabel(page)
        self.correction = QLineEdit(page)
        self.correction.setObjectName("correctionReason")
        self.correction.setMaxLength(200)
        self.save_button = _button(page, "saveHandoverButton")
        self.save_button.clicked.connect(self.save_handover)
        self.handover_error = QLabel(page)
        self.handover_error.setObjectName("handoverError")
        self.handover_error.setWordWrap(True)
        set_text_colour(self.handover_error, Palette.DANGER)

        self.sign_box = QGroupBox(page)
        grid = QGridLayout(self.sign_box)
        self.sign_labels: dict[Signer, QLabel] = {}
        self.sign_buttons: dict[Signer, QPushButton] = {}
        self.sign_roles: dict[Signer, QLabel] = {}
        for row, role in enumerate(Signer):
            self.sign_roles[role] = QLabel(self.sign_box)
            label = QLabel(self.sign_box)
            label.setObjectName(SIGN_LABELS[role])
            button = _button(self.sign_box, SIGN_BUTTONS[role])
            button.clicked.connect(lambda _c=False, r=role: self.sign(r))
            grid.addWidget(self.sign_roles[role], row, 0)
            grid.addWidget(label, row, 1)
            grid.addWidget(button, row, 2)
            self.sign_labels[role], self.sign_buttons[role] = label, button
        grid.setColumnStretch(1, 1)

        self.sheet = QLabel(page)
        self.sheet.setObjectName("handoverSheet")
        self.sheet.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.sheet.setMinimumWidth(300)
        self.sheet.setFrameShape(QLabel.Shape.StyledPanel)
        self.print_button = _button(page, "printHandoverButton")
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
        layout = QHBoxLayout(page)
        layout.addLayout(left, 3)
        layout.addLayout(right, 1)
        return page

    def _build_day_page(self, tz: str) -> QWidget:
        page = QWidget(self)
        page.setObjectName("hallDayPage")
        self.day_date = QDateEdit(page)
        self.day_date.setObjectName("hallDayDate")
        self.day_date.setCalendarPopup(True)
        today = self.hall_day.today()
        self.day_date.setDate(QDate(today.year, today.month, today.day))
        self.day_date.dateChanged.connect(self.reload_day)
        self.day_status = heading_label(page, point_delta=1)
        self.day_status.setObjectName("hallDayStatus")
        self.day_model: RowTableModel[DayShiftRow] = RowTableModel(day_columns(tz), page)
        self.day_table = _table(page, "hallDayTable", self.day_model)
        set_column_widths(self.day_table, (6, 14, 14, 14, 11, 11, 11, 16, 16, 14))
        self.day_totals = QLabel(page)
        self.day_totals.setObjectName("hallDayTotals")
        self.day_totals.setWordWrap(True)
        self.opening_label = QLabel(page)
        self.opening_label.setObjectName("hallOpeningLabel")
        self.opening_label.setWordWrap(True)
        self.opening_button = _button(page, "openingCheckButton")
        self.opening_button.clicked.connect(self.opening_check)
        self.day_pending_caption = QLabel(page)
        self.day_pending_model: RowTableModel[PendingItem] = RowTableModel(
            pending_columns(tz), page
        )
        self.day_pending = _table(page, "hallPendingTable", self.day_pending_model)
        set_column_widths(self.day_pending, (14, 22, 28, 22))
        self.close_day_note = QLineEdit(page)
        self.close_day_note.setObjectName("closeDayNote")
        self.close_day_note.setMaxLength(500)
        self.close_day_button = _button(page, "closeDayButton")
        self.close_day_button.clicked.connect(self.close_day)
        self.print_day_button = _button(page, "printDaySummaryButton")
        self.print_day_button.clicked.connect(self.print_day)
        top = QHBoxLayout()
        top.addWidget(self.day_date)
        top.addWidget(self.day_status, 1)
        opening = QHBoxLayout()
        opening.addWidget(self.opening_label, 1)
        opening.addWidget(self.opening_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.close_day_note, 1)
        bottom.addWidget(self.close_day_button)
        bottom.addWidget(self.print_day_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addLayout(opening)
        layout.addWidget(self.day_table, 2)
        layout.addWidget(self.day_totals)
        layout.addWidget(self.day_pending_caption)
        layout.addWidget(self.day_pending, 1)
        layout.addLayout(bottom)
        for widget in (self.opening_button, self.close_day_button, self.close_day_note):
            widget.setEnabled(self.ctx.actor.is_leader)
        return page

    # -- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the counter's shift, its X report, the handover and the hall day again."""
        if self.reload_report():
            self.reload_handover()
            self.reload_day()

    def reload_report(self) -> bool:
        """Read the counter's shift and its X report again (False if that failed). Runs
        after every payment, void, reversal and cash movement on this PC, wherever it was
        taken; the handover page, which may hold unsaved edits, is left alone."""
        try:
            self.desk = self.shifts.desk(self.ctx.actor)
            mine = self.desk.mine
            self.report = self.shifts.x_report(self.ctx.actor, mine.shift_id) if mine else None
        except Exception as exc:
            self.status.setText(error_text(exc))
            return False
        self._show_desk()
        self._show_report()
        self.reloaded.emit()
        return True

    def _money_moved(self) -> None:
        """The services' call after a write, possibly on the task worker's thread: the
        signal carries it to the GUI thread."""
        with contextlib.suppress(RuntimeError):  # the tab's widget is already gone
            self.moneyMoved.emit()

    def _show_desk(self) -> None:
        desk = self.desk
        if desk is None:
            return
        mine = desk.mine
        if desk.counter_id is None:
            text = _("This PC is not assigned to a counter: no shift can be opened here.")
            colour = Palette.DANGER
        elif mine is not None:
            text = _("Shift open at counter {counter} since {time} ({name}).").format(
                counter=desk.counter_code,
                time=format_datetime(mine.opened_at, self.ctx.hall.timezone),
                name=mine.staff_name,
            )
            colour = Palette.OK
        elif desk.counter_shift is not None:
            text = _("Counter {counter} has a shift open by {name}; you have none.").format(
                counter=desk.counter_code, name=desk.counter_shift.staff_name
            )
            colour = Palette.WARNING
        else:
            text = _("No shift open at counter {counter}: open one before taking payments.").format(
                counter=desk.counter_code
            )
            colour = Palette.DANGER
        self.status.setText(text)
        set_text_colour(self.status, colour)
        can_open = (
            desk.counter_id is not None and desk.counter_shift is None and desk.elsewhere is None
        )
        self.open_button.setEnabled(can_open)
        for button in (self.cash_in_button, self.cash_out_button, self.close_button):
            button.setEnabled(mine is not None)

    def _show_report(self) -> None:
        report = self.report
        if report is None:
            self.method_model.set_rows(())
            self.x_heading.setText(_("X report: no shift open"))
            self.x_cash.setText("")
            self.x_movements.setText("")
            return
        tz = self.ctx.hall.timezone
        self.x_heading.setText(
            _("X report at {time}").format(time=format_datetime(report.generated_at, tz))
        )
        if isinstance(report, BlindShiftReport):
            self.method_model.set_rows(report.methods)
            self.x_cash.setText(
                _(
                    "Blind count: the float, cash received, change, cash in and out and the "
                    "expected cash are shown once everything is counted at the close."
                )
            )
            self.x_movements.setText(
                ngettext(
                    "{count} cash movement in this shift.",
                    "{count} cash movements in this shift.",
                    report.cash_movements,
                ).format(count=report.cash_movements)
                if report.cash_movements
                else ""
            )
            return
        self.method_model.set_rows(report.cash.methods)
        cash = report.cash
        lines = [
            _("Opening float: {amount}").format(amount=format_money(cash.opening_float_fen)),
            _("Cash received: {amount}; change given: {change}").format(
                amount=format_money(cash.cash_received_fen),
                change=format_money(cash.change_given_fen),
            ),
            _("Cash in: {cash_in}; cash out: {cash_out}").format(
                cash_in=format_money(cash.cash_in_fen), cash_out=format_money(cash.cash_out_fen)
            ),
        ]
        if cash.rounding_fen:
            lines.append(
                _("Cash rounded down to the jiao for customers: {amount}").format(
                    amount=format_money(cash.rounding_fen)
                )
            )
        lines.append(_("Total takings: {amount}").format(amount=format_money(cash.takings_fen)))
        lines.append(
            _("Expected cash: {amount}").format(amount=format_money(cash.expected_cash_fen))
        )
        self.x_cash.setText("\n".join(lines))
        self.x_movements.setText(
            "\n".join(
                f"{format_datetime(m.at, tz)}  "
                + (_("Cash in") if m.kind.value == "cash_in" else _("Cash out"))
                + f"  {format_money(m.amount_fen)}  {m.reason}"
                for m in report.movements
            )
        )

    def reload_handover(self) -> None:
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
            state = (
                _("revision {n}").format(n=current.revision_no)
                + ", "
                + (_("signed and locked") if current.locked else _("not fully signed"))
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
            lambda: handovers.render_sheet(shift_id), on_done=done, on_error=self._error
        )

    def reload_day(self) -> None:
        qd = self.day_date.date()
        day_date = date(qd.year(), qd.month(), qd.day())
        try:
            self.day = self.hall_day.day(day_date, self.ctx.actor)
        except Exception as exc:
            self.day_status.setText(error_text(exc))
            return
        day = self.day
        tz = self.ctx.hall.timezone
        self.day_model.set_rows(day.shifts)
        self.day_pending_model.set_rows(day.pending)
        if day.closed_at is not None:
            status = _("Day closed by {name} at {time}.").format(
                name=day.closed_by, time=format_datetime(day.closed_at, tz)
            )
        else:
            status = _("{open} of {count} shifts open.").format(
                open=day.open_shifts, count=len(day.shifts)
            )
        self.day_status.setText(status)
        methods = ", ".join(
            f"{method_label(m)} {format_money(fen)}" for m, fen in day.method_totals.items()
        )
        self.day_totals.setText(
            _("Takings: {total} ({methods}). Differences: {difference}.").format(
                total=format_money(day.takings_fen),
                methods=methods,
                difference=difference_text(day.difference_fen),
            )
        )
        o = day.opening
        if o is None:
            self.opening_label.setText(
                _(
                    "No opening checks yet (opening time {time}, staff arrive {minutes} "
                    "minutes before)."
                ).format(time=day.opening_time, minutes=day.arrive_before_minutes)
            )
            set_text_colour(self.opening_label, Palette.MUTED)
        else:
            parts = [
                _("All opening checks passed.") if o.all_passed else _("Opening checks failed.")
            ]
            if o.late_staff:
                parts.append(_("Late: {names}.").format(names=", ".join(o.late_staff)))
            if o.uncleaned_counters:
                parts.append(
                    _("Not cleaned: {counters}.").format(counters=", ".join(o.uncleaned_counters))
                )
            if o.opened_late:
                parts.append(_("The hall opened late."))
            self.opening_label.setText(" ".join(parts))
            set_text_colour(self.opening_label, Palette.OK if o.all_passed else Palette.DANGER)
        leader = self.ctx.actor.is_leader
        self.close_day_button.setEnabled(leader and day.closed_at is None)
        self.print_day_button.setEnabled(leader)

    # -- actions ------------------------------------------------------------------------------

    def _run_dialog(self, dialog: QDialog) -> bool:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            self.reload()
        return accepted

    def open_shift(self) -> None:
        if self.desk is None:
            return
        self._run_dialog(self.make_open_dialog())

    def make_open_dialog(self) -> OpenShiftDialog:
        assert self.desk is not None
        return OpenShiftDialog(self.ctx, self.desk, self)

    def cash_in(self) -> None:
        self._run_dialog(CashInDialog(self.ctx, self))

    def cash_out(self) -> None:
        self._run_dialog(CashOutDialog(self.ctx, self))

    def make_close_dialog(self) -> CloseShiftDialog:
        """The close, with the figures the report gave this person: under a blind count a
        clerk has none (not even the float to leave, which they count out and type)."""
        assert self.desk is not None and self.desk.mine is not None
        report = self.report
        full = report if isinstance(report, ShiftReport) else None
        methods: tuple[MethodRow, ...] = ()
        if full is not None:
            methods = full.cash.methods
        elif isinstance(report, BlindShiftReport):
            methods = report.methods
        dialog = CloseShiftDialog(
            self.ctx,
            blind=self.desk.blind_count,
            expected_cash_fen=full.expected_cash_fen if full else None,
            opening_float_fen=full.shift.opening_float_fen if full else None,
            parent=self,
            methods=methods,
        )
        dialog.accepted.connect(self.shiftClosed)  # accepted once the close is recorded
        return dialog

    def close_shift(self) -> None:
        if self.desk is None or self.desk.mine is None:
            return
        if self._run_dialog(self.make_close_dialog()):
            self.pages.setCurrentIndex(1)

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
            self.reload()

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.handover_error.setText(error_text(exc))

        self.ctx.tasks.run(
            lambda: handovers.save(
                actor, shift_id, notes=notes, equipment=lines, correction_reason=reason
            ),
            on_done=saved,
            on_error=failed,
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
        shift_id = self.handover_shift_id
        if shift_id is None:
            return
        handovers = self.handovers

        def rendered(pdf: bytes) -> None:
            title = f"handover-{shift_id.hex[:12]}"
            try:
                print_document(self.print_function, pdf, title, self)
            except Exception as exc:
                show_error(self, exc)

        self.ctx.tasks.run(
            lambda: handovers.render_sheet(shift_id), on_done=rendered, on_error=self._error
        )

    def opening_check(self) -> None:
        qd = self.day_date.date()
        self._run_dialog(OpeningCheckDialog(self.ctx, date(qd.year(), qd.month(), qd.day()), self))

    def close_day(self) -> None:
        qd = self.day_date.date()
        day_date = date(qd.year(), qd.month(), qd.day())
        note = self.close_day_note.text()
        service, actor = self.hall_day, self.ctx.actor
        self.close_day_button.setEnabled(False)
        self.ctx.tasks.run(
            lambda: service.close_day(actor, day_date, note),
            on_done=lambda _day: self.reload_day(),
            on_error=self._day_error,
        )

    def _day_error(self, exc: BaseException) -> None:
        self.close_day_button.setEnabled(self.ctx.actor.is_leader)
        self.day_status.setText(error_text(exc))
        set_text_colour(self.day_status, Palette.DANGER)

    def print_day(self) -> None:
        qd = self.day_date.date()
        day_date = date(qd.year(), qd.month(), qd.day())
        service, actor = self.hall_day, self.ctx.actor

        def rendered(pdf: bytes) -> None:
            try:
                print_document(self.print_function, pdf, f"hall-day-{day_date.isoformat()}", self)
            except Exception as exc:
                show_error(self, exc)

        self.ctx.tasks.run(
            lambda: service.summary_pdf(day_date, actor), on_done=rendered, on_error=self._error
        )

    def _error(self, exc: BaseException) -> None:
        self.handover_error.setText(error_text(exc))

    # -- language -----------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.open_button.setText(_("Open shift"))
        self.cash_in_button.setText(_("Cash in"))
        self.cash_out_button.setText(_("Cash out"))
        self.refresh_button.setText(_("X report"))
        self.close_button.setText(_("Close shift"))
        self.pages.setTabText(0, _("X report"))
        self.pages.setTabText(1, _("Handover"))
        self.pages.setTabText(2, _("Hall day"))
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
        self.opening_button.setText(_("Opening checks…"))
        self.day_pending_caption.setText(_("Pending in the hall"))
        self.close_day_note.setPlaceholderText(_("Note for the day's close"))
        self.close_day_button.setText(_("Close the hall's day"))
        self.print_day_button.setText(_("Print day summary"))
        for model in (
            self.method_model,
            self.pending_model,
            self.day_model,
            self.day_pending_model,
        ):
            model.retranslate()
        if self.desk is not None:
            self._show_desk()
            self._show_report()
            self.reload_day()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
