"""Complaints at two PCs of one hall: every event is kept, the centre orders them, a step no
longer valid is kept and flagged to both sides, and both PCs converge (real PostgreSQL)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.centre.service import Centre
from app.domain.complaint_flow import Department, Status
from app.i18n import _
from app.services.complaints import ComplaintRequest, ComplaintService
from app.services.staff.auth import AuthService
from app.settings import MemoryBackend
from app.store.database import Store, make_engine, sqlite_url
from app.store.models.complaints import ComplaintEvent, ComplaintEventOrder, ComplaintState
from app.sync.client import HallSync
from app.sync.service import SyncService
from tests.sync.conftest import Hall, new_hall_pc
from ui.complaints.case_view import CaseView
from ui.complaints.labels import event_text
from ui.context import AppContext

SUB = "network_no_signal"


def _request() -> ComplaintRequest:
    return ComplaintRequest(
        channel="counter",
        category="network",
        subcategory=SUB,
        description="家里客厅手机没有信号，已经一周了",
        contact_phone="138 0013 8000",
        contact_name="王小明",
    )


def _service(pc: Hall) -> ComplaintService:
    return ComplaintService(pc.store)


def _clerk(pc: Hall) -> object:
    return AuthService(pc.store).actor_for("A001")


def _planned_on_both(a: Hall, b: Hall) -> uuid.UUID:
    """A complaint taken at A, classified and planned, then known to B (status planned)."""
    svc, clerk = _service(a), _clerk(a)
    cid = svc.intake(clerk, _request()).complaint_id  # type: ignore[arg-type]
    svc.classify(clerk, cid, SUB)  # type: ignore[arg-type]
    svc.plan(clerk, cid, "派单给网络部门上门测试")  # type: ignore[arg-type]
    a.sync.sync()
    b.sync.sync()
    assert _service(b).case(cid).state.status is Status.PLANNED
    return cid


def _history(pc: Hall, cid: uuid.UUID) -> list[tuple[str, str, int | None, bool]]:
    """(event id, kind, centre order, flagged) in the hall's order."""
    with pc.store.read() as session:
        rows = session.execute(
            select(ComplaintEvent, ComplaintEventOrder)
            .outerjoin(ComplaintEventOrder, ComplaintEventOrder.event_id == ComplaintEvent.id)
            .where(ComplaintEvent.complaint_id == cid)
        ).all()
        out = [
            (str(e.id), e.kind, o.centre_seq if o else None, bool(o and o.flagged)) for e, o in rows
        ]
    return sorted(out, key=lambda r: (r[2] is None, r[2] or 0, r[0]))


def _state(pc: Hall, cid: uuid.UUID) -> tuple[str, str | None]:
    with pc.store.read() as session:
        row = session.get(ComplaintState, cid)
        assert row is not None
        return row.status, row.department


@pytest.mark.parametrize("first", ["a", "b"])
def test_crossing_steps_are_all_kept_ordered_and_the_late_one_flagged(
    centre: Centre, two_pcs: tuple[Hall, Hall], first: str
) -> None:
    a, b = two_pcs
    cid = _planned_on_both(a, b)
    # Offline at once: A records the result of handling, B forwards to another department.
    handled = _service(a).handle(_clerk(a), cid, "已上门调整天线，信号恢复")  # type: ignore[arg-type]
    forwarded = _service(b).forward(
        _clerk(b),  # type: ignore[arg-type]
        cid,
        Department.TECHNICAL.value,
        "转网络部门复查",
    )
    assert handled.state.status is Status.HANDLED
    assert forwarded.state.status is Status.FORWARDED
    pcs = {"a": a, "b": b}
    early, late = pcs[first], pcs["b" if first == "a" else "a"]
    early_report = early.sync.sync()
    late_report = late.sync.sync()
    early.sync.sync()  # brings the late one's event and the centre's order
    assert early_report.pushed > 0 and late_report.pushed > 0

    # The centre kept every event, ordered each complaint's history 1..n, flagged the late one.
    events = [
        p for p in centre.records("H1", "complaint_event").values() if p["complaint_id"] == str(cid)
    ]
    orders = {
        k: p
        for k, p in centre.records("H1", "complaint_event_order").items()
        if p["complaint_id"] == str(cid)
    }
    assert len(events) == 5  # received, classified, planned, handled, forwarded
    assert set(orders) == {p["id"] for p in events}
    assert sorted(int(o["centre_seq"]) for o in orders.values()) == [1, 2, 3, 4, 5]
    late_kind = "forwarded" if first == "a" else "handled"
    flagged = [o for o in orders.values() if o["flagged"]]
    assert [next(p["kind"] for p in events if p["id"] == o["event_id"]) for o in flagged] == [
        late_kind
    ]
    assert flagged[0]["reason"] == "invalid_transition"
    assert ("complaint_event", flagged[0]["event_id"], "invalid_transition") in centre.flags("H1")

    # Both PCs hold the same history in the same order and the same state; nothing is lost.
    history_a, history_b = _history(a, cid), _history(b, cid)
    assert history_a == history_b
    assert [h[2] for h in history_a] == [1, 2, 3, 4, 5]
    assert [h[1] for h in history_a if h[3]] == [late_kind]
    expected = (
        (Status.HANDLED.value, None) if first == "a" else (Status.FORWARDED.value, "technical")
    )
    assert _state(a, cid)[0] == _state(b, cid)[0] == expected[0]
    for pc in (a, b):
        case = _service(pc).case(cid)
        assert case.state.status.value == expected[0]
        shown = {(e.kind, e.applied, e.conflict) for e in case.events}
        assert (late_kind, False, "invalid_transition") in shown
        assert ComplaintService(pc.store).check_projection() == []
        # Each PC's leader sees the flagged step on the sync conflicts list.
        listed = [c for c in SyncService(pc.store).conflicts() if c.kind == "complaint_event"]
        assert [c.reason for c in listed] == ["invalid_transition"]


def test_a_complaint_taken_on_a_reopened_store_reaches_the_other_pc(
    two_pcs: tuple[Hall, Hall],
) -> None:
    """A PC that reopened its store (after a restore; a long test session opens hundreds)
    still sends what it writes. When its new store's session factory was allocated where a
    closed store's had been, its writes reached no outbox: A pushed nothing and B answered
    "This complaint does not exist." (the flake of the test above in full CI runs)."""
    a, b = two_pcs
    clock = a.sync.clock
    freed: set[int] = set()
    for _attempt in range(200):
        engine = make_engine(sqlite_url(a.path))
        freed.add(id(a.store._sessions))
        a.store.close()
        del a.sync, a.store  # the closed store is freed just before the next one is built
        a.store = Store(engine)
        a.sync = HallSync(a.store, a.transport, clock)
        if id(a.store._sessions) in freed:
            break
    assert id(a.store._sessions) in freed, "A's store never reopened where a closed one was"
    _planned_on_both(a, b)


def test_both_archive_offline_keeps_both_and_flags_the_second(
    centre: Centre, two_pcs: tuple[Hall, Hall], tmp_path: Path, qtbot: QtBot
) -> None:
    a, b = two_pcs
    svc, clerk = _service(a), _clerk(a)
    cid = svc.intake(clerk, _request()).complaint_id  # type: ignore[arg-type]
    svc.classify(clerk, cid, SUB)  # type: ignore[arg-type]
    svc.plan(clerk, cid, "派单")  # type: ignore[arg-type]
    svc.handle(clerk, cid, "已处理")  # type: ignore[arg-type]
    svc.feed_back(clerk, cid, "phone", "已电话告知客户", "satisfied")  # type: ignore[arg-type]
    a.sync.sync()
    b.sync.sync()
    # Both archive the same complaint offline; both events have the same local seq.
    _service(a).archive(_clerk(a), cid)  # type: ignore[arg-type]
    _service(b).archive(_clerk(b), cid)  # type: ignore[arg-type]
    b.sync.sync()
    a.sync.sync()
    b.sync.sync()
    history_a, history_b = _history(a, cid), _history(b, cid)
    assert history_a == history_b
    archives = [h for h in history_a if h[1] == "archived"]
    assert len(archives) == 2  # both kept, on both PCs, although they share a seq
    assert [h[3] for h in archives] == [False, True]
    assert _state(a, cid)[0] == _state(b, cid)[0] == Status.ARCHIVED.value
    # A's own flagged push and the pulled flag are one item on A's list, not two.
    for pc in (a, b):
        listed = [c for c in SyncService(pc.store).conflicts() if c.kind == "complaint_event"]
        assert len(listed) == 1
    # A PC whose store is created later from the centre (a full download) agrees too.
    c = new_hall_pc(centre, "H1", tmp_path / "c.sqlite3")
    assert _history(c, cid) == history_a
    assert _state(c, cid) == _state(a, cid)
    assert [x.kind for x in SyncService(c.store).conflicts()] == ["complaint_event"]

    # The case view keeps the flagged step in the history, marked as not applied.
    ctx = AppContext.create(b.store, AuthService(b.store).actor_for("A001"), MemoryBackend())
    view = CaseView(ctx)
    qtbot.addWidget(view)
    view.show_complaint(cid)
    rows = [
        (view.events.index(r, 1).data(), view.events.index(r, 3).data())
        for r in range(view.events.rowCount())
    ]
    marked = [step for step, detail in rows if _("conflict — not applied") in detail]
    assert len(rows) == 7 and marked == [event_text("archived")]
    view.resize(900, 700)
    view.grab().save(str(tmp_path / "case.png"))
