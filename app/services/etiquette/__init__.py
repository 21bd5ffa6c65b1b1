"""Service etiquette (``ui/etiquette``): scored inspections, simulations and self-checks
against the hall's checklists, corrective actions, the weekly ranking and trends.

``EtiquetteService`` (``service``) keeps the checklist templates and signs checklists;
``EtiquetteReports`` (``reports``) reads them back: lists, one inspection in full, the
ranking, trends, failure rates and the two printed documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.etiquette.reports import AnswerView as AnswerView
    from app.services.etiquette.reports import EtiquetteReports as EtiquetteReports
    from app.services.etiquette.reports import FailureRate as FailureRate
    from app.services.etiquette.reports import InspectionDetail as InspectionDetail
    from app.services.etiquette.reports import InspectionRow as InspectionRow
    from app.services.etiquette.reports import ItemFailures as ItemFailures
    from app.services.etiquette.reports import RankingRow as RankingRow
    from app.services.etiquette.reports import TrendPoint as TrendPoint
    from app.services.etiquette.reports import answer_text as answer_text
    from app.services.etiquette.service import ACTION_DUE_DAYS_SETTING as ACTION_DUE_DAYS_SETTING
    from app.services.etiquette.service import DEFAULT_ACTION_DUE_DAYS as DEFAULT_ACTION_DUE_DAYS
    from app.services.etiquette.service import MAX_PHOTO_BYTES as MAX_PHOTO_BYTES
    from app.services.etiquette.service import ActionRow as ActionRow
    from app.services.etiquette.service import AnswerInput as AnswerInput
    from app.services.etiquette.service import ChecklistDraft as ChecklistDraft
    from app.services.etiquette.service import CounterChoice as CounterChoice
    from app.services.etiquette.service import EtiquetteService as EtiquetteService
    from app.services.etiquette.service import PhotoUpload as PhotoUpload
    from app.services.etiquette.service import SignedChecklist as SignedChecklist
    from app.services.etiquette.service import StaffChoice as StaffChoice
    from app.services.etiquette.service import TemplateInfo as TemplateInfo
    from app.services.etiquette.service import iso_week_of as iso_week_of
    from app.services.etiquette.service import photo_content_type as photo_content_type

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "reports": (
            "AnswerView",
            "EtiquetteReports",
            "FailureRate",
            "InspectionDetail",
            "InspectionRow",
            "ItemFailures",
            "RankingRow",
            "TrendPoint",
            "answer_text",
        ),
        "service": (
            "ACTION_DUE_DAYS_SETTING",
            "ActionRow",
            "AnswerInput",
            "ChecklistDraft",
            "CounterChoice",
            "DEFAULT_ACTION_DUE_DAYS",
            "EtiquetteService",
            "MAX_PHOTO_BYTES",
            "PhotoUpload",
            "SignedChecklist",
            "StaffChoice",
            "TemplateInfo",
            "iso_week_of",
            "photo_content_type",
        ),
    },
)
