"""The scanner: a burst of fast keys ended by Enter is a scan, a person's typing never is;
what a scanned code is; a receipt QR code opens its payment only when its HMAC verifies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.devices.scanned_receipt import ScannedReceiptService
from app.devices.scanner import ScanDetector, ScanKind, classify
from app.domain.errors import NotFound, ValidationError
from app.domain.identity import id_check_char
from app.services.payments.receipts import ReceiptService, verification_code
from app.store.database import Store, open_store, sqlite_url
from app.store.models import PaymentMethod

WECHAT_CODE = "134567890123456789"  # 18 digits, 10–15
ALIPAY_CODE = "2812345678901234"  # 16 digits, 25–30
BEIJING_ID = "11010519491231002X"  # a valid ID number that starts like a WeChat code


def typed(detector: ScanDetector, text: str, gaps_ms: list[float], enter_gap: float) -> str | None:
    at = 1000.0
    for ch, gap in zip(text, gaps_ms, strict=True):
        at += gap
        detector.key(ch, at)
    return detector.enter(at + enter_gap)


def test_a_fast_burst_ended_by_enter_is_a_scan() -> None:
    detector = ScanDetector(min_length=6, max_interval_ms=30)
    assert typed(detector, WECHAT_CODE, [8] * 18, 8) == WECHAT_CODE


@pytest.mark.parametrize(
    "gaps",
    [
        [120] * 18,  # a steady typist
        [25] * 9 + [60] + [25] * 8,  # a fast typist's burst, broken once
        [300] + [20] * 4 + [200] * 13,  # five quick keys (rollover) are not six
    ],
    ids=["steady", "broken-burst", "rollover"],
)
def test_a_person_typing_is_never_a_scan(gaps: list[float]) -> None:
    detector = ScanDetector(min_length=6, max_interval_ms=30)
    assert typed(detector, WECHAT_CODE, gaps, 150) is None


def test_slow_enter_short_codes_corrections_and_auto_repeat_are_no_scan() -> None:
    detector = ScanDetector(min_length=6, max_interval_ms=30)
    assert typed(detector, WECHAT_CODE, [5] * 18, 90) is None  # Enter pressed by a person
    assert typed(detector, "12345", [5] * 5, 5) is None  # shorter than a scan
    detector.key("1", 0)
    detector.other()  # Backspace, an arrow: the burst is over
    assert detector.enter(1) is None
    at = 0.0
    for _ in range(10):
        at += 33 / 2
        detector.key("7", at, autorepeat=True)  # a held key repeats fast
    assert detector.enter(at + 5) is None


def test_the_burst_restarts_after_a_pause() -> None:
    detector = ScanDetector(min_length=6, max_interval_ms=30)
    assert detector.key("x", 0) is True
    assert detector.key("y", 500) is True  # a new burst
    for i, ch in enumerate("123456"):
        assert detector.key(ch, 510 + i * 5) is False
    assert detector.enter(545) == "y123456"


def test_payment_codes() -> None:
    wechat, alipay = classify(WECHAT_CODE), classify(ALIPAY_CODE)
    assert wechat.kinds == {ScanKind.WECHAT_PAY} and wechat.payment_method is PaymentMethod.WECHAT
    assert alipay.kinds == {ScanKind.ALIPAY} and alipay.payment_method is PaymentMethod.ALIPAY
    for digits in (16, 20, 24):
        assert classify("30" + "1" * (digits - 2)).is_a(ScanKind.ALIPAY)
    for code in (
        "160000000000000000",
        "0912345678901234567"[:18],
        "24" + "1" * 16,
        "31" + "1" * 16,
    ):
        assert classify(code).payment_method is None, code
    assert classify("25" + "1" * 23).payment_method is None  # 25 digits: too long


def test_an_id_number_that_looks_like_a_wechat_code_is_both() -> None:
    """Each screen takes the meaning that fits it: the payment dialog a payment code, the
    search box an ID number."""
    first17 = next(
        f"110105194912310{n:02d}"
        for n in range(100)
        if id_check_char(f"110105194912310{n:02d}") != "X"
    )
    both = classify(first17 + id_check_char(first17))
    assert both.kinds == {ScanKind.WECHAT_PAY, ScanKind.ID_NUMBER}
    assert classify(BEIJING_ID).kinds == {ScanKind.ID_NUMBER}  # the X: no payment code


def test_phones_and_receipts() -> None:
    assert classify("13812345678").kinds == {ScanKind.PHONE}
    receipt = classify("HALLDESK:R:PC01-00000042:12850:0123abcd")
    assert receipt.kinds == {ScanKind.RECEIPT}
    assert receipt.receipt == ("PC01-00000042", 12850)
    assert classify("HALLDESK:R:PC01-00000042:12850:zz").kinds == frozenset()


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(demo_db_copy))
    yield opened
    opened.close()


def _a_receipt(store: Store) -> tuple[str, int]:
    from sqlalchemy import select

    from app.store.models import Payment, PaymentKind

    with store.read() as session:
        row = session.execute(
            select(Payment.receipt_no, Payment.amount_fen)
            .where(Payment.receipt_no.is_not(None), Payment.kind == PaymentKind.PAYMENT.value)
            .limit(1)
        ).one()
    return str(row[0]), int(row[1])


def test_a_signed_receipt_code_opens_its_payment(store: Store) -> None:
    receipt_no, amount = _a_receipt(store)
    secret = ReceiptService(store)._secret()
    payload = f"HALLDESK:R:{receipt_no}:{amount}:{verification_code(secret, receipt_no, amount)}"
    payment = ScannedReceiptService(store).payment_for(payload)
    assert payment is not None


def test_a_forged_or_altered_code_opens_nothing(store: Store) -> None:
    receipt_no, amount = _a_receipt(store)
    forged = f"HALLDESK:R:{receipt_no}:{amount}:{verification_code('guess', receipt_no, amount)}"
    with pytest.raises(ValidationError):
        ScannedReceiptService(store).payment_for(forged)
    secret = ReceiptService(store)._secret()
    other = f"HALLDESK:R:{receipt_no}:{amount + 1}:"
    with pytest.raises(ValidationError):  # signed for another amount
        ScannedReceiptService(store).payment_for(
            other + verification_code(secret, receipt_no, amount)
        )
    missing = "PC99-00000001"
    with pytest.raises(NotFound):
        ScannedReceiptService(store).payment_for(
            f"HALLDESK:R:{missing}:100:{verification_code(secret, missing, 100)}"
        )


def test_a_repeated_receipt_number_opens_the_payment_its_amount_names(store: Store) -> None:
    """A PC restored with its number mark may have repeated a receipt number (migration
    0017 keeps both payments): the scanned code names the amount too, and opens the
    payment of that amount, not whichever of the two the store reads first."""
    import sqlite3

    receipt_no, amount = _a_receipt(store)
    con = sqlite3.connect(store.engine.url.database or "")
    columns = [r[1] for r in con.execute("PRAGMA table_info(payment)") if r[1] != "id"]
    names = ", ".join(columns)
    values = ", ".join("amount_fen + 1" if c == "amount_fen" else c for c in columns)
    con.execute(
        f"INSERT INTO payment (id, {names}) SELECT '00000000000000000000000000000009', "
        f"{values} FROM payment WHERE receipt_no = ?",
        (receipt_no,),
    )
    con.commit()
    con.close()
    secret = ReceiptService(store)._secret()
    scanned = ScannedReceiptService(store)
    for paid in (amount, amount + 1):
        code = f"HALLDESK:R:{receipt_no}:{paid}:{verification_code(secret, receipt_no, paid)}"
        found = scanned.payment_for(code)
        with store.read() as session:
            from app.store.models import Payment

            assert session.get(Payment, found).amount_fen == paid  # type: ignore[union-attr]
