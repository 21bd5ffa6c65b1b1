"""Corrective actions (整改): a failed item of an inspection opens one for the inspected
clerk, with an owner and a due date; the next inspection of that clerk rechecks it.

An item answered and not failed closes its action, a failed one keeps it open (no duplicate
is opened); a correction cancels the actions of the superseded inspection whose items no
longer fail. Actions and their events are append-only: the state is their projection.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.etiquette_scoring import ChecklistScore
from app.services.base import Actor
from app.services.etiquette.templates import item_texts
from app.store.models import Staff
from app.store.models.etiquette import (
    ActionEventKind,
    CorrectiveAction,
    CorrectiveActionEvent,
    EtiquetteInspection,
)


@dataclass(frozen=True, slots=True)
class ActionRow:
    """A corrective action with its current state (the projection of its events)."""

    action_id: uuid.UUID
    inspection_id: uuid.UUID
    item_key: str
    item_text: str
    clerk_id: int
    clerk: str
    owner: str
    due_on: date
    created_at: datetime
    state: str  # "open" | "closed" | "cancelled"
    rechecks_failed: int
    closed_at: datetime | None
    overdue: bool


def action_rows(
    session: Session, today: date, clerk_id: int | None, *, open_only: bool
) -> list[ActionRow]:
    """Corrective actions with their state, newest first (of one clerk, or all)."""
    query = select(CorrectiveAction).order_by(CorrectiveAction.created_at.desc())
    if clerk_id is not None:
        query = query.where(CorrectiveAction.clerk_id == clerk_id)
    actions = list(session.scalars(query))
    events: dict[uuid.UUID, list[CorrectiveActionEvent]] = {}
    if actions:
        for event in session.scalars(
            select(CorrectiveActionEvent)
            .where(CorrectiveActionEvent.action_id.in_([a.id for a in actions]))
            .order_by(CorrectiveActionEvent.at)
        ):
            events.setdefault(event.action_id, []).append(event)
    names = {s.id: f"{s.staff_no} {s.name}" for s in session.scalars(select(Staff))}
    texts = item_texts(session)
    rows = []
    for action in actions:
        state, closed_at, failed = "open", None, 0
        for event in events.get(action.id, []):
            if event.kind == ActionEventKind.RECHECK_FAILED.value:
                failed += 1
            elif event.kind == ActionEventKind.RECHECK_PASSED.value:
                state, closed_at = "closed", event.at
            elif event.kind == ActionEventKind.CANCELLED.value:
                state, closed_at = "cancelled", event.at
        if open_only and state != "open":
            continue
        rows.append(
            ActionRow(
                action_id=action.id,
                inspection_id=action.inspection_id,
                item_key=action.item_key,
                item_text=texts.get(action.item_key, action.item_key),
                clerk_id=action.clerk_id,
                clerk=names.get(action.clerk_id, ""),
                owner=names.get(action.owner_id, ""),
                due_on=action.due_on,
                created_at=action.created_at,
                state=state,
                rechecks_failed=failed,
                closed_at=closed_at,
                overdue=state == "open" and action.due_on < today,
            )
        )
    return rows


def update_actions(
    session: Session,
    inspection: EtiquetteInspection,
    result: ChecklistScore,
    original: EtiquetteInspection | None,
    owner_id: int,
    due_on: date,
    now: datetime,
    signer: Actor,
    device: str,
) -> tuple[list[uuid.UUID], list[uuid.UUID], list[uuid.UUID]]:
    """Recheck the clerk's open actions against this inspection, cancel those of a
    superseded inspection that no longer fail, and open one per new failed item."""
    open_ids = _open_action_ids(session, inspection.clerk_id)
    actions = (
        list(session.scalars(select(CorrectiveAction).where(CorrectiveAction.id.in_(open_ids))))
        if open_ids
        else []
    )
    scored = {item.key: item for item in result.items}
    closed: list[uuid.UUID] = []
    still_open: list[uuid.UUID] = []
    failing_with_action: set[str] = set()

    def event(action: CorrectiveAction, kind: ActionEventKind) -> None:
        session.add(
            CorrectiveActionEvent(
                action_id=action.id,
                kind=kind.value,
                inspection_id=inspection.id,
                at=now,
                staff_id=signer.staff_id,
                device_code=device,
            )
        )

    for action in actions:
        item = scored.get(action.item_key)
        from_original = original is not None and action.inspection_id == original.id
        if item is None or not item.counts:
            if from_original:
                event(action, ActionEventKind.CANCELLED)
                closed.append(action.id)
            continue
        if item.failed:
            failing_with_action.add(action.item_key)
            still_open.append(action.id)
            if not from_original:
                event(action, ActionEventKind.RECHECK_FAILED)
        else:
            event(
                action,
                ActionEventKind.CANCELLED if from_original else ActionEventKind.RECHECK_PASSED,
            )
            closed.append(action.id)
    opened: list[uuid.UUID] = []
    for key in result.failed_items:
        if key in failing_with_action:
            continue
        action = CorrectiveAction(
            inspection_id=inspection.id,
            item_key=key,
            clerk_id=inspection.clerk_id,
            owner_id=owner_id,
            due_on=due_on,
            created_at=now,
            created_by=signer.staff_id,
            device_code=device,
        )
        session.add(action)
        session.flush()
        opened.append(action.id)
    return opened, closed, still_open


def _open_action_ids(session: Session, clerk_id: int) -> list[uuid.UUID]:
    done = select(CorrectiveActionEvent.action_id).where(
        CorrectiveActionEvent.kind.in_(
            (ActionEventKind.RECHECK_PASSED.value, ActionEventKind.CANCELLED.value)
        )
    )
    return list(
        session.scalars(
            select(CorrectiveAction.id).where(
                CorrectiveAction.clerk_id == clerk_id, CorrectiveAction.id.not_in(done)
            )
        )
    )
