"""python-escpos, imported late: it pulls in Pillow, qrcode and a YAML printer database, so
the workbench loads it with the first ESC/POS job, not at start (``app.devices.printer``
sends jobs, ``app.devices.escpos_doc`` builds them; both call this)."""

from __future__ import annotations

import logging
import os
import sys

from app import paths

log = logging.getLogger(__name__)


def load_escpos() -> None:
    """Import python-escpos, its printer database cached in the data folder."""
    if "escpos.capabilities" not in sys.modules:
        cache = paths.user_data_dir() / "cache" / "escpos"
        try:
            cache.mkdir(parents=True, exist_ok=True)
            os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
        except OSError as exc:  # the library then uses a temporary folder
            log.warning("no cache folder for python-escpos: %s", exc)
    import escpos.printer  # noqa: F401
