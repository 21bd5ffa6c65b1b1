"""The arrears collection report of a period (欠费回收报表): what was recovered per tier
and per grid unit, the ladder steps taken, and whether services came back on time.

"Recovered" is ``app.domain.arrears_collection``'s: what the period's payments (less
voids and reversals) settled of bills already past their due date, by the ledger's
oldest-first rule; the late-payment penalty settled is shown on its own. Restores count
in the period they were requested; "on time" means done by the hall's deadline (at most
48 hours after the payment that cleared the arrears, the regulation's limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.documents.report_tables import Cell, Money, Percent, ReportBook, table
from app.i18n import _


@dataclass(frozen=True, slots=True)
class RecoveryLine:
    """Recovered in a tier or a grid unit; ``accounts``: accounts with a recovery there.
    ``threshold_fen``: a tier's lower bound (None for a grid unit or no tier);
    ``manager``: a grid unit's manager."""

    label: str
    accounts: int
    recovered_fen: int
    threshold_fen: int | None = None
    manager: str = ""


@dataclass(frozen=True, slots=True)
class StageLine:
    """One kind of ladder step: how many times it was taken, on how many accounts."""

    label: str
    times: int
    accounts: int


@dataclass(frozen=True, slots=True)
class RestoreFigures:
    """Restore requests of the period: done by the deadline, done after it, still open
    with the deadline passed, still open within it."""

    requested: int = 0
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    open_in_time: int = 0

    @property
    def on_time_rate(self) -> Percent:
        """On time ÷ the requests whose outcome is known (done, or past the deadline)."""
        return Percent.of(self.on_time, self.on_time + self.late + self.open_overdue)


@dataclass(frozen=True, slots=True)
class CollectionReportData:
    hall_name: str
    start: date
    end: date
    generated_at: datetime
    timezone: str
    by_tier: tuple[RecoveryLine, ...]
    by_grid: tuple[RecoveryLine, ...]
    stages: tuple[StageLine, ...]
    restores: RestoreFigures
    #: Distinct accounts with a recovery in the period.
    accounts: int
    #: The late-payment penalty the period's payments settled (voids and reversals net).
    penalty_fen: int
    #: The hall's restore deadline in hours (policy), named in the notes.
    restore_hours: int

    @property
    def recovered_fen(self) -> int:
        return sum(line.recovered_fen for line in self.by_tier)


def collection_book(data: CollectionReportData) -> ReportBook:
    """The arrears collection report as the screen, the PDF and the workbook show it."""
    recovered, accounts = _("Recovered"), _("Accounts")
    total = _("Total")
    tiers = table(
        "tiers",
        _("Recovered per tier"),
        (_("Tier"), _("From (overdue)"), accounts, recovered),
        [
            (
                line.label,
                None if line.threshold_fen is None else Money(line.threshold_fen),
                line.accounts,
                Money(line.recovered_fen),
            )
            for line in data.by_tier
        ],
        total=(total, None, data.accounts, Money(data.recovered_fen)),
    )
    grids = table(
        "grids",
        _("Recovered per grid unit"),
        (_("Grid unit"), _("Grid manager"), accounts, recovered),
        [
            (line.label, line.manager, line.accounts, Money(line.recovered_fen))
            for line in data.by_grid
        ],
        total=(total, "", data.accounts, Money(data.recovered_fen)),
    )
    stages = table(
        "stages",
        _("Ladder steps taken"),
        (_("Step"), _("Times"), accounts),
        [(line.label, line.times, line.accounts) for line in data.stages],
    )
    r = data.restores
    restores = table(
        "restores",
        _("Service restores"),
        (_("Restore requests"), _("Count")),
        [
            (_("Requested"), r.requested),
            (_("Restored on time"), r.on_time),
            (_("Restored late"), r.late),
            (_("Not restored, deadline passed"), r.open_overdue),
            (_("Not restored yet, within the deadline"), r.open_in_time),
        ],
        total=(_("Restored on time rate"), r.on_time_rate),
    )
    headline: tuple[tuple[str, Cell], ...] = (
        (_("Arrears recovered"), Money(data.recovered_fen)),
        (_("Accounts with arrears recovered"), data.accounts),
        (_("Late-payment penalty settled"), Money(data.penalty_fen)),
        (_("Restore requests"), r.requested),
        (_("Restored on time rate"), r.on_time_rate),
    )
    return ReportBook(
        key="arrears",
        title=_("Arrears collection report"),
        hall_name=data.hall_name,
        start=data.start,
        end=data.end,
        generated_at=data.generated_at,
        timezone=data.timezone,
        headline=headline,
        tables=(tiers, grids, stages, restores),
        notes=(
            _(
                "Recovered: what the period's payments, less voids and reversals, settled "
                "of bills already past their due date on the day of payment (payments "
                "settle the oldest bills first). Payments of bills not yet due, prepayments "
                "and the late-payment penalty are not in it."
            ),
            _(
                "Tier: the arrears policy's tier of what the account owed past due at the "
                "start of the day of payment, less any amount frozen in a dispute. Grid "
                "unit: the customer's grid unit now."
            ),
            _(
                "Restores count in the period they were requested; on time means done "
                "within the hall's {hours} hours of the payment that cleared the arrears."
            ).format(hours=data.restore_hours),
        ),
    )
