"""Issue 15's self-check budget with the keyboard only: sign a self-check of N items, one
key per answer, in at most N + 4 key actions. Enter signs (the form's default) and never
opens the photo's file dialog (it did: the photo button was the default)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.domain.etiquette_scoring import ResponseKind
from tests.ui.keyboard.keys import Keys
from ui.etiquette import answer_grid
from ui.etiquette.inspection_form import InspectionForm
from ui.main_window import MainWindow


def test_sign_a_self_check_one_key_per_item(
    window: MainWindow, keys: Keys, db: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F7, one key per item (P or 1 pass, F or 0 fail, a digit scores), Enter signs:
    N + 2 ≤ N + 4."""
    file_dialogs: list[Any] = []
    monkeypatch.setattr(
        answer_grid.QFileDialog,
        "getOpenFileName",
        lambda *a, **k: file_dialogs.append(a) or ("", ""),
    )
    before = db.execute(
        "SELECT count(*) FROM etiquette_inspection WHERE kind = 'self_check'"
    ).fetchone()[0]
    keys.wait_focus("lookupSearch")

    keys.press(Qt.Key.Key_F7)
    keys.wait_focus("inspectionItems")
    form = window.findChild(InspectionForm)
    assert isinstance(form, InspectionForm)
    rows = form.grid.rows
    n = len(rows)
    assert n >= 5
    expected: list[str] = []
    for index, row in enumerate(rows):
        item = row.item
        if item.response is ResponseKind.PASS_FAIL:
            key, value = (Qt.Key.Key_F, "fail") if index == 1 else (Qt.Key.Key_P, "pass")
        else:
            top = min(item.max_points, 9)
            key, value = Qt.Key(int(Qt.Key.Key_0) + top), str(top)
        keys.press(key)
        expected.append(value)
    assert [r.value for r in rows] == expected  # each key answered its item, then moved on
    keys.enter()  # signs
    keys.wait_for(lambda: form.signed is not None)

    assert keys.count <= n + 4, keys.log
    assert file_dialogs == []
    signed = form.signed
    assert signed is not None
    kind, clerk = db.execute(
        "SELECT i.kind, s.staff_no FROM etiquette_inspection i JOIN staff s "
        "ON s.id = i.clerk_id WHERE i.id = ?",
        (signed.inspection_id.hex,),
    ).fetchone()
    assert (kind, clerk) == ("self_check", "A001")
    assert (
        db.execute(
            "SELECT count(*) FROM etiquette_inspection WHERE kind = 'self_check'"
        ).fetchone()[0]
        == before + 1
    )
    answers = db.execute(
        "SELECT count(*) FROM etiquette_answer WHERE inspection_id = ? AND value != ''",
        (signed.inspection_id.hex,),
    ).fetchone()[0]
    assert answers == n
