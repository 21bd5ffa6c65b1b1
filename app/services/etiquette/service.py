"""Service-etiquette checklists: versioned templates, signed inspections, self-checks,
weekly simulations and the corrective actions that failed items open.

``EtiquetteService`` is the entry point of the write side; its parts are ``templates``
(shipped defaults, stored versions), ``signing`` (drafts, corrections, photos, answers) and
``actions`` (corrective actions). The reports are ``app.services.etiquette.reports``.

Invariants this service keeps, and why:

* **Templates are versioned data.** The shipped defaults (``resources/checklists/*.json``,
  each with its shipped ``version``, 1 when absent) are copied into the store the first
  time any checklist is asked for, under a key derived from code, version and content, so
  every PC of a hall writes the same row. A newer shipped version is added as that version
  only while the store's current version of the code is itself a shipped default (no one
  signed in as ``created_by``): a hall's own edit is never overwritten or outranked.
  Editing (a leader or an administrator) inserts the next version; an inspection points at
  the exact version it was answered on, and the database refuses to change a version once
  an inspection used it, so an old report always reads as it was signed.
* **A checklist is written once, when it is signed.** Until then it is a draft held by the
  caller (``ChecklistDraft``); signing scores it with ``app.domain.etiquette_scoring``,
  refuses unanswered mandatory items, and writes the inspection, its answers, photos and
  signature in one transaction. The tables are append-only: a mistake is put right by a
  *correction*, a new inspection that names the one it supersedes (at most once).
* **An inspection is signed with a shift leader's credential** checked at that moment
  (``AuthService.leader_credential``); a self-check is signed by the clerk logged in.
* **Failed items open corrective actions** (owner, due date) for the inspected clerk. The
  next inspection of that clerk rechecks them: an item answered and not failed closes its
  action, a failed one keeps it open (no duplicate is opened). A correction cancels the
  actions of the superseded inspection whose items no longer fail.
* Every row carries a UUIDv7 key, its creation time, the device code and staff ids, so the
  sync can send it as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.etiquette_scoring import (
    TemplateError,
    TemplateKind,
    TemplateSpec,
    check_answer,
    check_signable,
    percent_tenths,
)
from app.domain.text import check_text
from app.i18n import N_
from app.services.arrears.records import business_date
from app.services.base import Actor, Clock, audit, require_role, utc_now
from app.services.etiquette.actions import ActionRow, action_rows, update_actions
from app.services.etiquette.signing import (
    MAX_COMMENT,
    MAX_PHOTO_BYTES,
    MAX_REASON,
    MAX_SCENARIO,
    AnswerInput,
    ChecklistDraft,
    PhotoUpload,
    SignedChecklist,
    check_correction,
    check_photo,
    photo_content_type,
    write_answers,
)
from app.services.etiquette.templates import (
    TemplateInfo,
    check_template_texts,
    dump_spec,
    shipped_template_id,
    shipped_versions,
    spec_of,
    template_info,
)
from app.store.database import Store
from app.store.models import Counter, DeviceInfo, Hall, HallSetting, Role, Staff
from app.store.models.etiquette import (
    TEMPLATE_ORDER,
    EtiquetteInspection,
    EtiquetteSignature,
    EtiquetteTemplate,
    SignatureRole,
)

__all__ = [
    "ACTION_DUE_DAYS_SETTING",
    "DEFAULT_ACTION_DUE_DAYS",
    "MAX_PHOTO_BYTES",
    "ActionRow",
    "AnswerInput",
    "ChecklistDraft",
    "CounterChoice",
    "EtiquetteService",
    "PhotoUpload",
    "SignedChecklist",
    "StaffChoice",
    "TemplateInfo",
    "iso_week_of",
    "photo_content_type",
]

#: ``hall_setting`` key: days a corrective action is given (default below).
ACTION_DUE_DAYS_SETTING: Final = "etiquette.action_due_days"
DEFAULT_ACTION_DUE_DAYS: Final = 7
MAX_ACTION_DAYS: Final = 90

_LEADERS: Final = (Role.LEADER, Role.ADMIN)
_SHIPPED_NAMESPACE: Final = uuid.UUID("0b9f3c52-6a3e-4c1e-9a57-2f1d3c8e5a10")
SHIPPED_NOTE: Final = "shipped default"


def iso_week_of(day: date) -> str:
    """``2026-W47`` for any day of that ISO week."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffChoice:
    staff_id: int
    staff_no: str
    name: str
    role: Role

    @property
    def label(self) -> str:
        return f"{self.staff_no} {self.name}"


@dataclass(frozen=True, slots=True)
class CounterChoice:
    counter_id: int
    code: str
    name: str


def _device_code(session: Session) -> str:
    device = session.scalars(select(DeviceInfo).limit(1)).first()
    return device.device_code if device else ""


def _timezone(session: Session, hall_id: int) -> str:
    hall = session.get(Hall, hall_id)
    return hall.timezone if hall else "Asia/Shanghai"


def _text(value: str, field_name: str, limit: int) -> str:
    """Optional free text, checked by the shared rule (``app.domain.text``)."""
    return check_text(value, field=field_name, maximum=limit)


class EtiquetteService:
    """Templates, signing and corrective actions of the etiquette checklists (see the
    module docstring for the invariants). Reports live in ``reports``."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self._loaded = False

    # -- templates -----------------------------------------------------------------------------

    def ensure_templates(self) -> None:
        """Copy every shipped template the store lacks: as its shipped version when the
        store has no version of the code, or when the store's current version is an older
        shipped default; a store's edited template is never overwritten or outranked.

        Runs once per service instance (cheap afterwards); a template deleted from the
        resources stays in the store.
        """
        if self._loaded:
            return
        shipped = shipped_versions()
        with self._store.unit_of_work() as session:
            current = {
                row.code: row
                for row in session.scalars(
                    select(EtiquetteTemplate).order_by(EtiquetteTemplate.version)
                )
            }
            device = _device_code(session)
            now = self._clock()
            for default in shipped:
                spec = default.spec
                have = current.get(spec.code)
                if have is not None and (
                    have.created_by is not None or have.version >= default.version
                ):
                    continue
                session.add(
                    EtiquetteTemplate(
                        id=shipped_template_id(spec, default.version),
                        code=spec.code,
                        version=default.version,
                        kind=spec.kind.value,
                        definition=dump_spec(spec),
                        created_at=now,
                        created_by=None,
                        device_code=device,
                        note=default.note,
                    )
                )
        self._loaded = True

    def templates(self, actor: Actor, kind: TemplateKind | None = None) -> list[TemplateInfo]:
        """The current (highest) version of every template, optionally of one kind."""
        self.ensure_templates()
        with self._store.read() as session:
            # The last version of each code in TEMPLATE_ORDER: two PCs may both have
            # saved version n (see the model), so the highest number alone is not one row.
            ranked = select(
                EtiquetteTemplate.id,
                func.row_number()
                .over(
                    partition_by=EtiquetteTemplate.code,
                    order_by=[c.desc() for c in TEMPLATE_ORDER],
                )
                .label("rank"),
            ).subquery()
            query = (
                select(EtiquetteTemplate)
                .join(ranked, (ranked.c.id == EtiquetteTemplate.id) & (ranked.c.rank == 1))
                .order_by(EtiquetteTemplate.code)
            )
            if kind is not None:
                query = query.where(EtiquetteTemplate.kind == kind.value)
            return [template_info(row) for row in session.scalars(query)]

    def template(self, actor: Actor, template_id: uuid.UUID) -> TemplateInfo:
        self.ensure_templates()
        with self._store.read() as session:
            row = session.get(EtiquetteTemplate, template_id)
            if row is None:
                raise NotFound(N_("This checklist template does not exist."))
            return template_info(row)

    def template_versions(self, actor: Actor, code: str) -> list[TemplateInfo]:
        self.ensure_templates()
        with self._store.read() as session:
            rows = session.scalars(
                select(EtiquetteTemplate)
                .where(EtiquetteTemplate.code == code)
                .order_by(*TEMPLATE_ORDER)
            )
            return [template_info(row) for row in rows]

    def save_template(self, actor: Actor, spec: TemplateSpec, note: str = "") -> TemplateInfo:
        """Store ``spec`` as the next version of its code (a leader or an administrator).

        An edit that changes nothing is refused, so the history only holds real changes;
        a code's kind never changes (its past inspections are of that kind).
        """
        require_role(actor, *_LEADERS)
        self.ensure_templates()
        note = _text(note, "note", MAX_REASON)
        check_template_texts(spec)
        try:
            spec = TemplateSpec.from_dict(spec.to_dict())
        except TemplateError as exc:
            raise ValidationError(
                "template", N_("The checklist is not valid: {reason}"), reason=str(exc)
            ) from exc
        now = self._clock()
        with self._store.unit_of_work() as session:
            current = session.scalars(
                select(EtiquetteTemplate)
                .where(EtiquetteTemplate.code == spec.code)
                .order_by(*(c.desc() for c in TEMPLATE_ORDER))
                .limit(1)
            ).first()
            if current is not None:
                if current.kind != spec.kind.value:
                    raise ValidationError(
                        "kind", N_("A checklist's kind cannot change between versions.")
                    )
                if current.definition == dump_spec(spec):
                    raise ValidationError("template", N_("Nothing was changed."))
            row = EtiquetteTemplate(
                code=spec.code,
                version=(current.version + 1) if current else 1,
                kind=spec.kind.value,
                definition=dump_spec(spec),
                created_at=now,
                created_by=actor.staff_id,
                device_code=_device_code(session),
                note=note,
            )
            session.add(row)
            session.flush()
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="etiquette_template_saved",
                entity="etiquette_template",
                entity_id=str(row.id),
                code=row.code,
                version=row.version,
            )
            return template_info(row)

    # -- choices for forms -----------------------------------------------------------------

    def staff_choices(self, actor: Actor, *, clerks_only: bool = True) -> list[StaffChoice]:
        with self._store.read() as session:
            query = select(Staff).where(Staff.hall_id == actor.hall_id, Staff.active)
            if clerks_only:
                query = query.where(Staff.role == Role.CLERK.value)
            return [
                StaffChoice(s.id, s.staff_no, s.name, Role(s.role))
                for s in session.scalars(query.order_by(Staff.staff_no))
            ]

    def counters(self, actor: Actor) -> list[CounterChoice]:
        with self._store.read() as session:
            rows = session.scalars(
                select(Counter).where(Counter.hall_id == actor.hall_id).order_by(Counter.code)
            )
            return [CounterChoice(c.id, c.code, c.name) for c in rows]

    def action_due_days(self) -> int:
        with self._store.read() as session:
            row = session.get(HallSetting, ACTION_DUE_DAYS_SETTING)
        try:
            days = int(row.value) if row else DEFAULT_ACTION_DUE_DAYS
        except ValueError:
            return DEFAULT_ACTION_DUE_DAYS
        return days if 1 <= days <= MAX_ACTION_DAYS else DEFAULT_ACTION_DUE_DAYS

    def business_date(self, actor: Actor) -> date:
        with self._store.read() as session:
            return business_date(self._clock(), _timezone(session, actor.hall_id))

    # -- signing ---------------------------------------------------------------------------

    def sign_inspection(
        self, actor: Actor, draft: ChecklistDraft, inspector: Actor
    ) -> SignedChecklist:
        """Sign a leader's inspection (or a correction of one) with ``inspector``'s
        credential, checked by the caller just before (``AuthService.leader_credential``)."""
        return self._sign(actor, draft, TemplateKind.INSPECTION, inspector)

    def sign_simulation(
        self, actor: Actor, draft: ChecklistDraft, inspector: Actor
    ) -> SignedChecklist:
        """Record a scored weekly simulation; the leader who scored it signs."""
        if not (draft.scenario or "").strip():
            raise ValidationError("scenario", N_("Describe the scenario that was simulated."))
        return self._sign(actor, draft, TemplateKind.SIMULATION, inspector)

    def sign_self_check(self, actor: Actor, draft: ChecklistDraft) -> SignedChecklist:
        """A clerk's own check at the start of a shift, signed by the clerk logged in."""
        if draft.clerk_id != actor.staff_id:
            raise PermissionDenied(N_("A self-check is signed by the clerk it is about."))
        return self._sign(actor, draft, TemplateKind.SELF_CHECK, actor)

    def _sign(
        self, actor: Actor, draft: ChecklistDraft, kind: TemplateKind, signer: Actor
    ) -> SignedChecklist:
        if kind is not TemplateKind.SELF_CHECK and not signer.is_leader:
            raise PermissionDenied(N_("This needs a shift leader's credential."))
        comment = _text(draft.comment, "comment", MAX_COMMENT)
        scenario = _text(draft.scenario, "scenario", MAX_SCENARIO)
        reason = _text(draft.correction_reason, "correction_reason", MAX_REASON)
        if draft.supersedes_id is not None and not reason:
            raise ValidationError("correction_reason", N_("Give the reason for the correction."))
        photos = {key: check_photo(a.photo) for key, a in draft.answers.items() if a.photo}
        comments = {
            key: _text(a.comment, "comment", MAX_COMMENT) for key, a in draft.answers.items()
        }
        now = self._clock()
        self.ensure_templates()
        with self._store.unit_of_work() as session:
            template = session.get(EtiquetteTemplate, draft.template_id)
            if template is None:
                raise NotFound(N_("This checklist template does not exist."))
            if template.kind != kind.value:
                raise ValidationError("template", N_("This checklist is not meant for this."))
            spec = spec_of(template)
            values = {key: a.value for key, a in draft.answers.items() if a.value is not None}
            for key, value in values.items():
                if key in {item.key for item in spec.items}:
                    values[key] = check_answer(spec.item(key), value)
            result = check_signable(spec, values)
            clerk = session.get(Staff, draft.clerk_id)
            if clerk is None or clerk.hall_id != actor.hall_id or not clerk.active:
                raise ValidationError("clerk", N_("Choose the clerk who was checked."))
            if kind is not TemplateKind.SELF_CHECK and draft.clerk_id == signer.staff_id:
                raise ValidationError(
                    "clerk", N_("A shift leader cannot inspect themselves; use a self-check.")
                )
            if draft.counter_id is not None:
                counter = session.get(Counter, draft.counter_id)
                if counter is None or counter.hall_id != actor.hall_id:
                    raise ValidationError("counter", N_("Choose a counter of this hall."))
            if draft.started_at > now:
                raise ValidationError("started_at", N_("The start time lies in the future."))
            today = business_date(now, _timezone(session, actor.hall_id))
            original = check_correction(session, draft, kind)
            device = _device_code(session)
            score = percent_tenths(result.score)
            passed = bool(result.passed)
            inspection = EtiquetteInspection(
                kind=kind.value,
                template_id=template.id,
                hall_id=actor.hall_id,
                clerk_id=draft.clerk_id,
                inspector_id=signer.staff_id,
                shift_id=draft.shift_id,
                counter_id=draft.counter_id,
                started_at=draft.started_at,
                signed_at=now,
                business_date=original.business_date if original else today,
                iso_week=original.iso_week if original else iso_week_of(today),
                score_tenths=score,
                passed=passed,
                critical_failed=result.critical_failed,
                comment=comment,
                scenario=scenario,
                supersedes_id=original.id if original else None,
                correction_reason=reason,
                created_at=now,
                created_by=actor.staff_id,
                device_code=device,
            )
            session.add(inspection)
            session.flush()
            write_answers(session, spec, inspection, result, values, comments, photos, now)
            session.add(
                EtiquetteSignature(
                    inspection_id=inspection.id,
                    role=(
                        SignatureRole.SELF.value
                        if kind is TemplateKind.SELF_CHECK
                        else SignatureRole.INSPECTOR.value
                    ),
                    staff_id=signer.staff_id,
                    signed_at=now,
                    device_code=device,
                )
            )
            opened: list[uuid.UUID] = []
            closed: list[uuid.UUID] = []
            still_open: list[uuid.UUID] = []
            if kind is TemplateKind.INSPECTION:
                due_on = draft.action_due_on or today + timedelta(days=self.action_due_days())
                if due_on < today:
                    raise ValidationError(
                        "action_due_on", N_("Corrective actions need a due date from today on.")
                    )
                owner = draft.action_owner_id or draft.clerk_id
                owner_row = session.get(Staff, owner)
                if owner_row is None or owner_row.hall_id != actor.hall_id:
                    raise ValidationError(
                        "action_owner", N_("Choose who is responsible for the actions.")
                    )
                opened, closed, still_open = update_actions(
                    session, inspection, result, original, owner, due_on, now, signer, device
                )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action=f"etiquette_{kind.value}_signed",
                entity="etiquette_inspection",
                entity_id=str(inspection.id),
                clerk=draft.clerk_id,
                signer=signer.staff_id,
                template=f"{template.code}#{template.version}",
                score_tenths=score,
                passed=passed,
                critical_failed=result.critical_failed,
                supersedes=str(original.id) if original else None,
            )
            return SignedChecklist(
                inspection.id,
                score,
                passed,
                result.critical_failed,
                tuple(opened),
                tuple(closed),
                tuple(still_open),
            )

    # -- corrective actions ----------------------------------------------------------------

    def open_actions(self, actor: Actor, clerk_id: int) -> list[ActionRow]:
        """The clerk's corrective actions still open: what the next inspection rechecks."""
        return [a for a in self.actions(actor, clerk_id=clerk_id) if a.state == "open"]

    def actions(
        self, actor: Actor, *, clerk_id: int | None = None, open_only: bool = False
    ) -> list[ActionRow]:
        """Corrective actions with their state, newest first. A clerk sees only their own."""
        if not actor.is_leader:
            clerk_id = actor.staff_id
        self.ensure_templates()
        with self._store.read() as session:
            today = business_date(self._clock(), _timezone(session, actor.hall_id))
            return action_rows(session, today, clerk_id, open_only=open_only)


def staff_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        s.id: s.name for s in session.scalars(select(Staff).where(Staff.id.in_(list(set(ids)))))
    }
