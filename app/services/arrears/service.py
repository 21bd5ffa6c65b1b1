"""The arrears ladder at the counter: policy, worklist, steps, SMS queue, notices, history.

``ArrearsService`` is the one entry point (the contract in ``docs/dev/arrears-contract.md``);
the work is split along the domain's lines into ``arrears_records`` (engine inputs, policy
storage), ``arrears_worklist`` (SQL worklist), ``arrears_actions`` (the steps),
``arrears_sms`` (templates, queue, CSV export), ``arrears_views`` (account standing,
restores, notice content) and ``arrears_history``. The names the UI needs are re-exported
here.

Nothing about an account's place on the ladder is stored: every figure comes from the
engine (``app.domain.arrears.evaluate``) over the recorded bills, payments, steps, restores
and freezes, on the hall-local business date of the injected clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.data import CUSTOMER_DOCUMENT_LANGUAGE
from app.domain.arrears import ArrearsStatus
from app.domain.arrears_policy import ArrearsPolicy, StepKind
from app.domain.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import N_, in_language
from app.services.arrears import actions, parallel, reminders, sms
from app.services.arrears.bulk import ladder_statuses
from app.services.arrears.history import (
    HISTORY_KIND_LABELS,
    RESULT_LABELS,
    HistoryEvent,
    HistoryKind,
    customer_history,
)
from app.services.arrears.records import (
    Context,
    account_facts,
    business_date,
    ensure_policy,
    load_facts,
    next_policy_version,
    policy_json,
)
from app.services.arrears.reminders import ReminderPlan
from app.services.arrears.sms import SMS_STATE_LABELS, SmsRow, SmsState
from app.services.arrears.views import (
    AccountArrears,
    FreezeView,
    RestoreRow,
    StepCheck,
    freezes_of,
    notice_data,
    pending_restores,
    step_checks,
)
from app.services.arrears.worklist import (
    NO_STAGE,
    WorklistFilter,
    WorklistRow,
    WorklistSort,
    worklist_count,
    worklist_ids,
    worklist_rows,
)
from app.services.base import Actor, Clock, audit, utc_now
from app.services.hall.service import HallService
from app.store.database import Store
from app.store.models import (
    Account,
    ArrearsPolicyVersion,
    CallResult,
    Customer,
    GridUnit,
    Role,
)

__all__ = [
    "HISTORY_KIND_LABELS",
    "NO_STAGE",
    "RESULT_LABELS",
    "SMS_STATE_LABELS",
    "AccountArrears",
    "ArrearsService",
    "FreezeView",
    "HistoryEvent",
    "HistoryKind",
    "ReminderPlan",
    "RemindersRefused",
    "RestoreRow",
    "SmsRow",
    "SmsState",
    "StepCheck",
    "WorklistFilter",
    "WorklistRow",
    "WorklistSort",
]


class RemindersRefused(ValidationError):
    """No selected account could get a reminder; ``plans`` holds each one's refusal."""

    def __init__(self, plans: Sequence[ReminderPlan]) -> None:
        super().__init__(
            "account_ids",
            N_("None of the {count} selected accounts can get a reminder now."),
            count=len(plans),
        )
        self.plans = tuple(plans)


class ArrearsService:
    """The arrears ladder: each call is one unit of work on the injected clock's business
    date. Steps are refused by the regulation floors and the hall's policy before anything
    is written; every step writes its ``arrears_action`` row and an audit event together
    with its effect, or nothing."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self._timezone: str | None = None

    def _context(self) -> Context:
        now = self._clock()
        hall = HallService(self._store).info()
        version, policy = ensure_policy(self._store, now)
        return Context(now, business_date(now, hall.timezone), hall, version, policy)

    def today(self) -> date:
        """The hall's business date now; cheap enough to call at paint time (the hall's time
        zone is read once per service)."""
        if self._timezone is None:
            self._timezone = HallService(self._store).info().timezone
        return business_date(self._clock(), self._timezone)

    # --- policy -----------------------------------------------------------------------------

    def current_policy(self) -> tuple[int, ArrearsPolicy]:
        """(version, policy) in force; version 1, the bundled default, is written on first use."""
        return ensure_policy(self._store, self._clock())

    def save_policy(self, actor: Actor, policy: ArrearsPolicy) -> int:
        """Store ``policy`` as the next version (administrators only); returns the version."""
        if actor.role != Role.ADMIN:
            raise PermissionDenied(N_("Only an administrator can change the arrears policy."))
        policy.validate()
        # The stored form must read back as the same policy.
        stored = ArrearsPolicy.from_dict(policy.to_dict())
        now = self._clock()
        ensure_policy(self._store, now)
        with self._store.unit_of_work() as session:
            version = next_policy_version(session)
            session.add(
                ArrearsPolicyVersion(
                    version=version,
                    policy_json=policy_json(stored),
                    created_at=now,
                    created_by=actor.staff_id,
                )
            )
            audit(
                session,
                at=now,
                staff_id=actor.staff_id,
                action="arrears_policy_saved",
                entity="arrears_policy_version",
                entity_id=version,
                tiers=[t.code for t in stored.tiers],
            )
        return version

    # --- standing ---------------------------------------------------------------------------

    def status(self, account_id: int) -> AccountArrears:
        ctx = self._context()
        with self._store.read() as session:
            facts = account_facts(session, ctx, account_id)
            history = customer_history(session, [account_id], ctx.hall.timezone)
            plan = reminders.plan_reminder(ctx, _NOBODY, facts, None)
            return AccountArrears(
                account_id=account_id,
                status=facts.status,
                services=facts.services,
                history=tuple(history),
                account_no=facts.account_no,
                customer_id=facts.customer_id,
                customer_name_masked=facts.customer_name_masked,
                policy_version=ctx.policy_version,
                checks=step_checks(ctx.policy, facts.status, ctx.today),
                freezes=freezes_of(session, account_id, ctx.today),
                restores=tuple(pending_restores(session, ctx.now, account_id)),
                promised_on=facts.inputs.promised_on(facts.status),
                reminder_kind=plan.kind,
            )

    def statuses(
        self, account_ids: Sequence[int], *, workers: int | None = None
    ) -> dict[int, ArrearsStatus]:
        """The engine's status of many accounts at once (bulk reads, 1,000 accounts per
        query; for reports and the benchmark). A call of thousands of accounts is shared
        with worker processes (``parallel``; ``workers`` overrides their number, 0 runs
        it all here)."""
        ctx = self._context()
        timezone, policy, today = ctx.hall.timezone, ctx.policy, ctx.today
        with self._store.read() as session:

            def here(ids: Sequence[int]) -> dict[int, ArrearsStatus]:
                return ladder_statuses(session, ids, timezone, policy, today)

            return parallel.evaluate(
                self._store,
                account_ids,
                timezone,
                policy,
                today,
                evaluate_here=here,
                workers=workers,
            )

    # --- worklist ---------------------------------------------------------------------------

    def worklist_count(self, filter: WorklistFilter) -> int:
        ctx = self._context()
        with self._store.read() as session:
            return worklist_count(session, ctx.policy, ctx.today, filter)

    def worklist_ids(
        self, filter: WorklistFilter, sort: WorklistSort, limit: int | None = None
    ) -> list[int]:
        """The matching account ids in the sort's order (the first ``limit`` of them)."""
        ctx = self._context()
        with self._store.read() as session:
            return worklist_ids(session, ctx.policy, ctx.today, filter, sort, limit)

    def grid_units(self) -> list[tuple[int, str]]:
        """(id, name) of the grid units, in code order, for the worklist's grid filter."""
        with self._store.read() as session:
            return [
                (unit_id, name)
                for unit_id, name in session.execute(
                    select(GridUnit.id, GridUnit.name).order_by(GridUnit.code)
                )
            ]

    def worklist_rows(self, account_ids: list[int]) -> list[WorklistRow]:
        ctx = self._context()
        with self._store.read() as session:
            return worklist_rows(session, ctx.policy, ctx.today, ctx.hall.timezone, account_ids)

    # --- reminders and calls ----------------------------------------------------------------

    def reminder_preview(
        self, actor: Actor, account_ids: Sequence[int], leader: Actor | None = None
    ) -> list[ReminderPlan]:
        """What ``send_reminders`` would queue for each account, or why not (nothing written)."""
        ctx = self._context()
        with self._store.read() as session:
            return self._plans(session, ctx, actor, account_ids, leader)

    def send_reminders(
        self, actor: Actor, account_ids: Sequence[int], leader: Actor | None = None
    ) -> list[uuid.UUID]:
        """Queue one reminder SMS per account: the first of the current arrears episode is
        ``sms_reminder``, later ones ``second_sms``. Accounts that cannot get one now (paid,
        frozen, already reminded today, no mobile number) are skipped; when that is every
        account, the refusal is raised (``RemindersRefused`` for several). Returns the ids
        of the queued messages, in the order of ``account_ids``."""
        ctx = self._context()
        with self._store.unit_of_work() as session:
            plans = self._plans(session, ctx, actor, account_ids, leader)
            ready = [p for p in plans if p.refusal is None]
            if not ready:
                if len(plans) == 1 and plans[0].refusal is not None:
                    raise plans[0].refusal
                raise RemindersRefused(plans)
            return [reminders.queue_reminder(session, ctx, actor, p) for p in ready]

    @staticmethod
    def _plans(
        session: Session,
        ctx: Context,
        actor: Actor,
        account_ids: Sequence[int],
        leader: Actor | None,
    ) -> list[ReminderPlan]:
        unique = list(dict.fromkeys(int(a) for a in account_ids))
        if not unique:
            raise ValidationError("account_ids", N_("Select at least one account."))
        facts = load_facts(session, ctx, unique)
        missing = [a for a in unique if a not in facts]
        if missing:
            raise NotFound(N_("No account with this number exists."))
        return [reminders.plan_reminder(ctx, actor, facts[a], leader) for a in unique]

    def log_call(
        self,
        actor: Actor,
        account_id: int,
        result: CallResult | str,
        promised_on: date | None = None,
        note: str = "",
        leader: Actor | None = None,
    ) -> uuid.UUID:
        ctx = self._context()
        with self._store.unit_of_work() as session:
            return actions.log_call(
                session, ctx, actor, account_id, result, promised_on, note, leader
            )

    # --- service actions --------------------------------------------------------------------

    def restrict(self, actor: Actor, account_id: int, leader: Actor) -> list[int]:
        return self._cut(actor, account_id, leader, StepKind.RESTRICT)

    def suspend(self, actor: Actor, account_id: int, leader: Actor) -> list[int]:
        return self._cut(actor, account_id, leader, StepKind.SUSPEND)

    def pre_terminate(self, actor: Actor, account_id: int, leader: Actor) -> list[int]:
        return self._cut(actor, account_id, leader, StepKind.PRE_TERMINATE)

    def _cut(self, actor: Actor, account_id: int, leader: Actor, kind: StepKind) -> list[int]:
        ctx = self._context()
        with self._store.unit_of_work() as session:
            return actions.cut_service(session, ctx, actor, account_id, leader, kind)

    def restore(self, actor: Actor, restore_request_id: uuid.UUID) -> int:
        """Restore the line of a restore request (done once); returns its service id."""
        ctx = self._context()
        with self._store.unit_of_work() as session:
            return actions.restore(session, ctx, actor, restore_request_id)

    def pending_restores(self) -> list[RestoreRow]:
        now = self._clock()
        with self._store.read() as session:
            return pending_restores(session, now)

    def freeze(
        self,
        actor: Actor,
        leader: Actor,
        account_id: int,
        amount_fen: int,
        reason: str,
        expires_on: date,
    ) -> uuid.UUID:
        ctx = self._context()
        with self._store.unit_of_work() as session:
            return actions.freeze(
                session, ctx, actor, leader, account_id, amount_fen, reason, expires_on
            )

    # --- notices ----------------------------------------------------------------------------

    def notice(self, actor: Actor, account_id: int, *, invariant: bool = False) -> bytes:
        """The arrears notice (催缴通知书) as A4 PDF; printing it is recorded once it rendered."""
        ctx = self._context()
        from app.documents.arrears_notice import render_arrears_notice  # reportlab: load late

        with in_language(CUSTOMER_DOCUMENT_LANGUAGE), self._store.read() as session:
            data = notice_data(ctx, account_facts(session, ctx, account_id))
            pdf = render_arrears_notice(data, invariant=invariant)
        with self._store.unit_of_work() as session:
            actions.record_notice(session, ctx, actor, account_id, data.notice_no)
        return pdf

    # --- SMS queue --------------------------------------------------------------------------

    def sms_queue(self, pending_only: bool = True, limit: int = 1000) -> list[SmsRow]:
        """Queued reminders, newest first; ``state`` says pending or exported."""
        with self._store.read() as session:
            return sms.sms_queue(session, pending_only=pending_only, limit=limit)

    def export_sms(self, actor: Actor, folder: Path) -> Path:
        """Write the pending reminders to ``sms-batch-{timestamp}.csv`` in ``folder`` and mark
        them exported, in one transaction (the file is removed if it fails)."""
        now = self._clock()
        timezone = HallService(self._store).info().timezone
        path: Path | None = None
        try:
            with self._store.unit_of_work() as session:
                path = sms.export_sms(session, actor, now, timezone, Path(folder))
        except BaseException:
            if path is not None:
                path.unlink(missing_ok=True)
            raise
        return path

    # --- history ----------------------------------------------------------------------------

    def history(self, customer_id: int) -> list[HistoryEvent]:
        """Every recorded arrears event and payment of the customer's accounts, newest first."""
        timezone = HallService(self._store).info().timezone
        with self._store.read() as session:
            if session.get(Customer, customer_id) is None:
                raise NotFound(N_("No customer with this number exists."))
            ids = list(
                session.scalars(select(Account.id).where(Account.customer_id == customer_id))
            )
            return customer_history(session, ids, timezone)


#: Stands in for "who would act" where a view only asks which reminder is next.
_NOBODY = Actor(0, "", "", Role.CLERK, 0)
