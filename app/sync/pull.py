"""Pull: the centre's changes after the PC's cursor, page by page, each page applied and
the cursor moved in one transaction. A row with a pending local operation is not
overwritten (the centre's echo of that operation comes later); a centre that says the PC
is too far behind gets a reset (:mod:`app.sync.reset`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.services.complaints.records import rebuild_states
from app.store import sync_registry
from app.store.models.sync import (
    OpState,
    SyncOutbox,
    SyncState,
)
from app.store.sync_capture import APPLYING
from app.sync.apply import (
    Group,
    Page,
    complaints_touched,
    delete_keys,
    list_flagged_events,
    write_rows,
)
from app.sync.cursor import decode as decode_cursor
from app.sync.cursor import encode as encode_cursor
from app.sync.hall_base import HallSyncBase, SyncReport
from app.sync.protocol import (
    CentreFailure,
)


class PullMixin(HallSyncBase):
    # --- pull -----------------------------------------------------------------------------

    def pull(self, credential: str, report: SyncReport) -> None:
        resets = 0
        while True:
            self._check_cancel()
            st = self.state()
            answer = self._call(
                "pull",
                {
                    "cursor": decode_cursor(st.pull_cursor),
                    "epoch": st.epoch,
                    "limit": self.pull_page,
                },
                credential,
            )
            if answer.get("reset_required"):
                if resets:
                    raise CentreFailure("the centre asks for a reset again after a reset")
                resets += 1
                self.reset(credential, report)
                continue
            self._apply_page(Page.of(answer), answer["cursor"], report)
            self.crash("pull.after_page_apply")
            self.progress("pull", report.pulled)
            if not answer.get("more"):
                return

    @staticmethod
    def _has_pending(session: Session) -> bool:
        first = session.scalars(
            select(SyncOutbox.seq).where(SyncOutbox.state == OpState.PENDING.value).limit(1)
        ).first()
        return first is not None

    def _pending_keys(
        self, session: Session, keys: Iterable[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        if not self._has_pending(session):
            return set()
        wanted = set(keys)
        found: set[tuple[str, str]] = set()
        by_kind: dict[str, list[str]] = {}
        for kind, key in wanted:
            by_kind.setdefault(kind, []).append(key)
        for kind, key_list in by_kind.items():
            for start in range(0, len(key_list), 500):
                part = key_list[start : start + 500]
                found.update(
                    (kind, k)
                    for k in session.scalars(
                        select(SyncOutbox.key).where(
                            SyncOutbox.state == OpState.PENDING.value,
                            SyncOutbox.kind == kind,
                            SyncOutbox.key.in_(part),
                        )
                    )
                )
        return found

    def _apply_page(self, page: Page, cursor: Mapping[str, Any], report: SyncReport) -> None:
        with self.store.unit_of_work() as session:
            session.info[APPLYING] = True
            report.kept_local += self._apply_changes(session, page, report)
            session.execute(
                update(SyncState).where(SyncState.id == 1).values(pull_cursor=encode_cursor(cursor))
            )
            self.crash("pull.before_page_commit")
        report.pulled += page.count

    def _apply_changes(self, session: Session, page: Page, report: SyncReport) -> int:
        pending = self._pending_keys(
            session,
            itertools.chain(((g.kind, k) for g in page.groups for k in g.keys), page.deleted),
        )
        upserts: dict[str, list[Group]] = {}
        deletes: dict[str, list[str]] = {}
        for group in page.groups:
            kind = sync_registry.get(group.kind)
            if kind is None:
                continue
            if pending or kind.rows is not None:
                kept = [
                    (key, row)
                    for key, row in zip(group.keys, group.rows, strict=True)
                    if (group.kind, key) not in pending
                    # this PC's own row (e.g. its receipt secret) is never replaced
                    and kind.travels(dict(zip(group.columns, row, strict=True)))
                ]
                group = Group(group.kind, group.columns, [k for k, _ in kept], [r for _, r in kept])
            if group.rows:
                upserts.setdefault(kind.name, []).append(group)
        for kind_name, key in page.deleted:
            if (kind_name, key) not in pending and sync_registry.get(kind_name) is not None:
                deletes.setdefault(kind_name, []).append(key)
        conn = session.connection()
        for kind in sorted((sync_registry.kinds()[n] for n in upserts), key=lambda k: k.order):
            for group in upserts[kind.name]:
                write_rows(conn, kind, group.columns, group.rows)
        for kind in sorted(
            (sync_registry.kinds()[n] for n in deletes), key=lambda k: k.order, reverse=True
        ):
            report.deleted += delete_keys(conn, kind, deletes[kind.name])
        events = [p for g in upserts.get("complaint_event", ()) for p in g.payloads()]
        orders = [p for g in upserts.get("complaint_event_order", ()) for p in g.payloads()]
        touched = complaints_touched(events) | complaints_touched(orders)
        if touched:
            self.crash("pull.before_complaint_rebuild")
            rebuild_states(session, touched)
            list_flagged_events(session, orders, self.clock())
        return len(pending)
