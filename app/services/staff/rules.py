"""What a staff record must be: its staff number and name, checked the same way by the
first-run wizard (the first administrator) and by staff administration."""

from __future__ import annotations

import re
from typing import Final

from app.domain.errors import ValidationError
from app.domain.text import refuse_bad_characters
from app.i18n import N_

#: A staff number: what the badge shows (工号牌), 2 to 16 letters or digits.
STAFF_NO: Final = re.compile(r"[A-Z0-9]{2,16}")
MAX_NAME: Final = 50


def check_staff_no(staff_no: str) -> str:
    """The staff number in its stored form (upper case), or a refusal."""
    cleaned = staff_no.strip().upper()
    if not STAFF_NO.fullmatch(cleaned):
        raise ValidationError("staff_no", N_("The staff number is 2 to 16 letters or digits."))
    return cleaned


def check_person_name(name: str, *, field: str = "name") -> str:
    """A person's name: one line, inner white space collapsed, 1 to 50 characters."""
    refuse_bad_characters(name, field=field, multiline=False)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError(field, N_("Enter the name."))
    if len(cleaned) > MAX_NAME:
        raise ValidationError(
            field, N_("This entry is too long: at most {max} characters."), max=MAX_NAME
        )
    return cleaned
