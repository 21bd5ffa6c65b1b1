"""The printer driver against a simulated network printer on loopback: the job arrives
whole, the status is read first (DLE EOT) and refuses a printer that cannot print, with a
message that says what to do; the drawer pulses whatever the paper."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app import i18n
from app.devices.printer import (
    COVER_OPEN,
    OFFLINE,
    PAPER_OUT,
    PAPER_RAN_OUT,
    UNREACHABLE,
    PrinterError,
    ReceiptPrinter,
    read_status,
)
from app.devices.settings import PrinterConnection, PrinterSettings
from app.devices.simulator import SimStatus, SimulatedPrinter
from tests.documents.test_receipt import CASH


@pytest.fixture
def sim() -> Iterator[SimulatedPrinter]:
    with SimulatedPrinter() as printer:
        yield printer


def settings_for(port: int, **kw: object) -> PrinterSettings:
    return PrinterSettings(PrinterConnection.NETWORK, host="127.0.0.1", port=port, **kw)  # type: ignore[arg-type]


def test_receipt_reaches_the_printer_after_a_status_check(sim: SimulatedPrinter) -> None:
    ReceiptPrinter(settings_for(sim.port)).print_receipt(CASH)
    job = sim.wait_for_jobs(1)[0].parsed()
    assert job.status_queries[:2] == [1, 4]  # printer status, then the paper sensor
    assert job.chinese_mode and "缴费收据" in job.text
    assert "￥186.50" in job.text and "人民币壹佰捌拾陆元伍角" in job.text
    assert job.qr_codes == [CASH.verify_payload] and job.cuts == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (SimStatus(paper_out=True), PAPER_OUT),
        (SimStatus(cover_open=True), COVER_OPEN),
        (SimStatus(offline=True), OFFLINE),
    ],
    ids=["paper-out", "cover-open", "offline"],
)
def test_a_printer_that_cannot_print_gets_no_job(
    sim: SimulatedPrinter, status: SimStatus, message: str
) -> None:
    sim.status = status
    with pytest.raises(PrinterError) as caught:
        ReceiptPrinter(settings_for(sim.port)).print_receipt(CASH)
    assert caught.value.message == message
    job = sim.wait_for_jobs(1)[0].parsed()
    assert job.lines == [] and job.cuts == 0  # not a byte of the receipt was sent


def test_messages_are_in_the_users_language(sim: SimulatedPrinter) -> None:
    sim.status = SimStatus(paper_out=True)
    with pytest.raises(PrinterError) as caught:
        ReceiptPrinter(settings_for(sim.port)).print_receipt(CASH)
    with i18n.in_language("zh_CN"):
        assert "纸" in caught.value.user_message()
    with i18n.in_language("en"):
        assert "out of paper" in caught.value.user_message()


def test_paper_running_out_during_the_job_is_a_failure(sim: SimulatedPrinter) -> None:
    sim.status = SimStatus(paper_runs_out=True)
    with pytest.raises(PrinterError) as caught:
        ReceiptPrinter(settings_for(sim.port)).print_receipt(CASH)
    assert caught.value.message == PAPER_RAN_OUT


def test_a_printer_that_reports_no_status_still_prints(sim: SimulatedPrinter) -> None:
    sim.status = SimStatus(silent=True)
    ReceiptPrinter(settings_for(sim.port)).print_receipt(CASH)
    assert "缴费收据" in sim.wait_for_jobs(1)[0].parsed().text


def test_an_unreachable_printer_says_where_it_was_looked_for() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PrinterError) as caught:
        ReceiptPrinter(settings_for(port)).print_receipt(CASH)
    assert caught.value.message == UNREACHABLE
    assert f"127.0.0.1:{port}" in caught.value.user_message()


def test_the_drawer_opens_even_without_paper(sim: SimulatedPrinter) -> None:
    sim.status = SimStatus(paper_out=True)
    ReceiptPrinter(settings_for(sim.port, drawer_pin=5)).open_drawer()
    assert sim.wait_for_jobs(1)[0].parsed().pulses == [(5, 100, 100)]


def test_no_drawer_set_up_is_refused_before_connecting() -> None:
    with pytest.raises(PrinterError):
        ReceiptPrinter(settings_for(1, drawer_pin=0)).open_drawer()


def test_test_page(sim: SimulatedPrinter) -> None:
    with i18n.in_language("zh_CN"):
        ReceiptPrinter(settings_for(sim.port)).test_print(datetime(2026, 11, 15, tzinfo=UTC))
    job = sim.wait_for_jobs(1)[0].parsed()
    assert "中文打印测试" in job.text and f"127.0.0.1:{sim.port}" in job.text
    assert job.qr_codes == ["HALLDESK:TEST"] and job.cuts == 1


def test_status_bits_as_epson_documents_them() -> None:
    replies = {1: b"\x1a", 2: b"\x16", 4: b"\x12"}  # offline; cover open
    status = read_status(lambda n: replies[n])
    assert status.offline and status.cover_open and status.problem() == COVER_OPEN
    near_end = read_status(lambda n: {1: b"\x12", 4: b"\x1e"}[n])
    assert near_end.paper_near_end and near_end.problem() is None
    assert not read_status(lambda n: b"").known
    assert not read_status(lambda n: b"\xff").known  # not a status byte
