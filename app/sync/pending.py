"""Pending items of sync: operations not yet sent to the centre (payments counted apart)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.pending import PendingItem, PendingKind, PendingQuery, register_provider
from app.store.models.sync import OpState, SyncOutbox


def pending_items(session: Session, query: PendingQuery) -> Sequence[PendingItem]:
    rows = session.execute(
        select(SyncOutbox.kind == "payment", func.count(), func.min(SyncOutbox.created_at))
        .where(SyncOutbox.state == OpState.PENDING.value)
        .group_by(SyncOutbox.kind == "payment")
    ).all()
    items = []
    for is_payment, count, oldest in rows:
        items.append(
            PendingItem(
                kind=PendingKind.UNSYNCED,
                ref="",
                summary="",
                due_at=oldest,
                overdue=False,
                count=int(count),
                tag="payments" if is_payment else "operations",
            )
        )
    items.sort(key=lambda i: i.tag != "payments")
    return items


register_provider((PendingKind.UNSYNCED,), pending_items)
