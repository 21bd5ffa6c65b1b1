"""Fault notices issued at the centre reach every PC of the hall with the next sync, show in
the banner, and end there when the centre closes them (real PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.centre import notices
from app.centre.service import Centre
from app.cli import main
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.services.complaints.faults import FaultNoticeRequest, FaultNoticeService
from app.services.staff.auth import AuthService
from app.store.database import sqlite_url
from app.sync.service import SyncService
from tests.sync.conftest import Hall, load_hall, new_hall_pc
from ui.complaints.fault_banner import FaultBanner
from ui.main_window import build_main_window

WORDING = "因光缆中断，世纪大道沿线宽带暂时无法使用，预计今晚恢复。"


@pytest.fixture
def pc(centre: Centre, tiny_demo: Path, tmp_path: Path) -> Hall:
    load_hall(centre, "H1", tiny_demo)
    return new_hall_pc(centre, "H1", tmp_path / "pc.sqlite3")


def _request(centre: Centre, **changes: object) -> FaultNoticeRequest:
    now = centre.clock()
    values: dict[str, object] = {
        "level": 2,
        "services": "宽带",
        "areas": "世纪大道沿线",
        "started_at": now - timedelta(hours=1),
        "expected_recovery_at": now + timedelta(hours=6),
        "wording": WORDING,
    }
    values.update(changes)
    return FaultNoticeRequest(**values)  # type: ignore[arg-type]


def test_a_centre_notice_shows_at_the_pc_after_a_sync_and_ends_there(
    pc: Hall, centre: Centre
) -> None:
    faults = FaultNoticeService(pc.store)
    before = {n.notice_id for n in faults.active()}
    notice_id = notices.issue_fault_notice(centre, "H1", _request(centre), "l001")
    assert notice_id not in {n.notice_id for n in faults.active()}  # not before a sync
    assert pc.sync.sync().pulled >= 1
    shown = {n.notice_id: n for n in faults.active()}
    assert set(shown) == before | {notice_id}
    notice = shown[notice_id]
    assert (notice.level, notice.wording, notice.areas) == (2, WORDING, "世纪大道沿线")
    leader = AuthService(pc.store).actor_for("L001")
    with pc.store.read() as s:
        from app.store.models.complaints import FaultNotice

        row = s.get(FaultNotice, notice_id)
        assert row is not None and row.approved_by == leader.staff_id
        assert row.device_code == notices.CENTRE_DEVICE

    notices.close_fault_notice(centre, "H1", notice_id, "L001", "光缆已熔接")
    pc.sync.sync()
    assert notice_id not in {n.notice_id for n in faults.active()}
    closed = next(n for n in faults.all() if n.notice_id == notice_id)
    assert closed.closed_at is not None


def test_the_centre_checks_a_notice_like_the_counter_does(pc: Hall, centre: Centre) -> None:
    demo_notices = set(centre.records("H1", "fault_notice"))
    with pytest.raises(PermissionDenied):
        notices.issue_fault_notice(centre, "H1", _request(centre), "A001")  # a clerk
    with pytest.raises(NotFound):
        notices.issue_fault_notice(centre, "H1", _request(centre), "Z999")
    with pytest.raises(ValidationError):
        notices.issue_fault_notice(centre, "H1", _request(centre, level=5), "L001")
    with pytest.raises(ValidationError):
        notices.issue_fault_notice(centre, "H1", _request(centre, wording="  "), "L001")
    late = _request(centre, expected_recovery_at=centre.clock() - timedelta(hours=2))
    with pytest.raises(ValidationError):
        notices.issue_fault_notice(centre, "H1", late, "L001")
    assert set(centre.records("H1", "fault_notice")) == demo_notices  # nothing was written
    with pytest.raises(NotFound):
        notices.close_fault_notice(centre, "H1", uuid.uuid4(), "L001")
    notice_id = notices.issue_fault_notice(centre, "H1", _request(centre), "L001")
    notices.close_fault_notice(centre, "H1", notice_id, "L001")
    with pytest.raises(ValidationError):
        notices.close_fault_notice(centre, "H1", notice_id, "L001")


def test_the_command_line_issues_and_closes_a_notice(
    pc: Hall, centre: Centre, capsys: pytest.CaptureFixture[str]
) -> None:
    pg = centre.engine.url.render_as_string(hide_password=False)
    common = ["--db", pg, "--hall", "H1"]
    args = ["--level", "3", "--services", "固话", "--areas", "陆家嘴", "--wording", WORDING]
    assert main(["centre", "fault-notice", *common, *args, "--by", "A001"]) == 1
    assert "值班长" in capsys.readouterr().err  # refused in the user's language
    bad_time = ["--recovery", "明天晚上"]
    assert main(["centre", "fault-notice", *common, *args, *bad_time, "--by", "L001"]) == 1
    capsys.readouterr()
    times = ["--start", "2026-11-28 08:30", "--recovery", "2099-11-29 18:00"]
    assert main(["centre", "fault-notice", *common, *args, *times, "--by", "L001"]) == 0
    found = re.search(r"[0-9a-f-]{36}", capsys.readouterr().out)
    assert found is not None
    notice_id = found.group(0)
    stored = centre.records("H1", "fault_notice")[notice_id]
    assert stored["started_at"] == "2026-11-28T00:30:00+00:00"  # 08:30 in Shanghai
    assert (
        main(["centre", "close-fault-notice", *common, "--notice", notice_id, "--by", "L001"]) == 0
    )
    assert notice_id in centre.records("H1", "fault_notice_closure")


def test_the_banner_shows_a_centre_notice_after_the_sync_button(
    qtbot: QtBot, pc: Hall, centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The in-process transport to the same centre (the HTTP one is tested in test_sync_ui).
    monkeypatch.setattr(SyncService, "transport_factory", staticmethod(lambda _url: pc.transport))
    window = build_main_window(sqlite_url(pc.path), "A001")
    qtbot.addWidget(window)
    window.show()
    banner = window.findChild(FaultBanner, "faultBanner")
    assert banner is not None
    notices.issue_fault_notice(centre, "H1", _request(centre), "L001")
    assert WORDING not in banner.text.text()
    button = window.sync.toolbar.widgetForAction(window.sync.sync_action)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sync.last_report is not None, timeout=30_000)
    assert window.sync.last_error is None
    qtbot.waitUntil(lambda: WORDING in banner.text.text(), timeout=5_000)
    assert banner.isVisible()
    window.sync.shutdown()
