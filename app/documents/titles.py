"""The titles of print jobs: one function per printed document, in the interface language.

A print job's title is what the clerk sees in the print queue, the preview's window title
and the printer's job log, so it names the document as a person would and carries what
identifies it: "收据 PC01-00000001" (the receipt number), "交接班表 2026-12-07 C01" (a
handover is a shift's: its business date and counter), never an internal id. The titles
are built here and only here (callers never format their own), at print time, so they
follow the language the interface speaks at that moment. A file printer makes an
ASCII-safe file name from the same title (``ui.printing``).
"""

from __future__ import annotations

from datetime import date

from app.i18n import _


def receipt(receipt_no: str, copy_no: int = 0) -> str:
    """A receipt by its number; a reprint (补打) carries its copy number."""
    if copy_no == 0:
        return _("Receipt {number}").format(number=receipt_no)
    return _("Receipt {number} copy {copy}").format(number=receipt_no, copy=copy_no)


def handover_sheet(business_date: date, counter_code: str) -> str:
    """The handover sheet (Z report) of a shift: its business date and counter."""
    return _("Handover sheet {date} {counter}").format(
        date=business_date.isoformat(), counter=counter_code
    )


def x_report(business_date: date, counter_code: str) -> str:
    """The X report of an open shift: its business date and counter."""
    return _("X report {date} {counter}").format(
        date=business_date.isoformat(), counter=counter_code
    )


def complaint_slip(number: str) -> str:
    """The complaint acknowledgement slip (受理回执) by the complaint's number."""
    return _("Complaint slip {number}").format(number=number)


def arrears_notice(account_no: str) -> str:
    """The arrears notice (催缴通知书) of an account."""
    return _("Arrears notice {account}").format(account=account_no)


def hall_day(business_date: date) -> str:
    """The hall day summary of a business date."""
    return _("Hall day summary {date}").format(date=business_date.isoformat())


def inspection_report(business_date: date, clerk: str) -> str:
    """An etiquette inspection's report: its business date and the clerk inspected."""
    return _("Inspection report {date} {clerk}").format(date=business_date.isoformat(), clerk=clerk)


def simulation_ranking(week: str) -> str:
    """The weekly ranking of the service simulations."""
    return _("Simulation ranking {week}").format(week=week)


def report(name: str, start: date, end: date) -> str:
    """A report of the reports dialog (its translated name) over its period."""
    return _("{report} {start} to {end}").format(
        report=name, start=start.isoformat(), end=end.isoformat()
    )
