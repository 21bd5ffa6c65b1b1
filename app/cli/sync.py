"""The ``halldesk centre …`` and ``halldesk sync …`` commands (hooked into ``app.cli``).

Centre side (needs the ``[centre]`` extra and a PostgreSQL URL):
``centre serve``, ``centre enrol-device``, ``centre revoke-device``, ``centre load``,
``centre fault-notice`` / ``centre close-fault-notice`` (see ``app.centre.notices``).
Hall side: ``sync enrol``, ``sync run``, ``sync init`` (a new store pulled from the centre).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

from app import paths
from app.i18n import _

PLAIN_HTTP_HELP = (
    "allow plain http:// to a centre on another machine (not encrypted; saved as this "
    "store's setting)"
)


def add_parsers(sub: Any) -> None:
    centre = sub.add_parser("centre", help="the sync centre (PostgreSQL)")
    c_sub = centre.add_subparsers(dest="centre_command", required=True)
    serve = c_sub.add_parser("serve", help="run the centre's HTTP sync service")
    serve.add_argument("--db", required=True, help="postgresql://user@host:port/database")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--certfile", default=None, help="TLS certificate (PEM)")
    serve.add_argument("--keyfile", default=None, help="TLS private key (PEM)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (production: several, see docs/sync.md)",
    )
    enrol = c_sub.add_parser("enrol-device", help="add a hall PC; prints its one-time code")
    enrol.add_argument("--db", required=True)
    enrol.add_argument("--hall", required=True, help="the hall's code")
    enrol.add_argument("--name", default="", help="the hall's name (when the hall is new)")
    revoke = c_sub.add_parser("revoke-device", help="refuse a hall PC from now on")
    revoke.add_argument("--db", required=True)
    revoke.add_argument("--device", required=True)
    notice = c_sub.add_parser(
        "fault-notice", help="issue a fault notice to every PC of a hall (shown after a sync)"
    )
    notice.add_argument("--db", required=True)
    notice.add_argument("--hall", required=True)
    notice.add_argument("--level", type=int, required=True, choices=(1, 2, 3, 4))
    notice.add_argument("--services", required=True, help="services affected")
    notice.add_argument("--areas", required=True, help="areas affected")
    notice.add_argument("--wording", required=True, help="the approved words for customers")
    notice.add_argument("--start", default="", help="hall time, e.g. '2026-11-29 08:30' (now)")
    notice.add_argument("--recovery", default="", help="expected recovery, hall time")
    notice.add_argument("--by", required=True, help="staff number of the hall's leader")
    close = c_sub.add_parser("close-fault-notice", help="end a fault notice at every PC")
    close.add_argument("--db", required=True)
    close.add_argument("--hall", required=True)
    close.add_argument("--notice", required=True, type=uuid.UUID, help="the notice's id")
    close.add_argument("--by", required=True, help="staff number of the hall's leader")
    close.add_argument("--note", default="")
    load = c_sub.add_parser("load", help="load a hall's data from a HallDesk store")
    load.add_argument("--db", required=True)
    load.add_argument("--hall", required=True)
    load.add_argument("--from", dest="source", type=Path, required=True, help="a store file")
    load.add_argument(
        "--generate",
        type=int,
        default=0,
        metavar="CUSTOMERS",
        help="first generate a demo store of this size at --from",
    )

    sync = sub.add_parser("sync", help="sync this PC's store with the centre")
    s_sub = sync.add_subparsers(dest="sync_command", required=True)
    for name, text in (
        ("enrol", "enrol this PC with a one-time code"),
        ("init", "create this PC's first store by pulling it from the centre"),
    ):
        p = s_sub.add_parser(name, help=text)
        p.add_argument("--db", type=Path, default=None)
        p.add_argument("--url", required=True)
        p.add_argument("--code", required=True)
        p.add_argument("--cafile", default=None)
        p.add_argument("--allow-plain-http", action="store_true", help=PLAIN_HTTP_HELP)
    run = s_sub.add_parser("run", help="push, pull and check the money once")
    run.add_argument("--db", type=Path, default=None)
    run.add_argument("--cafile", default=None)
    run.add_argument("--allow-plain-http", action="store_true", help=PLAIN_HTTP_HELP)


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "centre":
        return _centre(args)
    return _sync(args)


def _centre(args: argparse.Namespace) -> int:
    from app.centre.service import Centre, centre_engine, migrate

    engine = centre_engine(args.db)
    migrate(engine)
    centre = Centre(engine)
    cmd = args.centre_command
    if cmd == "serve":
        return _serve(centre, args)
    if cmd == "enrol-device":
        centre.ensure_hall(args.hall, args.name)
        device, code = centre.enrol_device(args.hall)
        print(
            _("Device {device} of hall {hall}: one-time code {code}").format(
                device=device, hall=args.hall, code=code
            )
        )
        return 0
    if cmd == "revoke-device":
        centre.revoke_device(args.device)
        return 0
    if cmd in ("fault-notice", "close-fault-notice"):
        return _fault_notice(centre, args)
    if args.generate:
        from app.demo.generator import generate

        generate(args.source, args.generate, progress=lambda m: print(m, flush=True))
    if not args.source.exists():
        print(_("There is no database at {path}.").format(path=args.source), file=sys.stderr)
        return 1
    centre.ensure_hall(args.hall)
    counts = centre.load_store(args.hall, args.source)
    for kind, n in counts.items():
        print(f"{kind}: {n}")
    return 0


def _serve(centre: Any, args: argparse.Namespace) -> int:
    """The centre's HTTP service; with ``--workers N`` (N > 1) N processes, each building
    the app from ``HALLDESK_CENTRE_DB`` (``app.centre.api.app_from_environment``)."""
    import os

    import uvicorn

    from app.centre.api import DB_ENV, create_app
    from app.sync.transport import is_loopback

    if not args.certfile and not is_loopback(args.host):
        print(
            _(
                "Warning: the centre serves plain HTTP on {host}: device credentials and the "
                "halls' data cross the network unencrypted. Give --certfile and --keyfile."
            ).format(host=args.host),
            file=sys.stderr,
        )
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "ssl_certfile": args.certfile,
        "ssl_keyfile": args.keyfile,
        "log_level": "info",
    }
    if args.workers > 1:
        os.environ[DB_ENV] = args.db
        uvicorn.run(
            "app.centre.api:app_from_environment", factory=True, workers=args.workers, **options
        )
    else:
        uvicorn.run(create_app(centre), **options)
    return 0


def _fault_notice(centre: Any, args: argparse.Namespace) -> int:
    """Refusals (HallDeskError) are printed in the user's language by ``app.cli``."""
    from app.centre import notices
    from app.services.complaints.faults import FaultNoticeRequest

    if args.centre_command == "close-fault-notice":
        notices.close_fault_notice(centre, args.hall, args.notice, args.by, args.note)
        print(_("Fault notice {notice} closed.").format(notice=args.notice))
        return 0
    zone = notices.hall_timezone(centre, args.hall)
    start = notices.parse_hall_time(args.start, zone) if args.start else centre.clock()
    recovery = notices.parse_hall_time(args.recovery, zone) if args.recovery else None
    request = FaultNoticeRequest(
        args.level, args.services, args.areas, start, recovery, args.wording
    )
    notice_id = notices.issue_fault_notice(centre, args.hall, request, args.by)
    print(
        _("Fault notice {notice} issued to hall {hall}.").format(notice=notice_id, hall=args.hall)
    )
    return 0


def _allow_plain_http(store: Any) -> None:
    """``--allow-plain-http``: the command line is the administrator's (it needs the store
    file); saved as this PC's setting like the settings dialog does."""
    from sqlalchemy import select

    from app.services.staff.auth import AuthService
    from app.store.models import Role, Staff
    from app.sync.service import SyncService

    with store.read() as session:
        admin = session.scalars(
            select(Staff.staff_no).where(Staff.role == Role.ADMIN.value).order_by(Staff.id)
        ).first()
    if admin is not None:
        SyncService(store).set_plain_http_allowed(AuthService(store).actor_for(admin), True)


def _sync(args: argparse.Namespace) -> int:
    from app.store.database import open_store, sqlite_url
    from app.sync.client import HallSync
    from app.sync.service import SyncService
    from app.sync.transport import HttpTransport

    db = args.db or paths.default_db_path()
    cmd = args.sync_command
    if cmd == "init" and db.exists():
        print(_("A store already exists at {path}.").format(path=db), file=sys.stderr)
        return 1
    store = open_store(sqlite_url(db))
    try:
        service = SyncService(store)
        url = args.url if cmd in ("enrol", "init") else HallSync(store, None).state().url
        allowed = args.allow_plain_http or service.plain_http_allowed()
        transport = HttpTransport(url, cafile=args.cafile, allow_plain_http=allowed)
        if transport.unencrypted and allowed:
            print(
                _(
                    "Warning: the connection to the centre {url} is not encrypted (allowed "
                    "by an administrator)."
                ).format(url=url),
                file=sys.stderr,
            )
        client = HallSync(store, transport)
        if cmd in ("enrol", "init"):
            device = client.enrol(args.url, args.code)
            print(_("Enrolled as device {device}.").format(device=device))
            if cmd == "enrol":
                if args.allow_plain_http:
                    _allow_plain_http(store)
                return 0
        report = client.sync()
        print(
            _("Sync done: {pushed} sent, {pulled} received, {flagged} flagged.").format(
                pushed=report.pushed, pulled=report.pulled, flagged=report.flagged
            )
        )
        for line in SyncService.report_lines(report):
            print(line)
        return 0
    finally:
        store.close()
