"""Demo complaints: a few hundred complaints at every stage of their life, and one active
fault notice, written on the generator's raw connection inside its transaction.

Deterministic: every draw comes from a ``random.Random`` seeded from the generator's seed,
UUIDv7 keys included (their time part is the row's time, their random part drawn), so a
seed reproduces the file. The projection rows are computed with the same domain code the
service uses (``complaint_flow.project`` and the calendar-day clock), so they agree with a
replay of the events. ``bench/bench_complaints.py`` calls ``insert_complaints`` with
200,000 complaints.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from app.demo.hall import DEMO_DEVICE, TIMEZONE, counter_staff_count
from app.domain.complaint_clock import ComplaintClock
from app.domain.complaint_flow import (
    SUBCATEGORIES,
    Category,
    Channel,
    ContactWay,
    Department,
    Event,
    EventKind,
    Satisfaction,
    Urgency,
    project,
)
from app.services.complaints.records import clock_input, complaint_number, due_rank

#: Complaints per demo customer, within bounds ("a few hundred" for the real demo).
SHARE: Final = 0.3
BOUNDS: Final = (20, 300)
#: The oldest demo complaint was received this many days before the demo's today.
MAX_AGE_DAYS: Final = 120
_SEED_SALT: Final = 0xC0FFEE

_DESCRIPTIONS: Final[dict[Category, tuple[str, ...]]] = {
    Category.BILLING: ("本月话费比平时多出五十元，不清楚原因", "套餐费用与办理时说的不一致"),
    Category.NETWORK: ("家中室内手机信号很差，经常断线", "宽带晚上网速很慢，看视频卡顿"),
    Category.ATTITUDE: ("营业员办理业务时态度不耐烦", "排队等候时间过长，无人引导"),
    Category.BUSINESS: ("申请过户一直没有办理完成", "预约装机时间到了无人上门"),
    Category.VALUE_ADDED: ("手机被订购了不知情的增值业务", "无法退订彩铃业务"),
    Category.MARKETING: ("宣传的优惠活动实际无法享受", "办理业务赠送的礼品未收到"),
    Category.PERSONAL_INFO: ("怀疑个人信息被泄露，经常接到推销电话",),
    Category.OTHER: ("对营业厅环境提出意见",),
}
_CATEGORY_WEIGHTS: Final = (30, 28, 10, 12, 8, 7, 2, 3)
_DEPARTMENT_FOR: Final[dict[Category, Department]] = {
    Category.BILLING: Department.BILLING,
    Category.NETWORK: Department.TECHNICAL,
    Category.VALUE_ADDED: Department.BILLING,
    Category.MARKETING: Department.MARKETING,
}
_STAGES: Final = (
    EventKind.RECEIVED,
    EventKind.CLASSIFIED,
    EventKind.FORWARDED,
    EventKind.PLANNED,
    EventKind.HANDLED,
    EventKind.FED_BACK,
    EventKind.ARCHIVED,
)


def demo_count(customers: int) -> int:
    low, high = BOUNDS
    return max(low, min(high, round(customers * SHARE)))


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _uuid7(rng: random.Random, at: datetime) -> str:
    ms = int(at.timestamp() * 1000)
    rand = rng.getrandbits(74)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value).hex


def _phone(rng: random.Random) -> str:
    return rng.choice(("138", "139", "150", "186", "133", "177")) + f"{rng.randrange(10**8):08d}"


_NAMES: Final = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴")
_GIVEN: Final = ("伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "军", "杰", "婷")


def insert_complaints(
    con: sqlite3.Connection,
    seed: int,
    today: date,
    customers: int,
    count: int | None = None,
    *,
    start: int = 0,
    batch: int = 20_000,
) -> int:
    """Write ``count`` complaints (default: ``demo_count(customers)``) and one active fault
    notice; returns how many complaints were written. Numbers continue after ``start``.
    Staff 1 … n-1 take complaints; the shift leader (the last counter staff) approves the
    notice."""
    rng = random.Random(seed ^ _SEED_SALT)
    count = demo_count(customers) if count is None else count
    zone = ZoneInfo(TIMEZONE)
    clock = ComplaintClock(TIMEZONE)
    staff_count = counter_staff_count()
    leader = staff_count
    midnight = datetime.combine(today, time(), zone)
    notice_at = midnight - timedelta(days=3, hours=20)
    notice_id = _uuid7(rng, notice_at)
    con.execute(
        "INSERT INTO fault_notice (id, level, services, areas, started_at, "
        "expected_recovery_at, wording, created_at, device_code, staff_id, approved_by) "
        "VALUES (?, 3, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            notice_id,
            "宽带、固定电话",
            "世纪大道沿线小区",
            _stamp(notice_at - timedelta(hours=1)),
            _stamp(midnight + timedelta(days=1, hours=18)),
            "因市政施工挖断光缆，世纪大道沿线部分小区宽带和固话中断，抢修人员正在全力抢修，"
            "预计明日18时前恢复。给您带来不便，敬请谅解。",
            _stamp(notice_at),
            DEMO_DEVICE,
            leader,
            leader,
        ),
    )
    categories = list(Category)
    written = start
    for chunk in _chunks(count, batch):
        complaints: list[tuple[object, ...]] = []
        events: list[tuple[object, ...]] = []
        states: list[tuple[object, ...]] = []
        for _n in chunk:
            written += 1
            category = rng.choices(categories, _CATEGORY_WEIGHTS)[0]
            sub = rng.choice(list(SUBCATEGORIES[category]))
            days_ago = 1 + int(rng.random() ** 1.6 * MAX_AGE_DAYS)
            received = midnight - timedelta(days=days_ago, hours=-rng.uniform(9, 17))
            staff = rng.randrange(1, staff_count)
            cid = _uuid7(rng, received)
            customer = rng.randrange(1, customers + 1) if rng.random() < 0.8 else None
            name = rng.choice(_NAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
            linked = category is Category.NETWORK and received >= notice_at and rng.random() < 0.9
            complaints.append(
                (
                    cid,
                    complaint_number(DEMO_DEVICE, written),
                    DEMO_DEVICE,
                    staff,
                    _stamp(received),
                    customer,
                    name,
                    _phone(rng),
                    rng.choice(list(ContactWay)).value,
                    rng.choices(list(Channel), (60, 20, 10, 3, 7))[0].value,
                    category.value,
                    sub,
                    "",
                    rng.choice(_DESCRIPTIONS[category]),
                    rng.choice(("尽快处理", "退还多收费用", "给个说法", "")),
                    rng.choices(list(Urgency), (80, 15, 5))[0].value,
                    int(rng.random() < 0.05),
                )
            )
            flow_events = list(_life(rng, received, midnight, category, sub, linked, notice_id))
            for seq, (event, way, note) in enumerate(flow_events, start=1):
                events.append(
                    (
                        _uuid7(rng, event.at),
                        cid,
                        seq,
                        event.kind.value,
                        _stamp(event.at),
                        DEMO_DEVICE,
                        staff,
                        event.category,
                        event.subcategory,
                        event.department,
                        way,
                        event.satisfaction,
                        event.fault_notice_id,
                        note,
                    )
                )
            flow = project(e for e, _w, _note in flow_events)
            last_at = flow_events[-1][0].at
            due = clock.deadline(clock_input(flow), flow.answered_at or last_at).due_at
            states.append(
                (
                    cid,
                    flow.status.value,
                    flow.category or category.value,
                    flow.subcategory or "",
                    flow.department,
                    staff,
                    customer,
                    _stamp(received),
                    _stamp(flow.clock_start),
                    _stamp(flow.paused_since) if flow.paused_since else None,
                    _stamp(due),
                    due_rank(due, flow.answered_at is not None),
                    _stamp(clock.statutory_due(flow.clock_start)),
                    _stamp(flow.answered_at) if flow.answered_at else None,
                    int(flow.status.value == "archived"),
                    flow.satisfaction,
                    flow.fault_notice_id,
                    len(flow_events),
                )
            )
        con.executemany(_COMPLAINT_INSERT, complaints)
        con.executemany(_EVENT_INSERT, events)
        con.executemany(_STATE_INSERT, states)
    con.execute(
        "INSERT INTO complaint_sequence (device_code, last_no) VALUES (?, ?) "
        "ON CONFLICT (device_code) DO UPDATE SET last_no = excluded.last_no",
        (DEMO_DEVICE, written),
    )
    return written - start


def _chunks(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(count, start + size))


def _life(
    rng: random.Random,
    received: datetime,
    now: datetime,
    category: Category,
    sub: str,
    linked: bool,
    notice_id: str,
) -> Iterator[tuple[Event, str | None, str]]:
    """The events of one complaint up to ``now``: the older, the further along."""
    age_days = (now - received) / timedelta(days=1)
    yield Event(EventKind.RECEIVED, received, category=category.value, subcategory=sub), None, ""
    if linked:
        yield (
            Event(EventKind.FAULT_LINKED, received + timedelta(minutes=2),
                  fault_notice_id=notice_id),
            None,
            "",
        )  # fmt: skip
    reach = min(len(_STAGES) - 1, int(age_days / 4 + rng.random() * 2))
    if rng.random() < 0.08:
        # Some complaints stall early: the worklist's amber and red rows.
        reach = min(reach, rng.randrange(0, 4))
    at = received
    for stage in _STAGES[1 : reach + 1]:
        step = timedelta(hours=rng.uniform(1, 60))
        if at + step >= now:
            break
        at += step
        if stage is EventKind.CLASSIFIED:
            yield Event(stage, at, category=category.value, subcategory=sub), None, ""
        elif stage is EventKind.FORWARDED:
            department = _DEPARTMENT_FOR.get(category, Department.HALL)
            yield Event(stage, at, department=department.value), None, "请协助核查处理"
        elif stage is EventKind.PLANNED:
            yield Event(stage, at), None, "核实情况后联系客户"
            if rng.random() < 0.12 and at + timedelta(hours=2) < now:
                pause_at = at + timedelta(hours=1)
                yield Event(EventKind.PAUSED, pause_at), None, "等待客户提供资料"
                resume = pause_at + timedelta(hours=rng.uniform(12, 96))
                if resume >= now:
                    return
                at = resume
                yield Event(EventKind.RESUMED, at), None, "客户已提供"
        elif stage is EventKind.HANDLED:
            yield Event(stage, at), None, "已处理完毕"
        elif stage is EventKind.FED_BACK:
            satisfaction = rng.choices(list(Satisfaction), (70, 20, 10))[0]
            yield (
                Event(stage, at, satisfaction=satisfaction.value),
                rng.choice(list(ContactWay)).value,
                "已电话告知客户处理结果",
            )
        elif stage is EventKind.ARCHIVED:
            yield Event(stage, at), None, ""


_COMPLAINT_INSERT: Final = (
    "INSERT INTO complaint (id, number, device_code, staff_id, received_at, customer_id, "
    "contact_name, contact_phone, contact_way, channel, category, subcategory, "
    "service_number, description, request, urgency, says_will_appeal) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_EVENT_INSERT: Final = (
    "INSERT INTO complaint_event (id, complaint_id, seq, kind, at, device_code, staff_id, "
    "category, subcategory, department, way, satisfaction, fault_notice_id, note) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_STATE_INSERT: Final = (
    "INSERT INTO complaint_state (complaint_id, status, category, subcategory, department, "
    "staff_id, customer_id, received_at, clock_start, paused_since, due_at, due_rank, "
    "statutory_due_at, answered_at, archived, satisfaction, fault_notice_id, last_seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
