"""The etiquette report of a period, for shift leaders: the weekly simulation ranking of
every ISO week the period touches and the hall's failure rates over the inspections
signed in it, read through ``EtiquetteReports`` (the etiquette tab's own reads)."""

from __future__ import annotations

from datetime import date

from app.documents.etiquette_data import (
    EtiquetteReportData,
    FailureLine,
    RankLine,
    WeekRanking,
)
from app.domain.report_period import check_period, days_of
from app.services.base import Actor, Clock, require_role, utc_now
from app.services.etiquette import iso_week_of
from app.services.etiquette.reports import EtiquetteReports
from app.services.hall import HallService
from app.store.database import Store
from app.store.models import Role


class EtiquetteReportService:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self._reports = EtiquetteReports(store, clock)

    def report(self, viewer: Actor, start: date, end: date) -> EtiquetteReportData:
        require_role(viewer, Role.LEADER, Role.ADMIN)
        check_period(start, end)
        now = self._clock()
        hall = HallService(self._store).info()
        weeks = list(dict.fromkeys(iso_week_of(day) for day in days_of(start, end)))
        rankings = tuple(
            WeekRanking(
                week,
                tuple(
                    RankLine(r.rank, r.clerk, r.score_tenths, r.scenario, r.sessions)
                    for r in self._reports.weekly_ranking(viewer, week)
                ),
            )
            for week in weeks
        )
        items, sections = self._reports.failure_rates(viewer, since=start, until=end)
        return EtiquetteReportData(
            hall_name=hall.name,
            start=start,
            end=end,
            generated_at=now,
            timezone=hall.timezone,
            weeks=rankings,
            sections=tuple(FailureLine(r.text, r.fails, r.counted) for r in sections),
            items=tuple(FailureLine(r.text, r.fails, r.counted) for r in items),
        )
