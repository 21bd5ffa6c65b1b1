"""The etiquette report of a period: the weekly ranking of each week it touches (the
etiquette tab's ranking and its printed sheet) and the failure rates of the inspections
signed in it.

Seed (营业厅规章制度): "每周例会…对每位营业员进行一对一的服务规范模拟…评分并排名" — the
ranking is per week, so a period shows each of its weeks."""

from __future__ import annotations

from pathlib import Path

from app.documents.etiquette_data import EtiquetteReportData
from app.documents.report_tables import Percent, cell_text
from app.i18n import in_language
from app.services.etiquette.reports import EtiquetteReports
from app.services.reports import LeaderReports, ReportKind
from tests.services.reports.readback import check_pdf, check_workbook, pdf_text, squeeze
from tests.services.reports.scenario import DAY1, DAY2, DAY3, Fortnight, Hall


def build(hall: Hall, start=DAY1, end=DAY3) -> EtiquetteReportData:  # type: ignore[no-untyped-def]
    report = LeaderReports(hall.store, hall.clock).build(
        hall.leader, ReportKind.ETIQUETTE, start, end
    )
    assert isinstance(report.figures, EtiquetteReportData)
    return report.figures


def test_ranking_per_week_and_rates_of_the_period(hall: Hall, facts: Fortnight) -> None:
    reports = EtiquetteReports(hall.store, hall.clock)
    with in_language("en"):
        data = build(hall)
        assert [w.iso_week for w in data.weeks] == ["2026-W46", "2026-W47"]
        for week in data.weeks:
            shown = reports.weekly_ranking(hall.leader, week.iso_week)
            assert [(r.rank, r.clerk, r.score_tenths, r.sessions) for r in shown] == [
                (line.rank, line.clerk, line.score_tenths, line.sessions) for line in week.lines
            ]
        w47 = data.weeks[1].lines
        assert [(line.rank, line.clerk, line.sessions) for line in w47] == [
            (1, "A001 陈晓燕", 2),
            (2, "A002 王佳怡", 1),
        ]
        items, sections = reports.failure_rates(hall.leader, since=DAY1, until=DAY3)
    assert [(i.text, i.fails, i.counted) for i in data.items] == [
        (r.text, r.fails, r.counted) for r in items
    ]
    assert [(s.text, s.fails, s.counted) for s in data.sections] == [
        (r.text, r.fails, r.counted) for r in sections
    ]
    worst = data.items[0]
    assert (worst.fails, worst.counted, worst.rate) == (2, 3, Percent(667))  # phone, 2 of 3
    assert data.failed == 3 and data.sessions == 4
    # Only the inspections signed in the period count.
    assert build(hall, DAY2, DAY2).failed == 1


def test_a_weeks_lines_are_its_printed_ranking(hall: Hall, facts: Fortnight) -> None:
    with in_language("zh_CN"):
        data = build(hall)
        sheet = squeeze(
            pdf_text(
                EtiquetteReports(hall.store, hall.clock).render_weekly_ranking(
                    hall.leader, "2026-W47"
                )
            )
        )
    for line in data.weeks[1].lines:
        assert squeeze(f"{line.rank}{line.clerk}{cell_text(Percent(line.score_tenths))}") in sheet


def test_pdf_and_workbook_carry_the_book(hall: Hall, facts: Fortnight, tmp_path: Path) -> None:
    reports = LeaderReports(hall.store, hall.clock)
    with in_language("zh_CN"):
        report = reports.build(hall.leader, ReportKind.ETIQUETTE, DAY1, DAY3)
        text = check_pdf(reports.pdf(report), report.book)
        check_workbook(reports.save_workbook(hall.leader, report, tmp_path / "e.xlsx"), report.book)
    assert "服务规范报表" in text and "每周模拟评比排名" in text
