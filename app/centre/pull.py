"""The centre's pull, snapshot and money sanity check: reading a hall's data for a device.

See :mod:`app.sync.cursor` for the pull cursor. Every query is filtered by the hall of the
device's credential.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text

from app.centre.base import CentreBase, DeviceCtx
from app.sync.cursor import PullCursor
from app.sync.protocol import RawJSON


class PullMixin(CentreBase):
    def pull(self, dev: DeviceCtx, cursor: PullCursor, epoch: int, limit: int) -> dict[str, Any]:
        """The next page of the hall's changes after ``cursor`` (see :mod:`app.sync.cursor`).

        The page's list of ``changes`` is built as JSON text by PostgreSQL and passed
        through as :class:`RawJSON` (no per-row Python objects here).
        """
        with self.engine.connect() as conn:
            purged = conn.execute(
                text("SELECT purged_txid FROM hall WHERE id = :h"), {"h": dev.hall_id}
            ).scalar_one()
            if epoch != dev.epoch or cursor.horizon < int(purged):
                return {"reset_required": True, "changes": [], "more": False}
            self.fault("pull.page")
            upto = (
                cursor.upto or conn.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
            )
            after = cursor.after or (cursor.horizon, -1)
            # The page's log entries first, then their records: joined before the LIMIT, a
            # plan made on stale statistics (after a bulk change, before autoanalyze) looked
            # up the record of every remaining entry for each page (measured with 100,000
            # changed rows: 0.6 s for a page half-way through instead of 0.2 s).
            page = (
                "WITH log AS MATERIALIZED (SELECT c.txid, c.seq, c.kind, c.key "
                "FROM change_log c WHERE c.hall_id = :h "
                "AND (c.txid, c.seq) > (CAST(:t AS xid8), :s) "
                "AND c.txid < pg_snapshot_xmax(CAST(:upto AS pg_snapshot)) "
                "AND pg_visible_in_snapshot(c.txid, CAST(:upto AS pg_snapshot)) "
                "AND NOT pg_visible_in_snapshot(c.txid, CAST(:seen AS pg_snapshot)) "
                "ORDER BY c.txid, c.seq LIMIT :n), "
                "page AS MATERIALIZED (SELECT l.txid, l.seq, l.kind, l.key, r.payload FROM log l "
                "LEFT JOIN record r ON r.hall_id = :h AND r.kind = l.kind AND r.key = l.key)"
            )
            rows = conn.execute(
                text(
                    f"{page} SELECT p.txid::text, p.seq, json_build_object('kind', p.kind, "
                    "'key', p.key, 'deleted', p.payload IS NULL, 'payload', p.payload)::text "
                    "FROM page p ORDER BY p.txid, p.seq"
                ),
                {
                    "h": dev.hall_id,
                    "t": str(after[0]),
                    "s": after[1],
                    "upto": upto,
                    "seen": cursor.seen,
                    "n": limit,
                },
            ).all()
            conn.rollback()
        more = len(rows) == limit
        if more:
            moved = PullCursor(cursor.seen, upto, (int(rows[-1][0]), int(rows[-1][1])))
        else:
            moved = PullCursor(seen=upto)
        return {
            "reset_required": False,
            "changes": RawJSON("[" + ",".join(r[2] for r in rows) + "]"),
            "cursor": moved.to_wire(),
            "more": more,
        }

    def snapshot(self, dev: DeviceCtx, after: Any, limit: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            out: dict[str, Any] = {"epoch": dev.epoch}
            if not after:
                # Every page is read later than this, so each holds at least what this
                # snapshot sees; the first pull after the download starts from it.
                seen = conn.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
                out["cursor"] = PullCursor(seen=seen).to_wire()
                after = ["", ""]
            rows = conn.execute(
                text(
                    "SELECT kind, key, json_build_object('kind', kind, 'key', key, "
                    "'payload', payload)::text FROM record WHERE hall_id = :h "
                    "AND (kind, key) > (:k, :key) ORDER BY kind, key LIMIT :n"
                ),
                {"h": dev.hall_id, "k": str(after[0]), "key": str(after[1]), "n": limit},
            ).all()
            conn.rollback()
        out["rows"] = RawJSON("[" + ",".join(r[2] for r in rows) + "]")
        out["next"] = [rows[-1][0], rows[-1][1]] if len(rows) == limit else None
        return out

    def day_totals(self, hall_id: int, device_code: str, since: date) -> dict[str, tuple[int, int]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT day, count(*), sum(amount_fen) FROM payment WHERE hall_id = :h "
                    "AND device_code = :d AND day >= :s GROUP BY day"
                ),
                {"h": hall_id, "d": device_code, "s": since},
            ).all()
        return {r[0].isoformat(): (int(r[1]), int(r[2])) for r in rows}

    def sanity(
        self, dev: DeviceCtx, start: date, days: Sequence[tuple[date, int, int]]
    ) -> dict[str, Any]:
        """Compare the device's per-day payment count and sum with the centre's."""
        centre = self.day_totals(dev.hall_id, dev.code, start)
        hall = {day.isoformat(): (count, total) for day, count, total in days}
        mismatches = []
        for day in sorted(set(centre) | set(hall)):
            if date.fromisoformat(day) < start:
                continue
            h, c = hall.get(day, (0, 0)), centre.get(day, (0, 0))
            if h != c:
                mismatches.append(
                    {
                        "day": day,
                        "hall_count": h[0],
                        "hall_sum": h[1],
                        "centre_count": c[0],
                        "centre_sum": c[1],
                    }
                )
        if mismatches:
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO sanity_alert (hall_id, device_code, day, hall_count, "
                        "hall_sum, centre_count, centre_sum) "
                        "VALUES (:h, :d, :day, :hc, :hs, :cc, :cs)"
                    ),
                    [
                        {
                            "h": dev.hall_id,
                            "d": dev.code,
                            "day": date.fromisoformat(str(m["day"])),
                            "hc": m["hall_count"],
                            "hs": m["hall_sum"],
                            "cc": m["centre_count"],
                            "cs": m["centre_sum"],
                        }
                        for m in mismatches
                    ],
                )
        return {"mismatches": mismatches}
