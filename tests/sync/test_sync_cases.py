"""Example tests of the sync protocol against a real PostgreSQL, one per named case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from app.centre.local import LocalTransport
from app.centre.service import Centre, CentreError
from app.domain.errors import AuthenticationError
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from app.store.models import Bill, Customer, Payment, PaymentAllocation, SmsMessage, Staff
from app.store.models.sync import SyncConflict, SyncOutbox
from app.sync.client import HallSync, SyncReport
from app.sync.protocol import PROTOCOL_VERSION, ClockSkew, DeviceRefused, UpgradeRequired
from tests.sync.conftest import Hall, load_hall, new_hall_pc, pay


class Crash(Exception):
    pass


def crash_at(point: str) -> Any:
    def hook(name: str) -> None:
        if name == point:
            raise Crash(name)

    return hook


@pytest.fixture
def hall(centre: Centre, tiny_demo: Path, tmp_path: Path) -> Hall:
    load_hall(centre, "H1", tiny_demo)
    return new_hall_pc(centre, "H1", tmp_path / "pc1.sqlite3")


def centre_payments(centre: Centre, hall_code: str = "H1") -> dict[str, Any]:
    return centre.records(hall_code, "payment")


def outbox(hall: Hall) -> list[SyncOutbox]:
    with hall.store.read() as s:
        rows = list(s.scalars(select(SyncOutbox).order_by(SyncOutbox.seq)))
        s.expunge_all()
    return rows


def open_bill(hall: Hall) -> int:
    """A bill with room for a 1-yuan payment."""
    with hall.store.read() as s:
        paid = (
            select(PaymentAllocation.bill_id, func.sum(PaymentAllocation.amount_fen).label("p"))
            .group_by(PaymentAllocation.bill_id)
            .subquery()
        )
        return int(
            s.scalars(
                select(Bill.id)
                .outerjoin(paid, paid.c.bill_id == Bill.id)
                .where(Bill.amount_fen - func.coalesce(paid.c.p, 0) >= 100)
                .order_by(Bill.id)
            ).first()
        )


def test_first_store_is_pulled_from_the_centre(hall: Hall, centre: Centre, tiny_demo: Path) -> None:
    with hall.store.read() as s:
        customers = s.scalar(select(func.count()).select_from(Customer))
        staff = s.scalar(select(func.count()).select_from(Staff))
    assert customers == len(centre.records("H1", "customer")) == 8
    assert staff == len(centre.records("H1", "staff")) > 0
    assert outbox(hall) == []  # pulled rows are not local writes


def test_payment_pushed_once_and_a_resend_is_a_duplicate(hall: Hall, centre: Centre) -> None:
    pid = pay(hall.store, 100, bill_id=open_bill(hall))
    first = hall.sync.sync()
    assert (first.pushed, first.applied, first.duplicates) == (2, 2, 0)
    # Send the same operations again (as after a lost answer): the centre applies nothing.
    with hall.store.unit_of_work() as s:
        s.execute(text("UPDATE sync_outbox SET state = 'pending'"))
    again = hall.sync.sync()
    assert (again.pushed, again.applied, again.duplicates) == (2, 0, 2)
    assert list(centre_payments(centre)).count(str(pid)) == 1
    totals = centre.day_totals(1, hall.sync.state().device_code, datetime(2000, 1, 1).date())
    assert sum(c for c, _s in totals.values()) == 1


def test_lost_acknowledgement_only_causes_a_resend(hall: Hall, centre: Centre) -> None:
    pid = pay(hall.store, 100, bill_id=open_bill(hall))
    hall.sync.crash = crash_at("push.before_ack_commit")
    with pytest.raises(Crash):
        hall.sync.sync()
    assert {o.state for o in outbox(hall)} == {"pending"}  # the acknowledgement was lost
    assert str(pid) in centre_payments(centre)  # but the centre committed
    hall.reopen()
    report = hall.sync.sync()
    assert (report.applied, report.duplicates) == (0, 2)
    assert {o.state for o in outbox(hall)} == {"acked"}
    with centre.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM payment WHERE id = :i"), {"i": pid}).scalar()
    assert n == 1


def test_odd_payments_are_kept_and_flagged(hall: Hall, centre: Centre) -> None:
    bill = open_bill(hall)
    with hall.store.read() as s:
        amount = s.get(Bill, bill).amount_fen  # type: ignore[union-attr]
    # The whole bill, then the whole bill again (paid at two counters while offline).
    pay(hall.store, amount, bill_id=bill)
    second = pay(hall.store, amount, bill_id=bill)
    report = hall.sync.sync()
    assert report.flagged == 1 and report.applied == 3
    assert str(second) in centre_payments(centre)  # kept, not rejected
    assert ("payment_allocation", f"{second}|{bill}", "bill_already_paid") in centre.flags("H1")
    with centre.engine.connect() as conn:
        credit = conn.execute(
            text("SELECT unallocated_fen FROM payment WHERE id = :i"), {"i": second}
        ).scalar()
    assert credit == amount
    with hall.store.read() as s:
        conflict = s.scalars(select(SyncConflict)).one()
        assert (conflict.reason, conflict.resolved_at) == ("bill_already_paid", None)


def test_payment_for_a_bill_the_centre_deleted_is_unallocated_credit(
    hall: Hall, centre: Centre
) -> None:
    bill = open_bill(hall)
    pid = pay(hall.store, 100, bill_id=bill)
    centre.delete_record("H1", "bill", str(bill))  # the back office cancelled the bill meanwhile
    report = hall.sync.sync()
    assert report.flagged == 1
    assert ("payment_allocation", f"{pid}|{bill}", "unknown_bill") in centre.flags("H1")
    with hall.store.read() as s:  # still referenced by the local allocation: kept here
        assert s.get(Bill, bill) is not None


def _slow_change(centre: Centre, kind: str, key: str, field: str, value: str) -> Any:
    """A centre transaction that changes one record and stays open (commit it later)."""
    slow = centre.engine.connect()
    tx = slow.begin()
    slow.execute(
        text(
            "UPDATE record SET payload = jsonb_set(payload, CAST(:path AS text[]), "
            "to_jsonb(CAST(:value AS text))) WHERE kind = :kind AND key = :key"
        ),
        {"path": "{" + field + "}", "value": value, "kind": kind, "key": key},
    )
    return slow, tx


def test_cursor_does_not_skip_a_transaction_open_during_an_earlier_pull(
    hall: Hall, centre: Centre
) -> None:
    customer = centre.records("H1", "customer")["1"]
    slow, tx = _slow_change(centre, "customer", "1", "address", "slow")
    # A later transaction commits first.
    centre.put_records(
        "H1", "customer", [{**centre.records("H1", "customer")["2"], "address": "fast"}]
    )
    hall.sync.sync()
    with hall.store.read() as s:
        assert s.get(Customer, 1).address == customer["address"]  # type: ignore[union-attr]
        # The open transaction does not hold back what committed after it began.
        assert s.get(Customer, 2).address == "fast"  # type: ignore[union-attr]
    tx.commit()
    slow.close()
    report = hall.sync.sync()
    assert report.pulled == 1
    with hall.store.read() as s:
        assert s.get(Customer, 1).address == "slow"  # type: ignore[union-attr]
        assert s.get(Customer, 2).address == "fast"  # type: ignore[union-attr]


def test_an_unrelated_open_transaction_does_not_hold_back_a_pushed_payment(
    hall: Hall, centre: Centre, tmp_path: Path
) -> None:
    """A writing transaction open anywhere on the server (an ANALYZE, a long load) must not
    keep one PC's pushed work from the next PC's pull."""
    other = new_hall_pc(centre, "H1", tmp_path / "pc2.sqlite3")
    slow = centre.engine.connect()
    tx = slow.begin()
    slow.execute(text("SELECT pg_current_xact_id()"))  # holds a transaction id, like ANALYZE
    pid = pay(hall.store, 100, bill_id=open_bill(hall))
    assert hall.sync.sync().applied == 2  # the payment and its allocation
    report = other.sync.sync()
    assert report.pulled >= 1
    with other.store.read() as s:
        assert s.get(Payment, pid) is not None
    tx.rollback()
    slow.close()


def test_pages_of_one_pull_and_the_next_pull_miss_nothing(hall: Hall, centre: Centre) -> None:
    hall.sync.pull_page = 3
    bills = centre.records("H1", "bill")
    template = bills[min(bills, key=int)]
    first = [{**template, "id": 910000 + i, "period": f"{2040 + i}-01"} for i in range(10)]
    centre.put_records("H1", "bill", first)
    slow, tx = _slow_change(centre, "bill", "910000", "period", "2039-01")
    centre.put_records("H1", "bill", [{**template, "id": 910100, "period": "2038-01"}])
    report = hall.sync.sync()
    assert report.pulled == 11  # four pages of three, the last one short
    tx.commit()
    slow.close()
    assert hall.sync.sync().pulled == 1
    with hall.store.read() as s:
        periods = dict(s.execute(select(Bill.id, Bill.period).where(Bill.id >= 910000)).all())
    assert periods == {
        910000: "2039-01",
        **{910000 + i: f"{2040 + i}-01" for i in range(1, 10)},
        910100: "2038-01",
    }


def test_a_watermark_cursor_of_protocol_1_goes_on_without_a_reset(
    hall: Hall, centre: Centre
) -> None:
    with centre.engine.connect() as conn:
        watermark = conn.execute(
            text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        ).scalar_one()
    centre.put_records(
        "H1", "customer", [{**centre.records("H1", "customer")["3"], "address": "new"}]
    )
    with hall.store.unit_of_work() as s:
        s.execute(
            text("UPDATE sync_state SET pull_cursor = :c"),
            {"c": json.dumps({"txid": str(watermark - 1), "seq": 2**62})},
        )
    report = hall.sync.sync()
    assert not report.reset and report.pulled == 1
    with hall.store.read() as s:
        assert s.get(Customer, 3).address == "new"  # type: ignore[union-attr]


def test_a_malformed_cursor_is_refused(hall: Hall, centre: Centre) -> None:
    credential = hall.sync.state().credential
    for bad in ({"seen": "9:3:"}, {"seen": "3:9:", "upto": "3:9:"}, {"seen": 7}):
        with pytest.raises(CentreError) as refused:
            centre.handle("pull", {"protocol": PROTOCOL_VERSION, "cursor": bad}, credential)
        assert refused.value.status == 400


def test_tombstones_delete_and_new_rows_arrive(hall: Hall, centre: Centre) -> None:
    bills = centre.records("H1", "bill")
    new = {**bills["1"], "id": 900001, "period": "2031-01"}
    centre.put_records("H1", "bill", [new])
    hall.sync.sync()
    with hall.store.read() as s:
        assert s.get(Bill, 900001) is not None
    centre.delete_record("H1", "bill", "900001")
    report = hall.sync.sync()
    assert report.deleted == 1
    with hall.store.read() as s:
        assert s.get(Bill, 900001) is None


def test_a_pull_or_a_reset_never_lifts_a_lock_out_at_this_pc(hall: Hall, centre: Centre) -> None:
    auth = AuthService(hall.store)
    for _attempt in range(5):
        with pytest.raises(AuthenticationError):
            auth.login("A001", "wrong")
    with hall.store.read() as s:
        clerk = s.scalars(select(Staff).where(Staff.staff_no == "A001")).one()
        locked_until, staff_id = clerk.locked_until, str(clerk.id)
    assert locked_until is not None
    # The centre renames the clerk; its copy knows nothing of this PC's lock-out.
    stored = centre.records("H1", "staff")[staff_id]
    assert "failed_logins" not in stored and "locked_until" not in stored
    centre.put_records("H1", "staff", [{**stored, "name": "改名后"}])
    assert hall.sync.sync().pulled >= 1
    centre.bump_epoch("H1")
    assert hall.sync.sync().reset
    with hall.store.read() as s:
        clerk = s.get(Staff, int(staff_id))
        assert clerk is not None and clerk.name == "改名后"
        assert clerk.locked_until == locked_until
    with pytest.raises(AuthenticationError):
        auth.login("A001", "demo")  # still locked


def test_a_row_with_unsent_local_changes_is_not_overwritten(hall: Hall, centre: Centre) -> None:
    with hall.store.read() as s:
        staff_id = s.scalars(select(Staff.id)).first()
    with hall.store.unit_of_work() as s:
        msg = SmsMessage(
            account_id=1,
            phone="13800000000",
            body="local",
            created_at=datetime.now(UTC),
            staff_id=staff_id,
        )
        s.add(msg)
    key = str(msg.id)
    payload = json.loads(outbox(hall)[-1].payload)
    centre.put_records("H1", "sms_message", [{**payload, "body": "centre"}])
    state = hall.sync.state()
    r = SyncReport()
    hall.sync.pull(state.credential, r)  # a pull while the local change is still unsent
    assert r.kept_local == 1
    with hall.store.read() as s:
        assert s.get(SmsMessage, msg.id).body == "local"  # type: ignore[union-attr]
    hall.sync.sync()  # push first: the centre takes the hall's version, and it comes back
    assert centre.records("H1", "sms_message")[key]["body"] == "local"
    with hall.store.read() as s:
        assert s.get(SmsMessage, msg.id).body == "local"  # type: ignore[union-attr]


def test_reset_redownloads_and_never_touches_the_outbox(hall: Hall, centre: Centre) -> None:
    bills = centre.records("H1", "bill")
    centre.put_records("H1", "bill", [{**bills["1"], "id": 900002, "period": "2031-02"}])
    hall.sync.sync()
    pid = pay(hall.store, 100, bill_id=open_bill(hall))
    before = [(o.op_id, o.payload) for o in outbox(hall)]
    centre.delete_record("H1", "bill", "900002")
    centre.purge_log("H1")  # the tombstone is gone: only a reset can learn of the deletion
    r = HallSync(hall.store, hall.transport)
    state = r.state()
    report = SyncReport()
    r.pull(state.credential, report)  # pull alone: the outbox is still pending
    assert report.reset
    assert [(o.op_id, o.payload) for o in outbox(hall)] == before
    assert {o.state for o in outbox(hall)} == {"pending"}
    with hall.store.read() as s:
        assert s.get(Bill, 900002) is None
    hall.sync.sync()
    assert str(pid) in centre_payments(centre)


def test_device_scope_hall_a_cannot_see_or_write_hall_b(
    centre: Centre, tiny_demo: Path, tmp_path: Path
) -> None:
    load_hall(centre, "H1", tiny_demo)
    load_hall(centre, "H2", tiny_demo)
    a = new_hall_pc(centre, "H1", tmp_path / "a.sqlite3")
    b = new_hall_pc(centre, "H2", tmp_path / "b.sqlite3")
    customers_b = centre.records("H2", "customer")
    centre.put_records("H2", "customer", [{**customers_b["3"], "name": "只属于乙厅"}])
    pid = pay(a.store, 100, bill_id=open_bill(a))
    a.sync.sync()
    b.sync.sync()
    assert str(pid) in centre.records("H1", "payment")
    assert str(pid) not in centre.records("H2", "payment")
    with b.store.read() as s:
        assert s.get(Customer, 3).name == "只属于乙厅"  # type: ignore[union-attr]
        assert all(str(p) != str(pid) for p in s.scalars(text("SELECT id FROM payment")))
    with a.store.read() as s:
        assert s.get(Customer, 3).name != "只属于乙厅"  # type: ignore[union-attr]
    # A payload naming hall B changes nothing: the hall comes from the credential.
    op = {
        "op_id": "01900000-0000-7000-8000-000000000001",
        "kind": "audit_event",
        "key": "01900000-0000-7000-8000-000000000002",
        "action": "upsert",
        "payload_version": 1,
        "payload": {"id": "01900000-0000-7000-8000-000000000002", "hall_id": 2, "action": "x"},
    }
    a.transport.call("push", {"protocol": 1, "ops": [op]}, a.sync.state().credential)
    assert op["key"] in centre.records("H1", "audit_event")
    assert op["key"] not in centre.records("H2", "audit_event")


def test_revoked_device_is_refused_and_keeps_its_outbox(hall: Hall, centre: Centre) -> None:
    pay(hall.store, 100, bill_id=open_bill(hall))
    centre.revoke_device(hall.sync.state().device_code)
    with pytest.raises(DeviceRefused):
        hall.sync.sync()
    assert {o.state for o in outbox(hall)} == {"pending"}
    assert "revoked" in hall.sync.status().last_error


def test_enrolment_code_works_once(centre: Centre, tiny_demo: Path, tmp_path: Path) -> None:
    load_hall(centre, "H1", tiny_demo)
    _device, code = centre.enrol_device("H1")
    first = HallSync(open_store(sqlite_url(tmp_path / "x.sqlite3")), LocalTransport(centre))
    first.enrol("local:", code)
    with pytest.raises(DeviceRefused):
        first.enrol("local:", code)


class OldClient:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        return self.inner.call(endpoint, {**body, "protocol": 0}, credential)


def test_old_protocol_is_told_to_upgrade_and_keeps_its_outbox(hall: Hall, centre: Centre) -> None:
    pay(hall.store, 100, bill_id=open_bill(hall))
    old = HallSync(hall.store, OldClient(hall.transport))
    with pytest.raises(UpgradeRequired):
        old.sync()
    assert {o.state for o in outbox(hall)} == {"pending"}
    with centre.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM op")).scalar() == 0


def test_clock_skew_warns_then_blocks(hall: Hall, centre: Centre) -> None:
    pay(hall.store, 100, bill_id=open_bill(hall))
    ahead = HallSync(hall.store, hall.transport, lambda: datetime.now(UTC) + timedelta(minutes=20))
    with pytest.raises(ClockSkew):
        ahead.sync()
    assert {o.state for o in outbox(hall)} == {"pending"}
    slightly = HallSync(
        hall.store, hall.transport, lambda: datetime.now(UTC) - timedelta(minutes=7)
    )
    report = slightly.sync()
    assert report.skew_warning and report.skew_seconds < -400 and report.applied == 2


def test_sanity_mismatch_resends_the_day(hall: Hall, centre: Centre) -> None:
    pid = pay(hall.store, 100, bill_id=open_bill(hall))
    assert hall.sync.sync().mismatches == []
    # The centre loses the payment (restored from an older backup, say).
    with centre.engine.begin() as conn:
        for sql in (
            "DELETE FROM payment WHERE id = :i",
            "DELETE FROM allocation WHERE payment_id = :i",
            "DELETE FROM op WHERE key LIKE :k",
            "DELETE FROM record WHERE key LIKE :k",
        ):
            conn.execute(text(sql), {"i": pid, "k": f"{pid}%"})
    report = hall.sync.sync()
    assert len(report.mismatches) == 1 and report.mismatches[0]["centre_count"] == 0
    assert report.resent == 1 and report.mismatches_after_resend == []
    assert str(pid) in centre_payments(centre)
    with centre.engine.connect() as conn:
        alerts = conn.execute(text("SELECT count(*) FROM sanity_alert")).scalar()
    assert alerts == 1
