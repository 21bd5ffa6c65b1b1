"""The payment receipt: golden PDFs, extracted text, embedded font, and the 80 mm geometry."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from app import i18n
from app.documents.base import LayoutOverflow, RollWriter, text_width, wrap_text
from app.documents.receipt import (
    ROLL_FONT_SIZE,
    ROLL_MARGIN,
    ROLL_WIDTH,
    PaidBill,
    ReceiptData,
    ReceiptLayout,
    layout_roll,
    render_receipt,
)
from app.i18n import _

from . import assert_golden, chinese_labels, font_report, pdf_text, squeeze

PAYLOAD = "https://verify.example/r/R-0301-00012345?c=7KQ2"

DATA = ReceiptData(
    hall_name="上海电信浦东新区世纪大道营业厅",
    hall_address="上海市浦东新区世纪大道1001号一层",
    hotline="10000",
    receipt_no="R-0301-00012345",
    paid_at=datetime(2026, 11, 27, 23, 40, 5, tzinfo=UTC),
    timezone="Asia/Shanghai",
    staff_no="A1023",
    customer_name="张伟明",
    account_no="3101008800123456",
    amount_fen=186_50,
    method="微信支付",
    bills=(PaidBill("2026-09", 58_00), PaidBill("2026-10", 62_50)),
    prepayment_fen=66_00,
    reference="4200001234202611280123456789",
    balance_after_fen=66_00,
    verify_payload=PAYLOAD,
)
CASH = dataclasses.replace(
    DATA,
    method="现金",
    reference="",
    tendered_fen=200_00,
    change_fen=13_50,
    balance_after_fen=-12_00,
)
#: Issue 12 items 1 and 3: bills, then part of the penalty; 3 fen written off for cash.
SPLIT = dataclasses.replace(
    CASH,
    bills=(PaidBill("2026-09", 58_00), PaidBill("2026-10", 62_53)),
    penalty_fen=9_00,
    prepayment_fen=0,
    amount_fen=129_53,
    rounding_fen=3,
    tendered_fen=150_00,
    change_fen=20_50,
    balance_after_fen=0,
    penalty_owed_after_fen=6_00,
)


@pytest.fixture(autouse=True)
def zh_cn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Receipts print in zh_CN by default; invariant output must not pick up a build date."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    previous = i18n.current_language()
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(previous)


# --- golden files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "layout"),
    [
        ("receipt_roll80.pdf", DATA, ReceiptLayout.ROLL_80),
        ("receipt_a5.pdf", DATA, ReceiptLayout.A5),
        ("receipt_roll80_reprint.pdf", dataclasses.replace(DATA, reprint_count=2), "roll80"),
        ("receipt_roll80_void.pdf", dataclasses.replace(CASH, voided=True), "roll80"),
    ],
)
def test_golden(name: str, data: ReceiptData, layout: str, tmp_path: Path) -> None:
    pdf = render_receipt(data, ReceiptLayout(layout), invariant=True)
    assert pdf == render_receipt(data, ReceiptLayout(layout), invariant=True)
    assert_golden(name, pdf, tmp_path)


def test_invariant_mode_fixes_the_creation_date() -> None:
    pdf = render_receipt(DATA, invariant=True)
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert str(info["/CreationDate"]).startswith("D:20000101000000")
    assert info["/Creator"] == "HallDesk"


def test_golden_renders_are_identical_across_processes() -> None:
    code = (
        "import sys; from tests.documents.test_receipt import DATA; "
        "from app.documents.receipt import render_receipt; "
        "sys.stdout.buffer.write(render_receipt(DATA, invariant=True))"
    )
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, check=True
    ).stdout
    assert other == render_receipt(DATA, invariant=True)


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_text_of_a_receipt(layout: ReceiptLayout) -> None:
    text = pdf_text(render_receipt(DATA, layout))
    for value in (
        "上海电信浦东新区世纪大道营业厅",
        "R-0301-00012345",
        "2026-11-2807:40:05",  # 23:40 UTC is the next morning in Shanghai
        "张*明",
        "3101008800123456",
        "2026-09",
        "2026-10",
        "¥58.00",
        "¥62.50",
        "¥66.00",
        "¥186.50",
        "人民币壹佰捌拾陆元伍角",
        "微信支付",
        "4200001234202611280123456789",
        "10000",
    ):
        assert value in text, value
    for label in (
        _("Payment receipt"),
        _("Receipt no."),
        _("Date and time"),
        _("Staff no."),
        _("Customer"),
        _("Account no."),
        _("Prepayment"),
        _("Amount paid"),
        _("Payment method"),
        _("Reference no."),
        _("Balance after payment"),
        _("Scan to verify this receipt"),
        _("Service hotline: {hotline}").format(hotline="10000"),
        _("Please keep this receipt safe as your proof of payment."),
        _("Bill {period}").format(period="2026-10"),
    ):
        assert squeeze(label) in text, label
    assert "张伟明" not in text
    assert squeeze(_("REPRINT")) not in text
    assert squeeze(_("VOID")) not in text


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_text_of_a_cash_receipt(layout: ReceiptLayout) -> None:
    text = pdf_text(render_receipt(CASH, layout))
    assert squeeze(_("Cash tendered")) + "¥200.00" in text
    assert squeeze(_("Change")) + "¥13.50" in text
    assert squeeze(_("Still owed after payment")) + "¥12.00" in text
    assert squeeze(_("Reference no.")) not in text


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_reprint_and_void_marks(layout: ReceiptLayout) -> None:
    reprint = pdf_text(render_receipt(dataclasses.replace(DATA, reprint_count=2), layout))
    assert squeeze(_("REPRINT")) in reprint
    assert squeeze(_("Reprint #{count}").format(count=2)) in reprint
    void = pdf_text(render_receipt(dataclasses.replace(DATA, voided=True), layout))
    assert squeeze(_("VOID")) in void
    # A void keeps every line of the receipt.
    for value in ("R-0301-00012345", "¥186.50", "人民币壹佰捌拾陆元伍角", "微信支付"):
        assert value in void


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_chinese_labels_render(layout: ReceiptLayout) -> None:
    """With zh_CN labels (stand-in catalog), the Chinese marks and labels are in the PDF."""
    with chinese_labels():
        reprint = pdf_text(render_receipt(dataclasses.replace(DATA, reprint_count=2), layout))
        void = pdf_text(render_receipt(dataclasses.replace(CASH, voided=True), layout))
    assert "补打" in reprint and "第2次补打" in reprint
    assert "缴费收据" in reprint and "收据编号R-0301-00012345" in reprint
    assert "大写：人民币壹佰捌拾陆元伍角" in reprint
    assert "作废" in void and "找零¥13.50" in void


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_the_split_and_the_cash_rounding_are_printed(layout: ReceiptLayout) -> None:
    """What the payment settled in the order it settles it (bills, then penalty), the fen
    written off for cash on a line of their own, the amount paid in figures and words, and
    the penalty still owed."""
    text = pdf_text(render_receipt(SPLIT, layout))
    order = ["2026-09账单¥58.00", "2026-10账单¥62.53", "滞纳金¥9.00", "-¥0.03", "实缴金额¥129.50"]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "大写：人民币壹佰贰拾玖元伍角" in text
    assert "实收现金¥150.00" in text and "找零¥20.50" in text
    assert "尚欠滞纳金¥6.00" in text


def test_prepayment_only_and_organisation() -> None:
    data = dataclasses.replace(
        DATA,
        bills=(),
        prepayment_fen=100_00,
        amount_fen=100_00,
        customer_name="上海某某科技有限公司",
        organisation=True,
    )
    text = pdf_text(render_receipt(data))
    assert "上海某某科技有限公司" in text
    assert "人民币壹佰元整" in text
    assert squeeze(_("Items paid")) in text


def test_customer_name_is_masked_defensively() -> None:
    text = pdf_text(render_receipt(dataclasses.replace(DATA, customer_name="欧阳明")))
    assert "欧*明" in text and "欧阳明" not in text


def test_hall_local_time() -> None:
    data = dataclasses.replace(
        DATA, paid_at=datetime(2026, 11, 28, 9, 5, tzinfo=timezone(timedelta(hours=-5)))
    )
    assert "2026-11-2822:05:00" in pdf_text(render_receipt(data))


# --- fonts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_only_the_bundled_font_embedded(layout: ReceiptLayout) -> None:
    pdf = render_receipt(dataclasses.replace(CASH, voided=True, reprint_count=1), layout)
    fonts = font_report(pdf)
    assert fonts, "no fonts found"
    for name, embedded in fonts:
        assert "NotoSansSC" in name and embedded, fonts


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_says_embedded(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(render_receipt(DATA))
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        assert "TrueType" in row and " yes yes yes " in row, row


# --- 80 mm geometry ------------------------------------------------------------------------


def _page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


def test_roll_is_exactly_80_mm_and_as_tall_as_its_content() -> None:
    width, height = _page_size(render_receipt(DATA))
    assert width == pytest.approx(226.77, abs=0.01)
    assert width == pytest.approx(80 * mm, abs=1e-3)
    writer = layout_roll(DATA)
    assert height == pytest.approx(writer.y + ROLL_MARGIN, abs=1e-3)
    more = dataclasses.replace(
        DATA,
        bills=(*DATA.bills, PaidBill("2026-11", 10_00)),
        amount_fen=DATA.amount_fen + 10_00,
    )
    assert _page_size(render_receipt(more))[1] == pytest.approx(height + 12.0, abs=0.01)


def test_a5_page_size() -> None:
    width, height = _page_size(render_receipt(DATA, ReceiptLayout.A5))
    assert (width, height) == (pytest.approx(148 * mm, abs=0.01), pytest.approx(210 * mm, abs=0.01))


def test_a_roll_line_holds_24_full_width_characters() -> None:
    inner = ROLL_WIDTH - 2 * ROLL_MARGIN
    assert inner == pytest.approx(72 * mm)
    assert wrap_text("缴" * 24, inner, ROLL_FONT_SIZE) == ["缴" * 24]
    assert wrap_text("缴" * 25, inner, ROLL_FONT_SIZE) == ["缴" * 24, "缴"]


LONG = dataclasses.replace(
    CASH,
    hall_name="中国电信股份有限公司上海分公司浦东新区世纪大道旗舰营业厅（二号楼）",
    hall_address="上海市浦东新区世纪大道1001号一层东侧，地铁2号线世纪大道站6号口出",
    receipt_no="R-0301-0001234567890123456789",
    staff_no="SH-PD-00012345-TEMP",
    customer_name="阿卜杜热合曼·买买提",
    account_no="310100880012345678901234567890",
    method="银联云闪付（扫码付款，含优惠券抵扣）",
    reference="",
    bills=tuple(PaidBill(f"2026-{m:02d}", 1_234_567_89) for m in range(1, 13)),
    prepayment_fen=0,
    amount_fen=12 * 1_234_567_89,
    tendered_fen=12 * 1_234_567_89 + 7,
    change_fen=7,
    balance_after_fen=-98_765_432_10,
    reprint_count=12,
    voided=True,
)


@pytest.mark.parametrize("labels", ["msgids", "zh"])
@pytest.mark.parametrize("data", [DATA, CASH, SPLIT, LONG], ids=["wechat", "cash", "split", "long"])
def test_no_roll_line_leaves_the_printable_width(data: ReceiptData, labels: str) -> None:
    def spans() -> RollWriter:
        return layout_roll(data)

    if labels == "zh":
        with chinese_labels():
            writer = spans()
    else:
        writer = spans()
    assert writer.spans
    for span in writer.spans:
        assert span.x >= ROLL_MARGIN - 0.01, span
        assert span.x + span.width <= ROLL_WIDTH - ROLL_MARGIN + 0.01, span
    pdf = render_receipt(data)
    assert _page_size(pdf)[0] == pytest.approx(80 * mm)


def test_long_receipt_keeps_its_values() -> None:
    text = pdf_text(render_receipt(LONG))
    assert "310100880012345678901234567890" in text
    assert "¥14,814,814.68" in text
    assert "人民币壹仟肆佰捌拾壹万肆仟捌佰壹拾肆元陆角捌分" in text
    assert "¥98,765,432.10" in text


def test_overflow_is_refused() -> None:
    writer = RollWriter(ROLL_WIDTH, ROLL_MARGIN, size=ROLL_FONT_SIZE, leading=12)
    with pytest.raises(LayoutOverflow):
        writer._line("x" * 200, ROLL_MARGIN, ROLL_FONT_SIZE, False, 10)


# --- the data's own rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"paid_at": datetime(2026, 11, 28, 7, 40)},
        {"amount_fen": 100_00},
        {"prepayment_fen": -1},
        {"bills": (PaidBill("2026-10", 0),)},
        {"tendered_fen": 200_00},
        {"tendered_fen": 200_00, "change_fen": 10_00},
        {"reprint_count": -1},
        {"timezone": "Mars/Olympus_Mons"},
        {"rounding_fen": 10},
        {"rounding_fen": -1},
        {"penalty_owed_after_fen": -1},
    ],
)
def test_inconsistent_data_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(DATA, **changes)  # type: ignore[arg-type]


@pytest.mark.skipif(
    (shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None)
    and not os.environ.get("CI"),  # .ci/run installs both: there it must run
    reason="zbar-tools / poppler-utils not installed",
)
@pytest.mark.parametrize("layout", list(ReceiptLayout))
def test_qr_code_decodes_to_the_payload(layout: ReceiptLayout, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_receipt(DATA, layout))
    subprocess.run(
        ["pdftoppm", "-r", "203", "-png", "-singlefile", str(pdf), str(tmp_path / "r")],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "r.png")], capture_output=True, text=True
    )
    assert out.stdout.strip() == PAYLOAD


# --- wrapping ------------------------------------------------------------------------------

NOTE = "Please keep this receipt safe as your proof of payment."


def test_latin_text_breaks_at_spaces() -> None:
    lines = wrap_text(NOTE, 100, ROLL_FONT_SIZE)
    assert len(lines) > 1
    assert " ".join(lines) == NOTE
    assert all(text_width(line, ROLL_FONT_SIZE) <= 100 for line in lines)


def test_a_word_wider_than_the_line_is_cut() -> None:
    lines = wrap_text("4200001234202611280123456789", 40, ROLL_FONT_SIZE)
    assert "".join(lines) == "4200001234202611280123456789"
    assert len(lines) > 1 and all(text_width(x, ROLL_FONT_SIZE) <= 40 for x in lines)


def test_cjk_breaks_anywhere_but_not_before_closing_punctuation() -> None:
    text = "请妥善保管本收据，作为缴费凭证。"
    for chars in range(3, 16):
        lines = wrap_text(text, chars * ROLL_FONT_SIZE, ROLL_FONT_SIZE)
        assert "".join(lines) == text
        assert not any(line.startswith(("，", "。")) for line in lines[1:]), lines
        assert all(text_width(x, ROLL_FONT_SIZE) <= chars * ROLL_FONT_SIZE + 0.01 for x in lines)


def test_mixed_text_and_forced_breaks() -> None:
    assert wrap_text("服务热线：10000\n请保管", 200, ROLL_FONT_SIZE) == [
        "服务热线：10000",
        "请保管",
    ]
    assert wrap_text("", 200, ROLL_FONT_SIZE) == [""]
    lines = wrap_text("缴费金额 Amount 186.50 元整", 9 * ROLL_FONT_SIZE, ROLL_FONT_SIZE)
    assert all("Amoun" not in x or "Amount" in x for x in lines)
