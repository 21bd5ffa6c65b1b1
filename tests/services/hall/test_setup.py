"""First-run set-up: a new store becomes a hall with a counter, this PC and an administrator."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.errors import PermissionDenied, ValidationError
from app.services.hall import HallService
from app.services.hall.setup import (
    SETTING_CENTRE_URL,
    SETTING_ENROLMENT_CODE,
    SETTING_LANGUAGE,
    AdminDetails,
    CentreDetails,
    CounterDetails,
    HallDetails,
    SetupRequest,
    SetupService,
    clean_request,
)
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import Role

NOW = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)

REQUEST = SetupRequest(
    hall=HallDetails("  浦东  世纪大道营业厅 ", "pd-01", "上海市浦东新区世纪大道1号", "10000"),
    counter=CounterDetails("c03", "3号台席", "pc07"),
    centre=CentreDetails("https://centre.example.cn/", "ENROL-1234"),
    language="zh_CN",
    admin=AdminDetails("adm1", "王管理", "s3cret-pass", "s3cret-pass"),
)


@pytest.fixture
def new_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(sqlite_url(tmp_path / "new.sqlite3"))
    yield store
    store.close()


def test_a_new_store_needs_setup_and_the_demo_store_does_not(
    new_store: Store, demo_db_copy: Path
) -> None:
    assert SetupService(new_store).needs_setup()
    demo = open_store(sqlite_url(demo_db_copy))
    try:
        assert not SetupService(demo).needs_setup()
        assert HallService(demo).info().is_demo
    finally:
        demo.close()


def test_setup_writes_hall_counter_device_admin_and_settings(new_store: Store) -> None:
    actor = SetupService(new_store, lambda: NOW).set_up(REQUEST)
    assert (actor.staff_no, actor.name, actor.role) == ("ADM1", "王管理", Role.ADMIN)

    hall = HallService(new_store).info()
    assert (hall.name, hall.code, hall.address, hall.hotline) == (
        "浦东 世纪大道营业厅",
        "PD-01",
        "上海市浦东新区世纪大道1号",
        "10000",
    )
    assert (hall.counter_code, hall.counter_name, hall.device_code) == ("C03", "3号台席", "PC07")
    assert hall.is_demo is False and hall.timezone == "Asia/Shanghai"
    assert hall.hall_id == actor.hall_id
    settings = HallService(new_store)
    assert settings.setting(SETTING_CENTRE_URL) == "https://centre.example.cn"
    assert settings.setting(SETTING_ENROLMENT_CODE) == "ENROL-1234"
    assert settings.setting(SETTING_LANGUAGE) == "zh_CN"
    assert not SetupService(new_store).needs_setup()

    logged_in = AuthService(new_store).login("adm1", "s3cret-pass")
    assert logged_in == actor


def test_setup_is_audited_without_the_secrets(new_store: Store, tmp_path: Path) -> None:
    actor = SetupService(new_store, lambda: NOW).set_up(REQUEST)
    con = sqlite3.connect(tmp_path / "new.sqlite3")
    rows = con.execute("SELECT staff_id, action, entity, at, detail FROM audit_event").fetchall()
    con.close()
    assert len(rows) == 1
    staff_id, action, entity, at, detail = rows[0]
    assert (staff_id, action, entity) == (actor.staff_id, "store_set_up", "hall")
    assert at.startswith("2026-11-28 01:30")
    data = json.loads(detail)
    assert data["hall_code"] == "PD-01" and data["enrolment_code_given"] is True
    assert "ENROL-1234" not in detail and "s3cret-pass" not in detail


def test_a_second_setup_is_refused_and_changes_nothing(new_store: Store) -> None:
    SetupService(new_store).set_up(REQUEST)
    other = dataclasses.replace(REQUEST, hall=dataclasses.replace(REQUEST.hall, code="XX-02"))
    with pytest.raises(PermissionDenied):
        SetupService(new_store).set_up(other)
    assert HallService(new_store).info().code == "PD-01"


def _with(**changes: object) -> SetupRequest:
    """REQUEST with one part changed, e.g. ``_with(hall={"code": "x"})``."""
    parts = {}
    for part, fields in changes.items():
        assert isinstance(fields, dict)
        parts[part] = dataclasses.replace(getattr(REQUEST, part), **fields)
    return dataclasses.replace(REQUEST, **parts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (_with(hall={"name": "   "}), "hall_name"),
        (_with(hall={"name": "厅" * 101}), "hall_name"),
        (_with(hall={"code": "X"}), "hall_code"),
        (_with(hall={"code": "PD 01"}), "hall_code"),
        (_with(hall={"address": ""}), "address"),
        (_with(hall={"hotline": "1000O"}), "hotline"),
        (_with(hall={"timezone": "Mars/Olympus"}), "timezone"),
        (_with(counter={"code": ""}), "counter_code"),
        (_with(counter={"name": " "}), "counter_name"),
        (_with(counter={"device_code": "P"}), "device_code"),
        (_with(centre={"url": "centre.example.cn"}), "centre_url"),
        (_with(centre={"url": "ftp://centre.example.cn"}), "centre_url"),
        (_with(centre={"url": "", "enrolment_code": "ENROL-1234"}), "centre_url"),
        (_with(centre={"enrolment_code": "ab"}), "enrolment_code"),
        (dataclasses.replace(REQUEST, language="fr"), "language"),
        (_with(admin={"staff_no": "a"}), "staff_no"),
        (_with(admin={"name": ""}), "admin_name"),
        (_with(admin={"password": "short", "password_again": "short"}), "password"),
        (
            _with(
                admin={"staff_no": "ADMIN123", "password": "admin123", "password_again": "admin123"}
            ),
            "password",
        ),
        (_with(admin={"password_again": "s3cret-pas"}), "password_again"),
    ],
)
def test_each_rule_refuses_with_its_field_and_writes_nothing(
    new_store: Store, request_: SetupRequest, field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        SetupService(new_store).set_up(request_)
    assert err.value.field == field
    assert err.value.user_message()  # translated text, with its placeholders filled
    assert SetupService(new_store).needs_setup()


def test_without_a_centre_the_store_is_still_set_up(new_store: Store) -> None:
    request = dataclasses.replace(REQUEST, centre=CentreDetails("", ""), language="en")
    SetupService(new_store).set_up(request)
    assert HallService(new_store).setting(SETTING_CENTRE_URL, "unset") == ""
    assert HallService(new_store).setting(SETTING_LANGUAGE) == "en"


def test_clean_request_normalises_codes_and_spaces() -> None:
    cleaned = clean_request(REQUEST)
    assert cleaned.hall.code == "PD-01" and cleaned.counter.device_code == "PC07"
    assert cleaned.hall.name == "浦东 世纪大道营业厅"
    assert cleaned.admin.staff_no == "ADM1" and cleaned.admin.password == "s3cret-pass"
