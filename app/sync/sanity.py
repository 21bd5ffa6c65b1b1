"""The money sanity check after each sync: per day, the count and sum of this device's
payments the centre was told of, compared with the centre's; the payments of a day that
differs are sent again (and compared once more).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import and_, select, text, update

from app.store import sync_registry
from app.store.models.sync import (
    OpState,
    SyncOutbox,
)
from app.store.sync_capture import enqueue_rows
from app.sync.hall_base import HallSyncBase, SyncReport
from app.sync.protocol import (
    SANITY_DAYS,
)


class SanityMixin(HallSyncBase):
    # --- money sanity check ---------------------------------------------------------------

    def local_day_totals(self, device_code: str, since: str) -> dict[str, tuple[int, int]]:
        """Per UTC day, the count and sum of this device's payments that the centre has
        been told of: one read (one SQLite snapshot) of the payments and the outbox,
        leaving out payments whose operation is still pending — taken while this sync
        pulled, or refused by the centre — so a payment taken during a sync is not a
        false "payments differ" that re-sends the whole day (issue 13, item 8)."""
        with self.store.read() as session:
            rows = session.execute(
                text(
                    "SELECT date(p.paid_at), count(*), sum(p.amount_fen) FROM payment p "
                    "WHERE p.device_code = :d AND p.paid_at >= :s AND NOT EXISTS ("
                    "SELECT 1 FROM sync_outbox o WHERE o.kind = 'payment' "
                    "AND o.state = 'pending' AND o.key = lower(substr(p.id, 1, 8) || '-' || "
                    "substr(p.id, 9, 4) || '-' || substr(p.id, 13, 4) || '-' || "
                    "substr(p.id, 17, 4) || '-' || substr(p.id, 21))) "
                    "GROUP BY date(p.paid_at)"
                ),
                {"d": device_code, "s": since},
            ).all()
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}

    def sanity(self, credential: str, report: SyncReport) -> None:
        st = self.state()
        since = (self.clock().astimezone(UTC) - timedelta(days=SANITY_DAYS)).date().isoformat()
        report.mismatches = self._compare(credential, st.device_code, since)
        if not report.mismatches:
            return
        report.resent = self.requeue_days(st.device_code, [m["day"] for m in report.mismatches])
        self.push(credential, report)
        report.mismatches_after_resend = self._compare(credential, st.device_code, since)

    def _compare(self, credential: str, device_code: str, since: str) -> list[dict[str, Any]]:
        days = [
            {"day": day, "count": c, "sum": s}
            for day, (c, s) in sorted(self.local_day_totals(device_code, since).items())
        ]
        answer = self._call("sanity", {"since": since, "days": days}, credential)
        return list(answer.get("mismatches", []))

    def requeue_days(self, device_code: str, days: Sequence[str]) -> int:
        """Send the payments (and their allocations) of these days again: their operations
        become pending again, or new ones are written for payments that have none."""
        count = 0
        payment = sync_registry.kinds()["payment"]
        allocation = sync_registry.kinds()["payment_allocation"]
        with self.store.unit_of_work() as session:
            for day in days:
                ids = [
                    str(r[0])
                    for r in session.execute(
                        text(
                            "SELECT id FROM payment WHERE device_code = :d AND date(paid_at) = :day"
                        ),
                        {"d": device_code, "day": day},
                    )
                ]
                for raw in ids:
                    pid = sync_registry.decode_row(payment.table, {"id": uuid_text(raw)})["id"]
                    key = str(pid)
                    op_ids = session.scalars(
                        select(SyncOutbox.op_id).where(
                            SyncOutbox.kind == payment.name, SyncOutbox.key == key
                        )
                    ).all()
                    if op_ids:
                        session.execute(
                            update(SyncOutbox)
                            .where(
                                (and_(SyncOutbox.kind == payment.name, SyncOutbox.key == key))
                                | (
                                    and_(
                                        SyncOutbox.kind == allocation.name,
                                        SyncOutbox.key.like(f"{key}|%"),
                                    )
                                )
                            )
                            .values(state=OpState.PENDING.value)
                        )
                    else:
                        enqueue_rows(session, payment, {(pid,)})
                        bills = session.execute(
                            select(allocation.table.c.payment_id, allocation.table.c.bill_id).where(
                                allocation.table.c.payment_id == pid
                            )
                        ).all()
                        if bills:
                            enqueue_rows(session, allocation, {tuple(b) for b in bills})
                    count += 1
        return count


def uuid_text(raw: str) -> str:
    return raw if "-" in raw else f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
