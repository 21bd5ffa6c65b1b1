"""The sync service the workbench uses: pending items, the conflicts list, enrolment checks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.errors import PermissionDenied, ValidationError
from app.i18n import in_language
from app.services.pending import PendingKind, PendingQuery, collect
from app.services.staff.auth import AuthService
from app.store.database import open_store, sqlite_url
from app.store.models.sync import SyncConflict
from app.sync.pending import pending_items
from app.sync.service import SyncService
from tests.sync.conftest import pay


def test_unsynced_operations_are_pending_items_with_payments_apart(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    try:
        pay(store, 100, account_id=1)
        pay(store, 200, account_id=1)
        query = PendingQuery(now=datetime.now(UTC))
        with store.read() as s:
            items = pending_items(s, query)
            everything = collect(s, query)
        assert [(i.kind, i.tag, i.count) for i in items] == [(PendingKind.UNSYNCED, "payments", 2)]
        with in_language("zh_CN"):
            assert items[0].details() == "缴费"
        with in_language("en"):
            assert items[0].details() == "payments"
        assert any(i.kind == PendingKind.UNSYNCED for i in everything)
        status = SyncService(store).status()
        assert (status.enrolled, status.pending, status.pending_payments) == (False, 2, 2)
    finally:
        store.close()


def test_a_leader_resolves_a_flagged_item_and_it_is_audited(demo_db_copy: Path) -> None:
    store = open_store(sqlite_url(demo_db_copy))
    try:
        with store.unit_of_work() as s:
            s.add(
                SyncConflict(
                    op_id="x",
                    kind="payment_allocation",
                    key="k",
                    reason="bill_already_paid",
                    detail="{}",
                    flagged_at=datetime.now(UTC),
                )
            )
        service = SyncService(store)
        clerk = AuthService(store).actor_for("A001")
        leader = AuthService(store).actor_for("L001")
        row = service.conflicts()[0]
        with pytest.raises(PermissionDenied):
            service.resolve(clerk, row.id, "refunded")
        with pytest.raises(ValidationError):
            service.resolve(leader, row.id, "  ")
        with pytest.raises(ValidationError, match="control"):  # pasted with a NUL (issue 13.3)
            service.resolve(leader, row.id, "refunded\x00")
        service.resolve(leader, row.id, "credit moved to the next bill")
        assert service.conflicts() == []
        assert service.conflicts(include_resolved=True)[0].resolution.startswith("credit")
        with pytest.raises(ValidationError):
            service.enrol(leader, "ftp://centre", "CODE")
        with pytest.raises(ValidationError):
            service.set_interval(leader, -1)
        service.set_interval(leader, 15)
        assert service.interval_minutes() == 15
    finally:
        store.close()
