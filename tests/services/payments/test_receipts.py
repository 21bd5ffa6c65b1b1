"""Receipts built from the records: content, 补打 copies, 作废, the archive, the print log and
the verification code, against a copy of the demo store (Chinese, the default language)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from app.documents.receipt import ReceiptLayout
from app.domain.amount_words import format_figures, rmb_receipt_line
from app.domain.errors import NotFound, ValidationError
from app.i18n import _
from app.services.base import Actor
from app.services.payments import (
    PaymentMethod,
    PaymentPlan,
    PaymentRequest,
    PaymentService,
    RecordedPayment,
)
from app.services.payments.receipts import (
    SECRET_KEY,
    ReceiptService,
    RenderedReceipt,
    archive_name,
)
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from tests.conftest import open_test_shift

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = "2026-11-15"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without whitespace, so a label that wraps differently still matches."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 15, 10, 30, tzinfo=SHANGHAI).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Counter:
    path: Path
    store: Store
    clock: Clock
    payments: PaymentService
    receipts: ReceiptService
    clerk: Actor
    leader: Actor

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.path)
        try:
            with con:
                return con.execute(query, params).fetchall()
        finally:
            con.close()

    def account(self, where: str, *params: object) -> int:
        rows = self.sql(
            "SELECT l.account_id FROM account_ledger l JOIN account a ON a.id = l.account_id "
            f"JOIN customer c ON c.id = a.customer_id WHERE {where} ORDER BY l.account_id LIMIT 1",
            *params,
        )
        assert rows, where
        return int(str(rows[0][0]))

    def take(self, request: PaymentRequest) -> tuple[PaymentPlan, RecordedPayment]:
        plan = self.payments.prepare(self.clerk, request)
        return plan, self.payments.record(self.clerk, plan)

    def text(self, payment: RecordedPayment, layout: str = "roll80") -> tuple[int, str]:
        rendered = self.receipts.render(payment.payment_id, ReceiptLayout(layout), reprint=True)
        return rendered.copy_no, pdf_text(rendered.pdf)


@pytest.fixture
def counter(demo_db_copy: Path) -> Iterator[Counter]:
    store = open_store(sqlite_url(demo_db_copy))
    clock = Clock()
    auth = AuthService(store, clock)
    open_test_shift(store, clock)
    yield Counter(
        demo_db_copy,
        store,
        clock,
        PaymentService(store, clock),
        ReceiptService(store, clock),
        auth.actor_for("A001"),
        auth.actor_for("L001"),
    )
    store.close()


def full_payment(
    counter: Counter, status: str = "suspended"
) -> tuple[PaymentPlan, RecordedPayment]:
    account = counter.account(
        "l.owed_fen > 0 AND l.oldest_unpaid_due < ? AND c.kind = 'person' AND EXISTS "
        "(SELECT 1 FROM service s WHERE s.account_id = l.account_id AND s.status = ?)",
        TODAY,
        status,
    )
    quote = counter.payments.quote(account)
    return counter.take(
        PaymentRequest(account, quote.total_due_fen, PaymentMethod.CASH, tendered_fen=None)
    )


def test_receipt_of_a_full_payment(counter: Counter) -> None:
    plan, payment = full_payment(counter)
    copy_no, text = counter.text(payment)
    assert copy_no == 0
    account_no, name = counter.sql(
        "SELECT a.number, c.name FROM account a JOIN customer c ON c.id = a.customer_id "
        "WHERE a.id = ?",
        plan.request.account_id,
    )[0]
    assert payment.receipt_no is not None and payment.receipt_no in text
    masked = f"{str(name)[0]}*{str(name)[-1]}" if len(str(name)) == 3 else f"{str(name)[0]}*"
    assert masked in text and str(name) not in text
    assert str(account_no) in text
    assert "2026-11-1510:30:00" in text  # hall time, not UTC
    assert "A001" in text
    for allocation in plan.allocations:
        assert squeeze(_("Bill {period}").format(period=allocation.period)) in text
        assert format_figures(allocation.amount_fen) in text
    assert squeeze(_("Late-payment penalty")) + format_figures(plan.penalty_fen) in text
    # Cash in whole jiao: the fen of the total written off, on a line of their own.
    assert plan.rounding_fen == plan.amount_fen % 10 > 0
    rounded = squeeze(_("Cash rounded down to the jiao")) + "-" + format_figures(plan.rounding_fen)
    assert rounded in text
    assert squeeze(_("Amount paid")) + format_figures(plan.cash_fen) in text and "¥" in text
    assert rmb_receipt_line(plan.cash_fen) in text
    assert squeeze(_("Payment method")) + _("Cash") in text
    assert squeeze(_("Cash tendered")) + format_figures(plan.cash_fen) in text
    assert squeeze(_("Balance after payment")) + format_figures(0) in text
    assert squeeze(_("Penalty still owed")) not in text
    # What the payment settled, in the order it settles it: bills, then the penalty.
    last_bill = squeeze(_("Bill {period}").format(period=plan.allocations[-1].period))
    assert (
        text.index(last_bill) < text.index(squeeze(_("Late-payment penalty"))) < text.index(rounded)
    )
    hall, hotline = counter.sql("SELECT name, hotline FROM hall")[0]
    assert str(hall) in text and str(hotline) in text
    for mark in (_("REPRINT"), _("VOID"), "补打", "作废"):
        assert squeeze(mark) not in text


def test_receipt_in_a5(counter: Counter) -> None:
    plan, payment = full_payment(counter, "restricted")
    _copy, text = counter.text(payment, "a5")
    assert payment.receipt_no is not None and payment.receipt_no in text
    assert rmb_receipt_line(plan.cash_fen) in text
    assert squeeze(_("Cash rounded down to the jiao")) in text


def test_a_payment_short_of_the_penalty_prints_the_penalty_still_owed(counter: Counter) -> None:
    """Issue 12 item 1: the receipt prints the same split as the plan: the bills first,
    then what the payment settled of the penalty, and the penalty still owed after it."""
    account = counter.account(
        "l.owed_fen > 0 AND l.oldest_unpaid_due < ? AND c.kind = 'person'", TODAY
    )
    quote = counter.payments.quote(account)
    assert quote.penalty_fen > 2
    part = quote.penalty_fen // 3
    plan, payment = counter.take(
        PaymentRequest(account, quote.owed_fen + part, PaymentMethod.ALIPAY, "ALI-20261115-7")
    )
    assert plan.penalty_fen == part and plan.penalty_owed_after_fen == quote.penalty_fen - part
    _copy, text = counter.text(payment)
    assert squeeze(_("Late-payment penalty")) + format_figures(part) in text
    owed = squeeze(_("Penalty still owed")) + format_figures(quote.penalty_fen - part)
    assert owed in text
    assert squeeze(_("Cash rounded down to the jiao")) not in text
    # A later payment of the rest does not change what a reprint of this one says.
    counter.take(
        PaymentRequest(account, quote.penalty_fen - part, PaymentMethod.ALIPAY, "ALI-20261115-8")
    )
    assert counter.payments.quote(account).penalty_fen == 0
    _copy, again = counter.text(payment)
    assert owed in again


def test_partial_payment_prints_what_is_still_owed(counter: Counter) -> None:
    account = counter.account("l.owed_fen > 0 AND l.oldest_unpaid_due >= ?", TODAY)
    plan, payment = counter.take(
        PaymentRequest(account, 10_00, PaymentMethod.WECHAT, "4200001234202611150001")
    )
    _copy, text = counter.text(payment)
    assert squeeze(_("Still owed after payment")) + format_figures(-plan.balance_after_fen) in text
    assert squeeze(_("Payment method")) + _("WeChat Pay") in text
    assert "4200001234202611150001" in text
    assert _("WeChat Pay") == "微信支付"
    # A later payment does not change the balance a reprint shows.
    counter.take(PaymentRequest(account, 5_00, PaymentMethod.CASH))
    data = counter.receipts.receipt_data(payment.payment_id)
    assert data.balance_after_fen == plan.balance_after_fen


def test_prepayment_and_organisation_receipt(counter: Counter) -> None:
    account = counter.account("l.owed_fen <= 0 AND c.kind = 'organisation'")
    name = str(
        counter.sql(
            "SELECT c.name FROM customer c JOIN account a ON a.customer_id = c.id WHERE a.id = ?",
            account,
        )[0][0]
    )
    plan, payment = counter.take(PaymentRequest(account, 1000_00, PaymentMethod.CASH))
    _copy, text = counter.text(payment)
    assert squeeze(_("Prepayment")) + format_figures(1000_00) in text
    assert rmb_receipt_line(1000_00) == "人民币壹仟元整" and "人民币壹仟元整" in text
    assert name in text  # an organisation's name is not masked
    assert plan.allocations == ()


def test_reprints_are_marked_with_their_count(counter: Counter) -> None:
    _plan, payment = full_payment(counter)
    first = counter.receipts.render(payment.payment_id, ReceiptLayout.ROLL_80, reprint=False)
    assert first.copy_no == 0
    counter.receipts.record_print(
        counter.clerk, payment.payment_id, 0, ReceiptLayout.ROLL_80, "", "printed"
    )
    second = counter.receipts.render(payment.payment_id, ReceiptLayout.ROLL_80, reprint=True)
    assert second.copy_no == 1
    text = pdf_text(second.pdf)
    assert squeeze(_("REPRINT")) in text and "补打" in text
    assert squeeze(_("Reprint #{count}").format(count=1)) in text and "第1次补打" in text
    counter.receipts.record_print(
        counter.clerk, payment.payment_id, 1, ReceiptLayout.A5, "", "saved"
    )
    # Even a caller asking for an "original" gets the marked copy: only one is unmarked.
    third = counter.receipts.render(payment.payment_id, ReceiptLayout.ROLL_80, reprint=False)
    assert third.copy_no == 2 and "第2次补打" in pdf_text(third.pdf)
    assert counter.payments.payment_view(payment.payment_id).prints == 2


def test_a_failed_print_is_recorded_and_the_payment_stays(counter: Counter) -> None:
    plan, payment = full_payment(counter)
    owed_before = counter.sql(
        "SELECT owed_fen FROM account_ledger WHERE account_id = ?", plan.request.account_id
    )
    rendered = counter.receipts.render(payment.payment_id, ReceiptLayout.ROLL_80, reprint=False)
    print_id = counter.receipts.record_print(
        counter.clerk,
        payment.payment_id,
        rendered.copy_no,
        ReceiptLayout.ROLL_80,
        Path("/archive/x.pdf"),
        "failed",
        "printer out of paper",
    )
    rows = counter.sql(
        "SELECT id, copy_no, layout, staff_id, archive_path, outcome, error FROM receipt_print"
    )
    assert rows == [
        (print_id.hex, 0, "roll80", counter.clerk.staff_id, "/archive/x.pdf", "failed",
         "printer out of paper")
    ]  # fmt: skip
    events = counter.sql(
        "SELECT action, detail FROM audit_event WHERE action LIKE 'receipt_%' AND entity_id = ?",
        str(payment.payment_id),
    )
    assert [e[0] for e in events] == ["receipt_failed"]
    assert json.loads(str(events[0][1]))["error"] == "printer out of paper"
    kept = counter.sql("SELECT COUNT(*) FROM payment WHERE id = ?", payment.payment_id.hex)
    assert kept == [(1,)]
    assert (
        counter.sql(
            "SELECT owed_fen FROM account_ledger WHERE account_id = ?", plan.request.account_id
        )
        == owed_before
    )
    # The copy that never reached the customer is printed again unmarked.
    again = counter.receipts.render(payment.payment_id, ReceiptLayout.ROLL_80, reprint=True)
    assert again.copy_no == 0 and squeeze(_("REPRINT")) not in pdf_text(again.pdf)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        counter.sql("DELETE FROM receipt_print")


def test_a_voided_payment_prints_void(counter: Counter) -> None:
    _plan, payment = full_payment(counter)
    counter.receipts.record_print(
        counter.clerk, payment.payment_id, 0, ReceiptLayout.ROLL_80, "", "printed"
    )
    void = counter.payments.void(counter.clerk, payment.payment_id, counter.leader, "wrong amount")
    copy_no, text = counter.text(payment)
    assert copy_no == 1
    assert squeeze(_("VOID")) in text and "作废" in text
    assert "补打" in text
    assert payment.receipt_no is not None and payment.receipt_no in text
    with pytest.raises(ValidationError):
        counter.receipts.render(void.payment_id, ReceiptLayout.ROLL_80, reprint=False)


def test_a_reversed_payment_is_not_marked_void(counter: Counter) -> None:
    _plan, payment = full_payment(counter)
    counter.payments.reverse(counter.clerk, payment.payment_id, counter.leader, "charge back")
    _copy, text = counter.text(payment)
    assert "作废" not in text


def test_archive_writes_one_file_per_copy(counter: Counter, tmp_path: Path) -> None:
    _plan, payment = full_payment(counter)
    folder = tmp_path / "archive" / "2026-11"
    original = counter.receipts.render(payment.payment_id, ReceiptLayout.ROLL_80, reprint=False)
    first = counter.receipts.archive(original, folder)
    counter.receipts.record_print(
        counter.clerk, payment.payment_id, 0, ReceiptLayout.ROLL_80, first, "printed"
    )
    reprint = counter.receipts.render(payment.payment_id, ReceiptLayout.ROLL_80, reprint=True)
    second = counter.receipts.archive(reprint, folder)
    assert first.exists() and second.exists() and first != second
    assert first.name == f"{payment.receipt_no}.pdf"
    assert second.name == f"{payment.receipt_no}-copy1.pdf"
    assert first.read_bytes() == original.pdf and second.read_bytes() == reprint.pdf
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.name, second.name])
    assert counter.sql("SELECT archive_path FROM receipt_print") == [(str(first),)]


def test_archive_names_are_safe() -> None:
    assert archive_name("PC01-00000007", 0) == "PC01-00000007.pdf"
    assert archive_name("PC01-00000007", 3) == "PC01-00000007-copy3.pdf"
    assert archive_name("../x/y", 0) == ".._x_y.pdf"


def test_verification_code(counter: Counter) -> None:
    plan, payment = full_payment(counter)
    data = counter.receipts.receipt_data(payment.payment_id)
    match = re.fullmatch(r"HALLDESK:R:(.+):(\d+):([0-9a-f]{8})", data.verify_payload)
    assert match and match[1] == payment.receipt_no and int(match[2]) == plan.amount_fen
    secret = counter.sql("SELECT value FROM hall_setting WHERE key = ?", SECRET_KEY)
    assert len(secret) == 1 and len(str(secret[0][0])) == 64
    # Stable: the secret is made once.
    assert counter.receipts.receipt_data(payment.payment_id).verify_payload == data.verify_payload
    assert counter.receipts.verify(data.verify_payload)
    forged = data.verify_payload.replace(f":{plan.amount_fen}:", f":{plan.amount_fen + 1}:")
    assert not counter.receipts.verify(forged)
    assert not counter.receipts.verify("HALLDESK:R:nothing")
    assert not counter.receipts.verify("")


def test_unknown_payment(counter: Counter) -> None:
    from app.domain.ids import uuid7

    with pytest.raises(NotFound):
        counter.receipts.render(uuid7(), ReceiptLayout.ROLL_80, reprint=False)
    with pytest.raises(NotFound):
        counter.receipts.record_print(
            counter.clerk, uuid7(), 0, ReceiptLayout.ROLL_80, "", "failed", "x"
        )


def test_the_archive_never_replaces_another_payments_receipt(tmp_path: Path) -> None:
    """Two payments with one receipt number (a PC restored with its number mark repeats
    one, migration 0017): the second original goes beside the first, named with its
    payment's id; archiving the same copy again writes the same file."""
    first = RenderedReceipt(b"%PDF first", "PC01-00000003", 0, uuid.UUID(int=1), ReceiptLayout.A5)
    second = RenderedReceipt(b"%PDF other", "PC01-00000003", 0, uuid.UUID(int=2), ReceiptLayout.A5)
    one = ReceiptService.archive(first, tmp_path)
    assert ReceiptService.archive(first, tmp_path) == one
    two = ReceiptService.archive(second, tmp_path)
    assert one.name == "PC01-00000003.pdf"
    assert two.name == f"PC01-00000003-{uuid.UUID(int=2).hex[:12]}.pdf"
    assert one.read_bytes() == b"%PDF first" and two.read_bytes() == b"%PDF other"
