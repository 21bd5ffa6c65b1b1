"""python-escpos (with Pillow, qrcode and its YAML printer database) loads when something
prints, never with the main window: the counter's start-up does not wait for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_main_window_with_its_devices_loads_no_printer_library(demo_db: Path) -> None:
    code = (
        "import sys\n"
        "from ui.main_window import build_main_window\n"
        "from app.store.database import sqlite_url\n"
        f"window = build_main_window(sqlite_url({str(demo_db)!r}), 'A001')\n"
        "assert window.devices.scanner is not None\n"
        "heavy = {'escpos', 'PIL', 'qrcode', 'yaml', 'barcode', 'usb', 'serial'}\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & heavy)))\n"
        "window.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""  # none of them
