"""Identity documents, phone numbers and the masking of personal data.

The resident ID number follows GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check
character. Masking follows the service manual's information-security chapter: on screen
and on paper a clerk sees only what the task needs.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from app.domain.errors import ValidationError
from app.i18n import N_

ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS: Final = "10X98765432"

#: Mobile number prefixes in use by the three operators and China Broadnet (3 digits).
MOBILE_PREFIXES: Final = frozenset(
    {
        # China Mobile
        "134",
        "135",
        "136",
        "137",
        "138",
        "139",
        "147",
        "150",
        "151",
        "152",
        "157",
        "158",
        "159",
        "172",
        "178",
        "182",
        "183",
        "184",
        "187",
        "188",
        "195",
        "197",
        "198",
        # China Unicom
        "130",
        "131",
        "132",
        "145",
        "155",
        "156",
        "166",
        "167",
        "171",
        "175",
        "176",
        "185",
        "186",
        "196",
        # China Telecom
        "133",
        "149",
        "153",
        "173",
        "174",
        "177",
        "180",
        "181",
        "189",
        "190",
        "191",
        "193",
        "199",
        # China Broadnet
        "192",
    }
)

_MOBILE_RE = re.compile(r"^1\d{10}$")
_FIXED_RE = re.compile(r"^0(10|2\d|[3-9]\d{2})\d{7,8}$")


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def is_valid_id_number(value: str) -> bool:
    """True for an 18-character resident ID with a real birth date and a correct check."""
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_char(value[:17]) == value[17]


def normalise_phone(text: str) -> str:
    """Digits only: spaces, dashes and a leading +86 are dropped."""
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def is_mobile(number: str) -> bool:
    return bool(_MOBILE_RE.match(number)) and number[:3] in MOBILE_PREFIXES


def is_fixed_line(number: str) -> bool:
    return bool(_FIXED_RE.match(number))


def validate_phone(text: str, *, field: str = "phone") -> str:
    """Return the normalised number or raise a ValidationError that says what is wrong."""
    number = normalise_phone(text)
    if not number:
        raise ValidationError(field, N_("Enter a contact phone number."))
    if not number.isdigit():
        raise ValidationError(field, N_("A phone number contains digits only."))
    if is_mobile(number) or is_fixed_line(number):
        return number
    if number.startswith("1"):
        raise ValidationError(
            field, N_("A mobile number has 11 digits and a valid operator prefix.")
        )
    raise ValidationError(
        field, N_("A fixed-line number starts with its area code, for example 02112345678.")
    )


def mask_id_number(value: str) -> str:
    """Keep the first four and last four characters: ``3101**********123X``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first three and last four digits of a mobile: ``138****5678``."""
    if len(value) == 11 and value.startswith("1"):
        return value[:3] + "****" + value[-4:]
    if len(value) > 7:
        return value[: len(value) - 8] + "****" + value[-4:]
    return "*" * max(0, len(value) - 2) + value[-2:]


#: Where the district part of a Chinese address ends: a district, county or banner (区, 县,
#: 旗), or a city directly under a province or prefecture (市). "自治区" / "特别行政区" /
#: "地区" are provinces or prefectures, not districts, and are looked past.
_DISTRICT_END_RE = re.compile(r"(?<!自治)(?<!行政)(?<!地)区|[县旗]|市")
#: A district name is short; anything longer before the marker is not an address prefix.
_MAX_DISTRICT_PREFIX: Final = 20
MASKED_REST: Final = "****"


def mask_address(address: str) -> str:
    """Keep the province/city/district, mask the rest: ``上海市浦东新区****``.

    The district is what a clerk needs before the identity check (which grid, which
    hall); the street and house number are personal data. An address whose district is
    not recognised is masked whole, never shown by mistake.
    """
    address = address.strip()
    if not address:
        return ""
    end = 0
    for match in _DISTRICT_END_RE.finditer(address[:_MAX_DISTRICT_PREFIX]):
        end = match.end()
        if match.group() != "市":
            break
    if end == 0 or end >= len(address):
        return MASKED_REST if end == 0 else address
    return address[:end] + MASKED_REST


def id_number_problem(value: str) -> tuple[str, dict[str, str]] | None:
    """Why an 18-character resident ID number cannot be right, as a msgid and its
    parameters (None when it could be, or is not shaped like one): the check character
    does not match the first 17 digits, or the birth date does not exist. A search for
    such a number finds nothing; this says why instead of leaving the clerk guessing."""
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return None
    birth = value[6:14]
    try:
        date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        return N_(
            "This ID number cannot be right: its birth date {date} does not exist. "
            "Check the digits typed."
        ), {"date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"}
    expected = id_check_char(value[:17])
    if expected != value[17]:
        return N_(
            "This ID number cannot be right: its last character (the check digit) is "
            "{given}, but the first 17 digits give {expected}. A digit was probably "
            "mistyped."
        ), {"given": value[17], "expected": expected}
    return None


def mask_name(name: str, *, organisation: bool = False) -> str:
    """Keep a person's surname (and the last character of longer names): 张* , 张*明 , 欧**明."""
    if organisation or len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
