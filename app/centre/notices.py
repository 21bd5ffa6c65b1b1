"""Fault notices issued at the centre, for every PC of a hall.

A network fault is usually known at the centre first. The centre writes the notice as the
same ``fault_notice`` record a shift leader's PC would push (and its end as a
``fault_notice_closure``), so the hall's PCs receive it with their next pull and show it in
the banner; complaints about the fault can then be linked to it at the counter. The same
checks apply as at the counter (``check_notice``), and the notice names a leader or an
administrator of that hall as the one who issued and approved it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from app.centre.service import Centre
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.ids import uuid7
from app.i18n import N_
from app.services.complaints.faults import FaultNoticeRequest, check_notice
from app.services.complaints.records import check_text
from app.store import sync_registry
from app.store.models import Role

#: ``device_code`` of what the centre writes itself.
CENTRE_DEVICE: Final = "CENTRE"


def _issuer(centre: Centre, hall_code: str, staff_no: str) -> Mapping[str, Any]:
    wanted = staff_no.strip().upper()
    staff: Mapping[str, Any]
    for staff in centre.records(hall_code, "staff").values():
        if str(staff.get("staff_no", "")).upper() == wanted and staff.get("active", True):
            if staff.get("role") not in (Role.LEADER.value, Role.ADMIN.value):
                raise PermissionDenied(N_("This needs a shift leader's credential."))
            return staff
    raise NotFound(N_("There is no staff member {staff_no} in this hall."), staff_no=wanted)


def hall_timezone(centre: Centre, hall_code: str) -> ZoneInfo:
    halls = list(centre.records(hall_code, "hall").values())
    return ZoneInfo(str(halls[0].get("timezone") or "Asia/Shanghai") if halls else "Asia/Shanghai")


def issue_fault_notice(
    centre: Centre, hall_code: str, request: FaultNoticeRequest, staff_no: str
) -> uuid.UUID:
    """Write a notice for the hall's PCs; returns its id."""
    now = centre.clock()
    request = check_notice(request, now)
    issuer = _issuer(centre, hall_code, staff_no)
    notice_id = uuid7()
    row = {
        "id": notice_id,
        "level": request.level,
        "services": request.services,
        "areas": request.areas,
        "started_at": request.started_at,
        "expected_recovery_at": request.expected_recovery_at,
        "wording": request.wording,
        "created_at": now,
        "device_code": CENTRE_DEVICE,
        "staff_id": int(issuer["id"]),
        "approved_by": int(issuer["id"]),
    }
    centre.put_records(hall_code, "fault_notice", [sync_registry.encode_row(row)])
    return notice_id


def close_fault_notice(
    centre: Centre, hall_code: str, notice_id: uuid.UUID, staff_no: str, note: str = ""
) -> None:
    """Service restored: end the notice (once) at every PC of the hall."""
    note = check_text("note", note, required=False, maximum=500)
    issuer = _issuer(centre, hall_code, staff_no)
    key = str(notice_id)
    if key not in centre.records(hall_code, "fault_notice"):
        raise NotFound(N_("This fault notice does not exist."))
    if key in centre.records(hall_code, "fault_notice_closure"):
        raise ValidationError("notice", N_("This fault notice is already closed."))
    row = {
        "notice_id": notice_id,
        "closed_at": centre.clock(),
        "device_code": CENTRE_DEVICE,
        "staff_id": int(issuer["id"]),
        "approved_by": int(issuer["id"]),
        "note": note,
    }
    centre.put_records(hall_code, "fault_notice_closure", [sync_registry.encode_row(row)])


def parse_hall_time(text: str, zone: ZoneInfo) -> datetime:
    """``2026-11-29 18:00`` in the hall's time (or with an explicit offset)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(
            "time", N_("{value} is not a date and time like 2026-11-29 18:00."), value=text
        ) from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
