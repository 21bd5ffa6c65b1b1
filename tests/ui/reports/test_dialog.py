"""The leader's reports through the widgets: each report shows, prints and exports the same
figures (screen, PDF and workbook compared cell by cell with one built report); the
leader closes the day and exports it from the Reports menu, and the workbook shows the
clerk's payment; keyboard first, within 1366×768; clerks have no such menu."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QTableView
from pytestqt.qtbot import QtBot

from app import i18n
from app.documents import titles
from app.documents.report_tables import ReportBook, cell_text
from app.documents.workbook import YUAN_FORMAT
from app.services.payments import PaymentMethod
from app.services.reports import ReportKind
from app.services.staff.auth import AuthService
from app.settings import RECEIPT_ARCHIVE_DIR, MemoryBackend
from app.store.database import open_store, sqlite_url
from tests.services.reports.readback import check_pdf, check_workbook
from tests.services.reports.scenario import DAY1, DAY3, Clock, Hall, fortnight, open_hall
from ui.arrears.payment_dialog import PAGE_CONFIRM, PaymentDialog
from ui.charts import SeriesStyle
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.printing import ReceiptPrinting, pdf_file_printer
from ui.reports.dialog import ExportReportDialog
from ui.reports.model import ReportTableModel
from ui.shifts.tab import ShiftTab
from ui.widgets import Palette


@pytest.fixture
def hall(demo_db_copy: Path) -> Iterator[Hall]:
    opened = open_hall(demo_db_copy)
    fortnight(opened)
    yield opened
    opened.store.close()


@pytest.fixture
def ctx(hall: Hall) -> Iterator[AppContext]:
    context = AppContext.create(hall.store, hall.leader, MemoryBackend(), clock=hall.clock)
    yield context
    context.tasks.wait()


class Printer:
    """Takes the PDF the dialog sends to the printer (the bytes Qt would print)."""

    def __init__(self) -> None:
        self.printed: list[tuple[bytes, str]] = []

    def __call__(self, data: bytes, title: str, parent: object) -> bool:
        self.printed.append((data, title))
        return True


def make_dialog(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, printer: Printer | None = None
) -> ExportReportDialog:
    dialog = ExportReportDialog(
        ctx,
        chooser=lambda _parent, _title, suggested: str(tmp_path / "chosen.xlsx"),
        print_function=printer or Printer(),
        folder=tmp_path,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def shown_texts(dialog: ExportReportDialog, key: str) -> tuple[list[str], list[list[str]]]:
    view = dialog.table_view(key)
    assert view is not None, key
    model = view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    rows = [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    return headers, rows


def check_screen(dialog: ExportReportDialog, book: ReportBook) -> None:
    """Every table on screen, header and cells, is the book's; so is the headline."""
    assert dialog.tables.count() == len(book.tables)
    for index, table in enumerate(book.tables):
        assert dialog.tables.tabText(index) == table.title
        headers, rows = shown_texts(dialog, table.key)
        assert headers == list(table.headers)
        assert rows == [[cell_text(c) for c in row] for row in table.all_rows()], table.key
    for label, value in book.headline:
        assert f"{label}" in dialog.headline.text() and cell_text(value) in dialog.headline.text()


@pytest.mark.parametrize("kind", list(ReportKind))
def test_each_report_is_the_same_on_screen_on_paper_and_in_excel(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, kind: ReportKind
) -> None:
    printer = Printer()
    dialog = make_dialog(qtbot, ctx, tmp_path, printer)
    dialog.choose(kind, DAY1, DAY3)
    QTest.keyClick(dialog, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.kind is kind, timeout=20000)
    report = dialog.report
    assert report is not None
    check_screen(dialog, report.book)

    QTest.keySequence(dialog, "Ctrl+P")
    qtbot.waitUntil(lambda: bool(printer.printed), timeout=20000)
    pdf, title = printer.printed[0]
    check_pdf(pdf, report.book)
    assert title == titles.report(report.book.title, DAY1, DAY3)
    assert report.book.title in title and "2026-11-15" in title and "2026-11-17" in title

    target = tmp_path / f"{kind.value}.xlsx"
    dialog.file.clear()
    QTest.keyClicks(dialog.file, str(target))
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        QTest.keySequence(dialog, "Ctrl+S")
    check_workbook(target, report.book)
    assert dialog.report is report  # printed and exported the report on screen, not another
    assert "chosen.xlsx" not in dialog.file.text()


def test_the_charts_beside_the_tables(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    """Takings per day as bars, the in-time rate as a line; painted, and the bars are
    where the figures say (the tallest day reaches highest)."""
    dialog = make_dialog(qtbot, ctx, tmp_path)
    dialog.choose(ReportKind.HALL_DAY, DAY1, DAY3)
    dialog.refresh()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert not dialog.chart_box.isHidden() and dialog.chart.style is SeriesStyle.BARS
    values = [p.value for p in dialog.chart.series]
    assert len(values) == 3 and values[2] == 0 and values[1] > values[0] > 0  # type: ignore[operator]
    image = dialog.chart.grab().toImage()
    top = dialog.chart.point_position(1)
    inside = image.pixelColor(int(top.x()), int(top.y()) + 5)
    assert inside.name() == QColor(Palette.INFO).name()
    assert dialog.chart.point_position(1).y() < dialog.chart.point_position(0).y()
    dialog.grab().save(str(tmp_path / "hall-day-report.png"))

    dialog.choose(ReportKind.COMPLAINTS, DAY1, DAY3)
    dialog.refresh()
    qtbot.waitUntil(
        lambda: dialog.report is not None and dialog.report.kind is ReportKind.COMPLAINTS,
        timeout=20000,
    )
    assert dialog.chart.style is SeriesStyle.LINE
    assert [p.value for p in dialog.chart.series] == [None, 100.0, None]  # answered on DAY2
    dialog.choose(ReportKind.ARREARS, DAY1, DAY3)
    dialog.refresh()
    qtbot.waitUntil(
        lambda: dialog.report is not None and dialog.report.kind is ReportKind.ARREARS,
        timeout=20000,
    )
    assert dialog.chart_box.isHidden()  # nothing to chart: the tables take the room


def test_keyboard_first_within_1366_by_768(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, ctx, tmp_path)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)  # shows at once
    assert dialog.focusWidget() is dialog.kind
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert dialog.minimumSizeHint().width() <= 1366 and dialog.minimumSizeHint().height() <= 768
    assert dialog.export_button.isDefault()
    for label, buddy in (
        (dialog.kind_label, dialog.kind),
        (dialog.period_label, dialog.period),
        (dialog.start_label, dialog.start),
        (dialog.end_label, dialog.end),
        (dialog.file_label, dialog.file),
    ):
        assert label.buddy() is buddy and "&" in label.text()
    for view in dialog.tables.findChildren(QTableView):
        assert not view.tabKeyNavigation()
    # The period box sets the dates; typing a date makes the period "chosen days".
    dialog.period.setCurrentIndex(dialog.period.findData("last_month"))
    assert (dialog.start.date().toPython(), dialog.end.date().toPython()) == (
        datetime(2026, 10, 1).date(),
        datetime(2026, 10, 31).date(),
    )
    dialog.start.setDate(dialog.start.date().addDays(1))
    assert dialog.period.currentData() == "custom"
    # A period that ends before it starts is refused in words, nothing is built.
    dialog.end.setDate(dialog.start.date().addDays(-1))
    dialog.refresh()
    assert "ends before it starts" in dialog.message.text() or "早于" in dialog.message.text()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()


def test_the_table_model_is_sound(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, ctx, tmp_path)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    for view in dialog.tables.findChildren(QTableView):
        model = view.model()
        assert isinstance(model, ReportTableModel)
        qtmodeltester.check(model)
        if model.table.total is not None:
            last = model.index(model.rowCount() - 1, 0)
            assert last.data(Qt.ItemDataRole.FontRole).bold()
        assert model.rowCount(model.index(0, 0)) == 0 and not model.index(0, 0).parent().isValid()
    assert QModelIndex().isValid() is False


# -- the leader closes the day and exports it ---------------------------------------------

NOW = datetime(2026, 11, 15, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai on the demo's day
PASSWORD = "demo"


def window_for(store_path: Path, staff_no: str, clock: Clock, tmp_path: Path) -> MainWindow:
    store = open_store(sqlite_url(store_path))
    settings = MemoryBackend()
    RECEIPT_ARCHIVE_DIR.write(settings, str(tmp_path / "archive"))
    ctx = AppContext.create(store, AuthService(store, clock).actor_for(staff_no), settings, clock)
    return MainWindow(ctx, idle_timeout_ms=0, clock=clock)


def test_the_leader_closes_the_day_and_exports_it_to_excel(
    qtbot: QtBot, demo_db_copy: Path, tmp_path: Path
) -> None:
    """Issue 16: "the leader closes the day and exports the hall day to Excel — driven by
    pytest-qt through the widgets, and the workbook read back with openpyxl shows the
    payment"."""
    i18n.set_language("zh_CN")
    clock = Clock()
    clock.now = NOW
    con = sqlite3.connect(demo_db_copy)
    account = int(
        con.execute("SELECT account_id FROM account_ledger WHERE owed_fen <= 0 LIMIT 1").fetchone()[
            0
        ]
    )
    con.close()

    # The clerk opens a shift, takes ¥88.00 cash and closes the shift, all in the window.
    clerk = window_for(demo_db_copy, "A001", clock, tmp_path)
    qtbot.addWidget(clerk)
    clerk.show()
    shift = clerk.tab(ShiftTab)
    assert shift is not None
    clerk.tabs.setCurrentWidget(shift)
    opening = shift.make_open_dialog()
    qtbot.addWidget(opening)
    opening.grid.fields["note_100"].setText("5")
    opening.submit()
    qtbot.waitUntil(lambda: opening.result() == QDialog.DialogCode.Accepted, timeout=10000)
    shift.reload()
    printing = ReceiptPrinting(clerk.ctx, pdf_file_printer(tmp_path / "receipts"))
    pay = PaymentDialog(clerk.ctx, account, printing=printing)
    qtbot.addWidget(pay)
    pay.show()
    pay.entry_page.set_method(PaymentMethod.CASH)
    QTest.keyClicks(pay.entry_page.amount, "88")
    qtbot.mouseClick(pay.next_button, Qt.MouseButton.LeftButton)
    assert pay.page() == PAGE_CONFIRM, pay.entry_page.error.text()
    with qtbot.waitSignal(pay.paymentRecorded, timeout=10000):
        qtbot.mouseClick(pay.record_button, Qt.MouseButton.LeftButton)
    clock.now += timedelta(hours=9)
    shift.reload()
    closing = shift.make_close_dialog()
    qtbot.addWidget(closing)
    closing.grid.fields["note_100"].setText("5")
    closing.grid.fields["note_50"].setText("1")
    closing.grid.fields["note_20"].setText("1")
    closing.grid.fields["note_10"].setText("1")
    closing.grid.fields["note_5"].setText("1")
    closing.grid.fields["coin_1"].setText("3")
    closing.float_left.setText("500")
    closing.check_button.click()
    qtbot.waitUntil(lambda: closing.preview is not None, timeout=10000)
    closing.submit()
    qtbot.waitUntil(lambda: closing.result() == QDialog.DialogCode.Accepted, timeout=10000)
    clerk.ctx.tasks.wait()
    clerk.close()

    # The leader closes the day on the hall-day page, then exports it from the menu.
    clock.now += timedelta(minutes=30)
    leader = window_for(demo_db_copy, "L001", clock, tmp_path)
    qtbot.addWidget(leader)
    leader.show()
    tab = leader.tab(ShiftTab)
    assert tab is not None
    leader.tabs.setCurrentWidget(tab)
    tab.pages.setCurrentIndex(2)
    tab.day_page.close_day_note.setText("今日平稳")
    qtbot.mouseClick(tab.day_page.close_day_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "日结" in tab.day_page.day_status.text(), timeout=10000)

    menu = leader.findChild(QAction, "actionExportReport")
    assert menu is not None and menu.isVisible()
    assert leader.reports_menu.menuAction().isVisible()
    menu.trigger()
    dialog = leader.findChild(QDialog, "exportReportDialog")
    assert isinstance(dialog, ExportReportDialog)
    assert dialog.kind.currentData() == ReportKind.HALL_DAY.value  # the first report
    dialog.period.setCurrentIndex(dialog.period.findData("today"))
    target = tmp_path / "hall-day-today.xlsx"
    dialog.file.selectAll()
    QTest.keyClicks(dialog.file, str(target))
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        QTest.keyClick(dialog.file, Qt.Key.Key_Return)  # Enter: the default button
    QApplication.processEvents()
    assert "已保存" in dialog.message.text()

    wb = openpyxl.load_workbook(target)
    shifts = wb["班次"]
    header = [c.value for c in shifts[1]]
    row = [c for c in shifts[2]]
    assert row[header.index("营业员")].value == "陈晓燕 (A001)"
    takings = row[header.index("营业收入")]
    assert takings.value == 88 and takings.number_format == YUAN_FORMAT
    assert row[header.index("现金")].value == 88
    assert row[header.index("实点现金")].value == 588
    days = wb["每日营业收入"]
    day_header = [c.value for c in days[1]]
    first = [c.value for c in days[2]]
    assert first[day_header.index("营业收入")] == 88
    assert "徐建华" in first[day_header.index("日结")]
    leader.ctx.tasks.wait()
    dialog.close()
    leader.close()


def test_a_clerk_has_no_reports_menu(qtbot: QtBot, demo_db_copy: Path, tmp_path: Path) -> None:
    clock = Clock()
    window = window_for(demo_db_copy, "A001", clock, tmp_path)
    qtbot.addWidget(window)
    assert not window.export_report_action.isVisible()
    assert not window.reports_menu.menuAction().isVisible()
    assert window.open_reports() is None
    window.close()


def test_a_language_change_shows_the_report_in_that_language(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    from ui.language import apply_language

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_language(app, "zh_CN")
    dialog = make_dialog(qtbot, ctx, tmp_path)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert dialog.report is not None and dialog.report.book.title == "营业日报表"
    assert "营业日报表" in dialog.file.text()
    apply_language(app, "en")
    qtbot.waitUntil(
        lambda: dialog.report is not None and dialog.report.book.title == "Hall day report",
        timeout=20000,
    )
    assert dialog.export_button.text() == "Export to Excel (Ctrl+S)"
    assert dialog.tables.tabText(0) == "Takings per day"
    assert "Hall-day-report" in dialog.file.text()
