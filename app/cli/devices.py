"""The ``halldesk printer-sim`` command (hooked into ``app.cli``): a simulated network receipt
printer that shows each job as text.

Point a PC's settings at it (Settings, Receipts print on: ESC/POS receipt printer on the
network, host 127.0.0.1, port 9100) and take a payment: the receipt, the drawer pulse and the
cut appear in the terminal. ``--status`` makes it answer like a printer out of paper, with
its cover open, offline, or silent (no status at all); ``--save`` keeps each job's bytes.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from app.i18n import _

STATUSES = ("ready", "paper-out", "cover-open", "offline", "silent")


def add_parsers(sub: Any) -> None:
    sim = sub.add_parser(
        "printer-sim", help="a simulated network ESC/POS printer: shows what would print"
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sim.add_argument("--port", type=int, default=9100, help="port (9100, as a printer)")
    sim.add_argument("--status", choices=STATUSES, default="ready", help="what DLE EOT answers")
    sim.add_argument("--save", type=Path, default=None, help="folder for each job's raw bytes")
    sim.add_argument(
        "--jobs", type=int, default=0, help="stop after this many jobs (0: run until Ctrl+C)"
    )


def run(args: argparse.Namespace) -> int:
    from app.devices.simulator import ReceivedJob, SimStatus, SimulatedPrinter

    status = SimStatus(
        paper_out=args.status == "paper-out",
        cover_open=args.status == "cover-open",
        offline=args.status == "offline",
        silent=args.status == "silent",
    )
    done = threading.Event()
    count = 0
    lock = threading.Lock()

    def show(job: ReceivedJob) -> None:
        nonlocal count
        parsed = job.parsed()
        with lock:
            count += 1
            number = count
            if args.save is not None:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"job-{number:04d}.bin").write_bytes(job.data)
            print(
                _("--- job {number} from {peer}: {size} bytes ---").format(
                    number=number, peer=job.peer, size=len(job.data)
                )
            )
            print(parsed.render(), flush=True)
            if args.jobs and number >= args.jobs:
                done.set()

    try:
        printer = SimulatedPrinter(args.host, args.port, status, on_job=show).start()
    except OSError as exc:
        print(
            _("Cannot listen on {host}:{port}: {reason}").format(
                host=args.host, port=args.port, reason=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return 1
    print(
        _("Simulated receipt printer on {host}:{port} ({status}); Ctrl+C stops it.").format(
            host=args.host, port=printer.port, status=args.status
        ),
        flush=True,
    )
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        printer.stop()
    return 0
