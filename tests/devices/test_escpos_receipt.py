"""The receipt as ESC/POS commands: the same content as its PDF, in GB18030 in the printer's
Chinese mode, with the native QR code, bold and double-height totals, the marks and the cut.

python-escpos' ``Dummy`` printer collects the bytes (``build_job``); the simulator's parser
reads them back as a printer would.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from app import i18n
from app.devices.escpos_doc import (
    CHINESE_MODE,
    RESET,
    EscposWriter,
    ack_job,
    build_job,
    display_width,
    drawer_job,
    receipt_job,
    wrap,
)
from app.devices.simulator import parse_job
from app.documents.receipt import ReceiptLayout, render_receipt
from app.documents.receipt_content import receipt_content
from tests.documents.test_receipt import CASH, DATA, SPLIT


@pytest.fixture(autouse=True)
def zh_cn() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(before)


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return "".join(text.split()).replace("￥", "¥")


@pytest.mark.parametrize("data", [DATA, CASH, SPLIT], ids=["wechat", "cash", "split"])
def test_printed_text_carries_every_line_of_the_pdf(data: object) -> None:
    """Both renderers lay out one ``ReceiptContent``: every label and value the PDF prints,
    the amount in words included, is on the paper roll too."""
    assert isinstance(data, type(DATA))
    content = receipt_content(data)
    job = parse_job(receipt_job(data))
    paper = squeeze(job.text)
    pdf = squeeze(pdf_text(render_receipt(data, ReceiptLayout.ROLL_80, invariant=True)))
    rows = [*content.head, *content.items, content.total, *content.payment]
    for label, value in rows:
        assert squeeze(label) in paper and squeeze(value) in paper, (label, value)
        assert squeeze(label) in pdf and squeeze(value) in pdf, (label, value)
    assert squeeze(content.words_line) in paper and squeeze(content.words_line) in pdf
    assert "人民币" in content.words[1]
    for line in content.footer:
        assert squeeze(line) in paper
    assert job.qr_codes == [data.verify_payload]
    assert job.cuts == 1 and job.pulses == []


def test_chinese_goes_as_gb18030_after_the_chinese_mode_command() -> None:
    raw = receipt_job(CASH)
    assert raw.startswith(RESET + CHINESE_MODE)
    assert "缴费收据".encode("gb18030") in raw
    assert "缴费收据".encode() not in raw  # not UTF-8
    # The currency sign a GBK font has (U+FFE5), not the four-byte GB18030 "¥".
    assert "¥".encode("gb18030") not in raw and "￥".encode("gb18030") in raw


def test_without_the_chinese_mode_a_printer_prints_garbage() -> None:
    """The parser reads text as the printer would: a job missing FS & is garbled, so the
    checks above can fail."""
    raw = receipt_job(CASH).replace(CHINESE_MODE, b"", 1)
    assert "缴费收据" not in parse_job(raw).text


def test_total_is_bold_and_double_height_and_the_title_double_size() -> None:
    job = parse_job(receipt_job(CASH))
    total = [line for line in job.double_lines if "实缴金额" in line]
    assert total and "186.50" in total[0]
    assert any("实缴金额" in line for line in job.bold_lines)
    # 15 characters at double width take 60 cells: the title wraps on a 48-cell roll.
    assert "".join(job.double_lines[:2]) == CASH.hall_name


def test_reprint_and_void_marks_as_on_the_pdf() -> None:
    plain = parse_job(receipt_job(CASH))
    assert "补打" not in plain.text and "作废" not in plain.text
    reprint = parse_job(receipt_job(dataclasses.replace(CASH, reprint_count=2)))
    assert "补打" in reprint.text and "第2次补打" in squeeze(reprint.text)
    void = parse_job(receipt_job(dataclasses.replace(CASH, voided=True)))
    assert any("作废" in line for line in void.inverted_lines)  # white on black
    assert "本收据已作废" in void.text
    assert "实缴金额" in void.text  # the content stays readable under the mark


def test_every_line_fits_the_roll() -> None:
    for columns in (48, 42, 32):
        job = parse_job(receipt_job(SPLIT, columns))
        for line in job.lines:
            assert display_width(line) <= 48, line
        raw = receipt_job(SPLIT, columns)
        plain_lines = raw.split(b"\n")
        assert plain_lines


def test_wrap_counts_chinese_as_two_cells() -> None:
    assert display_width("缴费A") == 5
    assert wrap("中" * 30, 48) == ["中" * 24, "中" * 6]
    assert wrap("pay the bill now", 8) == ["pay the", "bill now"]


def test_long_value_goes_under_its_label_right_aligned() -> None:
    from escpos.printer import Dummy

    printer = Dummy()
    writer = EscposWriter(printer, 32)
    writer.start()
    writer.pair("参考号", "4200001234202611280123456789012")
    lines = parse_job(printer.output).lines
    assert lines[0] == "参考号"
    assert lines[1].endswith("4200001234202611280123456789012")


def test_drawer_pulse_is_esc_p_on_the_pin() -> None:
    assert drawer_job(2) == b"\x1bp\x0022"
    assert parse_job(drawer_job(5)).pulses == [(5, 100, 100)]
    job = parse_job(build_job(lambda w: w.text("x"), pulse=2))
    assert job.pulses == [(2, 100, 100)]


def test_complaint_slip_prints_its_lines_and_the_appeal_route() -> None:
    from app.documents.complaint_data import ack_lines, appeal_text
    from tests.documents.test_complaint_ack import slip  # the PDF test's slip

    SLIP = slip()
    job = parse_job(ack_job(SLIP))
    paper = squeeze(job.text)
    for label, value in ack_lines(SLIP):
        assert squeeze(label) in paper and squeeze(value) in paper
    for line in appeal_text(SLIP):
        assert squeeze(line) in paper
    assert "12300" in paper and job.cuts == 1
