"""complaint events identified by id alone; the centre's order of each complaint's events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 05:20:00

``complaint_event`` loses its unique ``(complaint_id, seq)``: each PC numbers its own events,
so two PCs' events of one complaint may share a ``seq`` and both must be kept. The table is
rebuilt for that (SQLite cannot drop a constraint), and its append-only triggers with it.
``complaint_event_order`` holds the order the centre gave each event and whether the event
was flagged (no longer a valid step); it is mastered by the centre and pulled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _triggers(create: bool) -> None:
    for verb in ("UPDATE", "DELETE"):
        name = f"complaint_event_no_{verb.lower()}"
        if create:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {verb} ON complaint_event "
                "BEGIN SELECT RAISE(ABORT, 'complaint_event is append-only'); END"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


_KINDS = (
    "'received', 'classified', 'forwarded', 'planned', 'handled', 'fed_back', 'archived', "
    "'reopened', 'paused', 'resumed', 'note', 'fault_linked'"
)


def _rebuild_complaint_event(*, unique_seq: bool) -> None:
    """Recreate ``complaint_event`` with or without the unique ``(complaint_id, seq)``,
    keeping its rows. Written out (not Alembic's batch copy, whose constraint order varies
    from run to run) so every store gets the same DDL."""
    unique = (
        ",\n\tCONSTRAINT uq_complaint_event_complaint_id_seq UNIQUE (complaint_id, seq)"
        if unique_seq
        else ""
    )
    _triggers(create=False)
    op.execute("DROP INDEX IF EXISTS ix_complaint_event_at")
    op.execute("DROP INDEX IF EXISTS ix_complaint_event_complaint_id_seq")
    op.execute(
        "CREATE TABLE _complaint_event_new (\n"
        "\tid CHAR(32) NOT NULL,\n"
        "\tcomplaint_id CHAR(32) NOT NULL,\n"
        "\tseq INTEGER NOT NULL,\n"
        "\tkind VARCHAR(16) NOT NULL,\n"
        "\tat DATETIME NOT NULL,\n"
        "\tdevice_code VARCHAR(16) NOT NULL,\n"
        "\tstaff_id INTEGER NOT NULL,\n"
        "\tcategory VARCHAR(20),\n"
        "\tsubcategory VARCHAR(40),\n"
        "\tdepartment VARCHAR(20),\n"
        "\tway VARCHAR(16),\n"
        "\tsatisfaction VARCHAR(20),\n"
        "\tfault_notice_id CHAR(32),\n"
        "\tnote TEXT NOT NULL,\n"
        "\tCONSTRAINT pk_complaint_event PRIMARY KEY (id),\n"
        f"\tCONSTRAINT ck_complaint_event_kind_valid CHECK (kind IN ({_KINDS})),\n"
        "\tCONSTRAINT fk_complaint_event_complaint_id_complaint FOREIGN KEY(complaint_id) "
        "REFERENCES complaint (id),\n"
        "\tCONSTRAINT fk_complaint_event_fault_notice_id_fault_notice "
        "FOREIGN KEY(fault_notice_id) REFERENCES fault_notice (id),\n"
        "\tCONSTRAINT fk_complaint_event_staff_id_staff FOREIGN KEY(staff_id) "
        f"REFERENCES staff (id){unique}\n)"
    )
    op.execute(
        "INSERT INTO _complaint_event_new (id, complaint_id, seq, kind, at, device_code, "
        "staff_id, category, subcategory, department, way, satisfaction, fault_notice_id, "
        "note) SELECT id, complaint_id, seq, kind, at, device_code, staff_id, category, "
        "subcategory, department, way, satisfaction, fault_notice_id, note FROM complaint_event"
    )
    op.execute("DROP TABLE complaint_event")
    op.execute('ALTER TABLE _complaint_event_new RENAME TO "complaint_event"')
    op.execute("CREATE INDEX ix_complaint_event_at ON complaint_event (at)")
    if not unique_seq:
        op.execute(
            "CREATE INDEX ix_complaint_event_complaint_id_seq ON complaint_event (complaint_id, seq)"
        )
    _triggers(create=True)


def upgrade() -> None:
    _rebuild_complaint_event(unique_seq=False)

    op.create_table(
        "complaint_event_order",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("centre_seq", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_complaint_event_order")),
    )
    with op.batch_alter_table("complaint_event_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_complaint_event_order_complaint_id", ["complaint_id", "centre_seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint_event_order", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_event_order_complaint_id")
    op.drop_table("complaint_event_order")
    _rebuild_complaint_event(unique_seq=True)
