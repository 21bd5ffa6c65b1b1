"""``halldesk audit export``: the audit trail of a period to an Excel workbook, from a
script (hooked into ``app.cli``).

``--by`` names the shift leader or administrator the export is made for: the export is an
audit event of its own, under that staff number (as ``AuthService.actor_for``: scripted
use on the hall's own PC, no password).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.i18n import _


def add_parsers(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail")
    a_sub = audit.add_subparsers(dest="audit_command", required=True)
    export = a_sub.add_parser("export", help="write the audit trail of a period to Excel")
    export.add_argument("--db", type=Path, required=True, help="the store file")
    export.add_argument(
        "--from", dest="start", type=date.fromisoformat, required=True, help="first day"
    )
    export.add_argument("--to", dest="end", type=date.fromisoformat, required=True, help="last day")
    export.add_argument("--out", type=Path, required=True, help="the workbook (.xlsx)")
    export.add_argument(
        "--by", required=True, help="staff number of the shift leader or administrator"
    )


def dispatch(args: argparse.Namespace) -> int:
    from app.services.audit import AuditTrailService
    from app.services.staff.auth import AuthService
    from app.store.database import open_store, sqlite_url

    if not args.db.exists():
        print(_("There is no database at {path}.").format(path=args.db), file=sys.stderr)
        return 1
    store = open_store(sqlite_url(args.db))
    try:
        viewer = AuthService(store).actor_for(args.by)
        count = AuditTrailService(store).export_period(viewer, args.start, args.end, args.out)
    finally:
        store.close()
    print(
        _("{count} audit events from {start} to {end} written to {path}.").format(
            count=count, start=args.start, end=args.end, path=args.out
        )
    )
    return 0
