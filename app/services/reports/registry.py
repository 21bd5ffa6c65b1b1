"""The leader's four reports: which there are, and building one report once.

A report is built once (``LeaderReports.build``): its service computes the figures into
one data object and the report's ``*_book`` function turns them into a ``ReportBook``.
The screen shows that book, ``pdf`` prints it and ``save_workbook`` writes it, so the
three show the same figures. Each area's service is imported when its report is built
(renderers and openpyxl too), so importing this module costs nothing.

Only shift leaders and administrators build these reports; writing a workbook (a file
leaving the program with the hall's figures) is recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Final

from app.documents.collection_data import CollectionReportData, collection_book
from app.documents.complaint_data import ComplaintReportData, complaint_book
from app.documents.etiquette_data import EtiquetteReportData, etiquette_book
from app.documents.report_tables import ReportBook
from app.documents.takings_data import TakingsReportData, takings_book
from app.domain.report_period import check_period
from app.i18n import N_, _
from app.services.base import Actor, Clock, audit, require_role, utc_now
from app.store.database import Store
from app.store.models import Role


class ReportKind(StrEnum):
    HALL_DAY = "hall_day"
    COMPLAINTS = "complaints"
    ARREARS = "arrears"
    ETIQUETTE = "etiquette"


#: Each report's name, in the order the leader's menu offers them.
REPORT_TITLES: Final[dict[ReportKind, str]] = {
    ReportKind.HALL_DAY: N_("Hall day report"),
    ReportKind.COMPLAINTS: N_("Complaints report"),
    ReportKind.ARREARS: N_("Arrears collection report"),
    ReportKind.ETIQUETTE: N_("Service etiquette report"),
}


def report_title(kind: ReportKind) -> str:
    return _(REPORT_TITLES[kind])


#: A report's figures: the one data object its service computed.
Figures = TakingsReportData | ComplaintReportData | CollectionReportData | EtiquetteReportData


@dataclass(frozen=True, slots=True)
class Report:
    """One built report: its figures (the service's data object) and the book made from
    them."""

    kind: ReportKind
    figures: Figures
    book: ReportBook


def _hall_day(store: Store, clock: Clock, viewer: Actor, start: date, end: date) -> Report:
    from app.services.reports.takings import TakingsReportService

    data = TakingsReportService(store, clock).report(viewer, start, end)
    return Report(ReportKind.HALL_DAY, data, takings_book(data))


def _complaints(store: Store, clock: Clock, viewer: Actor, start: date, end: date) -> Report:
    from app.services.complaints.reports import ComplaintReportService

    data = ComplaintReportService(store, clock).report(start, end)
    return Report(ReportKind.COMPLAINTS, data, complaint_book(data))


def _arrears(store: Store, clock: Clock, viewer: Actor, start: date, end: date) -> Report:
    from app.services.reports.collection import CollectionReportService

    data = CollectionReportService(store, clock).report(viewer, start, end)
    return Report(ReportKind.ARREARS, data, collection_book(data))


def _etiquette(store: Store, clock: Clock, viewer: Actor, start: date, end: date) -> Report:
    from app.services.reports.etiquette import EtiquetteReportService

    data = EtiquetteReportService(store, clock).report(viewer, start, end)
    return Report(ReportKind.ETIQUETTE, data, etiquette_book(data))


_BUILDERS: Final[dict[ReportKind, Callable[[Store, Clock, Actor, date, date], Report]]] = {
    ReportKind.HALL_DAY: _hall_day,
    ReportKind.COMPLAINTS: _complaints,
    ReportKind.ARREARS: _arrears,
    ReportKind.ETIQUETTE: _etiquette,
}


class LeaderReports:
    """Builds the leader's reports and writes them as PDF or Excel (see the module
    docstring)."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def build(self, viewer: Actor, kind: ReportKind | str, start: date, end: date) -> Report:
        """The report of ``kind`` for the hall-local days ``start`` … ``end``."""
        require_role(viewer, Role.LEADER, Role.ADMIN)
        check_period(start, end)
        return _BUILDERS[ReportKind(kind)](self._store, self._clock, viewer, start, end)

    def pdf(self, report: Report, *, invariant: bool = False) -> bytes:
        """The report printed on A4 (the book, as the screen shows it)."""
        from app.documents.report_pdf import render_book

        return render_book(report.book, invariant=invariant)

    def save_workbook(self, viewer: Actor, report: Report, path: Path) -> Path:
        """Write the report as one Excel workbook at ``path`` (replaced if it exists) and
        record who exported which report for which period."""
        from app.documents.workbook import write_book

        require_role(viewer, Role.LEADER, Role.ADMIN)
        written = write_book(report.book, Path(path))
        with self._store.unit_of_work() as session:
            audit(
                session,
                at=self._clock(),
                staff_id=viewer.staff_id,
                action="report_exported",
                entity="report",
                entity_id=report.kind.value,
                start=report.book.start.isoformat(),
                end=report.book.end.isoformat(),
                file=written.name,
            )
        return written

    def export(
        self, viewer: Actor, kind: ReportKind | str, start: date, end: date, path: Path
    ) -> Path:
        """Build the report and write its workbook: the script entry point's work."""
        return self.save_workbook(viewer, self.build(viewer, kind, start, end), path)


def export_report(
    db: Path | str,
    kind: ReportKind | str,
    start: date,
    end: date,
    path: Path | str,
    *,
    staff_no: str,
    clock: Clock = utc_now,
) -> Path:
    """Script entry: open the store at ``db`` (migrated if needed), build the report of
    ``kind`` for ``start`` … ``end`` as the shift leader or administrator ``staff_no`` and
    write it as an Excel workbook at ``path``. Returns the path written."""
    from app.services.staff.auth import AuthService
    from app.store.database import open_store, sqlite_url

    store = open_store(sqlite_url(db))
    try:
        viewer = AuthService(store, clock).actor_for(staff_no)
        return LeaderReports(store, clock).export(viewer, kind, start, end, Path(path))
    finally:
        store.close()


def export_hall_day_report(
    db: Path | str, start: date, end: date, path: Path | str, *, staff_no: str
) -> Path:
    """The hall-day report of ``start`` … ``end`` as a workbook at ``path``."""
    return export_report(db, ReportKind.HALL_DAY, start, end, path, staff_no=staff_no)


def export_complaints_report(
    db: Path | str, start: date, end: date, path: Path | str, *, staff_no: str
) -> Path:
    """The complaints report of ``start`` … ``end`` as a workbook at ``path``."""
    return export_report(db, ReportKind.COMPLAINTS, start, end, path, staff_no=staff_no)


def export_arrears_report(
    db: Path | str, start: date, end: date, path: Path | str, *, staff_no: str
) -> Path:
    """The arrears collection report of ``start`` … ``end`` as a workbook at ``path``."""
    return export_report(db, ReportKind.ARREARS, start, end, path, staff_no=staff_no)


def export_etiquette_report(
    db: Path | str, start: date, end: date, path: Path | str, *, staff_no: str
) -> Path:
    """The etiquette report of ``start`` … ``end`` as a workbook at ``path``."""
    return export_report(db, ReportKind.ETIQUETTE, start, end, path, staff_no=staff_no)
