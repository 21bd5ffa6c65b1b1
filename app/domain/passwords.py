"""Password and service-password hashing with scrypt, a memory-hard KDF from the stdlib,
and the rules a staff password must keep.

The stored form is ``scrypt$n$r$p$salt$hash`` (base64), so parameters can be raised later
while old hashes still verify. Plain passwords are never stored or sent anywhere: only
these hashes travel to the centre and the hall's other PCs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from typing import Final

from app.domain.errors import ValidationError
from app.i18n import N_

SCRYPT_N: Final = 2**14
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1


def hash_password(password: str, *, n: int = SCRYPT_N, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=32,
        maxmem=2**26,
    )
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of ``password`` against a stored hash (False for no hash)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=base64.b64decode(salt_b64),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=32,
        maxmem=2**26,
    )
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


# --- the password rules -------------------------------------------------------------------

#: A staff password has at least this many characters.
MIN_PASSWORD_LENGTH: Final = 8
#: A new password may not be any of this many previous ones (the current one included).
PASSWORD_HISTORY: Final = 5
#: One-time passwords: letters and digits that cannot be mistaken for each other when read
#: aloud or copied from a slip (no 0/O, 1/l/I).
ONE_TIME_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH: Final = 10


def check_new_password(password: str, staff_no: str, previous_hashes: Sequence[str]) -> None:
    """Refuse a password that breaks a rule, with a message in the user's language.

    The rules: at least :data:`MIN_PASSWORD_LENGTH` characters; not the staff number (in
    any letter case, nor with spaces around it); not one of the previous passwords
    (``previous_hashes``, newest first: the current one and up to
    :data:`PASSWORD_HISTORY` − 1 before it). Each hash is checked with scrypt, so the
    history costs a few tens of milliseconds, once per change.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "password",
            N_("The password needs at least {count} characters."),
            count=MIN_PASSWORD_LENGTH,
        )
    if password.strip().upper() == staff_no.strip().upper():
        raise ValidationError("password", N_("The password must not be the staff number."))
    for stored in list(previous_hashes)[:PASSWORD_HISTORY]:
        if verify_password(password, stored):
            raise ValidationError(
                "password",
                N_("The password must differ from your last {count} passwords."),
                count=PASSWORD_HISTORY,
            )


def one_time_password() -> str:
    """A random one-time password (about 57 bits), shown once to the administrator."""
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH))
