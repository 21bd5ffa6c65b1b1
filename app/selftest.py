"""``halldesk --self-test``: does this installation work? A short check with an exit status.

It runs in a temporary folder and never touches the user's store: it checks that the
bundled files are found, that the Chinese catalog loads and translates, that an empty
store migrates to this version's schema and can be set up and logged into (which also
exercises the password KDF), that a receipt renders with the bundled font and that a
report workbook is written and read back (money as a number). The Qt
side (the platform plugin, Qt's own Chinese translations, and reading the receipt's text
back with QtPdf, which proves the embedded font maps the Chinese title) is passed in by
the caller as ``gui``, so this module stays free of Qt.

The report is plain English on purpose: it is read by whoever installs or supports the
program and searched in CI logs, whatever the interface language.
"""

from __future__ import annotations

import gettext
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from app import __version__, i18n, paths

#: The receipt's printed title in the catalog; the self-test looks for its translation.
RECEIPT_TITLE_MSGID: Final = "Payment receipt"
SELF_TEST_HALL: Final = "自检营业厅"

PdfText = Callable[[bytes], str]
Check = Callable[[], str]


@dataclass(frozen=True, slots=True)
class GuiChecks:
    """What the Qt side contributes: a PDF-to-text reader and checks of its own."""

    pdf_text: PdfText | None = None
    checks: Sequence[tuple[str, Check]] = ()


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float


@dataclass(slots=True)
class SelfTestReport:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)

    def text(self) -> str:
        lines = [
            f"HallDesk {__version__} self-test ({'frozen' if paths.is_frozen() else 'python'})"
        ]
        for r in self.results:
            lines.append(
                f"{'ok  ' if r.ok else 'FAIL'} {r.name:<10} {r.detail} ({r.seconds:.2f} s)"
            )
        failed = sum(1 for r in self.results if not r.ok)
        lines.append("self-test passed" if self.ok else f"self-test FAILED: {failed} check(s)")
        return "\n".join(lines)


def _run(report: SelfTestReport, name: str, check: Check) -> bool:
    start = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        ok = False
    report.results.append(CheckResult(name, ok, detail, time.perf_counter() - start))
    return ok


def check_files() -> str:
    needed = [
        paths.font_path(),
        paths.font_path(bold=True),
        paths.migrations_dir() / "env.py",
        paths.resource("policies", "arrears_default.json"),
    ]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise FileNotFoundError("missing: " + ", ".join(missing))
    return f"bundle {paths.bundle_root()}; data {paths.user_data_dir()}"


def check_tls() -> str:
    """HTTPS to the centre: the ssl module loads and a verifying context can be made."""
    import ssl

    context = ssl.create_default_context()
    authorities = context.cert_store_stats().get("x509_ca", 0)
    return f"{ssl.OPENSSL_VERSION}; {authorities} trusted authorities loaded"


def check_catalogs() -> str:
    """The zh_CN catalog is there and the running program translates with it.

    An installed program has the compiled ``.mo``; a source checkout or an editable
    install (``pip install -e``) may have only the ``.po``, which ``app.i18n`` compiles in
    memory: both pass, and the report says which one was read.
    """
    base = paths.i18n_dir() / i18n.DEFAULT_LANGUAGE / "LC_MESSAGES"
    mo, po = base / f"{i18n.DOMAIN}.mo", base / f"{i18n.DOMAIN}.po"
    if not mo.exists() and not po.exists():
        raise FileNotFoundError(f"no zh_CN catalog in {base} (neither {mo.name} nor {po.name})")
    with i18n.in_language("zh_CN"):
        title = i18n._(RECEIPT_TITLE_MSGID)
    if title == RECEIPT_TITLE_MSGID or not _has_han(title):
        raise AssertionError(f"zh_CN does not translate {RECEIPT_TITLE_MSGID!r} ({title!r})")
    if mo.exists():
        with mo.open("rb") as fh:
            entries = len(getattr(gettext.GNUTranslations(fh), "_catalog", {}))
        source = f"{entries} messages"
    else:
        source = f"{po.name} compiled in memory (run pybabel compile to ship the .mo)"
    return f"zh_CN: {source}, {RECEIPT_TITLE_MSGID!r} -> {title!r}"


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def check_store(folder: Path) -> str:
    """An empty store migrates to the head, is set up, and its administrator logs in."""
    from app.services.hall.service import HallService
    from app.services.hall.setup import (
        AdminDetails,
        CentreDetails,
        CounterDetails,
        HallDetails,
        SetupRequest,
        SetupService,
    )
    from app.services.staff.auth import AuthService
    from app.store.database import SCHEMA_HEAD, current_revision, open_store, sqlite_url

    store = open_store(sqlite_url(folder / "self-test.sqlite3"))
    try:
        revision = current_revision(store.engine)
        if revision != SCHEMA_HEAD:
            raise AssertionError(f"schema {revision}, expected {SCHEMA_HEAD}")
        setup = SetupService(store)
        if not setup.needs_setup():
            raise AssertionError("a new store does not ask for set-up")
        password = "self-test-1"
        setup.set_up(
            SetupRequest(
                hall=HallDetails(SELF_TEST_HALL, "SELFTEST", "自检路1号", "10000"),
                counter=CounterDetails("C01", "1号台席", "PC01"),
                centre=CentreDetails(),
                language="zh_CN",
                admin=AdminDetails("T001", "自检", password, password),
            )
        )
        actor = AuthService(store).login("T001", password)
        hall = HallService(store).info()
    finally:
        store.close()
    return f"schema {revision}; hall {hall.code}, administrator {actor.staff_no} logged in"


def render_sample_receipt() -> bytes:
    from app.documents.data import CUSTOMER_DOCUMENT_LANGUAGE
    from app.documents.receipt import PaidBill, ReceiptData, render_receipt

    data = ReceiptData(
        hall_name=SELF_TEST_HALL,
        hall_address="自检路1号",
        hotline="10000",
        receipt_no="R-SELFTEST-00000001",
        paid_at=datetime.now(UTC),
        timezone="Asia/Shanghai",
        staff_no="T001",
        customer_name="张三",
        account_no="3101000000000001",
        amount_fen=100_00,
        method="现金",
        bills=(PaidBill("2026-10", 100_00),),
        tendered_fen=100_00,
        change_fen=0,
    )
    with i18n.in_language(CUSTOMER_DOCUMENT_LANGUAGE):
        return render_receipt(data)


def check_receipt(folder: Path, pdf_text: PdfText | None) -> str:
    pdf = render_sample_receipt()
    (folder / "receipt.pdf").write_bytes(pdf)
    if not pdf.startswith(b"%PDF") or b"NotoSansSC" not in pdf or b"FontFile2" not in pdf:
        raise AssertionError("the receipt does not embed the bundled font")
    if pdf_text is None:
        return f"{len(pdf)} bytes, font embedded (text not read: no PDF reader)"
    text = pdf_text(pdf)
    with i18n.in_language("zh_CN"):
        title = i18n._(RECEIPT_TITLE_MSGID)
    for expected in (title, SELF_TEST_HALL):
        if expected not in text:
            raise AssertionError(f"{expected!r} not in the receipt's text {text[:80]!r}")
    return f"{len(pdf)} bytes; its text has the title {title!r}"


def check_workbook(folder: Path) -> str:
    """A leader's report workbook written and read back: openpyxl is installed and money
    is stored as a number with the ¥ format."""
    from openpyxl import load_workbook

    from app.documents.report_tables import Money, ReportBook, table
    from app.documents.workbook import YUAN_FORMAT, write_book

    today = datetime.now(UTC).date()
    book = ReportBook(
        key="self_test",
        title="Self-test",
        hall_name=SELF_TEST_HALL,
        start=today,
        end=today,
        generated_at=datetime.now(UTC),
        timezone="Asia/Shanghai",
        headline=(),
        tables=(table("amounts", "Amounts", ("Amount",), [(Money(123_45),)]),),
    )
    path = write_book(book, folder / "self-test.xlsx")
    cell = load_workbook(path)["Amounts"]["A2"]
    if not isinstance(cell.value, (int, float)) or round(cell.value * 100) != 123_45:
        raise AssertionError(f"¥123.45 was read back as {cell.value!r}")
    if cell.number_format != YUAN_FORMAT:
        raise AssertionError(f"the amount's format is {cell.number_format!r}")
    return f"{path.stat().st_size} bytes; ¥123.45 read back as the number {cell.value}"


def run_self_test(gui: Callable[[], GuiChecks] | None = None) -> SelfTestReport:
    """Run every check (each failure is reported, the others still run)."""
    report = SelfTestReport()
    _run(report, "files", check_files)
    _run(report, "catalogs", check_catalogs)
    _run(report, "tls", check_tls)
    gui_checks = GuiChecks()
    if gui is not None:

        def qt_start() -> str:
            nonlocal gui_checks
            gui_checks = gui()
            return "Qt started"

        _run(report, "qt", qt_start)
    with tempfile.TemporaryDirectory(prefix="halldesk-self-test-") as tmp:
        folder = Path(tmp)
        _run(report, "store", lambda: check_store(folder))
        _run(report, "receipt", lambda: check_receipt(folder, gui_checks.pdf_text))
        _run(report, "workbook", lambda: check_workbook(folder))
    for name, check in gui_checks.checks:
        _run(report, name, check)
    return report
