"""Complaints (``ui/complaints``): intake and the printed acknowledgement, the follow-up event
log with its 15-day answer clock, call-backs, the worklist, fault notices and reports.

``ComplaintService`` (``service``) is the entry point for a complaint's life: ``intake``
writes a new complaint, ``service`` its follow-up steps, ``case`` reads a case back,
``acknowledgement`` fills the slip, ``callbacks`` keeps call-back promises; ``records``
holds what they share (requests and their checks, the hall's clock, the projection written
per event); ``worklist`` (the SQL worklist), ``faults`` (service-fault notices), ``reports``
(period reports) and ``pending`` (the handover's items).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.complaints.case import CallbackView as CallbackView
    from app.services.complaints.case import ComplaintCase as ComplaintCase
    from app.services.complaints.case import CustomerComplaintRow as CustomerComplaintRow
    from app.services.complaints.case import EventView as EventView
    from app.services.complaints.faults import FaultNoticeRequest as FaultNoticeRequest
    from app.services.complaints.faults import FaultNoticeService as FaultNoticeService
    from app.services.complaints.faults import FaultNoticeView as FaultNoticeView
    from app.services.complaints.intake import RecordedComplaint as RecordedComplaint
    from app.services.complaints.records import ComplaintRequest as ComplaintRequest
    from app.services.complaints.records import check_request as check_request
    from app.services.complaints.reports import ComplaintReportService as ComplaintReportService
    from app.services.complaints.service import ComplaintService as ComplaintService
    from app.services.complaints.worklist import OPEN as OPEN
    from app.services.complaints.worklist import WorklistFilter as WorklistFilter
    from app.services.complaints.worklist import WorklistRow as WorklistRow
    from app.services.complaints.worklist import WorklistSort as WorklistSort

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "case": (
            "CallbackView",
            "ComplaintCase",
            "CustomerComplaintRow",
            "EventView",
        ),
        "faults": (
            "FaultNoticeRequest",
            "FaultNoticeService",
            "FaultNoticeView",
        ),
        "intake": ("RecordedComplaint",),
        "records": (
            "ComplaintRequest",
            "check_request",
        ),
        "reports": ("ComplaintReportService",),
        "service": ("ComplaintService",),
        "worklist": (
            "OPEN",
            "WorklistFilter",
            "WorklistRow",
            "WorklistSort",
        ),
    },
)
