"""The audit trail viewer and its export (shift leaders and administrators): filters in
SQL, keyset pages, the quick filters, the Excel export (``trail``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.audit.trail import QUICK_FILTERS as QUICK_FILTERS
    from app.services.audit.trail import AuditFilter as AuditFilter
    from app.services.audit.trail import AuditRow as AuditRow
    from app.services.audit.trail import AuditSort as AuditSort
    from app.services.audit.trail import AuditTrailService as AuditTrailService
    from app.services.audit.trail import PersonChoice as PersonChoice
    from app.services.audit.trail import QuickFilter as QuickFilter
    from app.services.audit.trail import quick_filter as quick_filter

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "trail": (
            "QUICK_FILTERS",
            "AuditFilter",
            "AuditRow",
            "AuditSort",
            "AuditTrailService",
            "PersonChoice",
            "QuickFilter",
            "quick_filter",
        ),
    },
)
