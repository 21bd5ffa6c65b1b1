"""Etiquette checklists on a real store: template versioning, signing rules, corrections,
corrective actions rechecked at the next inspection, append-only history, photos, the
weekly simulation ranking and the reports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.etiquette_scoring import (
    ItemSpec,
    LocalText,
    SectionSpec,
    TemplateKind,
    TemplateSpec,
)
from app.services.base import Actor
from app.services.etiquette.reports import EtiquetteReports
from app.services.etiquette.service import (
    MAX_PHOTO_BYTES,
    AnswerInput,
    ChecklistDraft,
    EtiquetteService,
    PhotoUpload,
    TemplateInfo,
    iso_week_of,
)
from app.services.etiquette.templates import shipped_template_id
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url

#: 10:00 in Shanghai on Monday 16 November 2026 (ISO week 2026-W47).
NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    s = open_store(sqlite_url(demo_db_copy))
    yield s
    s.close()


@pytest.fixture
def svc(store: Store, clock: Clock) -> EtiquetteService:
    return EtiquetteService(store, clock)


@pytest.fixture
def reports(store: Store, clock: Clock) -> EtiquetteReports:
    return EtiquetteReports(store, clock)


@pytest.fixture
def auth(store: Store) -> AuthService:
    return AuthService(store)


@pytest.fixture
def leader(auth: AuthService) -> Actor:
    return auth.leader_credential("L001", "demo")


@pytest.fixture
def clerk(auth: AuthService) -> Actor:
    return auth.actor_for("A001")


def _template(svc: EtiquetteService, actor: Actor, code: str) -> TemplateInfo:
    return next(t for t in svc.templates(actor) if t.code == code)


def answers_all(info: TemplateInfo, **overrides: str) -> dict[str, AnswerInput]:
    out = {}
    for item in info.spec.items:
        value = "pass" if item.response.value == "pass_fail" else str(item.max_points)
        out[item.key] = AnswerInput(overrides.get(item.key, value))
    return out


def draft(info: TemplateInfo, clerk_id: int, **kw: object) -> ChecklistDraft:
    answers = kw.pop("answers", None) or answers_all(info)
    return ChecklistDraft(
        template_id=info.id,
        clerk_id=clerk_id,
        started_at=NOW - timedelta(minutes=20),
        answers=answers,  # type: ignore[arg-type]
        counter_id=1,
        **kw,  # type: ignore[arg-type]
    )


# --- templates --------------------------------------------------------------------------


SHIPPED_VERSIONS = {
    "counter_inspection": 2,
    "greeter_inspection": 1,
    "shift_self_check": 1,
    "weekly_simulation": 2,
}


def test_shipped_templates_are_copied_once_as_their_shipped_version(
    svc: EtiquetteService, store: Store, clock: Clock, leader: Actor
) -> None:
    infos = svc.templates(leader)
    assert {t.code: t.version for t in infos} == SHIPPED_VERSIONS
    again = EtiquetteService(store, clock)
    assert [t.id for t in again.templates(leader)] == [t.id for t in infos]
    # every PC copies a default under the same key, so sync sees one row
    assert all(t.id == shipped_template_id(t.spec, t.version) for t in infos)
    assert [t.code for t in svc.templates(leader, TemplateKind.SELF_CHECK)] == ["shift_self_check"]


def test_editing_makes_a_new_version_and_old_inspections_keep_theirs(
    svc: EtiquetteService, reports: EtiquetteReports, leader: Actor, clerk: Actor
) -> None:
    v1 = _template(svc, leader, "greeter_inspection")
    signed = svc.sign_inspection(leader, draft(v1, clerk.staff_id), leader)

    first = v1.spec.sections[0]
    new_item = ItemSpec("name_tag_straight", LocalText("工号牌端正", "Badge worn straight"))
    edited = TemplateSpec(
        v1.spec.code,
        v1.spec.kind,
        v1.spec.title,
        (SectionSpec(first.key, first.title, (*first.items, new_item)), *v1.spec.sections[1:]),
        pass_percent=90,
    )
    v2 = svc.save_template(leader, edited, note="badge straight")
    assert (v2.version, v2.spec.pass_percent) == (2, 90)
    assert _template(svc, leader, "greeter_inspection").id == v2.id
    assert [v.version for v in svc.template_versions(leader, "greeter_inspection")] == [1, 2]

    detail = reports.inspection(leader, signed.inspection_id)
    assert detail.row.template_version == 1
    assert "name_tag_straight" not in {a.item_key for a in detail.answers}
    with pytest.raises(ValidationError):
        svc.save_template(leader, edited)  # nothing changed


def test_clerks_cannot_edit_templates(svc: EtiquetteService, clerk: Actor) -> None:
    info = _template(svc, clerk, "counter_inspection")
    with pytest.raises(PermissionDenied):
        svc.save_template(clerk, info.spec)


def test_used_template_version_is_frozen_in_the_database(
    svc: EtiquetteService, leader: Actor, clerk: Actor, demo_db_copy: Path
) -> None:
    info = _template(svc, leader, "counter_inspection")
    unused = _template(svc, leader, "greeter_inspection")
    svc.sign_inspection(leader, draft(info, clerk.staff_id), leader)
    con = sqlite3.connect(demo_db_copy)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="frozen"):
            con.execute("UPDATE etiquette_template SET note = 'x' WHERE id = ?", (info.id.hex,))
        con.execute("UPDATE etiquette_template SET note = 'x' WHERE id = ?", (unused.id.hex,))
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            con.execute("DELETE FROM etiquette_template")
        for table in ("etiquette_inspection", "etiquette_answer", "etiquette_signature"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(f"UPDATE {table} SET id = id")
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(f"DELETE FROM {table}")
    finally:
        con.rollback()
        con.close()


# --- signing --------------------------------------------------------------------------


def test_signing_scores_and_records_everything(
    svc: EtiquetteService, reports: EtiquetteReports, leader: Actor, clerk: Actor
) -> None:
    info = _template(svc, leader, "counter_inspection")
    answers = answers_all(info, summer_stockings="na", five_voices="3")
    answers["five_voices"] = AnswerInput("3", "forgot the farewell", PhotoUpload("a.png", PNG))
    signed = svc.sign_inspection(leader, draft(info, clerk.staff_id, answers=answers), leader)
    # five_voices (weight 3) scores 3/5 of the weighted total; everything else passes
    weights = sum(i.weight for i in info.spec.items if i.key != "summer_stockings")
    expected = (weights - 3 + 3 * 3 / 5) / weights
    assert signed.score_tenths == round(expected * 1000)
    assert signed.passed and not signed.critical_failed
    assert len(signed.opened_actions) == 1  # five_voices below its pass mark of 4

    detail = reports.inspection(leader, signed.inspection_id)
    five = next(a for a in detail.answers if a.item_key == "five_voices")
    assert (five.failed, five.comment, five.answer) == (True, "forgot the farewell", "3 / 5")
    assert five.photo_answer_id is not None
    assert reports.photo(leader, five.photo_answer_id) == ("image/png", PNG)
    assert detail.row.inspector.startswith("L001")
    assert detail.row.business_date == date(2026, 11, 16)
    assert detail.opened_actions[0][0] == five.text


def test_mandatory_items_block_signing(svc: EtiquetteService, leader: Actor, clerk: Actor) -> None:
    info = _template(svc, leader, "counter_inspection")
    answers = answers_all(info)
    del answers["badge_worn"]
    with pytest.raises(ValidationError) as caught:
        svc.sign_inspection(leader, draft(info, clerk.staff_id, answers=answers), leader)
    assert caught.value.field == "answers"
    assert svc.open_actions(leader, clerk.staff_id) == []


def test_critical_fail_fails_the_inspection(
    svc: EtiquetteService, leader: Actor, clerk: Actor
) -> None:
    info = _template(svc, leader, "counter_inspection")
    signed = svc.sign_inspection(
        leader,
        draft(info, clerk.staff_id, answers=answers_all(info, no_forbidden_phrases="fail")),
        leader,
    )
    assert signed.critical_failed and not signed.passed
    assert signed.score_tenths is not None and signed.score_tenths > 900


def test_inspection_needs_a_leader_and_not_oneself(
    svc: EtiquetteService, leader: Actor, clerk: Actor, auth: AuthService
) -> None:
    info = _template(svc, leader, "counter_inspection")
    with pytest.raises(PermissionDenied):
        svc.sign_inspection(clerk, draft(info, auth.actor_for("A002").staff_id), clerk)
    with pytest.raises(ValidationError):
        svc.sign_inspection(leader, draft(info, leader.staff_id), leader)


def test_photos_are_checked(svc: EtiquetteService, leader: Actor, clerk: Actor) -> None:
    info = _template(svc, leader, "counter_inspection")
    for data in (b"GIF89a....", b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_PHOTO_BYTES):
        answers = answers_all(info)
        answers["badge_worn"] = AnswerInput("pass", "", PhotoUpload("x", data))
        with pytest.raises(ValidationError) as caught:
            svc.sign_inspection(leader, draft(info, clerk.staff_id, answers=answers), leader)
        assert caught.value.field == "photo"


def test_self_check_is_signed_by_the_clerk_and_opens_no_actions(
    svc: EtiquetteService, reports: EtiquetteReports, clerk: Actor, auth: AuthService
) -> None:
    info = _template(svc, clerk, "shift_self_check")
    signed = svc.sign_self_check(
        clerk,
        draft(info, clerk.staff_id, answers=answers_all(info, tidy_counter="fail")),
    )
    assert not signed.passed and signed.opened_actions == ()
    with pytest.raises(PermissionDenied):
        svc.sign_self_check(clerk, draft(info, auth.actor_for("A002").staff_id))
    rows = reports.inspections(clerk)
    assert [r.kind for r in rows] == [TemplateKind.SELF_CHECK]
    with pytest.raises(PermissionDenied):
        reports.inspections(clerk, clerk_id=auth.actor_for("A002").staff_id)


def test_wrong_template_kind_is_refused(svc: EtiquetteService, leader: Actor, clerk: Actor) -> None:
    info = _template(svc, leader, "shift_self_check")
    with pytest.raises(ValidationError):
        svc.sign_inspection(leader, draft(info, clerk.staff_id), leader)


# --- corrective actions and corrections ---------------------------------------------------


def test_failed_items_are_rechecked_and_closed_at_the_next_inspection(
    svc: EtiquetteService, reports: EtiquetteReports, leader: Actor, clerk: Actor, clock: Clock
) -> None:
    info = _template(svc, leader, "counter_inspection")
    first = svc.sign_inspection(
        leader,
        draft(info, clerk.staff_id, answers=answers_all(info, no_phone="fail", mandarin="fail")),
        leader,
    )
    assert len(first.opened_actions) == 2
    open_now = svc.open_actions(leader, clerk.staff_id)
    assert {a.item_key for a in open_now} == {"no_phone", "mandarin"}
    assert all(a.due_on == date(2026, 11, 23) for a in open_now)

    clock.now = NOW + timedelta(days=10)
    assert all(a.overdue for a in svc.open_actions(leader, clerk.staff_id))
    second = svc.sign_inspection(
        leader, draft(info, clerk.staff_id, answers=answers_all(info, mandarin="fail")), leader
    )
    assert second.opened_actions == ()  # mandarin already has an open action
    assert len(second.closed_actions) == 1 and len(second.still_open_actions) == 1
    remaining = svc.open_actions(leader, clerk.staff_id)
    assert [(a.item_key, a.rechecks_failed) for a in remaining] == [("mandarin", 1)]
    states = {a.item_key: a.state for a in svc.actions(leader, clerk_id=clerk.staff_id)}
    assert states == {"no_phone": "closed", "mandarin": "open"}
    detail = reports.inspection(leader, second.inspection_id)
    assert {kind for _text, kind in detail.rechecks} == {"recheck_passed", "recheck_failed"}


def test_a_correction_supersedes_once_and_cancels_actions_no_longer_failing(
    svc: EtiquetteService, reports: EtiquetteReports, leader: Actor, clerk: Actor
) -> None:
    info = _template(svc, leader, "counter_inspection")
    original = svc.sign_inspection(
        leader, draft(info, clerk.staff_id, answers=answers_all(info, no_phone="fail")), leader
    )
    with pytest.raises(ValidationError):
        svc.sign_inspection(
            leader, draft(info, clerk.staff_id, supersedes_id=original.inspection_id), leader
        )  # no reason
    fixed = svc.sign_inspection(
        leader,
        draft(
            info,
            clerk.staff_id,
            supersedes_id=original.inspection_id,
            correction_reason="wrong clerk's phone",
        ),
        leader,
    )
    assert svc.open_actions(leader, clerk.staff_id) == []
    states = [a.state for a in svc.actions(leader, clerk_id=clerk.staff_id)]
    assert states == ["cancelled"]
    with pytest.raises(ValidationError):
        svc.sign_inspection(
            leader,
            draft(
                info, clerk.staff_id, supersedes_id=original.inspection_id, correction_reason="x"
            ),
            leader,
        )
    rows = {r.inspection_id: r for r in reports.inspections(leader, clerk_id=clerk.staff_id)}
    assert rows[original.inspection_id].superseded
    assert rows[fixed.inspection_id].supersedes_id == original.inspection_id
    trend = reports.clerk_trend(leader, clerk.staff_id)
    assert [p.inspection_id for p in trend] == [fixed.inspection_id]
    assert reports.inspection(leader, original.inspection_id).superseded_by == fixed.inspection_id


# --- simulation and reports ---------------------------------------------------------------


def test_weekly_ranking_takes_each_clerks_best_and_shares_ties(
    svc: EtiquetteService, reports: EtiquetteReports, leader: Actor, auth: AuthService
) -> None:
    info = _template(svc, leader, "weekly_simulation")
    a1, a2, a3 = (auth.actor_for(no).staff_id for no in ("A001", "A002", "A003"))

    def simulate(clerk_id: int, **answers: str) -> None:
        svc.sign_simulation(
            leader,
            draft(info, clerk_id, answers=answers_all(info, **answers), scenario="欠费复机"),
            leader,
        )

    simulate(a1, sim_five_voices="6")
    simulate(a1)  # a better second try counts
    simulate(a2)
    simulate(a3, sim_answers="4")
    with pytest.raises(ValidationError):
        svc.sign_simulation(leader, draft(info, a1), leader)  # no scenario
    ranking = reports.weekly_ranking(leader, iso_week_of(date(2026, 11, 16)))
    assert [(r.rank, r.clerk_id, r.sessions) for r in ranking] == [
        (1, a1, 2),
        (1, a2, 1),
        (3, a3, 1),
    ]
    assert ranking[0].score_tenths == 1000
    assert reports.weekly_ranking(leader, "2026-W48") == []


def test_trend_most_failed_and_hall_failure_rates(
    svc: EtiquetteService, reports: EtiquetteReports, leader: Actor, auth: AuthService, clock: Clock
) -> None:
    info = _template(svc, leader, "counter_inspection")
    a1, a2 = auth.actor_for("A001").staff_id, auth.actor_for("A002").staff_id
    for day, fails in enumerate((("no_phone", "mandarin"), ("no_phone",), ())):
        clock.now = NOW + timedelta(days=day)
        svc.sign_inspection(
            leader,
            draft(info, a1, answers=answers_all(info, **dict.fromkeys(fails, "fail"))),
            leader,
        )
    svc.sign_inspection(
        leader, draft(info, a2, answers=answers_all(info, greet_first="na")), leader
    )
    trend = reports.clerk_trend(leader, a1)
    assert [p.business_date.day for p in trend] == [16, 17, 18]
    assert trend[0].score_tenths < trend[1].score_tenths < trend[2].score_tenths == 1000
    worst = reports.most_failed_items(leader, a1)
    assert [(w.item_key, w.fails, w.counted) for w in worst] == [
        ("no_phone", 2, 3),
        ("mandarin", 1, 3),
    ]
    items, sections = reports.failure_rates(leader)
    by_key = {r.key: r for r in items}
    assert (by_key["no_phone"].fails, by_key["no_phone"].counted) == (2, 4)
    assert by_key["greet_first"].counted == 3  # N/A left out
    assert items[0].key == "no_phone"
    conduct = next(s for s in sections if s.key == "conduct")
    assert conduct.fails == 3 and conduct.rate_tenths == round(3 / (6 * 4) * 1000)
    with pytest.raises(PermissionDenied):
        reports.failure_rates(auth.actor_for("A001"))


def test_unknown_inspection(reports: EtiquetteReports, leader: Actor) -> None:
    import uuid

    with pytest.raises(NotFound):
        reports.inspection(leader, uuid.uuid4())


def test_a_score_shown_as_the_pass_mark_passes_everywhere(
    svc: EtiquetteService, reports: EtiquetteReports, leader: Actor, clerk: Actor
) -> None:
    """Issue 12 item 13: 84.96 % was shown "85.0 %" against a pass mark of 85 % and failed;
    the stored verdict, the list and the printed report now agree with the figure."""
    import io

    from pypdf import PdfReader

    from app.i18n import in_language

    weights = (100, 100, 100, 100, 100, 31, 94)  # the last one fails: 531 / 625 = 84.96 %
    items = tuple(
        ItemSpec(f"item_{n}", LocalText(f"第{n}项", f"Item {n}"), weight=w)
        for n, w in enumerate(weights)
    )
    spec = TemplateSpec(
        "close_call",
        TemplateKind.INSPECTION,
        LocalText("临界检查", "Close call"),
        (SectionSpec("all", LocalText("全部", "All"), items),),
        pass_percent=85,
    )
    info = svc.save_template(leader, spec)
    answers = {f"item_{n}": AnswerInput("pass") for n in range(6)} | {"item_6": AnswerInput("fail")}
    signed = svc.sign_inspection(leader, draft(info, clerk.staff_id, answers=answers), leader)
    assert signed.score_tenths == 850 and signed.passed
    with in_language("en"):
        pdf = reports.render_inspection_report(leader, signed.inspection_id)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Score 85.0% (pass mark 85%): Passed" in text.replace("\n", " ")


SEED_ATTITUDE = "3、做到不抱怨、不与客人争对错、不轻易承诺、不要过度、不以貌取人。"


def _without_overdoing(spec: TemplateSpec) -> TemplateSpec:
    """The definition version 1 shipped: the same, less the item version 2 added."""
    data = spec.to_dict()
    for section in data["sections"]:
        section["items"] = [i for i in section["items"] if i["key"] != "no_overdoing"]
        for item in section["items"]:
            item["text"]["zh_CN"] = item["text"]["zh_CN"].replace("不要过度、", "")
            item["text"]["en"] = item["text"]["en"].replace("no overdoing, ", "")
    return TemplateSpec.from_dict(json.loads(json.dumps(data)))


def test_the_seeds_conduct_list_is_complete_in_the_shipped_checklists(
    svc: EtiquetteService, leader: Actor
) -> None:
    """Seed: "3、做到不抱怨、不与客人争对错、不轻易承诺、不要过度、不以貌取人。" The bundled
    counter checklist lacked 不要过度 (issue 12 item 14); version 2 adds it."""
    counter = _template(svc, leader, "counter_inspection")
    texts = [i.text.zh for i in counter.spec.section_of("no_complaining").items]
    for rule in ("不抱怨", "不与客", "不轻易承诺", "不要过度", "不以貌取人"):
        assert rule in SEED_ATTITUDE
        assert any(rule in text for text in texts), rule
    assert counter.version == 2 and counter.spec.item("no_overdoing").mandatory
    simulation = _template(svc, leader, "weekly_simulation")
    assert "不要过度" in simulation.spec.item("sim_attitude").text.zh


def test_a_store_on_shipped_version_1_gets_version_2_and_keeps_its_history(
    store: Store, clock: Clock, leader: Actor, clerk: Actor
) -> None:
    """The upgrade path: a store that copied version 1 (the old default) and signed on it
    gains shipped version 2 under the same key on every PC; the old inspection keeps v1."""
    from app.services.etiquette.templates import shipped_versions
    from app.store.models.etiquette import EtiquetteTemplate

    shipped = {s.spec.code: s for s in shipped_versions()}
    old = _without_overdoing(shipped["counter_inspection"].spec)
    with store.unit_of_work() as session:
        session.add(
            EtiquetteTemplate(
                id=shipped_template_id(old, 1),
                code=old.code,
                version=1,
                kind=old.kind.value,
                definition=json.dumps(old.to_dict(), ensure_ascii=False, sort_keys=True),
                created_at=NOW,
                created_by=None,
                device_code="PC01",
                note="shipped default",
            )
        )
    svc = EtiquetteService(store, clock)
    versions = svc.template_versions(leader, "counter_inspection")
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].id == shipped_template_id(old, 1)
    assert versions[1].id == shipped_template_id(shipped["counter_inspection"].spec, 2)
    assert "不要过度" in versions[1].note
    assert EtiquetteService(store, clock).template_versions(leader, "counter_inspection") == (
        versions
    )


def test_a_halls_own_edit_is_not_outranked_by_a_shipped_version(
    store: Store, clock: Clock, leader: Actor
) -> None:
    from app.services.etiquette.templates import shipped_versions
    from app.store.models.etiquette import EtiquetteTemplate

    shipped = {s.spec.code: s for s in shipped_versions()}
    old = _without_overdoing(shipped["counter_inspection"].spec)
    edited = replace(old, pass_percent=90)
    with store.unit_of_work() as session:
        for version, spec, by in ((1, old, None), (2, edited, leader.staff_id)):
            session.add(
                EtiquetteTemplate(
                    code=spec.code,
                    version=version,
                    kind=spec.kind.value,
                    definition=json.dumps(spec.to_dict(), ensure_ascii=False, sort_keys=True),
                    created_at=NOW,
                    created_by=by,
                    device_code="PC01",
                    note="",
                )
            )
    svc = EtiquetteService(store, clock)
    current = _template(svc, leader, "counter_inspection")
    assert current.version == 2 and current.spec.pass_percent == 90
    assert "no_overdoing" not in {i.key for i in current.spec.items}
