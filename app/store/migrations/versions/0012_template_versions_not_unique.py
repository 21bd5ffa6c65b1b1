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

from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None

_TRIGGERS = (
    "CREATE TRIGGER etiquette_template_no_delete BEFORE DELETE ON etiquette_template "
    "BEGIN SELECT RAISE(ABORT, 'etiquette_template versions are never deleted'); END",
    "CREATE TRIGGER etiquette_template_frozen_once_used BEFORE UPDATE ON etiquette_template "
    "WHEN EXISTS (SELECT 1 FROM etiquette_inspection WHERE template_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, 'etiquette_template version is in use and frozen'); END",
)


def _drop_triggers() -> None:
    op.execute("DROP TRIGGER IF EXISTS etiquette_template_frozen_once_used")
    op.execute("DROP TRIGGER IF EXISTS etiquette_template_no_delete")


def upgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("etiquette_template", recreate="always") as batch_op:
        batch_op.drop_constraint("uq_etiquette_template_code_version", type_="unique")
        batch_op.create_index("ix_etiquette_template_code_version", ["code", "version"])
    for sql in _TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    """Refused by SQLite (a UNIQUE failure) while two rows share a version."""
    _drop_triggers()
    with op.batch_alter_table("etiquette_template", recreate="always") as batch_op:
        batch_op.drop_index("ix_etiquette_template_code_version")
        batch_op.create_unique_constraint("uq_etiquette_template_code_version", ["code", "version"])
    for sql in _TRIGGERS:
        op.execute(sql)
