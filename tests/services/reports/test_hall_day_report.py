"""The hall-day report of a period: takings per day, per payment method, per clerk and per
shift, with the differences, worked out here from what the scenario recorded; the same
figures as the hall day of each day (the page and its printed summary), in the report's
PDF and in its workbook."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.documents.report_tables import Money, ReportBook
from app.documents.takings_data import TakingsReportData
from app.domain.amount_words import format_figures
from app.domain.errors import PermissionDenied, ValidationError
from app.i18n import in_language
from app.services.reports import LeaderReports, ReportKind
from tests.services.reports.readback import check_pdf, check_workbook, pdf_text, squeeze
from tests.services.reports.scenario import DAY1, DAY2, DAY3, Fortnight, Hall


def build(hall: Hall, start: date = DAY1, end: date = DAY3) -> tuple[TakingsReportData, ReportBook]:
    report = LeaderReports(hall.store, hall.clock).build(
        hall.leader, ReportKind.HALL_DAY, start, end
    )
    assert isinstance(report.figures, TakingsReportData)
    return report.figures, report.book


def column(book: ReportBook, key: str, header: str) -> dict[object, object]:
    table = book.table(key)
    index = table.headers.index(header)
    return {row[0]: row[index] for row in table.all_rows()}


def test_the_figures_are_what_the_counters_took(hall: Hall, facts: Fortnight) -> None:
    with in_language("en"):
        data, book = build(hall)
    card = facts.collection.card_fen
    day2 = {"cash": 50_00, "bank_card": card}
    assert data.methods[:4] == (
        ("cash", "Cash"),
        ("bank_card", "Bank card"),
        ("wechat", "WeChat Pay"),
        ("alipay", "Alipay"),
    )
    days = {d.day: d for d in data.days()}
    assert [d.day for d in data.days()] == [DAY1, DAY2, DAY3]  # every day, none skipped
    assert {m: f for m, f in days[DAY1].method_fen.items() if f} == facts.shifts.by_method_day1
    assert {m: f for m, f in days[DAY2].method_fen.items() if f} == day2
    assert days[DAY3].takings_fen == 0 and days[DAY3].shifts == 0
    assert days[DAY1].difference_fen == -7_00 and days[DAY1].closed.closed_by == "徐建华"
    assert days[DAY2].closed.closed_at is None
    total = sum(facts.shifts.by_method_day1.values()) + sum(day2.values())
    assert data.takings_fen == total
    clerks = {c.clerk: c for c in data.clerks()}
    assert clerks["陈晓燕 (A001)"].takings_fen == facts.shifts.by_clerk["A001"] + card
    assert clerks["王佳怡 (A002)"].takings_fen == facts.shifts.by_clerk["A002"]
    assert clerks["陈晓燕 (A001)"].difference_fen == -5_00
    assert clerks["陈晓燕 (A001)"].method_difference_fen == -2_00
    assert (data.cash_difference_fen, data.method_difference_fen) == (-5_00, -2_00)
    assert data.open_shifts == 1 and len(data.shifts) == 3
    # The book shows the same: the total row of each table is the period's takings.
    assert book.table("days").total[2] == Money(total)  # type: ignore[index]
    assert book.table("methods").total == ("Total", Money(total))
    assert column(book, "methods", "Takings")["WeChat Pay"] == Money(120_00)
    assert book.headline_value("Total takings") == Money(total)
    assert book.headline_value("Total difference (cash, card and e-payment)") == Money(-7_00)
    assert book.charts[0].points == tuple((d.day, Money(d.takings_fen)) for d in data.days())


def test_a_day_of_the_report_is_that_hall_day(hall: Hall, facts: Fortnight) -> None:
    """Each day of the report shows the figures of the hall day page and its printed
    summary: both read the shifts through ``day_shift_rows``."""
    with in_language("en"):
        data, _book = build(hall)
        day = hall.day.day(DAY1, hall.leader)
        summary = squeeze(pdf_text(hall.day.summary_pdf(DAY1, hall.leader)))
    first = data.days()[0]
    assert first.takings_fen == day.takings_fen == 314_50
    assert first.difference_fen == day.difference_fen
    assert {m: f for m, f in first.method_fen.items() if f} == {
        m: f for m, f in day.method_totals.items() if f
    }
    for fen in (314_50, 108_00, 56_50, 120_00, 30_00):
        assert format_figures(fen) in summary
    # An open shift from an earlier day is listed on every later hall day, but the report
    # counts it once, on its own business date.
    assert any(s.closed_at is None for s in hall.day.day(DAY3, hall.leader).shifts)
    only_day3, _book = build(hall, DAY3, DAY3)
    assert only_day3.shifts == () and only_day3.takings_fen == 0


def test_pdf_and_workbook_carry_the_book(hall: Hall, facts: Fortnight, tmp_path: Path) -> None:
    reports = LeaderReports(hall.store, hall.clock)
    with in_language("zh_CN"):
        report = reports.build(hall.leader, ReportKind.HALL_DAY, DAY1, DAY3)
        text = check_pdf(reports.pdf(report), report.book)
        path = reports.save_workbook(hall.leader, report, tmp_path / "营业日报表.xlsx")
        check_workbook(path, report.book)
    # (the amounts depend on the demo accounts the scenario pays; check_pdf compares them
    # with the book)
    assert "营业日报表" in text and "营业收入合计¥" in text
    assert hall.sql(
        "SELECT staff_id, entity_id, detail LIKE '%营业日报表.xlsx%' FROM audit_event "
        "WHERE action = 'report_exported'"
    ) == [(hall.leader.staff_id, "hall_day", 1)]


def test_only_leaders_and_a_period_of_at_most_a_year(hall: Hall) -> None:
    reports = LeaderReports(hall.store, hall.clock)
    with pytest.raises(PermissionDenied):
        reports.build(hall.clerk, ReportKind.HALL_DAY, DAY1, DAY1)
    with pytest.raises(ValidationError):
        reports.build(hall.leader, ReportKind.HALL_DAY, DAY2, DAY1)
    with pytest.raises(ValidationError):
        reports.build(hall.leader, ReportKind.HALL_DAY, DAY1, DAY1 + timedelta(days=366))
    assert reports.build(hall.leader, ReportKind.HALL_DAY, DAY1, DAY1 + timedelta(days=365))


def test_a_past_day_does_not_take_a_later_days_open_shift(hall: Hall, facts: Fortnight) -> None:
    """The hall day lists the shifts of the day and those still open from earlier days
    (a shift left open must not be forgotten). It listed every open shift, so on DAY3 the
    closed DAY1 showed A001's DAY2 shift and its takings (¥6,887.56 instead of ¥314.50):
    the page, its printed summary and the report disagreed about a closed day."""
    day1 = hall.day.day(DAY1, hall.leader)
    assert [s.counter_code for s in day1.shifts] == ["C01", "C02"]
    assert day1.takings_fen == 314_50 and day1.open_shifts == 0
    later = hall.day.day(DAY3, hall.leader)  # still shows the shift left open on DAY2
    assert [(s.counter_code, s.closed_at) for s in later.shifts] == [("C01", None)]
