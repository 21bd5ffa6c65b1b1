"""What a logged-in window needs: the store, the services, the actor and the hall."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from app import bootstrap
from app.services.arrears import ArrearsService
from app.services.base import Actor, Clock, utc_now
from app.services.customers import CustomerService
from app.services.hall import HallInfo, HallService
from app.services.payments import PaymentService
from app.services.payments.receipts import ReceiptService
from app.services.staff.auth import AuthService
from app.settings import SettingsBackend
from app.store.database import Store
from ui.tasks import TaskRunner


class _StoreService(Protocol):
    def __init__(self, store: Store, clock: Clock = ..., /) -> None: ...


S = TypeVar("S", bound=_StoreService)
T = TypeVar("T")


@dataclass
class AppContext:
    """Shared by every tab of one main window; built once after login.

    ``clock`` is the one the services were given; the UI asks it for "now" (countdowns,
    the business date), so a test that fixes the clock sees one consistent day.
    """

    store: Store
    actor: Actor
    hall: HallInfo
    settings: SettingsBackend
    auth: AuthService
    customers: CustomerService
    hall_service: HallService
    payments: PaymentService
    receipts: ReceiptService
    arrears: ArrearsService
    clock: Clock = utc_now
    tasks: TaskRunner = field(default_factory=lambda: TaskRunner())
    _services: dict[type[Any], Any] = field(default_factory=dict, repr=False)

    def service(self, cls: type[S]) -> S:
        """The window's one instance of a service built as ``cls(store, clock)``.

        Areas added after the first two (complaints, shifts, etiquette, sync) get their
        services this way, so a new area needs no new field here.
        """
        found = self._services.get(cls)
        if found is None:
            found = self._services[cls] = cls(self.store, self.clock)
        return found  # type: ignore[no-any-return]

    def shared(self, key: type[T], build: Callable[[], T]) -> T:
        """The window's one ``key`` object, built by ``build`` the first time (helpers
        that are not store services, such as the counter's devices)."""
        found = self._services.get(key)
        if found is None:
            found = self._services[key] = build()
        return found  # type: ignore[no-any-return]

    @classmethod
    def create(
        cls, store: Store, actor: Actor, settings: SettingsBackend, clock: Clock = utc_now
    ) -> AppContext:
        bootstrap.install()  # a window built without app.cli (a script, a test) needs it too
        hall_service = HallService(store)
        return cls(
            store=store,
            actor=actor,
            hall=hall_service.info(),
            settings=settings,
            auth=AuthService(store, clock),
            customers=CustomerService(store, clock),
            hall_service=hall_service,
            payments=PaymentService(store, clock),
            receipts=ReceiptService(store, clock),
            arrears=ArrearsService(store, clock),
            clock=clock,
        )
