"""Complaint services on a copy of the demo store: intake, numbers, the event log and its
projection, call-backs, the worklist, fault notices, pending items and reports."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.complaint_clock import AppealRisk, DayCount, Level
from app.domain.complaint_flow import EventKind, Status, TransitionRefused
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import in_language
from app.services.base import Actor
from app.services.complaints import (
    ComplaintRequest,
    ComplaintService,
    WorklistFilter,
    WorklistSort,
)
from app.services.complaints.faults import FaultNoticeRequest, FaultNoticeService
from app.services.complaints.pending import pending_items
from app.services.complaints.reports import ComplaintReportService, report_csv
from app.services.pending import PendingKind, PendingQuery
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    s = open_store(sqlite_url(demo_db_copy))
    yield s
    s.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def service(store: Store, clock: Clock) -> ComplaintService:
    return ComplaintService(store, clock)


@pytest.fixture
def clerk(store: Store) -> Actor:
    return AuthService(store).actor_for("A001")


@pytest.fixture
def leader(store: Store) -> Actor:
    return AuthService(store).actor_for("L001")


def walk_in(**kw: object) -> ComplaintRequest:
    base = ComplaintRequest(
        channel="counter",
        category="network",
        subcategory="network_no_signal",
        description="家里客厅手机没有信号，已经一周了",
        contact_phone="138 0013 8000",
        contact_name="王小明",
        request="尽快修好",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_intake_numbers_are_per_device_and_gap_free(
    service: ComplaintService, clerk: Actor, demo_db_copy: Path
) -> None:
    con = sqlite3.connect(demo_db_copy)
    before = con.execute("SELECT COUNT(*) FROM complaint").fetchone()[0]
    first = service.intake(clerk, walk_in())
    with pytest.raises(ValidationError):
        service.intake(clerk, walk_in(description=""))
    second = service.intake(clerk, walk_in())
    n1 = int(first.number.rsplit("TS", 1)[1])
    assert first.number.startswith("PC01-TS")
    assert second.number == f"PC01-TS{n1 + 1:06d}"
    assert con.execute("SELECT COUNT(*) FROM complaint").fetchone()[0] == before + 2
    case = service.case(first.complaint_id)
    assert case.state.status is Status.RECEIVED
    assert case.contact_phone_masked == "138****8000"
    assert case.customer_name == "王*明"
    assert first.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # end of 2 Dec local
    con.close()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "weather"}, "category"),
        ({"subcategory": "billing_refund"}, "subcategory"),
        ({"description": "   "}, "description"),
        ({"description": "短"}, "description"),
        ({"description": "长" * 1001}, "description"),
        ({"contact_phone": ""}, "contact_phone"),
        ({"contact_phone": "1380013"}, "contact_phone"),
        ({"contact_phone": "abc"}, "contact_phone"),
        ({"contact_name": ""}, "contact_name"),
        ({"request": "x" * 501}, "request"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_intake_refusals_say_which_field(
    service: ComplaintService, clerk: Actor, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        service.intake(clerk, walk_in(**changes))
    assert caught.value.field == field
    assert caught.value.user_message()


def test_intake_for_a_customer_needs_no_name(service: ComplaintService, clerk: Actor) -> None:
    done = service.intake(clerk, walk_in(contact_name="", contact_phone="", customer_id=1))
    case = service.case(done.complaint_id)
    assert case.contact_phone_masked != "138****8000"  # the customer record's number
    assert "*" in case.customer_name
    assert service.customer_complaints(1)[0].number == done.number
    with pytest.raises(NotFound):
        service.intake(clerk, walk_in(customer_id=10**8))


def test_full_life_and_projection(
    service: ComplaintService, clerk: Actor, clock: Clock, demo_db_copy: Path
) -> None:
    cid = service.intake(clerk, walk_in()).complaint_id
    with pytest.raises(TransitionRefused):
        service.handle(clerk, cid, "done")
    with pytest.raises(ValidationError):
        service.forward(clerk, cid, "technical", "")
    service.classify(clerk, cid, "network_dropped_calls")
    clock.now += timedelta(hours=1)
    service.forward(clerk, cid, "technical", "请查基站")
    service.plan(clerk, cid, "派维护人员上门测试")
    clock.now += timedelta(days=1)
    service.pause(clerk, cid, "客户出差，约定下周测试")
    clock.now += timedelta(days=3)
    paused = service.case(cid)
    assert paused.reading.level is Level.PAUSED
    service.resume(clerk, cid)
    service.handle(clerk, cid, "更换天线，信号恢复")
    case = service.feed_back(clerk, cid, "phone", "电话告知已修复", "satisfied")
    assert case.state.status is Status.FED_BACK
    assert case.reading.level is Level.ANSWERED
    case = service.archive(clerk, cid, "基站覆盖不足")
    assert case.state.status is Status.ARCHIVED
    assert [e.kind for e in case.events] == [
        "received", "classified", "forwarded", "planned", "paused", "resumed", "handled",
        "fed_back", "archived",
    ]  # fmt: skip
    assert case.state.department == "technical"
    assert case.state.category == "network"
    assert case.allowed == frozenset({EventKind.REOPENED})
    # The paused days moved the deadline by three days.
    assert case.reading.deadline.due_at == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    reopened = service.reopen(clerk, cid, "客户说信号又没了")
    assert reopened.state.status is Status.CLASSIFIED
    assert reopened.state.clock_start == clock.now
    assert service.check_projection() == []
    con = sqlite3.connect(demo_db_copy)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE complaint_event SET note = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM complaint")
    con.close()


def test_refused_step_writes_nothing(service: ComplaintService, clerk: Actor) -> None:
    cid = service.intake(clerk, walk_in()).complaint_id
    with pytest.raises(TransitionRefused):
        service.archive(clerk, cid)
    with pytest.raises(TransitionRefused):
        service.resume(clerk, cid)
    assert len(service.case(cid).events) == 1
    with pytest.raises(NotFound):
        service.plan(clerk, uuid.uuid4(), "x")


def test_worklist_sorts_by_time_left_and_filters(
    service: ComplaintService, clerk: Actor, clock: Clock, store: Store
) -> None:
    old = service.intake(clerk, walk_in(category="billing", subcategory="")).complaint_id
    clock.now += timedelta(days=5)
    new = service.intake(clerk, walk_in()).complaint_id
    service.classify(clerk, new, "network_slow_data")
    service.forward(clerk, new, "technical", "x")
    ids = service.worklist_ids(WorklistFilter(), WorklistSort())
    assert ids.index(old.hex) < ids.index(new.hex)
    unanswered = [
        r.reading.deadline.due_at
        for r in service.worklist_rows(ids[:200])
        if r.reading.level not in (Level.ANSWERED, Level.LATE) and not r.paused
    ]
    assert len(unanswered) > 5
    assert unanswered == sorted(unanswered)
    tech = service.worklist_ids(WorklistFilter(department="technical"), WorklistSort())
    assert new.hex in tech and old.hex not in tech
    billing = service.worklist_ids(WorklistFilter(category="billing"), WorklistSort())
    assert old.hex in billing and new.hex not in billing
    mine = service.worklist_ids(WorklistFilter(staff_id=clerk.staff_id), WorklistSort())
    assert {old.hex, new.hex} <= set(mine)
    forwarded = service.worklist_ids(WorklistFilter(status="forwarded"), WorklistSort())
    assert new.hex in forwarded and old.hex not in forwarded
    assert service.worklist_count(WorklistFilter(status="forwarded")) == len(forwarded)
    with pytest.raises(ValidationError):
        service.worklist_ids(WorklistFilter(status="lost"), WorklistSort())
    with pytest.raises(ValidationError):
        service.worklist_ids(WorklistFilter(), WorklistSort("colour"))


def test_amber_red_and_appeal_flags(service: ComplaintService, clerk: Actor, clock: Clock) -> None:
    cid = service.intake(clerk, walk_in(says_will_appeal=True)).complaint_id
    clock.now += timedelta(days=13)
    row = service.worklist_rows([cid.hex])[0]
    assert row.reading.level is Level.AMBER
    clock.now += timedelta(days=3)
    row = service.worklist_rows([cid.hex])[0]
    assert row.reading.level is Level.RED
    assert row.risks == (AppealRisk.OVERDUE, AppealRisk.SAYS_WILL_APPEAL)
    case = service.case(cid)
    assert case.appeal_until == date(2028, 11, 16)


def test_working_days_setting_needs_a_leader_and_moves_deadlines(
    service: ComplaintService, clerk: Actor, leader: Actor
) -> None:
    cid = service.intake(clerk, walk_in()).complaint_id
    with pytest.raises(PermissionDenied):
        service.set_day_count(clerk, DayCount.WORKING)
    assert service.set_day_count(leader, DayCount.WORKING) >= 1
    assert service.day_count() is DayCount.WORKING
    # Received Monday 16 Nov: counting starts on the 17th; the 15th working day is
    # Monday 7 Dec.
    assert service.case(cid).reading.deadline.due_at == datetime(2026, 12, 7, 16, tzinfo=UTC)
    assert service.check_projection() == []


def test_callbacks(service: ComplaintService, clerk: Actor, store: Store, clock: Clock) -> None:
    cid = service.intake(clerk, walk_in()).complaint_id
    with pytest.raises(ValidationError):
        service.promise_callback(clerk, cid, NOW - timedelta(hours=1))
    with pytest.raises(ValidationError):
        service.promise_callback(clerk, cid, NOW + timedelta(days=90))
    cb = service.promise_callback(clerk, cid, NOW + timedelta(hours=4), "下午回电")
    with store.read() as session:
        items = pending_items(session, PendingQuery(now=NOW))
    mine = [i for i in items if i.kind is PendingKind.CALLBACK]
    assert any(i.due_at == NOW + timedelta(hours=4) and not i.overdue for i in mine)
    service.complete_callback(clerk, cb, "已回电")
    with pytest.raises(ValidationError):
        service.complete_callback(clerk, cb)
    assert service.case(cid).callbacks[0].done_at == NOW


def test_fault_notices_and_pending(
    store: Store, service: ComplaintService, clerk: Actor, leader: Actor, clock: Clock
) -> None:
    faults = FaultNoticeService(store, clock)
    request = FaultNoticeRequest(
        level=3,
        services="宽带",
        areas="世纪大道片区",
        started_at=NOW - timedelta(hours=2),
        expected_recovery_at=NOW + timedelta(hours=6),
        wording="光缆受损，正在抢修，预计今日18时恢复。",
    )
    with pytest.raises(PermissionDenied):
        faults.create(clerk, clerk, request)
    with pytest.raises(ValidationError):
        faults.create(clerk, leader, replace(request, level=5))
    with pytest.raises(ValidationError):
        faults.create(clerk, leader, replace(request, expected_recovery_at=NOW - timedelta(days=1)))
    notice = faults.create(clerk, leader, request)
    service.intake(clerk, walk_in(fault_notice_id=notice))
    other = service.intake(clerk, walk_in()).complaint_id
    service.link_fault(clerk, other, notice)
    active = [n for n in faults.active() if n.notice_id == notice]
    assert active[0].complaints == 2
    with store.read() as session:
        items = pending_items(session, PendingQuery(now=NOW, horizon=timedelta(days=30)))
    fault_items = [i for i in items if i.kind is PendingKind.FAULT_NOTICE]
    assert any(i.ref == "III" and i.count == 2 for i in fault_items)
    due = [i for i in items if i.kind is PendingKind.COMPLAINT_DUE]
    assert due and all(i.due_at is not None for i in due)
    faults.close(clerk, leader, notice, "已恢复")
    assert notice not in {n.notice_id for n in faults.active()}
    with pytest.raises(ValidationError):
        faults.close(clerk, leader, notice)
    with pytest.raises(ValidationError):
        service.link_fault(clerk, other, notice)


def test_pending_marks_overdue_and_narrows_to_staff(
    store: Store, service: ComplaintService, clerk: Actor, clock: Clock
) -> None:
    cid = service.intake(clerk, walk_in()).complaint_id
    number = service.case(cid).number
    later = NOW + timedelta(days=20)
    with store.read() as session:
        items = pending_items(session, PendingQuery(now=later, staff_id=clerk.staff_id))
        others = pending_items(session, PendingQuery(now=later, staff_id=10**6))
    ours = [i for i in items if i.ref == number]
    assert ours and ours[0].overdue and ours[0].kind is PendingKind.COMPLAINT_DUE
    assert not [i for i in others if i.ref == number]
    # The category is a code in the item and a word on screen and paper.
    assert ours[0].tag == walk_in().category
    with in_language("zh_CN"):
        assert ours[0].details().endswith(" · 网络质量")


def test_demo_complaints_agree_with_their_events(service: ComplaintService) -> None:
    assert service.worklist_count(WorklistFilter(status=None)) >= 20
    assert service.check_projection() == []
    counts = service.counts_by_status()
    assert (
        counts.get("archived", 0) > 0
        and counts.get("received", 0) + counts.get("classified", 0) > 0
    )


def test_report(store: Store, service: ComplaintService, clerk: Actor, clock: Clock) -> None:
    reports = ComplaintReportService(store, clock)
    period = (date(2026, 11, 16), date(2026, 11, 30))
    before = reports.report(*period)
    a = service.intake(clerk, walk_in()).complaint_id
    service.intake(clerk, walk_in(category="billing", subcategory="billing_refund"))
    service.classify(clerk, a, "network_no_signal")
    service.plan(clerk, a, "现场处理")
    service.handle(clerk, a, "已处理")
    clock.now += timedelta(hours=5)
    service.feed_back(clerk, a, "phone", "已告知", "unsatisfied")
    data = reports.report(*period)
    assert data.received == before.received + 2
    assert data.answered == before.answered + 1
    assert data.answered_in_time == before.answered_in_time + 1
    assert data.average_answer_hours is not None
    assert sum(line.count for line in data.by_category) == data.received
    csv_text = report_csv(data)
    assert str(data.received) in csv_text
    with pytest.raises(ValidationError):
        reports.report(date(2026, 11, 30), date(2026, 11, 1))


def test_handover_collects_complaint_items(
    store: Store, service: ComplaintService, clerk: Actor
) -> None:
    from app.services.pending import collect

    number = service.case(service.intake(clerk, walk_in()).complaint_id).number
    with store.read() as session:
        items = collect(session, PendingQuery(now=NOW + timedelta(days=16)))
    kinds = {i.kind for i in items}
    assert {PendingKind.COMPLAINT_DUE, PendingKind.FAULT_NOTICE} <= kinds
    ours = [i for i in items if i.ref == number]
    assert ours and ours[0].overdue
    # Overdue items come first.
    flags = [i.overdue for i in items]
    assert flags == sorted(flags, reverse=True)


SEED_APPEAL_RULE = (
    "电信业务经营者应当认真受理⽤户的投诉,并在接到⽤户投诉之⽇起15⽇内答复⽤户。"
    "⽤户对电信业务经营者的处理结果不满意或者电信业务经营者在接到投诉后15⽇内未答复的,"
    "可以向申诉受理机构提出申诉。"
)


def test_a_pause_does_not_hide_that_the_customer_may_appeal(
    store: Store, service: ComplaintService, clerk: Actor, clock: Clock
) -> None:
    """Seed: "…在接到⽤户投诉之⽇起15⽇内答复⽤户。…在接到投诉后15⽇内未答复的,可以向申诉
    受理机构提出申诉。" Issue 12 item 6: received 2026-11-02 10:00, paused after 2 days,
    resumed 10 days later; on 11-19 (17 days, unanswered) the case showed "ok", no risk,
    deadline 11-28. Now the statutory date shows beside the hall's and the risk is flagged
    from day 16, on the case, in the worklist, in the pending list and in the report."""
    assert "15⽇内未答复" in SEED_APPEAL_RULE
    clock.now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    cid = service.intake(clerk, walk_in()).complaint_id
    clock.now += timedelta(days=2)
    service.pause(clerk, cid, "等客户提供通话记录")
    clock.now += timedelta(days=10)
    service.resume(clerk, cid)
    clock.now = datetime(2026, 11, 17, 15, 59, tzinfo=UTC)  # 23:59 on day 15
    assert service.case(cid).risks == ()
    clock.now = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
    case = service.case(cid)
    assert case.reading.deadline.due_at == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 11-28
    assert case.reading.statutory_due == datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
    assert case.reading.level is Level.RED
    assert case.risks == (AppealRisk.OVERDUE,)
    row = service.worklist_rows([cid.hex])[0]
    assert row.reading.level is Level.RED and row.risks == (AppealRisk.OVERDUE,)
    number = case.number
    with store.read() as session:
        items = pending_items(session, PendingQuery(now=clock.now))
    ours = [i for i in items if i.ref == number]
    assert ours and ours[0].overdue
    assert ours[0].due_at == case.reading.statutory_due
    reports = ComplaintReportService(store, clock)
    report = reports.report(date(2026, 11, 1), date(2026, 11, 30))
    assert report.appealable_open >= 1
    with in_language("zh_CN"):
        assert "15 日" in report_csv(report) or "15日" in report_csv(report)


def test_reopening_keeps_the_unsatisfied_risk_until_later_feedback(
    service: ComplaintService, clerk: Actor, clock: Clock
) -> None:
    """Seed: "⽤户对电信业务经营者的处理结果不满意…的,可以向申诉受理机构提出申诉。"
    Issue 12 item 7: reopening an answered complaint cleared the "unsatisfied" risk."""
    cid = service.intake(clerk, walk_in()).complaint_id
    service.classify(clerk, cid, "network_no_signal")
    service.plan(clerk, cid, "现场处理")
    service.handle(clerk, cid, "已处理")
    answered = service.feed_back(clerk, cid, "phone", "已告知", "unsatisfied")
    assert answered.risks == (AppealRisk.UNSATISFIED,)
    reopened = service.reopen(clerk, cid, "客户仍不满意，重新处理")
    assert reopened.state.is_open
    assert AppealRisk.UNSATISFIED in reopened.risks
    assert AppealRisk.UNSATISFIED in service.worklist_rows([cid.hex])[0].risks
    service.plan(clerk, cid, "更换设备")
    service.handle(clerk, cid, "已更换")
    settled = service.feed_back(clerk, cid, "phone", "已告知", "satisfied")
    assert settled.risks == ()
    assert service.check_projection() == []


@pytest.mark.parametrize(
    ("count", "period"), [("calendar", "15 个自然日"), ("working", "15 个工作日")]
)
def test_the_slip_and_the_case_say_the_same_deadline(
    service: ComplaintService, clerk: Actor, leader: Actor, clock: Clock, count: str, period: str
) -> None:
    """Issue 12 item 8: the case said "2026/12/23 00:00 (自然日)" and the slip 2026-12-22
    for one complaint; in working-day mode the slip said "受理之日起 15 日内答复" beside a
    date 15 working days away. One wording, ``app.domain.complaint_deadline``."""
    from app.documents.complaint_ack import ack_lines, appeal_text
    from app.domain.complaint_deadline import due_text, period_text

    service.set_day_count(leader, DayCount(count))
    clock.now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    cid = service.intake(clerk, walk_in()).complaint_id
    case = service.case(cid)
    with in_language("zh_CN"):
        slip = service.acknowledgement(cid)
        shown = due_text(case.reading.deadline.due_at, "Asia/Shanghai")
        assert period_text(case.day_count) == period
        lines = dict(ack_lines(slip))
        assert lines["答复期限"] == shown
        assert lines["答复时限"] == period
        words = "".join(appeal_text(slip))
    assert f"{period}内答复" in words and shown in words
    assert "15 日内答复" not in words
    if count == "calendar":
        assert shown == "2026/12/22 24:00"
    else:
        assert shown == "2026/12/28 24:00"  # 15 working days from 8 Dec
    assert "2026/12/22 24:00" in words  # the statutory date, either way
