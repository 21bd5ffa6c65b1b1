"""The centre's administration: halls, centre-side records (the back office, a load, a
test), forgetting the change log, a hall's epoch, loading a hall store, and reading
records and flags back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from app.centre.base import CentreBase, CentreError
from app.store import sync_registry


class AdminMixin(CentreBase):
    # --- administration ---------------------------------------------------------------------

    def ensure_hall(self, code: str, name: str = "", timezone: str = "Asia/Shanghai") -> int:
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO hall (code, name, timezone) VALUES (:c, :n, :tz) "
                    "ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id"
                ),
                {"c": code, "n": name or code, "tz": timezone},
            ).one()
        return int(row[0])

    def put_records(self, hall_code: str, kind: str, payloads: Iterable[Mapping[str, Any]]) -> int:
        """Centre-side writes (the back office, a load, a test): upsert by key."""
        k = sync_registry.get(kind)
        if k is None:
            raise CentreError(400, "unknown_kind", kind)
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            return self._put(conn, hall_id, k, payloads)

    def _put(
        self,
        conn: Connection,
        hall_id: int,
        k: sync_registry.Kind,
        payloads: Iterable[Mapping[str, Any]],
    ) -> int:
        rows = [
            {
                "h": hall_id,
                "k": k.name,
                "key": sync_registry.key_of(k, p),
                "p": sync_registry.dumps(sync_registry.without_local(k, p)),
            }
            for p in payloads
            if k.travels(p)
        ]
        if not rows:
            return 0
        conn.execute(
            text(
                "INSERT INTO record (hall_id, kind, key, payload) VALUES (:h, :k, :key, "
                "CAST(:p AS jsonb)) ON CONFLICT (hall_id, kind, key) DO UPDATE SET "
                "payload = EXCLUDED.payload, updated_at = now() "
                "WHERE record.payload IS DISTINCT FROM EXCLUDED.payload"
            ),
            rows,
        )
        if k.name == "payment":
            self._money_rows(conn, hall_id, rows)
        elif k.name == "payment_allocation":
            conn.execute(
                text(
                    "INSERT INTO allocation (hall_id, payment_id, bill_id, amount_fen, applied) "
                    "SELECT :h, CAST(p->>'payment_id' AS uuid), CAST(p->>'bill_id' AS bigint), "
                    "CAST(p->>'amount_fen' AS bigint), true FROM (SELECT CAST(:p AS jsonb) AS p) s "
                    "ON CONFLICT DO NOTHING"
                ),
                rows,
            )
        return len(rows)

    def delete_record(self, hall_code: str, kind: str, key: str) -> None:
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            conn.execute(
                text("DELETE FROM record WHERE hall_id = :h AND kind = :k AND key = :key"),
                {"h": hall_id, "k": kind, "key": key},
            )

    def purge_log(self, hall_code: str) -> None:
        """Forget the hall's change log below the current watermark (tombstones included):
        a PC whose cursor is older must then re-download everything."""
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            xmin = conn.execute(
                text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            ).scalar_one()
            conn.execute(
                text("DELETE FROM change_log WHERE hall_id = :h AND txid::text::bigint < :x"),
                {"h": hall_id, "x": xmin},
            )
            conn.execute(
                text("UPDATE hall SET purged_txid = :x WHERE id = :h"), {"h": hall_id, "x": xmin}
            )

    def bump_epoch(self, hall_code: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("UPDATE hall SET epoch = epoch + 1 WHERE code = :c"), {"c": hall_code}
            )

    def load_store(self, hall_code: str, path: Path, batch: int = 5000) -> dict[str, int]:
        """Upload a hall store's rows of every syncable kind into the hall's scope."""
        from sqlalchemy import select

        from app.store.database import open_store, sqlite_url

        store = open_store(sqlite_url(path))
        counts: dict[str, int] = {}
        try:
            with store.engine.connect() as src, self.engine.begin() as conn:
                hall_id = self.hall_id(conn, hall_code)
                for k in sync_registry.ordered():
                    n = 0
                    result = src.execution_options(yield_per=batch).execute(select(k.table))
                    for part in result.mappings().partitions(batch):
                        n += self._put(
                            conn, hall_id, k, [sync_registry.encode_row(dict(r)) for r in part]
                        )
                    counts[k.name] = n
        finally:
            store.close()
        return counts

    # inspection helpers (tests, back office)

    def records(self, hall_code: str, kind: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            hall_id = self.hall_id(conn, hall_code)
            rows = conn.execute(
                text("SELECT key, payload FROM record WHERE hall_id = :h AND kind = :k"),
                {"h": hall_id, "k": kind},
            ).all()
        return {r[0]: r[1] for r in rows}

    def flags(self, hall_code: str) -> list[tuple[str, str, str]]:
        with self.engine.connect() as conn:
            hall_id = self.hall_id(conn, hall_code)
            rows = conn.execute(
                text("SELECT kind, key, reason FROM flag WHERE hall_id = :h ORDER BY id"),
                {"h": hall_id},
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]
