"""Shift figures and the handover sheet: X report, close preview, hall day and the sheet PDF.

    python -m bench.bench_shifts [--payments 400] [--samples 30]

Generates a 300-customer demo store in a temporary folder, opens a shift, takes
``--payments`` payments (cash with change, card, WeChat, a void every 20th) and measures
the reads a counter repeats during the day. Floors, measured in the same run: the same
payments summed in raw sqlite3, and a bare reportlab A4 page with one line.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app import bootstrap
from app.demo.generator import generate
from app.documents.base import FONT, new_canvas, register_fonts
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.shifts import ShiftService
from app.services.shifts.hallday import HallDayService
from app.services.shifts.handover import HandoverService
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from bench.common import report, time_each


def bare_page(_: object) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (595, 842), title="floor", invariant=False)
    canvas.setFont(FONT, 9)
    canvas.drawString(40, 800, "交接班表 floor")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=400)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    bootstrap.install()
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    generate(path, customers=300, seed=7, today=date(2026, 11, 15))
    store = open_store(sqlite_url(path))
    now = [datetime(2026, 11, 15, 0, 0, tzinfo=UTC)]
    clock = lambda: now[0]  # noqa: E731
    auth = AuthService(store, clock)
    clerk, leader = auth.actor_for("A001"), auth.actor_for("L001")
    shifts, payments = ShiftService(store, clock), PaymentService(store, clock)
    handovers, day = HandoverService(store, clock), HallDayService(store, clock)
    shift = shifts.open(clerk, {"note_100": 5})
    con = sqlite3.connect(path)
    accounts = [r[0] for r in con.execute("SELECT account_id FROM account_ledger LIMIT 50")]
    for n in range(args.payments):
        now[0] += timedelta(seconds=30)
        method = (PaymentMethod.CASH, PaymentMethod.BANK_CARD, PaymentMethod.WECHAT)[n % 3]
        request = PaymentRequest(
            accounts[n % len(accounts)],
            50_00 + n,
            method,
            "" if method is PaymentMethod.CASH else f"REF-{n:06d}",
            100_00 if method is PaymentMethod.CASH else None,
        )
        recorded = payments.record(clerk, payments.prepare(clerk, request))
        if n % 20 == 19:
            payments.void(clerk, recorded.payment_id, leader, "bench")
    counts = {"note_100": 5}
    samples = list(range(args.samples))
    hex_id = shift.shift_id.hex
    floor_sql = time_each(
        lambda _: con.execute(
            "SELECT method, kind, count(*), sum(amount_fen), sum(change_fen) FROM payment "
            "WHERE shift_id = ? GROUP BY 1, 2",
            (hex_id,),
        ).fetchall(),
        samples,
    )
    print(f"{args.payments} payments in the shift")
    print(report("floor: raw sqlite3 group-by", floor_sql, None))
    print(
        report(
            "X report (service)",
            time_each(lambda _: shifts.x_report(leader, shift.shift_id), samples),
            50,
            floor_sql,
        )
    )
    print(
        report(
            "close preview",
            time_each(lambda _: shifts.preview_close(clerk, counts), samples),
            50,
            floor_sql,
        )
    )
    taken = shifts.x_report(leader, shift.shift_id).cash.methods
    slips = {m.method: m.net_fen for m in taken if m.method != "cash"}  # the slips agree
    shifts.close(
        clerk, counts, method_totals=slips, float_left_fen=0, reason="bench", leader=leader
    )
    handovers.save(clerk, shift.shift_id, notes="bench", equipment=[])
    print(
        report(
            "hall day view",
            time_each(lambda _: day.day(date(2026, 11, 15)), samples),
            100,
            floor_sql,
        )
    )
    register_fonts()
    handovers.render_sheet(shift.shift_id)
    floor_pdf = time_each(bare_page, samples)
    print(report("floor: bare A4 page", floor_pdf, None))
    print(
        report(
            "handover sheet PDF (warm)",
            time_each(lambda _: handovers.render_sheet(shift.shift_id), samples),
            200,
            floor_pdf,
        )
    )
    store.close()


if __name__ == "__main__":
    main()
