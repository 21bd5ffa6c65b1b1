"""A complaint number is never issued twice by one device, whatever copy of its store it runs
on: the same mark and highs as receipt numbers (follow-up of issue 13, item 2).

The number (``PC01-TS000042``) is printed on the acknowledgement slip the customer keeps and
quotes when the answer is late. Seed: "电信业务经营者应当认真受理用户的投诉,并在接到用户投诉
之日起15日内答复用户。" — a number issued twice names two complaints, and the store's unique
number then refuses the centre's copy of the earlier one when it comes back with a pull.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.errors import StoreError
from app.services.base import Actor
from app.services.complaints import ComplaintRequest, ComplaintService
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from app.store.number_marks import COMPLAINTS, NumberMarks, NumberSeries, mark_path
from tests.conftest import _copy_store


def _request(description: str = "家里客厅手机没有信号，已经一周了") -> ComplaintRequest:
    return ComplaintRequest(
        channel="counter",
        category="network",
        subcategory="network_no_signal",
        description=description,
        contact_phone="138 0013 8000",
        contact_name="王小明",
    )


def _numbers(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT number FROM complaint WHERE device_code = 'PC01' ORDER BY number"
        ).fetchall()
    finally:
        con.close()
    return [str(r[0]) for r in rows]


def _n(number: str) -> int:
    return int(number.rsplit("TS", 1)[1])


class Desk:
    """The demo PC's complaint desk on a store file that can be put back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = open_store(sqlite_url(path))
        self.clerk: Actor = AuthService(self.store).actor_for("A001")

    def take(self, description: str = "家里客厅手机没有信号，已经一周了") -> str:
        return ComplaintService(self.store).intake(self.clerk, _request(description)).number

    def put_back(self, copy: Path) -> None:
        self.store.close()
        for suffix in ("-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        self.path.write_bytes(copy.read_bytes())
        self.store = open_store(sqlite_url(self.path))


@pytest.fixture
def desk(demo_db_copy: Path) -> Iterator[Desk]:
    d = Desk(demo_db_copy)
    yield d
    d.store.close()


def test_a_store_put_back_from_an_older_copy_numbers_complaints_after_the_highest_issued(
    desk: Desk, tmp_path: Path
) -> None:
    first = desk.take()
    copy = _copy_store(desk.path, tmp_path / "older.sqlite3")
    later = [desk.take() for _ in range(3)]
    assert [_n(x) for x in later] == [_n(first) + 1, _n(first) + 2, _n(first) + 3]
    desk.put_back(copy)
    assert later[0] not in _numbers(desk.path)
    again = desk.take()
    assert _n(again) == _n(later[-1]) + 1  # never one a customer already holds
    marks = json.loads(mark_path(desk.path).read_text(encoding="utf-8"))
    assert marks["complaint"] == {"PC01": _n(again)}


def test_a_sequence_behind_the_stores_own_complaints_numbers_after_them(desk: Desk) -> None:
    """The store's sequence says less than its own complaints (e.g. a store whose
    complaints came back with a pull): the next number follows the highest complaint."""
    highest = _numbers(desk.path)[-1]
    desk.store.close()
    con = sqlite3.connect(desk.path)
    with con:
        con.execute("UPDATE complaint_sequence SET last_no = 1 WHERE device_code = 'PC01'")
    con.close()
    mark_path(desk.path).unlink(missing_ok=True)
    desk.store = open_store(sqlite_url(desk.path))
    assert _n(desk.take()) == _n(highest) + 1


def test_a_complaint_that_fails_to_commit_puts_the_mark_back(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The intake fails after the mark was raised (as a failed commit would): nothing is
    written, the mark goes back, and the next complaint takes the number (no gap)."""
    first = desk.take()
    real = NumberMarks.raise_to

    def raise_then_fail(self: NumberMarks, series: NumberSeries, device: str, number: int) -> None:
        real(self, series, device, number)
        raise RuntimeError("the commit failed")

    monkeypatch.setattr(NumberMarks, "raise_to", raise_then_fail)
    with pytest.raises(RuntimeError):
        desk.take("这一条没有写进去")
    monkeypatch.undo()
    assert NumberMarks(mark_path(desk.path)).read(COMPLAINTS, "PC01") == _n(first)
    assert _n(desk.take()) == _n(first) + 1


def test_an_unreadable_mark_stops_complaint_numbers_with_a_clear_message(desk: Desk) -> None:
    desk.take()
    before = _numbers(desk.path)
    mark_path(desk.path).write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError) as refused:
        desk.take()
    assert str(mark_path(desk.path)) in refused.value.user_message()
    assert _numbers(desk.path) == before


def test_an_in_memory_store_has_no_mark_for_complaint_numbers() -> None:
    store = open_store("sqlite://")
    try:
        assert store.number_marks.path is None
        store.number_marks.raise_to(COMPLAINTS, "PC01", 5)
        assert store.number_marks.read(COMPLAINTS, "PC01") == 0
    finally:
        store.close()
