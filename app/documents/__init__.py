"""Printed documents, rendered to PDF with reportlab and the bundled CJK font embedded.

One module per document; each exposes a frozen data class with what it prints and a
``render_*(..., invariant=False) -> bytes`` function. Qt's print dialog and preview send the
same bytes to a printer.
"""

from app.documents.arrears_notice import ArrearsNoticeData, OutstandingBill, render_arrears_notice
from app.documents.receipt import PaidBill, ReceiptData, ReceiptLayout, render_receipt

__all__ = [
    "ArrearsNoticeData",
    "OutstandingBill",
    "PaidBill",
    "ReceiptData",
    "ReceiptLayout",
    "render_arrears_notice",
    "render_receipt",
]
