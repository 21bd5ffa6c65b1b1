"""Two PCs of a hall that both save the same version of one checklist before syncing (real
PostgreSQL). Each keeps its own version *n*; before migration 0012 the other PC's copy was
skipped on pull by the unique ``(code, version)``, and the inspection made with it then
stopped that PC's every pull on its foreign key (issue 13, item 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.domain.etiquette_scoring import ItemSpec, LocalText, SectionSpec, TemplateSpec
from app.services.base import Actor
from app.services.etiquette import (
    AnswerInput,
    ChecklistDraft,
    EtiquetteService,
    SignedChecklist,
    TemplateInfo,
)
from app.services.staff.auth import AuthService
from app.store.models.etiquette import EtiquetteInspection, EtiquetteTemplate
from tests.sync.conftest import Hall

CODE = "counter_inspection"


def _with_item(spec: TemplateSpec, key: str, zh: str, en: str) -> TemplateSpec:
    first = spec.sections[0]
    item = ItemSpec(key, LocalText(zh, en))
    return TemplateSpec(
        spec.code,
        spec.kind,
        spec.title,
        (SectionSpec(first.key, first.title, (*first.items, item)), *spec.sections[1:]),
        pass_percent=spec.pass_percent,
    )


def _inspect(
    svc: EtiquetteService, leader: Actor, clerk: Actor, t: TemplateInfo
) -> SignedChecklist:
    answers = {
        item.key: AnswerInput(
            "pass" if item.response.value == "pass_fail" else str(item.max_points)
        )
        for item in t.spec.items
    }
    return svc.sign_inspection(
        leader,
        ChecklistDraft(
            template_id=t.id,
            clerk_id=clerk.staff_id,
            started_at=datetime.now(UTC) - timedelta(minutes=20),
            answers=answers,
            counter_id=1,
        ),
        leader,
    )


def test_two_pcs_saving_the_same_version_both_keep_syncing(two_pcs: tuple[Hall, Hall]) -> None:
    a, b = two_pcs
    auth = AuthService(a.store)
    leader, clerk = auth.actor_for("L001"), auth.actor_for("A001")
    svc_a, svc_b = EtiquetteService(a.store), EtiquetteService(b.store)
    v1 = next(t for t in svc_a.templates(leader) if t.code == CODE)
    a2 = svc_a.save_template(leader, _with_item(v1.spec, "badge", "工号牌端正", "Badge straight"))
    b2 = svc_b.save_template(leader, _with_item(v1.spec, "scarf", "丝巾整齐", "Scarf neat"))
    assert a2.version == b2.version == v1.version + 1 and a2.id != b2.id
    on_a = _inspect(svc_a, leader, clerk, a2)
    on_b = _inspect(svc_b, leader, clerk, b2)

    a.sync.sync()
    b.sync.sync()  # failed here: A's inspection points at a version B had skipped
    a.sync.sync()

    for pc, svc in ((a, svc_a), (b, svc_b)):
        with pc.store.read() as s:
            versions = set(
                s.scalars(select(EtiquetteTemplate.id).where(EtiquetteTemplate.code == CODE))
            )
            assert {v1.id, a2.id, b2.id} <= versions
            assert (
                s.scalar(
                    select(func.count())
                    .select_from(EtiquetteInspection)
                    .where(EtiquetteInspection.id.in_([on_a.inspection_id, on_b.inspection_id]))
                )
                == 2
            )
        # Both PCs agree on the current checklist: the later of the two versions n.
        current = [t for t in svc.templates(leader) if t.code == CODE]
        assert [t.id for t in current] == [max((a2, b2), key=lambda t: (t.created_at, t.id)).id]
        assert [t.id for t in svc.template_versions(leader, CODE)][-2:] == [
            t.id for t in sorted((a2, b2), key=lambda t: (t.created_at, t.id))
        ]
    # The next edit is version n + 1, whichever PC makes it.
    later = svc_b.templates(leader)
    current_b = next(t for t in later if t.code == CODE)
    v3 = svc_b.save_template(leader, _with_item(current_b.spec, "shoes", "黑色皮鞋", "Black shoes"))
    assert v3.version == v1.version + 2
    b.sync.sync()
    a.sync.sync()
    assert next(t for t in svc_a.templates(leader) if t.code == CODE).id == v3.id
