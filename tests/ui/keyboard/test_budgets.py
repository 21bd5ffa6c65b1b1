"""Issue 15's key budgets, proved with the keyboard only.

Each core task starts in the search box (where the focus waits after the login and after
each finished task) and is driven by ``Keys``: key events to the focused widget, no mouse,
no slot called, no focus set by the test. Typing a number, a name, a password or a whole
amount counts as one action; every other key is one action.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.keyboard.conftest import SERVICE_PASSWORD
from tests.ui.keyboard.keys import Keys
from ui.arrears.payment_dialog import PAGE_DONE, PaymentDialog
from ui.lookup.tab import LookupTab
from ui.main_window import MainWindow


def owing_single_account_service(window: MainWindow, db: sqlite3.Connection) -> str:
    """A service number of a customer in arrears who has one account (the panel's)."""
    from app.services.arrears import WorklistFilter, WorklistSort

    ids = window.ctx.arrears.worklist_ids(WorklistFilter(), WorklistSort("owed", True))
    for account in ids:
        row = db.execute(
            "SELECT s.number FROM account a JOIN service s ON s.account_id = a.id "
            "WHERE a.id = ? AND (SELECT count(*) FROM account o "
            "WHERE o.customer_id = a.customer_id) = 1",
            (account,),
        ).fetchone()
        if row:
            return str(row[0])
    raise AssertionError("the demo store has a customer in arrears with one account")


def test_the_focus_starts_in_the_search_box(window: MainWindow, keys: Keys) -> None:
    keys.wait_focus("lookupSearch")


def test_find_verify_pay_cash_and_print_in_8_keys(
    window: MainWindow, keys: Keys, db: sqlite3.Connection, printed: Path
) -> None:
    """Find → verify by service password → cash payment → receipt printed: ≤ 8 keys."""
    number = owing_single_account_service(window, db)
    before = db.execute("SELECT count(*) FROM payment").fetchone()[0]
    keys.wait_focus("lookupSearch")

    keys.type(number)
    keys.enter()  # opens the customer
    lookup = window.tab(LookupTab)
    assert lookup is not None and lookup.panel.customer_id is not None
    keys.press(Qt.Key.Key_F6)
    keys.wait_focus("identityPassword")
    keys.type(SERVICE_PASSWORD)
    keys.enter()
    keys.wait_for(lambda: lookup.panel._verified is not None)
    keys.wait_focus("lookupSearch")
    keys.press(Qt.Key.Key_F2)
    keys.wait_focus("paymentAmount")
    dialog = window.findChild(PaymentDialog)
    assert isinstance(dialog, PaymentDialog)
    keys.enter()  # the amount owed is filled in; Enter goes on to the confirmation
    keys.enter()  # confirmed: recorded, and the receipt printed
    keys.wait_for(lambda: dialog.receipt is not None)

    assert keys.count <= 8, keys.log
    assert dialog.page() == PAGE_DONE
    assert db.execute("SELECT count(*) FROM payment").fetchone()[0] == before + 1
    assert dialog.recorded is not None and dialog.receipt is not None
    assert not dialog.receipt.failed
    # The printer got one job, titled with the receipt's number (a printed page is an
    # image: its text is checked on the archive copy by tests/ui/arrears).
    files = list(printed.glob("*.pdf"))
    assert len(files) == 1 and dialog.recorded.receipt_no in files[0].name


def test_f7_opens_a_self_check_and_f8_the_x_report(window: MainWindow, keys: Keys) -> None:
    """The function keys reach their screens from the search box, keys only."""
    from ui.etiquette.inspection_form import InspectionForm
    from ui.shifts.tab import ShiftTab

    keys.wait_focus("lookupSearch")
    keys.press(Qt.Key.Key_F7)
    keys.wait_for(lambda: window.findChild(InspectionForm) is not None)
    form = window.findChild(InspectionForm)
    assert isinstance(form, InspectionForm) and form.isVisible()
    keys.press(Qt.Key.Key_Escape)
    keys.wait_for(lambda: not any(f.isVisible() for f in window.findChildren(InspectionForm)))
    keys.press(Qt.Key.Key_F8)
    shift = window.tab(ShiftTab)
    assert shift is not None and window.tabs.currentWidget() is shift
    assert shift.pages.currentWidget() is shift.x_page
