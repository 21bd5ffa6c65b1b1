"""Talking to the counter's ESC/POS printer (python-escpos): status, jobs, the drawer pulse.

Invariants, and why:

* **A job is built whole, then sent** (``app.devices.escpos_doc.build_job``): the
  connection is opened only for the bytes, so a fault while building prints nothing.
* **The status is read first, where the connection allows** (DLE EOT 1, 2 and 4: real-time
  queries that a printer answers even when offline, over the network, USB and serial
  alike). Offline, cover open or paper out refuse the job with a ``PrinterError`` that says
  what to do, before a byte of it is sent; a printer that does not answer a query is taken
  as ready (some do not report status). After the job the paper is read again: paper that
  ran out while printing makes the job a failure, so the receipt is offered again.
* **Errors are typed and translated** (``PrinterError``, a ``HallDeskError``): the caller
  records the attempt as failed with the message and leaves the receipt reprintable. The
  payment is never touched here: printing runs after it has committed.
* **python-escpos loads late** (``load_escpos``): it pulls in Pillow, qrcode and a YAML
  printer database, a third of a second the counter's start-up does not wait for. Its
  capabilities cache goes to the data folder, not a new temporary folder per start.

All calls block (a network printer waits at most ``timeout`` seconds): run them off the
GUI thread.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from app import paths
from app.devices import escpos_doc
from app.devices.settings import PrinterConnection, PrinterSettings, usb_id
from app.documents.complaint_data import AckSlipData
from app.documents.data import CUSTOMER_DOCUMENT_LANGUAGE, ReceiptData
from app.domain.errors import HallDeskError
from app.i18n import N_, in_language

log = logging.getLogger(__name__)

#: Seconds a network or USB printer has to accept a connection or a job.
DEFAULT_TIMEOUT: Final = 5.0
#: Seconds to wait for the answer to one status query.
STATUS_TIMEOUT: Final = 1.0
DLE_EOT: Final = b"\x10\x04"
#: Each status byte has bits 1 and 4 set and bits 0 and 7 clear.
_STATUS_FIXED_MASK: Final = 0x93
_STATUS_FIXED_BITS: Final = 0x12


class PrinterError(HallDeskError):
    """The receipt printer could not print; the message says why and what to do."""


UNREACHABLE: Final = N_(
    "The receipt printer ({address}) cannot be reached: it is switched off, offline or "
    "unplugged. Check it, then print again."
)
COVER_OPEN: Final = N_("The receipt printer's cover is open. Close it, then print again.")
PAPER_OUT: Final = N_("The receipt printer is out of paper. Load a new roll, then print again.")
PAPER_RAN_OUT: Final = N_(
    "The receipt printer ran out of paper while printing, so the receipt may be incomplete. "
    "Load a new roll, then print again."
)
OFFLINE: Final = N_(
    "The receipt printer is offline or reports an error. Check it (paper, cover, cutter), "
    "then print again."
)
BROKE_OFF: Final = N_(
    "The receipt printer ({address}) stopped answering while printing. Check it, then print again."
)
NOT_SET_UP: Final = N_("No receipt printer is set up at this PC (Settings, Receipt printer).")
NO_DRAWER: Final = N_("No cash drawer is set up at this PC (Settings, Cash drawer).")
MISSING_SUPPORT: Final = N_("This PC cannot use a {kind} printer: {reason}")


def load_escpos() -> None:
    """Import python-escpos, its printer database cached in the data folder."""
    if "escpos.capabilities" not in __import__("sys").modules:
        cache = paths.user_data_dir() / "cache" / "escpos"
        try:
            cache.mkdir(parents=True, exist_ok=True)
            os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
        except OSError as exc:  # the library then uses a temporary folder
            log.warning("no cache folder for python-escpos: %s", exc)
    import escpos.printer  # noqa: F401


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the printer said about itself; ``known`` False when it did not answer."""

    known: bool
    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    error: bool = False

    def problem(self) -> str | None:
        """The msgid of what stops printing, most specific first; None when ready."""
        if not self.known:
            return None
        if self.cover_open:
            return COVER_OPEN
        if self.paper_out:
            return PAPER_OUT
        if self.offline or self.error:
            return OFFLINE
        return None


def _status_byte(reply: bytes) -> int | None:
    if len(reply) < 1 or reply[-1] & _STATUS_FIXED_MASK != _STATUS_FIXED_BITS:
        return None
    return reply[-1]


def read_status(query: Callable[[int], bytes]) -> PrinterStatus:
    """The printer's state from DLE EOT ``n`` replies (``query(n)`` sends one and returns
    the reply, b"" when none came): 1 printer status, 2 offline cause, 4 paper sensor."""
    printer = _status_byte(query(1))
    if printer is None:
        return PrinterStatus(known=False)
    offline = bool(printer & 0x08)
    cause = _status_byte(query(2)) if offline else None
    paper = _status_byte(query(4))
    return PrinterStatus(
        known=True,
        offline=offline,
        cover_open=bool(cause is not None and cause & 0x04),
        paper_out=bool(
            (cause is not None and cause & 0x20) or (paper is not None and paper & 0x60 == 0x60)
        ),
        paper_near_end=bool(paper is not None and paper & 0x0C == 0x0C),
        error=bool(cause is not None and cause & 0x40),
    )


class Connection:
    """One open connection to the printer: bytes out, status replies in."""

    def __init__(self, device: Any, settings: PrinterSettings) -> None:
        self.device = device
        self.settings = settings

    def send(self, data: bytes) -> None:
        self.device._raw(data)

    def query(self, n: int) -> bytes:
        """Send DLE EOT ``n``; its one-byte answer, or b"" when none came in time."""
        self.device._raw(DLE_EOT + bytes([n]))
        sock = self.device.device if self.settings.connection is PrinterConnection.NETWORK else None
        if isinstance(sock, socket.socket):
            sock.settimeout(STATUS_TIMEOUT)
        try:
            reply = self.device._read()
        except (OSError, NotImplementedError, ValueError) as exc:
            log.debug("no status reply to DLE EOT %s: %s", n, exc)
            return b""
        finally:
            if isinstance(sock, socket.socket):
                sock.settimeout(DEFAULT_TIMEOUT)
        return bytes(reply or b"")

    def close(self) -> None:
        try:
            self.device.close()
        except Exception as exc:  # closing must never hide the job's outcome
            log.debug("printer close: %s", exc)


def open_connection(settings: PrinterSettings, timeout: float = DEFAULT_TIMEOUT) -> Connection:
    """Connect to the printer ``settings`` describe; ``PrinterError`` when it cannot."""
    if not settings.escpos:
        raise PrinterError(NOT_SET_UP)
    load_escpos()
    from escpos import printer as escpos_printer

    kind = settings.connection
    try:
        if kind is PrinterConnection.NETWORK:
            device: Any = escpos_printer.Network(settings.host, settings.port, timeout=timeout)
        elif kind is PrinterConnection.USB:
            device = escpos_printer.Usb(
                usb_id(settings.usb_vendor),
                usb_id(settings.usb_product),
                timeout=int(timeout * 1000),
            )
        else:
            device = escpos_printer.Serial(
                settings.serial_device, baudrate=settings.serial_baud, timeout=STATUS_TIMEOUT
            )
        device.open()
    except HallDeskError:
        raise
    except (ImportError, RuntimeError) as exc:  # pyusb / libusb / pyserial missing
        raise PrinterError(MISSING_SUPPORT, kind=kind.value, reason=str(exc)) from exc
    except Exception as exc:  # DeviceNotFoundError, OSError, serial or USB errors
        log.warning("printer %s not reached: %s", settings.address(), exc)
        raise PrinterError(UNREACHABLE, address=settings.address()) from exc
    return Connection(device, settings)


class ReceiptPrinter:
    """Sends documents and drawer pulses to this PC's ESC/POS printer.

    ``connect`` opens the connection (tests inject one); each call opens, checks, sends,
    checks again and closes, so a printer switched off between receipts is found at once.
    """

    def __init__(
        self,
        settings: PrinterSettings,
        connect: Callable[[PrinterSettings], Connection] | None = None,
    ) -> None:
        self.settings = settings
        self._connect = connect or open_connection

    def send(self, job: bytes, *, check_paper_after: bool = True) -> PrinterStatus:
        """Send one job; ``PrinterError`` if the printer is not ready or fails during it.
        Returns the status read after the job (paper near its end, for a warning)."""
        connection = self._connect(self.settings)
        try:
            problem = read_status(connection.query).problem()
            if problem is not None:
                raise PrinterError(problem, address=self.settings.address())
            try:
                connection.send(job)
            except OSError as exc:
                raise PrinterError(BROKE_OFF, address=self.settings.address()) from exc
            after = read_status(connection.query) if check_paper_after else PrinterStatus(False)
            if after.paper_out:
                raise PrinterError(PAPER_RAN_OUT)
            return after
        finally:
            connection.close()

    def print_receipt(self, data: ReceiptData) -> PrinterStatus:
        """The receipt, in Chinese like its PDF (the same ``ReceiptContent``)."""
        with in_language(CUSTOMER_DOCUMENT_LANGUAGE):
            job = escpos_doc.receipt_job(data, self.settings.columns)
        return self.send(job)

    def print_ack(self, data: AckSlipData) -> PrinterStatus:
        """The complaint acknowledgement slip, in Chinese like its PDF (``data``'s own
        texts come as the caller built them: ``ComplaintService.acknowledgement`` in the
        customers' language)."""
        with in_language(CUSTOMER_DOCUMENT_LANGUAGE):
            job = escpos_doc.ack_job(data, self.settings.columns)
        return self.send(job)

    def test_print(self, now: datetime) -> PrinterStatus:
        where = self.settings.address()
        job = escpos_doc.build_job(
            lambda w: escpos_doc.write_test_page(w, where, now), self.settings.columns
        )
        return self.send(job)

    def open_drawer(self) -> None:
        """Pulse the drawer (ESC p), whatever the paper: a drawer needs none, and the
        clerk must be able to give change when the receipt cannot print."""
        pin = self._pin()
        connection = self._connect(self.settings)
        try:
            connection.send(escpos_doc.drawer_job(pin))
        except OSError as exc:
            raise PrinterError(BROKE_OFF, address=self.settings.address()) from exc
        finally:
            connection.close()

    def _pin(self) -> int:
        if not self.settings.has_drawer:
            raise PrinterError(NO_DRAWER)
        return self.settings.drawer_pin
