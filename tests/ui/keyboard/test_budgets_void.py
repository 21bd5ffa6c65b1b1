"""Issue 15's void budget with the keyboard only: void the last payment with a leader's
credential in at most 7 key actions, from the search box with the customer still open
(where the focus returns after the payment: the clerk voids what was just taken wrong).

The void is a new fact (a ``void`` row pointing at the payment), never a deletion.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from app.i18n import _
from tests.ui.keyboard.conftest import SERVICE_PASSWORD
from tests.ui.keyboard.keys import Keys
from tests.ui.keyboard.test_budgets import owing_single_account_service
from ui.arrears.payment_dialog import PaymentDialog
from ui.lookup.tab import LookupTab
from ui.main_window import MainWindow
from ui.service_dialogs import LeaderDialog

LEADER, LEADER_PASSWORD = "L001", "demo"


def pay_by_keys(window: MainWindow, keys: Keys, number: str) -> PaymentDialog:
    """The payment budget's flow (tests/ui/keyboard/test_budgets.py), as the set-up."""
    keys.wait_focus("lookupSearch")
    keys.type(number)
    keys.enter()
    keys.press(Qt.Key.Key_F6)
    keys.wait_focus("identityPassword")
    keys.type(SERVICE_PASSWORD)
    keys.enter()
    keys.wait_focus("lookupSearch")
    keys.press(Qt.Key.Key_F2)
    keys.wait_focus("paymentAmount")
    dialog = window.findChild(PaymentDialog)
    assert isinstance(dialog, PaymentDialog)
    keys.enter()
    keys.enter()
    keys.wait_for(lambda: dialog.receipt is not None)
    keys.press(Qt.Key.Key_Escape)  # the done page closes
    keys.wait_focus("lookupSearch")
    return dialog


def test_void_the_last_payment_with_a_leaders_credential_in_7_keys(
    window: MainWindow, keys: Keys, db: sqlite3.Connection
) -> None:
    """Shift+F2, the reason, Enter, the leader's number, Enter, the password, Enter: 7."""
    number = owing_single_account_service(window, db)
    paid = pay_by_keys(window, keys, number)
    assert paid.recorded is not None
    receipt_no = paid.recorded.receipt_no
    lookup = window.tab(LookupTab)
    assert lookup is not None and lookup.panel.customer_id is not None
    keys.count, keys.log = 0, []

    keys.press(Qt.Key.Key_F2, Qt.KeyboardModifier.ShiftModifier, name="Shift+F2")
    keys.wait_focus("leaderReason")
    dialog = window.findChild(LeaderDialog, "voidDialog")
    assert isinstance(dialog, LeaderDialog) and receipt_no in dialog.intro.text()
    keys.type("Wrong account")
    keys.enter()
    keys.wait_focus("leaderStaffNo")
    keys.type(LEADER)
    keys.enter()
    keys.wait_focus("leaderPassword")
    keys.type(LEADER_PASSWORD)
    keys.enter()
    keys.wait_for(lambda: not dialog.isVisible())
    keys.wait_focus("lookupSearch")

    assert keys.count <= 7, keys.log
    assert dialog.result() == LeaderDialog.DialogCode.Accepted
    payment_id, amount = db.execute(
        "SELECT id, amount_fen FROM payment WHERE receipt_no = ?", (receipt_no,)
    ).fetchone()
    void = db.execute(
        "SELECT p.amount_fen, p.reason, s.staff_no FROM payment p JOIN staff s "
        "ON s.id = p.approved_by WHERE p.kind = 'void' AND p.original_id = ?",
        (payment_id,),
    ).fetchone()
    assert void is not None
    assert void[1:] == ("Wrong account", LEADER)
    assert abs(void[0]) == amount
    # The payment itself stays on record.
    assert db.execute("SELECT count(*) FROM payment WHERE id = ?", (payment_id,)).fetchone()[0]


def test_the_void_key_without_a_voidable_payment_says_why(
    window: MainWindow, keys: Keys, db: sqlite3.Connection
) -> None:
    """A customer with no payment taken today at this PC: the key explains, no dialog."""
    number = owing_single_account_service(window, db)
    keys.wait_focus("lookupSearch")
    keys.type(number)
    keys.enter()
    keys.press(Qt.Key.Key_F2, Qt.KeyboardModifier.ShiftModifier, name="Shift+F2")
    assert window.findChild(LeaderDialog, "voidDialog") is None
    lookup = window.tab(LookupTab)
    assert lookup is not None
    message = lookup.panel.arrears_history.message.text()
    assert message == _("Only a payment taken today at this PC can be voided.")
