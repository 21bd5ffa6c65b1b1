"""The ``halldesk report KIND`` command (hooked into ``app.cli``): one shift leader's report
of a period written as an Excel workbook, from a script (issue 16.4)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.i18n import _

#: ``halldesk report KIND``: the values of ``app.services.reports.ReportKind`` (not imported
#: here, so the command line starts without the store's modules).
REPORT_KINDS = ("hall_day", "complaints", "arrears", "etiquette")


def add_parser(sub: Any) -> None:
    """The ``report`` sub-command's arguments."""
    report = sub.add_parser(
        "report", help="export a shift leader's report of a period to an Excel workbook"
    )
    report.add_argument("kind", choices=REPORT_KINDS, help="which report")
    report.add_argument("--db", type=Path, required=True, help="the store file")
    report.add_argument(
        "--staff", required=True, help="staff number of a shift leader or administrator"
    )
    report.add_argument("--from", dest="start", type=date.fromisoformat, required=True)
    report.add_argument(
        "--to", dest="end", type=date.fromisoformat, default=None, help="default: --from"
    )
    report.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")


def dispatch(args: argparse.Namespace) -> int:
    """``report``: the workbook written; 1 with a message when there is no store."""
    from app.services.reports import export_report

    db: Path = args.db
    if not db.exists():
        print(_("There is no database at {path}.").format(path=db), file=sys.stderr)
        return 1
    written = export_report(
        db, args.kind, args.start, args.end or args.start, args.out, staff_no=args.staff
    )
    print(_("Saved {path}").format(path=written))
    return 0
