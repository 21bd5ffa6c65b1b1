"""Password and service-password hashing with scrypt, a memory-hard KDF from the stdlib.

The stored form is ``scrypt$n$r$p$salt$hash`` (base64), so parameters can be raised later
while old hashes still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Final

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
