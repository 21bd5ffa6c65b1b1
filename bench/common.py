"""Shared helpers for the benchmarks: percentiles and a uniform report line."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def time_each(fn: Callable[[T], object], inputs: Sequence[T]) -> list[float]:
    """Milliseconds per call of ``fn`` on each input."""
    out: list[float] = []
    for item in inputs:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(
    name: str,
    samples: Sequence[float],
    budget_ms: float | None,
    floor: Sequence[float] | None = None,
) -> str:
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    parts = [f"{name:<34} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms"]
    if floor:
        f95 = percentile(floor, 95)
        parts.append(f"floor p95 {f95:7.2f} ms  ratio {p95 / f95 if f95 else float('nan'):6.1f}x")
    if budget_ms is not None:
        parts.append(f"budget {budget_ms:g} ms {'OK' if p95 <= budget_ms else 'OVER'}")
    parts.append(f"n={len(samples)} mean {statistics.fmean(samples):.2f} ms")
    return "  ".join(parts)
