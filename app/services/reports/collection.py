"""The arrears collection report of a period, for shift leaders (see
``app.documents.collection_data`` for what each figure means).

The accounts that had a payment, void or reversal in the period are read through the
ladder's own ``load_inputs`` (bills, payments net of the penalty part, freezes), and
``app.domain.arrears_collection.recoveries`` says what each day's payments recovered and
in which tier. Steps taken come from the ladder's log (``arrears_action``), restores from
``restore_request``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.documents.collection_data import (
    CollectionReportData,
    RecoveryLine,
    RestoreFigures,
    StageLine,
)
from app.domain.arrears_collection import recoveries
from app.domain.arrears_policy import MAX_RESTORE_HOURS, ArrearsPolicy, tier_label
from app.domain.report_period import check_period
from app.i18n import _
from app.services.arrears.history import HISTORY_KIND_LABELS
from app.services.arrears.records import chunks, ensure_policy, load_inputs
from app.services.base import Actor, Clock, require_role, this_desk, utc_now
from app.store.database import Store
from app.store.models import (
    Account,
    ActionKind,
    ArrearsAction,
    Customer,
    GridUnit,
    Hall,
    Payment,
    RestoreRequest,
    Role,
)

#: Label of recoveries made while a dispute freeze held the whole overdue amount.
NO_TIER = "-"


class CollectionReportService:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def report(self, viewer: Actor, start: date, end: date) -> CollectionReportData:
        require_role(viewer, Role.LEADER, Role.ADMIN)
        check_period(start, end)
        now = self._clock()
        _version, policy = ensure_policy(self._store, now)
        with self._store.read() as session:
            desk = this_desk(session)
            hall = session.get(Hall, desk.hall_id)
            assert hall is not None
            hall_name = hall.name
            zone = ZoneInfo(desk.timezone)
            lo = datetime.combine(start, time(), zone)
            hi = datetime.combine(end + timedelta(days=1), time(), zone)
            days: dict[int, set[date]] = defaultdict(set)
            penalty = 0
            for account_id, paid_at, penalty_fen in session.execute(
                select(Payment.account_id, Payment.paid_at, Payment.penalty_fen).where(
                    Payment.paid_at >= lo, Payment.paid_at < hi
                )
            ):
                days[account_id].add(paid_at.astimezone(zone).date())
                penalty += penalty_fen
            tiers, grids, accounts = self._recoveries(session, policy, days, desk.timezone)
            stages = _stages(session, start, end)
            restores = _restores(session, lo, hi, now)
        return CollectionReportData(
            hall_name=hall_name,
            start=start,
            end=end,
            generated_at=now,
            timezone=desk.timezone,
            by_tier=tiers,
            by_grid=grids,
            stages=stages,
            restores=restores,
            accounts=accounts,
            penalty_fen=penalty,
            restore_hours=min(policy.restore_hours, MAX_RESTORE_HOURS),
        )

    @staticmethod
    def _recoveries(
        session: Session, policy: ArrearsPolicy, days: dict[int, set[date]], timezone: str
    ) -> tuple[tuple[RecoveryLine, ...], tuple[RecoveryLine, ...], int]:
        ids = sorted(days)
        inputs = load_inputs(session, ids, timezone, ladder=False)
        grid_of: dict[int, tuple[str, str, str] | None] = {}
        for chunk in chunks(ids):
            for account_id, code, name, manager in session.execute(
                select(Account.id, GridUnit.code, GridUnit.name, GridUnit.manager_name)
                .join(Customer, Customer.id == Account.customer_id)
                .outerjoin(GridUnit, GridUnit.id == Customer.grid_unit_id)
                .where(Account.id.in_(chunk))
            ):
                grid_of[account_id] = (code, name, manager) if code is not None else None
        Grid = tuple[str, str, str] | None
        by_tier: dict[tuple[str, int], int] = defaultdict(int)  # (tier, account): net fen
        by_grid: dict[tuple[Grid, int], int] = defaultdict(int)
        by_account: dict[int, int] = defaultdict(int)
        for account_id in ids:
            account = inputs[account_id]
            grid = grid_of.get(account_id)
            for day in recoveries(
                account.bills, account.payments, account.freezes, days[account_id]
            ):
                if day.recovered_fen == 0:
                    continue
                tier = policy.tier_for(day.ladder_fen)
                by_tier[(tier.code if tier is not None else NO_TIER, account_id)] += (
                    day.recovered_fen
                )
                by_grid[(grid, account_id)] += day.recovered_fen
                by_account[account_id] += day.recovered_fen
        # An account counts where its net recovery is above zero (a payment voided in the
        # period recovered nothing); the amounts are net, voids included.
        tier_fen: dict[str, int] = defaultdict(int)
        tier_accounts: dict[str, int] = defaultdict(int)
        for (key, _account), fen in by_tier.items():
            tier_fen[key] += fen
            tier_accounts[key] += fen > 0
        grid_fen: dict[Grid, int] = defaultdict(int)
        grid_accounts: dict[Grid, int] = defaultdict(int)
        for (grid, _account), fen in by_grid.items():
            grid_fen[grid] += fen
            grid_accounts[grid] += fen > 0
        recovered_accounts = sum(1 for fen in by_account.values() if fen > 0)
        tiers = [
            RecoveryLine(
                tier_label(t.code),
                tier_accounts[t.code],
                tier_fen[t.code],
                threshold_fen=t.min_fen,
            )
            for t in sorted(policy.tiers, key=lambda t: t.min_fen)
        ]
        if NO_TIER in tier_fen:
            tiers.append(
                RecoveryLine(_("Frozen in a dispute"), tier_accounts[NO_TIER], tier_fen[NO_TIER])
            )
        ordered = sorted(grid_fen, key=lambda g: (-grid_fen[g], g is None, g or ("", "", "")))
        grids = tuple(
            RecoveryLine(
                f"{g[0]} {g[1]}" if g is not None else _("No grid unit"),
                grid_accounts[g],
                grid_fen[g],
                manager=g[2] if g is not None else "",
            )
            for g in ordered
        )
        return tuple(tiers), grids, recovered_accounts


def _stages(session: Session, start: date, end: date) -> tuple[StageLine, ...]:
    """Every kind of step, in the ladder's order, with how often it was taken."""
    counts = {
        kind: (int(times), int(accounts))
        for kind, times, accounts in session.execute(
            select(
                ArrearsAction.kind,
                func.count(),
                func.count(ArrearsAction.account_id.distinct()),
            )
            .where(ArrearsAction.taken_on >= start, ArrearsAction.taken_on <= end)
            .group_by(ArrearsAction.kind)
        )
    }
    return tuple(
        StageLine(_(HISTORY_KIND_LABELS[kind.value]), *counts.get(kind.value, (0, 0)))
        for kind in ActionKind
    )


def _restores(session: Session, lo: datetime, hi: datetime, now: datetime) -> RestoreFigures:
    on_time = late = open_overdue = open_in_time = 0
    for deadline_at, done_at in session.execute(
        select(RestoreRequest.deadline_at, RestoreRequest.done_at).where(
            RestoreRequest.requested_at >= lo, RestoreRequest.requested_at < hi
        )
    ):
        if done_at is not None:
            if done_at <= deadline_at:
                on_time += 1
            else:
                late += 1
        elif deadline_at < now:
            open_overdue += 1
        else:
            open_in_time += 1
    return RestoreFigures(
        requested=on_time + late + open_overdue + open_in_time,
        on_time=on_time,
        late=late,
        open_overdue=open_overdue,
        open_in_time=open_in_time,
    )
