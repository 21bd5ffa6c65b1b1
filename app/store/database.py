"""Opening the local store: engine pragmas, schema migration at start-up, sessions.

``open_store`` is the one way in. It refuses a file written by a newer HallDesk, copies the
file aside before migrating, and puts the copy back if the migration fails: SQLite DDL is
not transactional under Alembic, so a failed upgrade could otherwise leave half a schema.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import paths
from app.domain.errors import StoreError
from app.i18n import N_


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
    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _check_readable(path: Path) -> None:
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
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            N_("The database file {path} is damaged: {reason}"), path=str(path), reason=str(exc)
        ) from exc
    if row is None or row[0] != "ok":
        raise StoreError(
            N_("The database file {path} is damaged: {reason}"),
            path=str(path),
            reason=str(row[0] if row else "?"),
        )


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


def ensure_schema(engine: Engine) -> MigrationReport:
    """Bring the store to the head revision, refusing a newer one and undoing a failure."""
    url = engine.url.render_as_string(hide_password=False)
    cfg = alembic_config(url)
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    assert head is not None
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
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
    backup = _backup(path) if (path is not None and current is not None) else None
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
        _check_readable(path)
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
