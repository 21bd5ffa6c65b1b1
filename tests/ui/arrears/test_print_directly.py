"""Printing without a dialog, and the titles print jobs carry (issue 15, item 4).

"Printing without the mouse: a per-PC setting 'print directly' (the counter's normal mode:
receipts and slips go to the default printer with no dialog), preview optional and
keyboard-operable (Enter / Ctrl+P prints, Esc cancels). The print job's title is human
("收据 PC01-00000001", "交接班表 2026-12-07 C01"), not an internal id."
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.devices.settings import PRINT_DIRECTLY, PrinterSettings
from app.documents import titles
from app.documents.data import ReceiptLayout
from app.settings import MemoryBackend
from app.store.models import PaymentMethod
from tests.conftest import open_test_shift
from tests.ui.contexts import make_ctx
from ui.arrears.payment_dialog import PAGE_CONFIRM, PAGE_DONE, PaymentDialog
from ui.context import AppContext
from ui.printing import (
    PrintError,
    ReceiptOutcome,
    ReceiptPrinting,
    direct_printer,
    print_file_name,
    settings_printer,
)
from ui.settings_dialog import SettingsDialog

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def language() -> Iterator[None]:
    before = i18n.current_language()
    yield
    i18n.set_language(before)


@pytest.fixture
def ctx(demo_db_copy: Path, tmp_path: Path) -> Iterator[AppContext]:
    context = make_ctx(demo_db_copy, "A001", lambda: NOW, tmp_path / "archive")
    open_test_shift(context.store, lambda: NOW)
    yield context
    context.tasks.wait()
    context.store.close()


class Recorder:
    """A print step that keeps what reached it (the bytes and the job's title)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[bytes, str]] = []

    def __call__(self, data: bytes, title: str, parent: QWidget | None) -> bool:
        self.jobs.append((data, title))
        return True


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def pay_cash(qtbot: QtBot, ctx: AppContext, printing: ReceiptPrinting) -> ReceiptOutcome:
    """Record a cash payment of the most owing account; the receipt's print outcome."""
    from app.services.arrears import WorklistFilter, WorklistSort

    account = ctx.arrears.worklist_ids(WorklistFilter(), WorklistSort("owed", True))[0]
    dialog = PaymentDialog(ctx, account, printing=printing)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.entry_page.set_method(PaymentMethod.CASH)
    dialog.entry_page.layout_box.setCurrentIndex(
        dialog.entry_page.layout_box.findData(ReceiptLayout.A5.value)
    )
    assert dialog.next() and dialog.page() == PAGE_CONFIRM, dialog.entry_page.error.text()
    with qtbot.waitSignal(dialog.receiptFinished, timeout=20000) as blocker:
        dialog.record()
    assert dialog.page() == PAGE_DONE
    outcome = blocker.args[0]
    assert isinstance(outcome, ReceiptOutcome)
    qtbot.addWidget(dialog)
    pay_cash.dialog = dialog  # type: ignore[attr-defined]
    return outcome


def test_print_directly_is_on_by_default_and_kept_per_pc(qtbot: QtBot, tmp_path: Path) -> None:
    settings = MemoryBackend()
    assert PrinterSettings.read(settings).print_directly  # the counter's normal mode
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.devices.print_directly
    assert box.objectName() == "settingsPrintDirectly" and box.isChecked()
    assert box.isVisible() and box.isEnabled()  # on the PDF path too
    dialog.resize(dialog.sizeHint())
    dialog.grab().save(str(tmp_path / "settings-print-directly.png"))
    box.setChecked(False)
    assert "preview" in dialog.devices.pdf_hint.text() or "预览" in dialog.devices.pdf_hint.text()
    dialog.accept()
    assert not dialog.isVisible()
    assert PRINT_DIRECTLY.read(settings) is False
    assert not PrinterSettings.read(settings).print_directly


def test_the_setting_is_read_at_each_print() -> None:
    settings = MemoryBackend()
    direct, preview = Recorder(), Recorder()
    printing = settings_printer(settings, direct=direct, preview=preview)
    assert printing(b"one", "Receipt A", None)
    PRINT_DIRECTLY.write(settings, False)
    assert printing(b"two", "Receipt B", None)
    assert direct.jobs == [(b"one", "Receipt A")]
    assert preview.jobs == [(b"two", "Receipt B")]


def test_a_direct_print_opens_no_dialog_and_names_the_job(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, language: None
) -> None:
    """The direct step paints on the printer it is given (the system's default printer at
    a counter; a real QPrinter writing a PDF here) with the receipt's human title; no
    dialog is shown (a modal one would block this test)."""
    i18n.set_language("zh_CN")
    printers: list[QPrinter] = []

    def default_printer() -> QPrinter:
        printers.append(pdf_printer(tmp_path / "paper.pdf"))
        return printers[-1]

    printing = ReceiptPrinting(ctx, settings_printer(ctx.settings, direct_printer(default_printer)))
    outcome = pay_cash(qtbot, ctx, printing)
    assert outcome.outcome == "printed", outcome.error
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog)]
    assert not [d for d in dialogs if isinstance(d, QPrintPreviewDialog | QPrintDialog)]
    assert [p.docName() for p in printers] == [f"收据 {outcome.receipt_no}"]
    # The receipt's page, drawn as an A5 sheet (the PDF's own page size), reached paper.
    paper = PdfReader(io.BytesIO((tmp_path / "paper.pdf").read_bytes())).pages
    archived = PdfReader(io.BytesIO(outcome.pdf)).pages
    assert len(paper) == len(archived) >= 1
    assert round(float(paper[0].mediabox.width)) == round(float(archived[0].mediabox.width))


def test_no_printer_at_all_says_so_and_keeps_the_receipt_reprintable(
    qtbot: QtBot, ctx: AppContext, demo_db_copy: Path, language: None
) -> None:
    i18n.set_language("zh_CN")
    printing = ReceiptPrinting(ctx, settings_printer(ctx.settings, direct_printer(lambda: None)))
    outcome = pay_cash(qtbot, ctx, printing)
    assert outcome.failed
    assert "打印机" in outcome.error and "No printer" not in outcome.error
    dialog: PaymentDialog = pay_cash.dialog  # type: ignore[attr-defined]
    assert outcome.error in dialog.done_page.receipt_status.text()
    assert dialog.reprint_button.isEnabled()  # nothing lost: print it again
    assert outcome.path.exists()  # the archived copy is there
    with sqlite3.connect(demo_db_copy) as db:
        rows = db.execute("SELECT outcome FROM receipt_print").fetchall()
    assert rows == [("failed",)]
    with pytest.raises(PrintError):
        direct_printer(lambda: None)(b"%PDF", titles.receipt("PC01-00000001"), None)


@pytest.mark.parametrize(
    ("code", "receipt", "copy", "handover", "slip", "x_report"),
    [
        (
            "zh_CN",
            "收据 PC01-00000001",
            "收据 PC01-00000001 补打第 2 联",
            "交接班表 2026-12-07 C01",
            "投诉受理回执 PC01-TS000091",
            "X 报表 2026-12-07 C01",
        ),
        (
            "en",
            "Receipt PC01-00000001",
            "Receipt PC01-00000001 copy 2",
            "Handover sheet 2026-12-07 C01",
            "Complaint slip PC01-TS000091",
            "X report 2026-12-07 C01",
        ),
    ],
)
def test_titles_are_human_in_the_interface_language(
    language: None, code: str, receipt: str, copy: str, handover: str, slip: str, x_report: str
) -> None:
    i18n.set_language(code)
    day = date(2026, 12, 7)
    assert titles.receipt("PC01-00000001") == receipt
    assert titles.receipt("PC01-00000001", 2) == copy
    assert titles.handover_sheet(day, "C01") == handover
    assert titles.complaint_slip("PC01-TS000091") == slip
    assert titles.x_report(day, "C01") == x_report
    for title in (
        titles.arrears_notice("8800012345"),
        titles.hall_day(day),
        titles.inspection_report(day, "A002 王芳"),
        titles.simulation_ranking("2026-W49"),
        titles.report("Hall day report", day, day),
    ):
        assert "{" not in title and "}" not in title and title.strip() == title
    # The file printer's name keeps the title's ASCII parts.
    assert print_file_name(handover).endswith("2026-12-07_C01")


@pytest.mark.parametrize(("code", "word"), [("zh_CN", "收据"), ("en", "Receipt")])
def test_the_receipt_title_reaches_the_printer(
    qtbot: QtBot, ctx: AppContext, language: None, code: str, word: str
) -> None:
    i18n.set_language(code)
    recorder = Recorder()
    outcome = pay_cash(qtbot, ctx, ReceiptPrinting(ctx, recorder))
    assert outcome.outcome == "printed"
    assert [title for _pdf, title in recorder.jobs] == [f"{word} {outcome.receipt_no}"]
