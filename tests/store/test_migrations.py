from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app import paths
from app.domain.errors import StoreError
from app.store import database
from app.store.database import SCHEMA_HEAD, head_revision, open_store, sqlite_url
from app.store.models import Account, Base, Customer, Hall, Payment
from app.sync.cursor import PullCursor, decode


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_empty_file_migrates_to_head_matching_the_models(tmp_path: Path) -> None:
    """(The expression index of 0013 on the approving leader is not reflected: the models
    cannot declare it, so the comparison skips it.)"""
    store = open_store(sqlite_url(tmp_path / "s.sqlite3"))
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"render_as_batch": True})
        assert context.get_current_revision() == head_revision()
        diff = compare_metadata(context, Base.metadata)
    store.close()
    assert diff == []


def test_schema_head_constant_matches_the_scripts() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_pragmas(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "s.sqlite3"))
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.close()


def _seed(store_path: Path) -> None:
    store = open_store(sqlite_url(store_path))
    with store.unit_of_work() as s:
        s.add(Hall(id=1, code="H1", name="测试营业厅"))
        s.flush()
        s.add(
            Customer(
                id=1,
                hall_id=1,
                kind="person",
                name="张三",
                name_pinyin="zhangsan",
                name_initials="zs",
                id_type="resident_id",
                id_number="11010519491231002X",
                id_number_rev="X20013219491501011",
                contact_phone="13812345678",
                created_on=date(2020, 1, 1),
            )
        )
        s.flush()
        s.add(Account(id=1, customer_id=1, number="3100000001", opened_on=date(2020, 1, 1)))
        s.flush()
        s.add(Payment(account_id=1, amount_fen=100, method="cash", paid_at=datetime.now(UTC)))
    store.close()


def test_payments_and_audit_are_append_only(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _seed(path)
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE payment SET amount_fen = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM payment")
    con.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "s.sqlite3"))
    with pytest.raises(DatabaseError), store.unit_of_work() as s:
        s.add(Account(id=5, customer_id=999, number="3100000005", opened_on=date(2020, 1, 1)))
    store.close()


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _seed(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        open_store(sqlite_url(path))
    assert "newer version" in str(err.value)
    assert "更新的版本" in err.value.user_message()
    assert path.read_bytes() == before


def test_corrupt_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError) as err:
        open_store(sqlite_url(path))
    assert str(path) in err.value.user_message()


def test_truncated_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _seed(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError):
        open_store(sqlite_url(path))


FAILING_MIGRATION = '''
"""a migration that fails half-way"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("DROP TABLE payment")
    raise RuntimeError("boom in the middle of a migration")


def downgrade() -> None:
    pass
'''


def test_failed_migration_restores_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite3"
    _seed(path)
    scripts = tmp_path / "migrations"
    shutil.copytree(paths.migrations_dir(), scripts)
    (scripts / "versions" / "9999_fail.py").write_text(
        FAILING_MIGRATION.format(head=head_revision()), encoding="utf-8"
    )
    monkeypatch.setattr(paths, "migrations_dir", lambda: scripts)
    monkeypatch.setattr(database, "SCHEMA_HEAD", "9999")
    with pytest.raises(StoreError) as err:
        open_store(sqlite_url(path))
    assert "boom" in str(err.value)
    backups = list(tmp_path.glob("s.sqlite3.pre-migration-*.bak"))
    assert len(backups) == 1
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "payment" in tables and "half_done" not in tables
    assert con.execute("SELECT count(*) FROM payment").fetchone() == (1,)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] != "9999"
    con.close()


def test_0008_keeps_an_enrolled_pcs_watermark_cursor(tmp_path: Path) -> None:
    """An enrolled PC's protocol-1 cursor survives as the form the centre still reads, so
    the PC goes on from where it was; an unenrolled one starts from nothing."""
    path = tmp_path / "s.sqlite3"
    url = sqlite_url(path)
    engine = database.make_engine(url)
    command.upgrade(database.alembic_config(url), "0007")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_state (id, url, device_code, credential, hall_code, cursor_txid, "
            "cursor_seq, epoch, last_error) VALUES (1, 'u', 'D1', 'c', 'H1', '812', 40, 0, '')"
        )
    command.upgrade(database.alembic_config(url), "0008")
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT pull_cursor FROM sync_state").scalar_one()
    engine.dispose()
    assert PullCursor.from_wire(decode(stored)) == PullCursor(seen="812:812:", after=(812, 40))


def test_0010_keeps_payments_and_their_triggers(tmp_path: Path) -> None:
    """Payments taken before 0010 read a rounding of 0 and stay append-only and in the
    ledger; the new penalty postings are append-only too."""
    path = tmp_path / "s.sqlite3"
    url = sqlite_url(path)
    command.upgrade(database.alembic_config(url), "0009")
    store = database.Store(database.make_engine(url))
    with store.unit_of_work() as s:
        s.add(Hall(id=1, code="H1", name="测试营业厅"))
        s.flush()
        s.add(
            Customer(
                id=1,
                hall_id=1,
                kind="person",
                name="张三",
                name_pinyin="zhangsan",
                name_initials="zs",
                id_type="resident_id",
                id_number="11010519491231002X",
                id_number_rev="X20013219491501011",
                contact_phone="13812345678",
                created_on=date(2020, 1, 1),
            )
        )
        s.flush()
        s.add(Account(id=1, customer_id=1, number="3100000001", opened_on=date(2020, 1, 1)))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO payment (id, account_id, amount_fen, method, reference, paid_at, kind, "
            "device_code, reason, penalty_fen) VALUES ('00000000000000000000000000000001', 1, "
            "12345, 'cash', '', '2026-11-01 02:00:00', 'payment', 'PC01', '', 45)"
        )
    store.close()
    command.upgrade(database.alembic_config(url), "0010")
    con = sqlite3.connect(path)
    try:
        assert con.execute(
            "SELECT amount_fen, penalty_fen, rounding_fen FROM payment"
        ).fetchall() == [(12345, 45, 0)]
        assert con.execute("SELECT paid_fen FROM account_ledger").fetchall() == [(12300,)]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE payment SET rounding_fen = 1")
        con.execute(
            "INSERT INTO staff (id, hall_id, staff_no, name, role, password_hash, active, "
            "failed_logins) VALUES (1, 1, 'A001', 'x', 'clerk', 'h', 1, 0)"
        )
        con.execute(
            "INSERT INTO penalty_accrual (id, account_id, first_day, last_day, per_mille, "
            "runs_json, amount_fen, at, staff_id, device_code) VALUES "
            "('00000000000000000000000000000002', 1, '2026-10-01', '2026-10-02', 3, '[]', 0, "
            "'2026-11-01 02:00:00', 1, 'PC01')"
        )
        for sql in ("UPDATE penalty_accrual SET amount_fen = 1", "DELETE FROM penalty_accrual"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()


def test_0012_rebuilds_templates_under_their_inspections(demo_db_copy: Path) -> None:
    """Dropping the unique ``(code, version)`` rebuilds ``etiquette_template`` while
    inspections point at it: nothing is lost, the keys and the append-only triggers hold
    afterwards, and two rows may share a version (issue 13, item 12)."""
    from app.services.etiquette import AnswerInput, ChecklistDraft, EtiquetteService
    from app.services.staff.auth import AuthService

    store = open_store(sqlite_url(demo_db_copy))
    auth = AuthService(store)
    leader, clerk = auth.actor_for("L001"), auth.actor_for("A001")
    svc = EtiquetteService(store)
    template = next(t for t in svc.templates(leader) if t.code == "counter_inspection")
    answers = {
        i.key: AnswerInput("pass" if i.response.value == "pass_fail" else str(i.max_points))
        for i in template.spec.items
    }
    signed = svc.sign_inspection(
        leader,
        ChecklistDraft(
            template_id=template.id,
            clerk_id=clerk.staff_id,
            started_at=datetime.now(UTC),
            answers=answers,
            counter_id=1,
        ),
        leader,
    )
    store.close()
    cfg = database.alembic_config(sqlite_url(demo_db_copy))
    command.downgrade(cfg, "0009")
    con = sqlite3.connect(demo_db_copy)
    templates_before = con.execute("SELECT * FROM etiquette_template ORDER BY id").fetchall()
    con.close()

    open_store(sqlite_url(demo_db_copy)).close()  # 0009 → head, as at start-up

    con = sqlite3.connect(demo_db_copy)
    con.execute("PRAGMA foreign_keys=ON")
    assert con.execute("SELECT * FROM etiquette_template ORDER BY id").fetchall() == (
        templates_before
    )
    assert con.execute(
        "SELECT template_id FROM etiquette_inspection WHERE id = ?", (signed.inspection_id.hex,)
    ).fetchone() == (template.id.hex,)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        con.execute("DELETE FROM etiquette_template")
    with pytest.raises(sqlite3.DatabaseError, match="in use and frozen"):
        con.execute("UPDATE etiquette_template SET note = 'x' WHERE id = ?", (template.id.hex,))
    columns = [r[1] for r in con.execute("PRAGMA table_info(etiquette_inspection)")]
    copied = ", ".join({"id": "'feed'", "template_id": "'ffff'"}.get(c, c) for c in columns)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        con.execute(
            f"INSERT INTO etiquette_inspection ({', '.join(columns)}) SELECT {copied} "
            "FROM etiquette_inspection WHERE id = ?",
            (signed.inspection_id.hex,),
        )
    con.execute(
        "INSERT INTO etiquette_template (id, code, version, kind, definition, created_at, "
        "device_code, note) SELECT 'feed', code, version, kind, definition, created_at, "
        "'D2', '' FROM etiquette_template WHERE id = ?",
        (template.id.hex,),
    )
    con.close()


def test_0011_fills_the_statutory_date_of_every_complaint(demo_db_copy: Path) -> None:
    """Down to 0010 and up again: every complaint's statutory date is recomputed from its
    clock start in the hall's time zone (the end of the 15th calendar day), the same as
    the service writes, and nothing else of the projection changes."""
    url = sqlite_url(demo_db_copy)
    con = sqlite3.connect(demo_db_copy)
    before = con.execute(
        "SELECT complaint_id, status, due_at, statutory_due_at FROM complaint_state "
        "ORDER BY complaint_id"
    ).fetchall()
    con.close()
    assert len(before) > 20
    command.downgrade(database.alembic_config(url), "0010")
    con = sqlite3.connect(demo_db_copy)
    columns = {row[1] for row in con.execute("PRAGMA table_info(complaint_state)")}
    con.close()
    assert "statutory_due_at" not in columns
    command.upgrade(database.alembic_config(url), "head")
    con = sqlite3.connect(demo_db_copy)
    after = con.execute(
        "SELECT complaint_id, status, due_at, statutory_due_at FROM complaint_state "
        "ORDER BY complaint_id"
    ).fetchall()
    indexes = {row[1] for row in con.execute("PRAGMA index_list(customer)")}
    con.close()
    assert after == before
    assert "ix_customer_contact_phone" in indexes
    store = open_store(url)
    from app.services.complaints import ComplaintService

    assert ComplaintService(store).check_projection() == []
    store.close()


def test_0014_fills_the_worklist_keys_of_every_account(demo_db_copy: Path) -> None:
    """Down to 0013 and up again: every account's worklist keys (name, grid unit, due
    dates) are filled from the customers, grid units and bills, the projection agrees with
    a fresh computation (``ledger_drift`` covers the keys), the totals are untouched and
    the triggers keep the keys from then on."""
    from app.store.ledger_sql import ledger_drift

    url = sqlite_url(demo_db_copy)
    con = sqlite3.connect(demo_db_copy)
    totals = "SELECT account_id, billed_fen, paid_fen, owed_fen, oldest_unpaid_due"
    before = con.execute(f"{totals} FROM account_ledger ORDER BY account_id").fetchall()
    keys = con.execute(
        "SELECT account_id, sort_pinyin, grid_code, last_due FROM account_ledger "
        "ORDER BY account_id"
    ).fetchall()
    con.close()
    assert len(before) > 20 and all(k[1] and k[3] for k in keys)
    command.downgrade(database.alembic_config(url), "0013")
    con = sqlite3.connect(demo_db_copy)
    columns = {row[1] for row in con.execute("PRAGMA table_info(account_ledger)")}
    con.close()
    assert "sort_pinyin" not in columns and "last_due" not in columns
    command.upgrade(database.alembic_config(url), "head")
    con = sqlite3.connect(demo_db_copy)
    after = con.execute(f"{totals} FROM account_ledger ORDER BY account_id").fetchall()
    refilled = con.execute(
        "SELECT account_id, sort_pinyin, grid_code, last_due FROM account_ledger "
        "ORDER BY account_id"
    ).fetchall()
    con.execute("UPDATE grid_unit SET code = 'ZZ9' WHERE id = (SELECT MIN(id) FROM grid_unit)")
    con.commit()
    con.close()
    assert after == before and refilled == keys
    store = open_store(url)
    with store.read() as session:
        assert ledger_drift(session) == []
    store.close()


def test_0013_keeps_staff_and_their_logins(tmp_path: Path) -> None:
    """Staff of a 0012 store keep their password and role, and need no change of password;
    the password history is append-only; the audit trail's indexes exist (issue 16)."""
    path = tmp_path / "s.sqlite3"
    url = sqlite_url(path)
    command.upgrade(database.alembic_config(url), "0012")
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO hall (id, code, name, address, hotline, timezone) "
            "VALUES (1, 'H1', '厅', '', '', 'Asia/Shanghai')"
        )
        con.execute(
            "INSERT INTO staff (id, hall_id, staff_no, name, role, password_hash, active, "
            "failed_logins) VALUES (7, 1, 'A001', '张', 'clerk', 'scrypt$h', 1, 2)"
        )
    con.close()
    command.upgrade(database.alembic_config(url), "0013")
    con = sqlite3.connect(path)
    try:
        assert con.execute(
            "SELECT staff_no, role, password_hash, failed_logins, must_change_password FROM staff"
        ).fetchall() == [("A001", "clerk", "scrypt$h", 2, 0)]
        con.execute(
            "INSERT INTO staff_password (id, staff_id, password_hash, set_at, one_time) "
            "VALUES ('00000000000000000000000000000003', 7, 'h2', '2026-12-01 00:00:00', 0)"
        )
        for sql in ("UPDATE staff_password SET password_hash = 'x'", "DELETE FROM staff_password"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql)
        indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {
            "ix_audit_event_staff_at",
            "ix_audit_event_action_at",
            "ix_audit_event_approved_by",
        } <= indexes
        plan = " ".join(
            str(r[3])
            for r in con.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM audit_event "
                "WHERE json_extract(detail, '$.approved_by') = 7"
            )
        )
        assert "ix_audit_event_approved_by" in plan
    finally:
        con.close()
    command.downgrade(database.alembic_config(url), "0012")
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT staff_no, password_hash FROM staff").fetchall() == [
            ("A001", "scrypt$h")
        ]
    finally:
        con.close()


def test_0015_fills_the_worklist_stage_of_every_account(demo_db_copy: Path) -> None:
    """A 0014 store with ladder steps (recorded without the stage triggers) gets every
    account's stage filled, the same as the grouped read of the actions it replaces; the
    projection agrees with a fresh computation and the triggers keep the stage from then
    on; downgrading drops it again."""
    from app.services.arrears.worklist import _STAGES_SQL
    from app.store.ledger_sql import ledger_drift

    url = sqlite_url(demo_db_copy)
    command.downgrade(database.alembic_config(url), "0014")
    con = sqlite3.connect(demo_db_copy)
    overdue = con.execute(
        "SELECT account_id, oldest_unpaid_due FROM account_ledger "
        "WHERE oldest_unpaid_due IS NOT NULL ORDER BY account_id LIMIT 6"
    ).fetchall()
    steps = ("sms_reminder", "second_sms", "phone_call", "restrict", "suspend", "restore")
    for (account, due), kind in zip(overdue, steps, strict=True):
        con.execute(
            "INSERT INTO arrears_action (id, account_id, kind, taken_on, at, staff_id, result,"
            " note) VALUES (lower(hex(randomblob(16))), ?, ?, date(?, '+2 days'),"
            " '2026-11-01 02:00:00.000000', 1, 'promised', '')",
            (account, kind, due),
        )
    con.commit()
    assert "stage_rank" not in {row[1] for row in con.execute("PRAGMA table_info(account_ledger)")}
    con.close()
    command.upgrade(database.alembic_config(url), "head")
    con = sqlite3.connect(demo_db_copy)
    stored = dict(
        con.execute(
            "SELECT account_id, stage_rank FROM account_ledger WHERE stage_rank IS NOT NULL"
        )
    )
    grouped = dict(con.execute(_STAGES_SQL, {"today": "2099-01-01"}).fetchall())
    con.close()
    assert stored == grouped
    assert len(stored) >= 5 and all(account in stored for account, _due in overdue[:3])
    store = open_store(url)
    with store.read() as session:
        assert ledger_drift(session) == []
    store.close()
    command.downgrade(database.alembic_config(url), "0014")
    con = sqlite3.connect(demo_db_copy)
    assert "stage_rank" not in {row[1] for row in con.execute("PRAGMA table_info(account_ledger)")}
    con.close()


def _copy_row(con: sqlite3.Connection, table: str, where: str) -> None:
    """Insert a copy of the first row of ``table`` matching ``where`` under a new id."""
    columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
    names = ", ".join(columns)
    con.execute(
        f"INSERT INTO {table} (id, {names}) SELECT '00000000000000000000000000000009', "
        f"{names} FROM {table} WHERE {where} ORDER BY id LIMIT 1"
    )


_COPIES = (("payment", "receipt_no IS NOT NULL"), ("complaint", "1"))


def test_0017_keeps_payments_and_complaints_and_lets_a_number_repeat(
    demo_db_copy: Path,
) -> None:
    """Down to the revision before 0017 and up again: every payment and complaint and
    everything that points at them is kept, both tables stay append-only, the ledger's
    payment trigger still posts, and a receipt or complaint number may now be held twice
    (a PC restored with its number mark repeats one a customer holds; both must be kept —
    the complaint is owed its answer: "电信业务经营者应当认真受理用户的投诉,并在接到用户投诉
    之日起15日内答复用户。"). Going down again refuses while a number repeats."""
    url = sqlite_url(demo_db_copy)
    config = database.alembic_config(url)
    command.downgrade(config, "0017-1")
    con = sqlite3.connect(demo_db_copy)
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in _TABLES}
    for table, where in _COPIES:
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            _copy_row(con, table, where)
    con.close()
    assert len(before["complaint"]) > 20 and len(before["payment"]) > 20
    command.upgrade(config, "head")
    con = sqlite3.connect(demo_db_copy)
    con.execute("PRAGMA foreign_keys = ON")
    try:
        for table in _TABLES:
            assert con.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() == before[table]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        for table, column in (("payment", "receipt_no"), ("complaint", "number")):
            indexes = {r[1] for r in con.execute(f"PRAGMA index_list({table})")}
            assert f"ix_{table}_{column}" in indexes
        (paid,) = con.execute("SELECT sum(paid_fen) FROM account_ledger").fetchone()
        for table, where in _COPIES:
            _copy_row(con, table, where)
        con.commit()
        (paid_after,) = con.execute("SELECT sum(paid_fen) FROM account_ledger").fetchone()
        assert paid_after > paid  # the ledger trigger came back with the table
        for table in ("payment", "complaint"):
            for sql in (f"UPDATE {table} SET device_code = 'x'", f"DELETE FROM {table}"):
                with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                    con.execute(sql)
    finally:
        con.close()
    from app.store.ledger_sql import ledger_drift

    store = open_store(url)
    with store.read() as session:
        assert ledger_drift(session) == []
    store.close()
    with pytest.raises(RuntimeError, match="more than one row"):
        command.downgrade(config, "0017-1")


_TABLES = ("payment", "payment_allocation", "complaint", "complaint_event")


def test_0018_fills_the_freeze_key_and_adds_the_tier_indexes(demo_db_copy: Path) -> None:
    """A 0017 store with dispute freezes (one written after the downgrade, without a
    trigger) gets ``freeze_until`` filled for every account (the latest expiry of its
    freezes), the tier filter's three partial indexes (one on an expression) and the
    rebuilt worklist indexes; the other columns are untouched, the projection agrees with
    a fresh computation, the trigger keeps the key from then on, a tier's count reads the
    new ranges; downgrading drops the key and the indexes again."""
    from app.domain.arrears_policy import default_policy
    from app.services.arrears import WorklistFilter, WorklistSort
    from app.services.arrears.worklist import WorklistQuery
    from app.store.ledger_sql import ledger_drift

    names = {"ix_worklist_tier_owed", "ix_worklist_tier_before", "ix_worklist_prior"}
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_worklist_%'"
    freeze = (
        "INSERT INTO dispute_freeze (id, account_id, amount_fen, reason, starts_on, expires_on,"
        " at, staff_id, approved_by) VALUES (lower(hex(randomblob(16))), ?, 100, 'test', ?, ?,"
        " '2026-11-01 02:00:00.000000', 1, 1)"
    )
    url = sqlite_url(demo_db_copy)
    command.downgrade(database.alembic_config(url), "0017")
    con = sqlite3.connect(demo_db_copy)
    assert not names & {row[0] for row in con.execute(indexes)}
    con.execute(freeze, (1, "2026-11-10", "2027-01-31"))
    con.commit()
    ledger = con.execute("SELECT * FROM account_ledger ORDER BY account_id").fetchall()
    expected = dict(
        con.execute("SELECT account_id, MAX(expires_on) FROM dispute_freeze GROUP BY account_id")
    )
    assert len(expected) >= 2 and expected[1] == "2027-01-31"
    con.close()
    command.upgrade(database.alembic_config(url), "head")
    con = sqlite3.connect(demo_db_copy)
    try:
        assert names <= {row[0] for row in con.execute(indexes)}
        rows = con.execute("SELECT * FROM account_ledger ORDER BY account_id").fetchall()
        assert [row[:-1] for row in rows] == ledger
        stored = dict(
            con.execute(
                "SELECT account_id, freeze_until FROM account_ledger WHERE freeze_until IS NOT NULL"
            )
        )
        assert stored == expected
        con.execute(freeze, (2, "2026-11-10", "2026-12-31"))
        con.commit()
        assert con.execute(
            "SELECT freeze_until FROM account_ledger WHERE account_id = 2"
        ).fetchone() == ("2026-12-31",)
        for tier in ("small", "large"):
            query = WorklistQuery(
                default_policy(), date(2026, 11, 15), WorklistFilter(tier=tier), WorklistSort()
            )
            plan = str(
                con.execute("EXPLAIN QUERY PLAN " + query.count_sql(), query.params).fetchall()
            )
            assert "ix_worklist_tier_before" in plan
            [(count,)] = con.execute(query.count_sql(), query.params).fetchall()
            assert count == len(con.execute(query.ids_sql(), query.params).fetchall()) > 0
    finally:
        con.close()
    store = open_store(url)
    with store.read() as session:
        assert ledger_drift(session) == []
    store.close()
    command.downgrade(database.alembic_config(url), "0017")
    con = sqlite3.connect(demo_db_copy)
    assert not names & {row[0] for row in con.execute(indexes)}
    assert "freeze_until" not in {
        row[1] for row in con.execute("PRAGMA table_info(account_ledger)")
    }
    con.close()
