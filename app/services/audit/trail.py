"""The audit trail: who did what to which record, when, and which leader approved it.

Every service appends its audit event in the unit of work of the action (``base.audit``);
the table is append-only (its triggers refuse UPDATE and DELETE, and no service writes
either: ``tests/services/test_audit_trail.py`` checks both). This module only reads it,
for shift leaders and administrators: filtered and sorted in SQL, a page at a time (the
trail of a busy hall is long: a page is a keyset query after the last row shown, so the
hundredth page costs what the first does), and exported to an Excel workbook.

Filters: a period of the hall's business days, a person (who acted *or* approved), kinds
of action, only approved actions, and a record (its kind and id, or the start of the id).
The quick filters name the actions a leader most often looks for: the unmaskings of
personal data, no-sale drawer opens, leader approvals, failed logins, administration.
An action is matched by its code, so actions of areas added later (``drawer_open``)
are found without a change here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from app.domain.audit_actions import parse_detail
from app.domain.errors import NotFound, ValidationError
from app.i18n import N_
from app.services.base import Actor, Clock, audit, require_role, this_desk, utc_now
from app.services.hall.admin import ADMIN_ACTIONS
from app.store.database import Store
from app.store.models import AuditEvent, Role, Staff

#: Rows per page of the viewer (and per read of an export).
PAGE_SIZE: Final = 200
#: Sort keys the viewer offers (column header clicks).
SORT_KEYS: Final = ("at", "staff", "action", "record")


@dataclass(frozen=True, slots=True)
class QuickFilter:
    """A named set of actions (or: every action a leader approved)."""

    key: str
    label: str  # N_ msgid
    actions: tuple[str, ...] = ()
    approved_only: bool = False


QUICK_FILTERS: Final[tuple[QuickFilter, ...]] = (
    QuickFilter("unmask", N_("Personal data shown"), ("unmask", "complaint_contact_shown")),
    QuickFilter("drawer", N_("No-sale drawer opens"), ("drawer_open",)),
    QuickFilter("approvals", N_("Leader approvals"), approved_only=True),
    QuickFilter(
        "logins",
        N_("Failed logins and lock-outs"),
        ("login_failed", "login_refused_locked", "staff_locked", "staff_unlocked"),
    ),
    QuickFilter("admin", N_("Staff and hall administration"), ADMIN_ACTIONS),
)


def quick_filter(key: str) -> QuickFilter:
    for found in QUICK_FILTERS:
        if found.key == key:
            return found
    raise KeyError(key)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events to show. Dates are the hall's business days, both included."""

    start: date | None = None
    end: date | None = None
    #: Who acted or approved.
    staff_id: int | None = None
    actions: tuple[str, ...] = ()
    approved_only: bool = False
    #: The record: its kind (``payment``, ``customer``, …) and its id or the id's start.
    entity: str = ""
    record: str = ""

    def with_quick(self, quick: QuickFilter) -> AuditFilter:
        return replace(self, actions=quick.actions, approved_only=quick.approved_only)


@dataclass(frozen=True, slots=True)
class AuditSort:
    key: str = "at"
    descending: bool = True


@dataclass(frozen=True, slots=True)
class AuditRow:
    event_id: uuid.UUID
    at: datetime
    staff_id: int | None
    staff_no: str
    staff_name: str
    action: str
    entity: str
    entity_id: str
    approved_by_no: str
    approved_by_name: str
    detail: dict[str, Any] = field(hash=False, compare=False)
    #: The position of this row in its sort order (what the next page starts after).
    sort_value: Any = field(default=None, hash=False, compare=False)

    @property
    def amount_fen(self) -> int | None:
        value = self.detail.get("amount_fen")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class PersonChoice:
    staff_id: int
    staff_no: str
    name: str
    active: bool


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


class AuditTrailService:
    """Reading and exporting the audit trail (shift leaders and administrators)."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    # -- choices for the filters -------------------------------------------------------------

    def people(self, viewer: Actor) -> list[PersonChoice]:
        require_role(viewer, Role.LEADER, Role.ADMIN)
        with self._store.read() as session:
            return [
                PersonChoice(s.id, s.staff_no, s.name, s.active)
                for s in session.scalars(select(Staff).order_by(Staff.staff_no))
            ]

    def actions(self, viewer: Actor) -> list[str]:
        """Every action code the trail holds, in code order."""
        require_role(viewer, Role.LEADER, Role.ADMIN)
        with self._store.read() as session:
            return list(session.scalars(select(AuditEvent.action).distinct().order_by("action")))

    def entities(self, viewer: Actor) -> list[str]:
        require_role(viewer, Role.LEADER, Role.ADMIN)
        with self._store.read() as session:
            return [
                e
                for e in session.scalars(select(AuditEvent.entity).distinct().order_by("entity"))
                if e
            ]

    # -- reading -----------------------------------------------------------------------------

    def count(self, viewer: Actor, flt: AuditFilter) -> int:
        require_role(viewer, Role.LEADER, Role.ADMIN)
        with self._store.read() as session:
            query = select(func.count()).select_from(AuditEvent)
            conditions = self._conditions(session, flt)
            if conditions:
                query = query.where(and_(*conditions))
            return int(session.scalar(query) or 0)

    def page(
        self,
        viewer: Actor,
        flt: AuditFilter,
        sort: AuditSort = AuditSort(),
        after: AuditRow | None = None,
        limit: int = PAGE_SIZE,
    ) -> list[AuditRow]:
        """Up to ``limit`` events in ``sort`` order, after the row ``after`` (None: from
        the first)."""
        require_role(viewer, Role.LEADER, Role.ADMIN)
        with self._store.read() as session:
            return self._page(session, flt, sort, after, limit)

    def event(self, viewer: Actor, event_id: uuid.UUID) -> AuditRow:
        require_role(viewer, Role.LEADER, Role.ADMIN)
        with self._store.read() as session:
            query = self._query(session, AuditFilter(), AuditSort()).where(
                AuditEvent.id == event_id
            )
            found = [self._row(r) for r in session.execute(query)]
        if not found:
            raise NotFound(N_("This audit event does not exist."))
        return found[0]

    def rows(
        self,
        viewer: Actor,
        flt: AuditFilter,
        sort: AuditSort = AuditSort(),
    ) -> Iterator[AuditRow]:
        """Every matching event, read a page at a time (each page its own read)."""
        after: AuditRow | None = None
        while True:
            page = self.page(viewer, flt, sort, after, PAGE_SIZE * 10)
            yield from page
            if len(page) < PAGE_SIZE * 10:
                return
            after = page[-1]

    # -- export ------------------------------------------------------------------------------

    def export(
        self,
        viewer: Actor,
        flt: AuditFilter,
        path: Path,
        sort: AuditSort = AuditSort(descending=False),
    ) -> int:
        """Write the matching events to an Excel workbook at ``path``; the number of
        events written. The export itself is an audit event."""
        from app.documents.audit_workbook import AuditWorkbook

        require_role(viewer, Role.LEADER, Role.ADMIN)
        if path.suffix.lower() != ".xlsx":
            raise ValidationError("path", N_("The export is an Excel file: its name ends .xlsx."))
        with self._store.read() as session:
            desk = this_desk(session)
        book = AuditWorkbook(timezone=desk.timezone, start=flt.start, end=flt.end)
        count = book.write(path, self.rows(viewer, flt, sort), exported_by=viewer.staff_no)
        with self._store.unit_of_work() as session:
            audit(
                session,
                at=self._clock(),
                staff_id=viewer.staff_id,
                action="audit_exported",
                entity="",
                start=flt.start,
                end=flt.end,
                actions=list(flt.actions),
                person=flt.staff_id,
                record=f"{flt.entity}:{flt.record}" if flt.entity or flt.record else "",
                events=count,
                file=path.name,
            )
        return count

    def export_period(self, viewer: Actor, start: date, end: date, path: Path) -> int:
        """The whole trail of a period of business days (scripts: ``halldesk audit
        export``)."""
        if end < start:
            raise ValidationError("end", N_("The period ends before it starts."))
        return self.export(viewer, AuditFilter(start=start, end=end), path)

    # -- SQL ---------------------------------------------------------------------------------

    def _query(self, session: Session, flt: AuditFilter, sort: AuditSort) -> Any:
        """The events matching ``flt`` with their people, and ``sort_value``: the sort
        key (with the time and the id, what orders and pages them)."""
        actor = aliased(Staff, name="actor")
        approver = aliased(Staff, name="approver")
        approved = func.json_extract(AuditEvent.detail, "$.approved_by")
        key = self._sort_key(sort, actor)
        query: Any = (
            select(
                AuditEvent.id,
                AuditEvent.at,
                AuditEvent.staff_id,
                actor.staff_no,
                actor.name,
                AuditEvent.action,
                AuditEvent.entity,
                AuditEvent.entity_id,
                approver.staff_no,
                approver.name,
                AuditEvent.detail,
                key.label("sort_value"),
            )
            .select_from(AuditEvent)
            .outerjoin(actor, actor.id == AuditEvent.staff_id)
            .outerjoin(approver, approver.id == approved)
        )
        conditions = self._conditions(session, flt)
        if conditions:
            query = query.where(and_(*conditions))
        return query

    @staticmethod
    def _conditions(session: Session, flt: AuditFilter) -> list[ColumnElement[bool]]:
        """The filter as conditions on ``audit_event`` alone (the count needs no join)."""
        approved = func.json_extract(AuditEvent.detail, "$.approved_by")
        conditions: list[ColumnElement[bool]] = []
        if flt.start is not None or flt.end is not None:
            zone = ZoneInfo(this_desk(session).timezone)
            if flt.start is not None:
                conditions.append(AuditEvent.at >= _day_start(flt.start, zone))
            if flt.end is not None:
                conditions.append(AuditEvent.at < _day_start(flt.end + timedelta(days=1), zone))
        if flt.staff_id is not None:
            conditions.append(or_(AuditEvent.staff_id == flt.staff_id, approved == flt.staff_id))
        if flt.actions:
            conditions.append(AuditEvent.action.in_(sorted(set(flt.actions))))
        if flt.approved_only:
            conditions.append(approved.is_not(None))
        if flt.entity:
            conditions.append(AuditEvent.entity == flt.entity)
        record = flt.record.strip()
        if record:
            escaped = record.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(AuditEvent.entity_id.like(f"{escaped}%", escape="\\"))
        return conditions

    @staticmethod
    def _sort_key(sort: AuditSort, actor: Any) -> ColumnElement[Any]:
        if sort.key not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort.key!r}")
        if sort.key == "staff":
            return func.coalesce(actor.staff_no, "")
        if sort.key == "action":
            return AuditEvent.__table__.c.action
        if sort.key == "record":
            return AuditEvent.entity + ":" + AuditEvent.entity_id
        return AuditEvent.__table__.c.at

    def _page(
        self,
        session: Session,
        flt: AuditFilter,
        sort: AuditSort,
        after: AuditRow | None,
        limit: int,
    ) -> list[AuditRow]:
        query = self._query(session, flt, sort)
        key = query.selected_columns.sort_value
        order: Sequence[Any]
        if sort.descending:
            order = (key.desc(), AuditEvent.at.desc(), AuditEvent.id.desc())
        else:
            order = (key.asc(), AuditEvent.at.asc(), AuditEvent.id.asc())
        if after is not None:
            here = tuple_(key, AuditEvent.at, AuditEvent.id)
            there = tuple_(
                literal(after.sort_value, type_=key.type),
                literal(after.at, type_=AuditEvent.at.type),
                literal(after.event_id, type_=AuditEvent.id.type),
            )
            query = query.where(here < there if sort.descending else here > there)
        return [self._row(r) for r in session.execute(query.order_by(*order).limit(limit))]

    @staticmethod
    def _row(r: Any) -> AuditRow:
        return AuditRow(
            event_id=r[0],
            at=r[1],
            staff_id=r[2],
            staff_no=r[3] or "",
            staff_name=r[4] or "",
            action=r[5],
            entity=r[6] or "",
            entity_id=r[7] or "",
            approved_by_no=r[8] or "",
            approved_by_name=r[9] or "",
            detail=parse_detail(r[10]),
            sort_value=r[11],
        )
