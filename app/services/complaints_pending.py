"""Pending items of complaints: due soon or overdue, call-backs, open fault notices."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.services.pending import PendingItem, PendingQuery


def pending_items(session: Session, query: PendingQuery) -> Sequence[PendingItem]:
    return []
