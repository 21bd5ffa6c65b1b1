"""Opening the local store: engine pragmas, schema migration at start-up, sessions.

``open_store`` is the one way in. It refuses a file written by a newer HallDesk, copies the
file aside before migrating, and puts the copy back if the migration fails: SQLite DDL is
not transactional under Alembic, so a failed upgrade could otherwise leave half a schema.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import paths
from app.domain.errors import StoreError
from app.i18n import N_

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest migration's revision. Checking it needs no Alembic import, which keeps
#: start-up fast; tests/store/test_migrations.py keeps it equal to the scripts' head.
SCHEMA_HEAD: Final = "0011"


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def db_path_from_url(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_connect)
    return engine


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision() -> str:
    """The head revision as the migration scripts say (imports Alembic; see SCHEMA_HEAD)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def check_readable(path: Path) -> None:
    """Cheap start-up check: the file is readable, is SQLite, and its schema page loads."""
    if not path.exists():
        return
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise StoreError(
            N_("The database file {path} cannot be read: {reason}"),
            path=str(path),
            reason=exc.strerror or str(exc),
        ) from exc
    if header and header != b"SQLite format 3\x00":
        raise StoreError(
            N_("The file {path} is not a HallDesk database (it is damaged or of another kind)."),
            path=str(path),
        )
    _integrity(path, "SELECT count(*) FROM sqlite_master", lambda row: row is not None)


def _integrity(path: Path, sql: str, ok: Callable[[Any], bool]) -> None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute(sql).fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            N_("The database file {path} is damaged: {reason}"), path=str(path), reason=str(exc)
        ) from exc
    if not ok(row):
        raise StoreError(
            N_("The database file {path} is damaged: {reason}"),
            path=str(path),
            reason=str(row[0] if row else "?"),
        )


def check_integrity(path: Path) -> None:
    """The full page-by-page check. It reads the whole file, so it runs before a migration
    (and from ``halldesk db upgrade``), not at every start."""
    _integrity(path, "PRAGMA quick_check", lambda row: row is not None and row[0] == "ok")


def _backup(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    target = path.with_name(f"{path.name}.pre-migration-{stamp}.bak")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def _restore(backup: Path, path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()
    shutil.copyfile(backup, path)


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision, read without Alembic (None for an empty file)."""
    with engine.connect() as conn:
        has_table = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
            if engine.dialect.name == "sqlite"
            else text(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'alembic_version'"
            )
        ).first()
        if has_table is None:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def ensure_schema(engine: Engine) -> MigrationReport:
    """Bring the store to the head revision, refusing a newer one and undoing a failure."""
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return MigrationReport(current, current, None)

    from alembic import command
    from alembic.script import ScriptDirectory

    url = engine.url.render_as_string(hide_password=False)
    cfg = alembic_config(url)
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    assert head is not None
    if current == head:
        return MigrationReport(current, head, None)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:
            raise StoreError(
                N_(
                    "This database was written by a newer version of HallDesk "
                    "(schema {revision}). Install the newer version to open it."
                ),
                revision=current,
            ) from None
    path = db_path_from_url(url)
    backup = None
    if path is not None and current is not None:
        check_integrity(path)
        backup = _backup(path)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:
        engine.dispose()
        if backup is not None and path is not None:
            _restore(backup, path)
        raise StoreError(
            N_("Updating the database failed and it was restored from its backup: {reason}"),
            reason=str(exc),
        ) from exc
    return MigrationReport(current, head, backup)


class Store:
    """An opened, migrated store: an engine and a session factory for units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        from app.sync.capture import install

        install(self._sessions)  # every write of a syncable kind also appends to the outbox

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url``; StoreError says what is wrong."""
    path = db_path_from_url(url)
    if path is not None:
        check_readable(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        if migrate:
            ensure_schema(engine)
    except StoreError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        raise StoreError(N_("The database cannot be opened: {reason}"), reason=str(exc)) from exc
    return Store(engine)
