"""The complaints report of a period as an A4 PDF: the headline figures, then counts by
category, by department and by satisfaction, the in-time rate day by day and the appeal
risks. An internal sheet: it prints in the language of the screen.

It is the report's ``ReportBook`` printed (``app.documents.report_pdf``), so the paper
shows the figures the screen and the workbook show.
"""

from __future__ import annotations

from app.documents.complaint_data import ComplaintReportData, complaint_book
from app.documents.report_pdf import render_book


def render_report(data: ComplaintReportData, *, invariant: bool = False) -> bytes:
    return render_book(complaint_book(data), invariant=invariant)
