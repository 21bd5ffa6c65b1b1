"""Regenerate the documentation's screenshots from the real app, offscreen.

Usage: QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py [--customers 3000]

It also makes the user guide's images in docs/images/guide/ (docs/user-guide.md).

It generates a small demo store (seed 11, today 2026-11-15) in a temporary folder, logs
in as the clerk A001 and drives the real main window as a clerk would: search, arrears,
open a shift, take payments, take a complaint, self-check, close the shift with a blind
count, hand over. A shift leader (L001) then issues a fault notice, looks at the hall
day and at the leader's reports. The window runs on a fixed clock (the morning after the
demo's today, advancing with real time), so deadlines, countdowns and dates come out the
same on every run.
Printouts (receipt, acknowledgement slip, handover sheet) are rendered by the app's own
document code and page 1 is converted with ``pdftoppm`` (poppler-utils). PNGs go into
docs/images/ in Chinese and English. Run it after a UI change so the README and the user
guide show what the program really looks like.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from app.demo.generator import generate
from app.store.database import sqlite_url
from ui.language import apply_language
from ui.lookup.tab import LookupTab
from ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent / "images"
GUIDE = OUT / "guide"
SIZE = (1400, 900)
GUIDE_SIZE = (1280, 800)
LANGUAGES = ("zh_CN", "en")
DEMO_TODAY = date(2026, 11, 15)
#: The script's "now": 09:30 in the hall (Asia/Shanghai) the morning after the demo's today.
START = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)
DEMO_PASSWORD = "demo"


def _settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


class DemoClock:
    """START, advancing with real time (so the order of events is kept); ``advance``
    jumps ahead (the close of the shift comes hours after its opening)."""

    def __init__(self) -> None:
        self._began = time.monotonic()
        self._offset = timedelta()

    def __call__(self) -> datetime:
        return START + self._offset + timedelta(seconds=time.monotonic() - self._began)

    def advance(self, by: timedelta) -> None:
        self._offset += by


def _window(db: Path, staff_no: str, clock: Callable[[], datetime]) -> MainWindow:
    """What ``build_main_window`` does, with the script's clock given to the services."""
    from app.services.staff.auth import AuthService
    from app.store.database import open_store
    from ui.context import AppContext
    from ui.qt_app import ensure_application
    from ui.qt_settings import QSettingsBackend

    ensure_application()
    store = open_store(sqlite_url(db))
    actor = AuthService(store, clock).actor_for(staff_no)
    ctx = AppContext.create(store, actor, QSettingsBackend(), clock=clock)
    return MainWindow(ctx, clock=clock)


def _customer_in_arrears(db: Path) -> tuple[int, str]:
    con = sqlite3.connect(db)
    row = con.execute(
        "SELECT c.id, c.name FROM customer c JOIN account a ON a.customer_id = c.id "
        "JOIN account_ledger l ON l.account_id = a.id WHERE c.kind = 'person' "
        "AND l.owed_fen > 50000 AND EXISTS (SELECT 1 FROM service s WHERE s.account_id = a.id "
        "AND s.status = 'suspended') ORDER BY c.id LIMIT 1"
    ).fetchone()
    con.close()
    return int(row[0]), str(row[1])


def main() -> None:
    from ui.arrears.tab import ArrearsTab

    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=3000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HALLDESK_DATA_DIR"] = tmp
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        db = Path(tmp) / "demo.sqlite3"
        generate(db, args.customers, seed=11, today=DEMO_TODAY)
        clock = DemoClock()
        window = _window(db, "A001", clock)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        window.resize(*SIZE)
        window.show()
        customer_id, name = _customer_in_arrears(db)
        lookup = window.tab(LookupTab)
        arrears = window.tab(ArrearsTab)
        assert lookup is not None and arrears is not None
        for language in LANGUAGES:
            apply_language(app, language)
            window.tabs.setCurrentWidget(lookup)
            search = window.findChild(QLineEdit, "lookupSearch")
            assert search is not None
            search.setText(name[:2])
            lookup.open_customer(customer_id)
            _settle(app)
            window.grab().save(str(OUT / f"lookup-{language}.png"))
            window.tabs.setCurrentWidget(arrears)
            _settle(app, 60)
            window.grab().save(str(OUT / f"arrears-{language}.png"))
            print("wrote", OUT / f"lookup-{language}.png", OUT / f"arrears-{language}.png")
        window.resize(*GUIDE_SIZE)
        GUIDE.mkdir(parents=True, exist_ok=True)
        for language in LANGUAGES:
            apply_language(app, language)
            _guide_shots(window, app, language, db, Path(tmp))
        # Steps that change the day for good run once, after every language's shots above.
        clock.advance(timedelta(hours=8))  # the end of the clerk's day: 17:30
        for step in (_close_shots, _handover_shots, _banner_shots, _conflict_shots):
            _run(step, window, app, db, Path(tmp))
        window.close()
        _settle(app)
        leader = _window(db, "L001", clock)
        leader.resize(*GUIDE_SIZE)
        leader.show()
        _run(_hall_day_shots, leader, app, db, Path(tmp))
        _run(_report_shots, leader, app, db, Path(tmp))
        leader.close()
        _settle(app)
        _admin_shots(app, db, clock)


def _admin_shots(app: QApplication, db: Path, clock: DemoClock) -> None:
    """The administration chapter (docs/screenshots_admin.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from screenshots_admin import admin_shots

    try:
        admin_shots(app, db, clock, LANGUAGES, _window, _shot, _settle)
    except Exception as exc:
        print(f"FAILED admin_shots: {exc!r}")
        FAILED.append("admin_shots")


Step = Callable[[MainWindow, QApplication, Path, Path], None]
#: Steps that failed: the script still takes the others, then exits 1 naming these.
FAILED: list[str] = []


def _run(step: Step, window: MainWindow, app: QApplication, db: Path, tmp: Path) -> None:
    """One step on its own, so one failure does not stop the rest."""
    try:
        step(window, app, db, tmp)
    except Exception as exc:
        print(f"FAILED {step.__name__}: {exc!r}")
        FAILED.append(step.__name__)


def _pdf_png(pdf: bytes | Path, name: str, resolution: int = 80) -> None:
    """Page 1 of a printout as docs/images/guide/<name>.png."""
    out = GUIDE / name
    if isinstance(pdf, bytes):
        path = out.with_suffix(".pdf")
        path.write_bytes(pdf)
    else:
        path = pdf
    try:
        subprocess.run(
            ["pdftoppm", "-r", str(resolution), "-png", "-singlefile", str(path), str(out)],
            check=True,
        )
    finally:
        if isinstance(pdf, bytes):
            path.unlink()
    print("wrote", out.with_suffix(".png"))


def _shot(widget: QWidget, name: str, language: str) -> None:
    path = GUIDE / f"{name}-{language}.png"
    widget.grab().save(str(path))
    print("wrote", path)


def _owing_account(db: Path) -> int:
    con = sqlite3.connect(db)
    row = con.execute(
        "SELECT account_id FROM account_ledger WHERE owed_fen BETWEEN 5000 AND 50000 "
        "ORDER BY account_id LIMIT 1"
    ).fetchone()
    con.close()
    return int(row[0])


def _guide_shots(window: MainWindow, app: QApplication, language: str, db: Path, tmp: Path) -> None:
    """The user guide's screenshots: each step on its own so one failure does not stop the rest."""
    steps = (
        _shift_shots,
        _payment_shots,
        _complaint_shots,
        _inspection_shots,
        _sync_shots,
        _device_shots,
    )
    for step in steps:
        try:
            step(window, app, language, db, tmp)
        except Exception as exc:
            print(f"FAILED {step.__name__} ({language}): {exc!r}")
            FAILED.append(f"{step.__name__} ({language})")


def _shift_shots(window: MainWindow, app: QApplication, language: str, db: Path, tmp: Path) -> None:
    from ui.shifts.tab import ShiftTab

    tab = window.tab(ShiftTab)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    tab.reload()
    _settle(app)
    # The counting dialog is shown in every language; the shift is opened once (payments
    # need it), so later languages only show the dialog and cancel it.
    dialog = tab.make_open_dialog()
    dialog.grid.fields["note_100"].setText("5")
    dialog.grid.fields["note_10"].setText("10")
    dialog.grid.fields["coin_1"].setText("20")
    dialog.show()
    _settle(app)
    _shot(dialog, "shift-open", language)
    if not tab.open_button.isEnabled():
        dialog.reject()
    else:
        dialog.submit()
        _wait(app, lambda: dialog.result() == QDialog.DialogCode.Accepted)
        dialog.close()
        tab.reload()
        _settle(app, 40)
    _shot(window, "shift", language)


def _payment_shots(
    window: MainWindow, app: QApplication, language: str, db: Path, tmp: Path
) -> None:
    from ui.arrears.payment_dialog import PAGE_CONFIRM, PAGE_DONE, PaymentDialog

    ctx = window.ctx
    dialog = PaymentDialog(ctx, _owing_account(db), parent=window)
    dialog.resize(760, 640)
    dialog.show()
    dialog.entry_page.amount.setText("50")
    dialog.entry_page.tendered.setText("100")
    _settle(app)
    dialog.next()
    _wait(app, lambda: dialog.page() == PAGE_CONFIRM)
    _settle(app)
    _shot(dialog, "payment-confirm", language)
    before = set(tmp.rglob("*.pdf"))
    dialog.record_button.click()
    _wait(app, lambda: dialog.page() == PAGE_DONE)
    _wait(app, lambda: set(tmp.rglob("*.pdf")) - before != set(), seconds=30)
    _settle(app, 40)
    dialog.close()
    pdf = sorted(set(tmp.rglob("*.pdf")) - before)[0]
    if language == LANGUAGES[0]:
        _pdf_png(pdf, "receipt", resolution=110)


def _complaint_shots(
    window: MainWindow, app: QApplication, language: str, db: Path, tmp: Path
) -> None:
    from ui.complaints.tab import ComplaintsTab

    tab = window.tab(ComplaintsTab)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    form = tab.start_intake()
    zh = language == "zh_CN"
    form.name.setText("王小明" if zh else "Wang Xiaoming")
    form.phone.setText("13800138000")
    form.category.setCurrentIndex(form.category.findData("network"))
    form.subcategory.setCurrentIndex(form.subcategory.findData("network_no_signal"))
    form.description.setPlainText(
        "家里客厅手机没有信号，已经一周了" if zh else "No signal in the living room for a week."
    )
    form.request.setText("尽快修好" if zh else "Fix it soon")
    _settle(app)
    _shot(window, "complaint-form", language)
    recorded = form.submit()
    assert recorded is not None, "the complaint was refused"
    _settle(app)
    tab.pages.setCurrentIndex(0)
    tab.reload()
    _settle(app, 60)
    table = window.findChild(QWidget, "complaintWorklist")
    if table is not None and hasattr(table, "selectRow"):
        table.selectRow(0)
    _settle(app, 60)
    _shot(window, "complaints", language)
    if language == LANGUAGES[0]:
        # The slip is for the customer: always Chinese, one image.
        from app.services.complaints import ComplaintService

        service = window.ctx.service(ComplaintService)
        _pdf_png(service.render_ack(recorded.complaint_id), "complaint-ack", resolution=110)
    _deadline_shot(window, app, tab, language)


def _deadline_shot(window: MainWindow, app: QApplication, tab: QWidget, language: str) -> None:
    """The worklist scrolled to where the overdue (red) rows end and the amber ones begin."""
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QTableView

    from app.domain.complaint_clock import Level
    from ui.widgets import RowRole

    table = tab.findChild(QTableView, "complaintWorklist")
    assert table is not None
    model = table.model()
    while model.canFetchMore(QModelIndex()) and model.rowCount() < 400:
        model.fetchMore(QModelIndex())
    levels = []
    for row in range(min(model.rowCount(), 400)):
        item = model.data(model.index(row, 0), RowRole)
        levels.append(item.reading.level if item is not None else None)
    assert Level.AMBER in levels and Level.RED in levels, "no amber and red rows to show"
    first_amber = levels.index(Level.AMBER)
    table.selectRow(first_amber)
    table.scrollTo(model.index(max(first_amber - 5, 0), 0), QTableView.ScrollHint.PositionAtTop)
    _settle(app, 60)
    _shot(window, "complaint-deadlines", language)


def _inspection_shots(
    window: MainWindow, app: QApplication, language: str, db: Path, tmp: Path
) -> None:
    """A self-check (the logged-in clerk's own checklist), half answered from the keyboard."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.domain.etiquette_scoring import TemplateKind
    from ui.etiquette.tab import EtiquetteTab

    tab = window.tab(EtiquetteTab)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    form = tab.open_form(TemplateKind.SELF_CHECK)
    assert form is not None, "the self-check form was refused"
    form.resize(1100, 760)
    _settle(app)
    form.grid.items.setFocus()
    form.grid.items.setCurrentCell(0, 1)
    rows = form.grid.items.rowCount()
    for row in range(rows // 2):
        QTest.keyClick(form.grid.items, Qt.Key.Key_F if row == 2 else Qt.Key.Key_P)
        if form.grid.items.currentRow() == row:
            QTest.keyClick(form.grid.items, Qt.Key.Key_Down)
    _settle(app)
    _shot(form, "inspection", language)
    form.reject()
    _settle(app)


def _sync_shots(window: MainWindow, app: QApplication, language: str, db: Path, tmp: Path) -> None:
    from ui.sync.dialogs import SyncSettingsDialog

    dialog = SyncSettingsDialog(window.ctx, window)
    dialog.url_edit.setText("https://centre.example.cn:8765")
    dialog.code_edit.setText("ABCD-EFGH-JKLM-NPQR")
    dialog.url_edit.setCursorPosition(0)
    dialog.code_edit.setCursorPosition(0)
    dialog.resize(620, dialog.sizeHint().height())
    dialog.show()
    _settle(app)
    _shot(dialog, "sync-settings", language)
    dialog.close()


def _device_shots(
    window: MainWindow, app: QApplication, language: str, db: Path, tmp: Path
) -> None:
    """The settings dialog with a network receipt printer, its drawer and the scanner, and
    the no-sale drawer dialog."""
    from ui.devices.drawer_dialog import NoSaleDialog
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.ctx.settings, window)
    box = dialog.devices
    box.kind.setCurrentIndex(box.kind.findData("network"))
    box.host.setText("192.168.1.50")
    box.port.setText("9100")
    box.drawer.setCurrentIndex(box.drawer.findData(2))
    dialog.show()
    _settle(app)
    dialog.resize(dialog.sizeHint())
    _settle(app)
    _shot(dialog, "device-settings", language)
    dialog.reject()
    no_sale = NoSaleDialog(window.ctx, window)
    no_sale.reason.setText("找零" if language == "zh_CN" else "change for a 100-yuan note")
    no_sale.show()
    _settle(app)
    _shot(no_sale, "drawer-no-sale", language)
    no_sale.reject()


def _close_shots(window: MainWindow, app: QApplication, db: Path, tmp: Path) -> None:
    """The close dialog after the blind count and Check, in each language; the Chinese one
    closes the shift (the cash is ¥5 short, so a reason is needed)."""
    from app.services.shifts import ShiftReport, ShiftService
    from app.services.staff.auth import AuthService
    from ui.shifts.tab import ShiftTab

    tab = window.tab(ShiftTab)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    for language in reversed(LANGUAGES):  # closed in Chinese, as the hall works
        apply_language(app, language)
        _settle(app)  # the language change reaches every widget before the dialog exists
        tab.reload()
        dialog = tab.make_close_dialog()
        # The clerk's blind report has no figure: the script asks as the shift leader.
        leader = AuthService(window.ctx.store).actor_for("L001")
        report = ShiftService(window.ctx.store, window.ctx.clock).current_report(window.ctx.actor)
        full = ShiftService(window.ctx.store).x_report(leader, report.shift.shift_id)
        assert isinstance(full, ShiftReport)
        # Count the expected cash less ¥5, in ¥100, ¥10, ¥1 and 1-jiao pieces.
        expected = full.cash.expected_cash_fen - 5_00
        pieces = {
            "note_100": expected // 100_00,
            "note_10": expected % 100_00 // 10_00,
            "coin_1": expected % 10_00 // 100,
            "coin_0_1": expected % 100 // 10,
        }
        for code, n in pieces.items():
            dialog.grid.fields[code].setText(str(n) if n else "")
        dialog.float_left.setText("500")
        dialog.reason.setText(
            "找零时多找了 5 元" if language == "zh_CN" else "Gave ¥5 too much change"
        )
        dialog.show()
        dialog.check()
        _wait(app, lambda d=dialog: d.preview is not None)
        dialog.adjustSize()
        _settle(app)
        _shot(dialog, "shift-close", language)
        if language != LANGUAGES[0]:
            dialog.reject()
            continue
        dialog.submit()
        _wait(app, lambda d=dialog: d.result() == QDialog.DialogCode.Accepted)
        dialog.close()
        tab.reload()
        _settle(app)


def _handover_shots(window: MainWindow, app: QApplication, db: Path, tmp: Path) -> None:
    """Save the handover of the closed shift (the pending list is collected then), sign
    it as the outgoing clerk, show the page; then the other two signatures and the sheet."""
    from app.domain.handover import Signer
    from app.services.shifts.handover import HandoverService
    from app.services.shifts.views import STANDARD_EQUIPMENT, EquipmentLine
    from ui.shifts.tab import ShiftTab

    ctx = window.ctx
    handovers = ctx.service(HandoverService)
    shift_id = handovers.latest_shift_id()
    assert shift_id is not None, "no closed shift to hand over"
    counts = dict.fromkeys(STANDARD_EQUIPMENT, 1)
    counts.update({code: 2 for code in list(STANDARD_EQUIPMENT)[:1]})
    equipment = [EquipmentLine(code, n, "") for code, n in counts.items()]
    revision = handovers.save(
        ctx.actor, shift_id, notes="备用金已锁入钱箱；打印纸剩一卷。", equipment=equipment
    )
    handovers.sign(
        ctx.actor, revision.revision_id, Signer.OUTGOING, ctx.auth.login("A001", DEMO_PASSWORD)
    )
    tab = window.tab(ShiftTab)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    window.resize(GUIDE_SIZE[0], 1000)  # room for the pending list and the equipment
    for language in LANGUAGES:
        apply_language(app, language)
        tab.reload()
        tab.pages.setCurrentIndex(1)
        _wait(app, lambda: tab.handover_page.sheet_pdf is not None)
        _settle(app, 40)
        _shot(window, "handover", language)
        tab.handover_page.sheet_pdf = None
    window.resize(*GUIDE_SIZE)
    handovers.sign(
        ctx.actor, revision.revision_id, Signer.INCOMING, ctx.auth.login("A002", DEMO_PASSWORD)
    )
    handovers.sign(
        ctx.actor,
        revision.revision_id,
        Signer.LEADER,
        ctx.auth.leader_credential("L001", DEMO_PASSWORD),
    )
    # The sheet is for the hall's staff: printed in the language of the PC.
    for language in LANGUAGES:
        apply_language(app, language)
        _pdf_png(handovers.render_sheet(shift_id), f"handover-sheet-{language}")


def _banner_shots(window: MainWindow, app: QApplication, db: Path, tmp: Path) -> None:
    """A shift leader issues a fault notice; the banner runs across every window."""
    from app.services.complaints.faults import FaultNoticeRequest, FaultNoticeService
    from ui.complaints.fault_banner import notices_changed

    ctx = window.ctx
    now = ctx.clock()
    leader = ctx.auth.leader_credential("L001", DEMO_PASSWORD)
    ctx.service(FaultNoticeService).create(
        ctx.actor,
        leader,
        FaultNoticeRequest(
            level=2,
            services="移动数据（4G/5G）",
            areas="浦东新区陆家嘴片区",
            started_at=now - timedelta(minutes=40),
            expected_recovery_at=datetime(2026, 11, 16, 13, 0, tzinfo=UTC),  # 21:00 there
            wording="陆家嘴片区基站设备故障，手机上网缓慢或无法上网，通话不受影响，"
            "预计今晚 21 时前恢复。给您带来不便，敬请谅解。",
        ),
    )
    notices_changed()
    lookup = window.tab(LookupTab)
    assert lookup is not None
    window.tabs.setCurrentWidget(lookup)
    for language in LANGUAGES:
        apply_language(app, language)
        _settle(app, 40)
        _shot(window, "fault-banner", language)


def _conflict_shots(window: MainWindow, app: QApplication, db: Path, tmp: Path) -> None:
    """Items a centre flagged, written straight into this temporary store (no centre here)."""
    from sqlalchemy import select

    from app.store.models.sync import SyncConflict, SyncOutbox
    from ui.sync.dialogs import SyncConflictsDialog

    ctx = window.ctx
    now = ctx.clock()
    reasons = ("receipt_no_clash", "bill_already_paid", "invalid_transition")
    with ctx.store.unit_of_work() as session:
        ops = {
            kind: session.scalars(
                select(SyncOutbox).where(SyncOutbox.kind == kind).order_by(SyncOutbox.seq)
            ).first()
            for kind in ("payment", "payment_allocation", "complaint_event")
        }
        for n, (op, reason) in enumerate(zip(ops.values(), reasons, strict=True)):
            assert op is not None, "nothing in the outbox to flag"
            session.add(
                SyncConflict(
                    op_id=op.op_id,
                    kind=op.kind,
                    key=op.key,
                    reason=reason,
                    detail=op.payload,
                    flagged_at=now - timedelta(minutes=30 - 10 * n),
                    resolution="",
                )
            )
    window.sync.refresh()
    for language in LANGUAGES:
        apply_language(app, language)
        dialog = SyncConflictsDialog(ctx, window)
        dialog.show()
        dialog.table.selectRow(0)
        _settle(app)
        table = dialog.table
        width = table.horizontalHeader().length() + table.verticalHeader().width() + 40
        dialog.resize(width, 300)
        _settle(app)
        _shot(dialog, "sync-conflicts", language)
        dialog.close()
        dialog.deleteLater()


def _hall_day_shots(window: MainWindow, app: QApplication, db: Path, tmp: Path) -> None:
    """The leader's hall day: opening checks recorded (one clerk late), A001's closed shift."""
    from app.domain.handover import Arrival
    from app.services.shifts.hallday import HallDayService
    from ui.shifts.tab import ShiftTab

    ctx = window.ctx
    service = ctx.service(HallDayService)
    day = service.today()
    opening = service.opening_at(day)
    staff = service.staff()
    arrivals = [
        Arrival(staff_id, opening - timedelta(minutes=20 if n != 2 else 5))
        for n, (staff_id, _no, _name) in enumerate(staff[:5])
    ]
    con = sqlite3.connect(db)
    counters = {int(r[0]) for r in con.execute("SELECT id FROM counter")}
    con.close()
    service.record_opening_check(ctx.actor, day, arrivals, counters, opening)
    tab = window.tab(ShiftTab)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    tab.pages.setCurrentIndex(2)
    for language in LANGUAGES:
        apply_language(app, language)
        tab.reload()
        _settle(app, 40)
        _shot(window, "hall-day", language)


def _report_shots(window: MainWindow, app: QApplication, db: Path, tmp: Path) -> None:
    """The leader's reports (Reports menu): the hall day report of this month with its
    takings per day, the complaints report with its in-time rate, and the printed report."""
    from app.services.reports import LeaderReports, ReportKind
    from ui.reports.dialog import ExportReportDialog

    for language in LANGUAGES:
        apply_language(app, language)
        _settle(app)
        dialog = window.open_reports()
        assert isinstance(dialog, ExportReportDialog)
        dialog.resize(GUIDE_SIZE[0], 720)
        _wait(app, lambda d=dialog: d.report is not None, seconds=60)
        _settle(app, 40)
        _shot(dialog, "reports", language)
        report = dialog.report
        assert report is not None
        reports = window.ctx.service(LeaderReports)
        _pdf_png(reports.pdf(report), f"report-print-{language}")
        dialog.kind.setCurrentIndex(dialog.kind.findData(ReportKind.COMPLAINTS.value))
        dialog.refresh()
        _wait(
            app,
            lambda d=dialog: d.report is not None and d.report.kind is ReportKind.COMPLAINTS,
            seconds=60,
        )
        dialog.tables.setCurrentIndex(3)  # the in-time rate day by day, beside its chart
        _settle(app, 40)
        _shot(dialog, "report-complaints", language)
        dialog.close()
        _settle(app)


def _wait(app: QApplication, done: object, seconds: float = 15) -> None:
    import time

    end = time.monotonic() + seconds
    while not done():  # type: ignore[operator]
        if time.monotonic() > end:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.02)


if __name__ == "__main__":
    main()
    if FAILED:
        sys.exit(f"screenshots not taken: {', '.join(FAILED)}")
