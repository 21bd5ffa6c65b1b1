"""The hall (settings dialog, first-run wizard, backups, the administration window): this
PC's hall, counter and business settings (``service``), turning a new store into a working
hall with its first administrator (``setup``), the store's backups at every shift close and
daily (``backups``), and the administrator's hall details, counters and PCs (``admin``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.hall.admin import CounterRow as CounterRow
    from app.services.hall.admin import HallAdminService as HallAdminService
    from app.services.hall.admin import HallProfile as HallProfile
    from app.services.hall.admin import PcRow as PcRow
    from app.services.hall.admin import PcStart as PcStart
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
        "admin": (
            "CounterRow",
            "HallAdminService",
            "HallProfile",
            "PcRow",
            "PcStart",
        ),
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
