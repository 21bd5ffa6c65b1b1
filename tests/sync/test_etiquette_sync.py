"""Checklist templates travel with the inspections that use them: a leader edits a template
at one PC of the hall, inspects with the new version, and the hall's other PC receives both
(real PostgreSQL). Before templates synced, the other PC's pull failed on the inspection's
foreign key to a template version it had never seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.centre.service import Centre
from app.domain.etiquette_scoring import ItemSpec, LocalText, SectionSpec, TemplateSpec
from app.services.etiquette import AnswerInput, ChecklistDraft, EtiquetteService
from app.services.staff.auth import AuthService
from app.store.models.etiquette import EtiquetteInspection, EtiquetteTemplate
from tests.sync.conftest import Hall


def _edited(spec: TemplateSpec) -> TemplateSpec:
    first = spec.sections[0]
    item = ItemSpec("name_tag_straight", LocalText("工号牌端正", "Badge worn straight"))
    return TemplateSpec(
        spec.code,
        spec.kind,
        spec.title,
        (SectionSpec(first.key, first.title, (*first.items, item)), *spec.sections[1:]),
        pass_percent=spec.pass_percent,
    )


def test_an_edited_template_and_its_inspection_reach_the_other_pc(
    centre: Centre, two_pcs: tuple[Hall, Hall]
) -> None:
    a, b = two_pcs
    auth = AuthService(a.store)
    leader, clerk = auth.actor_for("L001"), auth.actor_for("A001")
    svc = EtiquetteService(a.store)
    v1 = next(t for t in svc.templates(leader) if t.code == "counter_inspection")
    v2 = svc.save_template(leader, _edited(v1.spec), note="badge straight")
    answers = {
        item.key: AnswerInput(
            "pass" if item.response.value == "pass_fail" else str(item.max_points)
        )
        for item in v2.spec.items
    }
    signed = svc.sign_inspection(
        leader,
        ChecklistDraft(
            template_id=v2.id,
            clerk_id=clerk.staff_id,
            started_at=datetime.now(UTC) - timedelta(minutes=20),
            answers=answers,
            counter_id=1,
        ),
        leader,
    )
    assert a.sync.sync().applied > 0
    report = b.sync.sync()
    assert report.pulled > 0
    with b.store.read() as s:
        template = s.get(EtiquetteTemplate, v2.id)
        assert template is not None and (template.code, template.version) == (
            "counter_inspection",
            v1.version + 1,
        )
        inspection = s.get(EtiquetteInspection, signed.inspection_id)
        assert inspection is not None and inspection.template_id == v2.id
    # B sees the edited version as the current checklist and can inspect with it.
    current = next(
        t for t in EtiquetteService(b.store).templates(leader) if t.code == "counter_inspection"
    )
    assert current.id == v2.id
    # The shipped defaults have the same key on every PC: one row each at the centre.
    shipped = centre.records("H1", "etiquette_template")
    with b.store.read() as s:
        assert set(shipped) == {str(i) for i in s.scalars(select(EtiquetteTemplate.id))}
