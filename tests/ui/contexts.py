"""The workbench's context for a UI test: the store at a path, a clerk logged in, settings
in memory with the receipt archive in a folder of the test's own, the test's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.services.staff.auth import AuthService
from app.settings import RECEIPT_ARCHIVE_DIR, MemoryBackend
from app.store.database import open_store, sqlite_url
from ui.context import AppContext


def make_ctx(
    db_path: Path, staff_no: str, clock: Callable[[], datetime], archive: Path
) -> AppContext:
    store = open_store(sqlite_url(db_path))
    settings = MemoryBackend()
    RECEIPT_ARCHIVE_DIR.write(settings, str(archive))
    return AppContext.create(store, AuthService(store).actor_for(staff_no), settings, clock)
