"""The complaints report of a chosen period, on screen with the in-time answer rate day by
day beside the table, and exported as PDF or CSV (objectName ``complaintReports``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.documents.complaint_data import (
    ComplaintReportData,
    ReportLine,
    complaint_book,
    report_headline,
)
from app.i18n import N_, _
from app.services.complaints.reports import ComplaintReportService, report_csv, report_pdf
from ui.charts import SeriesChart, show_series
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import Column, Palette, RowTableModel, configure_table, set_text_colour

#: Chooses a file to save to (None: cancelled); replaced in tests.
FileChooser = Callable[[QWidget, str, str], str | None]


def choose_file(parent: QWidget, title: str, name: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, title, name)
    return path or None


class ComplaintReportsView(QWidget):
    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, chooser: FileChooser = choose_file
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaintReports")
        self._ctx = ctx
        self._service = ctx.service(ComplaintReportService)
        self.chooser = chooser
        self.data: ComplaintReportData | None = None
        today = ctx.clock().astimezone(ZoneInfo(ctx.hall.timezone)).date()
        self.start = QDateEdit(self)
        self.start.setObjectName("reportStart")
        self.start.setCalendarPopup(True)
        first = today.replace(day=1)
        self.start.setDate(QDate(first.year, first.month, first.day))
        self.end = QDateEdit(self)
        self.end.setObjectName("reportEnd")
        self.end.setCalendarPopup(True)
        self.end.setDate(QDate(today.year, today.month, today.day))
        self.run_button = QPushButton(self)
        self.run_button.setObjectName("reportRun")
        self.run_button.clicked.connect(lambda *_a: self.run())
        self.pdf_button = QPushButton(self)
        self.pdf_button.setObjectName("reportPdf")
        self.pdf_button.clicked.connect(lambda *_a: self.export("pdf"))
        self.csv_button = QPushButton(self)
        self.csv_button.setObjectName("reportCsv")
        self.csv_button.clicked.connect(lambda *_a: self.export("csv"))
        self.summary = QLabel(self)
        self.summary.setObjectName("reportSummary")
        self.summary.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("reportMessage")
        self.message.setWordWrap(True)
        self.lines = RowTableModel[tuple[str, ReportLine]](
            [
                Column(N_("Breakdown"), lambda r: r[0]),
                Column(N_("Item"), lambda r: r[1].label),
                Column(N_("Count"), lambda r: str(r[1].count)),
                Column(N_("Answered in time"), lambda r: str(r[1].in_time)),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("reportTable")
        self.table.setModel(self.lines)
        configure_table(self.table)
        self.start_label, self.end_label = QLabel(self), QLabel(self)
        bar = QHBoxLayout()
        for w in (self.start_label, self.start, self.end_label, self.end, self.run_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.csv_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        self.chart = SeriesChart(self)
        self.chart.setObjectName("complaintReportChart")
        self.chart.setMinimumWidth(280)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setSizes([600, 400])
        layout.addWidget(splitter, 1)
        self.retranslate_ui()

    def run(self) -> ComplaintReportData | None:
        self.message.clear()
        try:
            data = self._service.report(self.start.date().toPython(), self.end.date().toPython())
        except Exception as exc:
            self.message.setText(error_text(exc))
            set_text_colour(self.message, Palette.DANGER)
            return None
        self.data = data
        self._show()
        return data

    def _show(self) -> None:
        data = self.data
        if data is None:
            self.summary.clear()
            self.lines.set_rows([])
            return
        self.summary.setText(
            " · ".join(
                _("{label}: {value}").format(label=key, value=value)
                for key, value in report_headline(data)
            )
        )
        show_series(self.chart, complaint_book(data).charts[0])
        rows = [(_("By category"), line) for line in data.by_category]
        rows += [(_("By department"), line) for line in data.by_department]
        rows += [(_("By satisfaction"), line) for line in data.by_satisfaction]
        self.lines.set_rows(rows)

    def export(self, kind: str) -> Path | None:
        data = self.data or self.run()
        if data is None:
            return None
        name = f"complaints-{data.start.isoformat()}-{data.end.isoformat()}.{kind}"
        chosen = self.chooser(self, _("Save the report"), name)
        if not chosen:
            return None
        path = Path(chosen)
        try:
            if kind == "pdf":
                path.write_bytes(report_pdf(data))
            else:
                path.write_text(report_csv(data), encoding="utf-8-sig")
        except Exception as exc:
            self.message.setText(error_text(exc))
            set_text_colour(self.message, Palette.DANGER)
            return None
        self.message.setText(_("Saved {path}").format(path=str(path)))
        set_text_colour(self.message, Palette.OK)
        return path

    def retranslate_ui(self) -> None:
        self.start_label.setText(_("From"))
        self.end_label.setText(_("to"))
        self.run_button.setText(_("Show report"))
        self.pdf_button.setText(_("Export PDF…"))
        self.csv_button.setText(_("Export CSV…"))
        self.lines.retranslate()
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


__all__ = ["ComplaintReportsView", "choose_file"]
