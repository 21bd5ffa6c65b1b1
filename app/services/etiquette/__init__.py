"""Service etiquette (``ui/etiquette``): scored inspections, simulations and self-checks
against the hall's checklists, corrective actions, the weekly ranking and trends.

``EtiquetteService`` (``service``) is the write side: ``templates`` (the shipped defaults
and the stored versions), ``signing`` (drafts, corrections, photos, answers) and
``actions`` (corrective actions and their rechecks). ``EtiquetteReports`` (``reports``)
reads the signed checklists back as ``report_views`` and prints them through
``report_documents``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.etiquette.actions import ActionRow as ActionRow
    from app.services.etiquette.report_views import AnswerView as AnswerView
    from app.services.etiquette.report_views import FailureRate as FailureRate
    from app.services.etiquette.report_views import InspectionDetail as InspectionDetail
    from app.services.etiquette.report_views import InspectionRow as InspectionRow
    from app.services.etiquette.report_views import ItemFailures as ItemFailures
    from app.services.etiquette.report_views import RankingRow as RankingRow
    from app.services.etiquette.report_views import TrendPoint as TrendPoint
    from app.services.etiquette.report_views import answer_text as answer_text
    from app.services.etiquette.reports import EtiquetteReports as EtiquetteReports
    from app.services.etiquette.service import ACTION_DUE_DAYS_SETTING as ACTION_DUE_DAYS_SETTING
    from app.services.etiquette.service import DEFAULT_ACTION_DUE_DAYS as DEFAULT_ACTION_DUE_DAYS
    from app.services.etiquette.service import CounterChoice as CounterChoice
    from app.services.etiquette.service import EtiquetteService as EtiquetteService
    from app.services.etiquette.service import StaffChoice as StaffChoice
    from app.services.etiquette.service import iso_week_of as iso_week_of
    from app.services.etiquette.signing import MAX_PHOTO_BYTES as MAX_PHOTO_BYTES
    from app.services.etiquette.signing import AnswerInput as AnswerInput
    from app.services.etiquette.signing import ChecklistDraft as ChecklistDraft
    from app.services.etiquette.signing import PhotoUpload as PhotoUpload
    from app.services.etiquette.signing import SignedChecklist as SignedChecklist
    from app.services.etiquette.signing import photo_content_type as photo_content_type
    from app.services.etiquette.templates import TemplateInfo as TemplateInfo

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "actions": ("ActionRow",),
        "report_views": (
            "AnswerView",
            "FailureRate",
            "InspectionDetail",
            "InspectionRow",
            "ItemFailures",
            "RankingRow",
            "TrendPoint",
            "answer_text",
        ),
        "reports": ("EtiquetteReports",),
        "service": (
            "ACTION_DUE_DAYS_SETTING",
            "CounterChoice",
            "DEFAULT_ACTION_DUE_DAYS",
            "EtiquetteService",
            "StaffChoice",
            "iso_week_of",
        ),
        "signing": (
            "AnswerInput",
            "ChecklistDraft",
            "MAX_PHOTO_BYTES",
            "PhotoUpload",
            "SignedChecklist",
            "photo_content_type",
        ),
        "templates": ("TemplateInfo",),
    },
)
