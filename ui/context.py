"""What a logged-in window needs: the store, the services, the actor and the hall."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.services.auth import AuthService
from app.services.base import Actor
from app.services.customers import CustomerService
from app.services.hall import HallInfo, HallService
from app.settings import SettingsBackend
from app.store.database import Store
from ui.tasks import TaskRunner


@dataclass
class AppContext:
    """Shared by every tab of one main window; built once after login."""

    store: Store
    actor: Actor
    hall: HallInfo
    settings: SettingsBackend
    auth: AuthService
    customers: CustomerService
    hall_service: HallService
    tasks: TaskRunner = field(default_factory=lambda: TaskRunner())

    @classmethod
    def create(cls, store: Store, actor: Actor, settings: SettingsBackend) -> AppContext:
        hall_service = HallService(store)
        return cls(
            store=store,
            actor=actor,
            hall=hall_service.info(),
            settings=settings,
            auth=AuthService(store),
            customers=CustomerService(store),
            hall_service=hall_service,
        )
