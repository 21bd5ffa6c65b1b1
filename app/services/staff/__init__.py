"""Staff: administration of the hall's staff, and everyone's own password.

``StaffAdminService`` (administrators) adds staff, changes roles and counters, disables
and re-enables, gives one-time passwords and lifts lock-outs; ``PasswordService`` lets
everyone change their own password. The login itself is ``app.services.auth``.
"""

from app.services.staff.admin import (
    NewStaff,
    OneTimePassword,
    StaffAdminService,
    StaffEdit,
    StaffRow,
    may_work_at,
)
from app.services.staff.passwords import PasswordChange, PasswordService

__all__ = [
    "NewStaff",
    "OneTimePassword",
    "PasswordChange",
    "PasswordService",
    "StaffAdminService",
    "StaffEdit",
    "StaffRow",
    "may_work_at",
]
