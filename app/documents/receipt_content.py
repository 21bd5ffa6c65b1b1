"""What a payment receipt says, line by line: one object for every renderer.

The PDF (``app.documents.receipt``, 80 mm roll and A5) and the thermal printer's ESC/POS
commands (``app.devices.escpos_doc``) both lay out this content and nothing else, so the
two can never disagree on a figure, a label, the amount in words or a mark: hall name and
title, receipt number, local date and time, staff number, the customer (masked), the
account, what the payment settled in the order it settles it (the bills oldest first, then
the late-payment penalty, then any prepayment), a cash rounding written off in the
customer's favour, the amount paid in figures and in uppercase (人民币…), the method and
reference, cash tendered and change, the balance and the penalty still owed after payment,
the verification QR payload, the hotline footer, and the 补打 (with its count) and 作废
marks. Labels are English msgids translated when the content is built, so the caller's
language applies (receipts are built in Chinese); data values print as given.

No reportlab here: a screen or a printer driver can build the content without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.documents.data import ReceiptData
from app.domain.amount_words import format_figures, rmb_receipt_line
from app.domain.identity import mask_name
from app.i18n import _

__all__ = ["ReceiptContent", "Row", "receipt_content"]

#: A label and its value, as printed on one line.
Row = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ReceiptContent:
    """The receipt's text in print order; ``reprint`` and ``void`` are (mark, sentence)
    when the copy carries that mark, else None."""

    title: str
    subtitle: str
    address: str
    head: list[Row]
    bills_heading: str
    items: list[Row]
    total: Row
    words: Row
    payment: list[Row]
    qr_payload: str
    qr_caption: str
    footer: list[str]
    reprint: Row | None
    void: Row | None

    @property
    def words_line(self) -> str:
        """The amount in words as one line: "In words: 人民币…"."""
        return _("{label}: {value}").format(label=self.words[0], value=self.words[1])


def receipt_content(data: ReceiptData) -> ReceiptContent:
    """The content of the receipt ``data`` describes, in the current language."""
    local = data.paid_at.astimezone(ZoneInfo(data.timezone))
    customer = mask_name(data.customer_name, organisation=data.organisation)
    items = [
        (_("Bill {period}").format(period=bill.period), format_figures(bill.amount_fen))
        for bill in data.bills
    ]
    if data.penalty_fen:
        items.append((_("Late-payment penalty"), format_figures(data.penalty_fen)))
    if data.prepayment_fen:
        items.append((_("Prepayment"), format_figures(data.prepayment_fen)))
    if data.rounding_fen:
        items.append((_("Cash rounded down to the jiao"), "-" + format_figures(data.rounding_fen)))
    payment = [(_("Payment method"), data.method)]
    if data.reference:
        payment.append((_("Reference no."), data.reference))
    if data.tendered_fen is not None and data.change_fen is not None:
        payment.append((_("Cash tendered"), format_figures(data.tendered_fen)))
        payment.append((_("Change"), format_figures(data.change_fen)))
    if data.balance_after_fen < 0:
        payment.append((_("Still owed after payment"), format_figures(-data.balance_after_fen)))
    else:
        payment.append((_("Balance after payment"), format_figures(data.balance_after_fen)))
    if data.penalty_owed_after_fen:
        payment.append((_("Penalty still owed"), format_figures(data.penalty_owed_after_fen)))
    return ReceiptContent(
        title=data.hall_name,
        subtitle=_("Payment receipt"),
        address=data.hall_address,
        head=[
            (_("Receipt no."), data.receipt_no),
            (_("Date and time"), local.strftime("%Y-%m-%d %H:%M:%S")),
            (_("Staff no."), data.staff_no),
            (_("Customer"), customer),
            (_("Account no."), data.account_no),
        ],
        bills_heading=_("Items paid"),
        items=items,
        total=(_("Amount paid"), format_figures(data.paid_fen)),
        words=(_("In words"), rmb_receipt_line(data.paid_fen)),
        payment=payment,
        qr_payload=data.verify_payload,
        qr_caption=_("Scan to verify this receipt"),
        footer=[
            _("Service hotline: {hotline}").format(hotline=data.hotline),
            _("Please keep this receipt safe as your proof of payment."),
        ],
        reprint=(
            (_("REPRINT"), _("Reprint #{count}").format(count=data.reprint_count))
            if data.reprint_count
            else None
        ),
        void=(
            (_("VOID"), _("This receipt is void and is not proof of payment."))
            if data.voided
            else None
        ),
    )
