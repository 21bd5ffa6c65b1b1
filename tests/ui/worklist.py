"""Waiting for the lazy worklist models, whose queries run on the task worker."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication

from ui.worklist_model import LazyWorklistModel


def settle(model: LazyWorklistModel[Any, Any, Any, Any], timeout: float = 30.0) -> None:
    """Let the worker finish the model's queries and deliver them (ids, then pages)."""
    deadline = time.monotonic() + timeout
    while True:
        model._runner.wait()  # type: ignore[attr-defined]
        QCoreApplication.processEvents()
        if not model.pending:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the worklist model did not settle")


def loaded_rows(model: LazyWorklistModel[Any, Any, Any, Any]) -> list[Any]:
    """Every row of the model, its pages asked for (as painting would) and waited for."""
    settle(model)
    for row in range(model.rowCount()):
        if model.cached_row(row) is None:
            settle(model)
    settle(model)
    return [model.cached_row(r) for r in range(model.rowCount())]
