"""The print preview's Print is reached by keys: Ctrl+P and Enter (issue 15: only the
mouse reached it; Esc cancels as in every dialog)."""

from __future__ import annotations

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from pytestqt.qtbot import QtBot

from ui.printing import keyboard_print


def test_the_preview_prints_on_ctrl_p_and_enter(qtbot: QtBot) -> None:
    preview = QPrintPreviewDialog(QPrinter())
    qtbot.addWidget(preview)
    action = keyboard_print(preview)
    assert action is not None and action in preview.actions()
    keys = {s.toString() for s in action.shortcuts()}
    assert {"Ctrl+P", "Return", "Enter"} <= keys
