"""Every write of a syncable kind reaches the outbox in the writer's transaction."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update

from app.services.hall import HallService
from app.services.payments.receipts import SECRET_KEY
from app.store import sync_registry
from app.store.database import Store, make_engine, open_store, sqlite_url
from app.store.models import Account, AuditEvent, Customer, SmsMessage, Staff
from app.store.models.sync import SyncOutbox
from app.store.sync_capture import APPLYING
from app.store.sync_registry import Direction

ROOT = Path(__file__).resolve().parents[2]


def outbox(store: object) -> list[tuple[str, str, str]]:
    with store.read() as s:  # type: ignore[attr-defined]
        return [
            (o.kind, o.key, o.action)
            for o in s.scalars(select(SyncOutbox).order_by(SyncOutbox.seq))
        ]


def test_orm_writes_and_bulk_updates_append_operations(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    try:
        with store.read() as s:
            account = s.scalars(select(Account.id)).first()
            staff = s.scalars(select(Staff.id)).first()
        with store.unit_of_work() as s:
            s.add(AuditEvent(at=datetime.now(UTC), staff_id=staff, action="test"))
            msg = SmsMessage(
                account_id=account,
                phone="1",
                body="b",
                created_at=datetime.now(UTC),
                staff_id=staff,
            )
            s.add(msg)
        # The SMS export marks messages with a bulk UPDATE: that reaches the outbox too.
        with store.unit_of_work() as s:
            s.execute(
                update(SmsMessage)
                .where(SmsMessage.id == msg.id)
                .values(phone="2")
                .execution_options(synchronize_session=False)
            )
        ops = outbox(store)
        assert [k for k, _key, _a in ops] == ["audit_event", "sms_message", "sms_message"]
        with store.read() as s:
            last = s.scalars(select(SyncOutbox).order_by(SyncOutbox.seq.desc())).first()
            assert last is not None and '"phone":"2"' in last.payload
        # A rolled-back write leaves no operation; a centre-mastered kind makes none.
        try:
            with store.unit_of_work() as s:
                s.add(AuditEvent(at=datetime.now(UTC), staff_id=staff, action="gone"))
                s.flush()
                raise RuntimeError
        except RuntimeError:
            pass
        with store.unit_of_work() as s:
            s.get(Customer, 1).address = "changed"  # type: ignore[union-attr]
        with store.unit_of_work() as s:
            s.info[APPLYING] = True
            s.add(AuditEvent(at=datetime.now(UTC), staff_id=staff, action="pulled"))
        assert len(outbox(store)) == 3
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(AuditEvent)) >= 2
    finally:
        store.close()


def test_a_store_opened_where_a_closed_one_was_captures_its_writes(tmp_path: Path) -> None:
    """Every store's writes reach its outbox, however many stores the process opened and
    closed before it (a PC reopens its store after a restore; a test session opens hundreds).

    The capture asked SQLAlchemy whether the session factory listened already
    (``event.contains``). That registry is keyed by ``id()`` and keeps a factory's entry after
    the factory is gone, so a new store whose factory was allocated where a closed store's
    had been was taken as listening, and none of its writes reached the outbox: the other
    PCs never received them (the sync flakes: B lacked A's complaint; a payment or a hall
    rule written at A was not in A's outbox)."""
    url = sqlite_url(tmp_path / "pc.sqlite3")
    open_store(url).close()
    store = Store(make_engine(url))
    freed: set[int] = set()
    reused = 0
    missing = []
    try:
        for i in range(200):
            reused += id(store._sessions) in freed
            if reused >= 10:
                break
            key = f"hall.reopened.{i}"
            HallService(store).set_setting(key, str(i))
            if ("hall_setting", key, "upsert") not in outbox(store):
                missing.append(key)
            freed.add(id(store._sessions))
            engine = make_engine(url)
            store.close()
            del store  # the closed store is freed just before the next one is built
            store = Store(engine)
    finally:
        store.close()
    assert reused, "no store was opened where a closed one had been: nothing was exercised"
    assert missing == []


_WRITE = re.compile(r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.I)


def test_no_service_writes_a_syncable_table_with_raw_sql() -> None:
    """Raw SQL bypasses the capture; writes to syncable tables must go through the ORM."""
    hall_tables = {k.name for k in sync_registry.kinds().values() if k.direction == Direction.HALL}
    offenders = []
    services = ROOT / "app" / "services"
    for path in sorted(services.rglob("*.py")):
        for table in _WRITE.findall(path.read_text(encoding="utf-8")):
            if table in hall_tables:
                offenders.append(f"{path.relative_to(services).as_posix()}: {table}")
    # The receipt secret is this PC's own hall_setting row, which never travels
    # (sync_registry.is_hall_wide_setting): its race-free INSERT OR IGNORE may stay raw SQL.
    assert not sync_registry.is_hall_wide_setting({"key": SECRET_KEY})
    assert offenders == ["payments/receipts.py: hall_setting"]


def test_every_synced_row_points_only_at_synced_rows() -> None:
    """A pulled row whose foreign key names a table that does not sync would fail the other
    PCs' pulls (as inspections did before their template versions synced)."""
    kinds = sync_registry.kinds()
    dangling = sorted(
        f"{kind.name}.{fk.parent.name} -> {fk.column.table.name}"
        for kind in kinds.values()
        for fk in kind.table.foreign_keys
        if fk.column.table.name not in kinds
    )
    assert dangling == []
