"""Customer lookup (``ui/lookup``): search by phone, ID number, account, name or pinyin; a
customer's accounts, services, bills and payments; the identity check before unmasking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.customers.search import CustomerRow as CustomerRow
    from app.services.customers.search import Lookup as Lookup
    from app.services.customers.search import MatchKind as MatchKind
    from app.services.customers.search import QueryKind as QueryKind
    from app.services.customers.search import SearchHit as SearchHit
    from app.services.customers.service import AccountView as AccountView
    from app.services.customers.service import CustomerDetail as CustomerDetail
    from app.services.customers.service import CustomerService as CustomerService
    from app.services.customers.service import PaymentView as PaymentView
    from app.services.customers.service import ServiceView as ServiceView
    from app.services.customers.service import UnmaskedIdentity as UnmaskedIdentity

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "search": ("CustomerRow", "Lookup", "MatchKind", "QueryKind", "SearchHit"),
        "service": (
            "AccountView",
            "CustomerDetail",
            "CustomerService",
            "PaymentView",
            "ServiceView",
            "UnmaskedIdentity",
        ),
    },
)
