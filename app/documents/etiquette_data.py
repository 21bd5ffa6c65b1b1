"""The etiquette report of a period: the weekly simulation ranking of each week the period
touches, and the hall's failure rate per section and per item over the inspections
signed in the period (current checklists only: a corrected one counts as its correction).

The ranking lines and the rates are ``EtiquetteReports.weekly_ranking`` and
``failure_rates`` as the etiquette tab shows them; a week's lines are the week's printed
ranking (``simulation_ranking``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.documents.report_tables import Cell, Percent, ReportBook, table
from app.i18n import _


@dataclass(frozen=True, slots=True)
class RankLine:
    rank: int
    clerk: str
    score_tenths: int
    scenario: str
    sessions: int


@dataclass(frozen=True, slots=True)
class WeekRanking:
    """One ISO week (``2026-W47``) and its ranking, best first (ties share a rank)."""

    iso_week: str
    lines: tuple[RankLine, ...]


@dataclass(frozen=True, slots=True)
class FailureLine:
    """Failures of one item or section: failed / checked (answered and applicable)."""

    text: str
    fails: int
    counted: int

    @property
    def rate(self) -> Percent:
        return Percent.of(self.fails, self.counted)


@dataclass(frozen=True, slots=True)
class EtiquetteReportData:
    hall_name: str
    start: date
    end: date
    generated_at: datetime
    timezone: str
    weeks: tuple[WeekRanking, ...]
    sections: tuple[FailureLine, ...]
    items: tuple[FailureLine, ...]

    @property
    def sessions(self) -> int:
        return sum(line.sessions for week in self.weeks for line in week.lines)

    @property
    def checked(self) -> int:
        return sum(line.counted for line in self.items)

    @property
    def failed(self) -> int:
        return sum(line.fails for line in self.items)


def etiquette_book(data: EtiquetteReportData) -> ReportBook:
    """The etiquette report as the screen, the PDF and the workbook show it."""
    ranking = table(
        "ranking",
        _("Weekly simulation ranking"),
        (_("Week"), _("Rank"), _("Clerk"), _("Score"), _("Sessions"), _("Scenario")),
        [
            (week.iso_week, line.rank, line.clerk, Percent(line.score_tenths), line.sessions,
             line.scenario)
            for week in data.weeks
            for line in week.lines
        ],
    )  # fmt: skip
    headers = (_("Failure rate"), _("Failed"), _("Checked"))
    sections = table(
        "sections",
        _("Failure rate per section"),
        (_("Section"), *headers),
        [(line.text, line.rate, line.fails, line.counted) for line in data.sections],
    )
    items = table(
        "items",
        _("Failure rate per item"),
        (_("Item"), *headers),
        [(line.text, line.rate, line.fails, line.counted) for line in data.items],
        total=(_("Total"), Percent.of(data.failed, data.checked), data.failed, data.checked),
    )
    headline: tuple[tuple[str, Cell], ...] = (
        (_("Weeks"), ", ".join(week.iso_week for week in data.weeks)),
        (_("Simulations scored"), data.sessions),
        (_("Items checked in inspections"), data.checked),
        (_("Items failed"), data.failed),
        (_("Failure rate"), Percent.of(data.failed, data.checked)),
    )
    return ReportBook(
        key="etiquette",
        title=_("Service etiquette report"),
        hall_name=data.hall_name,
        start=data.start,
        end=data.end,
        generated_at=data.generated_at,
        timezone=data.timezone,
        headline=headline,
        tables=(ranking, sections, items),
        notes=(
            _(
                "The ranking takes each clerk's best simulation of the week; equal scores "
                "share a rank. Failure rates are failed items over items checked (answered "
                "and applicable) in the inspections signed in the period."
            ),
        ),
    )
