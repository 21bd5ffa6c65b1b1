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


def mask_name(name: str, *, organisation: bool = False) -> str:
    """Keep a person's surname (and the last character of longer names): 张* , 张*明 , 欧**明."""
    if organisation or len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
