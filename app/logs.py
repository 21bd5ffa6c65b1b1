"""The program's log: a rotating file in the per-user data folder, set up once per command.

``halldesk`` calls ``setup_logging`` before doing anything else, so every command (the
workbench, demo data, database upgrade, the self-test) writes to the same file. The level
comes from ``--log-level`` or the ``HALLDESK_LOG_LEVEL`` environment variable (default
INFO). Warnings and errors also go to stderr. Nothing is ever written beside the program.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import Final

from app import paths

LOG_FILE_NAME: Final = "halldesk.log"
LEVEL_ENV: Final = "HALLDESK_LOG_LEVEL"
DEFAULT_LEVEL: Final = "INFO"
#: One file grows to 1 MB, then rolls over; five old files are kept (about 6 MB at most).
MAX_BYTES: Final = 1_000_000
BACKUP_COUNT: Final = 5
LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT: Final = "%(asctime)s %(levelname)-7s [%(process)d] %(name)s: %(message)s"

_MARK = "_halldesk_handler"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def log_file() -> Path:
    """The current log file (older ones carry ``.1`` … ``.5`` after the name)."""
    return paths.log_dir() / LOG_FILE_NAME


def resolve_level(option: str | None = None) -> int:
    """The level from the option, else the environment, else INFO; unknown names give INFO."""
    name = (option or os.environ.get(LEVEL_ENV) or DEFAULT_LEVEL).strip().upper()
    if name not in LEVELS:
        name = DEFAULT_LEVEL
    return int(logging.getLevelName(name))


def setup_logging(level: str | None = None, *, stderr: bool = True) -> Path | None:
    """Log to the rotating file (and warnings to stderr); returns the file, or None when the
    data folder cannot be written (then only stderr logs, and the program still runs).

    Calling it again replaces the handlers it added before, so tests and repeated
    ``main()`` calls never duplicate lines.
    """
    teardown_logging()
    root = logging.getLogger()
    root.setLevel(resolve_level(level))
    formatter = logging.Formatter(FORMAT)
    path: Path | None = log_file()
    assert path is not None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        print(f"HallDesk: cannot write the log file {path}: {exc}", file=sys.stderr)
        path = None
    else:
        file_handler.setFormatter(formatter)
        setattr(file_handler, _MARK, True)
        root.addHandler(file_handler)
    if stderr:
        console = _StderrHandler()
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        setattr(console, _MARK, True)
        root.addHandler(console)
    logging.getLogger("app").info("HallDesk logging to %s", path)
    return path


def teardown_logging() -> None:
    """Remove and close the handlers ``setup_logging`` added (tests; embedding)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()
