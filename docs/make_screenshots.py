"""Regenerate the documentation's screenshots from the real app, offscreen.

Usage: python docs/make_screenshots.py [--customers 3000]

It also makes the user guide's images in docs/images/guide/ (docs/user-guide.md).

It generates a small demo store in a temporary folder, builds the logged-in main window
with ``build_main_window`` and drives it as a clerk would (search, open a customer in
arrears), then saves PNGs into docs/images/ in Chinese and English. Run it after a UI
change so the README and the user guide show what the program really looks like.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QTabWidget, QWidget

from app.demo.generator import generate
from app.store.database import sqlite_url
from ui.language import apply_language
from ui.lookup.tab import LookupTab
from ui.main_window import build_main_window

OUT = Path(__file__).resolve().parent / "images"
GUIDE = OUT / "guide"
SIZE = (1400, 900)
GUIDE_SIZE = (1280, 800)


def _settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


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
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=3000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HALLDESK_DATA_DIR"] = tmp
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        db = Path(tmp) / "demo.sqlite3"
        generate(db, args.customers, seed=11, today=date(2026, 11, 15))
        window = build_main_window(sqlite_url(db), "A001")
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        window.resize(*SIZE)
        window.show()
        customer_id, name = _customer_in_arrears(db)
        tabs = window.findChild(QTabWidget, "mainTabs")
        lookup = window.findChild(LookupTab, "lookupTab")
        assert tabs is not None and lookup is not None
        for language in ("zh_CN", "en"):
            apply_language(app, language)
            tabs.setCurrentWidget(lookup)
            search = window.findChild(QLineEdit, "lookupSearch")
            assert search is not None
            search.setText(name[:2])
            lookup.open_customer(customer_id)
            _settle(app)
            window.grab().save(str(OUT / f"lookup-{language}.png"))
            arrears = window.findChild(QWidget, "arrearsTab")
            assert arrears is not None
            tabs.setCurrentWidget(arrears)
            _settle(app, 60)
            window.grab().save(str(OUT / f"arrears-{language}.png"))
            print("wrote", OUT / f"lookup-{language}.png", OUT / f"arrears-{language}.png")
        window.resize(*GUIDE_SIZE)
        GUIDE.mkdir(parents=True, exist_ok=True)
        for language in ("zh_CN", "en"):
            apply_language(app, language)
            _guide_shots(window, app, language, db, Path(tmp))
        window.close()
        _settle(app)


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


def _guide_shots(window: QWidget, app: QApplication, language: str, db: Path, tmp: Path) -> None:
    """The user guide's screenshots: each step on its own so one failure does not stop the rest."""
    steps = (_shift_shots, _payment_shots, _complaint_shots, _inspection_shots, _sync_shots)
    for step in steps:
        try:
            step(window, app, language, db, tmp)
        except Exception as exc:
            print(f"FAILED {step.__name__} ({language}): {exc!r}")


def _shift_shots(window: QWidget, app: QApplication, language: str, db: Path, tmp: Path) -> None:
    from ui.shifts.tab import ShiftTab

    tabs = window.findChild(QTabWidget, "mainTabs")
    tab = window.findChild(ShiftTab, "shiftTab")
    assert tabs is not None and tab is not None
    tabs.setCurrentWidget(tab)
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


def _payment_shots(window: QWidget, app: QApplication, language: str, db: Path, tmp: Path) -> None:
    import subprocess

    from ui.arrears.payment_dialog import PAGE_CONFIRM, PAGE_DONE, PaymentDialog

    ctx = window.ctx  # type: ignore[attr-defined]
    dialog = PaymentDialog(ctx, _owing_account(db), parent=window)
    dialog.resize(760, 640)
    dialog.show()
    dialog.amount.setText("50")
    dialog.tendered.setText("100")
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
    # Customer documents always print in Chinese (CUSTOMER_DOCUMENT_LANGUAGE): one image.
    out = GUIDE / "receipt"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
        check=True,
    )
    print("wrote", out.with_suffix(".png"))


def _complaint_shots(
    window: QWidget, app: QApplication, language: str, db: Path, tmp: Path
) -> None:
    from ui.complaints.tab import ComplaintsTab

    tabs = window.findChild(QTabWidget, "mainTabs")
    tab = window.findChild(ComplaintsTab, "complaintsTab")
    assert tabs is not None and tab is not None
    tabs.setCurrentWidget(tab)
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


def _inspection_shots(
    window: QWidget, app: QApplication, language: str, db: Path, tmp: Path
) -> None:
    """A self-check (the logged-in clerk's own checklist), half answered from the keyboard."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.domain.etiquette_scoring import TemplateKind
    from ui.etiquette.tab import EtiquetteTab

    tabs = window.findChild(QTabWidget, "mainTabs")
    tab = window.findChild(EtiquetteTab, "etiquetteTab")
    assert tabs is not None and tab is not None
    tabs.setCurrentWidget(tab)
    form = tab.open_form(TemplateKind.SELF_CHECK)
    assert form is not None, "the self-check form was refused"
    form.resize(1100, 760)
    _settle(app)
    form.items.setFocus()
    form.items.setCurrentCell(0, 1)
    rows = form.items.rowCount()
    for row in range(rows // 2):
        QTest.keyClick(form.items, Qt.Key.Key_F if row == 2 else Qt.Key.Key_P)
        if form.items.currentRow() == row:
            QTest.keyClick(form.items, Qt.Key.Key_Down)
    _settle(app)
    _shot(form, "inspection", language)
    form.reject()
    _settle(app)


def _sync_shots(window: QWidget, app: QApplication, language: str, db: Path, tmp: Path) -> None:
    from ui.sync.controller import SyncSettingsDialog

    dialog = SyncSettingsDialog(window.ctx, window)  # type: ignore[attr-defined]
    dialog.url_edit.setText("https://centre.example.cn:8765")
    dialog.code_edit.setText("ABCD-EFGH-JKLM-NPQR")
    dialog.url_edit.setCursorPosition(0)
    dialog.code_edit.setCursorPosition(0)
    dialog.resize(620, dialog.sizeHint().height())
    dialog.show()
    _settle(app)
    _shot(dialog, "sync-settings", language)
    dialog.close()


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
