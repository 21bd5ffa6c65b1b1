"""Customer lookup, the customer panel's data, identity verification and unmasking.

Search runs as a handful of indexed range or equality queries chosen by the shape of
what was typed; it never scans a table and never builds SQL from the input, so nonsense
and SQL-like text simply find nothing. A number finds a customer by service number or by
contact phone (``ix_customer_contact_phone``); the hit says which. An 18-character ID
number that cannot be right (check digit, birth date) finds nothing and ``search_hint``
says why.

Personal data arrives masked (ID number, phone, and the address down to its district)
until ``unmask`` after an identity check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.domain.errors import AuthenticationError, NotFound, PermissionDenied, ValidationError
from app.domain.identity import (
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
)
from app.domain.ledger import BillLine, LedgerSummary, SettledBill, settle
from app.domain.passwords import verify_password
from app.domain.text import clean_text
from app.i18n import N_
from app.services.base import Actor, Clock, audit, utc_now
from app.services.customers.search import (
    DEFAULT_LIMIT,
    CustomerRow,
    Lookup,
    QueryKind,
    SearchHit,
    customer_rows,
    exact_lookup,
    exact_matches,
    normalise_query,
    search_customers,
)
from app.store.database import Store
from app.store.models import (
    Customer,
    CustomerKind,
    GridUnit,
    IdentityCheck,
    VerificationMethod,
)

#: How long a successful identity check lets the same clerk unmask the same customer.
IDENTITY_VALIDITY: Final = timedelta(minutes=30)
#: Wrong service passwords in a row (within a day, since the customer's last successful
#: check) after which only an ID document is accepted: a six-digit password must not be
#: guessable at the counter.
MAX_WRONG_PASSWORDS: Final = 5
WRONG_PASSWORD_WINDOW: Final = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ServiceView:
    service_id: int
    kind: str
    number: str
    plan: str
    status: str


@dataclass(frozen=True, slots=True)
class PaymentView:
    paid_at: datetime
    amount_fen: int
    method: str
    reference: str
    receipt_no: str


@dataclass(frozen=True, slots=True)
class AccountView:
    account_id: int
    number: str
    services: tuple[ServiceView, ...]
    ledger: LedgerSummary
    payments: tuple[PaymentView, ...]

    def recent_bills(self, count: int = 12) -> tuple[SettledBill, ...]:
        return tuple(reversed(self.ledger.bills[-count:]))


@dataclass(frozen=True, slots=True)
class CustomerDetail:
    """Everything the customer panel shows; personal data arrives masked."""

    customer_id: int
    kind: CustomerKind
    name: str
    name_masked: str
    id_type: str
    id_number_masked: str
    phone_masked: str
    #: District kept, the rest masked (``mask_address``); the full one comes with ``unmask``.
    address_masked: str
    grid_unit: str
    grid_manager: str
    grid_manager_phone: str
    created_on: date
    has_service_password: bool
    accounts: tuple[AccountView, ...]

    @property
    def arrears_fen(self) -> int:
        return sum(a.ledger.arrears_fen for a in self.accounts)

    @property
    def balance_fen(self) -> int:
        return sum(a.ledger.balance_fen for a in self.accounts)

    def huge_charges(self) -> list[tuple[str, SettledBill]]:
        return [(a.number, b) for a in self.accounts for b in a.ledger.bills if b.huge_charge]


@dataclass(frozen=True, slots=True)
class UnmaskedIdentity:
    id_number: str
    contact_phone: str
    address: str


class CustomerService:
    """Lookup, the customer panel, identity checks and audited unmasking."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        with self._store.read() as session:
            return search_customers(session, query, limit)

    def lookup(self, query: str, limit: int = DEFAULT_LIMIT, page: int = 50) -> Lookup:
        """``search`` and the ``rows`` of its first ``page`` hits, at once.

        A phone, account or 18-character ID number (the counter's usual query) is one fixed
        statement on the store's reading connection (``Store.raw_read``); other queries
        are ``search`` and ``rows`` in one session. Either way the same hits, in the same
        order (tests/services/customers/test_lookup.py compares them)."""
        kind, q = normalise_query(query)
        matches = exact_matches(q) if kind is QueryKind.DIGITS else None
        if matches is not None:
            with self._store.raw_read() as cursor:
                found = exact_lookup(cursor, q, matches, limit, page)
            # Nothing exact for seven digits or more: the service-number prefix (below).
            if found.hits or len(q) < 7 or not q.isdigit():
                return found
        with self._store.read() as session:
            hits = search_customers(session, query, limit)
            return Lookup(hits, customer_rows(session, [h.customer_id for h in hits[:page]]))

    def rows(self, ids: list[int]) -> list[CustomerRow]:
        with self._store.read() as session:
            return customer_rows(session, ids)

    def detail(self, customer_id: int, payments_shown: int = 20) -> CustomerDetail:
        with self._store.read() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise NotFound(N_("No customer with this number exists."))
            grid = session.get(GridUnit, customer.grid_unit_id) if customer.grid_unit_id else None
            accounts = tuple(
                self._account_view(session, account.id, account.number, payments_shown)
                for account in sorted(customer.accounts, key=lambda a: a.number)
            )
            organisation = customer.kind == CustomerKind.ORGANISATION
            return CustomerDetail(
                customer_id=customer.id,
                kind=CustomerKind(customer.kind),
                name=customer.name,
                name_masked=mask_name(customer.name, organisation=organisation),
                id_type=customer.id_type,
                id_number_masked=mask_id_number(customer.id_number),
                phone_masked=mask_phone(customer.contact_phone),
                address_masked=mask_address(customer.address),
                grid_unit=grid.name if grid else "",
                grid_manager=grid.manager_name if grid else "",
                grid_manager_phone=grid.manager_phone if grid else "",
                created_on=customer.created_on,
                has_service_password=bool(customer.service_password_hash),
                accounts=accounts,
            )

    @staticmethod
    def _account_view(
        session: Session, account_id: int, number: str, payments_shown: int
    ) -> AccountView:
        services = tuple(
            ServiceView(*row)
            for row in session.execute(
                text(
                    "SELECT id, kind, number, plan, status FROM service "
                    "WHERE account_id = :a ORDER BY kind, number"
                ),
                {"a": account_id},
            )
        )
        bills = [
            BillLine(period, amount, _as_date(issue), _as_date(due))
            for period, amount, issue, due in session.execute(
                text(
                    "SELECT period, amount_fen, issue_date, due_date FROM bill "
                    "WHERE account_id = :a ORDER BY period"
                ),
                {"a": account_id},
            )
        ]
        paid_total = session.execute(
            text(
                "SELECT COALESCE(SUM(amount_fen - penalty_fen), 0) FROM payment "
                "WHERE account_id = :a"
            ),
            {"a": account_id},
        ).scalar_one()
        payments = tuple(
            PaymentView(_as_utc(paid_at), amount, method, reference or "", receipt or "")
            for paid_at, amount, method, reference, receipt in session.execute(
                text(
                    "SELECT paid_at, amount_fen, method, reference, receipt_no FROM payment "
                    "WHERE account_id = :a ORDER BY paid_at DESC LIMIT :n"
                ),
                {"a": account_id, "n": payments_shown},
            )
        )
        return AccountView(account_id, number, services, settle(bills, paid_total), payments)

    def verify_identity(
        self,
        actor: Actor,
        customer_id: int,
        method: VerificationMethod,
        *,
        service_password: str = "",
        document_note: str = "",
    ) -> bool:
        """Record how the customer proved who they are; a wrong password is recorded too."""
        now = self._clock()
        with self._store.unit_of_work() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise NotFound(N_("No customer with this number exists."))
            if method is VerificationMethod.SERVICE_PASSWORD:
                if not service_password:
                    raise ValidationError(
                        "service_password", N_("Let the customer type the service password.")
                    )
                if not customer.service_password_hash:
                    raise ValidationError(
                        "service_password",
                        N_("This customer has no service password; check an ID document."),
                    )
                if _wrong_passwords_in_a_row(session, customer_id, now) >= MAX_WRONG_PASSWORDS:
                    raise AuthenticationError(
                        N_(
                            "The service password was wrong {n} times in a row today; check "
                            "the customer's ID document instead."
                        ),
                        n=MAX_WRONG_PASSWORDS,
                    )
                ok = verify_password(service_password, customer.service_password_hash)
            else:
                document_note = clean_text(document_note, field="document_note", multiline=False)
                if not document_note:
                    raise ValidationError(
                        "document_note", N_("Say which document you saw, for example ID card.")
                    )
                ok = True
            session.add(
                IdentityCheck(
                    customer_id=customer_id,
                    staff_id=actor.staff_id,
                    method=method.value,
                    succeeded=ok,
                    at=now,
                    note=document_note[:200],
                )
            )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="identity_check",
                entity="customer",
                entity_id=customer_id,
                method=method.value,
                succeeded=ok,
            )
        return ok

    def unmask(self, actor: Actor, customer_id: int) -> UnmaskedIdentity:
        """Full ID number, phone and address, allowed after this clerk verified this
        customer recently; the access is audited."""
        now = self._clock()
        with self._store.unit_of_work() as session:
            recent = session.scalars(
                select(IdentityCheck)
                .where(
                    IdentityCheck.customer_id == customer_id,
                    IdentityCheck.staff_id == actor.staff_id,
                    IdentityCheck.succeeded.is_(True),
                    IdentityCheck.at >= now - IDENTITY_VALIDITY,
                )
                .limit(1)
            ).first()
            if recent is None:
                raise PermissionDenied(
                    N_("Verify the customer's identity before showing personal data.")
                )
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise NotFound(N_("No customer with this number exists."))
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="unmask",
                entity="customer",
                entity_id=customer_id,
                check=str(recent.id),
            )
            return UnmaskedIdentity(customer.id_number, customer.contact_phone, customer.address)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _as_utc(value: object) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _wrong_passwords_in_a_row(session: Session, customer_id: int, now: datetime) -> int:
    """Wrong service passwords for this customer in the last day since their last
    successful check (at any counter whose checks this store holds)."""
    since = now - WRONG_PASSWORD_WINDOW
    last_ok = session.scalar(
        select(func.max(IdentityCheck.at)).where(
            IdentityCheck.customer_id == customer_id,
            IdentityCheck.succeeded.is_(True),
            IdentityCheck.at >= since,
        )
    )
    return int(
        session.scalar(
            select(func.count()).where(
                IdentityCheck.customer_id == customer_id,
                IdentityCheck.method == VerificationMethod.SERVICE_PASSWORD.value,
                IdentityCheck.succeeded.is_(False),
                IdentityCheck.at >= (last_ok if last_ok is not None else since),
            )
        )
        or 0
    )
