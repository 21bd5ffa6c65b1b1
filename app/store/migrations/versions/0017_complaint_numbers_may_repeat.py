"""a complaint number may be held by two complaints (a PC restored with its mark)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 16:30:00

A PC whose whole data folder (store and number mark) was put back from an older copy, and
which took a complaint before its first sync, issues a number it had issued before the
copy was made: two customers then hold acknowledgement slips with the same number, and
both complaints must be kept, answered within 15 days and synced. The unique constraint
on ``complaint.number`` refused the centre's copy of the earlier complaint on the pull
(silently: the pull inserts append-only rows with ``ON CONFLICT DO NOTHING``) and the
earlier complaint's events then failed their foreign key, which stopped every later pull
of that PC. The number stays indexed (the lookup by number); the centre flags the repeat
(``complaint_no_clash``) for the back office.

SQLite cannot drop a constraint: the table is rebuilt from its own DDL without the
constraint, its rows kept, its append-only triggers recreated (migrations run with
foreign keys off, so the tables that reference ``complaint`` keep pointing at it).
Downgrading restores the constraint and refuses, with the numbers, while one repeats.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None

_UNIQUE = "CONSTRAINT uq_complaint_number UNIQUE (number)"


def _triggers(create: bool) -> None:
    for verb in ("UPDATE", "DELETE"):
        name = f"complaint_no_{verb.lower()}"
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        if create:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {verb} ON complaint "
                "BEGIN SELECT RAISE(ABORT, 'complaint is append-only'); END"
            )


def _rebuild(ddl: str) -> None:
    """Replace ``complaint`` by a table created with ``ddl`` (named ``_complaint_new``)."""
    _triggers(create=False)
    op.execute("DROP INDEX IF EXISTS ix_complaint_number")
    op.execute(ddl)
    op.execute("INSERT INTO _complaint_new SELECT * FROM complaint")
    op.execute("DROP TABLE complaint")
    op.execute("ALTER TABLE _complaint_new RENAME TO complaint")
    _triggers(create=True)


def _ddl() -> str:
    row = op.get_bind().exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'complaint'"
    )
    return str(row.scalar_one())


def upgrade() -> None:
    ddl = _ddl()
    start = ddl.index("(")
    body = ddl[start:].replace(f", \n\t{_UNIQUE}", "").replace(f",\n\t{_UNIQUE}", "")
    if _UNIQUE in body:
        raise RuntimeError("unexpected DDL of complaint: " + ddl)
    _rebuild("CREATE TABLE _complaint_new " + body)
    op.execute("CREATE INDEX ix_complaint_number ON complaint (number)")


def downgrade() -> None:
    repeated = [
        str(r[0])
        for r in op.get_bind().exec_driver_sql(
            "SELECT number FROM complaint GROUP BY number HAVING count(*) > 1"
        )
    ]
    if repeated:
        raise RuntimeError(
            "complaint numbers held by more than one complaint: " + ", ".join(repeated)
        )
    ddl = _ddl()
    body = ddl[ddl.index("(") :].rstrip()
    if not body.endswith(")"):
        raise RuntimeError("unexpected DDL of complaint: " + ddl)
    _rebuild("CREATE TABLE _complaint_new " + body[:-1].rstrip() + f", \n\t{_UNIQUE}\n)")
