"""Receipts and slips as ESC/POS commands for an 80 mm thermal printer (python-escpos).

The receipt prints ``app.documents.receipt_content.ReceiptContent`` — the very object the
PDF lays out — so paper and archive carry the same figures, words and marks. The
acknowledgement slip prints ``ack_lines`` and ``appeal_text`` like its PDF.

How it prints, and why:

* **Chinese in GB18030, in the printer's Chinese mode.** Every job starts with ESC @ (reset)
  and FS & (Chinese character mode, the default of printers sold in China; Epson's models
  for China take it too); text goes as GB18030 bytes, a superset of ASCII, so a line of
  digits is plain ASCII. python-escpos' own text path would switch code pages for Latin
  characters, which a printer in Chinese mode misreads.
* **Columns, not points.** Font A has ``columns`` half-width cells per line (48 on most
  80 mm printers); a Chinese character takes two (``display_width``). A label and its value
  share a line when they fit, else the value goes right-aligned on the next line.
* **Totals stand out**: the amount paid bold and double height; the title bold and double
  size; 作废 white on black, double size; 补打 bold and double size, with its count.
* **The QR code is the printer's own** (GS ( k, model 2, error correction M), not an image:
  sharp at any density and a few bytes long.
* **Cut at the end** (feed, then a full cut).

Each function writes onto a python-escpos printer object; ``build_job`` collects the bytes
on its ``Dummy`` printer, so a job is built whole before a connection is opened.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol

from app.documents.complaint_data import AckSlipData, ack_lines, appeal_text
from app.documents.data import ReceiptData
from app.documents.receipt_content import ReceiptContent, receipt_content
from app.i18n import _

ESC: Final = b"\x1b"
FS: Final = b"\x1c"
#: ESC @: reset the printer's modes; FS &: Chinese character mode.
RESET: Final = ESC + b"@"
CHINESE_MODE: Final = FS + b"&"
ENCODING: Final = "gb18030"
DEFAULT_COLUMNS: Final = 48
#: Dot size of a QR module: 6 dots ≈ 0.75 mm at 203 dpi, about 25 mm for a receipt's code.
QR_MODULE_DOTS: Final = 6


class EscposPrinter(Protocol):
    """What this module uses of a python-escpos printer (``escpos.escpos.Escpos``)."""

    def _raw(self, msg: bytes) -> None: ...

    def set(self, **kwargs: Any) -> None: ...

    def qr(self, content: str, **kwargs: Any) -> None: ...

    def cut(self, mode: str = ..., feed: bool = ...) -> None: ...

    def cashdraw(self, pin: int) -> None: ...


#: Characters outside GBK that receipts use, and what a printer's GBK font has instead.
#: GB18030 encodes "¥" (U+00A5) in four bytes that a GBK-only printer prints as garbage.
_PRINTABLE: Final = str.maketrans({"\u00a5": "\uffe5"})


def printable(text: str) -> str:
    """``text`` with the characters a Chinese printer's font lacks replaced (¥ → ￥)."""
    return text.translate(_PRINTABLE)


def display_width(text: str) -> int:
    """Cells the text takes in font A: two for a wide (Chinese, full-width) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells; Latin text breaks at a space where it can,
    Chinese anywhere."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if display_width(line + ch) <= width:
                line += ch
                continue
            cut = line.rfind(" ")
            if ch != " " and cut > 0 and line[cut + 1 :].isascii():
                lines.append(line[:cut])
                line = line[cut + 1 :] + ch
            else:
                lines.append(line.rstrip())
                line = "" if ch == " " else ch
        lines.append(line)
    return lines


class EscposWriter:
    """Lays text out on a printer of ``columns`` cells a line, one command at a time."""

    def __init__(self, printer: EscposPrinter, columns: int = DEFAULT_COLUMNS) -> None:
        self.p = printer
        self.columns = columns

    def start(self) -> None:
        self.p._raw(RESET + CHINESE_MODE)

    def _style(self, *, bold: bool = False, size: str = "", invert: bool = False) -> None:
        self.p.set(
            normal_textsize=size == "",
            double_height=size in ("2h", "2x"),
            double_width=size == "2x",
            bold=bold,
            invert=invert,
        )

    def _send(self, line: str) -> None:
        self.p._raw(line.encode(ENCODING, errors="replace") + b"\n")

    def text(
        self,
        text: str,
        *,
        align: str = "left",
        bold: bool = False,
        size: str = "",
        invert: bool = False,
    ) -> None:
        """A paragraph, wrapped; double-size text (``size="2x"``) has half the cells."""
        width = self.columns // 2 if size == "2x" else self.columns
        text = printable(text)
        self.p.set(align=align)
        self._style(bold=bold, size=size, invert=invert)
        for line in wrap(text, width):
            self._send(line)
        self._style()
        self.p.set(align="left")

    def pair(
        self, label: str, value: str, *, bold: bool = False, size: str = "", indent: int = 0
    ) -> None:
        """Label left, value right on one line; the value on a line of its own when both
        do not fit."""
        width = self.columns // 2 if size == "2x" else self.columns
        label, value = printable(label), printable(value)
        self._style(bold=bold, size=size)
        lead = " " * indent
        gap = width - display_width(lead + label) - display_width(value)
        if gap >= 1:
            self._send(lead + label + " " * gap + value)
        else:
            for line in wrap(lead + label, width):
                self._send(line)
            for line in wrap(value, width):
                self._send(" " * (width - display_width(line)) + line)
        self._style()

    def rule(self) -> None:
        self._send("-" * self.columns)

    def qr(self, payload: str) -> None:
        self.p.set(align="center")
        self.p.qr(payload, native=True, size=QR_MODULE_DOTS, ec=_qr_level_m())
        self.p.set(align="left")

    def end(self) -> None:
        """Feed past the cutter and cut."""
        self.p.cut()


def _qr_level_m() -> int:
    from escpos.constants import QR_ECLEVEL_M

    return int(QR_ECLEVEL_M)


def write_receipt(w: EscposWriter, content: ReceiptContent) -> None:
    """The receipt, in the order and with the marks of the PDF's roll layout."""
    w.start()
    w.text(content.title, align="center", bold=True, size="2x")
    w.text(content.subtitle, align="center", bold=True, size="2h")
    if content.address:
        w.text(content.address, align="center")
    if content.void:
        w.text(f" {content.void[0]} ", align="center", bold=True, size="2x", invert=True)
        w.text(content.void[1], align="center", bold=True)
    if content.reprint:
        w.text(content.reprint[0], align="center", bold=True, size="2x")
        w.text(content.reprint[1], align="center")
    w.rule()
    for label, value in content.head:
        w.pair(label, value)
    w.rule()
    if content.items:
        w.text(content.bills_heading, bold=True)
        for label, value in content.items:
            w.pair(label, value, indent=2)
        w.rule()
    w.pair(*content.total, bold=True, size="2h")
    w.text(content.words_line, bold=True)
    w.rule()
    for label, value in content.payment:
        w.pair(label, value)
    if content.qr_payload:
        w.rule()
        w.qr(content.qr_payload)
        w.text(content.qr_caption, align="center")
    w.rule()
    for line in content.footer:
        w.text(line, align="center")
    if content.void:
        w.text(content.void[1], align="center", bold=True)
    w.end()


def write_ack(w: EscposWriter, data: AckSlipData) -> None:
    """The complaint acknowledgement slip, as its PDF's roll layout."""
    w.start()
    w.text(data.hall_name, align="center", bold=True, size="2x")
    w.text(_("Complaint acknowledgement"), align="center", bold=True, size="2h")
    if data.hall_address:
        w.text(data.hall_address, align="center")
    w.rule()
    for label, value in ack_lines(data):
        w.pair(label, value)
    w.rule()
    w.text(_("What happened"), bold=True)
    w.text(data.summary)
    if data.request:
        w.text(_("What the customer asks"), bold=True)
        w.text(data.request)
    w.rule()
    for line in appeal_text(data):
        w.text(line)
    w.rule()
    if data.hotline:
        w.text(_("Service hotline: {hotline}").format(hotline=data.hotline), align="center")
    w.text(_("Please keep this slip."), align="center")
    w.end()


def write_test_page(w: EscposWriter, where: str, now: datetime) -> None:
    """The settings' test print: the connection, a Chinese line, a QR code, the cut."""
    w.start()
    w.text(_("HallDesk test print"), align="center", bold=True, size="2x")
    w.rule()
    w.pair(_("Printer"), where)
    w.pair(_("Printed at"), now.strftime("%Y-%m-%d %H:%M:%S"))
    w.pair(_("Characters per line"), str(w.columns))
    w.text("中文打印测试：人民币壹佰贰拾叁元肆角伍分")
    w.text("-" * w.columns)
    w.qr("HALLDESK:TEST")
    w.text(_("If this page is cut below, the printer works."), align="center")
    w.end()


def _dummy() -> Any:
    from app.devices.printer import load_escpos

    load_escpos()
    from escpos.printer import Dummy

    return Dummy()


def build_job(
    write: Callable[[EscposWriter], None], columns: int = DEFAULT_COLUMNS, *, pulse: int = 0
) -> bytes:
    """The bytes of one job: the document ``write`` lays out, after a drawer pulse on pin
    ``pulse`` when it is 2 or 5."""
    printer = _dummy()
    if pulse:
        printer.cashdraw(pulse)
    write(EscposWriter(printer, columns))
    return bytes(printer.output)


def receipt_job(data: ReceiptData, columns: int = DEFAULT_COLUMNS) -> bytes:
    """The ESC/POS job of a receipt (the same content as its PDF)."""
    content = receipt_content(data)
    return build_job(lambda w: write_receipt(w, content), columns)


def ack_job(data: AckSlipData, columns: int = DEFAULT_COLUMNS) -> bytes:
    return build_job(lambda w: write_ack(w, data), columns)


def drawer_job(pin: int) -> bytes:
    """A drawer pulse alone (ESC p)."""
    printer = _dummy()
    printer.cashdraw(pin)
    return bytes(printer.output)
