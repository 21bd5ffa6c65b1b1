"""The devices' part of the settings dialog: receipt printer, cash drawer, scanner.

"Receipts print on" chooses the PDF path (any printer) or an ESC/POS thermal printer and
its connection; the connection's own fields follow (host and port; USB vendor and product
id; serial port and baud rate). "Print directly" sits beside that choice: on (the
default), the PDF path prints on the system's default printer with no dialog; off, each
document opens in the print preview. It stays enabled whatever prints the receipts, since
the A4 documents (notices, handover sheets) always take the PDF path. "Test print" sends a
test page to the printer as the fields stand now, saved or not, on a thread of its own;
its outcome shows beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.devices.printer import PrinterStatus, ReceiptPrinter
from app.devices.settings import (
    PRINTER_COLUMN_CHOICES,
    SERIAL_BAUDS,
    PrinterConnection,
    PrinterSettings,
    ScannerSettings,
    parse_port,
    parse_scan_interval,
    parse_scan_length,
)
from app.i18n import _
from app.settings import SettingsBackend
from ui.errors import error_text
from ui.tasks import TaskRunner
from ui.widgets import Palette, set_text_colour

_CONNECTIONS = (
    PrinterConnection.PDF,
    PrinterConnection.NETWORK,
    PrinterConnection.USB,
    PrinterConnection.SERIAL,
)


def _edit(parent: QWidget, name: str, width: int = 0, max_length: int = 64) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setMaxLength(max_length)
    if width:
        edit.setMaximumWidth(width)
    return edit


class DeviceSettingsBox(QWidget):
    """The printer, drawer and scanner fields; ``checked`` reads them, ``save`` keeps them."""

    def __init__(self, settings: SettingsBackend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDevices")
        printer = PrinterSettings.read(settings)
        scanner = ScannerSettings.read(settings)
        self._tasks = TaskRunner(self)

        self.printer_box = QGroupBox(self)
        self.kind = QComboBox(self.printer_box)
        self.kind.setObjectName("settingsPrinterKind")
        for connection in _CONNECTIONS:
            self.kind.addItem("", connection.value)
        self.kind.setCurrentIndex(_CONNECTIONS.index(printer.connection))
        self.print_directly = QCheckBox(self.printer_box)
        self.print_directly.setObjectName("settingsPrintDirectly")
        self.print_directly.setChecked(printer.print_directly)

        self.pages = QStackedWidget(self.printer_box)
        self.pdf_hint = QLabel(self.pages)
        self.pdf_hint.setObjectName("settingsHint")
        self.pdf_hint.setWordWrap(True)
        self.host = _edit(self, "settingsPrinterHost", max_length=253)
        self.host.setText(printer.host)
        self.port = _edit(self, "settingsPrinterPort", 80, 5)
        self.port.setText(str(printer.port))
        self.usb_vendor = _edit(self, "settingsPrinterUsbVendor", 90, 6)
        self.usb_vendor.setText(printer.usb_vendor)
        self.usb_product = _edit(self, "settingsPrinterUsbProduct", 90, 6)
        self.usb_product.setText(printer.usb_product)
        self.serial_device = _edit(self, "settingsPrinterSerialDevice", max_length=120)
        self.serial_device.setText(printer.serial_device)
        self.serial_baud = QComboBox(self)
        self.serial_baud.setObjectName("settingsPrinterSerialBaud")
        for baud in SERIAL_BAUDS:
            self.serial_baud.addItem(str(baud), baud)
        self.serial_baud.setCurrentIndex(max(0, self.serial_baud.findData(printer.serial_baud)))
        self._port_label, self._vendor_label = QLabel(self), QLabel(self)
        self._product_label, self._baud_label = QLabel(self), QLabel(self)
        self.pages.addWidget(self.pdf_hint)
        for widgets in (
            (self.host, self._port_label, self.port),
            (self._vendor_label, self.usb_vendor, self._product_label, self.usb_product),
            (self.serial_device, self._baud_label, self.serial_baud),
        ):
            page = QWidget(self.pages)
            row = QHBoxLayout(page)
            row.setContentsMargins(0, 0, 0, 0)
            for widget in widgets:
                widget.setParent(page)
                row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
            row.addStretch(0)
            self.pages.addWidget(page)

        self.columns = QComboBox(self.printer_box)
        self.columns.setObjectName("settingsPrinterColumns")
        for columns in PRINTER_COLUMN_CHOICES:
            self.columns.addItem("", columns)
        self.columns.setCurrentIndex(max(0, self.columns.findData(printer.columns)))
        self.drawer = QComboBox(self.printer_box)
        self.drawer.setObjectName("settingsDrawerPin")
        for pin in (0, 2, 5):
            self.drawer.addItem("", pin)
        self.drawer.setCurrentIndex(max(0, self.drawer.findData(printer.drawer_pin)))
        self.test_button = QPushButton(self.printer_box)
        self.test_button.setObjectName("settingsTestPrint")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(lambda *_a: self.test_print())
        self.test_status = QLabel(self.printer_box)
        self.test_status.setObjectName("settingsTestPrintStatus")
        self.test_status.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_status, 1)

        self._printer_labels = [QLabel(self.printer_box) for _row in range(4)]
        printer_form = QFormLayout(self.printer_box)
        printer_form.setHorizontalSpacing(14)
        for label, field in zip(
            self._printer_labels, (self.kind, self.pages, self.columns, self.drawer), strict=True
        ):
            label.setBuddy(field)
            printer_form.addRow(label, field)
        printer_form.insertRow(1, "", self.print_directly)
        printer_form.addRow(test_row)

        self.scanner_box = QGroupBox(self)
        self.scanner_enabled = QCheckBox(self.scanner_box)
        self.scanner_enabled.setObjectName("settingsScannerEnabled")
        self.scanner_enabled.setChecked(scanner.enabled)
        self.scan_length = _edit(self.scanner_box, "settingsScanMinLength", 60, 2)
        self.scan_length.setText(str(scanner.min_length))
        self.scan_interval = _edit(self.scanner_box, "settingsScanInterval", 60, 2)
        self.scan_interval.setText(str(scanner.max_interval_ms))
        self._length_label, self._interval_label = QLabel(self), QLabel(self)
        self._ms_label = QLabel(self)
        self.scanner_hint = QLabel(self.scanner_box)
        self.scanner_hint.setObjectName("settingsHint")
        self.scanner_hint.setWordWrap(True)
        scan_row = QHBoxLayout()
        for widget in (
            self.scanner_enabled,
            self._length_label,
            self.scan_length,
            self._interval_label,
            self.scan_interval,
            self._ms_label,
        ):
            scan_row.addWidget(widget)
        scan_row.addStretch(1)
        scanner_layout = QVBoxLayout(self.scanner_box)
        scanner_layout.addLayout(scan_row)
        scanner_layout.addWidget(self.scanner_hint)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.printer_box)
        layout.addWidget(self.scanner_box)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.print_directly.toggled.connect(lambda *_a: self._explain_pdf_path())
        self._kind_changed()
        self.retranslate_ui()

    # -- reading ----------------------------------------------------------------------------

    def connection(self) -> PrinterConnection:
        return PrinterConnection(self.kind.currentData())

    def checked(self) -> tuple[PrinterSettings, ScannerSettings]:
        """The fields as settings; ``ValidationError`` (field named as in ``fields``)."""
        connection = self.connection()
        port = parse_port(self.port.text()) if connection is PrinterConnection.NETWORK else 9100
        printer = PrinterSettings(
            connection=connection,
            host=self.host.text(),
            port=port,
            usb_vendor=self.usb_vendor.text(),
            usb_product=self.usb_product.text(),
            serial_device=self.serial_device.text(),
            serial_baud=int(self.serial_baud.currentData()),
            drawer_pin=int(self.drawer.currentData()),
            columns=int(self.columns.currentData()),
            print_directly=self.print_directly.isChecked(),
        ).check()
        scanner = ScannerSettings(
            enabled=self.scanner_enabled.isChecked(),
            min_length=parse_scan_length(self.scan_length.text()),
            max_interval_ms=parse_scan_interval(self.scan_interval.text()),
        )
        return printer, scanner

    def fields(self) -> dict[str, QLineEdit]:
        """The typed fields by the ``ValidationError.field`` that names them."""
        return {
            "printer_host": self.host,
            "printer_port": self.port,
            "printer_usb_vendor": self.usb_vendor,
            "printer_usb_product": self.usb_product,
            "printer_serial_device": self.serial_device,
            "scanner_min_length": self.scan_length,
            "scanner_max_interval_ms": self.scan_interval,
        }

    def save(self, backend: SettingsBackend) -> None:
        printer, scanner = self.checked()
        printer.write(backend)
        scanner.write(backend)

    # -- the test print ---------------------------------------------------------------------

    def test_print(self) -> bool:
        """Send a test page to the printer as the fields describe it; False when the
        fields are wrong or the PC prints through the PDF path (the reason shows)."""
        try:
            printer, _scanner = self.checked()
        except Exception as exc:
            self._say(error_text(exc), Palette.DANGER)
            return False
        if not printer.escpos:
            self._say(_("Choose a receipt printer first."), Palette.WARNING)
            return False
        self.test_button.setEnabled(False)
        self._say(_("Sending a test page to {address}…").format(address=printer.address()), None)
        now = datetime.now(UTC).astimezone()
        self._tasks.run(
            lambda: ReceiptPrinter(printer).test_print(now),
            on_done=lambda status: self._tested(printer, status),
            on_error=self._test_failed,
        )
        return True

    def _tested(self, printer: PrinterSettings, status: PrinterStatus) -> None:
        self.test_button.setEnabled(True)
        text = _("Test page sent to {address}.").format(address=printer.address())
        if status.paper_near_end:
            text += " " + _("The paper is running out.")
        self._say(text, Palette.WARNING if status.paper_near_end else Palette.OK)

    def _test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self._say(error_text(exc), Palette.DANGER)

    def _say(self, text: str, colour: object) -> None:
        self.test_status.setText(text)
        set_text_colour(self.test_status, colour)  # type: ignore[arg-type]

    def wait(self) -> bool:
        return self._tasks.wait()

    # -- texts ------------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        connection = self.connection()
        self.pages.setCurrentIndex(_CONNECTIONS.index(connection))
        for widget in (self.columns, self.drawer, self.test_button):
            widget.setEnabled(connection is not PrinterConnection.PDF)

    def _explain_pdf_path(self) -> None:
        self.pdf_hint.setText(
            _(
                "Receipts and slips print on this PC's default printer, with no dialog; the "
                "PDF copy is archived either way."
            )
            if self.print_directly.isChecked()
            else _(
                "Each document opens in the print preview (Enter or Ctrl+P prints, Esc "
                "cancels); the PDF copy is archived either way."
            )
        )

    def retranslate_ui(self) -> None:
        self.printer_box.setTitle(_("Receipt printer and cash drawer"))
        texts = {
            PrinterConnection.PDF: _("Any printer of this PC (PDF)"),
            PrinterConnection.NETWORK: _("ESC/POS receipt printer on the network"),
            PrinterConnection.USB: _("ESC/POS receipt printer on USB"),
            PrinterConnection.SERIAL: _("ESC/POS receipt printer on a serial port"),
        }
        for index, connection in enumerate(_CONNECTIONS):
            self.kind.setItemText(index, texts[connection])
        for label, text in zip(
            self._printer_labels,
            (_("Receipts &print on"), _("Printer"), _("Characters per line"), _("Cash &drawer")),
            strict=True,
        ):
            label.setText(text)
        self.print_directly.setText(_("Print directly on the default printer, &without a preview"))
        self.print_directly.setToolTip(
            _(
                "Every document printed as a PDF: receipts and slips unless an ESC/POS "
                "printer prints them, and always the A4 documents (notices, handover sheets, "
                "reports)."
            )
        )
        self._explain_pdf_path()
        self.host.setPlaceholderText(_("IP address or host name"))
        self._port_label.setText(_("Port"))
        self._vendor_label.setText(_("Vendor id"))
        self._product_label.setText(_("Product id"))
        self.usb_vendor.setPlaceholderText("0483")
        self.usb_product.setPlaceholderText("5743")
        self.serial_device.setPlaceholderText(_("COM3 or /dev/ttyUSB0"))
        self._baud_label.setText(_("Baud"))
        column_texts = {
            48: _("48 (most 80 mm printers)"),
            42: _("42 (Epson TM-T88)"),
            32: _("32 (58 mm roll)"),
        }
        for index, columns in enumerate(PRINTER_COLUMN_CHOICES):
            self.columns.setItemText(index, column_texts[columns])
        pins = {0: _("None"), 2: _("On the printer, pin 2"), 5: _("On the printer, pin 5")}
        for index in range(self.drawer.count()):
            self.drawer.setItemText(index, pins[int(self.drawer.itemData(index))])
        self.test_button.setText(_("&Test print"))
        self.scanner_box.setTitle(_("Barcode scanner"))
        self.scanner_enabled.setText(_("Recognise scans"))
        self._length_label.setText(_("at least"))
        self._interval_label.setText(_("characters, keys at most"))
        self._ms_label.setText(_("ms apart"))
        self.scanner_hint.setText(
            _(
                "Set the scanner to send Enter after each code and no prefix. Keys typed "
                "faster than this and ended by Enter are a scan; a person never types that "
                "fast."
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
