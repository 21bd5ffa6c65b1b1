"""Pending items of sync: operations not yet sent to the centre."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.services.pending import PendingItem, PendingQuery


def pending_items(session: Session, query: PendingQuery) -> Sequence[PendingItem]:
    return []
