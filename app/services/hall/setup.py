"""First run: turning a new, empty store into this PC's hall, counter and first administrator.

A store migrated from empty has no hall, no device row and no staff, so nobody can log in;
``SetupService.set_up`` writes all of them in one unit of work, with an audit event, and
only while the store is still new (a second set-up is refused, so the wizard cannot
overwrite a working hall). The checks are plain functions, one per wizard page, so the
wizard validates a page before moving on and the service checks everything again.

The centre's URL and enrolment code are stored as hall settings for the sync area to use;
enrolling the device with the centre (which exchanges the code for a device credential)
is the sync area's step and is not done here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from app import i18n
from app.domain.errors import PermissionDenied, ValidationError
from app.domain.ids import hall_record_id
from app.domain.passwords import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH  # the wizard's hint
from app.domain.passwords import check_new_password, hash_password
from app.domain.text import refuse_bad_characters
from app.i18n import N_
from app.services.base import Actor, Clock, audit, utc_now
from app.services.staff.passwords import set_password
from app.services.staff.rules import check_staff_no
from app.store.database import Store
from app.store.models import Counter, DeviceInfo, Hall, HallSetting, Role, Staff
from app.store.models.admin import HallPc

#: Hall settings written by the wizard (read by the sync area and the interface).
SETTING_CENTRE_URL: Final = "centre.url"
SETTING_ENROLMENT_CODE: Final = "centre.enrolment_code"
SETTING_LANGUAGE: Final = "hall.language"

DEFAULT_TIMEZONE: Final = "Asia/Shanghai"

_HALL_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,15}")
_COUNTER_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,15}")
_DEVICE_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,15}")
_HOTLINE = re.compile(r"[0-9][0-9-]{2,19}")
_ENROLMENT_CODE = re.compile(r"[A-Za-z0-9-]{4,64}")


@dataclass(frozen=True, slots=True)
class HallDetails:
    """What the receipts print about the hall."""

    name: str
    code: str
    address: str
    hotline: str
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True, slots=True)
class CounterDetails:
    """The counter this PC stands at, and the PC's own code (receipt numbers carry it)."""

    code: str
    name: str
    device_code: str


@dataclass(frozen=True, slots=True)
class CentreDetails:
    """Where this hall syncs; both may stay empty and be entered later."""

    url: str = ""
    enrolment_code: str = ""


@dataclass(frozen=True, slots=True)
class AdminDetails:
    staff_no: str
    name: str
    password: str
    password_again: str


@dataclass(frozen=True, slots=True)
class SetupRequest:
    hall: HallDetails
    counter: CounterDetails
    centre: CentreDetails
    language: str
    admin: AdminDetails


def _required(field: str, value: str, message: str, max_length: int) -> str:
    refuse_bad_characters(value, field=field)
    value = " ".join(value.split())
    if not value:
        raise ValidationError(field, message)
    if len(value) > max_length:
        raise ValidationError(
            field, N_("This entry is too long: at most {max} characters."), max=max_length
        )
    return value


def clean_hall(details: HallDetails) -> HallDetails:
    name = _required("hall_name", details.name, N_("Enter the hall's name."), 100)
    code = details.code.strip().upper()
    if not _HALL_CODE.fullmatch(code):
        raise ValidationError(
            "hall_code", N_("The hall code is 2 to 16 letters, digits or hyphens.")
        )
    address = _required(
        "address", details.address, N_("Enter the hall's address (it is printed on receipts)."), 200
    )
    hotline = details.hotline.strip()
    if not _HOTLINE.fullmatch(hotline):
        raise ValidationError(
            "hotline", N_("The service hotline is 3 to 20 digits (hyphens allowed).")
        )
    try:
        ZoneInfo(details.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "timezone", N_("Unknown time zone {timezone}."), timezone=details.timezone
        ) from None
    return HallDetails(name, code, address, hotline, details.timezone)


def check_counter_code(code: str) -> str:
    """A counter's code in its stored form (upper case), or a refusal."""
    code = code.strip().upper()
    if not _COUNTER_CODE.fullmatch(code):
        raise ValidationError(
            "counter_code", N_("The counter code is 1 to 16 letters, digits or hyphens.")
        )
    return code


def check_counter_name(name: str) -> str:
    return _required("counter_name", name, N_("Enter the counter's name."), 50)


def clean_counter(details: CounterDetails) -> CounterDetails:
    code = check_counter_code(details.code)
    name = check_counter_name(details.name)
    device = details.device_code.strip().upper()
    if not _DEVICE_CODE.fullmatch(device):
        raise ValidationError(
            "device_code", N_("The PC code is 2 to 16 letters, digits or hyphens.")
        )
    return CounterDetails(code, name, device)


def clean_centre(details: CentreDetails) -> CentreDetails:
    url = details.url.strip()
    code = details.enrolment_code.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(
                "centre_url",
                N_("The centre's address is a web address starting with https:// or http://."),
            )
        url = url.rstrip("/")
    if code:
        if not url:
            raise ValidationError(
                "centre_url", N_("Enter the centre's address for the enrolment code.")
            )
        if not _ENROLMENT_CODE.fullmatch(code):
            raise ValidationError(
                "enrolment_code",
                N_("The enrolment code is 4 to 64 letters, digits or hyphens."),
            )
    return CentreDetails(url, code)


def clean_language(language: str) -> str:
    if language not in i18n.LANGUAGES:
        raise ValidationError("language", N_("Choose a language."))
    return language


def clean_admin(details: AdminDetails) -> AdminDetails:
    staff_no = check_staff_no(details.staff_no)
    name = _required("admin_name", details.name, N_("Enter the administrator's name."), 50)
    # The same password rules as every later change (app.domain.passwords).
    check_new_password(details.password, staff_no, ())
    if details.password != details.password_again:
        raise ValidationError("password_again", N_("The two passwords are not the same."))
    return AdminDetails(staff_no, name, details.password, details.password_again)


def clean_request(request: SetupRequest) -> SetupRequest:
    """Every field checked in the wizard's page order; the first problem is raised."""
    return replace(
        request,
        hall=clean_hall(request.hall),
        counter=clean_counter(request.counter),
        centre=clean_centre(request.centre),
        language=clean_language(request.language),
        admin=clean_admin(request.admin),
    )


class SetupService:
    """Sets a new store up once: hall, counter, this PC, the first administrator, settings.

    There is no actor before set-up (the store has no staff), so the permission is the
    store's state: set-up is allowed only while no device row exists.
    """

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def needs_setup(self) -> bool:
        """True for a store with no hall for this PC yet (a new store; never the demo)."""
        with self._store.read() as session:
            return session.scalars(select(DeviceInfo.id).limit(1)).first() is None

    def set_up(self, request: SetupRequest) -> Actor:
        """Write the hall and its first administrator; returns the administrator as actor."""
        request = clean_request(request)
        password_hash = hash_password(request.admin.password)
        now = self._clock()
        with self._store.unit_of_work() as session:
            if session.scalars(select(DeviceInfo.id).limit(1)).first() is not None:
                raise PermissionDenied(N_("This store is already set up for a hall."))
            if session.scalars(select(Hall.id).where(Hall.code == request.hall.code)).first():
                raise ValidationError(
                    "hall_code",
                    N_("A hall with code {code} already exists."),
                    code=request.hall.code,
                )
            hall = Hall(
                code=request.hall.code,
                name=request.hall.name,
                address=request.hall.address,
                hotline=request.hall.hotline,
                timezone=request.hall.timezone,
            )
            session.add(hall)
            session.flush()
            # Ids derived from the codes, like every counter and member of staff the hall
            # adds later (app.domain.ids.hall_record_id): no PC of the hall can clash.
            counter = Counter(
                id=hall_record_id("counter", request.counter.code),
                hall_id=hall.id,
                code=request.counter.code,
                name=request.counter.name,
            )
            staff = Staff(
                id=hall_record_id("staff", request.admin.staff_no),
                hall_id=hall.id,
                staff_no=request.admin.staff_no,
                name=request.admin.name,
                role=Role.ADMIN.value,
                password_hash=password_hash,
                active=True,
                failed_logins=0,
            )
            session.add_all([counter, staff])
            session.flush()
            session.add(
                DeviceInfo(
                    device_code=request.counter.device_code,
                    hall_id=hall.id,
                    counter_id=counter.id,
                    is_demo=False,
                )
            )
            set_password(session, staff, password_hash, one_time=False, by=staff.id, now=now)
            session.add(
                HallPc(
                    pc_code=request.counter.device_code,
                    counter_id=counter.id,
                    updated_at=now,
                    updated_by=staff.id,
                )
            )
            settings = {
                SETTING_CENTRE_URL: request.centre.url,
                SETTING_ENROLMENT_CODE: request.centre.enrolment_code,
                SETTING_LANGUAGE: request.language,
            }
            for key, value in settings.items():
                row = session.get(HallSetting, key)
                if row is None:
                    session.add(HallSetting(key=key, value=value))
                else:
                    row.value = value
            audit(
                session,
                at=now,
                staff_id=staff.id,
                action="store_set_up",
                entity="hall",
                entity_id=hall.id,
                hall_code=hall.code,
                counter=counter.code,
                device=request.counter.device_code,
                centre_url=request.centre.url,
                enrolment_code_given=bool(request.centre.enrolment_code),
                language=request.language,
                admin=staff.staff_no,
            )
            return Actor(staff.id, staff.staff_no, staff.name, Role.ADMIN, hall.id)
