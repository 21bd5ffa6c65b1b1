"""The leader's reports (报表) for a chosen period: the hall day, complaints, arrears
collection and service etiquette, each on screen, printed and as an Excel workbook.

Public: ``ReportKind``, ``REPORT_TITLES``, ``LeaderReports`` (build / pdf /
save_workbook / export) and the script entry points ``export_report`` and
``export_{hall_day,complaints,arrears,etiquette}_report``. Importing this package loads
no area service, renderer or openpyxl: they load when a report is built or written.
"""

from app.services.reports.registry import (
    REPORT_TITLES,
    LeaderReports,
    Report,
    ReportKind,
    export_arrears_report,
    export_complaints_report,
    export_etiquette_report,
    export_hall_day_report,
    export_report,
    report_title,
)

__all__ = [
    "REPORT_TITLES",
    "LeaderReports",
    "Report",
    "ReportKind",
    "export_arrears_report",
    "export_complaints_report",
    "export_etiquette_report",
    "export_hall_day_report",
    "export_report",
    "report_title",
]
