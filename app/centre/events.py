"""The centre's order of a complaint's events: each newly stored event gets the next
``centre_seq`` of its complaint, and the complaint's flow is replayed in that order. An
event that is no longer a valid step (two PCs acted on the complaint at once) is kept and
ordered too, but flagged ``invalid_transition``; the order travels down to every PC of the
hall as a ``complaint_event_order`` record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from app.domain.complaint_flow import Event, EventKind, replay
from app.store import sync_registry


def order_events(
    conn: Connection, hall_id: int, rows: Sequence[Mapping[str, Any]]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Give each newly stored complaint event its place in its complaint's history (the
    next ``centre_seq``) and replay the complaint's flow in that order: an event that is
    no longer a valid step is kept and ordered too, but flagged (``invalid_transition``),
    and its effect is left out of the replay. The order travels down to every PC of the
    hall as a ``complaint_event_order`` record. Returns op id → (reason, detail) of the
    flagged ones. Events of one complaint are serialised by a transaction lock."""
    by_complaint: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        by_complaint.setdefault(str(r["payload"].get("complaint_id")), []).append(r)
    flagged: dict[str, tuple[str, dict[str, Any]]] = {}
    for cid in sorted(by_complaint):
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"{hall_id}|complaint|{cid}"},
        )
        stored = {
            str(x[0]): x[1]
            for x in conn.execute(
                text(
                    "SELECT key, payload FROM record WHERE hall_id = :h "
                    "AND kind = 'complaint_event' AND payload->>'complaint_id' = :c"
                ),
                {"h": hall_id, "c": cid},
            )
        }
        orders = {
            str(x[0]): x[1]
            for x in conn.execute(
                text(
                    "SELECT key, payload FROM record WHERE hall_id = :h "
                    "AND kind = 'complaint_event_order' AND payload->>'complaint_id' = :c"
                ),
                {"h": hall_id, "c": cid},
            )
        }
        ordered = sorted(
            (k for k in orders if k in stored), key=lambda k: int(orders[k]["centre_seq"])
        )
        new_keys = [str(r["payload"].get("id")) for r in by_complaint[cid]]
        # Events stored before the centre ordered events (none are, after an upgrade of
        # the centre, but kept safe): by their time, then id, ahead of this batch.
        earlier = sorted(
            (k for k in stored if k not in orders and k not in new_keys),
            key=lambda k: (str(stored[k].get("at")), k),
        )
        todo = [k for k in dict.fromkeys([*earlier, *new_keys]) if k not in orders]
        history = [*ordered, *todo]
        skip = [i for i, k in enumerate(ordered) if orders[k].get("flagged")]
        try:
            _state, refused = replay([_flow_event(stored[k]) for k in history], skip)
            refused_keys = {history[i] for i in refused}
        except ValueError:  # no 'received' event: every step is kept, and flagged
            refused_keys = set(history)
        next_seq = max((int(orders[k]["centre_seq"]) for k in ordered), default=0)
        out: list[dict[str, Any]] = []
        for key in todo:
            next_seq += 1
            bad = key in refused_keys
            out.append(
                {
                    "event_id": key,
                    "complaint_id": cid,
                    "centre_seq": next_seq,
                    "flagged": bad,
                    "reason": "invalid_transition" if bad else "",
                }
            )
            if bad:
                for r in by_complaint[cid]:
                    if str(r["payload"].get("id")) == key:
                        flagged[str(r["op_id"])] = (
                            "invalid_transition",
                            {"complaint_id": cid, "kind": stored[key].get("kind")},
                        )
        if out:
            conn.execute(
                text(
                    "INSERT INTO record (hall_id, kind, key, payload) VALUES (:h, "
                    "'complaint_event_order', :key, CAST(:p AS jsonb)) ON CONFLICT DO NOTHING"
                ),
                [{"h": hall_id, "key": o["event_id"], "p": sync_registry.dumps(o)} for o in out],
            )
    return flagged


def _flow_event(p: Mapping[str, Any]) -> Event:
    """What the complaint flow needs of a stored event's payload."""
    return Event(
        kind=EventKind(str(p["kind"])),
        at=datetime.fromisoformat(str(p["at"])),
        department=p.get("department"),
        category=p.get("category"),
        subcategory=p.get("subcategory"),
        satisfaction=p.get("satisfaction"),
        fault_notice_id=p.get("fault_notice_id"),
    )
