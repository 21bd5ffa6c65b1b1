"""This PC's counter devices, as preferences of the PC: receipt printer, cash drawer, scanner.

A counter's devices belong to the PC they are plugged into, not to the hall, so they are
preferences (``app.settings``, QSettings at a counter), never synced. Each field is one
``Option`` declared here; ``PrinterSettings`` reads them all at once and ``check`` refuses a
value that cannot work with a ``ValidationError`` naming the field.

Receipts print either through the PDF path (any printer Qt knows: the default) or straight
to an ESC/POS thermal printer on the network, on USB or on a serial port; the archived PDF
is written whichever path prints. The PDF path prints directly on the system's default
printer (``PRINT_DIRECTLY``, on by default: the counter's normal mode, no dialog while a
customer waits) or, when that is off, through the print preview; it also prints the A4
documents (notices, handover sheets) of a PC whose receipts go to an ESC/POS printer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from app.domain.errors import ValidationError
from app.i18n import N_
from app.settings import Option, SettingsBackend


class PrinterConnection(StrEnum):
    """How receipts reach paper: the PDF path, or an ESC/POS printer over one connection."""

    PDF = "pdf"
    NETWORK = "network"
    USB = "usb"
    SERIAL = "serial"


#: Where receipts print at this PC (a ``PrinterConnection`` value).
RECEIPT_PRINTER = Option("printing/receipt_printer", PrinterConnection.PDF.value)
#: Documents of the PDF path go straight to the default printer (True) or through the
#: print preview (False).
PRINT_DIRECTLY = Option("printing/print_directly", True)
PRINTER_HOST = Option("devices/printer_host", "")
PRINTER_PORT = Option("devices/printer_port", 9100)
#: USB vendor and product ids as four hex digits each ("0483", "5743").
PRINTER_USB_VENDOR = Option("devices/printer_usb_vendor", "")
PRINTER_USB_PRODUCT = Option("devices/printer_usb_product", "")
PRINTER_SERIAL_DEVICE = Option("devices/printer_serial_device", "")
PRINTER_SERIAL_BAUD = Option("devices/printer_serial_baud", 9600)
#: Characters on one line of font A: 48 on most 80 mm printers (576 dots), 42 on the 512-dot
#: ones (Epson TM-T88), 32 on 58 mm rolls. A Chinese character takes two.
PRINTER_COLUMNS = Option("devices/printer_columns", 48)
#: The drawer's pin on the printer's drawer port: 2 (most drawers), 5, or 0 (no drawer).
DRAWER_PIN = Option("devices/drawer_pin", 2)
#: A scan is at least this many characters typed at most this many ms apart, then Enter.
SCANNER_ENABLED = Option("devices/scanner_enabled", True)
SCANNER_MIN_LENGTH = Option("devices/scanner_min_length", 6)
SCANNER_MAX_INTERVAL_MS = Option("devices/scanner_max_interval_ms", 30)

SERIAL_BAUDS: Final = (9600, 19200, 38400, 57600, 115200)
PRINTER_COLUMN_CHOICES: Final = (48, 42, 32)
DRAWER_PINS: Final = (0, 2, 5)
#: Bounds of the scanner settings: shorter than 4 characters or slower than 80 ms between
#: keys, a fast typist's burst could pass for a scan.
MIN_SCAN_LENGTH: Final = 4
MAX_SCAN_LENGTH: Final = 64
MAX_SCAN_INTERVAL_MS: Final = 80
_HOST_RE: Final = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_USB_ID_RE: Final = re.compile(r"^(0x)?[0-9A-Fa-f]{1,4}$")


@dataclass(frozen=True, slots=True)
class PrinterSettings:
    """The receipt printer and cash drawer of this PC, as set (see the module docstring)."""

    connection: PrinterConnection = PrinterConnection.PDF
    host: str = ""
    port: int = 9100
    usb_vendor: str = ""
    usb_product: str = ""
    serial_device: str = ""
    serial_baud: int = 9600
    drawer_pin: int = 2
    columns: int = 48
    print_directly: bool = True

    @property
    def escpos(self) -> bool:
        """Receipts go to an ESC/POS printer (not through the PDF print dialog)."""
        return self.connection is not PrinterConnection.PDF

    @property
    def has_drawer(self) -> bool:
        """A cash drawer hangs off the ESC/POS printer."""
        return self.escpos and self.drawer_pin in (2, 5)

    def address(self) -> str:
        """Where the printer is, for messages: host:port, vendor:product, or the device."""
        if self.connection is PrinterConnection.NETWORK:
            return f"{self.host}:{self.port}"
        if self.connection is PrinterConnection.USB:
            return f"USB {self.usb_vendor}:{self.usb_product}"
        if self.connection is PrinterConnection.SERIAL:
            return f"{self.serial_device} ({self.serial_baud})"
        return ""

    @classmethod
    def read(cls, backend: SettingsBackend) -> PrinterSettings:
        try:
            connection = PrinterConnection(RECEIPT_PRINTER.read(backend))
        except ValueError:
            connection = PrinterConnection.PDF
        return cls(
            connection=connection,
            host=PRINTER_HOST.read(backend).strip(),
            port=PRINTER_PORT.read(backend),
            usb_vendor=PRINTER_USB_VENDOR.read(backend).strip(),
            usb_product=PRINTER_USB_PRODUCT.read(backend).strip(),
            serial_device=PRINTER_SERIAL_DEVICE.read(backend).strip(),
            serial_baud=PRINTER_SERIAL_BAUD.read(backend),
            drawer_pin=DRAWER_PIN.read(backend),
            columns=PRINTER_COLUMNS.read(backend),
            print_directly=PRINT_DIRECTLY.read(backend),
        )

    def write(self, backend: SettingsBackend) -> None:
        RECEIPT_PRINTER.write(backend, self.connection.value)
        PRINTER_HOST.write(backend, self.host)
        PRINTER_PORT.write(backend, self.port)
        PRINTER_USB_VENDOR.write(backend, self.usb_vendor)
        PRINTER_USB_PRODUCT.write(backend, self.usb_product)
        PRINTER_SERIAL_DEVICE.write(backend, self.serial_device)
        PRINTER_SERIAL_BAUD.write(backend, self.serial_baud)
        DRAWER_PIN.write(backend, self.drawer_pin)
        PRINTER_COLUMNS.write(backend, self.columns)
        PRINT_DIRECTLY.write(backend, self.print_directly)

    def check(self) -> PrinterSettings:
        """These settings, cleaned; ``ValidationError`` (with the field) for one that cannot
        work. Only the chosen connection's fields are checked."""
        if self.drawer_pin not in DRAWER_PINS:
            raise ValidationError("drawer_pin", N_("The drawer pin is 2 or 5 (0: no drawer)."))
        if self.columns not in PRINTER_COLUMN_CHOICES:
            raise ValidationError(
                "printer_columns",
                N_("Characters per line: {choices}."),
                choices=", ".join(str(c) for c in PRINTER_COLUMN_CHOICES),
            )
        if self.connection is PrinterConnection.NETWORK:
            host = self.host.strip()
            if not host or not _HOST_RE.match(host):
                raise ValidationError(
                    "printer_host",
                    N_("Enter the printer's IP address or host name (for example 192.168.1.50)."),
                )
            if not 1 <= self.port <= 65535:
                raise ValidationError(
                    "printer_port", N_("The port is a number from 1 to 65535 (usually 9100).")
                )
            return replace(self, host=host)
        if self.connection is PrinterConnection.USB:
            vendor, product = usb_id(self.usb_vendor), usb_id(self.usb_product)
            if vendor is None:
                raise ValidationError(
                    "printer_usb_vendor",
                    N_("Enter the USB vendor id as four hex digits (for example 0483)."),
                )
            if product is None:
                raise ValidationError(
                    "printer_usb_product",
                    N_("Enter the USB product id as four hex digits (for example 5743)."),
                )
            return replace(self, usb_vendor=f"{vendor:04x}", usb_product=f"{product:04x}")
        if self.connection is PrinterConnection.SERIAL:
            device = self.serial_device.strip()
            if not device:
                raise ValidationError(
                    "printer_serial_device",
                    N_("Enter the serial port (for example COM3 or /dev/ttyUSB0)."),
                )
            if self.serial_baud not in SERIAL_BAUDS:
                raise ValidationError(
                    "printer_serial_baud",
                    N_("Choose the printer's baud rate: {rates}."),
                    rates=", ".join(str(b) for b in SERIAL_BAUDS),
                )
            return replace(self, serial_device=device)
        return self


def usb_id(text: str) -> int | None:
    """A USB id typed as hex ("0483", "0x0483"), or None when it is not one."""
    value = text.strip()
    if not _USB_ID_RE.match(value):
        return None
    number = int(value, 16)
    return number if number > 0 else None


@dataclass(frozen=True, slots=True)
class ScannerSettings:
    """When a burst of keys is a scan (see ``app.devices.scanner``)."""

    enabled: bool = True
    min_length: int = 6
    max_interval_ms: int = 30

    @classmethod
    def read(cls, backend: SettingsBackend) -> ScannerSettings:
        return cls(
            enabled=SCANNER_ENABLED.read(backend),
            min_length=SCANNER_MIN_LENGTH.read(backend),
            max_interval_ms=SCANNER_MAX_INTERVAL_MS.read(backend),
        ).within_bounds()

    def write(self, backend: SettingsBackend) -> None:
        SCANNER_ENABLED.write(backend, self.enabled)
        SCANNER_MIN_LENGTH.write(backend, self.min_length)
        SCANNER_MAX_INTERVAL_MS.write(backend, self.max_interval_ms)

    def within_bounds(self) -> ScannerSettings:
        """A stored value out of bounds (edited by hand) falls back to the default: a
        bound too loose would take a person's typing for a scan."""
        default = ScannerSettings()
        length = self.min_length
        interval = self.max_interval_ms
        if not MIN_SCAN_LENGTH <= length <= MAX_SCAN_LENGTH:
            length = default.min_length
        if not 1 <= interval <= MAX_SCAN_INTERVAL_MS:
            interval = default.max_interval_ms
        return replace(self, min_length=length, max_interval_ms=interval)


def parse_scan_length(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not MIN_SCAN_LENGTH <= int(value) <= MAX_SCAN_LENGTH:
        raise ValidationError(
            "scanner_min_length",
            N_("A scan is at least {low} to {high} characters long."),
            low=MIN_SCAN_LENGTH,
            high=MAX_SCAN_LENGTH,
        )
    return int(value)


def parse_scan_interval(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_SCAN_INTERVAL_MS:
        raise ValidationError(
            "scanner_max_interval_ms",
            N_("The time between a scanner's keys is 1 to {high} ms."),
            high=MAX_SCAN_INTERVAL_MS,
        )
    return int(value)


def parse_port(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValidationError(
            "printer_port", N_("The port is a number from 1 to 65535 (usually 9100).")
        )
    return int(value)
