"""Arrears (``ui/arrears``): the reminder-and-restriction ladder at the counter.

``ArrearsService`` (``service``) is the one entry point; its parts follow the domain's
lines: ``records`` (the engine's inputs, the stored policy), ``worklist`` (the SQL
worklist), ``actions`` (the steps), ``reminders`` and ``sms`` (texts, queue, CSV export),
``views`` (an account's standing, restores, the notice), ``history``, and ``pending`` (the
handover's restore and promise-to-pay items).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.arrears.history import HISTORY_KIND_LABELS as HISTORY_KIND_LABELS
    from app.services.arrears.history import RESULT_LABELS as RESULT_LABELS
    from app.services.arrears.history import HistoryEvent as HistoryEvent
    from app.services.arrears.history import HistoryKind as HistoryKind
    from app.services.arrears.reminders import ReminderPlan as ReminderPlan
    from app.services.arrears.service import ArrearsService as ArrearsService
    from app.services.arrears.service import RemindersRefused as RemindersRefused
    from app.services.arrears.sms import SMS_STATE_LABELS as SMS_STATE_LABELS
    from app.services.arrears.sms import SmsRow as SmsRow
    from app.services.arrears.sms import SmsState as SmsState
    from app.services.arrears.views import AccountArrears as AccountArrears
    from app.services.arrears.views import FreezeView as FreezeView
    from app.services.arrears.views import RestoreRow as RestoreRow
    from app.services.arrears.views import StepCheck as StepCheck
    from app.services.arrears.worklist import NO_STAGE as NO_STAGE
    from app.services.arrears.worklist import WorklistFilter as WorklistFilter
    from app.services.arrears.worklist import WorklistRow as WorklistRow
    from app.services.arrears.worklist import WorklistSort as WorklistSort

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "history": (
            "HISTORY_KIND_LABELS",
            "HistoryEvent",
            "HistoryKind",
            "RESULT_LABELS",
        ),
        "reminders": ("ReminderPlan",),
        "service": (
            "ArrearsService",
            "RemindersRefused",
        ),
        "sms": (
            "SMS_STATE_LABELS",
            "SmsRow",
            "SmsState",
        ),
        "views": (
            "AccountArrears",
            "FreezeView",
            "RestoreRow",
            "StepCheck",
        ),
        "worklist": (
            "NO_STAGE",
            "WorklistFilter",
            "WorklistRow",
            "WorklistSort",
        ),
    },
)
