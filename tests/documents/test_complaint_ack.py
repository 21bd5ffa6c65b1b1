"""The acknowledgement slip and the period report: their text, on both layouts."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from app import i18n
from app.documents.complaint_ack import layout_roll, render_ack
from app.documents.complaint_data import AckSlipData, ComplaintReportData, ReportLine
from app.documents.complaint_report import render_report
from app.documents.data import ReceiptLayout
from app.documents.receipt import ROLL_MARGIN, ROLL_WIDTH


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(before)


def slip(**kw: object) -> AckSlipData:
    data = AckSlipData(
        hall_name="上海浦东新区世纪大道营业厅",
        hall_address="世纪大道100号",
        hotline="10000",
        number="PC01-TS000042",
        received_at=datetime(2026, 11, 16, 2, 0, tzinfo=UTC),
        timezone="Asia/Shanghai",
        customer_name="王*明",
        contact_phone="138****8000",
        channel="柜台受理",
        category="网络质量",
        subcategory="无信号或信号弱",
        summary="家里客厅手机没有信号，已经一周了，打电话经常断线。",
        request="尽快修好",
        due_at=datetime(2026, 12, 1, 16, 0, tzinfo=UTC),
        period="15 个自然日",
        contact_way="电话",
        staff_no="A001",
        appeal_until=date(2028, 11, 16),
        statutory_due_at=datetime(2026, 12, 1, 16, 0, tzinfo=UTC),
    )
    from dataclasses import replace

    return replace(data, **kw)  # type: ignore[arg-type]


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(
        "\n", ""
    )


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_slip_prints_number_deadline_contact_and_appeal_route(layout: ReceiptLayout) -> None:
    text = text_of(render_ack(slip(), layout))
    for expected in (
        "PC01-TS000042",
        "2026/11/16 10:00",
        "2026/12/1 24:00",  # the last day to answer (the deadline is the next midnight)
        "王*明",
        "138****8000",
        "网络质量",
        "家里客厅手机没有信号",
        "尽快修好",
        "电话",
        "12300",
        "2028/11/16",
        "15",
    ):
        assert expected in text, expected
    assert "13800138000" not in text
    assert "2026/12/2" not in text
    assert "15 个自然日" in text


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_working_day_slip_says_working_days_and_the_statutory_date(layout: ReceiptLayout) -> None:
    """Issue 12 item 8: in working-day mode the slip said "受理之日起 15 日内答复" beside a
    date 15 working days away. It names the period it counts, and, as the seed's rule
    "在接到⽤户投诉之⽇起15⽇内答复⽤户" gives the customer the right to appeal after 15 days,
    the date from which the customer may appeal."""
    data = slip(
        period="15 个工作日",
        due_at=datetime(2026, 12, 6, 16, 0, tzinfo=UTC),
        statutory_due_at=datetime(2026, 12, 1, 16, 0, tzinfo=UTC),
    )
    text = text_of(render_ack(data, layout))
    assert "15 个工作日内" in text
    assert "2026/12/6 24:00" in text
    assert "15 日内（2026/12/1 24:00 前）" in text
    assert "15 日内答复" not in text


def test_slip_warns_when_the_holiday_calendar_is_unknown() -> None:
    i18n.set_language("en")
    known = text_of(render_ack(slip()))
    unknown = text_of(render_ack(slip(calendar_known=False)))
    assert "estimate" in unknown and "estimate" not in known


def test_roll_lines_stay_inside_the_paper() -> None:
    writer = layout_roll(slip(summary="很长的描述" * 60))
    for span in writer.spans:
        assert span.x >= ROLL_MARGIN - 0.01
        assert span.x + span.width <= ROLL_WIDTH - ROLL_MARGIN + 0.01


def test_slip_is_deterministic_in_invariant_mode() -> None:
    assert render_ack(slip(), invariant=True) == render_ack(slip(), invariant=True)


def test_report_pdf_text() -> None:
    i18n.set_language("en")
    data = ComplaintReportData(
        hall_name="Hall",
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        received=12,
        answered=8,
        answered_in_time=6,
        overdue_open=1,
        average_answer_hours=50.25,
        by_category=(ReportLine("Network quality", 7, 4), ReportLine("Billing", 5, 2)),
        by_department=(ReportLine("Technical department", 7, 4),),
        by_satisfaction=(ReportLine("Satisfied", 6, 5), ReportLine("Unsatisfied", 2, 1)),
        generated_at=datetime(2026, 12, 1, 2, tzinfo=UTC),
        timezone="Asia/Shanghai",
        satisfied=6,
    )
    text = text_of(render_report(data))
    for expected in ("2026-11-01", "2026-11-30", "75.0%", "50.2", "Network quality", "Billing"):
        assert expected in text, expected
    assert "Technical department" in text
