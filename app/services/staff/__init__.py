"""Staff (the login dialog, the idle lock, the administration window, change password):
logging in with lock-out after repeated failures, and the idle lock's unlock check
(``auth``); administrators adding staff, changing roles and counters, disabling and
re-enabling, giving one-time passwords and lifting lock-outs (``admin``); everyone
changing their own password (``passwords``); the checks of a staff number and a name
(``rules``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import lazy_exports

if TYPE_CHECKING:
    from app.services.staff.admin import NewStaff as NewStaff
    from app.services.staff.admin import OneTimePassword as OneTimePassword
    from app.services.staff.admin import StaffAdminService as StaffAdminService
    from app.services.staff.admin import StaffEdit as StaffEdit
    from app.services.staff.admin import StaffRow as StaffRow
    from app.services.staff.admin import may_work_at as may_work_at
    from app.services.staff.auth import AuthService as AuthService
    from app.services.staff.passwords import PasswordChange as PasswordChange
    from app.services.staff.passwords import PasswordService as PasswordService

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "admin": (
            "NewStaff",
            "OneTimePassword",
            "StaffAdminService",
            "StaffEdit",
            "StaffRow",
            "may_work_at",
        ),
        "auth": ("AuthService",),
        "passwords": (
            "PasswordChange",
            "PasswordService",
        ),
    },
)
