"""Shift handover: the counter's cash session, the handover and the hall day.

The top bar always says whether the clerk has a shift open at this counter (payments need
one) and holds the shift's actions: open, cash in, cash out, close. Three pages below, one
module each: the X report of the open shift (``x_report``); the handover of the counter's
last closed shift (``handover_page``: pending list, equipment and supplies, notes, the
three signatures, the sheet's preview and printing); and the shift leader's hall day
(``hall_day_page``: every counter's shifts, opening checks, end-of-day close).

Reads are small and run on the GUI thread; writes go through the dialogs (task worker);
rendering and printing the sheet run on the worker, the print step on the GUI thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_datetime
from app.services.shifts import (
    AnyShiftReport,
    BlindShiftReport,
    DeskShift,
    ShiftReport,
    ShiftService,
)
from ui.context import AppContext
from ui.errors import error_text
from ui.keyboard import X_REPORT_KEY, keyed_text
from ui.printing import PrintFunction
from ui.shifts.dialogs import CashInDialog, CashOutDialog, CloseShiftDialog, OpenShiftDialog
from ui.shifts.hall_day_page import HallDayPage
from ui.shifts.handover_page import HandoverPage
from ui.shifts.x_report import MethodRow, XReportPage
from ui.widgets import Palette, named_button, scrolling, set_text_colour


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
        self.desk: DeskShift | None = None
        self.report: AnyShiftReport | None = None

        # -- top bar
        self.status = QLabel(self)
        self.status.setObjectName("shiftStatus")
        font = self.status.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 2)
        self.status.setFont(font)
        self.open_button = named_button(self, "openShiftButton")
        self.cash_in_button = named_button(self, "cashInButton")
        self.cash_out_button = named_button(self, "cashOutButton")
        self.refresh_button = named_button(self, "xReportButton")
        self.close_button = named_button(self, "closeShiftButton")
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
        self.x_page = XReportPage(ctx.hall.timezone, self)
        self.handover_page = HandoverPage(ctx, self)
        self.day_page = HallDayPage(ctx, self)
        for page in (self.x_page, scrolling(self.handover_page), self.day_page):
            self.pages.addTab(page, "")
        self.handover_page.changed.connect(self.reload)
        self.day_page.changed.connect(self.reload)
        self.day_page.printFailed.connect(self.handover_page.show_failure)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self.retranslate_ui()
        self.reload()
        self.moneyMoved.connect(self.reload_report)
        ctx.payments.money_moved.add(self._money_moved)
        self.shifts.money_moved.add(self._money_moved)
        from app.services.shifts.drawer import DrawerService

        ctx.service(DrawerService).opened.add(self._money_moved)

    @property
    def print_function(self) -> PrintFunction:
        """Where the handover sheet and the day summary are printed (tests set a file)."""
        return self.handover_page.print_function

    @print_function.setter
    def print_function(self, function: PrintFunction) -> None:
        self.handover_page.print_function = function
        self.day_page.print_function = function

    # -- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the counter's shift, its X report, the handover and the hall day again."""
        if self.reload_report():
            self.handover_page.reload()
            self.day_page.reload()

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
        self.x_page.show_report(self.report)
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

    # -- actions ------------------------------------------------------------------------------

    def _run_dialog(self, dialog: QDialog, then: Callable[[], None] | None = None) -> QDialog:
        """Show ``dialog`` window-modal without blocking (``open``, not ``exec``: the keys
        and the task worker's answers reach it through the one event loop); once it is
        accepted the tab reads the shift again and ``then`` runs."""

        def finished(code: int) -> None:
            dialog.deleteLater()
            if code == QDialog.DialogCode.Accepted.value:
                self.reload()
                if then is not None:
                    then()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

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
        self._run_dialog(self.make_close_dialog(), self._show_handover)

    def _show_handover(self) -> None:
        """After a close: the handover page, its sheet (the Z report) one Enter from print."""
        self.pages.setCurrentIndex(1)
        if self.handover_page.print_button.isEnabled():
            self.handover_page.print_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- language -----------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        # Alt+O and Alt+L (the underlined letters): the shift's two ends by keys, after
        # Ctrl+4 shows this tab (no function key is left free; see ui.keyboard).
        self.open_button.setText(_("&Open shift"))
        self.cash_in_button.setText(_("Cash in"))
        self.cash_out_button.setText(_("Cash out"))
        self.refresh_button.setText(keyed_text(_("X report"), X_REPORT_KEY))
        self.close_button.setText(_("C&lose shift"))
        self.pages.setTabText(0, _("X report"))
        self.pages.setTabText(1, _("Handover"))
        self.pages.setTabText(2, _("Hall day"))
        self.x_page.retranslate_ui()
        self.handover_page.retranslate_ui()
        self.day_page.retranslate_ui()
        if self.desk is not None:
            self._show_desk()
            self.x_page.show_report(self.report)
            self.day_page.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
