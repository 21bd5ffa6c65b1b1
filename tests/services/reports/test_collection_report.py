"""The arrears collection report: what was recovered per tier and per grid unit (worked out
here from each payment and where the ladder had its account that morning), the ladder
steps taken and the restores done on time, late or not at all.

Regulation (电信条例 第三十四条): service must be restored promptly once the arrears are
paid (within 48 hours; this hall's policy says 24) — the report says how many were."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from app.documents.collection_data import CollectionReportData
from app.documents.report_tables import Money, Percent
from app.i18n import in_language
from app.services.reports import LeaderReports, ReportKind
from tests.services.reports.readback import check_pdf, check_workbook
from tests.services.reports.scenario import DAY1, DAY3, Fortnight, Hall


def build(hall: Hall) -> CollectionReportData:
    report = LeaderReports(hall.store, hall.clock).build(
        hall.leader, ReportKind.ARREARS, DAY1, DAY3
    )
    assert isinstance(report.figures, CollectionReportData)
    return report.figures


def test_recovered_per_tier_and_grid_unit(hall: Hall, facts: Fortnight) -> None:
    """Recovered = what each payment settled of bills already overdue that morning, at
    most the payment (the rest paid bills not due yet, or the penalty); a void takes back
    what it re-opens. Each goes to the tier of that morning's overdue amount."""
    tiers: dict[str | None, int] = defaultdict(int)
    grids: dict[str, int] = defaultdict(int)
    net: dict[int, int] = defaultdict(int)
    for r in facts.collection.recoveries:
        fen = min(r.amount_fen, r.overdue_fen) if r.amount_fen > 0 else r.amount_fen
        tiers[r.tier] += fen
        grids[r.grid] += fen
        net[r.account_id] += fen
    assert tiers["small"] > 0 and tiers["large"] > 0
    # One payment was more than the overdue bills: not all of it was recovered.
    assert any(r.amount_fen > r.overdue_fen > 0 for r in facts.collection.recoveries)
    with in_language("en"):
        data = build(hall)
    by_tier = {line.label: line for line in data.by_tier}
    assert by_tier["Small arrears"].recovered_fen == tiers["small"]
    assert by_tier["Large arrears"].recovered_fen == tiers["large"]
    assert by_tier["Large arrears"].threshold_fen == 200_00
    assert data.recovered_fen == sum(tiers.values())
    assert {line.label: line.recovered_fen for line in data.by_grid} == dict(grids)
    # The part payment voided next day recovered nothing in the end: it is not counted.
    assert data.accounts == sum(1 for fen in net.values() if fen > 0) == 4
    assert by_tier["Small arrears"].accounts == 1 and by_tier["Large arrears"].accounts == 3
    penalty = hall.sql(
        "SELECT SUM(penalty_fen) FROM payment WHERE paid_at >= '2026-11-14 16:00' "
        "AND paid_at < '2026-11-17 16:00'"
    )[0][0]
    assert data.penalty_fen == penalty == 10_00


def test_steps_and_restores(hall: Hall, facts: Fortnight) -> None:
    with in_language("en"):
        data = build(hall)
    steps = {line.label: (line.times, line.accounts) for line in data.stages}
    assert steps["Phone call"] == (facts.collection.calls, facts.collection.call_accounts)
    restores = facts.collection.restores
    assert steps["Service restored"] == (restores["on_time"] + restores["late"], 2)
    assert steps["Suspend service"] == (0, 0)
    r = data.restores
    assert (r.requested, r.on_time, r.late, r.open_overdue, r.open_in_time) == (
        restores["requested"],
        restores["on_time"],
        restores["late"],
        restores["open_overdue"],
        0,
    )
    assert r.on_time_rate == Percent.of(restores["on_time"], restores["requested"])
    assert data.restore_hours == 24


def test_pdf_and_workbook_carry_the_book(hall: Hall, facts: Fortnight, tmp_path: Path) -> None:
    reports = LeaderReports(hall.store, hall.clock)
    with in_language("zh_CN"):
        report = reports.build(hall.leader, ReportKind.ARREARS, DAY1, DAY3)
        text = check_pdf(reports.pdf(report), report.book)
        check_workbook(reports.save_workbook(hall.leader, report, tmp_path / "a.xlsx"), report.book)
    assert "欠费回收报表" in text and "回收金额" in text
    figures = report.figures
    assert isinstance(figures, CollectionReportData)
    assert report.book.headline_value("欠费回收金额") == Money(figures.recovered_fen)
