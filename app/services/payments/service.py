"""Payment collection at the counter: quote, plan, record, void and reverse.

``PaymentService`` is the entry point; its parts are ``plan`` (the request types, the
validation and the split of an amount, no store there), ``account`` (the account a payment
is planned against), ``receipt_numbers`` (issuing them) and ``corrections`` (voids and
reversals). The package ``app.services.payments`` names them all, so callers import
everything about payments from there. Invariants this service keeps, and why:

* **One payment, one transaction.** The payment row, its allocations, the penalty it
  posts, the device's next receipt number, the audit event, a penalty waiver and the
  restore requests are written in one unit of work, so either all of them exist or none
  does. The receipt number is taken
  from ``receipt_sequence`` in that same transaction: a payment that fails rolls its number
  back, and the numbers of a device have no gaps.
* **A receipt number is never issued twice**, whatever copy of the store the device runs
  on: the next number is one more than the highest of the store's sequence, the store's
  highest receipt of the device and the mark kept beside the store file, which is raised
  just before the payment commits (``app.store.number_marks``, which complaint numbers
  share); each sync raises the sequence to the centre's highest number from the device too.
* **What is confirmed is what is written.** ``prepare`` returns a ``PaymentPlan``; ``record``
  plans again inside its transaction, against the state no other writer can change before
  it commits, and refuses with ``PlanOutdated`` when the two differ (another payment, a new
  bill, a new business day changing the penalty). It never re-plans silently: the customer
  agreed to the amounts on the confirmation, so the clerk confirms again.
* **Money never changes after the fact.** Payments are append-only (the database refuses
  UPDATE and DELETE). A void or a reversal is a row of its own with the negated amount,
  penalty and cash rounding, pointing at the payment it corrects, so it re-opens exactly
  the bills and the penalty the payment settled; a payment is corrected at most once and
  a correction is never corrected. A penalty waived with the payment stays waived.
* **Outstanding amounts are the FIFO projection** of ``app.domain.ledger.settle`` over the
  account's bills and the sum of what payments credited (``amount_fen - penalty_fen``), the
  same rule the ``account_ledger`` triggers apply, so allocations agree with the ledger.
* **The late-payment penalty** is a ledger (``app.domain.penalty``): accrued day by day on
  what was overdue that day, posted when a payment takes money for the account (a
  ``penalty_accrual`` row for the days not posted before, up to the business date),
  settled by ``payment.penalty_fen`` and waived by ``penalty_waiver`` rows. A payment
  settles the bills first, then the penalty (``payment_plan``); not collecting the penalty
  is a waiver, which needs a shift leader and a reason, and is recorded (``penalty_waiver``
  row and audit event) in the payment's transaction. A penalty settled or waived is never
  asked again.

* **No money into a damaged store.** ``record``, ``void`` and ``reverse`` first wait for the
  store's full page check (``Store.health``, started in the background when the GUI opens
  the store) and are refused if it failed.

SQLite note: every write here starts with a statement that takes the database's write lock
(the device's ``receipt_sequence`` row), so the checks that follow read a state no other
program can change before this transaction commits.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.arrears_policy import ArrearsPolicy
from app.domain.errors import (
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.domain.identity import mask_name
from app.domain.ids import uuid7
from app.domain.penalty import runs_to_json
from app.i18n import N_
from app.services.arrears.records import business_date
from app.services.base import Actor, Clock, Desk, audit, check_reason, this_desk, utc_now
from app.services.listeners import Listeners
from app.services.payments.account import account_state, policy_in_force
from app.services.payments.corrections import (
    CorrectionRefused,
    CorrectionRule,
    correction_of,
    void_refusal,
    write_correction,
)
from app.services.payments.plan import (
    COUNTER_METHODS,
    ELECTRONIC_METHODS,
    MAX_PAYMENT_FEN,
    METHOD_LABELS,
    AccountState,
    PaymentPlan,
    PaymentQuote,
    PaymentRequest,
    PlannedAllocation,
    PlanOutdated,
    QuoteBill,
    check_request,
    method_label,
    plan_payment,
)
from app.services.payments.receipt_numbers import receipt_number
from app.services.shifts.records import NoOpenShift, require_current_shift
from app.store.database import Store
from app.store.models import (
    Account,
    Bill,
    Customer,
    CustomerKind,
    Payment,
    PaymentAllocation,
    PaymentKind,
    PaymentMethod,
    PenaltyAccrual,
    PenaltyWaiver,
    ReceiptPrint,
    RestoreRequest,
    Staff,
)
from app.store.number_marks import RECEIPTS, issuing

__all__ = [
    "COUNTER_METHODS",
    "ELECTRONIC_METHODS",
    "MAX_PAYMENT_FEN",
    "METHOD_LABELS",
    "CorrectionRefused",
    "CorrectionRule",
    "NoOpenShift",
    "PaymentDetail",
    "PaymentMethod",
    "PaymentPlan",
    "PaymentQuote",
    "PaymentRequest",
    "PaymentService",
    "PlanOutdated",
    "PlannedAllocation",
    "QuoteBill",
    "RecordedPayment",
    "check_request",
    "method_label",
    "receipt_number",
]

#: ``payment.reason`` and ``penalty_waiver.reason`` hold 200 characters.
MAX_REASON: Final = 200
#: ``receipt_print`` outcomes that put a copy in someone's hands or in the archive.
SUCCESSFUL_PRINTS: Final = ("printed", "saved")

_NEEDS_LEADER: Final = N_("This needs a shift leader's credential.")


# --- data -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordedPayment:
    """A row written by ``record``, ``void`` or ``reverse``.

    ``receipt_no`` is None for a void or reversal: it has no receipt of its own; the
    original's receipt is reprinted with the void mark instead (``original_id``).
    """

    payment_id: uuid.UUID
    receipt_no: str | None
    paid_at: datetime
    restore_request_ids: tuple[uuid.UUID, ...]
    kind: PaymentKind = PaymentKind.PAYMENT
    original_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class PaymentDetail:
    """One payment row for reprint and history.

    ``voided``/``reversed`` say whether a correction points at this payment
    (``correction_id``). ``prints`` counts the copies printed or saved so far, so the next
    copy is a 补打 when it is > 0. ``voidable``/``reversible`` say whether ``void``/``reverse``
    would pass their rules now (a credential and a reason are still needed).
    """

    payment_id: uuid.UUID
    kind: PaymentKind
    account_id: int
    account_no: str
    customer_name: str
    amount_fen: int
    penalty_fen: int
    method: str
    reference: str
    paid_at: datetime
    staff_no: str
    receipt_no: str | None
    device_code: str
    original_id: uuid.UUID | None
    reason: str
    voided: bool
    reversed: bool
    correction_id: uuid.UUID | None
    prints: int
    allocations: tuple[PlannedAllocation, ...]
    voidable: bool
    reversible: bool
    rounding_fen: int = 0


# --- store reads ------------------------------------------------------------------------------


def printed_copies(session: Session, payment_id: uuid.UUID) -> int:
    """How many copies of the receipt were printed or saved (distinct copy numbers), which
    is also the copy number of the next one."""
    count = session.scalar(
        select(func.count(func.distinct(ReceiptPrint.copy_no))).where(
            ReceiptPrint.payment_id == payment_id,
            ReceiptPrint.outcome.in_(SUCCESSFUL_PRINTS),
            ReceiptPrint.copy_no >= 0,
        )
    )
    return int(count or 0)


def _post_penalty(
    session: Session,
    actor: Actor,
    state: AccountState,
    payment: Payment,
    device_code: str,
    now: datetime,
) -> PenaltyAccrual | None:
    """Post the penalty of the days not posted yet, up to the business date, before the
    payment settles any of it (None when those days add nothing)."""
    runs = state.penalty.to_post
    if not runs:
        return None
    row = PenaltyAccrual(
        id=uuid7(),
        account_id=payment.account_id,
        first_day=runs[0].first,
        last_day=runs[-1].last,
        per_mille=state.penalty.per_mille,
        runs_json=json.dumps(runs_to_json(runs), separators=(",", ":")),
        amount_fen=state.penalty.unposted_fen,
        at=now,
        staff_id=actor.staff_id,
        device_code=device_code,
        payment_id=payment.id,
    )
    session.add(row)
    return row


def _check_leader(leader: Actor | None) -> Actor:
    if leader is None or not leader.is_leader:
        raise PermissionDenied(_NEEDS_LEADER)
    return leader


# --- the service ----------------------------------------------------------------------------


class PaymentService:
    """Takes payments at the counter and corrects them with voids and reversals.

    See the module docstring for the invariants. Every method opens its own unit of work;
    the hall-local business date comes from ``clock`` and the hall's time zone.
    ``money_moved`` is told after each payment, void and reversal has committed.
    """

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self.money_moved = Listeners()

    # -- reading --

    def quote(self, account_id: int) -> PaymentQuote:
        """What the account owes now, its unpaid bills and its lines."""
        now = self._clock()
        with self._store.read() as session:
            desk = this_desk(session)
            today = business_date(now, desk.timezone)
            state = account_state(
                session, account_id, today, desk.timezone, policy_in_force(session)
            )
        ledger = state.ledger()
        unpaid = tuple(
            QuoteBill(
                row.bill_id,
                row.line.period,
                row.line.amount_fen,
                settled.outstanding_fen,
                row.line.due_date,
            )
            for row, settled in zip(state.bills, ledger.bills, strict=True)
            if settled.outstanding_fen > 0
        )
        return PaymentQuote(
            account_id=state.account_id,
            account_no=state.account_no,
            customer_id=state.customer_id,
            customer_name=state.customer_name,
            organisation=state.organisation,
            owed_fen=-ledger.balance_fen,
            overdue_fen=ledger.overdue_fen(today),
            penalty_fen=state.penalty_fen,
            unpaid_bills=unpaid,
            services=state.services,
            penalty_accrued_fen=state.penalty.accrued_fen,
        )

    def prepare(self, actor: Actor, request: PaymentRequest) -> PaymentPlan:
        """Validate ``request`` and plan it against the account as it is now."""
        request = check_request(request)
        now = self._clock()
        with self._store.read() as session:
            desk = this_desk(session)
            today = business_date(now, desk.timezone)
            state = account_state(
                session, request.account_id, today, desk.timezone, policy_in_force(session)
            )
            return plan_payment(state, request, today)

    def payment_view(self, payment_id: uuid.UUID) -> PaymentDetail:
        """A payment (or correction) row with its correction and print state."""
        with self._store.read() as session:
            desk = this_desk(session)
            payment = session.get(Payment, payment_id)
            if payment is None:
                raise NotFound(N_("This payment does not exist."))
            account = session.get(Account, payment.account_id)
            assert account is not None
            customer = session.get(Customer, account.customer_id)
            assert customer is not None
            staff = session.get(Staff, payment.staff_id) if payment.staff_id else None
            correction = correction_of(session, payment.id)
            allocations = tuple(
                PlannedAllocation(bill_id, period, amount)
                for bill_id, period, amount in session.execute(
                    select(PaymentAllocation.bill_id, Bill.period, PaymentAllocation.amount_fen)
                    .join(Bill, Bill.id == PaymentAllocation.bill_id)
                    .where(PaymentAllocation.payment_id == payment.id)
                    .order_by(Bill.period)
                )
            )
            kind = PaymentKind(payment.kind)
            correctable = kind is PaymentKind.PAYMENT and correction is None
            return PaymentDetail(
                payment_id=payment.id,
                kind=kind,
                account_id=account.id,
                account_no=account.number,
                customer_name=mask_name(
                    customer.name, organisation=customer.kind == CustomerKind.ORGANISATION
                ),
                amount_fen=payment.amount_fen,
                penalty_fen=payment.penalty_fen,
                method=payment.method,
                reference=payment.reference or "",
                paid_at=payment.paid_at,
                staff_no=staff.staff_no if staff else "",
                receipt_no=payment.receipt_no,
                device_code=payment.device_code,
                original_id=payment.original_id,
                reason=payment.reason or "",
                voided=correction is not None and correction.kind == PaymentKind.VOID,
                reversed=correction is not None and correction.kind == PaymentKind.REVERSAL,
                correction_id=correction.id if correction else None,
                prints=printed_copies(session, payment.id),
                allocations=allocations,
                voidable=correctable and void_refusal(session, payment, desk, None) is None,
                reversible=correctable,
                rounding_fen=payment.rounding_fen,
            )

    # -- writing --

    def record(
        self,
        actor: Actor,
        plan: PaymentPlan,
        *,
        penalty_waiver: tuple[Actor, str] | None = None,
    ) -> RecordedPayment:
        """Write ``plan`` as one transaction, or refuse with nothing written.

        Refuses with ``PlanOutdated`` when planning again inside the transaction gives a
        different plan. A plan with a waived penalty needs ``penalty_waiver`` = (a shift
        leader's credential, the reason); a waiver for a plan that waives nothing is refused.
        """
        request = check_request(plan.request)
        waiver: tuple[Actor, str] | None = None
        if plan.waived_penalty_fen > 0:
            if penalty_waiver is None:
                raise ValidationError(
                    "penalty_waiver",
                    N_(
                        "Waiving the late-payment penalty needs a shift leader's credential "
                        "and a reason."
                    ),
                )
            waiver = (
                _check_leader(penalty_waiver[0]),
                check_reason(penalty_waiver[1], maximum=MAX_REASON),
            )
        elif penalty_waiver is not None:
            raise ValidationError(
                "penalty_waiver", N_("There is no late-payment penalty to waive.")
            )
        self._store.health.require_sound()
        now = self._clock()
        with (
            issuing(self._store.number_marks) as numbers,
            self._store.unit_of_work() as session,
        ):
            desk = this_desk(session)
            receipt_no = numbers.next(session, RECEIPTS, desk.device_code).text
            payment, restore_ids = self._write(
                session, actor, plan, request, waiver, desk, receipt_no, now
            )
            # Last, just before the commit: a crash after it skips this number, a crash
            # before it never issued it.
            numbers.mark()
        self.money_moved.notify()
        return RecordedPayment(payment.id, receipt_no, now, restore_ids)

    def _write(
        self,
        session: Session,
        actor: Actor,
        plan: PaymentPlan,
        request: PaymentRequest,
        waiver: tuple[Actor, str] | None,
        desk: Desk,
        receipt_no: str,
        now: datetime,
    ) -> tuple[Payment, tuple[uuid.UUID, ...]]:
        """The rows of one payment, in ``record``'s transaction."""
        shift = require_current_shift(session, actor.staff_id, desk.counter_id)
        today = business_date(now, desk.timezone)
        policy = policy_in_force(session)
        state = account_state(session, request.account_id, today, desk.timezone, policy)
        try:
            again = plan_payment(state, request, today)
        except ValidationError:  # e.g. a cash rounding the changed account no longer allows
            raise PlanOutdated() from None
        if again != plan:
            raise PlanOutdated()
        payment = Payment(
            id=uuid7(),
            account_id=request.account_id,
            amount_fen=request.amount_fen,
            method=request.method.value,
            reference=request.reference,
            paid_at=now,
            staff_id=actor.staff_id,
            receipt_no=receipt_no,
            kind=PaymentKind.PAYMENT.value,
            original_id=None,
            device_code=desk.device_code,
            counter_id=desk.counter_id,
            tendered_fen=request.tendered_fen,
            change_fen=plan.change_fen,
            reason="",
            approved_by=waiver[0].staff_id if waiver else None,
            penalty_fen=plan.penalty_fen,
            rounding_fen=plan.rounding_fen,
            shift_id=shift.id,
        )
        session.add(payment)
        session.flush()
        session.add_all(
            PaymentAllocation(payment_id=payment.id, bill_id=a.bill_id, amount_fen=a.amount_fen)
            for a in plan.allocations
        )
        posting = _post_penalty(session, actor, state, payment, desk.device_code, now)
        restore_ids = self._add_restores(session, plan, payment, policy, now)
        waiver_id = self._add_waiver(session, actor, plan, payment, waiver, now)
        audit(
            session,
            at=now,
            staff_id=actor.staff_id,
            action="payment",
            entity="payment",
            entity_id=str(payment.id),
            receipt_no=receipt_no,
            account_id=request.account_id,
            amount_fen=request.amount_fen,
            method=request.method.value,
            penalty_fen=plan.penalty_fen,
            penalty_posted=str(posting.id) if posting else None,
            penalty_posted_fen=plan.penalty_posted_fen,
            penalty_owed_after_fen=plan.penalty_owed_after_fen,
            rounding_fen=plan.rounding_fen,
            waived_penalty_fen=plan.waived_penalty_fen,
            penalty_waiver=str(waiver_id) if waiver_id else None,
            allocations=[[a.bill_id, a.amount_fen] for a in plan.allocations],
            prepayment_fen=plan.prepayment_fen,
            restore_requests=[str(i) for i in restore_ids],
        )
        return payment, restore_ids

    @staticmethod
    def _add_restores(
        session: Session,
        plan: PaymentPlan,
        payment: Payment,
        policy: ArrearsPolicy,
        now: datetime,
    ) -> tuple[uuid.UUID, ...]:
        """One restore request per planned line, due by the policy's deadline (art. 34)."""
        deadline = policy.restore_deadline(now)
        rows = [
            RestoreRequest(
                id=uuid7(),
                account_id=payment.account_id,
                service_id=service_id,
                payment_id=payment.id,
                requested_at=now,
                deadline_at=deadline,
            )
            for service_id in plan.restores
        ]
        session.add_all(rows)
        return tuple(r.id for r in rows)

    @staticmethod
    def _add_waiver(
        session: Session,
        actor: Actor,
        plan: PaymentPlan,
        payment: Payment,
        waiver: tuple[Actor, str] | None,
        now: datetime,
    ) -> uuid.UUID | None:
        if waiver is None:
            return None
        leader, reason = waiver
        row = PenaltyWaiver(
            id=uuid7(),
            account_id=payment.account_id,
            amount_fen=plan.waived_penalty_fen,
            reason=reason,
            at=now,
            staff_id=actor.staff_id,
            approved_by=leader.staff_id,
        )
        session.add(row)
        audit(
            session,
            at=now,
            staff_id=actor.staff_id,
            action="penalty_waived",
            entity="penalty_waiver",
            entity_id=str(row.id),
            account_id=payment.account_id,
            payment=str(payment.id),
            amount_fen=plan.waived_penalty_fen,
            approved_by=leader.staff_id,
            reason=reason,
        )
        return row.id

    def void(
        self, actor: Actor, payment_id: uuid.UUID, leader: Actor, reason: str
    ) -> RecordedPayment:
        """Cancel a payment taken by mistake: in the same shift, still open (the clerk's
        open shift at this counter), with a shift leader's credential and a reason. Later,
        a payment is corrected by a reversal."""
        return self._correct(actor, payment_id, leader, reason, PaymentKind.VOID)

    def reverse(
        self, actor: Actor, payment_id: uuid.UUID, leader: Actor, reason: str
    ) -> RecordedPayment:
        """Undo a payment at any later time (a refund, a bounced card payment), with a
        shift leader's credential and a reason; it counts in the clerk's open shift."""
        return self._correct(actor, payment_id, leader, reason, PaymentKind.REVERSAL)

    def _correct(
        self,
        actor: Actor,
        payment_id: uuid.UUID,
        leader: Actor,
        reason: str,
        kind: PaymentKind,
    ) -> RecordedPayment:
        leader = _check_leader(leader)
        reason = check_reason(reason, maximum=MAX_REASON)
        self._store.health.require_sound()
        now = self._clock()
        with self._store.unit_of_work() as session:
            row = write_correction(session, actor, payment_id, leader, reason, kind, now)
        self.money_moved.notify()
        return RecordedPayment(row.id, None, now, (), kind, payment_id)
