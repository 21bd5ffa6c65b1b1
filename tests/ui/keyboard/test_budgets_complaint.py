"""Issue 15's complaint budget with the keyboard only: find → register a complaint (the
text typed as one action) → acknowledgement slip printed, in at most 10 key actions.

The rule the intake serves (the seed): "电信业务经营者应当认真受理用户的投诉,并在接到用户
投诉之日起15日内答复用户。" — the slip gives the customer the number the clock runs on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.keyboard.keys import Keys
from ui.complaints.tab import ComplaintsTab
from ui.lookup.tab import LookupTab
from ui.main_window import MainWindow
from ui.printing import pdf_file_printer


def test_find_register_a_complaint_and_print_the_slip_in_10_keys(
    window: MainWindow, keys: Keys, db: sqlite3.Connection, printed: Path
) -> None:
    """Typed number, Enter, F4, the category's digit, Enter (sub-category), Enter (what
    happened), the text, Ctrl+Enter records, Enter prints the slip: 9 ≤ 10."""
    tab = window.tab(ComplaintsTab)
    assert tab is not None
    tab.form.print_function = pdf_file_printer(printed)  # the counter's printer, no dialog
    number, customer_id = db.execute(
        "SELECT s.number, a.customer_id FROM service s JOIN account a ON a.id = s.account_id "
        "ORDER BY s.id LIMIT 1"
    ).fetchone()
    before = db.execute("SELECT count(*) FROM complaint").fetchone()[0]
    keys.wait_focus("lookupSearch")

    keys.type(number)
    keys.enter()
    lookup = window.tab(LookupTab)
    assert lookup is not None and lookup.panel.customer_id == customer_id
    keys.press(Qt.Key.Key_F4)
    keys.wait_focus("complaintCategory")
    keys.press(Qt.Key.Key_3, name="3")  # "3 Service attitude"
    keys.enter()
    keys.wait_focus("complaintSubcategory")
    keys.enter()  # the sub-category may stay "not yet known"
    keys.wait_focus("complaintDescription")
    keys.type("The clerk was rude and kept me waiting")
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier, name="Ctrl+Enter")
    form = tab.form
    assert form.recorded is not None, form.error.text()
    keys.wait_focus("complaintPrintAck")
    keys.enter()
    keys.wait_for(lambda: form.printed)

    assert keys.count <= 10, keys.log
    assert db.execute("SELECT count(*) FROM complaint").fetchone()[0] == before + 1
    row = db.execute(
        "SELECT category, customer_id, description FROM complaint ORDER BY rowid DESC LIMIT 1"
    ).fetchone()
    assert row == ("attitude", customer_id, "The clerk was rude and kept me waiting")
    files = list(printed.glob("*.pdf"))
    assert form.printed == [form.recorded.number]
    assert len(files) == 1 and form.recorded.number in files[0].name
