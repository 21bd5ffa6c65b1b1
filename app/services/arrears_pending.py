"""Pending items of arrears: restore requests not yet done, promises to pay that fall due."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.services.pending import PendingItem, PendingQuery


def pending_items(session: Session, query: PendingQuery) -> Sequence[PendingItem]:
    return []
