"""The audit trail: filtered and paged in SQL, exported to Excel, and append-only.

The arrears rules ask that the hall "加强对欠费管理工作的监督和检查" (supervise and check the
work) and that every step be traceable: the trail is where a leader checks who did what,
and nothing may change it afterwards.
"""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app import i18n
from app.domain.errors import PermissionDenied, ValidationError
from app.services.audit import (
    AuditFilter,
    AuditRow,
    AuditSort,
    AuditTrailService,
    quick_filter,
)
from app.services.base import Actor, audit
from app.services.customers import CustomerService
from app.services.staff import NewStaff, StaffAdminService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Role, VerificationMethod

ROOT = Path(__file__).resolve().parents[3]
#: 10:00 hall time on 2026-11-15 (Shanghai, UTC+8).
T0 = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


@dataclass
class Trail:
    path: Path
    store: Store
    service: AuditTrailService
    leader: Actor
    clerk: Actor
    admin: Actor

    def add(self, at: datetime, actor: Actor | None, action: str, **kw: object) -> None:
        with self.store.unit_of_work() as session:
            audit(session, at=at, staff_id=actor.staff_id if actor else None, action=action, **kw)  # type: ignore[arg-type]


@pytest.fixture
def trail(demo_db_copy: Path) -> Iterator[Trail]:
    store = open_store(sqlite_url(demo_db_copy))
    with store.unit_of_work() as session:  # a clean trail for exact counts
        session.connection().exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        session.connection().exec_driver_sql("DELETE FROM audit_event")
        session.connection().exec_driver_sql(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
    auth = AuthService(store, lambda: T0)
    t = Trail(
        demo_db_copy,
        store,
        AuditTrailService(store, lambda: T0),
        auth.actor_for("L001"),
        auth.actor_for("A001"),
        auth.actor_for("ADMIN"),
    )
    yield t
    store.close()


def _fill(t: Trail) -> None:
    """A day and a half of events: 10:00 hall time on the 15th onwards, one a minute."""
    plan = [
        (t.clerk, "login", {}),
        (t.clerk, "unmask", {"entity": "customer", "entity_id": 17, "check": "c1"}),
        (
            t.clerk,
            "payment_void",
            {
                "entity": "payment",
                "entity_id": "0190aaaa-1",
                "approved_by": t.leader.staff_id,
                "amount_fen": -12345,
                "reason": "找错钱",
            },
        ),
        (t.clerk, "drawer_open", {"entity": "drawer", "reason": "换零钱"}),
        (None, "login_failed", {"staff_no": "X999"}),
        (t.leader, "complaint_contact_shown", {"entity": "complaint", "entity_id": "c-77"}),
        (t.clerk, "payment", {"entity": "payment", "entity_id": "0190aaaa-2", "amount_fen": 5000}),
    ]
    for n, (actor, action, kw) in enumerate(plan):
        t.add(T0 + timedelta(minutes=n), actor, action, **kw)
    # The next business day (hall time), just after midnight: 16:05 UTC on the 15th.
    t.add(datetime(2026, 11, 15, 16, 5, tzinfo=UTC), t.admin, "staff_added", entity="staff")


def test_filters_by_person_action_record_and_period(trail: Trail) -> None:
    _fill(trail)
    s, leader = trail.service, trail.leader
    assert s.count(leader, AuditFilter()) == 8
    # A person: what they did and what they approved.
    mine = s.page(leader, AuditFilter(staff_id=leader.staff_id))
    assert {r.action for r in mine} == {"payment_void", "complaint_contact_shown"}
    void = next(r for r in mine if r.action == "payment_void")
    assert (void.staff_no, void.approved_by_no) == ("A001", "L001")
    assert void.amount_fen == -12345
    assert {r.action for r in s.page(leader, AuditFilter(actions=("login", "payment")))} == {
        "login",
        "payment",
    }
    assert [
        r.entity_id for r in s.page(leader, AuditFilter(entity="payment", record="0190aaaa"))
    ] == [
        "0190aaaa-2",
        "0190aaaa-1",
    ]
    assert [r.action for r in s.page(leader, AuditFilter(record="0190aaaa_"))] == []  # literal _
    # Business days in the hall's time zone: the 16th starts at 16:00 UTC on the 15th.
    assert [r.action for r in s.page(leader, AuditFilter(start=date(2026, 11, 16)))] == [
        "staff_added"
    ]
    assert s.count(leader, AuditFilter(end=date(2026, 11, 15))) == 7


def test_the_quick_filters_find_unmaskings_drawer_opens_and_approvals(trail: Trail) -> None:
    _fill(trail)
    s, leader = trail.service, trail.leader
    unmask = s.page(leader, AuditFilter().with_quick(quick_filter("unmask")))
    assert {r.action for r in unmask} == {"unmask", "complaint_contact_shown"}
    drawer = s.page(leader, AuditFilter().with_quick(quick_filter("drawer")))
    assert [(r.action, r.detail["reason"]) for r in drawer] == [("drawer_open", "换零钱")]
    approvals = s.page(leader, AuditFilter().with_quick(quick_filter("approvals")))
    assert [r.action for r in approvals] == ["payment_void"]
    logins = s.page(leader, AuditFilter().with_quick(quick_filter("logins")))
    assert [(r.action, r.staff_no) for r in logins] == [("login_failed", "")]


def test_a_real_unmasking_is_found(trail: Trail) -> None:
    customers = CustomerService(trail.store, lambda: T0)
    customer_id = int(
        str(
            sqlite3.connect(trail.path)
            .execute("SELECT id FROM customer WHERE service_password_hash IS NOT NULL LIMIT 1")
            .fetchone()[0]
        )
    )
    customers.verify_identity(
        trail.clerk, customer_id, VerificationMethod.SERVICE_PASSWORD, service_password="135790"
    )
    customers.unmask(trail.clerk, customer_id)
    found = trail.service.page(trail.leader, AuditFilter().with_quick(quick_filter("unmask")))
    assert [(r.staff_no, r.entity, r.entity_id) for r in found] == [
        ("A001", "customer", str(customer_id))
    ]


def _walk(s: AuditTrailService, viewer: Actor, sort: AuditSort, size: int) -> list[AuditRow]:
    rows: list[AuditRow] = []
    after = None
    while True:
        page = s.page(viewer, AuditFilter(), sort, after, size)
        rows.extend(page)
        if len(page) < size:
            return rows
        after = page[-1]


@pytest.mark.parametrize("key", ["at", "staff", "action", "record"])
@pytest.mark.parametrize("descending", [True, False])
def test_pages_follow_each_other_without_gaps_or_repeats(
    trail: Trail, key: str, descending: bool
) -> None:
    """Keyset pages: 25 events in the same minute, sorted by a key with many ties."""
    for n in range(25):
        actor = (trail.clerk, trail.leader, None)[n % 3]
        trail.add(T0, actor, ("login", "unmask")[n % 2], entity="customer", entity_id=n % 4)
    whole = trail.service.page(trail.leader, AuditFilter(), AuditSort(key, descending), limit=100)
    paged = _walk(trail.service, trail.leader, AuditSort(key, descending), 4)
    assert [r.event_id for r in paged] == [r.event_id for r in whole]
    assert len({r.event_id for r in paged}) == 25
    values = [r.sort_value for r in whole]
    assert values == sorted(values, reverse=descending)


def test_clerks_cannot_read_the_trail(trail: Trail) -> None:
    with pytest.raises(PermissionDenied):
        trail.service.count(trail.clerk, AuditFilter())
    with pytest.raises(PermissionDenied):
        trail.service.export_period(
            trail.clerk, date(2026, 11, 1), date(2026, 11, 30), Path("x.xlsx")
        )


def test_the_export_reads_back_with_chinese_headers_and_yuan(trail: Trail, tmp_path: Path) -> None:
    _fill(trail)
    i18n.set_language("zh_CN")
    path = tmp_path / "out" / "审计.xlsx"
    written = trail.service.export_period(
        trail.leader, date(2026, 11, 15), date(2026, 11, 15), path
    )
    assert written == 7
    assert not path.with_name(path.name + ".partial").exists()
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == i18n._("Time"))
    header = rows[header_at]
    assert header[:4] == ("时间", "工号", "姓名", "操作")
    assert sheet.freeze_panes == f"A{header_at + 2}"
    body = rows[header_at + 1 :]
    assert len(body) == 7
    assert body[0][0] == datetime(2026, 11, 15, 10, 0)  # hall time, oldest first
    void = next(r for r in body if r[9] == "payment_void")
    assert void[3] == "作废收款" or void[3] == i18n._("Payment voided")
    assert void[6] == "L001 " + trail.leader.name
    assert float(void[7]) == -123.45
    amount_cell = sheet.cell(row=header_at + 2 + body.index(void), column=8)
    assert "¥" in amount_cell.number_format
    assert "找错钱" in str(void[8])
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJ"]
    assert all(w and w >= 6 for w in widths)
    assert sheet.column_dimensions["A"].width >= len("2026-11-15 10:00:00")
    # The export is itself in the trail.
    assert (
        trail.service.page(trail.leader, AuditFilter(actions=("audit_exported",)))[0].detail[
            "events"
        ]
        == 7
    )
    with pytest.raises(ValidationError):
        trail.service.export_period(
            trail.leader, date(2026, 11, 15), date(2026, 11, 15), tmp_path / "a.csv"
        )


# --- append-only -----------------------------------------------------------------------------


def test_the_store_refuses_to_change_or_remove_an_audit_event(trail: Trail) -> None:
    _fill(trail)
    StaffAdminService(trail.store).add(trail.admin, NewStaff("A200", "冯", Role.CLERK))
    con = sqlite3.connect(trail.path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE audit_event SET action = 'nothing'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM audit_event")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE staff_password SET password_hash = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM staff_password")
    finally:
        con.close()


_WRITES = ("update", "delete")


def _writes_to(tree: ast.AST, names: set[str]) -> list[str]:
    """Statements in a module that could change or remove rows of ``names``: an
    ``update(X)``/``delete(X)`` of the model or table, a ``session.delete(...)`` of an
    audit event variable, raw SQL that updates or deletes them."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if fname in _WRITES and node.args:
                target = ast.unparse(node.args[0])
                if any(n in target for n in names):
                    found.append(ast.unparse(node))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            sql = " ".join(node.value.lower().split())
            for table in ("audit_event", "staff_password"):
                if f"update {table}" in sql or f"delete from {table}" in sql:
                    found.append(node.value)
    return found


def test_no_service_updates_or_deletes_an_audit_event() -> None:
    """A static check over app/ (services, sync, documents, …): nothing but the migrations
    (which create the triggers) names an audit event in an update or a delete."""
    offenders: dict[str, list[str]] = {}
    modules = sorted((ROOT / "app").rglob("*.py"))
    assert len(modules) > 100, "the check must read the app's modules"
    for path in modules:
        if "migrations" in path.parts:
            continue
        found = _writes_to(
            ast.parse(path.read_text(encoding="utf-8")),
            {"AuditEvent", "audit_event", "StaffPassword"},
        )
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_static_check_would_catch_a_service_that_did() -> None:
    bad = ast.parse(
        "session.execute(update(AuditEvent).values(action='x'))\n"
        "conn.execute(text('DELETE FROM audit_event WHERE 1'))\n"
        "session.execute(delete(AuditEvent.__table__))\n"
    )
    assert len(_writes_to(bad, {"AuditEvent", "audit_event"})) == 3


def test_a_pulled_copy_never_rewrites_an_audit_event() -> None:
    """The sync registry takes audit events as append-only: a pull inserts or skips."""
    from app.sync import registry

    assert registry.kinds()["audit_event"].immutable
    assert registry.kinds()["staff_password"].immutable


def test_the_export_from_a_script(
    trail: Trail, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``halldesk audit export --db … --from … --to … --out … --by …`` (docs/automation.md)."""
    from app.cli import main

    _fill(trail)
    trail.store.close()
    out = tmp_path / "trail.xlsx"
    args = [
        "audit",
        "export",
        "--db",
        str(trail.path),
        "--from",
        "2026-11-15",
        "--to",
        "2026-11-16",
    ]
    assert main([*args, "--out", str(out), "--by", "L001"]) == 0
    assert "8" in capsys.readouterr().out
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sum(1 for r in sheet.iter_rows(values_only=True) if isinstance(r[0], datetime)) == 8
    assert main([*args, "--out", str(tmp_path / "no.xlsx"), "--by", "A001"]) == 1  # a clerk
    assert not (tmp_path / "no.xlsx").exists()
