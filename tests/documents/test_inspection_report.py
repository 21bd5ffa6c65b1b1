"""The inspection report and the weekly ranking as PDFs: their text, in both languages, and
the marks a reader relies on (critical fail, correction, corrective actions)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import i18n
from app.documents.inspection_report import (
    InspectionReportData,
    ReportAction,
    ReportItem,
    ReportSection,
    render_inspection_report,
)
from app.services.etiquette import AnswerInput, ChecklistDraft, EtiquetteService, PhotoUpload
from app.services.etiquette.reports import EtiquetteReports
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    s = open_store(sqlite_url(demo_db_copy))
    yield s
    s.close()


def _sign(store: Store, **fails: str) -> tuple[EtiquetteReports, object]:
    svc = EtiquetteService(store, lambda: NOW)
    auth = AuthService(store)
    leader = auth.leader_credential("L001", "demo")
    clerk = auth.actor_for("A001")
    info = next(t for t in svc.templates(leader) if t.code == "counter_inspection")
    answers = {}
    for item in info.spec.items:
        value = "pass" if item.response.value == "pass_fail" else str(item.max_points)
        answers[item.key] = AnswerInput(fails.get(item.key, value))
    answers["no_phone"] = AnswerInput(
        fails.get("no_phone", "pass"), "看手机两次", PhotoUpload("p.png", b"\x89PNG\r\n\x1a\nxx")
    )
    signed = svc.sign_inspection(
        leader,
        ChecklistDraft(info.id, clerk.staff_id, NOW - timedelta(minutes=30), answers, counter_id=2),
        leader,
    )
    return EtiquetteReports(store, lambda: NOW), (leader, signed)


def test_report_text_in_chinese(store: Store) -> None:
    reports, (leader, signed) = _sign(store, no_phone="fail", no_forbidden_phrases="fail")
    pdf = reports.render_inspection_report(leader, signed.inspection_id)  # type: ignore[attr-defined]
    text = text_of(pdf).replace(" ", "")
    for expected in (
        "上海浦东新区世纪大道营业厅",
        "服务规范检查报告",
        "营业员服务规范检查表",
        "A001陈晓燕",
        "L001徐建华",
        "仪容仪表",
        "未对客户使用服务禁语",
        "看手机两次",
        "整改",
        str(signed.inspection_id),  # type: ignore[attr-defined]
    ):
        assert expected in text, expected
    assert "不合格" in text


def test_report_text_in_english_with_marks(store: Store) -> None:
    i18n.set_language("en")
    reports, (leader, signed) = _sign(store, no_phone="fail", no_forbidden_phrases="fail")
    text = text_of(reports.render_inspection_report(leader, signed.inspection_id))  # type: ignore[attr-defined]
    assert "Service-standard inspection report" in text
    assert "Counter clerk service-standard inspection (version 2)" in text  # shipped v2
    assert "A critical item failed" in text
    assert "[critical]" in text
    assert "(photo attached)" in text
    assert "Corrective actions" in text
    assert "Failed" in text


def test_correction_and_superseded_marks() -> None:
    i18n.set_language("en")
    data = InspectionReportData(
        hall_name="Hall",
        title="Checklist",
        kind="inspection",
        template_version=3,
        inspection_id="new-id",
        clerk="A001 Chen",
        inspector="L001 Xu",
        counter="C01",
        started_at="09:00",
        signed_at="09:30",
        score="97.5%",
        pass_percent=85,
        passed=True,
        critical_failed=False,
        sections=(
            ReportSection(
                "Appearance",
                "100.0%",
                (ReportItem("Badge", "Pass", "100.0%", "", False, False, False),),
            ),
        ),
        actions=(ReportAction("Badge", "A001 Chen", date(2026, 11, 23)),),
        supersedes="old-id",
        correction_reason="wrong counter",
        superseded_by="newer-id",
    )
    text = text_of(render_inspection_report(data))
    assert "This is a correction of record old-id. Reason: wrong counter" in text
    assert "Superseded by correction newer-id" in text
    assert "Score 97.5% (pass mark 85%): Passed" in text


def test_report_is_deterministic_in_invariant_mode(store: Store) -> None:
    reports, (leader, signed) = _sign(store)
    one = reports.render_inspection_report(leader, signed.inspection_id, invariant=True)  # type: ignore[attr-defined]
    two = reports.render_inspection_report(leader, signed.inspection_id, invariant=True)  # type: ignore[attr-defined]
    assert one == two


def test_weekly_ranking_pdf(store: Store) -> None:
    i18n.set_language("en")
    svc = EtiquetteService(store, lambda: NOW)
    auth = AuthService(store)
    leader = auth.leader_credential("L001", "demo")
    info = next(t for t in svc.templates(leader) if t.code == "weekly_simulation")
    for no, five in (("A001", "10"), ("A002", "7")):
        answers = {
            item.key: AnswerInput(
                "pass" if item.response.value == "pass_fail" else str(item.max_points)
            )
            for item in info.spec.items
        }
        answers["sim_five_voices"] = AnswerInput(five)
        svc.sign_simulation(
            leader,
            ChecklistDraft(
                info.id, auth.actor_for(no).staff_id, NOW, answers, scenario="Upset customer"
            ),
            leader,
        )
    text = text_of(EtiquetteReports(store, lambda: NOW).render_weekly_ranking(leader, "2026-W47"))
    assert "Weekly service-standard simulation ranking" in text
    assert "Week 2026-W47" in text
    cells = [line.strip() for line in text.splitlines()]
    first, second = cells.index("A001 陈晓燕"), cells.index("A002 王佳怡")
    assert cells[first - 1 : first + 2] == ["1", "A001 陈晓燕", "100.0%"]
    assert cells[second - 1] == "2" and second > first
    empty = text_of(EtiquetteReports(store, lambda: NOW).render_weekly_ranking(leader, "2026-W01"))
    assert "No simulation was scored in this week." in empty
