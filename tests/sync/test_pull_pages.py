"""Pull pages: pulled page by page, the hall's tables end up as a full download leaves
them, and the hall's fast row writer stores exactly what an ORM insert stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.centre.local import LocalTransport
from app.centre.service import Centre
from app.store import sync_registry
from app.store.database import open_store, sqlite_url
from app.store.sync_capture import APPLYING
from app.sync.apply import upsert
from tests.sync.conftest import load_hall, new_hall_pc


class Recording(LocalTransport):
    def __init__(self, centre: Centre) -> None:
        super().__init__(centre)
        self.answers: list[dict[str, Any]] = []

    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        answer = super().call(endpoint, body, credential)
        if endpoint == "pull":
            self.answers.append(answer)
        return answer


def _raw(path: Path, table: str) -> set[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return set(conn.execute(f'SELECT * FROM "{table}"'))


def test_pages_bring_what_a_full_download_brings(
    centre: Centre, tiny_demo: Path, tmp_path: Path
) -> None:
    load_hall(centre, "H1", tiny_demo)
    pulled = Recording(centre)
    pc = new_hall_pc(centre, "H1", tmp_path / "paged.sqlite3", pulled)
    customers = centre.records("H1", "customer")
    changed = [
        {**customers[key], "address": f'新地址 "{key}"\n', "service_password_hash": None}
        for key in sorted(customers)[:3]
    ]
    new = {**customers[sorted(customers)[0]], "id": 990001, "id_number": "X99000100000000001"}
    centre.put_records("H1", "customer", [*changed, new])
    twice = {**changed[0], "address": "又搬家了"}
    centre.put_records("H1", "customer", [twice])  # a row changed twice
    bills = centre.records("H1", "bill")
    centre.put_records("H1", "bill", [{**bills["1"], "id": 990002, "period": "2032-01"}])
    centre.delete_record("H1", "bill", "990002")
    pc.sync.pull_page = 4  # several pages, the row changed twice among them
    pulled.answers.clear()
    report = pc.sync.sync()
    assert len(pulled.answers) >= 2  # pages of 4 change-log entries
    assert report.pulled == 7  # 4 customers, one of them again, a bill and its tombstone
    # A PC enrolled now downloads the same data whole (a snapshot, not pages of changes).
    downloaded = new_hall_pc(centre, "H1", tmp_path / "downloaded.sqlite3")
    for table in ("customer", "bill", "account"):
        assert _raw(pc.path, table) == _raw(downloaded.path, table), table
    assert ("990001",) in {(str(r[0]),) for r in _raw(pc.path, "customer")}
    assert 990002 not in {r[0] for r in _raw(pc.path, "bill")}
    assert any("又搬家了" in row for row in _raw(pc.path, "customer"))  # the later change won
    for hall_pc in (pc, downloaded):
        hall_pc.store.close()


def test_the_row_writer_stores_what_the_orm_stored(tiny_demo: Path, tmp_path: Path) -> None:
    """Every kind's rows, as the centre sends them, written into an empty store: the stored
    values (UUIDs, times, dates, booleans, NULLs) are the source's, byte for byte."""
    source = open_store(sqlite_url(tiny_demo), migrate=False)
    target_path = tmp_path / "target.sqlite3"
    target = open_store(sqlite_url(target_path))
    try:
        payloads: dict[str, list[dict[str, Any]]] = {}
        with source.read() as s:
            for kind in sync_registry.ordered():
                rows = s.execute(select(kind.table)).mappings().all()
                payloads[kind.name] = [
                    p for p in sync_registry.rows_as_payloads(kind, rows) if kind.travels(p)
                ]
        assert sum(len(p) for p in payloads.values()) > 100
        for _round in range(2):  # the second round finds every row there already
            with target.unit_of_work() as s:
                s.info[APPLYING] = True
                for kind in sync_registry.ordered():
                    upsert(s.connection(), kind, payloads[kind.name])
        checked = 0
        for kind in sync_registry.ordered():
            if not payloads[kind.name]:
                continue
            names = [c.name for c in kind.table.columns if c.name not in kind.local]
            cols = ", ".join(f'"{n}"' for n in names)
            with sqlite3.connect(tiny_demo) as a, sqlite3.connect(target_path) as b:
                want = set(a.execute(f'SELECT {cols} FROM "{kind.name}"'))
                got = set(b.execute(f'SELECT {cols} FROM "{kind.name}"'))
            if kind.rows is None:
                assert want <= got, kind.name
                checked += len(want)
        assert checked > 100
    finally:
        source.close()
        target.close()
