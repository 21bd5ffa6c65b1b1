"""receipt and complaint numbers may repeat (a PC restored together with its number mark)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 16:30:00

A PC whose whole data folder (store and number mark) was put back from an older copy, and
which took a payment or a complaint before its first sync, issues a number it had issued
before the copy was made: two customers then hold receipts (or acknowledgement slips) with
the same number, and both payments or complaints must be kept and synced everywhere. The
unique constraints on ``payment.receipt_no`` and ``complaint.number`` made the pull skip
the centre's earlier row (silently: append-only rows are inserted with ``ON CONFLICT DO
NOTHING``): the earlier payment was missing from the PC's ledger (the customer's account
showed the paid amount as still owed), and the earlier complaint's events then failed
their foreign key, which stopped every later pull of that PC. Both numbers stay indexed
(the lookups by number); the centre flags the repeats (``receipt_no_clash``,
``complaint_no_clash``) for the back office.

SQLite cannot drop a constraint: each table is rebuilt from its own DDL without it, its
rows kept, and its indexes and triggers (append-only, the ledger's) recreated from their
own SQL after the copy, so the copy fires none of them. Migrations run with foreign keys
off, so the tables that reference the rebuilt one keep pointing at it. Downgrading restores
the constraints and refuses, naming the numbers, while one repeats.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: table → (its unique constraint as the DDL writes it, the column, the plain index).
UNIQUES = {
    "payment": ("CONSTRAINT uq_payment_receipt_no UNIQUE (receipt_no)", "receipt_no"),
    "complaint": ("CONSTRAINT uq_complaint_number UNIQUE (number)", "number"),
}


def _schema(table: str) -> tuple[str, list[str]]:
    """The table's DDL, and the SQL of its own indexes and triggers."""
    rows = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
            "ORDER BY type = 'trigger', name",
            (table,),
        )
        .all()
    )
    ddl = next(str(sql) for kind, sql in rows if kind == "table")
    return ddl, [str(sql) for kind, sql in rows if kind != "table"]


def _rebuild(table: str, body: str, extras: list[str]) -> None:
    """Replace ``table`` by one created with the column list ``body``, rows kept."""
    new = f"_{table}_new"
    op.execute(f"CREATE TABLE {new} {body}")
    op.execute(f"INSERT INTO {new} SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")  # its indexes and triggers go with it
    # Triggers of other tables name this one: the legacy rename leaves them as they are.
    op.execute("PRAGMA legacy_alter_table = ON")
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    op.execute("PRAGMA legacy_alter_table = OFF")
    for sql in extras:
        op.execute(sql)


def upgrade() -> None:
    for table, (unique, column) in UNIQUES.items():
        ddl, extras = _schema(table)
        body = ddl[ddl.index("(") :]
        for joint in (", \n\t", ",\n\t", ", "):
            body = body.replace(joint + unique, "")
        if unique in body:
            raise RuntimeError(f"unexpected DDL of {table}: {ddl}")
        _rebuild(table, body, extras)
        op.execute(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})")


def downgrade() -> None:
    for table, (unique, column) in UNIQUES.items():
        repeated = [
            str(r[0])
            for r in op.get_bind().exec_driver_sql(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL "
                f"GROUP BY {column} HAVING count(*) > 1"
            )
        ]
        if repeated:
            raise RuntimeError(f"{table} numbers held by more than one row: " + ", ".join(repeated))
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}")
        ddl, extras = _schema(table)
        body = ddl[ddl.index("(") :].rstrip()
        if not body.endswith(")"):
            raise RuntimeError(f"unexpected DDL of {table}: {ddl}")
        _rebuild(table, body[:-1].rstrip() + f", \n\t{unique}\n)", extras)
