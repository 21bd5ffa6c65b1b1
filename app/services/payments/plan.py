"""The rules of taking a payment, without the store: what a request must look like, and how
its amount splits into the bills (oldest first), the late-payment penalty and a prepayment.

``PaymentService`` (``app.services.payments``) reads an ``AccountState`` from the store and
calls ``plan_payment`` twice: in ``prepare`` for the confirmation, and in ``record`` inside
the write transaction, where a different result means the account changed in between.

Rules, and why:

* The amount is what the payment settles, penalty included: it is what the account is
  credited and the receipt itemises.
* It settles the bills first (every bill owed, oldest first, as the FIFO projection
  ``app.domain.ledger.settle`` leaves them), then the penalty still owed, then a
  prepayment (``app.domain.penalty.split_payment``, which says why that order protects the
  customer). Any amount is accepted; the penalty not covered stays owed and is never asked
  twice. ``collect_penalty=False`` waives all of it, which ``record`` lets through only
  with a shift leader's waiver.
* Cash is taken in whole jiao (``app.domain.cash.cash_due``): an amount that pays
  everything owed has its fen written off for the customer (``rounding_fen``); any other
  cash amount and the cash tendered must be whole jiao.
* Nothing overdue after the payment asks for every restricted or suspended line without an
  open restore request to be restored (Telecommunications Regulations art. 34); a penalty
  left unpaid does not keep a line cut.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from app.domain.cash import cash_due, check_tendered
from app.domain.errors import ValidationError
from app.domain.ledger import BillLine, LedgerSummary, settle
from app.domain.money import fen_to_yuan
from app.domain.penalty import PenaltyPosition, split_payment
from app.domain.text import clean_text
from app.i18n import N_, _
from app.services.customers.service import ServiceView
from app.store.models import PaymentMethod, ServiceStatus

#: The largest single payment the counter takes (¥100,000).
MAX_PAYMENT_FEN: Final = 10_000_000
#: Methods a clerk can take at the counter (bank deduction and online arrive by sync).
COUNTER_METHODS: Final = (
    PaymentMethod.CASH,
    PaymentMethod.BANK_CARD,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
)
#: Methods whose transaction reference must be recorded.
ELECTRONIC_METHODS: Final = frozenset(
    {PaymentMethod.BANK_CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY}
)
#: Display names of the methods, translated with ``method_label`` where shown.
METHOD_LABELS: Final[Mapping[PaymentMethod, str]] = {
    PaymentMethod.CASH: N_("Cash"),
    PaymentMethod.BANK_CARD: N_("Bank card"),
    PaymentMethod.WECHAT: N_("WeChat Pay"),
    PaymentMethod.ALIPAY: N_("Alipay"),
    PaymentMethod.BANK_DEDUCTION: N_("Bank direct debit"),
    PaymentMethod.ONLINE: N_("Online"),
}
#: The same names by the method's stored value (for messages translated when shown).
METHOD_MSGIDS: Final[Mapping[str, str]] = {m.value: label for m, label in METHOD_LABELS.items()}
#: Service states a full payment of the overdue amount asks to restore (art. 34).
RESTORABLE: Final = frozenset({ServiceStatus.RESTRICTED.value, ServiceStatus.SUSPENDED.value})

_REFERENCE_RE: Final = re.compile(r"^[A-Za-z0-9-]{4,64}$")


def method_label(method: str) -> str:
    """The translated name of a payment method (the raw value for an unknown one)."""
    try:
        return _(METHOD_LABELS[PaymentMethod(method)])
    except ValueError:
        return method


def _yuan(fen: int) -> str:
    """An amount for a message parameter, in the form ``parse_amount``'s messages use."""
    return f"{fen_to_yuan(fen):,}"


class PlanOutdated(ValidationError):
    """The account changed between ``prepare`` and ``record``; prepare and confirm again."""

    def __init__(self) -> None:
        super().__init__(
            "plan",
            N_(
                "The account changed after the payment was confirmed (another payment, a new "
                "bill or a new business day). Check the new amounts with the customer and "
                "confirm again."
            ),
        )


@dataclass(frozen=True, slots=True)
class QuoteBill:
    """An unpaid (or partly paid) bill: ``outstanding_fen`` is what FIFO leaves open."""

    bill_id: int
    period: str
    amount_fen: int
    outstanding_fen: int
    due_date: date


@dataclass(frozen=True, slots=True)
class PaymentQuote:
    """What the payment dialog shows before the clerk types an amount.

    ``customer_name`` is masked (an organisation's name is public and shown in full).
    ``owed_fen`` is billed minus credited and may be ≤ 0 (a credit); ``overdue_fen`` the part
    past its due date; ``penalty_fen`` the late-payment penalty still owed on the business
    date (accrued less settled and waived); ``penalty_accrued_fen`` all that ever accrued.
    """

    account_id: int
    account_no: str
    customer_id: int
    customer_name: str
    organisation: bool
    owed_fen: int
    overdue_fen: int
    penalty_fen: int
    unpaid_bills: tuple[QuoteBill, ...]
    services: tuple[ServiceView, ...]
    penalty_accrued_fen: int = 0

    @property
    def total_due_fen(self) -> int:
        """The default amount: the bills owed plus the penalty still owed."""
        return max(0, self.owed_fen) + self.penalty_fen


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What the clerk entered. ``amount_fen`` is what the payment settles, penalty
    included; ``tendered_fen`` is for cash only (None means the exact cash due)."""

    account_id: int
    amount_fen: int
    method: PaymentMethod
    reference: str = ""
    tendered_fen: int | None = None
    collect_penalty: bool = True


@dataclass(frozen=True, slots=True)
class PlannedAllocation:
    """The part of a payment that settles one bill."""

    bill_id: int
    period: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """Exactly what ``record`` writes for ``request`` (normalised: reference trimmed, cash
    tendered filled in).

    ``amount_fen == penalty_fen + sum(allocations) + prepayment_fen``. ``waived_penalty_fen``
    is the penalty not collected (``collect_penalty=False``): recording it needs a leader's
    waiver. ``change_fen`` is None for card and app payments. ``balance_after_fen`` < 0 is
    still owed. ``clears_arrears``: something was overdue and nothing is after this payment.
    ``restores``: the restricted or suspended lines that get a restore request (every such
    line without an open request, whenever nothing is overdue after the payment).
    ``business_date`` is the hall-local day the plan (and its penalty) was made for.
    """

    request: PaymentRequest
    allocations: tuple[PlannedAllocation, ...]
    penalty_fen: int
    prepayment_fen: int
    change_fen: int | None
    balance_after_fen: int
    clears_arrears: bool
    restores: tuple[int, ...]
    waived_penalty_fen: int
    overdue_after_fen: int
    business_date: date
    penalty_owed_after_fen: int = 0
    penalty_posted_fen: int = 0
    rounding_fen: int = 0

    @property
    def amount_fen(self) -> int:
        return self.request.amount_fen

    @property
    def cash_fen(self) -> int:
        """What the customer hands over net of change (the amount less the rounding)."""
        return self.request.amount_fen - self.rounding_fen


@dataclass(frozen=True, slots=True)
class BillRow:
    """A bill with its id, which ``BillLine`` (the ledger's view) does not carry."""

    bill_id: int
    line: BillLine


@dataclass(frozen=True, slots=True)
class AccountState:
    """An account as planning needs it, read from the store in one session.

    ``bills`` are in the ledger's order (period, then due date), the order ``settle``
    returns them in, so the two can be zipped. ``credited_fen`` is the sum of
    ``amount_fen - penalty_fen`` over every payment row (voids and reversals are negative).
    ``penalty`` is the penalty on the business date (posted, not yet posted, settled,
    waived). ``customer_name`` is masked. ``open_restores``: lines with a restore request
    not done yet.
    """

    account_id: int
    account_no: str
    customer_id: int
    customer_name: str
    organisation: bool
    bills: tuple[BillRow, ...]
    credited_fen: int
    penalty: PenaltyPosition
    services: tuple[ServiceView, ...]
    open_restores: frozenset[int]

    @property
    def penalty_fen(self) -> int:
        """The penalty still owed on the business date."""
        return self.penalty.owed_fen

    def ledger(self, extra_credit_fen: int = 0) -> LedgerSummary:
        """The FIFO projection now, or after crediting ``extra_credit_fen`` more."""
        return settle([b.line for b in self.bills], self.credited_fen + extra_credit_fen)


# --- validation and planning -------------------------------------------------------------------


def check_request(request: PaymentRequest) -> PaymentRequest:
    """The request normalised, or the first ``ValidationError`` (its ``field`` named)."""
    try:
        method = PaymentMethod(request.method)
    except ValueError:
        method = None
    if method is None or method not in COUNTER_METHODS:
        raise ValidationError("method", N_("This payment method cannot be taken at the counter."))
    amount = request.amount_fen
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError("amount_fen", N_("The amount must be greater than zero."))
    if amount > MAX_PAYMENT_FEN:
        raise ValidationError(
            "amount_fen",
            N_("The amount is larger than the limit of {limit} yuan."),
            limit=_yuan(MAX_PAYMENT_FEN),
        )
    reference = clean_text(request.reference, field="reference", multiline=False)
    tendered = request.tendered_fen
    if method is PaymentMethod.CASH:
        if reference:
            raise ValidationError("reference", N_("A cash payment has no reference number."))
        if tendered is not None and (
            isinstance(tendered, bool) or not isinstance(tendered, int) or tendered <= 0
        ):
            raise ValidationError(
                "tendered_fen", N_("Less cash was tendered than the amount to pay.")
            )
        if tendered is not None and tendered > MAX_PAYMENT_FEN:
            raise ValidationError(
                "tendered_fen",
                N_("The cash tendered is larger than the limit of {limit} yuan."),
                limit=_yuan(MAX_PAYMENT_FEN),
            )
    elif method in ELECTRONIC_METHODS:
        if tendered is not None:
            raise ValidationError(
                "tendered_fen", N_("Cash tendered is entered for cash payments only.")
            )
        if not reference:
            raise ValidationError(
                "reference", N_("Enter the transaction reference number of the payment.")
            )
        if not _REFERENCE_RE.match(reference):
            raise ValidationError(
                "reference",
                N_("A reference number has 4 to 64 letters, digits or hyphens."),
            )
    return PaymentRequest(
        account_id=int(request.account_id),
        amount_fen=amount,
        method=method,
        reference=reference,
        tendered_fen=tendered,
        collect_penalty=bool(request.collect_penalty),
    )


def plan_payment(state: AccountState, request: PaymentRequest, today: date) -> PaymentPlan:
    """Split ``request.amount_fen`` into bills (oldest first), penalty and prepayment, and
    work out the cash to take (see the module docstring)."""
    penalty_owed = state.penalty_fen
    to_collect = penalty_owed if request.collect_penalty else 0
    before = state.ledger()
    split = split_payment(request.amount_fen, -before.balance_fen, to_collect)
    credit = split.bills_fen + split.prepayment_fen
    remaining = split.bills_fen
    allocations: list[PlannedAllocation] = []
    for row, settled in zip(state.bills, before.bills, strict=True):
        assert settled.bill == row.line, "AccountState.bills must be in the ledger's order"
        if remaining <= 0:
            break
        take = min(settled.outstanding_fen, remaining)
        if take > 0:
            allocations.append(PlannedAllocation(row.bill_id, row.line.period, take))
            remaining -= take
    after = state.ledger(credit)
    overdue_after = after.overdue_fen(today)
    restores: tuple[int, ...] = ()
    if overdue_after <= 0:
        restores = tuple(
            s.service_id
            for s in state.services
            if s.status in RESTORABLE and s.service_id not in state.open_restores
        )
    change = None
    rounding = 0
    if request.method is PaymentMethod.CASH:
        everything = max(0, -before.balance_fen) + to_collect
        due = cash_due(request.amount_fen, request.amount_fen == everything)
        tendered = due.due_fen if request.tendered_fen is None else request.tendered_fen
        change = check_tendered(tendered, due) - due.due_fen
        rounding = due.rounding_fen
        request = replace(request, tendered_fen=tendered)
    return PaymentPlan(
        request=request,
        allocations=tuple(allocations),
        penalty_fen=split.penalty_fen,
        prepayment_fen=split.prepayment_fen,
        change_fen=change,
        balance_after_fen=after.balance_fen,
        clears_arrears=before.overdue_fen(today) > 0 and overdue_after <= 0,
        restores=restores,
        waived_penalty_fen=penalty_owed - to_collect,
        overdue_after_fen=overdue_after,
        business_date=today,
        penalty_owed_after_fen=to_collect - split.penalty_fen,
        penalty_posted_fen=sum(
            r.amount_fen(state.penalty.per_mille) for r in state.penalty.to_post
        ),
        rounding_fen=rounding,
    )
