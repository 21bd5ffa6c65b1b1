"""The complaints report for the leader: the in-time rate day by day adds up to the
headline, the appeal risks follow the regulation's grounds, and the PDF and the workbook
carry the same figures.

Seed: "电信业务经营者应当认真受理⽤户的投诉,并在接到⽤户投诉之⽇起15⽇内答复⽤户。⽤户对
电信业务经营者的处理结果不满意或者电信业务经营者在接到投诉后15⽇内未答复的,可以向申诉受理
机构提出申诉。" — the two grounds of an appeal (unanswered in 15 days, unsatisfied) and the
customer's own word that they will appeal are the report's appeal risks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.documents.complaint_data import ComplaintReportData
from app.documents.report_tables import Percent
from app.i18n import in_language
from app.services.complaints.reports import report_csv
from app.services.reports import LeaderReports, ReportKind
from tests.services.reports.readback import check_pdf, check_workbook
from tests.services.reports.scenario import DAY1, DAY2, DAY3, Fortnight, Hall


def build(hall: Hall) -> tuple[ComplaintReportData, object]:
    report = LeaderReports(hall.store, hall.clock).build(
        hall.leader, ReportKind.COMPLAINTS, DAY1, DAY3
    )
    assert isinstance(report.figures, ComplaintReportData)
    return report.figures, report.book


def test_days_and_appeal_risks(hall: Hall, facts: Fortnight) -> None:
    with in_language("en"):
        data, _book = build(hall)
    assert (data.received, data.answered, data.answered_in_time) == (3, 1, 1)
    assert [(d.day, d.answered, d.in_time) for d in data.by_day] == [
        (DAY1, 0, 0),
        (DAY2, 1, 1),
        (DAY3, 0, 0),
    ]
    assert sum(d.answered for d in data.by_day) == data.answered
    assert data.in_time_rate == Percent(1000) and data.satisfied_rate == Percent(0)
    risks = {line.label: line.count for line in data.by_appeal_risk}
    assert risks == {
        "No answer within 15 days of receipt": 0,
        "Customer unsatisfied": 1,
        "Customer says they will appeal to 12300": 1,
    }
    answered, appeal, _left = facts.complaints
    assert [(c.number, c.answered) for c in data.appeal_cases] == [
        (answered, True),
        (appeal, False),
    ]
    # Sixteen days on, the two unanswered ones may be appealed as well.
    hall.clock.at(DAY1 + timedelta(days=16), 12)
    with in_language("en"):
        later, _book = build(hall)
    risks = {line.label: line.count for line in later.by_appeal_risk}
    assert risks["No answer within 15 days of receipt"] == 2 == later.appealable_open
    assert [c.number for c in later.appeal_cases] == facts.complaints
    assert later.appeal_cases[1].risks == (
        "No answer within 15 days of receipt; Customer says they will appeal to 12300"
    )


def test_pdf_csv_and_workbook_carry_the_book(hall: Hall, facts: Fortnight, tmp_path: Path) -> None:
    reports = LeaderReports(hall.store, hall.clock)
    with in_language("zh_CN"):
        report = reports.build(hall.leader, ReportKind.COMPLAINTS, DAY1, DAY3)
        text = check_pdf(reports.pdf(report), report.book)
        check_workbook(reports.save_workbook(hall.leader, report, tmp_path / "c.xlsx"), report.book)
        assert isinstance(report.figures, ComplaintReportData)
        csv_text = report_csv(report.figures)
    assert "投诉统计报表" in text and "每日按时答复率" in text
    assert "客户表示将向12300申诉" in csv_text and facts.complaints[1] in csv_text
