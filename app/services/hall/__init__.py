"""The hall (settings dialog, first-run wizard, backups): this PC's hall, counter and business
settings (``service``), turning a new store into a working hall with its first
administrator (``setup``), and the store's backups at every shift close and daily
(``backups``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.hall.backups import BackupService as BackupService
    from app.services.hall.service import HallInfo as HallInfo
    from app.services.hall.service import HallService as HallService
    from app.services.hall.setup import AdminDetails as AdminDetails
    from app.services.hall.setup import CentreDetails as CentreDetails
    from app.services.hall.setup import CounterDetails as CounterDetails
    from app.services.hall.setup import HallDetails as HallDetails
    from app.services.hall.setup import SetupRequest as SetupRequest
    from app.services.hall.setup import SetupService as SetupService

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "backups": ("BackupService",),
        "service": (
            "HallInfo",
            "HallService",
        ),
        "setup": (
            "AdminDetails",
            "CentreDetails",
            "CounterDetails",
            "HallDetails",
            "SetupRequest",
            "SetupService",
        ),
    },
)
