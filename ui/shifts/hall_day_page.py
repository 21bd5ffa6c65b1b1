"""The hall-day page of the Shift tab (the shift leader's): every counter's shifts of a
day with their figures and handovers, the opening checks, what is pending in the hall, and
the end-of-day close and its printed summary."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.documents import titles
from app.i18n import N_, _, format_datetime, format_money
from app.services.payments.plan import method_label
from app.services.pending import PendingItem
from app.services.shifts.hallday import HallDayService
from app.services.shifts.views import (
    HANDOVER_STATE_LABELS,
    DayShiftRow,
    HallDay,
)
from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.printing import (
    PrintFunction,
    default_print_function,
    print_document,
)
from ui.shifts.counting import difference_text
from ui.shifts.handover_page import pending_columns
from ui.shifts.opening import OpeningCheckDialog
from ui.widgets import (
    ALIGN_RIGHT,
    Column,
    Palette,
    RowTableModel,
    heading_label,
    named_button,
    named_table,
    set_column_widths,
    set_text_colour,
)


def _money(fen: int | None) -> str:
    return format_money(fen) if fen is not None else "—"


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


class HallDayPage(QWidget):
    """One day of the hall; closing and printing it are a leader's."""

    #: An opening check was recorded: the tab reads everything again.
    changed = Signal()
    #: Rendering the day's summary for printing failed (the tab shows it on the handover
    #: page, where such errors have always gone).
    printFailed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hallDayPage")
        self.ctx = ctx
        self.hall_day = ctx.service(HallDayService)
        self.print_function: PrintFunction = default_print_function()
        self.day: HallDay | None = None
        tz = ctx.hall.timezone
        self.day_date = QDateEdit(self)
        self.day_date.setObjectName("hallDayDate")
        self.day_date.setCalendarPopup(True)
        today = self.hall_day.today()
        self.day_date.setDate(QDate(today.year, today.month, today.day))
        self.day_date.dateChanged.connect(self.reload)
        self.day_status = heading_label(self, point_delta=1)
        self.day_status.setObjectName("hallDayStatus")
        self.day_model: RowTableModel[DayShiftRow] = RowTableModel(day_columns(tz), self)
        self.day_table = named_table(self, "hallDayTable", self.day_model)
        set_column_widths(self.day_table, (6, 14, 14, 14, 11, 11, 11, 16, 16, 14))
        self.day_totals = QLabel(self)
        self.day_totals.setObjectName("hallDayTotals")
        self.day_totals.setWordWrap(True)
        self.opening_label = QLabel(self)
        self.opening_label.setObjectName("hallOpeningLabel")
        self.opening_label.setWordWrap(True)
        self.opening_button = named_button(self, "openingCheckButton")
        self.opening_button.clicked.connect(self.opening_check)
        self.day_pending_caption = QLabel(self)
        self.day_pending_model: RowTableModel[PendingItem] = RowTableModel(
            pending_columns(tz), self
        )
        self.day_pending = named_table(self, "hallPendingTable", self.day_pending_model)
        set_column_widths(self.day_pending, (14, 22, 28, 22))
        self.close_day_note = QLineEdit(self)
        self.close_day_note.setObjectName("closeDayNote")
        self.close_day_note.setMaxLength(500)
        self.close_day_button = named_button(self, "closeDayButton")
        self.close_day_button.clicked.connect(self.close_day)
        self.print_day_button = named_button(self, "printDaySummaryButton")
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
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(opening)
        layout.addWidget(self.day_table, 2)
        layout.addWidget(self.day_totals)
        layout.addWidget(self.day_pending_caption)
        layout.addWidget(self.day_pending, 1)
        layout.addLayout(bottom)
        for widget in (self.opening_button, self.close_day_button, self.close_day_note):
            widget.setEnabled(self.ctx.actor.is_leader)

    # -- reading ---

    def reload(self) -> None:
        """Read the chosen day of the hall again."""
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

    # -- actions ---

    def _run_dialog(self, dialog: QDialog) -> bool:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            self.changed.emit()
        return accepted

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
            on_done=lambda _day: self.reload(),
            on_error=self._day_error,
            owner=self,
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
                print_document(self.print_function, pdf, titles.hall_day(day_date), self)
            except Exception as exc:
                show_error(self, exc)

        self.ctx.tasks.run(
            lambda: service.summary_pdf(day_date, actor),
            on_done=rendered,
            on_error=self.printFailed.emit,
            owner=self,
        )

    def retranslate_ui(self) -> None:
        self.opening_button.setText(_("Opening checks…"))
        self.day_pending_caption.setText(_("Pending in the hall"))
        self.close_day_note.setPlaceholderText(_("Note for the day's close"))
        self.close_day_button.setText(_("Close the hall's day"))
        self.print_day_button.setText(_("Print day summary"))
        self.day_model.retranslate()
        self.day_pending_model.retranslate()
