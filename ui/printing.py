"""Printing the PDFs that reportlab rendered: receipts (with their archive copy) and notices.

The PDF is the document: what the preview shows, what the printer gets and what the
archive keeps are the same bytes. Qt draws each PDF page (rendered by ``QPdfDocument``) on
a ``QPrinter`` sized to that page, so an 80 mm roll receipt prints on roll paper and an A5
receipt on A5.

The print step is a ``PrintFunction`` and can be swapped. At a counter it is chosen per
print from this PC's setting "print directly" (``app.devices.settings.PRINT_DIRECTLY``):
on (the default), the document goes straight to the system's default printer with no
dialog (``direct_printer``); off, Qt's print preview opens (``dialog_printer``, Enter or
Ctrl+P prints, Esc cancels). Tests and the offscreen platform print to a PDF file through
``QPrinter.OutputFormat.PdfFormat`` without any dialog, and a test can inject a function
that raises, as a jammed printer would. A PC without any printer gets a ``PrintError`` in
the user's language: the receipt is recorded as not printed and can be printed again.

Every job carries a human title in the interface language ("收据 PC01-00000001"), built
by ``app.documents.titles`` and never by the callers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from uuid import UUID

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from app import paths
from app.devices.settings import PRINT_DIRECTLY
from app.documents import titles
from app.documents.data import ReceiptData, ReceiptLayout
from app.i18n import N_, _
from app.services.payments.receipts import RenderedReceipt
from app.settings import RECEIPT_ARCHIVE_DIR, Option, SettingsBackend
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import fit_to_screen

log = logging.getLogger(__name__)

#: The receipt layout last chosen at this PC (a preference of the counter's printer).
RECEIPT_LAYOUT: Final = Option("printing/receipt_layout", ReceiptLayout.ROLL_80.value)
#: Raster resolution of a printed page; receipts are text and a QR code, 300 dpi is crisp.
PRINT_DPI: Final = 300

LAYOUT_LABELS: Final[dict[ReceiptLayout, str]] = {
    ReceiptLayout.ROLL_80: N_("80 mm roll"),
    ReceiptLayout.A5: N_("A5 sheet"),
}

#: Sends PDF bytes to a printer under a document title; True when printed, False when the
#: user cancelled; raises ``PrintError`` (or anything else) when printing failed.
PrintFunction = Callable[[bytes, str, QWidget | None], bool]


class PrintError(Exception):
    """The printer could not be used; ``str()`` is already in the user's language."""


def layout_text(layout: ReceiptLayout) -> str:
    return _(LAYOUT_LABELS[layout])


def saved_layout(settings: SettingsBackend) -> ReceiptLayout:
    try:
        return ReceiptLayout(RECEIPT_LAYOUT.read(settings))
    except ValueError:
        return ReceiptLayout.ROLL_80


def archive_folder(settings: SettingsBackend) -> Path:
    """Where PDF copies of receipts are kept (the settings' folder, else the data folder)."""
    chosen = RECEIPT_ARCHIVE_DIR.read(settings).strip()
    return Path(chosen) if chosen else paths.user_data_dir() / "receipts"


# -- drawing a PDF on a printer -----------------------------------------------------------


class _LoadedPdf:
    """A ``QPdfDocument`` over bytes; the buffer must outlive the document."""

    def __init__(self, data: bytes) -> None:
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument()
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready or not self.document.pageCount():
            raise PrintError(_("The document could not be read for printing."))

    def close(self) -> None:
        self.document.close()
        self._buffer.close()


def _page_size(points: QSizeF) -> QPageSize:
    return QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)


def paint_pdf(data: bytes, printer: QPrinter) -> int:
    """Draw every page of the PDF on ``printer``, each on paper of its own size.

    Returns the number of pages drawn; raises ``PrintError`` when the printer refuses.
    """
    pdf = _LoadedPdf(data)
    painter = QPainter()
    try:
        document = pdf.document
        for page in range(document.pageCount()):
            points = document.pagePointSize(page)
            printer.setPageLayout(
                QPageLayout(
                    _page_size(points),
                    QPageLayout.Orientation.Portrait,
                    QMarginsF(0, 0, 0, 0),
                    QPageLayout.Unit.Point,
                )
            )
            if page == 0:
                if not painter.begin(printer):
                    raise PrintError(_("The printer could not be started."))
            elif not printer.newPage():
                raise PrintError(_("The printer refused a new page."))
            target = printer.pageRect(QPrinter.Unit.DevicePixel)
            pixels = QSize(
                round(points.width() / 72 * PRINT_DPI), round(points.height() / 72 * PRINT_DPI)
            )
            image = document.render(page, pixels)
            painter.drawImage(QRectF(0, 0, target.width(), target.height()), image)
        pages = document.pageCount()
    finally:
        if painter.isActive():
            painter.end()
        pdf.close()
    _check_state(printer)
    return pages


def render_first_page(data: bytes, width: int) -> QImage | None:
    """The first page of a PDF as an image ``width`` pixels wide (a thumbnail), or None."""
    try:
        pdf = _LoadedPdf(data)
    except PrintError:
        return None
    try:
        points = pdf.document.pagePointSize(0)
        height = round(width * points.height() / max(points.width(), 1))
        return pdf.document.render(0, QSize(width, height))
    finally:
        pdf.close()


def _check_state(printer: QPrinter) -> None:
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise PrintError(_("The printer reported an error."))


def dialog_printer(data: bytes, title: str, parent: QWidget | None) -> bool:
    """Qt's print preview, whose Print button opens the print dialog (the default)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    preview = QPrintPreviewDialog(printer, parent)
    preview.setObjectName("printPreview")
    preview.setWindowTitle(_("Print preview — {title}").format(title=title))
    # Large enough to read a receipt (Qt opens it at ~700×500); fits a 1366×768 screen.
    fit_to_screen(preview, QSize(900, 680))
    failures: list[BaseException] = []

    def paint(target: QPrinter) -> None:
        try:
            paint_pdf(data, target)
        except Exception as exc:  # shown after the dialog closes; Qt would swallow it
            failures.append(exc)

    preview.paintRequested.connect(paint)
    keyboard_print(preview)
    accepted = preview.exec() == QDialog.DialogCode.Accepted
    preview.deleteLater()
    if failures:
        raise failures[-1]
    if accepted:
        _check_state(printer)
    return accepted


def keyboard_print(preview: QPrintPreviewDialog) -> QAction | None:
    """Give the preview's Print action the keys Ctrl+P and Enter (Esc already cancels):
    Qt's preview has neither, and its tool bar is not reached by Tab."""
    wanted = {"Print", QCoreApplication.translate("QPrintPreviewDialog", "Print")}
    for action in preview.findChildren(QAction):
        if action.text().replace("&", "") in wanted:
            action.setShortcuts(
                [
                    QKeySequence(QKeySequence.StandardKey.Print),
                    QKeySequence("Return"),
                    QKeySequence("Enter"),
                ]
            )
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            preview.addAction(action)
            return action
    log.warning("the print preview's Print action was not found")
    return None


#: Finds the printer a direct print goes to; None when this PC has none.
PrinterFinder = Callable[[], QPrinter | None]


def system_default_printer() -> QPrinter | None:
    """A printer on the system's default print queue, or None when there is none."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def direct_printer(find_printer: PrinterFinder = system_default_printer) -> PrintFunction:
    """Print straight on the printer ``find_printer`` gives (the default printer), with no
    dialog; a ``PrintError`` that says what to do when there is none."""

    def print_directly(data: bytes, title: str, parent: QWidget | None) -> bool:
        printer = find_printer()
        if printer is None:
            raise PrintError(
                _(
                    "No printer is set up at this PC (or none is the default printer). "
                    "Install a printer or choose the default one in the system's settings, "
                    "then print again."
                )
            )
        printer.setDocName(title)
        paint_pdf(data, printer)
        return True

    return print_directly


def settings_printer(
    settings: SettingsBackend,
    direct: PrintFunction | None = None,
    preview: PrintFunction = dialog_printer,
) -> PrintFunction:
    """The print step this PC's setting chooses, read at each print (a change in the
    settings dialog applies to the next document)."""
    straight = direct or direct_printer()

    def print_as_set(data: bytes, title: str, parent: QWidget | None) -> bool:
        chosen = straight if PRINT_DIRECTLY.read(settings) else preview
        return chosen(data, title, parent)

    return print_as_set


def print_file_name(title: str) -> str:
    """An ASCII-safe file name carrying the title's parts ("收据 PC01-00000001" gives
    "PC01-00000001"; a title without ASCII parts gives "document")."""
    return re.sub(r"[^0-9A-Za-z._-]+", "_", title).strip("_") or "document"


def pdf_file_printer(folder: Path) -> PrintFunction:
    """Print without a dialog, to a PDF file in ``folder`` (tests, the offscreen platform)."""

    def print_to_file(data: bytes, title: str, parent: QWidget | None) -> bool:
        folder.mkdir(parents=True, exist_ok=True)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(folder / f"{print_file_name(title)}.pdf"))
        printer.setDocName(title)
        paint_pdf(data, printer)
        _check_state(printer)
        return True

    return print_to_file


def default_print_function(settings: SettingsBackend | None = None) -> PrintFunction:
    """Direct or through the preview as this PC's settings say (the user's settings store
    when ``settings`` is None); on the offscreen platform, a PDF file."""
    if QGuiApplication.platformName() == "offscreen":
        return pdf_file_printer(paths.user_data_dir() / "printed")
    if settings is None:
        from ui.qt_settings import QSettingsBackend

        settings = QSettingsBackend()
    return settings_printer(settings)


# -- receipts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptOutcome:
    """One print attempt of one receipt copy, as recorded by ``ReceiptService.record_print``."""

    payment_id: UUID
    receipt_no: str
    copy_no: int
    layout: ReceiptLayout
    path: Path
    outcome: str  # "printed" | "saved" | "failed"
    error: str
    pdf: bytes
    #: What was printed; an ESC/POS printer prints it again after a failure.
    data: ReceiptData | None = None

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"


class ReceiptPrinting:
    """Renders, archives, prints and records a receipt copy.

    Rendering and the archive copy run on the task worker; the print step runs on the GUI
    thread (it may open dialogs); the attempt is then recorded on the worker. A print that
    fails is recorded as failed and reported through ``on_done`` like any other outcome:
    the payment stays recorded and the archived copy can be printed again.
    """

    def __init__(self, ctx: AppContext, print_function: PrintFunction | None = None) -> None:
        self._ctx = ctx
        self.print_function = print_function or default_print_function(ctx.settings)

    def issue(
        self,
        payment_id: UUID,
        layout: ReceiptLayout,
        *,
        reprint: bool,
        parent: QWidget | None,
        on_done: Callable[[ReceiptOutcome], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Render copy 0 (``reprint=False``) or the next 补打 copy, archive it, print it."""
        receipts = self._ctx.receipts
        folder = archive_folder(self._ctx.settings)

        def render() -> tuple[RenderedReceipt, Path]:
            rendered = receipts.render(payment_id, layout, reprint=reprint)
            return rendered, receipts.archive(rendered, folder)

        def rendered(value: tuple[RenderedReceipt, Path]) -> None:
            copy, path = value
            self._print(
                payment_id,
                copy.receipt_no,
                copy.copy_no,
                layout,
                path,
                copy.pdf,
                parent,
                on_done,
                on_error,
                copy.data,
            )

        self._ctx.tasks.run(render, on_done=rendered, on_error=on_error)

    def print_again(
        self,
        previous: ReceiptOutcome,
        parent: QWidget | None,
        on_done: Callable[[ReceiptOutcome], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Send the same copy to the printer again (after a failure, before any 补打)."""
        self._print(
            previous.payment_id,
            previous.receipt_no,
            previous.copy_no,
            previous.layout,
            previous.path,
            previous.pdf,
            parent,
            on_done,
            on_error,
            previous.data,
        )

    def _print(
        self,
        payment_id: UUID,
        receipt_no: str,
        copy_no: int,
        layout: ReceiptLayout,
        path: Path,
        pdf: bytes,
        parent: QWidget | None,
        on_done: Callable[[ReceiptOutcome], None],
        on_error: Callable[[BaseException], None],
        data: ReceiptData | None = None,
    ) -> None:
        def record(outcome: str, error: str) -> None:
            result = ReceiptOutcome(
                payment_id, receipt_no, copy_no, layout, path, outcome, error, pdf, data
            )
            receipts, actor = self._ctx.receipts, self._ctx.actor
            self._ctx.tasks.run(
                lambda: receipts.record_print(
                    actor, payment_id, copy_no, layout, str(path), outcome, error
                ),
                on_done=lambda _value: on_done(result),
                on_error=on_error,
            )

        if data is not None and layout is ReceiptLayout.ROLL_80:
            # A roll receipt goes to this PC's ESC/POS printer when one is set up (the
            # PDF stays the archived copy); see ``ui.devices``.
            from ui.devices.controller import devices_of

            if devices_of(self._ctx).print_receipt(
                data,
                on_done=lambda _status: record("printed", ""),
                on_error=lambda exc: record("failed", error_text(exc)),
            ):
                return
        title = titles.receipt(receipt_no, copy_no)
        error = ""
        try:
            outcome = "printed" if self.print_function(pdf, title, parent) else "saved"
        except Exception as exc:  # any printer fault: recorded, reported, never lost
            log.warning("receipt %s did not print", receipt_no, exc_info=exc)
            outcome, error = "failed", str(exc) or type(exc).__name__
        record(outcome, error)


def print_document(
    print_function: PrintFunction, data: bytes, title: str, parent: QWidget | None
) -> bool:
    """Print any other document (the arrears notice) through the same print step."""
    return print_function(data, title, parent)
