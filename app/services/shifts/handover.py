"""The shift handover (交接班): what is pending, equipment and supplies, notes, signatures.

Invariants, and why:

* **The pending list collects itself** (``app.services.pending.collect``) for the shift's
  counter and clerk when a revision is written, and is kept with the revision as it was:
  the sheet shows what was handed over, not what is pending today.
* **Signatures are credentials given at that moment**: the outgoing clerk, the incoming
  clerk and the shift leader, in that order, three different people
  (``app.domain.handover``). The caller checks each password (``AuthService``) and passes
  the resulting ``Actor``.
* **A signed handover is locked.** Revisions are append-only rows; a correction is a new
  revision that points at the one it corrects, with a reason, and needs signing again.
  The old revision and its signatures stay, printable, marked as superseded.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.domain.handover import (
    SIGNING_ORDER,
    Signer,
    check_signature,
)
from app.domain.ids import uuid7
from app.domain.text import clean_text
from app.i18n import N_
from app.services.base import Actor, Clock, audit, utc_now
from app.services.pending import PendingItem, PendingKind, PendingQuery, collect
from app.services.shifts.records import (
    ShiftRefused,
    get_shift,
    is_open,
    previous_shift,
    shift_report,
)
from app.services.shifts.views import (
    EquipmentLine,
    HandoverView,
    RevisionView,
    SignatureView,
)
from app.store.database import Store
from app.store.models import DeviceInfo, Hall, Staff
from app.store.models.shifts import (
    CashShift,
    Handover,
    HandoverRevision,
    HandoverSignature,
)

MAX_NOTES: Final = 2000
MAX_FAULT: Final = 200
MAX_ITEM: Final = 60
MAX_LINES: Final = 30
MAX_EQUIPMENT_COUNT: Final = 1_000_000


def check_equipment(lines: Sequence[EquipmentLine]) -> tuple[EquipmentLine, ...]:
    if len(lines) > MAX_LINES:
        raise ValidationError("equipment", N_("At most {max} equipment lines."), max=MAX_LINES)
    checked = []
    for line in lines:
        item = clean_text(line.item, field="equipment", multiline=False)
        if not item:
            raise ValidationError("equipment", N_("Every equipment line needs a name."))
        if len(item) > MAX_ITEM:
            raise ValidationError(
                "equipment", N_("An equipment name can be at most {max} characters."), max=MAX_ITEM
            )
        count = line.count
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationError(
                "equipment", N_("Equipment counts are whole numbers (0 or more).")
            )
        if count > MAX_EQUIPMENT_COUNT:
            raise ValidationError("equipment", N_("This equipment count is too large."))
        fault = clean_text(line.fault, field="equipment")
        if len(fault) > MAX_FAULT:
            raise ValidationError(
                "equipment", N_("A fault note can be at most {max} characters."), max=MAX_FAULT
            )
        checked.append(EquipmentLine(item, count, fault))
    return tuple(checked)


def _pending_json(items: Sequence[PendingItem]) -> str:
    return json.dumps(
        [
            {
                "kind": i.kind.value,
                "ref": i.ref,
                "summary": i.summary,
                "due_at": i.due_at.isoformat() if i.due_at else None,
                "overdue": i.overdue,
                "count": i.count,
                "tag": i.tag,
            }
            for i in items
        ],
        ensure_ascii=False,
    )


def _pending_from(text: str) -> tuple[PendingItem, ...]:
    return tuple(
        PendingItem(
            kind=PendingKind(d["kind"]),
            ref=d["ref"],
            summary=d["summary"],
            due_at=datetime.fromisoformat(d["due_at"]) if d.get("due_at") else None,
            overdue=bool(d.get("overdue")),
            count=int(d.get("count", 1)),
            tag=str(d.get("tag", "")),
        )
        for d in json.loads(text or "[]")
    )


def _equipment_json(lines: Sequence[EquipmentLine]) -> str:
    return json.dumps(
        [{"item": e.item, "count": e.count, "fault": e.fault} for e in lines], ensure_ascii=False
    )


def _equipment_from(text: str) -> tuple[EquipmentLine, ...]:
    return tuple(
        EquipmentLine(d["item"], int(d["count"]), d.get("fault", ""))
        for d in json.loads(text or "[]")
    )


def _device_code(session: Session) -> str:
    device = session.scalars(select(DeviceInfo).limit(1)).first()
    return device.device_code if device else ""


def revisions_of(session: Session, handover_id: uuid.UUID) -> tuple[RevisionView, ...]:
    rows = list(
        session.scalars(
            select(HandoverRevision)
            .where(HandoverRevision.handover_id == handover_id)
            .order_by(HandoverRevision.revision_no)
        )
    )
    views = []
    for index, row in enumerate(rows):
        signatures = []
        for sig in session.scalars(
            select(HandoverSignature)
            .where(HandoverSignature.revision_id == row.id)
            .order_by(HandoverSignature.signed_at)
        ):
            staff = session.get(Staff, sig.staff_id)
            signatures.append(
                SignatureView(
                    Signer(sig.role),
                    sig.staff_id,
                    staff.staff_no if staff else "",
                    staff.name if staff else "",
                    sig.signed_at,
                )
            )
        author = session.get(Staff, row.staff_id)
        views.append(
            RevisionView(
                revision_id=row.id,
                revision_no=row.revision_no,
                created_at=row.created_at,
                staff_no=author.staff_no if author else "",
                notes=row.notes,
                pending=_pending_from(row.pending_json),
                equipment=_equipment_from(row.equipment_json),
                correction_reason=row.correction_reason,
                signatures=tuple(sorted(signatures, key=lambda s: SIGNING_ORDER.index(s.role))),
                superseded=index < len(rows) - 1,
            )
        )
    return tuple(views)


def handover_of(session: Session, shift_id: uuid.UUID) -> Handover | None:
    return session.scalars(select(Handover).where(Handover.shift_id == shift_id)).first()


def handover_view(session: Session, shift: CashShift, now: datetime) -> HandoverView:
    handover = handover_of(session, shift.id)
    return HandoverView(
        handover_id=handover.id if handover else None,
        report=shift_report(session, shift, now),
        revisions=revisions_of(session, handover.id) if handover else (),
    )


class HandoverService:
    """Writes handover revisions and their signatures; see the module docstring."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def pending_now(self, shift_id: uuid.UUID) -> list[PendingItem]:
        """What would be handed over if a revision were written now."""
        now = self._clock()
        with self._store.read() as session:
            shift = get_shift(session, shift_id)
            return collect(session, self._query(shift, now))

    @staticmethod
    def _query(shift: CashShift, now: datetime) -> PendingQuery:
        return PendingQuery(now=now, counter_id=shift.counter_id, staff_id=shift.staff_id)

    def latest_shift_id(self) -> uuid.UUID | None:
        """The last closed shift of this PC's counter: the one whose handover is due."""
        with self._store.read() as session:
            device = session.scalars(select(DeviceInfo).limit(1)).first()
            if device is None or device.counter_id is None:
                return None
            shift = previous_shift(session, device.counter_id)
            return shift.id if shift else None

    def view(self, shift_id: uuid.UUID) -> HandoverView:
        now = self._clock()
        with self._store.read() as session:
            return handover_view(session, get_shift(session, shift_id), now)

    def render_sheet(
        self, shift_id: uuid.UUID, revision_no: int | None = None, *, invariant: bool = False
    ) -> bytes:
        """The handover sheet (Z report) of a revision (the current one by default) as PDF."""
        from app.services.shifts.handover_documents import render_sheet

        now = self._clock()
        with self._store.read() as session:
            view = handover_view(session, get_shift(session, shift_id), now)
            device = session.scalars(select(DeviceInfo).limit(1)).one()
            hall = session.get(Hall, device.hall_id)
            assert hall is not None
            name, timezone = hall.name, hall.timezone
        return render_sheet(
            view,
            revision_no,
            hall_name=name,
            timezone=timezone,
            printed_at=None if invariant else now,
            invariant=invariant,
        )

    def save(
        self,
        actor: Actor,
        shift_id: uuid.UUID,
        *,
        notes: str,
        equipment: Sequence[EquipmentLine],
        correction_reason: str = "",
    ) -> RevisionView:
        """Write a new revision of the shift's handover (the first one creates it).

        Only for a closed shift, by its clerk or a shift leader. Once the current
        revision carries a signature, a new one is a correction and needs a reason.
        """
        notes = clean_text(notes, field="notes")
        if len(notes) > MAX_NOTES:
            raise ValidationError(
                "notes", N_("Notes can be at most {max} characters."), max=MAX_NOTES
            )
        lines = check_equipment(equipment)
        now = self._clock()
        with self._store.unit_of_work() as session:
            shift = get_shift(session, shift_id)
            if actor.staff_id != shift.staff_id and not actor.is_leader:
                raise PermissionDenied(
                    N_("Only the shift's clerk or a shift leader can write its handover.")
                )
            if is_open(session, shift_id):
                raise ShiftRefused(N_("Close the shift before writing its handover."))
            device = _device_code(session)
            handover = handover_of(session, shift_id)
            if handover is None:
                handover = Handover(
                    id=uuid7(),
                    shift_id=shift_id,
                    created_at=now,
                    staff_id=actor.staff_id,
                    device_code=device,
                )
                session.add(handover)
                session.flush()
            previous = revisions_of(session, handover.id)
            current = previous[-1] if previous else None
            reason = clean_text(correction_reason, field="correction_reason")
            if current is not None and current.signatures and not reason:
                raise ValidationError(
                    "correction_reason",
                    N_("This handover has been signed: say why it is being corrected."),
                )
            if len(reason) > 200:
                raise ValidationError(
                    "correction_reason", N_("The reason can be at most {max} characters."), max=200
                )
            pending = collect(session, self._query(shift, now))
            row = HandoverRevision(
                id=uuid7(),
                handover_id=handover.id,
                revision_no=(current.revision_no + 1) if current else 1,
                created_at=now,
                staff_id=actor.staff_id,
                device_code=device,
                notes=notes,
                pending_json=_pending_json(pending),
                equipment_json=_equipment_json(lines),
                supersedes_id=current.revision_id if current else None,
                correction_reason=reason if current is not None else "",
            )
            session.add(row)
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="handover_revised" if current else "handover_written",
                entity="handover_revision",
                entity_id=str(row.id),
                shift=str(shift_id),
                revision_no=row.revision_no,
                pending=len(pending),
                correction_reason=row.correction_reason,
            )
            session.flush()
            return revisions_of(session, handover.id)[-1]

    def sign(
        self, actor: Actor, revision_id: uuid.UUID, role: Signer, signer: Actor
    ) -> RevisionView:
        """Add ``signer``'s signature as ``role`` to the current revision.

        ``signer`` is the credential just given (the UI checks the password with
        ``AuthService``); ``actor`` is who is logged in at this PC.
        """
        now = self._clock()
        with self._store.unit_of_work() as session:
            revision = session.get(HandoverRevision, revision_id)
            if revision is None:
                raise NotFound(N_("This handover revision does not exist."))
            handover = session.get(Handover, revision.handover_id)
            assert handover is not None
            shift = get_shift(session, handover.shift_id)
            revisions = revisions_of(session, handover.id)
            current = revisions[-1]
            if current.revision_id != revision_id:
                raise ShiftRefused(
                    N_("This revision has been superseded; sign the current one instead.")
                )
            check_signature(
                current.signed,
                role,
                signer.staff_id,
                outgoing_staff_id=shift.staff_id,
                signer_is_leader=signer.is_leader,
            )
            row = HandoverSignature(
                id=uuid7(),
                revision_id=revision_id,
                role=role.value,
                staff_id=signer.staff_id,
                signed_at=now,
                device_code=_device_code(session),
            )
            session.add(row)
            locked = role is Signer.LEADER
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="handover_signed",
                entity="handover_revision",
                entity_id=str(revision_id),
                role=role.value,
                signer=signer.staff_id,
                locked=locked,
            )
            session.flush()
            return revisions_of(session, handover.id)[-1]
