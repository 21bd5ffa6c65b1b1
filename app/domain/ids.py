"""Keys for rows created at the counter: UUIDv7 (time-ordered, unique across devices), and
the integer ids of the hall's own staff and counters (derived from their codes)."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from typing import Final


def uuid7() -> uuid.UUID:
    """A version-7 UUID (RFC 9562): 48-bit Unix milliseconds, then random bits."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


#: Ids the hall allocates for its own integer-keyed records (staff, counters) lie in
#: [HALL_ID_MIN, HALL_ID_MAX): above every id the centre ever handed out (small serials),
#: below 2**53 so any JSON reader keeps them exact.
HALL_ID_MIN: Final = 2**32
HALL_ID_MAX: Final = 2**53


def hall_record_id(kind: str, code: str) -> int:
    """The integer id of a hall record named by its code (a staff number, a counter code).

    Staff and counters are added at any PC of the hall, offline, and their integer ids are
    referenced by many foreign keys, so two PCs must never hand out the same id for two
    different records. Deriving the id from the record's natural key (unique in the hall)
    guarantees that without a central counter: two PCs that add the same staff number
    offline create the same record (merged at the next sync, the last change winning)
    instead of two that clash on the unique staff number. Collisions between different
    codes need 2**26 codes for an even chance; the store's primary key refuses one anyway.
    """
    digest = hashlib.sha256(f"{kind}:{code.strip().upper()}".encode()).digest()
    return HALL_ID_MIN + int.from_bytes(digest[:8], "big") % (HALL_ID_MAX - HALL_ID_MIN)
