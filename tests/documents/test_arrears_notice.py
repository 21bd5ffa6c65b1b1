"""The arrears notice (催缴通知书): golden PDF, text, rights, embedded font."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from app import i18n
from app.documents.arrears_notice import (
    ArrearsNoticeData,
    OutstandingBill,
    render_arrears_notice,
)
from app.i18n import _, format_date

from . import assert_golden, chinese_labels, font_report, pdf_text, squeeze

STEP = "暂停语音及数据业务（停机），保留号码90天。"

DATA = ArrearsNoticeData(
    hall_name="上海电信浦东新区世纪大道营业厅",
    hall_address="上海市浦东新区世纪大道1001号一层",
    hotline="10000",
    customer_name="张伟明",
    account_no="3101008800123456",
    services=("手机 138****5678", "宽带 021-****1234"),
    bills=(
        OutstandingBill("2026-08", 128_00, date(2026, 9, 15)),
        OutstandingBill("2026-09", 132_50, date(2026, 10, 15)),
        OutstandingBill("2026-10", 99_00, date(2026, 11, 15)),
    ),
    total_owed_fen=359_50,
    penalty_fen=5_40,
    pay_by=date(2026, 12, 10),
    next_step=STEP,
    issue_date=date(2026, 11, 28),
    notice_no="CJ-0301-2026-00042",
)


@pytest.fixture(autouse=True)
def zh_cn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    previous = i18n.current_language()
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(previous)


def test_golden(tmp_path: Path) -> None:
    pdf = render_arrears_notice(DATA, invariant=True)
    assert pdf == render_arrears_notice(DATA, invariant=True)
    assert_golden("arrears_notice.pdf", pdf, tmp_path)


def test_text() -> None:
    text = pdf_text(render_arrears_notice(DATA))
    for value in (
        "上海电信浦东新区世纪大道营业厅",
        "张*明",
        "3101008800123456",
        "手机138****5678",
        "宽带021-****1234",
        "2026-08",
        "2026-09",
        "2026-10",
        "¥128.00",
        "¥132.50",
        "¥99.00",
        "¥359.50",
        "¥5.40",
        "¥364.90",
        "人民币叁佰陆拾肆元玖角",
        squeeze(STEP),
        "CJ-0301-2026-00042",
        squeeze(format_date(date(2026, 12, 10), fmt="long")),
        squeeze(format_date(date(2026, 11, 15), fmt="long")),
    ):
        assert value in text, value
    assert "张伟明" not in text
    for label in (
        _("Payment Reminder Notice"),
        _("Dear {name},").format(name="张*明"),
        _("Late-payment penalty"),
        _("Total due"),
        _(
            "Any service restricted or suspended for non-payment is restored within 24 hours "
            "after the total due has been paid in full."
        ),
        _("Please pay the total due of {total} in full by {deadline}.").format(
            total="¥364.90", deadline=format_date(date(2026, 12, 10), fmt="long")
        ),
    ):
        assert squeeze(label) in text, label


def test_rights_and_payment_ways_in_chinese() -> None:
    with chinese_labels():
        text = pdf_text(render_arrears_notice(DATA))
    assert "催缴通知书" in text
    assert "尊敬的张*明：" in text
    assert "请您于2026年12月10日前足额缴清应缴费用¥364.90" in text
    assert "可到任一营业厅或拨打服务热线10000提出" in text
    assert "12300" in text
    assert "24小时内恢复" in text
    assert "营业厅柜台缴费" in text
    assert "手机138****5678、宽带021-****1234" in text
    assert "（盖章）" in text


def test_a4_and_embedded_font() -> None:
    pdf = render_arrears_notice(DATA)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == (
        pytest.approx(A4[0], abs=0.01),
        pytest.approx(A4[1], abs=0.01),
    )
    for name, embedded in font_report(pdf):
        assert "NotoSansSC" in name and embedded, name


def test_many_bills_flow_onto_more_pages() -> None:
    bills = tuple(
        OutstandingBill(f"{2024 + m // 12}-{m % 12 + 1:02d}", 100_00, date(2026, 1, 1))
        for m in range(40)
    )
    data = dataclasses.replace(DATA, bills=bills, total_owed_fen=40 * 100_00)
    pdf = render_arrears_notice(data)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert "人民币肆仟零伍元肆角" in pdf_text(pdf)


@pytest.mark.parametrize(
    "changes",
    [
        {"bills": (), "total_owed_fen": 0},
        {"total_owed_fen": 1},
        {"penalty_fen": -1},
    ],
)
def test_inconsistent_data_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(DATA, **changes)  # type: ignore[arg-type]
