"""checklist template versions: (code, version) no longer unique

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07 10:00:00

Two PCs of a hall that both save version *n* of one checklist before syncing each keep
their own row; the other PC's copy must be stored too, or an inspection made with it fails
the pull on its foreign key (issue 13, item 12). So ``uq_etiquette_template_code_version``
goes, and the versions of a code are ordered by ``(version, created_at, id)`` (the last is
the current one, the same on every PC); a plain index serves that order.

SQLite drops a UNIQUE constraint only by rebuilding the table, here under the inspections'
foreign key: ``ensure_schema`` runs every migration with ``PRAGMA foreign_keys`` off and
checks the keys afterwards (the rebuild drops the old table, which with the keys on would
delete-check every inspection). Dropping the table drops its triggers as well, so the two
of 0005 are created again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TRIGGERS = (
    "CREATE TRIGGER etiquette_template_no_delete BEFORE DELETE ON etiquette_template "
    "BEGIN SELECT RAISE(ABORT, 'etiquette_template versions are never deleted'); END",
    "CREATE TRIGGER etiquette_template_frozen_once_used BEFORE UPDATE ON etiquette_template "
    "WHEN EXISTS (SELECT 1 FROM etiquette_inspection WHERE template_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, 'etiquette_template version is in use and frozen'); END",
)
_COLUMNS = "id, code, version, kind, definition, created_at, created_by, device_code, note"


def _rebuild(*, unique: bool) -> None:
    """SQLite's own recipe (create the new table, copy, drop, rename), written out rather
    than reflected, so every store gets the same schema text."""
    op.execute("DROP TRIGGER IF EXISTS etiquette_template_frozen_once_used")
    op.execute("DROP TRIGGER IF EXISTS etiquette_template_no_delete")
    extra: list[sa.Constraint] = []
    if unique:
        extra.append(
            sa.UniqueConstraint("code", "version", name="uq_etiquette_template_code_version")
        )
    op.create_table(
        "_etiquette_template_new",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("device_code", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "kind IN ('inspection', 'self_check', 'simulation')",
            name="ck_etiquette_template_kind_valid",
        ),
        sa.CheckConstraint("version >= 1", name="ck_etiquette_template_version_positive"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name="fk_etiquette_template_created_by_staff"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_etiquette_template"),
        *extra,
    )
    op.execute(
        f"INSERT INTO _etiquette_template_new ({_COLUMNS}) "
        f"SELECT {_COLUMNS} FROM etiquette_template"
    )
    op.execute("DROP TABLE etiquette_template")
    op.execute("ALTER TABLE _etiquette_template_new RENAME TO etiquette_template")
    if not unique:
        op.create_index(
            "ix_etiquette_template_code_version", "etiquette_template", ["code", "version"]
        )
    for sql in _TRIGGERS:
        op.execute(sql)


def upgrade() -> None:
    _rebuild(unique=False)


def downgrade() -> None:
    """Refused by SQLite (a UNIQUE failure) while two rows share a version."""
    _rebuild(unique=True)
