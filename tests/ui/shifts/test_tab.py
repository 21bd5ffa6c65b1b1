"""The shift tab, end to end on the demo store: open a shift with a float count, take
payments, cash out with a leader, close with a blind count and a leader for the difference,
write the handover with its equipment, sign it three times, print the sheet, and see the
hall day. Also: the payment dialog without a shift says where to open one.

The tab's dialogs are the tab's children (deleted with it), so only the tab is handed to
``qtbot.addWidget``."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QCheckBox, QDialog, QTimeEdit
from pytestqt.qtbot import QtBot

from app import i18n
from app.domain.handover import Signer
from app.services.payments import PaymentMethod, PaymentRequest
from app.services.shifts import ShiftService
from app.services.staff.auth import AuthService
from app.settings import MemoryBackend
from app.store.database import open_store, sqlite_url
from tests.ui.contexts import make_ctx
from ui.arrears.payment_dialog import PAGE_CONFIRM, PaymentDialog
from ui.context import AppContext
from ui.printing import ReceiptPrinting, pdf_file_printer
from ui.shifts.dialogs import CashInDialog, CashOutDialog, SignDialog
from ui.shifts.tab import ShiftTab

#: 08:00 in Shanghai on the demo's business day.
NOW = datetime(2026, 11, 15, 0, 0, tzinfo=UTC)
PASSWORD = "demo"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def ctx(demo_db_copy: Path, tmp_path: Path) -> Iterator[AppContext]:
    context = make_ctx(demo_db_copy, "A001", lambda: NOW, tmp_path / "archive")
    yield context
    context.tasks.wait()
    context.store.close()


@pytest.fixture
def db(demo_db_copy: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(demo_db_copy)
    yield con
    con.close()


def settled_account(db: sqlite3.Connection) -> int:
    return int(
        db.execute("SELECT account_id FROM account_ledger WHERE owed_fen <= 0 LIMIT 1").fetchone()[
            0
        ]
    )


def accept(qtbot: QtBot, dialog: QDialog) -> None:
    dialog.submit()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)


def test_open_pay_close_sign_print(
    qtbot: QtBot, ctx: AppContext, db: sqlite3.Connection, tmp_path: Path
) -> None:
    tab = ShiftTab(ctx)
    tab.print_function = pdf_file_printer(tmp_path / "printed")
    qtbot.addWidget(tab)
    tab.resize(1400, 900)
    tab.show()
    assert "No shift open at counter C01" in tab.status.text()
    assert tab.open_button.isEnabled() and not tab.close_button.isEnabled()

    # Open: the float counted note by note; a bad count is refused in the dialog.
    dialog = tab.make_open_dialog()
    dialog.grid.fields["note_100"].setText("1.5")
    dialog.submit()
    assert not dialog.error.isHidden() and "whole number" in dialog.error.text()
    dialog.grid.fields["note_100"].setText("5")
    dialog.grid.fields["coin_1"].setText("20")
    assert "520.00" in dialog.grid.total.text()
    accept(qtbot, dialog)
    tab.reload()
    assert "Shift open at counter C01" in tab.status.text()
    assert not tab.open_button.isEnabled() and tab.close_button.isEnabled()

    # Payments through the service (the payment dialog is tested elsewhere).
    account = settled_account(db)
    for request in (
        PaymentRequest(account, 88_00, PaymentMethod.CASH, "", 100_00),
        PaymentRequest(account, 120_00, PaymentMethod.WECHAT, "WX-991"),
    ):
        ctx.payments.record(ctx.actor, ctx.payments.prepare(ctx.actor, request))

    cash_out = CashOutDialog(ctx, tab)
    cash_out.amount.setText("100")
    cash_out.reason.setText("to the safe")
    cash_out.staff_no.setText("L001")
    cash_out.password.setText(PASSWORD)
    accept(qtbot, cash_out)

    tab.reload()
    rows = {m.method: m for m in tab.x_page.method_model.rows}
    assert rows["cash"].payments == 1 and rows["wechat"].payments == 1
    assert tab.x_page.x_table.model().rowCount() >= 4
    # The hall's blind count: the clerk sees how many payments, no amount of any kind.
    assert "Blind count" in tab.x_page.x_cash.text() and "CN¥" not in tab.x_page.x_cash.text()
    assert "1 cash movement" in tab.x_page.x_movements.text()
    shown = {
        m.method: [tab.x_page.method_model.index(r, c).data() for c in range(6)]
        for r, m in enumerate(tab.x_page.method_model.rows)
    }
    assert shown["wechat"][1:] == ["1", "—", "0 / —", "0 / —", "—"]
    assert shown["cash"][1:] == ["1", "—", "0 / —", "0 / —", "—"]

    # Close with a blind count: 520 + 88 - 100 = 508 expected, 450 counted (58 short); the
    # WeChat statement shows 118 against 120 taken.
    close = tab.make_close_dialog()
    assert close.blind.isChecked() and "Blind count" in close.expected.text()
    assert not close.ok_button.isEnabled()
    assert set(close.methods_box.fields) == {"bank_card", "wechat", "alipay"}
    assert all(label.text() == "" for label in close.methods_box.expected.values())
    assert close.methods_box.fields["wechat"].placeholderText() == "required"
    close.grid.fields["note_100"].setText("4")
    close.grid.fields["note_50"].setText("1")
    close.check_button.click()  # WeChat took money: its total must be typed
    qtbot.waitUntil(lambda: "WeChat Pay had takings" in close.error.text(), timeout=10000)
    assert close.preview is None and not close.ok_button.isEnabled()
    close.methods_box.fields["wechat"].setText("118.005")
    close.check_button.click()
    assert "WeChat Pay:" in close.error.text() and "two decimal" in close.error.text()
    close.methods_box.fields["wechat"].setText("118")
    close.check_button.click()
    qtbot.waitUntil(lambda: close.preview is not None, timeout=10000)
    assert "Shortage" in close.difference_label.text() and "508.00" in close.difference_label.text()
    assert "shift leader must approve" in close.difference_label.text()
    assert (
        "WeChat Pay: expected CN¥120.00, counted CN¥118.00, Shortage CN¥2.00"
        in close.difference_label.text()
    )
    assert close.methods_box.expected["wechat"].text() == "CN¥120.00"
    assert close.methods_box.differences["wechat"].text() == "Shortage CN¥2.00"
    assert close.methods_box.differences["bank_card"].text() == "Balanced"
    close.resize(close.sizeHint())
    close.grab().save(str(tmp_path / "close-dialog.png"))
    close.float_left.setText("400")
    close.submit()
    assert "staff number and password" in close.error.text()  # over the limit: a leader
    close.reason.setText("a 50 note given as change twice")
    close.leader_no.setText("L001")
    close.leader_password.setText(PASSWORD)
    with qtbot.waitSignal(tab.shiftClosed, timeout=10000):  # the window backs up then
        accept(qtbot, close)
    tab.reload()
    assert "No shift open" in tab.status.text()
    assert db.execute("SELECT difference_fen, float_left_fen FROM shift_close").fetchall() == [
        (-58_00, 400_00)
    ]
    assert json.loads(db.execute("SELECT method_counts_json FROM shift_close").fetchone()[0])[
        "wechat"
    ] == {"expected_fen": 120_00, "counted_fen": 118_00, "difference_fen": -2_00}

    # The handover: standard equipment lines, notes, save, then three signatures.
    tab.pages.setCurrentIndex(1)
    assert "revision" not in tab.handover_page.handover_heading.text()
    summary = tab.handover_page.close_summary.text()
    assert "Cash: expected CN¥508.00, counted CN¥450.00, Shortage CN¥58.00" in summary
    assert "WeChat Pay: expected CN¥120.00, counted CN¥118.00, Shortage CN¥2.00" in summary
    assert "Bank card" not in summary  # nothing taken, nothing counted
    assert tab.handover_page.equipment.rowCount() == 5
    tab.handover_page.equipment.item(0, 1).setText("6")
    tab.handover_page.equipment.item(1, 1).setText("x")
    tab.handover_page.save_button.click()
    assert "row 2" in tab.handover_page.handover_error.text()
    tab.handover_page.equipment.item(1, 1).setText("2")
    tab.handover_page.equipment.item(1, 2).setText("POS 2 card reader faulty")
    tab.handover_page.notes.setPlainText("Customer Wang expects a call at 15:00")
    tab.handover_page.save_button.click()
    qtbot.waitUntil(
        lambda: "revision 1" in tab.handover_page.handover_heading.text(), timeout=10000
    )
    assert tab.handover_page.sign_buttons[Signer.OUTGOING].isEnabled()
    assert not tab.handover_page.sign_buttons[Signer.LEADER].isEnabled()

    for role, staff_no in (
        (Signer.OUTGOING, "A001"),
        (Signer.INCOMING, "A002"),
        (Signer.LEADER, "L001"),
    ):
        sign = tab.handover_page.make_sign_dialog(role)
        assert isinstance(sign, SignDialog)
        sign.staff_no.setText(staff_no)
        sign.password.setText("wrong")
        sign.submit()
        qtbot.waitUntil(lambda s=sign: not s.error.isHidden(), timeout=10000)  # type: ignore[misc]
        assert sign.password.text() == ""
        sign.password.setText(PASSWORD)
        accept(qtbot, sign)
        tab.reload()
    assert "revision 1, signed and locked" in tab.handover_page.handover_heading.text()
    i18n.set_language("zh_CN")  # Chinese joins with its own comma, not ", " (issue 15 polish)
    tab.reload()
    assert "第 1 版，已签字锁定" in tab.handover_page.handover_heading.text()
    i18n.set_language("en")
    tab.reload()
    assert all(not b.isEnabled() for b in tab.handover_page.sign_buttons.values())
    assert "A002" in tab.handover_page.sign_labels[Signer.INCOMING].text()
    qtbot.waitUntil(
        lambda: (
            tab.handover_page.sheet.pixmap() is not None
            and not tab.handover_page.sheet.pixmap().isNull()
        )
    )

    # The preview is the sheet that prints (the printer gets it as page images).
    ctx.tasks.wait()
    qtbot.waitUntil(lambda: "DRAFT" not in sheet_text(tab) and "Revision" in sheet_text(tab))
    text = sheet_text(tab)
    assert "POS 2 card reader faulty" in text and "Shortage ¥58.00" in text
    assert "WeChat Pay ¥120.00 ¥118.00 Shortage ¥2.00" in " ".join(text.split())
    assert "DRAFT" not in text and "陈晓燕 (A001)" in text
    tab.handover_page.print_button.click()
    assert tab_printed(qtbot, tmp_path / "printed").startswith(b"%PDF")

    # A locked handover changes only by a correction with a reason.
    tab.handover_page.save_button.click()
    qtbot.waitUntil(lambda: bool(tab.handover_page.handover_error.text()), timeout=10000)
    assert "say why" in tab.handover_page.handover_error.text()
    tab.handover_page.correction.setText("paper count was 5")
    tab.handover_page.equipment.item(0, 1).setText("5")
    tab.handover_page.save_button.click()
    qtbot.waitUntil(
        lambda: "revision 2" in tab.handover_page.handover_heading.text(), timeout=10000
    )

    # The hall day shows the shift with its difference.
    tab.pages.setCurrentIndex(2)
    tab.day_page.reload()
    assert tab.day_page.day_model.rowCount() == 1
    assert "Shortage" in tab.day_page.day_model.index(0, 7).data()
    assert "0 of 1 shifts open" in tab.day_page.day_status.text()
    assert not tab.day_page.close_day_button.isEnabled()  # a clerk cannot close the day
    tab.pages.setCurrentIndex(1)
    tab.grab().save(str(tmp_path / "shift-tab.png"))


def sheet_text(tab: ShiftTab) -> str:
    pdf = tab.handover_page.sheet_pdf or b""
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages) if pdf else ""


def tab_printed(qtbot: QtBot, folder: Path) -> bytes:
    # The file printer names the file after the job's title ("Handover sheet <date> <counter>").
    name = "Handover_sheet_*.pdf"
    qtbot.waitUntil(lambda: folder.exists() and any(folder.glob(name)), timeout=20000)
    return next(folder.glob(name)).read_bytes()


def test_the_payment_dialog_says_where_to_open_a_shift(
    qtbot: QtBot, ctx: AppContext, db: sqlite3.Connection, tmp_path: Path
) -> None:
    printing = ReceiptPrinting(ctx, pdf_file_printer(tmp_path / "printed"))
    dialog = PaymentDialog(ctx, settled_account(db), printing=printing)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.entry_page.amount.setText("10")
    dialog.entry_page.set_method(PaymentMethod.CASH)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.page() == PAGE_CONFIRM, dialog.entry_page.error.text()
    before = db.execute("SELECT count(*) FROM payment").fetchone()[0]
    dialog.record()
    qtbot.waitUntil(lambda: not dialog.confirm_page.confirm_error.isHidden(), timeout=10000)
    assert "Open a shift first" in dialog.confirm_page.confirm_error.text()
    assert "Shift handover tab" in dialog.confirm_page.confirm_error.text()
    assert dialog.page() == PAGE_CONFIRM  # the entries are kept
    assert db.execute("SELECT count(*) FROM payment").fetchone()[0] == before


def test_leader_sees_the_hall_day_and_closes_it(
    qtbot: QtBot, demo_db_copy: Path, tmp_path: Path
) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    ctx = AppContext.create(
        store, AuthService(store).actor_for("L001"), MemoryBackend(), clock=lambda: NOW
    )
    try:
        tab = ShiftTab(ctx)
        tab.print_function = pdf_file_printer(tmp_path / "printed")
        qtbot.addWidget(tab)
        tab.pages.setCurrentIndex(2)
        assert tab.day_page.close_day_button.isEnabled() and tab.day_page.opening_button.isEnabled()
        assert "No opening checks yet" in tab.day_page.opening_label.text()
        tab.day_page.close_day_note.setText("quiet day")
        tab.day_page.close_day_button.click()
        qtbot.waitUntil(lambda: "Day closed" in tab.day_page.day_status.text(), timeout=10000)
        tab.day_page.print_day_button.click()
        qtbot.waitUntil(
            lambda: any((tmp_path / "printed").glob("Hall_day_summary_*.pdf")), timeout=20000
        )
    finally:
        ctx.tasks.wait()
        store.close()


def test_opening_checks_and_the_status_label(
    qtbot: QtBot, demo_db_copy: Path, tmp_path: Path
) -> None:
    from ui.shifts.opening import OpeningCheckDialog
    from ui.shifts.status import ShiftStatusLabel

    store = open_store(sqlite_url(demo_db_copy))
    ctx = AppContext.create(
        store, AuthService(store).actor_for("L001"), MemoryBackend(), clock=lambda: NOW
    )
    try:
        label = ShiftStatusLabel(ctx)
        qtbot.addWidget(label)
        assert label.objectName() == "statusShift" and label.text() == "No shift open"
        tab = ShiftTab(ctx)
        qtbot.addWidget(tab)
        dialog = OpeningCheckDialog(ctx, NOW.date(), tab)
        # A001 came 20 minutes early (the default time), A002 at 08:25: late for 15 minutes.
        dialog.findChild(QCheckBox, "arrived_A001").setChecked(True)
        dialog.findChild(QCheckBox, "arrived_A002").setChecked(True)
        dialog.findChild(QTimeEdit, "arrivedAt_A002").setTime(QTime(8, 25))
        for box in dialog.findChildren(QCheckBox):
            if box.objectName().startswith("cleaned_"):
                box.setChecked(True)
        dialog.findChild(QCheckBox, "hallOpened").setChecked(True)
        accept(qtbot, dialog)
        tab.day_page.reload()
        assert "Opening checks failed" in tab.day_page.opening_label.text()
        assert (
            "A002" in tab.day_page.opening_label.text()
            and "A001" not in tab.day_page.opening_label.text()
        )
        ShiftService(store, lambda: NOW).open(ctx.actor, {"note_100": 1})
        label.refresh()
        assert label.text() == "Shift open"
    finally:
        ctx.tasks.wait()
        store.close()


def test_the_x_report_follows_every_payment_void_and_cash_movement(
    qtbot: QtBot, ctx: AppContext, db: sqlite3.Connection, tmp_path: Path
) -> None:
    """Issue 12 item 5: the Shift tab's X report is read again after each payment, void
    and cash movement taken on this PC, wherever it was taken (the payment dialog, the
    task worker, the cash dialogs), without pressing its button."""
    ShiftService(ctx.store, ctx.clock).open(ctx.actor, {"note_100": 5})
    tab = ShiftTab(ctx)
    qtbot.addWidget(tab)
    tab.show()

    def shown(method: str) -> list[str]:
        for r, m in enumerate(tab.x_page.method_model.rows):
            if m.method == method:
                return [tab.x_page.method_model.index(r, c).data() for c in range(1, 4)]
        return []

    assert shown("cash")[0] == "0" and shown("wechat")[0] == "0"
    before = tab.x_page.x_heading.text()
    printing = ReceiptPrinting(ctx, pdf_file_printer(tmp_path / "printed"))
    account = settled_account(db)
    recorded = []
    for method, amount, reference in (
        (PaymentMethod.CASH, "88", ""),
        (PaymentMethod.WECHAT, "120", "WX-2026-1115"),
    ):
        dialog = PaymentDialog(ctx, account, printing=printing)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.entry_page.set_method(method)
        dialog.entry_page.amount.setText(amount)
        dialog.entry_page.reference.setText(reference)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        assert dialog.page() == PAGE_CONFIRM, dialog.entry_page.error.text()
        with qtbot.waitSignal(dialog.paymentRecorded, timeout=10000):
            qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
        recorded.append(dialog.recorded)
    qtbot.waitUntil(lambda: shown("cash")[0] == "1" and shown("wechat")[0] == "1", timeout=10000)
    assert tab.x_page.x_heading.text() == before  # the same clock; the rows are what changed

    # A void, taken on the task worker as the customer panel takes it.
    leader = AuthService(ctx.store).leader_credential("L001", PASSWORD)
    payment_id = recorded[0].payment_id  # type: ignore[union-attr]
    ctx.tasks.run(lambda: ctx.payments.void(ctx.actor, payment_id, leader, "wrong amount"))
    qtbot.waitUntil(lambda: shown("cash")[2].startswith("1 / "), timeout=10000)

    # A cash movement through its dialog (not run by the tab, so only the service tells).
    cash_in = CashInDialog(ctx, tab)
    cash_in.amount.setText("50")
    cash_in.reason.setText("coins from the safe")
    accept(qtbot, cash_in)
    qtbot.waitUntil(lambda: "1 cash movement" in tab.x_page.x_movements.text(), timeout=10000)


def test_a_one_time_password_signs_no_handover(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    """A signature on a handover is the signer's credential given at that moment ("Both
    sides sign; the shift leader checks", docs/domain): a one-time password is also known
    to the administrator who gave it, so, as for a leader's approval, it signs nothing
    until its owner has logged in and chosen their own."""
    from app.services.shifts.handover import HandoverService
    from app.services.shifts.views import STANDARD_EQUIPMENT, EquipmentLine
    from app.services.staff import PasswordChange, PasswordService, StaffAdminService

    shifts = ctx.service(ShiftService)
    shifts.open(ctx.actor, {"note_100": 5})
    shifts.close(ctx.actor, {"note_100": 5}, float_left_fen=500_00)
    tab = ShiftTab(ctx)
    qtbot.addWidget(tab)
    page = tab.handover_page
    assert page.handover_shift_id is not None
    ctx.service(HandoverService).save(
        ctx.actor,
        page.handover_shift_id,
        notes="",
        equipment=[EquipmentLine(code, 1) for code in STANDARD_EQUIPMENT],
    )
    auth = AuthService(ctx.store, ctx.clock)
    admin = auth.actor_for("ADMIN")
    incoming = auth.actor_for("A002")
    one_time = StaffAdminService(ctx.store, ctx.clock).reset_password(admin, incoming.staff_id)
    tab.reload()

    for role, staff_no, password in (
        (Signer.OUTGOING, "A001", PASSWORD),
        (Signer.INCOMING, "A002", one_time.password),
    ):
        sign = page.make_sign_dialog(role)
        assert isinstance(sign, SignDialog)
        sign.staff_no.setText(staff_no)
        sign.password.setText(password)
        if role is Signer.OUTGOING:
            accept(qtbot, sign)
            tab.reload()
            continue
        sign.submit()
        qtbot.waitUntil(
            lambda s=sign: not s.error.isHidden() or s.result() == QDialog.DialogCode.Accepted,  # type: ignore[misc]
            timeout=10000,
        )
        assert sign.result() != QDialog.DialogCode.Accepted, "signed with a one-time password"
        assert "A002 has a one-time password" in sign.error.text()
    tab.reload()
    assert "not signed" in page.sign_labels[Signer.INCOMING].text()

    # Once A002 has chosen their own password, it signs.
    PasswordService(ctx.store, ctx.clock).change_own(
        incoming, PasswordChange(one_time.password, "own-pass-1", "own-pass-1")
    )
    sign = page.make_sign_dialog(Signer.INCOMING)
    assert isinstance(sign, SignDialog)
    sign.staff_no.setText("A002")
    sign.password.setText("own-pass-1")
    accept(qtbot, sign)
    tab.reload()
    assert "A002" in page.sign_labels[Signer.INCOMING].text()
