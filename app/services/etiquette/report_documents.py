"""What the two printed etiquette documents state: an inspection's report and the weekly
simulation ranking, built from what ``EtiquetteReports`` read (passed in), in the current
language. The document modules import reportlab, so their types are imported late: the
window must not load it at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.etiquette_scoring import format_percent
from app.i18n import format_datetime
from app.services.etiquette.report_views import AnswerView, InspectionDetail, RankingRow

if TYPE_CHECKING:
    from app.documents.inspection_report import InspectionReportData
    from app.documents.simulation_ranking import SimulationRankingData


def report_data(detail: InspectionDetail, hall_name: str, tz: str) -> InspectionReportData:
    """What the printed inspection report states, in the current language."""
    from app.documents.inspection_report import (
        InspectionReportData,
        ReportAction,
        ReportItem,
        ReportSection,
    )

    row = detail.row
    sections = []
    by_section: dict[str, list[AnswerView]] = {}
    for answer in detail.answers:
        by_section.setdefault(answer.section_key, []).append(answer)
    for key, title, tenths in detail.section_scores:
        sections.append(
            ReportSection(
                title=title,
                score=format_percent(tenths),
                items=tuple(
                    ReportItem(
                        text=a.text,
                        answer=a.answer,
                        score=format_percent(a.score_tenths) if a.value else "",
                        comment=a.comment,
                        failed=a.failed,
                        critical=a.critical,
                        photo=a.photo_answer_id is not None,
                    )
                    for a in by_section.get(key, [])
                ),
            )
        )
    return InspectionReportData(
        hall_name=hall_name,
        title=row.template_title,
        kind=row.kind.value,
        template_version=row.template_version,
        inspection_id=str(row.inspection_id),
        clerk=row.clerk,
        inspector=row.inspector,
        counter=detail.counter,
        started_at=format_datetime(detail.started_at, tz),
        signed_at=format_datetime(row.signed_at, tz),
        score=format_percent(row.score_tenths),
        pass_percent=detail.spec.pass_percent,
        passed=row.passed,
        critical_failed=row.critical_failed,
        sections=tuple(sections),
        actions=tuple(ReportAction(t, o, d) for t, o, d in detail.opened_actions),
        rechecks=detail.rechecks,
        comment=detail.comment,
        scenario=row.scenario,
        supersedes=str(row.supersedes_id) if row.supersedes_id else "",
        correction_reason=detail.correction_reason,
        superseded_by=str(detail.superseded_by) if detail.superseded_by else "",
    )


def ranking_data(
    rows: list[RankingRow], hall_name: str, iso_week: str, printed_at: str
) -> SimulationRankingData:
    """The weekly ranking as printed."""
    from app.documents.simulation_ranking import RankingLine, SimulationRankingData

    return SimulationRankingData(
        hall_name=hall_name,
        iso_week=iso_week,
        printed_at=printed_at,
        lines=tuple(
            RankingLine(r.rank, r.clerk, format_percent(r.score_tenths), r.scenario, r.sessions)
            for r in rows
        ),
    )
