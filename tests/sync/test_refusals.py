"""One bad record never blocks a PC, and the centre trusts only the credential (issue 13,
items 1, 3 and 4), against the real PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from app.centre.service import Centre, CentreError
from app.domain.errors import ValidationError
from app.domain.ids import uuid7
from app.services.staff.auth import AuthService
from app.store import sync_registry
from app.store.database import Store
from app.store.models import DeviceInfo, Staff
from app.store.models.complaints import Complaint, ComplaintEvent
from app.store.models.sync import SyncConflict, SyncOutbox
from app.sync.protocol import PROTOCOL_VERSION
from app.sync.service import SyncService
from tests.sync.conftest import Hall, load_hall, new_hall_pc, pay


@pytest.fixture
def pcs(centre: Centre, tiny_demo: Path, tmp_path: Path) -> tuple[Hall, Hall]:
    load_hall(centre, "H1", tiny_demo)
    return (
        new_hall_pc(centre, "H1", tmp_path / "a.sqlite3"),
        new_hall_pc(centre, "H1", tmp_path / "b.sqlite3"),
    )


def poison_complaint(store: Store, description: str = "停机\x00了") -> uuid.UUID:
    """A complaint taken before the input checks existed (text pasted with a NUL), with
    its ``received`` event: written as the old intake wrote it, so it is in the outbox."""
    now = datetime.now(UTC)
    with store.unit_of_work() as s:
        device = s.scalars(select(DeviceInfo)).one()
        staff = s.scalars(select(Staff.id).order_by(Staff.id)).first()
        cid = uuid7()
        s.add(
            Complaint(
                id=cid,
                number=f"{device.device_code}-C{cid.hex[-6:]}",
                device_code=device.device_code,
                staff_id=staff,
                received_at=now,
                contact_name="王",
                contact_phone="13800000000",
                contact_way="phone",
                channel="counter",
                category="billing",
                description=description,
                urgency="normal",
            )
        )
        s.flush()
        s.add(
            ComplaintEvent(
                id=uuid7(),
                complaint_id=cid,
                seq=1,
                kind="received",
                at=now,
                device_code=device.device_code,
                staff_id=staff,
                category="billing",
                note="",
            )
        )
    return cid


def outbox_of(hall: Hall, kind: str) -> list[SyncOutbox]:
    with hall.store.read() as s:
        rows = list(s.scalars(select(SyncOutbox).where(SyncOutbox.kind == kind)))
        s.expunge_all()
    return rows


def push(centre: Centre, credential: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    body = json.loads(json.dumps({"protocol": PROTOCOL_VERSION, "ops": ops}))
    return list(centre.handle("push", body, credential)["results"])


def payment_op(hall: Hall, **changes: Any) -> dict[str, Any]:
    """A fresh payment operation as this PC would send it, with ``changes`` made."""
    pid = pay(hall.store, 123, account_id=1)
    op = next(o for o in outbox_of(hall, "payment") if o.key == str(pid))
    payload = {**json.loads(op.payload), **changes}
    return {"op_id": str(uuid7()), "kind": "payment", "key": str(pid), "payload": payload}


# --- item 3: a poison record is refused alone --------------------------------------------


def test_a_nul_in_one_record_refuses_that_record_alone(
    pcs: tuple[Hall, Hall], centre: Centre
) -> None:
    """Issue 13, item 3: "a complaint text holding a NUL character (pasted from the
    clipboard) makes every push answer 500 (PostgreSQL JSON refuses \\u0000)"."""
    a, _b = pcs
    cred = a.sync.state().credential
    before = pay(a.store, 100, account_id=1)
    poison_complaint(a.store)
    after = pay(a.store, 200, account_id=1)
    ops = [
        {
            "op_id": o.op_id,
            "kind": o.kind,
            "key": o.key,
            "action": o.action,
            "payload": json.loads(o.payload),
        }
        for o in sorted(
            outbox_of(a, "payment") + outbox_of(a, "complaint") + outbox_of(a, "complaint_event"),
            key=lambda o: o.seq,
        )
    ]
    results = {r["op_id"]: r for r in push(centre, cred, ops)}
    by_kind = {op["kind"]: results[op["op_id"]] for op in ops}
    assert by_kind["complaint"]["result"] == "rejected"
    assert by_kind["complaint"]["reason"] == "bad_text"
    assert by_kind["complaint"]["retry"] is False
    assert by_kind["complaint"]["detail"] == {"field": "description"}
    # Its event points at it: refused with it, so no PC ever pulls the event alone.
    assert (by_kind["complaint_event"]["reason"], by_kind["complaint_event"]["retry"]) == (
        "waits_for",
        True,
    )
    assert {str(before), str(after)} <= set(centre.records("H1", "payment"))
    assert ops[1]["key"] not in centre.records("H1", "complaint")
    assert ("complaint", ops[1]["key"], "bad_text") in centre.flags("H1")
    # Sent again: nothing was stored for it, so it is refused again, never "duplicate".
    again = {r["op_id"]: r for r in push(centre, cred, ops)}
    assert again[ops[1]["op_id"]]["result"] == "rejected"
    assert {again[o["op_id"]]["result"] for o in ops if o["kind"] == "payment"} == {"duplicate"}


def test_a_poisoned_pc_keeps_syncing_and_a_leader_sends_the_record_again(
    pcs: tuple[Hall, Hall], centre: Centre
) -> None:
    a, b = pcs
    pay(a.store, 100, account_id=1)
    cid = poison_complaint(a.store)
    later = pay(a.store, 200, account_id=1)
    report = a.sync.sync()  # no exception: the sync went through
    assert report.rejected == 2 and report.applied == 2
    assert str(later) in centre.records("H1", "payment")
    # Parked here, listed with its reason; the event waits behind it, not listed.
    [complaint_op] = outbox_of(a, "complaint")
    assert (complaint_op.state, complaint_op.result, complaint_op.note) == (
        "pending",
        "rejected",
        "bad_text",
    )
    service = SyncService(a.store)
    [row] = service.conflicts()
    assert (row.kind, row.reason, row.parked) == ("complaint", "bad_text", True)
    assert service.status().pending == 2  # still unsynced, and counted so
    # The next sync succeeds and sends nothing new; the other PC syncs as usual.
    again = a.sync.sync()
    assert (again.pushed, again.rejected) == (0, 0) and again.held == 1
    b.sync.sync()
    leader = AuthService(a.store).actor_for("L001")
    with pytest.raises(ValidationError):
        service.resolve(leader, row.id, "dealt with")  # would hide unsent data
    service.send_again(leader, row.id)
    done = a.sync.sync()
    # The cleaned complaint, then its event (and the leader's audit event).
    assert done.rejected == 0 and done.applied == 3
    stored = centre.records("H1", "complaint")[str(cid)]
    assert stored["description"] == "停机了"
    assert service.conflicts() == []
    assert service.status().pending == 0
    b.sync.sync()
    with b.store.read() as s:
        assert s.get(Complaint, cid) is not None
        assert s.scalar(select(func.count()).where(ComplaintEvent.complaint_id == cid)) == 1
    with a.store.read() as s:  # this PC's own row keeps what was typed
        assert "\x00" in s.get(Complaint, cid).description  # type: ignore[union-attr]


def test_values_that_do_not_fit_their_columns_are_refused_alone(
    pcs: tuple[Hall, Hall], centre: Centre
) -> None:
    """Issue 13, item 6: amount_fen "abc" or 10^20 and paid_at 2026-02-30 answered 500 and
    rolled back the good operations of the batch."""
    a, _b = pcs
    cred = a.sync.state().credential
    good = payment_op(a)
    bad = [
        payment_op(a, amount_fen="abc"),
        payment_op(a, amount_fen=10**20),
        payment_op(a, paid_at="2026-02-30T10:00:00+00:00"),
        payment_op(a, amount_fen=None),
        payment_op(a, account_id=[1]),
    ]
    results = push(centre, cred, [*bad, good])
    assert [r["result"] for r in results] == ["rejected"] * 5 + ["applied"]
    assert [r["detail"]["field"] for r in results[:5]] == [
        "amount_fen",
        "amount_fen",
        "paid_at",
        "amount_fen",
        "account_id",
    ]
    assert {r["reason"] for r in results[:5]} == {"bad_payload"}
    assert good["key"] in centre.records("H1", "payment")


# --- item 4: the device is the credential's --------------------------------------------


def test_a_payment_naming_another_device_is_refused(pcs: tuple[Hall, Hall], centre: Centre) -> None:
    """Issue 13, item 4: "any device of a hall can push payments as another device"."""
    a, b = pcs
    cred = a.sync.state().credential
    other = b.sync.state().device_code
    as_other = payment_op(a, device_code=other, receipt_no=f"{other}-00000001")
    their_number = payment_op(a, receipt_no=f"{other}-00000002")
    own = payment_op(a)
    results = push(centre, cred, [as_other, their_number, own])
    assert [(r["result"], r.get("reason")) for r in results] == [
        ("rejected", "other_device"),
        ("rejected", "other_device"),
        ("applied", ""),
    ]
    assert set(centre.records("H1", "payment")) & {as_other["key"], their_number["key"]} == set()
    with centre.engine.connect() as conn:
        codes = conn.execute(text("SELECT DISTINCT device_code FROM payment")).scalars().all()
    assert other not in codes


def test_a_protocol_1_pc_is_told_to_update_rather_than_lose_a_refused_record(
    pcs: tuple[Hall, Hall], centre: Centre
) -> None:
    a, _b = pcs
    cred = a.sync.state().credential
    body = {"protocol": 1, "ops": [payment_op(a, amount_fen="abc"), payment_op(a)]}
    with pytest.raises(CentreError) as refused:
        centre.handle("push", json.loads(json.dumps(body)), cred)
    assert refused.value.status == 426
    assert body["ops"][1]["key"] not in centre.records("H1", "payment")  # nothing kept


# --- item 1: a flag that was the centre's own fault is never final ----------------------


def test_an_operation_refused_for_the_centres_own_fault_is_applied_at_the_next_sync(
    pcs: tuple[Hall, Hall], centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, item 1: with a half-built registry, valid operations were flagged
    ``kind_not_writable`` for good and their re-sends answered ``duplicate``."""
    a, b = pcs
    pid = pay(a.store, 100, account_id=1)
    real = sync_registry.get

    def half_built(name: str) -> sync_registry.Kind | None:
        return None if name == "payment" else real(name)

    monkeypatch.setattr(sync_registry, "get", half_built)
    first = a.sync.sync()
    monkeypatch.setattr(sync_registry, "get", real)
    assert first.rejected == 1
    assert str(pid) not in centre.records("H1", "payment")
    assert SyncService(a.store).conflicts()[0].retrying
    second = a.sync.sync()
    assert (second.applied, second.duplicates) == (1, 0)
    assert str(pid) in centre.records("H1", "payment")
    assert SyncService(a.store).conflicts() == []
    b.sync.sync()
    with b.store.read() as s:
        n = s.execute(text("SELECT count(*) FROM payment WHERE id = :i"), {"i": pid.hex})
        assert n.scalar() == 1


def test_operations_an_older_centre_flagged_for_its_own_fault_are_applied_when_resent(
    pcs: tuple[Hall, Hall], centre: Centre
) -> None:
    """What the race left behind: ``op`` rows flagged ``kind_not_writable`` (the record
    never stored) and the PC's operations acknowledged as flagged. The next sync re-sends
    them, the centre applies them (not ``duplicate``) and closes the flags."""
    a, _b = pcs
    pid = pay(a.store, 100, account_id=1)
    [op] = outbox_of(a, "payment")
    payload = json.loads(op.payload)
    from app.centre.base import payload_hash

    with centre.engine.begin() as conn:
        dev = conn.execute(
            text("SELECT id, hall_id FROM device WHERE code = :c"),
            {"c": a.sync.state().device_code},
        ).one()
        conn.execute(
            text(
                "INSERT INTO op (op_id, hall_id, device_id, kind, key, action, payload_version, "
                "payload, payload_hash, result, note) VALUES (:id, :h, :d, 'payment', :k, "
                "'upsert', 1, CAST(:p AS jsonb), :ph, 'flagged', 'kind_not_writable')"
            ),
            {
                "id": op.op_id,
                "h": dev.hall_id,
                "d": dev.id,
                "k": op.key,
                "p": sync_registry.dumps(payload),
                "ph": payload_hash(payload),
            },
        )
        conn.execute(
            text(
                "INSERT INTO flag (hall_id, op_id, kind, key, reason) VALUES "
                "(:h, :id, 'payment', :k, 'kind_not_writable')"
            ),
            {"h": dev.hall_id, "id": op.op_id, "k": op.key},
        )
    with a.store.unit_of_work() as s:
        s.execute(
            text(
                "UPDATE sync_outbox SET state = 'acked', result = 'flagged', "
                "note = 'kind_not_writable'"
            )
        )
        s.add(
            SyncConflict(
                op_id=op.op_id,
                kind="payment",
                key=op.key,
                reason="kind_not_writable",
                detail="{}",
                flagged_at=datetime.now(UTC),
            )
        )
    report = a.sync.sync()
    assert (report.applied, report.duplicates) == (1, 0)
    assert str(pid) in centre.records("H1", "payment")
    with centre.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT result FROM op WHERE op_id = :i"), {"i": op.op_id}).scalar()
            == "applied"
        )
        assert (
            conn.execute(
                text("SELECT count(*) FROM flag WHERE op_id = :i AND resolved_at IS NULL"),
                {"i": op.op_id},
            ).scalar()
            == 0
        )
