"""The demo hall's fixed rows: the hall, its counters, staff, device and grid units."""

from __future__ import annotations

import random
import sqlite3
from typing import Final

from app.demo import vocab
from app.demo.people import PeopleFactory
from app.domain.passwords import hash_password

#: Every demo staff member's password (documented in the user guide as demo-only).
DEMO_STAFF_PASSWORD: Final = "demo"
TIMEZONE: Final = "Asia/Shanghai"
COUNTERS: Final = 6
DEMO_DEVICE: Final = "PC01"


def counter_staff_count() -> int:
    """Staff ids 1 … n are the clerks and the leader, who take payments at a counter."""
    roles = [role for _no, _name, role in vocab.STAFF]
    count = roles.index("admin")
    if "admin" in roles[:count] or count == 0:
        raise ValueError("the demo staff list must put the clerks and leader first")
    return count


def insert_hall(con: sqlite3.Connection, rng: random.Random, people: PeopleFactory) -> None:
    """Hall 1 with counters C01 … C06, the demo staff, this PC (PC01 at C01) and the grids.

    Each staff hash gets a salt from the seed, so a seed reproduces the file exactly.
    """
    con.execute(
        "INSERT INTO hall (id, code, name, address, hotline, timezone) VALUES (1, ?, ?, ?, ?, ?)",
        (vocab.HALL_CODE, vocab.HALL_NAME, vocab.HALL_ADDRESS, "10000", TIMEZONE),
    )
    con.executemany(
        "INSERT INTO counter (id, hall_id, code, name) VALUES (?, 1, ?, ?)",
        [(i, f"C{i:02d}", f"{i}号台席") for i in range(1, COUNTERS + 1)],
    )
    staff = [
        (i, no, name, role, hash_password(DEMO_STAFF_PASSWORD, salt=rng.randbytes(16)))
        for i, (no, name, role) in enumerate(vocab.STAFF, start=1)
    ]
    con.executemany(
        "INSERT INTO staff (id, hall_id, staff_no, name, role, password_hash, active, "
        "failed_logins, locked_until) VALUES (?, 1, ?, ?, ?, ?, 1, 0, NULL)",
        staff,
    )
    con.execute(
        "INSERT INTO device_info (id, device_code, hall_id, counter_id, is_demo) "
        "VALUES (1, ?, 1, 1, 1)",
        (DEMO_DEVICE,),
    )
    grids = []
    for i in range(1, people.grid_count + 1):
        area = vocab.AREAS[(i - 1) % len(vocab.AREAS)][0]
        number = (i - 1) // len(vocab.AREAS) + 1
        manager = "".join(people.person_name(rng.randrange(1965, 1996), rng.random() < 0.5))
        grids.append((i, f"PD-G{i:04d}", f"{area}第{number}网格", manager, people.any_mobile()))
    con.executemany(
        "INSERT INTO grid_unit (id, hall_id, code, name, manager_name, manager_phone) "
        "VALUES (?, 1, ?, ?, ?, ?)",
        grids,
    )
