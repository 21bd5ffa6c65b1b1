"""Reset (full re-download): the hall's whole data set staged in ``sync_stage`` page by
page, then swapped in in one transaction. The outbox is never touched, and a row with a
pending local operation keeps the local version.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Integer, delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.services.complaints.records import rebuild_states
from app.store import sync_registry
from app.store.models import Counter, DeviceInfo, Hall
from app.store.models.sync import (
    OpState,
    SyncOutbox,
    SyncStage,
    SyncState,
)
from app.store.sync_capture import APPLYING
from app.store.sync_registry import Direction
from app.sync.apply import (
    complaints_touched,
    delete_keys,
    list_flagged_events,
    single_int_pk,
    upsert,
)
from app.sync.cursor import encode as encode_cursor
from app.sync.hall_base import HallSyncBase, SyncReport


class ResetMixin(HallSyncBase):
    # --- reset (full re-download) ---------------------------------------------------------

    def reset(self, credential: str, report: SyncReport) -> None:
        """Download the hall's whole data set and swap it in; the outbox is never touched."""
        report.reset = True
        with self.store.unit_of_work() as session:
            session.execute(delete(SyncStage))
        after: Any = None
        cursor: Mapping[str, Any] | None = None
        epoch = 0
        while True:
            self._check_cancel()
            answer = self._call(
                "snapshot", {"after": after, "limit": self.snapshot_page}, credential
            )
            if cursor is None:
                cursor = answer["cursor"]
                epoch = int(answer["epoch"])
            rows = answer.get("rows", [])
            with self.store.unit_of_work() as session:
                if rows:
                    session.execute(
                        insert(SyncStage),
                        [
                            {
                                "kind": r["kind"],
                                "key": r["key"],
                                "payload": sync_registry.dumps(r["payload"]),
                            }
                            for r in rows
                        ],
                    )
            self.progress("download", len(rows))
            after = answer.get("next")
            if not after:
                break
        self.crash("reset.after_stage")
        assert cursor is not None
        with self.store.unit_of_work() as session:
            session.info[APPLYING] = True
            conn = session.connection()
            touched: set[uuid.UUID] = set()
            for kind in sync_registry.ordered():
                if kind.direction == Direction.CENTRE and single_int_pk(kind):
                    # Rows the centre no longer has (their tombstones were purged).
                    pk = kind.table.c[kind.pk[0]]
                    staged = select(func.cast(SyncStage.key, Integer)).where(
                        SyncStage.kind == kind.name
                    )
                    gone = [
                        str(k) for k in conn.execute(select(pk).where(pk.not_in(staged))).scalars()
                    ]
                    report.deleted += delete_keys(conn, kind, gone)
                pending = {
                    k
                    for (k,) in conn.execute(
                        select(SyncOutbox.key).where(
                            SyncOutbox.state == OpState.PENDING.value,
                            SyncOutbox.kind == kind.name,
                        )
                    )
                }
                result = conn.execute(
                    select(SyncStage.key, SyncStage.payload).where(SyncStage.kind == kind.name)
                )
                for part in result.partitions(2000):
                    rows = [json.loads(p) for k, p in part if k not in pending]
                    upsert(conn, kind, rows)
                    report.pulled += len(rows)
                    if kind.name in ("complaint_event", "complaint_event_order"):
                        touched |= complaints_touched(rows)
                    if kind.name == "complaint_event_order":
                        list_flagged_events(session, rows, self.clock())
            conn.execute(delete(SyncStage))
            conn.execute(
                update(SyncState)
                .where(SyncState.id == 1)
                .values(pull_cursor=encode_cursor(cursor), epoch=epoch)
            )
            self._ensure_device_info(session)
            if touched:
                rebuild_states(session, touched)

    def _ensure_device_info(self, session: Session) -> None:
        if session.scalars(select(DeviceInfo).limit(1)).first() is not None:
            return
        st = session.get(SyncState, 1)
        hall = session.scalars(select(Hall).order_by(Hall.id).limit(1)).first()
        if st is None or hall is None:
            return
        counter = session.scalars(
            select(Counter).where(Counter.hall_id == hall.id).order_by(Counter.id).limit(1)
        ).first()
        session.add(
            DeviceInfo(
                id=1,
                device_code=st.device_code,
                hall_id=hall.id,
                counter_id=counter.id if counter else None,
                is_demo=False,
            )
        )
