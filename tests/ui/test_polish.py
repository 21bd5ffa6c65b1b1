"""Polish seen on the way (issue 15, item 6): Qt's own dialogs in the interface language,
the corrective actions' "Due / State" in their own words, columns whose full text is
reachable and whose widths each user keeps."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QHelpEvent, QStandardItem, QStandardItemModel
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QTableView, QToolTip
from pytestqt.qtbot import QtBot

from app import i18n
from app.documents.inspection_report import (
    InspectionReportData,
    ReportAction,
    ReportItem,
    ReportSection,
    render_inspection_report,
)
from app.settings import MemoryBackend
from ui.column_widths import ColumnWidths, parse_widths, settings_key
from ui.etiquette.models import actions_model
from ui.keyboard import install_keyboard_model
from ui.language import apply_language
from ui.printing import keyboard_print


@pytest.fixture
def chinese() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(before)


def _report() -> InspectionReportData:
    return InspectionReportData(
        hall_name="营业厅",
        title="营业员服务规范检查表",
        kind="inspection",
        template_version=2,
        inspection_id="id",
        clerk="A001 陈晓燕",
        inspector="L001 徐建华",
        counter="C01",
        started_at="09:00",
        signed_at="09:30",
        score="80.0%",
        pass_percent=85,
        passed=False,
        critical_failed=False,
        sections=(
            ReportSection(
                "仪容仪表", "50.0%", (ReportItem("工牌", "不合格", "0%", "", False, True, False),)
            ),
        ),
        actions=(ReportAction("工牌", "A001 陈晓燕", date(2026, 11, 23)),),
    )


def test_corrective_action_due_and_state_are_not_payment_words(chinese: None) -> None:
    """A corrective action's "Due" is 期限 and its "State" 状态, not the payment's
    缴费期限 / 缴费状态 (the msgids are shared with the arrears screens, so they carry the
    context "corrective action")."""
    model = actions_model()
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    assert "期限" in headers and "状态" in headers
    assert not [h for h in headers if "缴费" in h]
    assert i18n._("Due") != "期限"  # the payment's word stays the payment's

    pdf = render_inspection_report(_report())
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "期限" in text.replace(" ", "")
    assert "缴费期限" not in text.replace(" ", "")


def test_qt_own_dialogs_speak_the_interface_language(qtbot: QtBot) -> None:
    """Qt's file and print dialogs said "Look in:", "Files of type:" on the Chinese
    interface: Qt 6 asks for "&Look in:", which its zh_CN catalog lacks."""
    app = QApplication.instance()
    assert app is not None
    apply_language(app, "zh_CN")
    try:
        preview = QPrintPreviewDialog(QPrinter())
        qtbot.addWidget(preview)
        actions = {a.text().replace("&", "") for a in preview.findChildren(QAction)}
        assert {"打印", "下一页", "放大"} <= actions
        print_action = keyboard_print(preview)  # found by its translated text
        assert print_action is not None and print_action.text() == "打印"

        files = QFileDialog(None, "")
        files.setOption(QFileDialog.Option.DontUseNativeDialog)
        qtbot.addWidget(files)
        labels = {label.text() for label in files.findChildren(QLabel) if label.text()}
        assert {"查找范围(&L)：", "文件名称(&N)：", "文件类型(&T)："} <= labels, labels
    finally:
        apply_language(app, "en")
    english = QFileDialog(None, "")
    english.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(english)
    assert "&Look in:" in {label.text() for label in english.findChildren(QLabel)}
    apply_language(app, i18n.DEFAULT_LANGUAGE)


def _table(name: str, rows: list[tuple[str, ...]]) -> QTableView:
    model = QStandardItemModel(len(rows), len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            model.setItem(r, c, QStandardItem(text))
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    model.setParent(view)
    return view


def test_each_user_keeps_the_column_widths_of_each_table(qtbot: QtBot) -> None:
    """Widths the user drags are kept (per user and table objectName) and come back when
    the table is shown again, in this session or the next; another user starts afresh."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    settings = MemoryBackend()
    keeper = ColumnWidths("A001", settings)
    install_keyboard_model(app).viewPolished.connect(keeper.adopt)
    rows = [("PC01-00000001", "王**", "2026-12-07 09:30")]
    view = _table("arrearsWorklist", rows)
    qtbot.addWidget(view)
    view.show()  # polished: adopted through the keyboard model
    qtbot.waitExposed(view)
    assert keeper.adopted(view)
    view.horizontalHeader().resizeSection(1, 233)
    qtbot.waitUntil(lambda: settings.value(settings_key("A001", "arrearsWorklist")) is not None)
    assert parse_widths(settings.value(settings_key("A001", "arrearsWorklist")))[1] == 233

    again = _table("arrearsWorklist", rows)  # the next session's table
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.columnWidth(1) == 233

    other = ColumnWidths("A002", settings)
    install_keyboard_model(app).viewPolished.disconnect(keeper.adopt)
    install_keyboard_model(app).viewPolished.connect(other.adopt)
    theirs = _table("arrearsWorklist", rows)
    qtbot.addWidget(theirs)
    theirs.show()
    qtbot.waitExposed(theirs)
    assert theirs.columnWidth(1) != 233
    install_keyboard_model(app).viewPolished.disconnect(other.adopt)
    # A table whose columns changed starts from its designed widths.
    settings.set_value(settings_key("A002", "arrearsWorklist"), "10,20")
    assert not other.restore(theirs)


def test_a_cell_cut_short_shows_its_full_text(qtbot: QtBot) -> None:
    settings = MemoryBackend()
    keeper = ColumnWidths("A001", settings)
    name = "上海浦东新区世纪大道营业厅大客户服务中心（陈晓燕）"
    view = _table("lookupResults", [(name, "短")])
    qtbot.addWidget(view)
    view.setColumnWidth(0, 60)
    view.show()
    qtbot.waitExposed(view)
    keeper.adopt(view)
    cut = view.visualRect(view.model().index(0, 0)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, cut, view.viewport().mapToGlobal(cut))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.isVisible() and QToolTip.text() == name
    QToolTip.hideText()
    whole = view.visualRect(view.model().index(0, 1)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, whole, view.viewport().mapToGlobal(whole))
    QApplication.sendEvent(view.viewport(), event)
    assert not (QToolTip.isVisible() and QToolTip.text() == "短")
