"""Opening the local store: engine pragmas, schema migration at start-up, sessions.

``open_store`` is the one way in. It refuses a file written by a newer HallDesk, copies the
file aside before migrating, and puts the copy back if the migration fails: SQLite DDL is
not transactional under Alembic, so a failed upgrade could otherwise leave half a schema.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app import paths
from app.domain.errors import StoreError
from app.i18n import N_
from app.store import private
from app.store.health import StoreDamaged, StoreHealth, typed_error
from app.store.number_marks import NumberMarks, mark_path
from app.store.receipt_mark import ReceiptMark
from app.store.sync_capture import install as install_capture

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest migration's revision. Checking it needs no Alembic import, which keeps
#: start-up fast; tests/store/test_migrations.py keeps it equal to the scripts' head.
SCHEMA_HEAD: Final = "0018"


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # Owner-only before WAL mode creates -wal/-shm (they take the main file's mode).
    for _seq, name, file in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            private.restrict(Path(file))
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # 16 MB of page cache per connection. The workbench holds several (the session pool,
    # a reading connection per thread, the health check), and each filled its 64 MB
    # while the worklist was scrolled through a million-customer store: 291 MB resident
    # against the 200 MB budget (issue 17). The operating system caches the file anyway.
    cursor.execute("PRAGMA cache_size=-16384")
    # Each b-tree page is checked as it is read from disk: a damaged page a statement
    # touches is found before anything is written into it (see ``health``).
    cursor.execute("PRAGMA cell_size_check=ON")
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
    """Cheap start-up check: the file is readable, is SQLite, and its schema page loads.

    An empty (0-byte) file is refused: SQLite would take it for a new database, and a
    store that lost its content (a failed copy, a full disk) would silently become an
    empty one. A new store is a file that does not exist yet."""
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
    if not header:
        raise StoreError(
            N_(
                "The database file {path} is empty (0 bytes): its content was lost. It is "
                "left as it is; restore the store from a backup (halldesk db restore), or "
                "remove the empty file to start a new store."
            ),
            path=str(path),
        )
    if header != b"SQLite format 3\x00":
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
    except sqlite3.Error as exc:
        typed = typed_error(exc, path)
        if typed is not None and not isinstance(typed, StoreDamaged):
            raise typed from exc
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
        private.restrict(target)
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
            # Before any other statement, so outside SQLite's transaction (a PRAGMA inside
            # one is ignored): a table rebuild drops and renames tables that others
            # reference. The keys are checked once the schema is whole.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
            if broken is not None:
                raise RuntimeError(f"foreign key broken after the migration: {tuple(broken)}")
    except Exception as exc:
        engine.dispose()
        if backup is not None and path is not None:
            _restore(backup, path)
        raise StoreError(
            N_("Updating the database failed and it was restored from its backup: {reason}"),
            reason=str(exc),
        ) from exc
    # The migrating connection had its foreign keys off: later ones start afresh (on).
    engine.dispose()
    return MigrationReport(current, head, backup)


class Store:
    """An opened, migrated store: an engine and a session factory for units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.path = db_path_from_url(self.url)
        #: The mark of the highest receipt and complaint numbers issued, beside the store
        #: file (see ``number_marks``).
        self.number_marks = NumberMarks(mark_path(self.path) if self.path is not None else None)
        #: The full page check's verdict; money writes wait for it (see ``health``).
        self.health = StoreHealth(self.path)
        install_capture(self._sessions)  # every write of a syncable kind also appends to the outbox
        self._raw = threading.local()
        self._raw_opened: list[Any] = []
        self._raw_lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def receipt_mark(self) -> ReceiptMark:
        """The receipt series of :attr:`number_marks` (its name before complaint numbers)."""
        return ReceiptMark(self.number_marks.path)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        A full disk, a failing disk or a damaged page is raised as its typed error
        (``health.typed_error``), never as the driver's text."""
        session = self._sessions()
        try:
            with self._errors_typed(OSError), session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            with self._errors_typed():
                yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def raw_read(self) -> Iterator[Any]:
        """A cursor on this thread's own reading connection (the driver's, no session).

        For the hot reads (the lookup as the clerk types): one connection kept per thread,
        fixed SQL (the driver's statement cache prepares it once), no ORM. The connection
        never opens a transaction (reads only), so each statement sees the last commit.
        Errors are typed as :meth:`read`'s are."""
        conn = getattr(self._raw, "conn", None)
        if conn is None:
            conn = self.engine.raw_connection()
            with self._raw_lock:
                self._raw_opened.append(conn)
            self._raw.conn = conn
        cursor = conn.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with self._errors_typed():
                yield cursor
        finally:
            cursor.close()

    @contextmanager
    def _errors_typed(self, *more: type[BaseException]) -> Iterator[None]:
        """The driver's errors (and ``more``) raised as their typed ``StoreError`` where
        ``health.typed_error`` knows them (a full or failing disk, a damaged page)."""
        kinds: tuple[type[BaseException], ...] = (DBAPIError, sqlite3.Error, *more)
        try:
            yield
        except kinds as exc:
            typed = self._typed(exc)
            if typed is None:
                raise
            raise typed from exc

    def _typed(self, exc: BaseException) -> StoreError | None:
        typed = typed_error(exc, self.path)
        if isinstance(typed, StoreDamaged):
            self.health.mark_damaged(str(typed.params.get("reason", "")))
        return typed

    def close(self) -> None:
        with self._raw_lock:
            opened, self._raw_opened = self._raw_opened, []
        for conn in opened:
            conn.invalidate()  # closes the driver's connection, not returned to the pool
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
        typed = typed_error(exc, path)
        if typed is not None:
            raise typed from exc
        raise StoreError(N_("The database cannot be opened: {reason}"), reason=str(exc)) from exc
    return Store(engine)
