"""The counter's devices end to end, with the network receipt printer simulated on loopback.

A PC is pointed at the simulated printer the way a counter is set up: its settings say
"ESC/POS receipt printer on the network, 127.0.0.1:<port>, drawer on pin 2". Payments are
taken from the keyboard through the real payment dialog; the scanner is simulated by key
events sent faster than any person types, and a person by key events at a person's pace.
"""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.devices.settings import PrinterConnection, PrinterSettings, ScannerSettings
from app.devices.simulator import PrintedJob, SimStatus, SimulatedPrinter
from app.services.payments.receipts import verification_code
from app.services.shifts import ShiftService
from app.services.shifts.handover import HandoverService
from app.services.staff.auth import AuthService
from app.settings import RECEIPT_ARCHIVE_DIR, MemoryBackend
from app.store.database import open_store, sqlite_url
from app.store.models import PaymentMethod
from tests.conftest import open_test_shift
from ui.arrears.payment_dialog import PAGE_CONFIRM, PAGE_DONE, PAGE_ENTRY, PaymentDialog
from ui.context import AppContext
from ui.devices.controller import devices_of
from ui.devices.drawer_dialog import NoSaleDialog
from ui.devices.routes import add_routes
from ui.devices.scanner import ScannerFilter
from ui.printing import ReceiptOutcome, ReceiptPrinting

#: 10:00 in Shanghai on the demo's business day.
NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
WECHAT_CODE = "134567890123456789"
#: A scanner types a key every few ms; a person every 100 ms or more.
SCANNER_MS, PERSON_MS = 2, 110


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def printer() -> Iterator[SimulatedPrinter]:
    with SimulatedPrinter() as sim:
        yield sim


@pytest.fixture
def ctx(demo_db_copy: Path, tmp_path: Path, printer: SimulatedPrinter) -> Iterator[AppContext]:
    store = open_store(sqlite_url(demo_db_copy))
    settings = MemoryBackend()
    RECEIPT_ARCHIVE_DIR.write(settings, str(tmp_path / "archive"))
    PrinterSettings(
        PrinterConnection.NETWORK, host="127.0.0.1", port=printer.port, drawer_pin=2
    ).write(settings)
    context = AppContext.create(
        store, AuthService(store).actor_for("A001"), settings, clock=lambda: NOW
    )
    open_test_shift(store, lambda: NOW)
    yield context
    devices_of(context).wait()
    context.tasks.wait()
    store.close()


@pytest.fixture
def scanner(ctx: AppContext) -> Iterator[ScannerFilter]:
    scan = ScannerFilter(lambda: ScannerSettings())
    add_routes(scan, ctx)
    scan.install()
    yield scan
    scan.uninstall()


@pytest.fixture
def db(demo_db_copy: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(demo_db_copy)
    yield con
    con.close()


def owing_account(ctx: AppContext) -> int:
    from app.services.arrears import WorklistFilter, WorklistSort

    ids = ctx.arrears.worklist_ids(WorklistFilter(), WorklistSort("owed", True))
    return ids[0]


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


class Keyboard:
    """Key events with the window system's time stamps, as a scanner or a person sends
    them: each press is ``gap_ms`` after the one before (the filter reads the stamps, so
    the test does not depend on how fast this machine handles the events)."""

    def __init__(self) -> None:
        self.now_ms = 50_000_000

    def send(self, key: int, text: str, gap_ms: int) -> None:
        self.now_ms += gap_ms
        modifiers = (
            Qt.KeyboardModifier.ShiftModifier
            if text.isupper() or text in ':"'
            else Qt.KeyboardModifier.NoModifier
        )
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, modifiers, text)
            event.setTimestamp(self.now_ms + (0 if kind == QEvent.Type.KeyPress else 1))
            QApplication.sendEvent(focused(), event)
        QApplication.processEvents()

    def type(self, text: str, gap_ms: int) -> None:
        for ch in text:
            self.send(ord(ch.upper()) if ch.isalpha() else ord(ch), ch, gap_ms)

    def enter(self, gap_ms: int) -> None:
        self.send(Qt.Key.Key_Return, "\r", gap_ms)


@pytest.fixture
def keys() -> Keyboard:
    return Keyboard()


def type_keys(qtbot: QtBot, text: str, delay_ms: int) -> None:
    """Key presses into whatever has the focus (QTest: stamped as handled)."""
    for ch in text:
        qtbot.keyClick(focused(), ch, delay=delay_ms)


def press(qtbot: QtBot, key: Qt.Key, delay_ms: int = -1) -> None:
    qtbot.keyClick(focused(), key, delay=delay_ms)


def open_dialog(qtbot: QtBot, ctx: AppContext) -> PaymentDialog:
    dialog = PaymentDialog(ctx, owing_account(ctx), printing=ReceiptPrinting(ctx))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.entry_page.amount)
    return dialog


def jobs_with(qtbot: QtBot, printer: SimulatedPrinter, count: int) -> list[PrintedJob]:
    """The jobs that printed or pulsed something (status-only connections left out)."""
    found: list[PrintedJob] = []

    def enough() -> bool:
        found[:] = [
            job.parsed() for job in printer.jobs if job.parsed().lines or job.parsed().pulses
        ]
        return len(found) >= count

    qtbot.waitUntil(enough, timeout=15000)
    return found


def pdf_lines(path: Path) -> str:
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def squeeze(text: str) -> str:
    return "".join(text.split()).replace("￥", "¥")


def test_cash_payment_from_the_keyboard_prints_opens_the_drawer_and_counts_on_z(
    qtbot: QtBot, ctx: AppContext, printer: SimulatedPrinter, db: sqlite3.Connection
) -> None:
    """Issue 18, done means: with the simulated network printer configured, a cash payment
    taken from the keyboard prints an ESC/POS receipt whose decoded text carries the same
    figures and amount in words as the archived PDF, opens the drawer, and a no-sale
    opening appears on the Z report."""
    dialog = open_dialog(qtbot, ctx)
    assert dialog.entry_page.chosen_method() is PaymentMethod.CASH  # the first method
    press(qtbot, Qt.Key.Key_Tab)  # amount → method
    press(qtbot, Qt.Key.Key_Tab)  # method → cash tendered
    assert focused() is dialog.entry_page.tendered
    owed = dialog.entry_page.default_amount_fen()
    tendered = (owed // 100_00 + 1) * 100_00  # the next 100-yuan note above what is owed
    type_keys(qtbot, str(tendered // 100), PERSON_MS)
    press(qtbot, Qt.Key.Key_Return)  # Next
    assert dialog.page() == PAGE_CONFIRM, dialog.entry_page.error.text()
    with qtbot.waitSignal(dialog.receiptFinished, timeout=20000) as finished:
        press(qtbot, Qt.Key.Key_Return)  # Record payment
    outcome = finished.args[0]
    assert isinstance(outcome, ReceiptOutcome) and outcome.outcome == "printed", outcome.error
    assert dialog.page() == PAGE_DONE
    recorded = dialog.recorded
    assert recorded is not None

    pulse, receipt = jobs_with(qtbot, printer, 2)[:2]
    assert pulse.pulses == [(2, 100, 100)] and not pulse.lines  # the drawer first
    assert receipt.chinese_mode and receipt.cuts == 1
    assert recorded.receipt_no in receipt.text
    paper = squeeze(receipt.text)
    archived = squeeze(pdf_lines(outcome.path))  # the PDF stays the archived copy
    plan = dialog.plan
    assert plan is not None
    from app.domain.amount_words import format_figures, rmb_receipt_line

    words = rmb_receipt_line(plan.cash_fen)
    for figure in (
        format_figures(plan.cash_fen),
        format_figures(plan.request.tendered_fen or 0),
        format_figures(plan.change_fen),
        words,
    ):
        assert squeeze(figure) in paper and squeeze(figure) in archived, figure
    assert "人民币" in words
    # Every figure of the PDF is on the paper, and no other.
    money = re.compile(r"-?¥[\d,]+\.\d\d")
    assert sorted(money.findall(paper)) == sorted(money.findall(archived))
    assert receipt.qr_codes and receipt.qr_codes[0].startswith(f"HALLDESK:R:{recorded.receipt_no}:")
    assert db.execute("SELECT outcome, copy_no FROM receipt_print").fetchall() == [("printed", 0)]
    dialog.close()

    no_sale = NoSaleDialog(ctx)
    qtbot.addWidget(no_sale)
    no_sale.show()
    no_sale.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is no_sale.reason)
    type_keys(qtbot, "change for a note", PERSON_MS // 4)
    with qtbot.waitSignal(no_sale.accepted, timeout=10000):
        press(qtbot, Qt.Key.Key_Return)
    assert jobs_with(qtbot, printer, 3)[2].pulses == [(2, 100, 100)]

    shifts = ctx.service(ShiftService)
    leader = AuthService(ctx.store).actor_for("L001")
    report = shifts.close(
        ctx.actor,
        {"note_100": 1},
        float_left_fen=100_00,
        reason="counted for the test",
        leader=leader,
    )
    assert report.is_z and report.no_sale_opens == 1
    sheet = HandoverService(ctx.store, ctx.clock).render_sheet(
        report.shift.shift_id, invariant=True
    )
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(sheet)).pages)
    # The label wraps in its cell; the count follows it.
    assert "Draweropenedwithoutasale1Deposited" in "".join(text.split())


def test_a_failed_print_is_recorded_and_offered_again_without_a_second_payment(
    qtbot: QtBot, ctx: AppContext, printer: SimulatedPrinter, db: sqlite3.Connection
) -> None:
    """Printing runs after the payment committed: paper out leaves one payment, a failed
    print row, and the same unmarked copy offered again; once the paper is in, it prints
    without 补打."""
    printer.status = SimStatus(paper_out=True)
    before = db.execute("SELECT count(*) FROM payment").fetchone()[0]
    dialog = open_dialog(qtbot, ctx)
    assert dialog.next(), dialog.entry_page.error.text()
    with qtbot.waitSignal(dialog.receiptFinished, timeout=20000) as finished:
        dialog.record_button.click()
    failed = finished.args[0]
    assert failed.failed and "out of paper" in failed.error
    assert "out of paper" in dialog.done_page.receipt_status.text()
    assert db.execute("SELECT count(*) FROM payment").fetchone()[0] == before + 1
    assert db.execute("SELECT outcome FROM receipt_print").fetchall() == [("failed",)]

    printer.status = SimStatus()
    with qtbot.waitSignal(dialog.receiptFinished, timeout=20000) as again:
        dialog.reprint_button.click()
    assert again.args[0].outcome == "printed" and again.args[0].copy_no == 0
    printed = [j for j in jobs_with(qtbot, printer, 2) if j.lines]
    assert len(printed) == 1 and "补打" not in printed[0].text  # still the original
    assert db.execute("SELECT count(*) FROM payment").fetchone()[0] == before + 1


def test_scanning_a_payment_code_picks_the_method_and_fills_the_reference(
    qtbot: QtBot, ctx: AppContext, scanner: ScannerFilter, keys: Keyboard
) -> None:
    dialog = open_dialog(qtbot, ctx)
    amount = dialog.entry_page.amount.text()
    keys.type(WECHAT_CODE, SCANNER_MS)  # lands in the amount field first
    keys.enter(SCANNER_MS)
    assert dialog.entry_page.chosen_method() is PaymentMethod.WECHAT
    assert dialog.entry_page.reference.text() == WECHAT_CODE
    assert dialog.entry_page.amount.text() == amount  # the scan's keys were taken back
    assert dialog.page() == PAGE_ENTRY  # its Enter did not go on to the confirmation


def test_a_person_typing_the_same_digits_is_no_scan(
    qtbot: QtBot, ctx: AppContext, scanner: ScannerFilter, keys: Keyboard
) -> None:
    dialog = open_dialog(qtbot, ctx)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.entry_page.tendered
    tendered = f"{dialog.entry_page.default_amount_fen() // 100 + 100}.00"  # six characters or more
    assert len(tendered) >= ScannerSettings().min_length
    keys.type(tendered, PERSON_MS)
    keys.enter(PERSON_MS)
    assert (
        dialog.entry_page.chosen_method() is PaymentMethod.CASH
        and dialog.entry_page.reference.text() == ""
    )
    assert dialog.entry_page.tendered.text() == tendered  # typed, kept; Enter went on to Next
    assert dialog.page() == PAGE_CONFIRM, dialog.entry_page.error.text()


def test_a_phone_number_scanned_into_the_search_box_opens_the_customer(
    qtbot: QtBot,
    ctx: AppContext,
    scanner: ScannerFilter,
    db: sqlite3.Connection,
    keys: Keyboard,
) -> None:
    from ui.lookup.tab import LookupTab

    number, owner = db.execute(
        "SELECT s.number, a.customer_id FROM service s JOIN account a ON a.id = s.account_id "
        "WHERE s.kind = 'mobile' ORDER BY s.id LIMIT 1 OFFSET 17"
    ).fetchone()
    tab = LookupTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.activateWindow()
    tab.focus_search()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tab.search)
    keys.type("zhang", PERSON_MS)  # something typed before
    keys.now_ms += 800  # the clerk picks up the scanner
    keys.type(number, SCANNER_MS)
    keys.enter(SCANNER_MS)
    assert tab.search.text() == number
    assert tab.panel.customer_id == owner


def test_a_receipt_qr_scanned_anywhere_opens_its_payment_to_reprint(
    qtbot: QtBot,
    ctx: AppContext,
    scanner: ScannerFilter,
    printer: SimulatedPrinter,
    keys: Keyboard,
) -> None:
    dialog = open_dialog(qtbot, ctx)
    assert dialog.next()
    with qtbot.waitSignal(dialog.receiptFinished, timeout=20000):
        dialog.record_button.click()
    recorded = dialog.recorded
    assert recorded is not None and recorded.receipt_no
    dialog.close()
    amount = ctx.payments.payment_view(recorded.payment_id).amount_fen
    secret = ctx.receipts._secret()
    code = verification_code(secret, recorded.receipt_no, amount)
    payload = f"HALLDESK:R:{recorded.receipt_no}:{amount}:{code}"

    elsewhere = PaymentDialog(ctx, owing_account(ctx))  # any screen with a text field
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is elsewhere.entry_page.amount)
    keys.type(payload, SCANNER_MS)
    keys.enter(SCANNER_MS)
    opened = [w for w in QApplication.topLevelWidgets() if w.objectName() == "scannedReceiptDialog"]
    assert len(opened) == 1
    found = opened[0]
    assert found.payment_id == recorded.payment_id  # type: ignore[attr-defined]
    assert found.reprint()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "补打" in found.message.text(), timeout=20000)  # type: ignore[attr-defined]
    reprinted = [j for j in jobs_with(qtbot, printer, 3) if "补打" in j.text]
    assert reprinted and recorded.receipt_no in reprinted[0].text

    forged = payload[:-1] + ("0" if payload[-1] != "0" else "1")
    keys.type(forged, SCANNER_MS)
    keys.enter(SCANNER_MS)
    refused = [w for w in QApplication.topLevelWidgets() if w.objectName() == "scanRefused"]
    assert refused and refused[0].isVisible()


def test_the_x_report_on_screen_counts_a_no_sale_opening_at_once(
    qtbot: QtBot, ctx: AppContext, printer: SimulatedPrinter
) -> None:
    """The blind X report a clerk sees says how often the drawer opened without a sale (a
    count, no amount), and follows a new opening without pressing anything."""
    from ui.shifts.tab import ShiftTab

    tab = ShiftTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.reload()
    assert "without a sale" not in tab.x_page.x_movements.text()
    no_sale = NoSaleDialog(ctx)
    qtbot.addWidget(no_sale)
    no_sale.reason.setText("change")
    with qtbot.waitSignal(no_sale.accepted, timeout=10000):
        no_sale.submit()
    qtbot.waitUntil(
        lambda: "opened 1 time without a sale" in tab.x_page.x_movements.text(), timeout=10000
    )
    assert jobs_with(qtbot, printer, 1)[0].pulses == [(2, 100, 100)]


def test_voiding_a_cash_payment_opens_the_drawer_to_hand_the_money_back(
    qtbot: QtBot, ctx: AppContext, printer: SimulatedPrinter, db: sqlite3.Connection
) -> None:
    """A void of a cash payment is money going back over the counter ("hand the money back
    to the customer", the void dialog says): the drawer opens as for the payment."""
    from app.store.models import VerificationMethod
    from ui.lookup.tab import LookupTab

    dialog = open_dialog(qtbot, ctx)
    dialog.entry_page.set_method(PaymentMethod.CASH)
    assert dialog.next(), dialog.entry_page.error.text()
    with qtbot.waitSignal(dialog.receiptFinished, timeout=20000):
        press(qtbot, Qt.Key.Key_Return)  # Record payment
    recorded = dialog.recorded
    assert recorded is not None
    assert jobs_with(qtbot, printer, 2)[0].pulses == [(2, 100, 100)]
    dialog.close()

    lookup = LookupTab(ctx)
    qtbot.addWidget(lookup)
    lookup.resize(1366, 728)
    lookup.show()
    (customer,) = db.execute(
        "SELECT a.customer_id FROM payment p JOIN account a ON a.id = p.account_id "
        "WHERE p.receipt_no = ?",
        (recorded.receipt_no,),
    ).fetchone()
    assert lookup.open_customer(customer)
    lookup.panel.set_verified(VerificationMethod.SERVICE_PASSWORD, NOW)
    section = lookup.panel.arrears_history
    lookup.panel.sections.setCurrentWidget(section)
    rows = [section.model.row_at(r) for r in range(section.model.rowCount())]
    section.select_row(next(i for i, e in enumerate(rows) if e.reference == recorded.receipt_no))
    void = section.void()
    assert void is not None
    void.reason.setText("wrong account")
    void.staff_no.setText("L001")
    void.password.setText("demo")
    with qtbot.waitSignal(void.accepted, timeout=10000):
        void.submit()
    assert db.execute("SELECT count(*) FROM payment WHERE kind = 'void'").fetchone() == (1,)
    assert jobs_with(qtbot, printer, 3)[2].pulses == [(2, 100, 100)]
