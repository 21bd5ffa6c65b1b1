"""The leader's report dialog (objectName ``exportReportDialog``): choose the report and
the period, see its tables with a chart beside them, print it, export it to Excel.

The report is built once per choice on the task worker (``LeaderReports.build``); the
tables, the chart, the printout and the workbook all come from that one built report,
so what the leader sees is what is printed and exported. Changing the report or the
period shows the new one after a short pause (or at once with F5).

Keyboard: the report box has the focus; Alt+R / Alt+P / Alt+F / Alt+T / Alt+I reach the
report, the period, the two dates and the file; F5 shows, Ctrl+P prints, Ctrl+S (or
Enter) exports, Esc closes. It fits 1366×768.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QEvent, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.documents import titles
from app.documents.report_tables import ChartSeries, cell_text
from app.domain.report_period import check_period
from app.i18n import N_, _
from app.services.reports import REPORT_TITLES, LeaderReports, Report, ReportKind, report_title
from ui.charts import SeriesChart, show_series
from ui.context import AppContext
from ui.errors import error_text
from ui.printing import PrintFunction, default_print_function, print_document
from ui.reports.model import ReportTableModel
from ui.widgets import Palette, configure_table, heading_label, set_text_colour

#: Chooses the file to export to (None: cancelled); replaced in tests.
FileChooser = Callable[[QWidget, str, str], str | None]
#: How long the dialog waits after a change before it builds the report again.
REFRESH_DELAY_MS: Final = 300
#: Room added to each column after it is sized to its content, so figures do not touch.
COLUMN_PADDING: Final = 16


class Period:
    TODAY = "today"
    YESTERDAY = "yesterday"
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    CUSTOM = "custom"


PERIOD_LABELS: Final = {
    Period.TODAY: N_("Today"),
    Period.YESTERDAY: N_("Yesterday"),
    Period.THIS_WEEK: N_("This week"),
    Period.LAST_WEEK: N_("Last week"),
    Period.THIS_MONTH: N_("This month"),
    Period.LAST_MONTH: N_("Last month"),
    Period.CUSTOM: N_("Chosen days"),
}


def period_days(period: str, today: date) -> tuple[date, date]:
    """The first and last day of a named period containing (or just before) ``today``."""
    if period == Period.YESTERDAY:
        day = today - timedelta(days=1)
        return day, day
    if period == Period.THIS_WEEK:
        monday = today - timedelta(days=today.weekday())
        return monday, today
    if period == Period.LAST_WEEK:
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if period == Period.THIS_MONTH:
        return today.replace(day=1), today
    if period == Period.LAST_MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today, today


def choose_file(parent: QWidget, title: str, suggested: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(
        parent, title, suggested, _("Excel workbook (*.xlsx)")
    )
    return path or None


def default_folder() -> Path:
    """The user's documents folder (the home folder where there is none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def file_name(title: str, start: date, end: date) -> str:
    """``营业日报表-2026-11-01-2026-11-15.xlsx``: the report's name and its period."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "-", title).strip("-") or "report"
    return f"{safe}-{start.isoformat()}-{end.isoformat()}.xlsx"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ExportReportDialog(QDialog):
    """See the module docstring. ``report`` is the report shown (None before the first)."""

    #: A report was built and shown (its kind).
    reportShown = Signal(str)
    #: A workbook was written (its path).
    exported = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        chooser: FileChooser = choose_file,
        print_function: PrintFunction | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportReportDialog")
        self.ctx = ctx
        self.chooser = chooser
        self.print_function = print_function or default_print_function(ctx.settings)
        self._reports = ctx.service(LeaderReports)
        self._folder = folder or default_folder()
        self._file_typed = False
        self._generation = 0
        self._busy = False
        self._closed = False
        self.report: Report | None = None

        self.kind = QComboBox(self)
        self.kind.setObjectName("leaderReportKind")
        for kind in REPORT_TITLES:
            self.kind.addItem("", kind.value)
        self.period = QComboBox(self)
        self.period.setObjectName("leaderReportPeriod")
        for key in PERIOD_LABELS:
            self.period.addItem("", key)
        self.start = QDateEdit(self)
        self.start.setObjectName("leaderReportFrom")
        self.end = QDateEdit(self)
        self.end.setObjectName("leaderReportTo")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.show_button = QPushButton(self)
        self.show_button.setObjectName("leaderReportShow")
        self.show_button.setAutoDefault(False)
        self.kind_label, self.period_label = QLabel(self), QLabel(self)
        self.start_label, self.end_label, self.file_label = QLabel(self), QLabel(self), QLabel(self)
        self.kind_label.setBuddy(self.kind)
        self.period_label.setBuddy(self.period)
        self.start_label.setBuddy(self.start)
        self.end_label.setBuddy(self.end)

        self.heading = heading_label(self, point_delta=2)
        self.heading.setObjectName("leaderReportHeading")
        self.headline = QLabel(self)
        self.headline.setObjectName("leaderReportHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tables = QTabWidget(self)
        self.tables.setObjectName("leaderReportTables")
        self.chart_title = heading_label(self, point_delta=1)
        self.chart_title.setObjectName("leaderReportChartTitle")
        self.chart = SeriesChart(self)
        self.chart.setObjectName("leaderReportChart")
        self.chart.setMinimumWidth(320)
        self.chart_box = QWidget(self)
        chart_layout = QVBoxLayout(self.chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.chart_title)
        chart_layout.addWidget(self.chart, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tables)
        self.splitter.addWidget(self.chart_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([720, 460])

        self.file = QLineEdit(self)
        self.file.setObjectName("leaderReportFile")
        self.file_label.setBuddy(self.file)
        self.browse_button = QPushButton(self)
        self.browse_button.setObjectName("leaderReportBrowse")
        self.browse_button.setAutoDefault(False)
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("leaderReportPrint")
        self.print_button.setAutoDefault(False)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("leaderReportExport")
        self.export_button.setDefault(True)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("leaderReportClose")
        self.close_button.setAutoDefault(False)
        self.message = QLabel(self)
        self.message.setObjectName("leaderReportMessage")
        self.message.setWordWrap(True)

        top = QGridLayout()
        top.addWidget(self.kind_label, 0, 0)
        top.addWidget(self.kind, 0, 1)
        top.addWidget(self.period_label, 0, 2)
        top.addWidget(self.period, 0, 3)
        top.addWidget(self.start_label, 0, 4)
        top.addWidget(self.start, 0, 5)
        top.addWidget(self.end_label, 0, 6)
        top.addWidget(self.end, 0, 7)
        top.addWidget(self.show_button, 0, 8)
        top.setColumnStretch(9, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.file_label)
        bottom.addWidget(self.file, 1)
        bottom.addWidget(self.browse_button)
        bottom.addSpacing(12)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.headline)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.kind.currentIndexChanged.connect(lambda _i: self._changed())
        self.period.currentIndexChanged.connect(lambda _i: self._period_chosen())
        self.start.dateChanged.connect(lambda _d: self._dates_edited())
        self.end.dateChanged.connect(lambda _d: self._dates_edited())
        self.file.textEdited.connect(lambda _t: self._file_was_typed())
        self.show_button.clicked.connect(lambda *_a: self.refresh())
        self.browse_button.clicked.connect(lambda *_a: self.browse())
        self.print_button.clicked.connect(lambda *_a: self.print_report())
        self.export_button.clicked.connect(lambda *_a: self.export())
        self.close_button.clicked.connect(self.reject)
        for keys, slot in (
            ("F5", self.refresh),
            (QKeySequence.StandardKey.Print, self.print_report),
            (QKeySequence.StandardKey.Save, self.export),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)

        self.resize(1200, 680)
        self.retranslate_ui()
        self.period.setCurrentIndex(self.period.findData(Period.THIS_MONTH))
        self._period_chosen()
        self.kind.setFocus()

    # -- the choice ------------------------------------------------------------------------

    def today(self) -> date:
        return self.ctx.clock().astimezone(ZoneInfo(self.ctx.hall.timezone)).date()

    def chosen(self) -> tuple[ReportKind, date, date]:
        return (
            ReportKind(self.kind.currentData()),
            self.start.date().toPython(),
            self.end.date().toPython(),
        )

    def choose(self, kind: ReportKind, start: date, end: date) -> None:
        """Pick a report and a period as the leader would (tests, scripts)."""
        self.kind.setCurrentIndex(self.kind.findData(kind.value))
        self.start.setDate(_qdate(start))
        self.end.setDate(_qdate(end))

    def _period_chosen(self) -> None:
        key = self.period.currentData()
        if key == Period.CUSTOM:
            return
        first, last = period_days(key, self.today())
        for edit, day in ((self.start, first), (self.end, last)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)
        self._changed()

    def _dates_edited(self) -> None:
        if self.period.currentData() != Period.CUSTOM:
            self.period.blockSignals(True)
            self.period.setCurrentIndex(self.period.findData(Period.CUSTOM))
            self.period.blockSignals(False)
        self._changed()

    def _changed(self) -> None:
        self._suggest_file()
        self._timer.start()

    def _file_was_typed(self) -> None:
        self._file_typed = True

    def _suggest_file(self) -> None:
        if self._file_typed:
            return
        kind, start, end = self.chosen()
        self.file.setText(str(self._folder / file_name(report_title(kind), start, end)))

    def _current(self) -> bool:
        """Whether the report shown is the one chosen now."""
        if self.report is None:
            return False
        kind, start, end = self.chosen()
        book = self.report.book
        return self.report.kind is kind and book.start == start and book.end == end

    # -- building and showing -----------------------------------------------------------------

    def refresh(self, then: Callable[[Report], None] | None = None) -> None:
        """Build the chosen report on the worker and show it; ``then`` runs with it."""
        self._timer.stop()
        kind, start, end = self.chosen()
        try:
            check_period(start, end)
        except Exception as exc:
            self._fail(exc)
            return
        self._generation += 1
        generation = self._generation
        reports, actor = self._reports, self.ctx.actor
        self._say(_("Reading the figures…"), Palette.MUTED)

        def done(report: Report) -> None:
            if generation != self._generation or self._closed:
                return
            self.show_report(report)
            if then is not None:
                then(report)

        self.ctx.tasks.run(
            lambda: reports.build(actor, kind, start, end),
            on_done=done,
            on_error=lambda exc: self._fail(exc) if generation == self._generation else None,
        )

    def _fail(self, exc: BaseException) -> None:
        if not self._closed:
            self._say(error_text(exc), Palette.DANGER)

    def show_report(self, report: Report) -> None:
        self.report = report
        book = report.book
        self.heading.setText(
            _("{title}, {start} to {end}").format(
                title=book.title, start=book.start.isoformat(), end=book.end.isoformat()
            )
        )
        self.headline.setText(
            "  ·  ".join(
                _("{label}: {value}").format(label=label, value=cell_text(value))
                for label, value in book.headline
            )
        )
        current = self.tables.currentIndex()
        while self.tables.count():
            page = self.tables.widget(0)
            self.tables.removeTab(0)
            page.deleteLater()
        for table in book.tables:
            view = QTableView(self.tables)
            view.setObjectName(f"leaderReportTable_{table.key}")
            configure_table(view, stretch_last=False)
            view.setModel(ReportTableModel(table, view))
            view.resizeColumnsToContents()
            for column in range(len(table.headers)):
                view.setColumnWidth(column, view.columnWidth(column) + COLUMN_PADDING)
            self.tables.addTab(view, table.title)
        self.tables.setCurrentIndex(max(0, min(current, self.tables.count() - 1)))
        self._show_chart(book.charts[0] if book.charts else None)
        self.message.clear()
        self.reportShown.emit(report.kind.value)

    def _show_chart(self, series: ChartSeries | None) -> None:
        self.chart_box.setVisible(series is not None)
        if series is None:
            self.chart.set_series(())
            return
        self.chart_title.setText(series.title)
        show_series(self.chart, series)

    def table_view(self, key: str) -> QTableView | None:
        """The view of the shown report's table ``key`` (tests)."""
        return self.tables.findChild(QTableView, f"leaderReportTable_{key}")

    # -- printing and exporting -------------------------------------------------------------

    def _with_report(self, action: Callable[[Report], None]) -> None:
        if self._current() and self.report is not None:
            action(self.report)
        else:
            self.refresh(then=action)

    def print_report(self) -> None:
        """Print the report shown (built first if the choice changed)."""
        reports = self._reports

        def render(report: Report) -> None:
            self.ctx.tasks.run(
                lambda: reports.pdf(report),
                on_done=lambda pdf: self._print(report, pdf),
                on_error=self._fail,
            )

        self._with_report(render)

    def _print(self, report: Report, pdf: bytes) -> None:
        if self._closed:
            return
        title = titles.report(report.book.title, report.book.start, report.book.end)
        try:
            print_document(self.print_function, pdf, title, self)
        except Exception as exc:
            self._fail(exc)

    def browse(self) -> str | None:
        chosen = self.chooser(self, _("Export the report to Excel"), self.file.text())
        if chosen:
            if not chosen.lower().endswith(".xlsx"):
                chosen += ".xlsx"
            self.file.setText(chosen)
            self._file_typed = True
        return chosen

    def export(self) -> None:
        """Write the report shown (built first if the choice changed) to the file."""
        text = self.file.text().strip()
        if not text:
            self._say(_("Choose the file to export to."), Palette.DANGER)
            self.file.setFocus()
            return
        path = Path(text).expanduser()
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        if not path.parent.is_dir():
            self._say(
                _("The folder {folder} does not exist.").format(folder=str(path.parent)),
                Palette.DANGER,
            )
            self.file.setFocus()
            return
        reports, actor = self._reports, self.ctx.actor

        def save(report: Report) -> None:
            self._set_busy(True)
            self._say(_("Writing {path}…").format(path=str(path)), Palette.MUTED)
            self.ctx.tasks.run(
                lambda: reports.save_workbook(actor, report, path),
                on_done=self._saved,
                on_error=self._save_failed,
            )

        self._with_report(save)

    def _saved(self, path: Path) -> None:
        if self._closed:
            return
        self._set_busy(False)
        self._say(_("Saved {path}").format(path=str(path)), Palette.OK)
        self.exported.emit(str(path))

    def _save_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._set_busy(False)
        self._fail(exc)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.export_button, self.print_button, self.show_button):
            button.setEnabled(not busy)

    def _say(self, text: str, colour: QColor) -> None:
        self.message.setText(text)
        set_text_colour(self.message, colour)

    # -- language --------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Leader's reports"))
        for index, kind in enumerate(REPORT_TITLES):
            self.kind.setItemText(index, report_title(kind))
        for index, key in enumerate(PERIOD_LABELS):
            self.period.setItemText(index, _(PERIOD_LABELS[key]))
        self.kind_label.setText(_("&Report:"))
        self.period_label.setText(_("&Period:"))
        self.start_label.setText(_("&From"))
        self.end_label.setText(_("&To"))
        self.file_label.setText(_("F&ile:"))
        self.show_button.setText(_("Show (F5)"))
        self.browse_button.setText(_("Browse…"))
        self.print_button.setText(_("Print… (Ctrl+P)"))
        self.export_button.setText(_("Export to Excel (Ctrl+S)"))
        self.close_button.setText(_("Close"))
        self._suggest_file()  # the report's name is part of the file's
        if self.report is not None:
            self.refresh()  # the book's labels are in the language it was built in

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def done(self, result: int) -> None:
        """Closed: work still running on the worker reports to nobody."""
        self._closed = True
        self._timer.stop()
        super().done(result)
