"""Regenerate the documentation's screenshots from the real app, offscreen.

Usage: python docs/make_screenshots.py [--customers 3000]

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
from PySide6.QtWidgets import QApplication, QLineEdit, QTabWidget, QWidget

from app.demo.generator import generate
from app.store.database import sqlite_url
from ui.language import apply_language
from ui.lookup.tab import LookupTab
from ui.main_window import build_main_window

OUT = Path(__file__).resolve().parent / "images"
SIZE = (1400, 900)


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
        window.close()
        _settle(app)


if __name__ == "__main__":
    main()
