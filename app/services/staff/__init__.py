"""Staff (the login dialog and the idle lock): logging in with lock-out after repeated
failures, and the idle lock's unlock check (``auth``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.staff.auth import AuthService as AuthService

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "auth": ("AuthService",),
    },
)
