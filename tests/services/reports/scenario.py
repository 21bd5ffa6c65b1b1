"""A hall's fortnight for the leader's reports, recorded through the services on a copy of
the demo store: shifts at two counters over two days (every payment method, a cash
shortage, a card shortfall, a day closed, a shift left open), payments on accounts in
arrears (part, full, prepaid, a void), restores done on time, late and not at all, ladder
steps, and complaints answered in time, late and not at all.

Each helper returns what it recorded, so a test can work out the figures a report must
show on its own, without the report's code.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.domain.etiquette_scoring import TemplateKind
from app.services.arrears import ArrearsService
from app.services.base import Actor
from app.services.complaints import ComplaintService
from app.services.complaints.records import ComplaintRequest
from app.services.etiquette import AnswerInput, ChecklistDraft, EtiquetteService, TemplateInfo
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.shifts import ShiftService
from app.services.shifts.hallday import HallDayService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import CallResult

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = date(2026, 11, 15)  # a Sunday (ISO week 2026-W46)
DAY2 = date(2026, 11, 16)  # a Monday (2026-W47)
DAY3 = date(2026, 11, 17)
PASSWORD = "demo"
FLOAT = {"note_100": 2, "note_50": 4, "note_10": 8, "coin_1": 10, "coin_0_5": 20}


class Clock:
    def __init__(self, day: date = DAY1, hour: int = 8) -> None:
        self.now = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
        self.now = self.now.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Hall:
    path: Path
    store: Store
    clock: Clock
    clerk: Actor
    clerk2: Actor
    leader: Actor
    shifts: ShiftService = field(init=False)
    payments: PaymentService = field(init=False)
    day: HallDayService = field(init=False)
    arrears: ArrearsService = field(init=False)

    def __post_init__(self) -> None:
        self.shifts = ShiftService(self.store, self.clock)
        self.payments = PaymentService(self.store, self.clock)
        self.day = HallDayService(self.store, self.clock)
        self.arrears = ArrearsService(self.store, self.clock)

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.path)
        try:
            with con:
                return con.execute(query, params).fetchall()
        finally:
            con.close()

    def settled_account(self) -> int:
        return int(
            str(
                self.sql(
                    "SELECT l.account_id FROM account_ledger l WHERE l.owed_fen <= 0 AND NOT "
                    "EXISTS (SELECT 1 FROM service s WHERE s.account_id = l.account_id "
                    "AND s.status != 'normal') ORDER BY l.account_id LIMIT 1"
                )[0][0]
            )
        )

    def pay(
        self,
        amount: int,
        method: PaymentMethod = PaymentMethod.CASH,
        *,
        account: int | None = None,
        tendered: int | None = None,
        actor: Actor | None = None,
    ) -> object:
        actor = actor or self.clerk
        reference = "" if method is PaymentMethod.CASH else f"REF-{amount}"
        request = PaymentRequest(
            account or self.settled_account(), amount, method, reference, tendered
        )
        return self.payments.record(actor, self.payments.prepare(actor, request))

    def counter(self, counter_id: int) -> None:
        """Sit this PC at another counter (as a second PC would be)."""
        self.sql("UPDATE device_info SET counter_id = ?", counter_id)


def open_hall(path: Path, clock: Clock | None = None) -> Hall:
    store = open_store(sqlite_url(path))
    clock = clock or Clock()
    auth = AuthService(store, clock)
    return Hall(
        path,
        store,
        clock,
        auth.actor_for("A001"),
        auth.actor_for("A002"),
        auth.actor_for("L001"),
    )


def plus(counts: dict[str, int], **more: int) -> dict[str, int]:
    out = dict(counts)
    for code, n in more.items():
        out[code] = out.get(code, 0) + n
    return out


@dataclass(frozen=True)
class ShiftFacts:
    """What the two days recorded, in fen, for the tests to add up themselves."""

    by_method_day1: dict[str, int]
    by_method_day2: dict[str, int]
    by_clerk: dict[str, int]
    cash_difference: int
    method_difference: int


def two_hall_days(hall: Hall) -> ShiftFacts:
    """Day 1: A001 at C01 (cash 88.00 with change, WeChat 120.00, card 56.50; counts ¥5
    short and the WeChat statement ¥2 short) and A002 at C02 (Alipay 30.00, cash 20.00;
    balanced); the leader closes the day. Day 2: A001 at C01 takes cash 50.00 and stays
    open."""
    clock = hall.clock
    clock.at(DAY1, 8)
    hall.counter(1)
    hall.shifts.open(hall.clerk, FLOAT)
    hall.pay(88_00, tendered=100_00)
    hall.pay(120_00, PaymentMethod.WECHAT)
    hall.pay(56_50, PaymentMethod.BANK_CARD)
    hall.counter(2)
    clock.at(DAY1, 8, 30)
    hall.shifts.open(hall.clerk2, FLOAT)
    hall.pay(30_00, PaymentMethod.ALIPAY, actor=hall.clerk2)
    hall.pay(20_00, actor=hall.clerk2)
    clock.at(DAY1, 17)
    hall.shifts.close(
        hall.clerk2,
        plus(FLOAT, note_20=1),
        method_totals={"alipay": 30_00},
        float_left_fen=0,
    )
    hall.counter(1)
    leader = AuthService(hall.store, clock).leader_credential("L001", PASSWORD)
    hall.shifts.close(
        hall.clerk,
        plus(FLOAT, note_50=1, note_20=1, note_10=1, coin_1=3),
        method_totals={"wechat": 118_00, "bank_card": 56_50},
        float_left_fen=0,
        reason="找零多给了 5 元",
        leader=leader,
    )
    clock.at(DAY1, 18)
    hall.day.close_day(hall.leader, DAY1, "平稳")
    clock.at(DAY2, 9)
    hall.shifts.open(hall.clerk, FLOAT, "备用金从保险柜取出")
    hall.pay(50_00)
    clock.at(DAY2, 12)
    return ShiftFacts(
        by_method_day1={"cash": 108_00, "wechat": 120_00, "bank_card": 56_50, "alipay": 30_00},
        by_method_day2={"cash": 50_00},
        by_clerk={"A001": 88_00 + 120_00 + 56_50 + 50_00, "A002": 50_00},
        cash_difference=-5_00,
        method_difference=-2_00,
    )


# -- arrears -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """One payment (or void) on an account in arrears, with where the ladder had the
    account when its day began: the overdue amount and the tier (None: no tier)."""

    account_id: int
    day: date
    amount_fen: int
    overdue_fen: int
    tier: str | None
    grid: str


@dataclass(frozen=True)
class CollectionFacts:
    recoveries: tuple[Recovery, ...]
    card_fen: int  # what the card took on DAY2 for these accounts (voids included)
    calls: int
    call_accounts: int
    restores: dict[str, int]


def _accounts(hall: Hall, where: str, n: int) -> list[int]:
    rows = hall.sql(
        "SELECT l.account_id FROM account_ledger l WHERE l.oldest_unpaid_due < ? AND "
        f"{where} AND NOT EXISTS (SELECT 1 FROM dispute_freeze f WHERE f.account_id = "
        "l.account_id) ORDER BY l.account_id LIMIT ?",
        DAY2.isoformat(),
        n,
    )
    assert len(rows) == n, where
    return [int(str(r[0])) for r in rows]


def _grid(hall: Hall, account_id: int) -> str:
    rows = hall.sql(
        "SELECT g.code || ' ' || g.name FROM account a JOIN customer c ON c.id = a.customer_id "
        "LEFT JOIN grid_unit g ON g.id = c.grid_unit_id WHERE a.id = ?",
        account_id,
    )
    return str(rows[0][0]) if rows[0][0] is not None else ""


def _owed(hall: Hall, account_id: int) -> int:
    return int(
        str(hall.sql("SELECT owed_fen FROM account_ledger WHERE account_id = ?", account_id)[0][0])
    )


def arrears_days(hall: Hall) -> CollectionFacts:
    """On DAY2, in A001's open shift, by bank card: a small arrears paid off; three large
    ones with suspended lines paid off (restore requests, due 24 hours later; one payment
    ¥10 over the bills, for the late-payment penalty); a large one paid ¥100 in part.
    Three calls are logged on two accounts. The first account's lines are restored the
    same day, the second's on DAY3 after the deadline, the third's never; on DAY3 the
    part payment is voided."""
    lines = "(SELECT 1 FROM service s WHERE s.account_id = l.account_id AND s.status {})"
    normal = "NOT EXISTS " + lines.format("!= 'normal'")
    suspended = "EXISTS " + lines.format("= 'suspended'")
    small = _accounts(hall, f"l.owed_fen BETWEEN 3000 AND 15000 AND {normal}", 1)[0]
    cut = _accounts(hall, f"l.owed_fen > 25000 AND {suspended}", 3)
    # large on the ladder (overdue beyond the bills not yet due)
    part = _accounts(hall, "l.owed_fen - l.last_due_fen > 40000", 1)[0]
    clock = hall.clock
    clock.at(DAY2, 10)
    recorded: list[Recovery] = []
    card = 0
    paid: dict[int, object] = {}
    for account_id, extra in [
        (small, 0),
        (cut[0], 0),
        (cut[1], 0),
        (cut[2], 10_00),  # ¥10 more than the bills: it goes to the penalty
        (part, None),
    ]:
        status = hall.arrears.status(account_id).status
        fen = 100_00 if extra is None else _owed(hall, account_id) + extra
        paid[account_id] = hall.pay(fen, PaymentMethod.BANK_CARD, account=account_id)
        card += fen
        recorded.append(
            Recovery(
                account_id,
                DAY2,
                fen,
                status.overdue_fen,
                status.tier.code if status.tier else None,
                _grid(hall, account_id),
            )
        )
        clock.advance(minutes=5)
    hall.arrears.log_call(hall.clerk, part, CallResult.PROMISED, promised_on=DAY3)
    hall.arrears.log_call(hall.clerk, small, CallResult.UNREACHABLE)
    hall.arrears.log_call(hall.clerk, part, CallResult.REFUSED)
    requests: dict[int, list[uuid.UUID]] = {}
    for row in hall.arrears.pending_restores():
        requests.setdefault(row.account_id, []).append(row.id)
    clock.at(DAY2, 15)
    for request_id in requests[cut[0]]:
        hall.arrears.restore(hall.clerk, request_id)  # in time
    clock.at(DAY3, 12)
    for request_id in requests[cut[1]]:
        hall.arrears.restore(hall.clerk, request_id)  # 2 h late
    status = hall.arrears.status(part).status
    leader = AuthService(hall.store, clock).leader_credential("L001", PASSWORD)
    payment_id = paid[part].payment_id  # type: ignore[attr-defined]
    hall.payments.void(hall.clerk, payment_id, leader, "刷错了卡")
    card -= 100_00
    recorded.append(
        Recovery(
            part,
            DAY3,
            -100_00,
            status.overdue_fen,
            status.tier.code if status.tier else None,
            _grid(hall, part),
        )
    )
    clock.at(DAY3, 13)
    return CollectionFacts(
        recoveries=tuple(recorded),
        card_fen=card,
        calls=3,
        call_accounts=2,
        restores={
            "requested": sum(len(requests[a]) for a in cut),
            "on_time": len(requests[cut[0]]),
            "late": len(requests[cut[1]]),
            "open_overdue": len(requests[cut[2]]),
        },
    )


# -- complaints --------------------------------------------------------------------------


def complaint_days(hall: Hall) -> list[str]:
    """On DAY1 three complaints: one answered on DAY2 (unsatisfied), one the customer says
    will go to 12300, one left unanswered. Returns their numbers."""
    service = ComplaintService(hall.store, hall.clock)
    hall.clock.at(DAY1, 10)
    base = ComplaintRequest(
        channel="counter",
        category="network",
        subcategory="network_no_signal",
        description="家里客厅手机没有信号，已经一周了",
        contact_phone="138 0013 8000",
        contact_name="王小明",
    )
    answered = service.intake(hall.clerk, base)
    appeal = service.intake(
        hall.clerk,
        ComplaintRequest(
            channel="phone",
            category="billing",
            subcategory="billing_refund",
            description="上月话费多扣了二十元，要求退还",
            contact_phone="139 0013 9000",
            contact_name="李华",
            says_will_appeal=True,
        ),
    )
    left = service.intake(hall.clerk, base)
    hall.clock.at(DAY2, 11)
    cid = answered.complaint_id
    service.classify(hall.clerk, cid, "network_no_signal")
    service.plan(hall.clerk, cid, "现场测试信号")
    service.handle(hall.clerk, cid, "已调整基站")
    service.feed_back(hall.clerk, cid, "phone", "已告知处理结果", "unsatisfied")
    return [answered.number, appeal.number, left.number]


# -- etiquette ---------------------------------------------------------------------------


def _template(svc: EtiquetteService, actor: Actor, code: str) -> TemplateInfo:
    return next(t for t in svc.templates(actor) if t.code == code)


def _answers(info: TemplateInfo, **overrides: str) -> dict[str, AnswerInput]:
    out = {}
    for item in info.spec.items:
        value = "pass" if item.response.value == "pass_fail" else str(item.max_points)
        out[item.key] = AnswerInput(overrides.get(item.key, value))
    return out


def etiquette_days(hall: Hall) -> None:
    """Inspections of A001 on DAY1 (phone use and Mandarin failed) and DAY2 (phone use
    failed), of A002 on DAY2 (all passed); simulations in week 47 for A001 (twice) and
    A002, and in week 46 for A002."""
    svc = EtiquetteService(hall.store, hall.clock)
    leader = AuthService(hall.store, hall.clock).leader_credential("L001", PASSWORD)
    inspection = _template(svc, leader, "counter_inspection")
    simulation = _template(svc, leader, "weekly_simulation")

    def sign(kind: TemplateKind, info: TemplateInfo, clerk: Actor, **answers: str) -> None:
        draft = ChecklistDraft(
            template_id=info.id,
            clerk_id=clerk.staff_id,
            started_at=hall.clock() - timedelta(minutes=20),
            answers=_answers(info, **answers),
            counter_id=1,
            scenario="欠费复机咨询" if kind is TemplateKind.SIMULATION else "",
        )
        if kind is TemplateKind.SIMULATION:
            svc.sign_simulation(leader, draft, leader)
        else:
            svc.sign_inspection(leader, draft, leader)

    hall.clock.at(DAY1, 11)
    sign(TemplateKind.INSPECTION, inspection, hall.clerk, no_phone="fail", mandarin="fail")
    sign(TemplateKind.SIMULATION, simulation, hall.clerk2, sim_answers="4")
    hall.clock.at(DAY2, 14)
    sign(TemplateKind.INSPECTION, inspection, hall.clerk, no_phone="fail")
    sign(TemplateKind.INSPECTION, inspection, hall.clerk2)
    sign(TemplateKind.SIMULATION, simulation, hall.clerk, sim_five_voices="6")
    sign(TemplateKind.SIMULATION, simulation, hall.clerk)
    sign(TemplateKind.SIMULATION, simulation, hall.clerk2, sim_answers="4")


@dataclass(frozen=True)
class Fortnight:
    shifts: ShiftFacts
    collection: CollectionFacts
    complaints: list[str]


def fortnight(hall: Hall) -> Fortnight:
    """Everything above in time order: DAY1 and DAY2 of the shifts, the complaints and
    checklists; the arrears work on DAY2 and DAY3 (in A001's DAY2 shift, still open)."""
    numbers = complaint_days(hall)
    etiquette_days(hall)
    shifts = two_hall_days(hall)
    collection = arrears_days(hall)
    return Fortnight(shifts, collection, numbers)
