"""Issue 15's shift budgets with the keyboard only, from wherever the clerk is (here the
search box): Ctrl+4 shows the Shift tab, Alt+O / Alt+L (the buttons' underlined letters)
open the dialog on its first count, Enter goes down the denominations, Ctrl+Enter commits
(the close: Check first, then Close), Enter prints the handover sheet (Z report).

* open a shift with a counted float: ≤ 6 + one per denomination counted;
* close a shift with a blind count → X/Z printed: ≤ 6 + one per denomination.

Every key is counted, the Enter that moves down a denomination included.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.store.database import Store
from tests.conftest import open_test_shift
from tests.ui.keyboard.conftest import NOW, make_window
from tests.ui.keyboard.keys import Keys
from ui.main_window import MainWindow
from ui.printing import pdf_file_printer
from ui.shifts.dialogs import CloseShiftDialog, OpenShiftDialog
from ui.shifts.tab import ShiftTab

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def ctrl_enter(keys: Keys) -> None:
    keys.press(Qt.Key.Key_Return, CTRL, name="Ctrl+Enter")


@pytest.fixture
def bare_window(qtbot: QtBot, store: Store, printed: Path) -> Iterator[MainWindow]:
    """A clerk logged in with no shift open yet."""
    win = make_window(qtbot, store, printed)
    yield win
    win.ctx.tasks.wait()


@pytest.fixture
def float_window(qtbot: QtBot, store: Store, printed: Path) -> Iterator[MainWindow]:
    """A shift opened with a float of 3 × 100 and 2 × 50 yuan, no payment since."""
    open_test_shift(store, lambda: NOW, counts={"note_100": 3, "note_50": 2})
    win = make_window(qtbot, store, printed)
    yield win
    win.ctx.tasks.wait()


def test_open_a_shift_with_a_counted_float(
    bare_window: MainWindow, keys: Keys, db: sqlite3.Connection
) -> None:
    """Ctrl+4, Alt+O, 3 Enter 2 Enter 5 (three denominations), Ctrl+Enter: 8 ≤ 6 + 3."""
    keys.wait_focus("lookupSearch")
    keys.press(Qt.Key.Key_4, CTRL, name="Ctrl+4")
    keys.press(Qt.Key.Key_O, ALT, name="Alt+O")
    keys.wait_focus("openCount_note_100")
    dialog = bare_window.findChild(OpenShiftDialog)
    assert isinstance(dialog, OpenShiftDialog)
    keys.type("3")
    keys.enter()
    keys.type("2")
    keys.enter()
    keys.type("5")
    ctrl_enter(keys)
    shift = bare_window.tab(ShiftTab)
    assert shift is not None
    keys.wait_for(lambda: shift.desk is not None and shift.desk.mine is not None)

    assert keys.count <= 6 + 3, keys.log
    row = db.execute(
        "SELECT s.opening_float_fen, c.counts_json FROM cash_shift s JOIN cash_count c "
        "ON c.shift_id = s.id JOIN staff st ON st.id = s.staff_id "
        "WHERE st.staff_no = 'A001' AND c.purpose = 'opening'"
    ).fetchone()
    assert row is not None
    assert row[0] == 300_00 + 100_00 + 100_00
    counted = {k: v for k, v in json.loads(row[1]).items() if v}
    assert counted == {"note_100": 3, "note_50": 2, "note_20": 5}


def test_close_a_shift_with_a_blind_count_and_print_the_z_report(
    float_window: MainWindow, keys: Keys, db: sqlite3.Connection, printed: Path
) -> None:
    """Ctrl+4, Alt+L, 3 Enter 2 (two denominations), Ctrl+Enter checks, Ctrl+Enter
    closes, Enter prints the handover sheet: 8 ≤ 6 + 2."""
    shift = float_window.tab(ShiftTab)
    assert shift is not None
    shift.print_function = pdf_file_printer(printed)  # the counter's printer, no dialog
    keys.wait_focus("lookupSearch")
    keys.press(Qt.Key.Key_4, CTRL, name="Ctrl+4")
    keys.press(Qt.Key.Key_L, ALT, name="Alt+L")
    keys.wait_focus("closeCount_note_100")
    dialog = float_window.findChild(CloseShiftDialog)
    assert isinstance(dialog, CloseShiftDialog) and dialog.blind.isChecked()
    keys.type("3")
    keys.enter()
    keys.type("2")
    ctrl_enter(keys)  # Check: the difference, shown only now
    keys.wait_for(lambda: dialog.preview is not None)
    assert dialog.preview is not None and dialog.preview.difference.difference_fen == 0
    ctrl_enter(keys)  # Close
    keys.wait_focus("printHandoverButton")
    keys.enter()
    keys.wait_for(lambda: list(printed.glob("*.pdf")))

    assert keys.count <= 6 + 2, keys.log
    row = db.execute(
        "SELECT blind, counted_cash_fen, difference_fen FROM shift_close "
        "ORDER BY closed_at DESC LIMIT 1"
    ).fetchone()
    assert tuple(row) == (1, 400_00, 0)
    files = list(printed.glob("*.pdf"))
    assert len(files) == 1
