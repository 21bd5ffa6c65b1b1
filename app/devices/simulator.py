"""A network receipt printer without the printer: what HallDesk would print, as text.

``SimulatedPrinter`` listens on a TCP port like a printer's port 9100, answers the status
queries (DLE EOT) from a status the caller sets (ready, paper out, cover open, offline, or
silent like a printer that reports nothing), and keeps every connection's bytes as one
job. ``parse_job`` reads a job's ESC/POS commands back: the text lines (GB18030 in Chinese
mode, as a printer in China reads them; a job that forgets FS & comes out garbled, as on
paper), the QR codes, the cuts, the drawer pulses and the status queries. The tests point a
PC's settings at it; ``halldesk printer-sim --port 9100`` shows each job as text.

Only loopback is used by the tests; the command binds 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

log = logging.getLogger(__name__)

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
#: Half-width cells of a line of font A on an 80 mm roll (as ``escpos_doc``).
COLUMNS: Final = 48

# Parameter bytes after ESC x / GS x / FS x, for the commands with a fixed length.
_ESC_PARAMS: Final[dict[int, int]] = {
    **dict.fromkeys(b"@2<LSijmv", 0),
    **dict.fromkeys(b"!%-3=?EGJMRUVadeftru{ I", 1),
    **dict.fromkeys(b"$\\B", 2),
    ord("p"): 3,
}
_GS_PARAMS: Final[dict[int, int]] = {
    **dict.fromkeys(b":", 0),
    **dict.fromkeys(b"!BHIMTZabfhrw", 1),
    **dict.fromkeys(b"LPW\\^", 2),
}
_FS_PARAMS: Final[dict[int, int]] = {
    **dict.fromkeys(b"&.", 0),
    **dict.fromkeys(b"!-CW", 1),
    **dict.fromkeys(b"Sp", 2),
}


@dataclass
class _Line:
    text: bytearray = field(default_factory=bytearray)
    runs: list[tuple[str, bool]] = field(default_factory=list)  # (text, double width)


@dataclass
class PrintedJob:
    """One job read back. ``lines`` are as laid on paper (alignment applied in
    ``COLUMNS`` cells, double-width text spaced out); the rest lists what else it did."""

    lines: list[str] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    cuts: int = 0
    #: (pin, on ms, off ms) of each drawer pulse.
    pulses: list[tuple[int, int, int]] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)
    chinese_mode: bool = False
    bold_lines: list[str] = field(default_factory=list)
    double_lines: list[str] = field(default_factory=list)
    inverted_lines: list[str] = field(default_factory=list)
    unknown: list[bytes] = field(default_factory=list)
    #: The lines and, where they came, the QR codes, cuts and pulses, named in brackets.
    paper: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def render(self) -> str:
        """The job as a person would read the paper, with the non-text commands named."""
        return "\n".join(self.paper)


class EscposParser:
    """Reads an ESC/POS byte stream as it arrives (``feed``), command by command.

    A command cut in two by the network is kept until its end arrives. ``on_status`` is
    called with ``n`` for each DLE EOT ``n`` at the moment it is read, so a server can
    answer while the rest of the job is still coming.
    """

    def __init__(self, on_status: Callable[[int], None] | None = None) -> None:
        self.job = PrintedJob()
        self._buffer = bytearray()
        self._on_status = on_status
        self._line = bytearray()
        self._align = 0
        self._bold = False
        self._double_w = False
        self._double_h = False
        self._invert = False
        self._line_bold = False
        self._line_double = False
        self._line_invert = False
        self._qr_data = b""

    # -- feeding --

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while self._buffer:
            used = self._step(self._buffer)
            if used == 0:
                return  # an incomplete command: wait for more bytes
            del self._buffer[:used]

    def finish(self) -> PrintedJob:
        if self._buffer:
            self.job.unknown.append(bytes(self._buffer))
            self._buffer.clear()
        if self._line:
            self._end_line()
        return self.job

    def _step(self, b: bytearray) -> int:
        first = b[0]
        if first == 0x0A:
            self._end_line()
            return 1
        if first >= 0x20 and first != 0x7F:
            end = 1
            while end < len(b) and b[end] >= 0x20 and b[end] != 0x7F:
                end += 1
            self._text(bytes(b[:end]))
            return end
        if first == ESC:
            return self._esc(b)
        if first == GS:
            return self._gs(b)
        if first == FS:
            return self._fs(b)
        if first == DLE:
            return self._dle(b)
        return 1  # CR, HT and other single control bytes: nothing to show

    def _text(self, data: bytes) -> None:
        if not self._line:
            self._line_bold = self._bold
            self._line_double = self._double_w or self._double_h
            self._line_invert = self._invert
        self._line += data
        self._line_bold = self._line_bold or self._bold

    def _decode(self, data: bytes) -> str:
        if self.job.chinese_mode:
            return data.decode("gb18030", errors="replace")
        return data.decode("cp437", errors="replace")

    def _end_line(self) -> None:
        text = self._decode(bytes(self._line)).rstrip()
        self._line.clear()
        cells = _width(text) * (2 if self._double_w else 1)
        pad = max(0, COLUMNS - cells)
        lead = {0: 0, 1: pad // 2, 2: pad}.get(self._align, 0)
        shown = " ".join(text) if self._double_w and text.isascii() else text
        self.job.lines.append((" " * lead + shown).rstrip())
        self.job.paper.append(self.job.lines[-1])
        if text and self._line_bold:
            self.job.bold_lines.append(text)
        if text and self._line_double:
            self.job.double_lines.append(text)
        if text and self._line_invert:
            self.job.inverted_lines.append(text)

    # -- commands --

    def _esc(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        cmd = b[1]
        n = _ESC_PARAMS.get(cmd)
        if n is None:
            self.job.unknown.append(bytes(b[:2]))
            return 2
        if len(b) < 2 + n:
            return 0
        args = bytes(b[2 : 2 + n])
        if cmd == ord("@"):
            self._align, self._bold, self._invert = 0, False, False
            self._double_w = self._double_h = False
        elif cmd == ord("!"):
            self._bold = bool(args[0] & 0x08)
            self._double_h = bool(args[0] & 0x10)
            self._double_w = bool(args[0] & 0x20)
        elif cmd == ord("E"):
            self._bold = bool(args[0] & 1)
        elif cmd == ord("a"):
            self._align = args[0] % 48 if args[0] >= 48 else args[0]
        elif cmd == ord("d"):
            self.job.lines.extend([""] * args[0])
            self.job.paper.extend([""] * min(args[0], 2))
        elif cmd == ord("p"):
            self._pulse(2 if args[0] in (0, 48) else 5, args[1] * 2, args[2] * 2)
        elif cmd in (ord("i"), ord("m")):
            self._cut()
        return 2 + n

    def _gs(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        cmd = b[1]
        if cmd == ord("V"):
            if len(b) < 3:
                return 0
            size = 4 if b[2] in (65, 66, 97, 98, 103, 104) else 3
            if len(b) < size:
                return 0
            self._cut()
            return size
        if cmd == ord("("):
            if len(b) < 5:
                return 0
            size = 5 + b[3] + 256 * b[4]
            if len(b) < size:
                return 0
            if b[2] == ord("k"):
                self._two_d(bytes(b[5:size]))
            return size
        if cmd == ord("v"):  # GS v 0 m xL xH yL yH: a raster image
            if len(b) < 8:
                return 0
            size = 8 + (b[4] + 256 * b[5]) * (b[6] + 256 * b[7])
            return size if len(b) >= size else 0
        n = _GS_PARAMS.get(cmd)
        if n is None:
            self.job.unknown.append(bytes(b[:2]))
            return 2
        if len(b) < 2 + n:
            return 0
        if cmd == ord("!"):
            self._double_w = bool(b[2] & 0xF0)
            self._double_h = bool(b[2] & 0x0F)
        elif cmd == ord("B"):
            self._invert = bool(b[2] & 1)
        return 2 + n

    def _two_d(self, body: bytes) -> None:
        """GS ( k: cn fn [params]; QR (cn 49) stores data with fn 80, prints with fn 81."""
        if len(body) < 2 or body[0] != 49:
            return
        if body[1] == 80:
            self._qr_data = body[3:]
        elif body[1] == 81:
            self._end_pending_line()
            code = self._qr_data.decode("utf-8", errors="replace")
            self.job.qr_codes.append(code)
            self.job.paper.append(f"[QR {code}]")

    def _fs(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        cmd = b[1]
        n = _FS_PARAMS.get(cmd)
        if n is None:
            self.job.unknown.append(bytes(b[:2]))
            return 2
        if len(b) < 2 + n:
            return 0
        if cmd == ord("&"):
            self.job.chinese_mode = True
        elif cmd == ord("."):
            self.job.chinese_mode = False
        return 2 + n

    def _dle(self, b: bytearray) -> int:
        if len(b) < 3:
            return 0
        if b[1] == 0x04:
            self.job.status_queries.append(b[2])
            if self._on_status is not None:
                self._on_status(b[2])
            return 3
        if b[1] == 0x14:  # DLE DC4 fn m t: a real-time drawer pulse
            if len(b) < 5:
                return 0
            if b[2] == 1:
                self._pulse(2 if b[3] == 0 else 5, b[4] * 100, b[4] * 100)
            return 5
        return 3

    def _cut(self) -> None:
        self._end_pending_line()
        self.job.cuts += 1
        self.job.paper.append("[cut]")

    def _pulse(self, pin: int, on_ms: int, off_ms: int) -> None:
        self.job.pulses.append((pin, on_ms, off_ms))
        self.job.paper.append(f"[drawer pulse: pin {pin}, {on_ms} ms]")

    def _end_pending_line(self) -> None:
        if self._line:
            self._end_line()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def parse_job(data: bytes) -> PrintedJob:
    """Read a whole job (see ``EscposParser``)."""
    parser = EscposParser()
    parser.feed(data)
    return parser.finish()


@dataclass
class SimStatus:
    """What the simulated printer answers to DLE EOT (``silent``: nothing at all).
    ``paper_runs_out`` empties the paper once a job's text has arrived."""

    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    silent: bool = False
    paper_runs_out: bool = False

    def reply(self, n: int) -> bytes:
        """The status byte for DLE EOT ``n`` (bits as Epson's ESC/POS reference has them)."""
        if self.silent:
            return b""
        value = 0x12
        if n == 1 and (self.offline or self.cover_open or self.paper_out):
            value |= 0x08
        elif n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
        elif n == 4:
            value |= (0x60 if self.paper_out else 0) | (0x0C if self.paper_near_end else 0)
        return bytes([value])


@dataclass
class ReceivedJob:
    """The bytes of one connection and where they came from."""

    data: bytes
    peer: str

    def parsed(self) -> PrintedJob:
        return parse_job(self.data)


class SimulatedPrinter:
    """A printer's port on ``host`` (``port`` 0: any free port; see ``port`` once started).

    Use as a context manager, or ``start``/``stop``. ``on_job`` is called (on the server's
    thread) with each job once its connection closes.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        status: SimStatus | None = None,
        on_job: Callable[[ReceivedJob], None] | None = None,
    ) -> None:
        self.host = host
        self.status = status or SimStatus()
        self.jobs: list[ReceivedJob] = []
        self._on_job = on_job
        self._requested_port = port
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    @property
    def port(self) -> int:
        assert self._server is not None, "start the simulator first"
        return int(self._server.getsockname()[1])

    def start(self) -> SimulatedPrinter:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self._requested_port))
        server.listen(8)
        server.settimeout(0.2)
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="printer-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._server is not None:
            self._server.close()

    def __enter__(self) -> SimulatedPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_jobs(self, count: int, timeout: float = 10.0) -> list[ReceivedJob]:
        """The jobs once at least ``count`` have arrived (``TimeoutError`` otherwise)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.jobs) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.jobs)} of {count} printer jobs arrived")
                self._changed.wait(left)
            return list(self.jobs)

    def _serve(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, peer = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(
                target=self._client, args=(conn, f"{peer[0]}:{peer[1]}"), daemon=True
            ).start()

    def _client(self, conn: socket.socket, peer: str) -> None:
        received = bytearray()
        text_seen = False

        def answer(n: int) -> None:
            reply = self.status.reply(n)
            if reply:
                conn.sendall(reply)

        parser = EscposParser(on_status=answer)
        conn.settimeout(0.2)
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                parser.feed(chunk)
                if self.status.paper_runs_out and not text_seen and parser.job.lines:
                    text_seen = True
                    self.status.paper_out = True
        job = ReceivedJob(bytes(received), peer)
        with self._changed:
            self.jobs.append(job)
            self._changed.notify_all()
        if self._on_job is not None:
            try:
                self._on_job(job)
            except Exception:
                log.exception("printer-sim: showing a job failed")
