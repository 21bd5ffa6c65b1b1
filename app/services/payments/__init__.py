"""Payments and receipts (the payment dialog of ``ui/arrears``, reprints in ``ui/lookup``).

``PaymentService`` (``service``) quotes, records, voids and reverses payments; ``plan``
holds the rules of a payment without the store (the request, its checks, the split into
bills, penalty and prepayment); ``account`` reads the account it is planned against;
``receipt_numbers`` issues the gap-free numbers; ``corrections`` writes voids and
reversals; ``receipts`` renders, archives and counts every printed receipt;
``penalty_records`` replays the penalty owed after one payment for a reprint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.payments.corrections import CorrectionRefused as CorrectionRefused
    from app.services.payments.corrections import CorrectionRule as CorrectionRule
    from app.services.payments.plan import COUNTER_METHODS as COUNTER_METHODS
    from app.services.payments.plan import ELECTRONIC_METHODS as ELECTRONIC_METHODS
    from app.services.payments.plan import MAX_PAYMENT_FEN as MAX_PAYMENT_FEN
    from app.services.payments.plan import METHOD_LABELS as METHOD_LABELS
    from app.services.payments.plan import PaymentPlan as PaymentPlan
    from app.services.payments.plan import PaymentQuote as PaymentQuote
    from app.services.payments.plan import PaymentRequest as PaymentRequest
    from app.services.payments.plan import PlannedAllocation as PlannedAllocation
    from app.services.payments.plan import PlanOutdated as PlanOutdated
    from app.services.payments.plan import QuoteBill as QuoteBill
    from app.services.payments.plan import check_request as check_request
    from app.services.payments.plan import method_label as method_label
    from app.services.payments.receipt_numbers import receipt_number as receipt_number
    from app.services.payments.receipts import PrintOutcome as PrintOutcome
    from app.services.payments.receipts import ReceiptService as ReceiptService
    from app.services.payments.receipts import RenderedReceipt as RenderedReceipt
    from app.services.payments.service import PaymentDetail as PaymentDetail
    from app.services.payments.service import PaymentService as PaymentService
    from app.services.payments.service import RecordedPayment as RecordedPayment
    from app.services.shifts.records import NoOpenShift as NoOpenShift
    from app.store.models import PaymentMethod as PaymentMethod

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "corrections": (
            "CorrectionRefused",
            "CorrectionRule",
        ),
        "plan": (
            "COUNTER_METHODS",
            "ELECTRONIC_METHODS",
            "MAX_PAYMENT_FEN",
            "METHOD_LABELS",
            "PaymentPlan",
            "PaymentQuote",
            "PaymentRequest",
            "PlanOutdated",
            "PlannedAllocation",
            "QuoteBill",
            "check_request",
            "method_label",
        ),
        "receipt_numbers": ("receipt_number",),
        "receipts": (
            "PrintOutcome",
            "ReceiptService",
            "RenderedReceipt",
        ),
        "service": (
            "PaymentDetail",
            "PaymentService",
            "RecordedPayment",
        ),
        "app.services.shifts.records": ("NoOpenShift",),
        "app.store.models": ("PaymentMethod",),
    },
)
