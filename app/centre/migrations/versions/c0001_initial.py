"""centre: halls, devices, operations, records, change log, money

Revision ID: c0001
Revises:
Create Date: 2026-11-28 04:00:00
"""

from __future__ import annotations

from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

_DDL = """
CREATE TABLE hall (
    id serial PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    timezone text NOT NULL DEFAULT 'Asia/Shanghai',
    epoch integer NOT NULL DEFAULT 1,
    purged_txid bigint NOT NULL DEFAULT 0
);
CREATE TABLE device (
    id serial PRIMARY KEY,
    hall_id integer NOT NULL REFERENCES hall(id),
    code text NOT NULL UNIQUE,
    enrol_code_hash text,
    enrol_expires timestamptz,
    credential_hash text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    enrolled_at timestamptz,
    last_seen_at timestamptz,
    revoked boolean NOT NULL DEFAULT false
);
CREATE TABLE op (
    op_id uuid PRIMARY KEY,
    hall_id integer NOT NULL REFERENCES hall(id),
    device_id integer NOT NULL REFERENCES device(id),
    kind text NOT NULL,
    key text NOT NULL,
    action text NOT NULL,
    payload_version integer NOT NULL,
    payload jsonb NOT NULL,
    payload_hash text NOT NULL,
    result text NOT NULL CHECK (result IN ('applied', 'flagged')),
    note text NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_op_hall_kind_key ON op (hall_id, kind, key);
CREATE TABLE record (
    hall_id integer NOT NULL REFERENCES hall(id),
    kind text NOT NULL,
    key text NOT NULL,
    payload jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hall_id, kind, key)
);
CREATE TABLE change_log (
    seq bigserial PRIMARY KEY,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    hall_id integer NOT NULL,
    kind text NOT NULL,
    key text NOT NULL
);
CREATE INDEX ix_change_log_cursor ON change_log (hall_id, txid, seq);
CREATE FUNCTION record_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (hall_id, kind, key) VALUES (OLD.hall_id, OLD.kind, OLD.key);
        RETURN OLD;
    END IF;
    INSERT INTO change_log (hall_id, kind, key) VALUES (NEW.hall_id, NEW.kind, NEW.key);
    RETURN NEW;
END $$;
CREATE TRIGGER record_logged AFTER INSERT OR UPDATE OR DELETE ON record
    FOR EACH ROW EXECUTE FUNCTION record_logged();
CREATE TABLE payment (
    hall_id integer NOT NULL REFERENCES hall(id),
    id uuid NOT NULL,
    device_code text NOT NULL,
    day date NOT NULL,
    amount_fen bigint NOT NULL,
    account_id bigint NOT NULL,
    receipt_no text,
    unallocated_fen bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (hall_id, id),
    UNIQUE (hall_id, receipt_no)
);
CREATE INDEX ix_payment_day ON payment (hall_id, device_code, day);
CREATE TABLE allocation (
    hall_id integer NOT NULL,
    payment_id uuid NOT NULL,
    bill_id bigint NOT NULL,
    amount_fen bigint NOT NULL,
    applied boolean NOT NULL,
    PRIMARY KEY (hall_id, payment_id, bill_id)
);
CREATE INDEX ix_allocation_bill ON allocation (hall_id, bill_id);
CREATE TABLE flag (
    id bigserial PRIMARY KEY,
    hall_id integer NOT NULL REFERENCES hall(id),
    op_id uuid NOT NULL,
    kind text NOT NULL,
    key text NOT NULL,
    reason text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE TABLE sanity_alert (
    id bigserial PRIMARY KEY,
    hall_id integer NOT NULL REFERENCES hall(id),
    device_code text NOT NULL,
    day date NOT NULL,
    hall_count bigint NOT NULL,
    hall_sum bigint NOT NULL,
    centre_count bigint NOT NULL,
    centre_sum bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
"""


def upgrade() -> None:
    op.execute(_DDL)


def downgrade() -> None:
    for table in (
        "sanity_alert",
        "flag",
        "allocation",
        "payment",
        "change_log",
        "record",
        "op",
        "device",
        "hall",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    op.execute("DROP FUNCTION IF EXISTS record_logged()")
