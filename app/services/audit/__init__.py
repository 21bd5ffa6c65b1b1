"""The audit trail viewer and its export (shift leaders and administrators)."""

from app.services.audit.trail import (
    QUICK_FILTERS,
    AuditFilter,
    AuditRow,
    AuditSort,
    AuditTrailService,
    PersonChoice,
    QuickFilter,
    quick_filter,
)

__all__ = [
    "QUICK_FILTERS",
    "AuditFilter",
    "AuditRow",
    "AuditSort",
    "AuditTrailService",
    "PersonChoice",
    "QuickFilter",
    "quick_filter",
]
