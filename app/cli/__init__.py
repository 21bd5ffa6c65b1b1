"""The ``halldesk`` command: the GUI by default, plus demo data and database upgrade."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__, bootstrap, logs, paths
from app.domain.errors import HallDeskError
from app.i18n import _, ngettext

log = logging.getLogger(__name__)

#: Size of the demo store created on a first start with no database.
FIRST_RUN_DEMO_CUSTOMERS = 20_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="halldesk", description="HallDesk: the counter workbench of a telecom business hall."
    )
    parser.add_argument("--version", action="version", version=f"HallDesk {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation in a temporary folder and exit (0: it works)",
    )
    parser.add_argument(
        "--log-level",
        choices=logs.LEVELS,
        type=str.upper,
        default=None,
        help=f"log detail (default: ${logs.LEVEL_ENV} or {logs.DEFAULT_LEVEL})",
    )
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="start the workbench (the default command)")
    run.add_argument("--db", type=Path, default=None, help="the store file")
    run.add_argument(
        "--new-store",
        action="store_true",
        help="if there is no store yet, create an empty one and run the set-up wizard "
        "(instead of the demo store)",
    )

    demo = sub.add_parser("demo-data", help="generate a demo store")
    demo.add_argument("--db", type=Path, required=True)
    demo.add_argument("--customers", type=int, default=FIRST_RUN_DEMO_CUSTOMERS)
    demo.add_argument("--seed", type=int, default=1)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="migrate a store to this version's schema")
    upgrade.add_argument("--db", type=Path, required=True)
    take = db_sub.add_parser("backup", help="back a store up now (online, checked)")
    take.add_argument("--db", type=Path, required=True)
    take.add_argument(
        "--to", type=Path, default=None, help="the backup folder (default: <data folder>/backups)"
    )
    take.add_argument("--keep", type=int, default=14, help="backups of this store to keep")
    restore = db_sub.add_parser(
        "restore",
        help="put a backup in place of a store (checked; the current file is kept aside)",
    )
    restore.add_argument("--db", type=Path, required=True, help="the store to replace")
    restore.add_argument("--from", dest="source", type=Path, required=True, help="the backup")
    from app.cli.audit import add_parsers as add_audit_parsers
    from app.cli.report import add_parser as add_report_parser
    from app.cli.sync import add_parsers as add_sync_parsers

    add_report_parser(sub)
    add_sync_parsers(sub)
    from app.cli.devices import add_parsers as add_device_parsers

    add_device_parsers(sub)
    add_audit_parsers(sub)
    return parser


def _demo_data(db: Path, customers: int, seed: int) -> int:
    from app.demo.generator import generate

    if customers <= 0:
        print(_("The number of customers must be positive."), file=sys.stderr)
        return 2
    summary = generate(db, customers, seed, progress=lambda msg: print(msg, flush=True))
    print(
        _(
            "Demo store {path}: {customers} customers, {accounts} accounts, {bills} bills, "
            "{payments} payments, {arrears} accounts in arrears ({seconds:.1f} s)."
        ).format(
            path=db,
            customers=summary.customers,
            accounts=summary.accounts,
            bills=summary.bills,
            payments=summary.payments,
            arrears=summary.accounts_in_arrears,
            seconds=summary.elapsed_seconds,
        )
    )
    return 0


def _db_upgrade(db: Path) -> int:
    from app.store.database import (
        check_integrity,
        check_readable,
        ensure_schema,
        make_engine,
        sqlite_url,
    )

    if not db.exists():
        print(_("There is no database at {path}.").format(path=db), file=sys.stderr)
        return 1
    check_readable(db)  # refuses an empty file: it is not a store to upgrade
    check_integrity(db)
    engine = make_engine(sqlite_url(db))
    try:
        report = ensure_schema(engine)
    finally:
        engine.dispose()
    if report.from_revision == report.to_revision:
        print(
            _("The database is up to date (schema {revision}).").format(revision=report.to_revision)
        )
    else:
        print(
            _("The database was upgraded from {old} to {new}; backup: {backup}").format(
                old=report.from_revision or "-", new=report.to_revision, backup=report.backup or "-"
            )
        )
    return 0


def _db_backup(db: Path, folder: Path | None, keep: int) -> int:
    from app.store.backup import default_folder, take_backup
    from app.store.database import check_readable

    if not db.exists():
        print(_("There is no database at {path}.").format(path=db), file=sys.stderr)
        return 1
    if keep < 1:
        print(_("At least one backup must be kept."), file=sys.stderr)
        return 2
    check_readable(db)
    result = take_backup(db, folder or default_folder(), "manual", keep)
    print(
        ngettext(
            "Backup {path} taken and checked ({seconds:.1f} s); {removed} older backup removed.",
            "Backup {path} taken and checked ({seconds:.1f} s); {removed} older backups removed.",
            len(result.removed),
        ).format(path=result.backup.path, seconds=result.seconds, removed=len(result.removed))
    )
    return 0


def _db_restore(db: Path, source: Path) -> int:
    """``db restore``: the backup checked and put in place, the current file kept aside,
    receipt and complaint numbers going on after the highest any copy knew, the schema
    brought up to date."""
    from alembic.script import ScriptDirectory

    from app.store.backup import restore
    from app.store.database import alembic_config, open_store, sqlite_url

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    known = [r.revision for r in script.walk_revisions()]
    result = restore(db, source, known)
    open_store(sqlite_url(db)).close()  # migrates a backup of an older schema
    print(_("The store {path} was restored from {backup}.").format(path=db, backup=source))
    for kept in result.kept_aside:
        print(_("The previous file was kept as {path}.").format(path=kept))
    device = result.device_code
    if device in result.receipts:
        print(
            _("Receipt numbers of {device} go on after {number}.").format(
                device=device, number=result.receipts[device]
            )
        )
    if device in result.complaints:
        print(
            _("Complaint numbers of {device} go on after {number}.").format(
                device=device, number=result.complaints[device]
            )
        )
    print(
        _(
            "Sync this PC with the centre now: it brings back what the hall recorded after "
            "the backup was taken."
        )
    )
    return 0


def _self_test() -> int:
    from app.selftest import GuiChecks, run_self_test

    def gui() -> GuiChecks:
        from ui.app import self_test_checks

        checks: GuiChecks = self_test_checks()
        return checks

    report = run_self_test(gui)
    print(report.text(), flush=True)
    log.info("self-test:\n%s", report.text())
    return 0 if report.ok else 1


def _run(db: Path | None, new_store: bool = False) -> int:
    """The workbench. Without ``--db``, a first start creates the demo store, unless
    ``new_store`` asks for an empty one (then the set-up wizard runs); an explicit ``--db``
    that does not exist yet is always a new, empty store."""
    from ui.app import run_gui

    path = db or paths.default_db_path()
    if db is None and not new_store:

        def create_demo() -> None:
            print(_("Creating a demo store at {path} …").format(path=path), flush=True)
            _demo_data(path, FIRST_RUN_DEMO_CUSTOMERS, 1)

        return int(run_gui(path, create_demo))
    return int(run_gui(path))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.setup_logging(args.log_level)
    if args.self_test or args.command not in (None, "run"):
        # The workbench installs it on its worker behind the login (``ui.startup``): it
        # imports the services and SQLAlchemy, which the first window must not wait for.
        bootstrap.install()
    log.info("halldesk %s: %s", __version__, args.command or "run")
    if args.self_test:
        return _self_test()
    try:
        if args.command == "demo-data":
            return _demo_data(args.db, args.customers, args.seed)
        if args.command == "db":
            if args.db_command == "backup":
                return _db_backup(args.db, args.to, args.keep)
            if args.db_command == "restore":
                return _db_restore(args.db, args.source)
            return _db_upgrade(args.db)
        if args.command == "printer-sim":
            from app.cli.devices import run as run_printer_sim

            return run_printer_sim(args)
        if args.command == "audit":
            from app.cli.audit import dispatch as audit_dispatch

            return audit_dispatch(args)
        if args.command == "report":
            from app.cli.report import dispatch as report_dispatch

            return report_dispatch(args)
        if args.command in ("centre", "sync"):
            from app.cli.sync import dispatch as sync_dispatch

            return sync_dispatch(args)
        return _run(getattr(args, "db", None), getattr(args, "new_store", False))
    except HallDeskError as exc:
        log.warning("refused: %s", exc)
        print(exc.user_message(), file=sys.stderr)
        return 1
