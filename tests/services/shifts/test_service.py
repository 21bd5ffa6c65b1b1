"""Shifts against a copy of the demo store: opening and its refusals, payments joining the
shift, cash in and out, the X report, the close with its difference rules, the handover's
pending list, signatures, lock and revisions, and the hall day."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.domain.cash import ShiftCash
from app.domain.errors import PermissionDenied, ValidationError
from app.domain.handover import Arrival, HandoverRefused, Signer
from app.services.arrears import ArrearsService
from app.services.base import Actor
from app.services.complaints import ComplaintRequest, ComplaintService
from app.services.complaints.faults import FaultNoticeRequest, FaultNoticeService
from app.services.hall import HallService
from app.services.payments import (
    NoOpenShift,
    PaymentMethod,
    PaymentRequest,
    PaymentService,
)
from app.services.pending import PendingKind
from app.services.shifts import BlindShiftReport, ShiftRefused, ShiftReport, ShiftService
from app.services.shifts import service as shifts_module
from app.services.shifts.hallday import HallDayService
from app.services.shifts.handover import HandoverService
from app.services.shifts.records import REPORT_METHODS, ShiftView, unsynced_payments
from app.services.shifts.views import EquipmentLine, HandoverState
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models.shifts import CashMovementKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 15)
FLOAT = {"note_100": 2, "note_50": 4, "note_10": 8, "coin_1": 10, "coin_0_5": 20}  # 400 + 10 + 10
FLOAT_FEN = 200_00 + 200_00 + 80_00 + 10_00 + 10_00


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 15, 8, 0, tzinfo=SHANGHAI).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Hall:
    path: Path
    store: Store
    clock: Clock
    shifts: ShiftService
    payments: PaymentService
    handovers: HandoverService
    day: HallDayService
    clerk: Actor
    clerk2: Actor
    leader: Actor

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.path)
        try:
            with con:
                return con.execute(query, params).fetchall()
        finally:
            con.close()

    def one(self, query: str, *params: object) -> object:
        rows = self.sql(query, *params)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]

    def account(self, owing: bool = False) -> int:
        where = "l.owed_fen > 0" if owing else "l.owed_fen <= 0"
        return int(
            str(
                self.sql(
                    f"SELECT l.account_id FROM account_ledger l WHERE {where} AND NOT EXISTS "
                    "(SELECT 1 FROM service s WHERE s.account_id = l.account_id "
                    "AND s.status != 'normal') ORDER BY l.account_id LIMIT 1"
                )[0][0]
            )
        )

    def take(
        self,
        amount: int,
        method: PaymentMethod = PaymentMethod.CASH,
        tendered: int | None = None,
        actor: Actor | None = None,
    ) -> object:
        actor = actor or self.clerk
        ref = "" if method is PaymentMethod.CASH else "T-0001"
        request = PaymentRequest(self.account(), amount, method, ref, tendered)
        return self.payments.record(actor, self.payments.prepare(actor, request))

    def mine(self, actor: Actor | None = None) -> object:
        view = self.shifts.desk(actor or self.clerk).mine
        assert view is not None
        return view

    def move_to_counter(self, counter_id: int) -> None:
        self.sql("UPDATE device_info SET counter_id = ?", counter_id)


def open_hall(path: Path) -> Hall:
    """The services over the store at ``path`` (close ``hall.store`` after)."""
    store = open_store(sqlite_url(path))
    clock = Clock()
    auth = AuthService(store, clock)
    return Hall(
        path,
        store,
        clock,
        ShiftService(store, clock),
        PaymentService(store, clock),
        HandoverService(store, clock),
        HallDayService(store, clock),
        auth.actor_for("A001"),
        auth.actor_for("A002"),
        auth.actor_for("L001"),
    )


@pytest.fixture
def hall(demo_db_copy: Path) -> Iterator[Hall]:
    opened = open_hall(demo_db_copy)
    yield opened
    opened.store.close()


# -- opening -------------------------------------------------------------------------------


def test_open_records_the_float_by_denomination(hall: Hall) -> None:
    desk = hall.shifts.desk(hall.clerk)
    assert desk.mine is None and desk.counter_code == "C01" and desk.expected_float_fen is None
    view = hall.shifts.open(hall.clerk, FLOAT)
    assert view.opening_float_fen == FLOAT_FEN
    assert view.opening_counts == FLOAT
    assert view.expected_float_fen is None and view.is_open
    assert view.business_date == TODAY
    assert hall.shifts.desk(hall.clerk).mine == view.header
    assert (
        hall.one(
            "SELECT total_fen FROM cash_count WHERE shift_id = ? AND purpose = 'opening'",
            view.shift_id.hex,
        )
        == FLOAT_FEN
    )
    assert hall.sql(
        "SELECT action, staff_id FROM audit_event WHERE entity_id = ?", str(view.shift_id)
    ) == [("shift_opened", hall.clerk.staff_id)]


def test_bad_counts_are_refused_and_nothing_is_written(hall: Hall) -> None:
    for bad in ({"note_100": -1}, {"note_100": 1.5}, {"note_3": 1}):
        with pytest.raises(ValidationError):
            hall.shifts.open(hall.clerk, bad)
    assert hall.one("SELECT count(*) FROM cash_shift") == 0


def test_one_open_shift_per_counter_and_per_clerk(hall: Hall) -> None:
    hall.shifts.open(hall.clerk, FLOAT)
    with pytest.raises(ShiftRefused) as err:
        hall.shifts.open(hall.clerk2, FLOAT)
    assert "C01" in err.value.user_message()
    hall.move_to_counter(2)
    with pytest.raises(ShiftRefused) as err:
        hall.shifts.open(hall.clerk, FLOAT)
    assert "C01" in err.value.user_message()
    hall.shifts.open(hall.clerk2, FLOAT)  # another clerk at another counter
    assert hall.one("SELECT count(*) FROM cash_shift") == 2


def test_the_float_is_compared_with_the_one_handed_over(hall: Hall) -> None:
    hall.shifts.open(hall.clerk, FLOAT)
    hall.clock.advance(hours=4)
    hall.shifts.close(hall.clerk, FLOAT, float_left_fen=300_00)
    hall.clock.advance(minutes=10)
    assert hall.shifts.desk(hall.clerk2).expected_float_fen == 300_00
    with pytest.raises(ValidationError) as err:
        hall.shifts.open(hall.clerk2, {"note_100": 2})
    assert err.value.field == "reason"
    view = hall.shifts.open(hall.clerk2, {"note_100": 2}, "one note went to the safe")
    assert view.expected_float_fen == 300_00 and view.float_difference_fen == -100_00
    assert view.float_reason == "one note went to the safe"


def test_matching_float_needs_no_reason(hall: Hall) -> None:
    hall.shifts.open(hall.clerk, FLOAT)
    hall.shifts.close(hall.clerk, FLOAT, float_left_fen=FLOAT_FEN)
    view = hall.shifts.open(hall.clerk2, FLOAT)
    assert view.float_difference_fen == 0 and view.float_reason == ""


def test_no_counter_no_shift(hall: Hall) -> None:
    hall.sql("UPDATE device_info SET counter_id = NULL")
    with pytest.raises(ShiftRefused):
        hall.shifts.open(hall.clerk, FLOAT)


# -- payments belong to the shift ----------------------------------------------------------


def test_a_payment_needs_an_open_shift(hall: Hall) -> None:
    before = hall.one("SELECT count(*) FROM payment")
    with pytest.raises(NoOpenShift) as err:
        hall.take(10_00)
    assert "Open a shift first" in err.value.message
    assert hall.one("SELECT count(*) FROM payment") == before
    view = hall.shifts.open(hall.clerk, FLOAT)
    recorded = hall.take(10_00)
    assert (
        hall.one(
            "SELECT shift_id FROM payment WHERE id = ?",
            recorded.payment_id.hex,  # type: ignore[attr-defined]
        )
        == view.shift_id.hex
    )
    # A leader's shift is their own: the clerk's shift does not take the leader's money.
    with pytest.raises(NoOpenShift):
        hall.take(10_00, actor=hall.leader)


def test_x_report_adds_up_the_shift(hall: Hall) -> None:
    view = hall.shifts.open(hall.clerk, FLOAT)
    hall.take(158_00, tendered=200_00)
    hall.take(300_00, PaymentMethod.BANK_CARD)
    mistake = hall.take(50_00)
    hall.take(99_50, PaymentMethod.WECHAT)
    hall.payments.void(hall.clerk, mistake.payment_id, hall.leader, "wrong amount")  # type: ignore[attr-defined]
    hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_IN, 100_00, "change from safe")
    hall.shifts.cash_movement(
        hall.clerk, CashMovementKind.CASH_OUT, 200_00, "to the safe", hall.leader
    )
    report = hall.shifts.x_report(hall.leader, view.shift_id)
    cash = report.cash
    assert cash.method("cash").payments == 2 and cash.method("cash").voids == 1
    assert cash.method("cash").net_fen == 158_00
    assert cash.change_given_fen == 42_00
    assert cash.method("bank_card").net_fen == 300_00
    assert cash.method("wechat").net_fen == 99_50
    assert [m.method for m in cash.methods][:4] == ["cash", "bank_card", "wechat", "alipay"]
    assert report.expected_cash_fen == FLOAT_FEN + 158_00 + 100_00 - 200_00
    assert [(m.kind, m.amount_fen) for m in report.movements] == [
        (CashMovementKind.CASH_IN, 100_00),
        (CashMovementKind.CASH_OUT, 200_00),
    ]
    # With the hall's blind count on (the default) the clerk gets counts, not figures.
    assert isinstance(hall.shifts.x_report(hall.clerk, view.shift_id), BlindShiftReport)
    HallService(hall.store).set_setting("shift.blind_count", "0")
    open_count = hall.shifts.current_report(hall.clerk)
    assert isinstance(open_count, ShiftReport)
    assert open_count.expected_cash_fen == report.expected_cash_fen
    with pytest.raises(PermissionDenied):
        hall.shifts.x_report(hall.clerk2, view.shift_id)


def _amounts(obj: object, path: str = "report") -> list[str]:
    """Every money figure an object carries, anywhere inside it (fields in fen, counts of
    notes, and the cash arithmetic or shift view that hold them)."""
    found: list[str] = []
    if isinstance(obj, ShiftCash | ShiftView):
        return [f"{path} ({type(obj).__name__})"]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            name = f"{path}.{f.name}"
            if f.name.endswith("_fen") or f.name.endswith("counts"):
                found.append(name)
            found += _amounts(getattr(obj, f.name), name)
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            found += _amounts(item, f"{path}[{i}]")
    return found


def test_a_blind_count_gives_a_clerk_counts_and_no_cash_figure(hall: Hall) -> None:
    """Issue 12 item 4: during an open shift under the hall's blind count, the clerk's X
    report carries how many payments each method had, and not one cash figure (float, cash
    received, change, cash in or out, takings, expected cash), from which the expected
    cash would follow. Enforced in the service: the object does not hold them. The leader
    sees everything; the clerk too once the shift is closed."""
    view = hall.shifts.open(hall.clerk, FLOAT)
    hall.take(158_00, tendered=200_00)
    hall.take(99_50, PaymentMethod.WECHAT)
    hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_IN, 100_00, "coins from safe")

    for report in (
        hall.shifts.x_report(hall.clerk, view.shift_id),
        hall.shifts.current_report(hall.clerk),
    ):
        assert isinstance(report, BlindShiftReport)
        assert _amounts(report) == []
        tally = {m.method: (m.payments, m.voids, m.reversals) for m in report.methods}
        assert tally["cash"] == (1, 0, 0) and tally["wechat"] == (1, 0, 0)
        assert report.cash_movements == 1 and not report.is_z
    assert _amounts(hall.shifts.desk(hall.clerk)) == ["report.expected_float_fen"]  # to open
    # Nor does the hall day give the open shift away to a clerk (its own or a colleague's).
    (row,) = hall.day.day(TODAY, hall.clerk).shifts
    assert (row.takings_fen, row.expected_cash_fen, row.method_fen) == (None, None, {})
    assert hall.day.day(TODAY, hall.clerk).method_totals == dict.fromkeys(REPORT_METHODS, 0)
    with pytest.raises(PermissionDenied):
        hall.day.summary_pdf(TODAY, hall.clerk)

    # The leader sees every figure, in the report and in the hall day.
    full = hall.shifts.x_report(hall.leader, view.shift_id)
    assert isinstance(full, ShiftReport)
    expected = FLOAT_FEN + 158_00 + 100_00
    assert full.expected_cash_fen == full.cash.expected_cash_fen == expected
    (row,) = hall.day.day(TODAY, hall.leader).shifts
    assert row.expected_cash_fen == expected and row.takings_fen == 158_00 + 99_50

    # The close's preview gives the figures once everything is counted.
    counts = {**FLOAT, "note_100": 2 + 2, "note_50": 4 + 1, "note_5": 1, "coin_1": 13}
    preview = hall.shifts.preview_close(hall.clerk, counts, {"wechat": 99_50})
    assert preview.expected_cash_fen == expected and preview.difference.difference_fen == 0
    hall.shifts.close(hall.clerk, counts, method_totals={"wechat": 99_50}, float_left_fen=0)
    z = hall.shifts.x_report(hall.clerk, view.shift_id)
    assert isinstance(z, ShiftReport) and z.is_z and z.expected_cash_fen == expected


def test_a_hall_that_counts_openly_shows_the_clerk_everything(hall: Hall) -> None:
    HallService(hall.store).set_setting("shift.blind_count", "0")
    view = hall.shifts.open(hall.clerk, FLOAT)
    hall.take(20_00)
    report = hall.shifts.x_report(hall.clerk, view.shift_id)
    assert isinstance(report, ShiftReport) and report.expected_cash_fen == FLOAT_FEN + 20_00
    (row,) = hall.day.day(TODAY, hall.clerk).shifts
    assert row.expected_cash_fen == FLOAT_FEN + 20_00


def test_cash_movements_need_a_reason_and_cash_out_a_leader(hall: Hall) -> None:
    with pytest.raises(NoOpenShift):
        hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_IN, 1_00, "x")
    hall.shifts.open(hall.clerk, FLOAT)
    with pytest.raises(ValidationError):
        hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_IN, 1_00, " ")
    with pytest.raises(ValidationError):
        hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_IN, 0, "x")
    with pytest.raises(PermissionDenied):
        hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_OUT, 1_00, "safe")
    with pytest.raises(PermissionDenied):
        hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_OUT, 1_00, "safe", hall.clerk2)
    with pytest.raises(ValidationError):  # more than the drawer holds
        hall.shifts.cash_movement(
            hall.clerk, CashMovementKind.CASH_OUT, FLOAT_FEN + 10, "safe", hall.leader
        )
    hall.shifts.cash_movement(hall.clerk, CashMovementKind.CASH_OUT, 1_00, "safe", hall.leader)
    assert hall.sql("SELECT kind, approved_by FROM cash_movement") == [
        ("cash_out", hall.leader.staff_id)
    ]


# -- closing -------------------------------------------------------------------------------


def test_balanced_close(hall: Hall) -> None:
    view = hall.shifts.open(hall.clerk, FLOAT)
    hall.take(20_00)
    counts = {**FLOAT, "note_20": 1}
    preview = hall.shifts.preview_close(hall.clerk, counts)
    assert preview.difference.difference_fen == 0 and not preview.needs_reason
    report = hall.shifts.close(hall.clerk, counts, float_left_fen=500_00, blind=True)
    close = report.shift.close
    assert close is not None and report.is_z
    assert (close.expected_cash_fen, close.counted_cash_fen, close.difference_fen) == (
        FLOAT_FEN + 20_00,
        FLOAT_FEN + 20_00,
        0,
    )
    assert close.float_left_fen == 500_00 and close.deposit_fen == 20_00 and close.blind
    assert close.counts == counts
    with pytest.raises(NoOpenShift):
        hall.shifts.close(hall.clerk, counts, float_left_fen=0)
    with pytest.raises(NoOpenShift):
        hall.take(1_00)
    assert hall.shifts.desk(hall.clerk).mine is None
    assert hall.shifts.x_report(hall.clerk, view.shift_id).expected_cash_fen == FLOAT_FEN + 20_00


def test_a_difference_needs_a_reason_and_over_the_limit_a_leader(hall: Hall) -> None:
    hall.shifts.open(hall.clerk, FLOAT)
    short_small = {**FLOAT, "coin_0_5": 10}  # 5 yuan short: under the 10-yuan default
    with pytest.raises(ValidationError) as err:
        hall.shifts.close(hall.clerk, short_small, float_left_fen=0)
    assert err.value.field == "reason"
    short_big = {**FLOAT, "note_50": 3}  # 50 yuan short
    preview = hall.shifts.preview_close(hall.clerk, short_big)
    assert preview.difference.difference_fen == -50_00 and preview.needs_leader
    with pytest.raises(PermissionDenied):
        hall.shifts.close(hall.clerk, short_big, float_left_fen=0, reason="miscounted change")
    with pytest.raises(PermissionDenied):
        hall.shifts.close(hall.clerk, short_big, float_left_fen=0, reason="x", leader=hall.clerk2)
    with pytest.raises(ValidationError):  # float left over what was counted
        hall.shifts.close(
            hall.clerk, short_big, float_left_fen=FLOAT_FEN, reason="x", leader=hall.leader
        )
    report = hall.shifts.close(
        hall.clerk, short_big, float_left_fen=0, reason="miscounted change", leader=hall.leader
    )
    assert report.shift.close is not None
    assert report.shift.close.difference_fen == -50_00
    assert report.shift.close.approved_by == hall.leader.name


def test_the_limit_is_a_hall_setting(hall: Hall) -> None:
    HallService(hall.store).set_setting("shift.difference_limit_fen", "100000")
    hall.shifts.open(hall.clerk, FLOAT)
    preview = hall.shifts.preview_close(hall.clerk, {**FLOAT, "note_50": 3})
    assert not preview.needs_leader and preview.needs_reason and preview.limit_fen == 1000_00


def test_unsynced_payments_refuse_the_close_unless_a_leader_overrides(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall.shifts.open(hall.clerk, FLOAT)
    monkeypatch.setattr(shifts_module, "unsynced_payments", lambda session, shift_id: 2)
    with pytest.raises(ShiftRefused) as err:
        hall.shifts.close(hall.clerk, FLOAT, float_left_fen=0)
    assert "2" in err.value.user_message()
    report = hall.shifts.close(hall.clerk, FLOAT, float_left_fen=0, unsynced_override=hall.leader)
    assert report.shift.close is not None and report.shift.close.unsynced_override_by


def test_unsynced_payments_are_the_shifts_payments_still_in_the_outbox(hall: Hall) -> None:
    view = hall.shifts.open(hall.clerk, FLOAT)
    kept = hall.take(158_00, tendered=200_00)
    mistake = hall.take(50_00)
    hall.payments.void(hall.clerk, mistake.payment_id, hall.leader, "wrong amount")  # type: ignore[attr-defined]

    def unsynced() -> int:
        with hall.store.read() as session:
            return unsynced_payments(session, view.shift_id)  # type: ignore[attr-defined]

    assert unsynced() == 0  # not enrolled with a centre: nothing to sync to
    hall.sql(
        "INSERT OR REPLACE INTO sync_state (id, url, device_code, credential, hall_code, "
        "pull_cursor, epoch, last_error) "
        "VALUES (1, 'https://centre', 'D00001', 'secret', 'SH01', '{}', 0, '')"
    )
    assert unsynced() == 3  # two payments and the void
    hall.sql(
        "UPDATE sync_outbox SET state = 'acked', result = 'applied' "
        "WHERE kind = 'payment' AND key = ?",
        str(kept.payment_id),  # type: ignore[attr-defined]
    )
    assert unsynced() == 2
    with pytest.raises(ShiftRefused) as refused:
        hall.shifts.close(
            hall.clerk, FLOAT, float_left_fen=0, reason="count later", leader=hall.leader
        )
    assert "2" in refused.value.user_message()


def test_shift_history_is_append_only(hall: Hall) -> None:
    view = hall.shifts.open(hall.clerk, FLOAT)
    for sql in (
        "UPDATE cash_shift SET opening_float_fen = 0",
        "DELETE FROM cash_count",
        "DELETE FROM cash_shift",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            hall.sql(sql)
    assert hall.one("SELECT opening_float_fen FROM cash_shift") == FLOAT_FEN
    assert view.is_open


# -- handover ------------------------------------------------------------------------------

EQUIPMENT = [
    EquipmentLine("printer_paper", 6),
    EquipmentLine("pos_terminal", 2, "terminal 2 reader fails on chip cards"),
    EquipmentLine("seals", 3),
]


def _closed_shift(hall: Hall) -> object:
    view = hall.shifts.open(hall.clerk, FLOAT)
    hall.clock.advance(hours=4)
    hall.shifts.close(hall.clerk, FLOAT, float_left_fen=FLOAT_FEN)
    return view


def test_a_handover_is_written_after_the_close(hall: Hall) -> None:
    view = hall.shifts.open(hall.clerk, FLOAT)
    with pytest.raises(ShiftRefused):
        hall.handovers.save(hall.clerk, view.shift_id, notes="", equipment=[])
    hall.shifts.close(hall.clerk, FLOAT, float_left_fen=FLOAT_FEN)
    with pytest.raises(PermissionDenied):
        hall.handovers.save(hall.clerk2, view.shift_id, notes="", equipment=[])
    with pytest.raises(ValidationError):
        hall.handovers.save(
            hall.clerk, view.shift_id, notes="", equipment=[EquipmentLine("seals", -1)]
        )
    revision = hall.handovers.save(
        hall.clerk, view.shift_id, notes="customer 1 to call back", equipment=EQUIPMENT
    )
    assert revision.revision_no == 1 and not revision.locked
    assert revision.equipment == tuple(EQUIPMENT)
    assert revision.next_signer is Signer.OUTGOING


def test_signatures_lock_and_a_correction_is_a_new_revision(hall: Hall) -> None:
    view = _closed_shift(hall)
    shift_id = view.shift_id  # type: ignore[attr-defined]
    first = hall.handovers.save(hall.clerk, shift_id, notes="v1", equipment=EQUIPMENT)
    with pytest.raises(HandoverRefused):
        hall.handovers.sign(hall.clerk, first.revision_id, Signer.INCOMING, hall.clerk2)
    hall.handovers.sign(hall.clerk, first.revision_id, Signer.OUTGOING, hall.clerk)
    # Once signed, a change must say why.
    with pytest.raises(ValidationError):
        hall.handovers.save(hall.clerk, shift_id, notes="v1b", equipment=EQUIPMENT)
    hall.handovers.sign(hall.clerk, first.revision_id, Signer.INCOMING, hall.clerk2)
    with pytest.raises(HandoverRefused):
        hall.handovers.sign(hall.clerk, first.revision_id, Signer.LEADER, hall.clerk)
    signed = hall.handovers.sign(hall.clerk, first.revision_id, Signer.LEADER, hall.leader)
    assert signed.locked and [s.role for s in signed.signatures] == list(Signer)
    with pytest.raises(HandoverRefused):
        hall.handovers.sign(hall.clerk, first.revision_id, Signer.LEADER, hall.leader)
    with pytest.raises(sqlite3.IntegrityError):
        hall.sql("UPDATE handover_revision SET notes = 'changed'")
    with pytest.raises(sqlite3.IntegrityError):
        hall.sql("DELETE FROM handover_signature")

    second = hall.handovers.save(
        hall.clerk, shift_id, notes="v2", equipment=EQUIPMENT, correction_reason="seal count"
    )
    assert second.revision_no == 2 and not second.locked and second.signatures == ()
    handover = hall.handovers.view(shift_id)
    assert [r.revision_no for r in handover.revisions] == [1, 2]
    assert handover.revisions[0].superseded and handover.revisions[0].locked
    assert handover.revisions[0].notes == "v1"
    assert handover.current is not None and handover.current.correction_reason == "seal count"
    assert not handover.locked
    with pytest.raises(ShiftRefused):  # the old revision cannot be signed any more
        hall.handovers.sign(hall.clerk, first.revision_id, Signer.OUTGOING, hall.clerk)


def test_the_handover_collects_arrears_pending_items(hall: Hall) -> None:
    # A promise to pay, taken by this clerk, due tomorrow.
    owing = hall.account(owing=True)
    ArrearsService(hall.store, hall.clock).log_call(
        hall.clerk, owing, "promised", TODAY + timedelta(days=1), "pays tomorrow"
    )
    # A full payment on a suspended line asks for a restore.
    suspended = int(
        str(
            hall.sql(
                "SELECT s.account_id FROM service s JOIN account_ledger l "
                "ON l.account_id = s.account_id WHERE s.status = 'suspended' "
                "AND l.owed_fen > 0 LIMIT 1"
            )[0][0]
        )
    )
    view = hall.shifts.open(hall.clerk, FLOAT)
    quote = hall.payments.quote(suspended)
    plan = hall.payments.prepare(
        hall.clerk, PaymentRequest(suspended, quote.total_due_fen, PaymentMethod.WECHAT, "WX-0001")
    )
    assert plan.restores
    hall.payments.record(hall.clerk, plan)
    hall.shifts.close(
        hall.clerk, FLOAT, method_totals={"wechat": quote.total_due_fen}, float_left_fen=0
    )
    revision = hall.handovers.save(hall.clerk, view.shift_id, notes="", equipment=[])
    kinds = {item.kind for item in revision.pending}
    assert {PendingKind.RESTORE, PendingKind.PROMISE_TO_PAY} <= kinds
    account_no = str(hall.one("SELECT number FROM account WHERE id = ?", owing))
    # (the demo's ladder history has open promises of its own: only this one is looked at)
    promise = [
        i for i in revision.pending if i.kind is PendingKind.PROMISE_TO_PAY and i.ref == account_no
    ]
    assert len(promise) == 1 and not promise[0].overdue
    # Once the customer pays, the promise is no longer pending.
    hall.shifts.open(hall.clerk2, {})
    hall.payments.record(
        hall.clerk2,
        hall.payments.prepare(
            hall.clerk2,
            PaymentRequest(
                owing, hall.payments.quote(owing).total_due_fen, PaymentMethod.ALIPAY, "AL-0001"
            ),
        ),
    )
    assert not any(
        i.kind is PendingKind.PROMISE_TO_PAY and i.ref == account_no
        for i in hall.handovers.pending_now(view.shift_id)
    )


def test_the_handover_sees_every_kind_of_pending_item(hall: Hall) -> None:
    """Each area registers its own provider with the collector (``app.bootstrap``): a
    handover saved after one item of each kind was made lists all six kinds, the
    unsynced operations (sync's provider, above the services) among them."""
    complaints = ComplaintService(hall.store, hall.clock)
    view = hall.shifts.open(hall.clerk, FLOAT)
    owing = hall.account(owing=True)
    ArrearsService(hall.store, hall.clock).log_call(  # a promise to pay, due tomorrow
        hall.clerk, owing, "promised", TODAY + timedelta(days=1), "pays tomorrow"
    )
    suspended = int(
        str(
            hall.sql(
                "SELECT s.account_id FROM service s JOIN account_ledger l "
                "ON l.account_id = s.account_id WHERE s.status = 'suspended' "
                "AND l.owed_fen > 0 LIMIT 1"
            )[0][0]
        )
    )
    due = hall.payments.quote(suspended).total_due_fen
    hall.payments.record(  # paid in full on a suspended line: a restore, an unsent payment
        hall.clerk,
        hall.payments.prepare(
            hall.clerk, PaymentRequest(suspended, due, PaymentMethod.WECHAT, "WX-0001")
        ),
    )
    request = ComplaintRequest(
        channel="counter",
        category="network",
        subcategory="network_no_signal",
        description="家里客厅手机没有信号，已经一周了",
        contact_phone="138 0013 8000",
        contact_name="王小明",
        request="尽快修好",
    )
    complaint = complaints.intake(hall.clerk, request).complaint_id
    complaints.promise_callback(hall.clerk, complaint, hall.clock() + timedelta(days=1))
    FaultNoticeService(hall.store, hall.clock).create(
        hall.leader,
        hall.leader,
        FaultNoticeRequest(
            level=3,
            services="宽带",
            areas="世纪大道片区",
            started_at=hall.clock() - timedelta(hours=2),
            expected_recovery_at=hall.clock() + timedelta(hours=6),
            wording="光缆受损，正在抢修，预计今日18时恢复。",
        ),
    )
    hall.shifts.close(hall.clerk, FLOAT, method_totals={"wechat": due}, float_left_fen=0)
    hall.clock.advance(days=14)  # the complaint's answer falls due within the window
    revision = hall.handovers.save(hall.clerk, view.shift_id, notes="", equipment=[])
    assert {item.kind for item in revision.pending} == set(PendingKind)


# -- the hall day --------------------------------------------------------------------------


def test_hall_day_view_and_close(hall: Hall) -> None:
    view = hall.shifts.open(hall.clerk, FLOAT)
    hall.take(20_00)
    day = hall.day.day(TODAY, hall.leader)
    assert day.open_shifts == 1 and day.takings_fen == 20_00
    assert [c[1] for c in day.counters][:2] == ["C01", "C02"]
    with pytest.raises(ShiftRefused):
        hall.day.close_day(hall.leader, TODAY)
    hall.shifts.close(hall.clerk, {**FLOAT, "note_10": 10}, float_left_fen=0, reason="extra")
    with pytest.raises(PermissionDenied):
        hall.day.close_day(hall.clerk, TODAY)
    closed = hall.day.close_day(hall.leader, TODAY, "quiet day")
    assert closed.closed_at is not None and closed.open_shifts == 0
    row = closed.shifts[0]
    assert row.shift_id == view.shift_id and row.difference_fen == 20_00 - 20_00
    assert row.handover == HandoverState.NONE
    with pytest.raises(ShiftRefused):
        hall.day.close_day(hall.leader, TODAY)


def test_opening_checks(hall: Hall) -> None:
    opening = datetime(2026, 11, 15, 8, 30, tzinfo=SHANGHAI)
    with pytest.raises(PermissionDenied):
        hall.day.record_opening_check(hall.clerk, TODAY, [], set(), opening)
    verdict = hall.day.record_opening_check(
        hall.leader,
        TODAY,
        [
            Arrival(hall.clerk.staff_id, opening - timedelta(minutes=20)),
            Arrival(hall.clerk2.staff_id, opening - timedelta(minutes=5)),
        ],
        {1, 2, 3, 4, 5, 6},
        opening,
    )
    assert verdict.late_staff == (hall.clerk2.staff_id,) and not verdict.all_passed
    day = hall.day.day(TODAY, hall.leader)
    assert day.opening is not None and not day.opening.all_passed
    assert any("A002" in name for name in day.opening.late_staff)
    HallService(hall.store).set_setting("shift.arrive_before_minutes", "5")
    hall.clock.advance(minutes=1)
    again = hall.day.record_opening_check(
        hall.leader,
        TODAY,
        [Arrival(hall.clerk2.staff_id, opening - timedelta(minutes=5))],
        {1, 2, 3, 4, 5, 6},
        opening,
    )
    assert again.all_passed
    assert hall.day.day(TODAY, hall.leader).opening.all_passed  # type: ignore[union-attr]
