"""Receipt PDF rendering time, cold and warm, beside a bare reportlab page.

Usage: python -m bench.bench_receipt [--samples 200]

Cold: a fresh interpreter imports the document module, registers the bundled fonts and
renders one receipt (three runs, each in its own subprocess). Warm: ``--samples`` renders
per layout in this process after one warm-up, each with its own receipt number and QR
payload. The floor is the least a PDF with our font costs: a bare reportlab page with one
line of text in the same (already registered) font. The budget is 50 ms p95 warm.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import reportlab
from reportlab.lib import rl_accel
from reportlab.pdfgen.canvas import Canvas

from app.documents.base import FONT, register_fonts
from app.documents.receipt import PaidBill, ReceiptData, ReceiptLayout, render_receipt
from bench.common import T, percentile, report, time_each

WARM_BUDGET_MS = 50.0
ROOT = Path(__file__).resolve().parent.parent

SAMPLE = ReceiptData(
    hall_name="上海电信浦东新区世纪大道营业厅",
    hall_address="上海市浦东新区世纪大道1001号一层",
    hotline="10000",
    receipt_no="R-0301-00012345",
    paid_at=datetime(2026, 11, 27, 23, 40, 5, tzinfo=UTC),
    timezone="Asia/Shanghai",
    staff_no="A1023",
    customer_name="张*明",
    account_no="3101008800123456",
    amount_fen=186_50,
    method="微信支付",
    bills=(PaidBill("2026-09", 58_00), PaidBill("2026-10", 62_50)),
    prepayment_fen=66_00,
    reference="4200001234202611280123456789",
    balance_after_fen=66_00,
    verify_payload="https://verify.example/r/R-0301-00012345?c=7KQ2",
)

_COLD = """
import json, time
t0 = time.perf_counter()
from bench.bench_receipt import SAMPLE
from app.documents.receipt import ReceiptLayout, render_receipt
t1 = time.perf_counter()
render_receipt(SAMPLE, ReceiptLayout({layout!r}))
t2 = time.perf_counter()
print(json.dumps({{"import_ms": (t1 - t0) * 1000, "first_render_ms": (t2 - t1) * 1000}}))
"""


def cold(layout: ReceiptLayout) -> dict[str, float]:
    """One fresh process: import, font registration and first render."""
    out = subprocess.run(
        [sys.executable, "-c", _COLD.format(layout=layout.value)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bare_page(_: object) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(226.77, 300), initialFontName=FONT)
    canvas.setFont(FONT, 8.5)
    canvas.drawString(11.3, 280, "上海电信浦东新区世纪大道营业厅 缴费收据 ¥186.50")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def cpu_each(fn: Callable[[T], object], inputs: Sequence[T]) -> list[float]:
    """CPU milliseconds per call: on a shared machine wall time also counts other loads."""
    out: list[float] = []
    for item in inputs:
        start = time.process_time()
        fn(item)
        out.append((time.process_time() - start) * 1000)
    return out


def cpu_line(samples: Sequence[float], floor: Sequence[float]) -> str:
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    return (
        f"{'':34} cpu p50 {p50:6.2f} ms  cpu p95 {p95:6.2f} ms  "
        f"ratio to floor cpu p50 {p50 / percentile(floor, 50):.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()

    for layout in ReceiptLayout:
        runs = [cold(layout) for _ in range(args.cold_runs)]
        first = [r["first_render_ms"] for r in runs]
        imports = [r["import_ms"] for r in runs]
        print(
            f"cold {layout.value:<6} first render incl. font registration "
            f"median {percentile(first, 50):7.1f} ms (runs: "
            + ", ".join(f"{v:.0f}" for v in first)
            + f"); imports median {percentile(imports, 50):.0f} ms"
        )

    register_fonts()
    # A distinct receipt number and QR payload per render, as at the counter: the QR cache
    # (there for preview-then-print) must not flatter the figures.
    receipts = [
        dataclasses.replace(
            SAMPLE,
            receipt_no=f"R-0301-{n:08d}",
            verify_payload=f"https://verify.example/r/R-0301-{n:08d}?c={n * 7919 % 9973:04d}",
        )
        for n in range(args.samples)
    ]
    accel = "C accelerator (rl-accel)" if not rl_accel._py_funcs else "pure-Python reportlab"
    print(f"reportlab {reportlab.Version}, {accel}")
    bare_page(None)
    floor = time_each(bare_page, receipts)
    floor_cpu = cpu_each(bare_page, receipts)
    print(report("floor: bare page, one line", floor, None))
    print(cpu_line(floor_cpu, floor_cpu))
    for layout in ReceiptLayout:
        render_receipt(SAMPLE, layout)
        samples = time_each(lambda data, lay=layout: render_receipt(data, lay), receipts)
        print(report(f"warm receipt {layout.value}", samples, WARM_BUDGET_MS, floor))
        p50 = percentile(samples, 50) / percentile(floor, 50)
        print(f"{'':34} median ratio to floor {p50:.1f}x")
        cpu = cpu_each(lambda data, lay=layout: render_receipt(data, lay), receipts)
        print(cpu_line(cpu, floor_cpu))


if __name__ == "__main__":
    main()
