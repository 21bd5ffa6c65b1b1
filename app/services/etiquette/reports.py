"""Reading the signed etiquette checklists: lists, one inspection in full, the weekly
simulation ranking, a clerk's score trend and most-failed items, the hall's failure rates
per item and per section, and the two printed documents.

Only *current* checklists count: one that a correction superseded is shown (marked) in its
clerk's list but left out of trends, rankings and rates. Scores were fixed at signing
(``score_tenths``), so the aggregates are plain SQL over ``etiquette_inspection`` and
``etiquette_answer`` (its ``counted``/``failed`` columns). A clerk sees their own
checklists; hall-wide reports are for leaders and administrators.
"""

from __future__ import annotations

import uuid
from datetime import date
from fractions import Fraction
from typing import Final

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

from app.domain.errors import NotFound, PermissionDenied
from app.domain.etiquette_scoring import (
    ResponseKind,
    TemplateKind,
    best_per_key,
    percent_tenths,
    rank_scores,
)
from app.i18n import N_, current_language, format_datetime
from app.services.base import Actor, Clock, require_role, utc_now
from app.services.etiquette.report_documents import ranking_data, report_data
from app.services.etiquette.report_views import (
    AnswerView,
    FailureRate,
    InspectionDetail,
    InspectionRow,
    ItemFailures,
    RankingRow,
    TrendPoint,
    answer_text,
)
from app.services.etiquette.service import EtiquetteService
from app.services.etiquette.templates import item_texts, spec_of
from app.store.database import Store
from app.store.models import Counter, Hall, Role, Staff
from app.store.models.etiquette import (
    TEMPLATE_ORDER,
    CorrectiveAction,
    CorrectiveActionEvent,
    EtiquetteAnswer,
    EtiquetteInspection,
    EtiquettePhoto,
    EtiquetteTemplate,
)

__all__ = [
    "AnswerView",
    "EtiquetteReports",
    "FailureRate",
    "InspectionDetail",
    "InspectionRow",
    "ItemFailures",
    "RankingRow",
    "TrendPoint",
    "answer_text",
]

_LEADERS: Final = (Role.LEADER, Role.ADMIN)


def _current() -> Select[EtiquetteInspection]:
    """Signed checklists no correction has superseded."""
    newer = aliased(EtiquetteInspection)
    return select(EtiquetteInspection).where(
        ~select(newer.id).where(newer.supersedes_id == EtiquetteInspection.id).exists()
    )


class EtiquetteReports:
    """Read side of the etiquette checklists (see the module docstring)."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self._service = EtiquetteService(store, clock)

    def _scope(self, actor: Actor, clerk_id: int | None) -> int | None:
        if actor.is_leader:
            return clerk_id
        if clerk_id is not None and clerk_id != actor.staff_id:
            raise PermissionDenied(N_("Your role is not allowed to do this."))
        return actor.staff_id

    # -- lists and details -----------------------------------------------------------------

    def inspections(
        self,
        actor: Actor,
        *,
        clerk_id: int | None = None,
        kind: TemplateKind | None = None,
        limit: int = 500,
    ) -> list[InspectionRow]:
        """Signed checklists newest first (corrected ones included, marked ``superseded``)."""
        clerk_id = self._scope(actor, clerk_id)
        self._service.ensure_templates()
        with self._store.read() as session:
            query = (
                select(EtiquetteInspection)
                .where(EtiquetteInspection.hall_id == actor.hall_id)
                .order_by(EtiquetteInspection.signed_at.desc())
                .limit(limit)
            )
            if clerk_id is not None:
                query = query.where(EtiquetteInspection.clerk_id == clerk_id)
            if kind is not None:
                query = query.where(EtiquetteInspection.kind == kind.value)
            rows = list(session.scalars(query))
            return _rows(session, rows)

    def inspection(self, actor: Actor, inspection_id: uuid.UUID) -> InspectionDetail:
        with self._store.read() as session:
            found = session.get(EtiquetteInspection, inspection_id)
            if found is None or found.hall_id != actor.hall_id:
                raise NotFound(N_("This inspection does not exist."))
            self._scope(actor, found.clerk_id)
            row = _rows(session, [found])[0]
            template = session.get(EtiquetteTemplate, found.template_id)
            assert template is not None
            spec = spec_of(template)
            language = current_language()
            answers = {
                a.item_key: a
                for a in session.scalars(
                    select(EtiquetteAnswer).where(EtiquetteAnswer.inspection_id == found.id)
                )
            }
            photo_ids = set(
                session.scalars(
                    select(EtiquettePhoto.answer_id).where(
                        EtiquettePhoto.answer_id.in_([a.id for a in answers.values()])
                    )
                )
            )
            views = []
            values: dict[str, str | None] = {}
            for item in spec.items:
                answer = answers.get(item.key)
                value = answer.value if answer else ""
                values[item.key] = value or None
                points: int | None = None
                if value and value != "na":
                    points = (
                        int(value) if item.response is ResponseKind.SCALE else int(value == "pass")
                    )
                views.append(
                    AnswerView(
                        section_key=spec.section_of(item.key).key,
                        item_key=item.key,
                        text=item.text.pick(language),
                        value=value,
                        answer=answer_text(value, item.max_points, item.response),
                        comment=answer.comment if answer else "",
                        failed=bool(answer and answer.failed),
                        critical=item.critical,
                        mandatory=item.mandatory,
                        score_tenths=(
                            None
                            if points is None
                            else percent_tenths(Fraction(points, item.max_points))
                        ),
                        photo_answer_id=answer.id if answer and answer.id in photo_ids else None,
                    )
                )
            from app.domain.etiquette_scoring import score_checklist

            scored = score_checklist(spec, values)
            sections = tuple(
                (s.key, s.title.pick(language), percent_tenths(scored.section(s.key).score))
                for s in spec.sections
            )
            texts = {item.key: item.text.pick(language) for item in spec.items}
            names = {s.id: f"{s.staff_no} {s.name}" for s in session.scalars(select(Staff))}
            opened = tuple(
                (texts.get(a.item_key, a.item_key), names.get(a.owner_id, ""), a.due_on)
                for a in session.scalars(
                    select(CorrectiveAction)
                    .where(CorrectiveAction.inspection_id == found.id)
                    .order_by(CorrectiveAction.created_at)
                )
            )
            all_texts = item_texts(session)
            rechecks = tuple(
                (all_texts.get(key, key), kind)
                for key, kind in session.execute(
                    select(CorrectiveAction.item_key, CorrectiveActionEvent.kind)
                    .join(CorrectiveAction, CorrectiveAction.id == CorrectiveActionEvent.action_id)
                    .where(CorrectiveActionEvent.inspection_id == found.id)
                )
            )
            newer = session.scalars(
                select(EtiquetteInspection.id).where(EtiquetteInspection.supersedes_id == found.id)
            ).first()
            counter = session.get(Counter, found.counter_id) if found.counter_id else None
            return InspectionDetail(
                row=row,
                spec=spec,
                counter=f"{counter.code} {counter.name}" if counter else "",
                started_at=found.started_at,
                comment=found.comment,
                correction_reason=found.correction_reason,
                superseded_by=newer,
                answers=tuple(views),
                section_scores=sections,
                opened_actions=opened,
                rechecks=rechecks,
            )

    def photo(self, actor: Actor, answer_id: uuid.UUID) -> tuple[str, bytes]:
        """The content type and bytes of the photo attached to an answer."""
        with self._store.read() as session:
            photo = session.scalars(
                select(EtiquettePhoto).where(EtiquettePhoto.answer_id == answer_id)
            ).first()
            if photo is None:
                raise NotFound(N_("This photo does not exist."))
            answer = session.get(EtiquetteAnswer, answer_id)
            assert answer is not None
            inspection = session.get(EtiquetteInspection, answer.inspection_id)
            assert inspection is not None
            self._scope(actor, inspection.clerk_id)
            return photo.content_type, photo.data

    # -- weekly simulation -----------------------------------------------------------------

    def weekly_ranking(self, actor: Actor, iso_week: str) -> list[RankingRow]:
        """The week's ranking: each clerk's best current simulation score, highest first;
        equal scores share a rank (1, 2, 2, 4)."""
        with self._store.read() as session:
            rows = list(
                session.scalars(
                    _current()
                    .where(
                        EtiquetteInspection.hall_id == actor.hall_id,
                        EtiquetteInspection.kind == TemplateKind.SIMULATION.value,
                        EtiquetteInspection.iso_week == iso_week,
                        EtiquetteInspection.score_tenths.is_not(None),
                    )
                    .order_by(EtiquetteInspection.signed_at)
                )
            )
            best = best_per_key([(r.clerk_id, r.score_tenths or 0) for r in rows])
            best_row: dict[int, EtiquetteInspection] = {}
            sessions: dict[int, int] = {}
            for r in rows:
                sessions[r.clerk_id] = sessions.get(r.clerk_id, 0) + 1
                if r.score_tenths == best[r.clerk_id] and r.clerk_id not in best_row:
                    best_row[r.clerk_id] = r
            names = {s.id: f"{s.staff_no} {s.name}" for s in session.scalars(select(Staff))}
            return [
                RankingRow(
                    rank=entry.rank,
                    clerk_id=entry.key,
                    clerk=names.get(entry.key, ""),
                    score_tenths=entry.score,
                    inspection_id=best_row[entry.key].id,
                    scenario=best_row[entry.key].scenario,
                    sessions=sessions[entry.key],
                )
                for entry in rank_scores(best)
            ]

    # -- trends and rates ------------------------------------------------------------------

    def clerk_trend(
        self, actor: Actor, clerk_id: int, kind: TemplateKind = TemplateKind.INSPECTION
    ) -> list[TrendPoint]:
        """The clerk's current scored checklists of ``kind``, oldest first."""
        self._scope(actor, clerk_id)
        with self._store.read() as session:
            rows = session.scalars(
                _current()
                .where(
                    EtiquetteInspection.clerk_id == clerk_id,
                    EtiquetteInspection.kind == kind.value,
                    EtiquetteInspection.score_tenths.is_not(None),
                )
                .order_by(EtiquetteInspection.signed_at)
            )
            return [
                TrendPoint(
                    r.business_date,
                    r.signed_at,
                    r.score_tenths or 0,
                    r.passed,
                    r.critical_failed,
                    r.id,
                )
                for r in rows
            ]

    def most_failed_items(self, actor: Actor, clerk_id: int, limit: int = 10) -> list[ItemFailures]:
        """The clerk's items failed most often in current inspections (ties by key)."""
        self._scope(actor, clerk_id)
        with self._store.read() as session:
            current = _current().where(
                EtiquetteInspection.clerk_id == clerk_id,
                EtiquetteInspection.kind == TemplateKind.INSPECTION.value,
            )
            ids = current.with_only_columns(EtiquetteInspection.id)
            fails = func.sum(case((EtiquetteAnswer.failed, 1), else_=0))
            counted = func.sum(case((EtiquetteAnswer.counted, 1), else_=0))
            rows = session.execute(
                select(EtiquetteAnswer.item_key, fails, counted)
                .where(EtiquetteAnswer.inspection_id.in_(ids))
                .group_by(EtiquetteAnswer.item_key)
                .having(fails > 0)
                .order_by(fails.desc(), EtiquetteAnswer.item_key)
                .limit(limit)
            ).all()
            texts = item_texts(session)
            return [ItemFailures(k, texts.get(k, k), int(f), int(c)) for k, f, c in rows]

    def failure_rates(
        self, actor: Actor, *, since: date | None = None, until: date | None = None
    ) -> tuple[list[FailureRate], list[FailureRate]]:
        """The hall's failure rate per item and per section over current inspections
        (failed / answered and applicable), highest rate first."""
        require_role(actor, *_LEADERS)
        with self._store.read() as session:
            current = _current().where(
                EtiquetteInspection.hall_id == actor.hall_id,
                EtiquetteInspection.kind == TemplateKind.INSPECTION.value,
            )
            if since is not None:
                current = current.where(EtiquetteInspection.business_date >= since)
            if until is not None:
                current = current.where(EtiquetteInspection.business_date <= until)
            ids = current.with_only_columns(EtiquetteInspection.id)
            fails = func.sum(case((EtiquetteAnswer.failed, 1), else_=0))
            counted = func.sum(case((EtiquetteAnswer.counted, 1), else_=0))
            texts = item_texts(session)
            section_texts = _section_texts(session)
            items = [
                FailureRate(k, texts.get(k, k), int(f), int(c))
                for k, f, c in session.execute(
                    select(EtiquetteAnswer.item_key, fails, counted)
                    .where(EtiquetteAnswer.inspection_id.in_(ids))
                    .group_by(EtiquetteAnswer.item_key)
                )
            ]
            sections = [
                FailureRate(k, section_texts.get(k, k), int(f), int(c))
                for k, f, c in session.execute(
                    select(EtiquetteAnswer.section_key, fails, counted)
                    .where(EtiquetteAnswer.inspection_id.in_(ids))
                    .group_by(EtiquetteAnswer.section_key)
                )
            ]

        def order(rate: FailureRate) -> tuple[Fraction, int, str]:
            return (-(rate.rate or Fraction(0)), -rate.counted, rate.key)

        return sorted(items, key=order), sorted(sections, key=order)

    # -- documents -------------------------------------------------------------------------

    def render_inspection_report(
        self, actor: Actor, inspection_id: uuid.UUID, *, invariant: bool = False
    ) -> bytes:
        # Documents import reportlab, which the window must not load at start-up.
        from app.documents.inspection_report import render_inspection_report

        detail = self.inspection(actor, inspection_id)
        with self._store.read() as session:
            hall = session.get(Hall, actor.hall_id)
            assert hall is not None
            hall_name, tz = hall.name, hall.timezone
        data = report_data(detail, hall_name, tz)
        return render_inspection_report(data, invariant=invariant)

    def render_weekly_ranking(
        self, actor: Actor, iso_week: str, *, invariant: bool = False
    ) -> bytes:
        from app.documents.simulation_ranking import render_simulation_ranking

        rows = self.weekly_ranking(actor, iso_week)
        with self._store.read() as session:
            hall = session.get(Hall, actor.hall_id)
            assert hall is not None
            hall_name, tz = hall.name, hall.timezone
        data = ranking_data(rows, hall_name, iso_week, format_datetime(self._clock(), tz))
        return render_simulation_ranking(data, invariant=invariant)


def _rows(session: Session, found: list[EtiquetteInspection]) -> list[InspectionRow]:
    if not found:
        return []
    language = current_language()
    names = {s.id: f"{s.staff_no} {s.name}" for s in session.scalars(select(Staff))}
    templates = {
        t.id: t
        for t in session.scalars(
            select(EtiquetteTemplate).where(
                EtiquetteTemplate.id.in_({r.template_id for r in found})
            )
        )
    }
    superseded = set(
        session.scalars(
            select(EtiquetteInspection.supersedes_id).where(
                EtiquetteInspection.supersedes_id.in_([r.id for r in found])
            )
        )
    )
    out = []
    for r in found:
        template = templates[r.template_id]
        out.append(
            InspectionRow(
                inspection_id=r.id,
                kind=TemplateKind(r.kind),
                template_title=spec_of(template).title.pick(language),
                template_version=template.version,
                clerk_id=r.clerk_id,
                clerk=names.get(r.clerk_id, ""),
                inspector=names.get(r.inspector_id, ""),
                signed_at=r.signed_at,
                business_date=r.business_date,
                score_tenths=r.score_tenths,
                passed=r.passed,
                critical_failed=r.critical_failed,
                supersedes_id=r.supersedes_id,
                superseded=r.id in superseded,
                scenario=r.scenario,
            )
        )
    return out


def _section_texts(session: Session) -> dict[str, str]:
    language = current_language()
    texts: dict[str, str] = {}
    for row in session.scalars(
        select(EtiquetteTemplate).order_by(*(c.desc() for c in TEMPLATE_ORDER))
    ):
        for section in spec_of(row).sections:
            texts.setdefault(section.key, section.title.pick(language))
    return texts
