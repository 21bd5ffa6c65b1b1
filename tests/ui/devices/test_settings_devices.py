"""The devices in the settings dialog: fields checked and saved per PC, the test print."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import i18n
from app.devices.settings import (
    PRINTER_HOST,
    RECEIPT_PRINTER,
    PrinterConnection,
    PrinterSettings,
    ScannerSettings,
)
from app.devices.simulator import SimulatedPrinter
from app.domain.errors import ValidationError
from app.settings import MemoryBackend
from ui.settings_dialog import SettingsDialog


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def dialog_for(qtbot: QtBot, settings: MemoryBackend) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_defaults_print_through_the_pdf_path() -> None:
    settings = PrinterSettings.read(MemoryBackend())
    assert settings.connection is PrinterConnection.PDF and not settings.escpos
    assert not settings.has_drawer  # the drawer hangs off an ESC/POS printer
    assert ScannerSettings.read(MemoryBackend()) == ScannerSettings(True, 6, 30)


def test_network_printer_is_checked_and_saved(qtbot: QtBot) -> None:
    settings = MemoryBackend()
    dialog = dialog_for(qtbot, settings)
    box = dialog.devices
    box.kind.setCurrentIndex(box.kind.findData("network"))
    assert box.host.isVisible() and not box.usb_vendor.isVisible()
    qtbot.keyClicks(box.host, "bad host!")
    dialog.accept()
    assert dialog.isVisible() and "IP address" in dialog.message.text()
    assert box.host.property("invalid") is True
    box.host.setText("192.168.1.50")
    box.port.setText("9100")
    box.drawer.setCurrentIndex(box.drawer.findData(5))
    box.scan_interval.setText("40")
    dialog.accept()
    assert not dialog.isVisible()
    saved = PrinterSettings.read(settings)
    assert saved == PrinterSettings(
        PrinterConnection.NETWORK, host="192.168.1.50", port=9100, drawer_pin=5
    )
    assert RECEIPT_PRINTER.read(settings) == "network" and PRINTER_HOST.read(settings)
    assert ScannerSettings.read(settings).max_interval_ms == 40


def test_scanner_bounds_keep_typing_from_passing_for_a_scan(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, MemoryBackend())
    dialog.devices.scan_interval.setText("99")
    dialog.accept()
    assert dialog.isVisible() and "ms" in dialog.message.text()
    backend = MemoryBackend()
    backend.set_value("devices/scanner_max_interval_ms", 500)  # edited by hand
    assert ScannerSettings.read(backend).max_interval_ms == 30


def test_usb_ids_are_four_hex_digits() -> None:
    usb = PrinterSettings(PrinterConnection.USB, usb_vendor="0x483", usb_product="5743")
    assert usb.check().usb_vendor == "0483"
    with pytest.raises(ValidationError):
        PrinterSettings(PrinterConnection.USB, usb_vendor="zz", usb_product="1").check()
    with pytest.raises(ValidationError):
        PrinterSettings(PrinterConnection.SERIAL).check()


def test_test_print_reaches_the_printer_as_the_fields_stand(qtbot: QtBot) -> None:
    with SimulatedPrinter() as printer:
        dialog = dialog_for(qtbot, MemoryBackend())
        box = dialog.devices
        box.kind.setCurrentIndex(box.kind.findData("network"))
        box.host.setText("127.0.0.1")
        box.port.setText(str(printer.port))
        qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Test page sent" in box.test_status.text(), timeout=10000)
        job = printer.wait_for_jobs(1)[0].parsed()
        assert job.qr_codes == ["HALLDESK:TEST"] and job.cuts == 1
    box.wait()


def test_test_print_says_when_the_printer_is_not_there(qtbot: QtBot) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = dialog_for(qtbot, MemoryBackend())
    box = dialog.devices
    box.kind.setCurrentIndex(box.kind.findData("network"))
    box.host.setText("127.0.0.1")
    box.port.setText(str(port))
    assert box.test_print()
    qtbot.waitUntil(lambda: "cannot be reached" in box.test_status.text(), timeout=10000)
    box.wait()
