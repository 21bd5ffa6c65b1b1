"""Shifts and handover (``ui/shifts``): a counter's shift with its counted float, cash
movements, X and Z reports and the blind count; the handover with its pending list and
three signatures; the shift leader's hall day.

``ShiftService`` (``service``) opens, reports on and closes shifts; ``records`` reads what
they share (the shift's figures, settings, open-shift queries); ``handover`` writes the
handover's revisions and signatures; ``hallday`` is the leader's day (opening check, the
shifts of a day, its close); ``views`` is what those two show, and
``handover_documents`` turns a view passed in into the data of the printed sheet and day
summary (it never calls back into the services). ``drawer`` records the drawer's no-sale
openings in the audit log of the shift they count in; ``drawer_log`` counts them for the X
and Z reports (the pulse itself is the printer's, ``app.devices``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.domain.cash import CashDifference as CashDifference
    from app.domain.cash import MethodCount as MethodCount
    from app.services.shifts.drawer import DrawerService as DrawerService
    from app.services.shifts.drawer import NoSaleOpen as NoSaleOpen
    from app.services.shifts.hallday import HallDayService as HallDayService
    from app.services.shifts.handover import HandoverService as HandoverService
    from app.services.shifts.records import AnyShiftReport as AnyShiftReport
    from app.services.shifts.records import BlindShiftReport as BlindShiftReport
    from app.services.shifts.records import NoOpenShift as NoOpenShift
    from app.services.shifts.records import ShiftHeader as ShiftHeader
    from app.services.shifts.records import ShiftRefused as ShiftRefused
    from app.services.shifts.records import ShiftReport as ShiftReport
    from app.services.shifts.records import ShiftView as ShiftView
    from app.services.shifts.service import ClosePreview as ClosePreview
    from app.services.shifts.service import DeskShift as DeskShift
    from app.services.shifts.service import ShiftService as ShiftService
    from app.services.shifts.views import EquipmentLine as EquipmentLine
    from app.services.shifts.views import HallDay as HallDay

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "drawer": ("DrawerService", "NoSaleOpen"),
        "hallday": ("HallDayService",),
        "handover": ("HandoverService",),
        "records": (
            "AnyShiftReport",
            "BlindShiftReport",
            "NoOpenShift",
            "ShiftHeader",
            "ShiftRefused",
            "ShiftReport",
            "ShiftView",
        ),
        "service": (
            "ClosePreview",
            "DeskShift",
            "ShiftService",
        ),
        "app.domain.cash": (
            "CashDifference",
            "MethodCount",
        ),
        "views": (
            "EquipmentLine",
            "HallDay",
        ),
    },
)
