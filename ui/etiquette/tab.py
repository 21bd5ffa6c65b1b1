"""Service-etiquette checklists: inspections, self-checks, weekly simulations, trends.

Four pages: the signed checklists (new inspection, self-check, correction, printed report),
the corrective actions, the weekly simulation with its ranking, and the reports (a clerk's
score trend and most-failed items; the hall's failure rate per item and per section).
Leaders and administrators also open the template editor. A clerk sees their own
checklists and actions; hall-wide pages are for leaders. Service calls that write run on
the task worker; the tab loads nothing until it is first shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Final

from PySide6.QtCore import QEvent
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.documents import titles
from app.domain.etiquette_scoring import TemplateKind
from app.i18n import N_, _
from app.services.etiquette import EtiquetteService, iso_week_of
from app.services.etiquette.reports import EtiquetteReports, InspectionRow
from ui.context import AppContext
from ui.errors import show_error
from ui.etiquette.answer_grid import PhotoPicker, file_photo_picker
from ui.etiquette.inspection_form import InspectionForm
from ui.etiquette.models import (
    actions_model,
    failures_model,
    inspections_model,
    ranking_model,
    rates_model,
)
from ui.etiquette.template_editor import TemplateEditor
from ui.etiquette.trend_chart import TrendChart
from ui.keyboard import SELF_CHECK_KEY, keyed_text
from ui.printing import PrintFunction, default_print_function, print_document
from ui.widgets import configure_table, heading_label

PAGE_INSPECTIONS, PAGE_ACTIONS, PAGE_SIMULATION, PAGE_REPORTS = range(4)
#: The hall-wide failure rates cover the inspections of the last this many days.
RATES_DAYS: Final = 90
_PAGES: Final = (
    N_("Checklists"),
    N_("Corrective actions"),
    N_("Weekly simulation"),
    N_("Reports"),
)


def _table(parent: QWidget, name: str, *, stretch_first: bool = False) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    configure_table(view, stretch_last=not stretch_first)
    return view


def _stretch_first(view: QTableView) -> None:
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, header.count()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)


class EtiquetteTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("etiquetteTab")
        self.ctx = ctx
        self._service = ctx.service(EtiquetteService)
        self._reports = ctx.service(EtiquetteReports)
        self._loaded = False
        self.print_function: PrintFunction = default_print_function(ctx.settings)
        self.photo_picker: PhotoPicker = file_photo_picker
        #: Set to a callable to receive each opened form instead of ``open()`` (tests).
        self.form_opened: Callable[[QDialog], None] | None = None
        leader = ctx.actor.is_leader

        self.pages = QTabWidget(self)
        self.pages.setObjectName("etiquettePages")

        # -- checklists ---------------------------------------------------------------
        page = QWidget(self.pages)
        self.inspections = _table(page, "etiquetteInspections")
        self.inspections_model = inspections_model(ctx.hall.timezone)
        self.inspections.setModel(self.inspections_model)
        self.inspections.doubleClicked.connect(lambda _i: self.print_selected())
        self.new_button = QPushButton(page)
        self.new_button.setObjectName("newInspectionButton")
        self.new_button.clicked.connect(lambda: self.open_form(TemplateKind.INSPECTION))
        self.new_button.setVisible(leader)
        self.self_check_button = QPushButton(page)
        self.self_check_button.setObjectName("selfCheckButton")
        self.self_check_button.clicked.connect(lambda: self.open_form(TemplateKind.SELF_CHECK))
        self.correct_button = QPushButton(page)
        self.correct_button.setObjectName("correctInspectionButton")
        self.correct_button.clicked.connect(self.correct_selected)
        self.correct_button.setVisible(leader)
        self.print_button = QPushButton(page)
        self.print_button.setObjectName("printInspectionButton")
        self.print_button.clicked.connect(self.print_selected)
        self.templates_button = QPushButton(page)
        self.templates_button.setObjectName("editTemplatesButton")
        self.templates_button.clicked.connect(self.open_template_editor)
        self.templates_button.setVisible(leader)
        bar = QHBoxLayout()
        for button in (
            self.new_button,
            self.self_check_button,
            self.correct_button,
            self.print_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.templates_button)
        layout = QVBoxLayout(page)
        layout.addLayout(bar)
        layout.addWidget(self.inspections)
        self.pages.addTab(page, "")

        # -- corrective actions ---------------------------------------------------------
        page = QWidget(self.pages)
        self.actions_view = _table(page, "etiquetteActions")
        self.actions_model = actions_model()
        self.actions_view.setModel(self.actions_model)
        self.open_only = QComboBox(page)
        self.open_only.setObjectName("etiquetteActionsFilter")
        self.open_only.currentIndexChanged.connect(lambda _i: self.reload_actions())
        bar = QHBoxLayout()
        bar.addWidget(self.open_only)
        bar.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(bar)
        layout.addWidget(self.actions_view)
        self.pages.addTab(page, "")

        # -- weekly simulation ------------------------------------------------------------
        page = QWidget(self.pages)
        self.week = QComboBox(page)
        self.week.setObjectName("simulationWeek")
        self.week.currentIndexChanged.connect(lambda _i: self.reload_ranking())
        self.simulate_button = QPushButton(page)
        self.simulate_button.setObjectName("newSimulationButton")
        self.simulate_button.clicked.connect(lambda: self.open_form(TemplateKind.SIMULATION))
        self.simulate_button.setVisible(leader)
        self.print_ranking_button = QPushButton(page)
        self.print_ranking_button.setObjectName("printRankingButton")
        self.print_ranking_button.clicked.connect(self.print_ranking)
        self.ranking = _table(page, "simulationRanking")
        self.ranking_model = ranking_model()
        self.ranking.setModel(self.ranking_model)
        self.week_label = QLabel(page)
        bar = QHBoxLayout()
        bar.addWidget(self.week_label)
        bar.addWidget(self.week)
        bar.addWidget(self.simulate_button)
        bar.addWidget(self.print_ranking_button)
        bar.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(bar)
        layout.addWidget(self.ranking)
        self.pages.addTab(page, "")

        # -- reports --------------------------------------------------------------------------
        page = QWidget(self.pages)
        self.report_clerk = QComboBox(page)
        self.report_clerk.setObjectName("reportClerk")
        self.report_clerk.currentIndexChanged.connect(lambda _i: self.reload_clerk_report())
        self.report_clerk_label = QLabel(page)
        self.trend_heading = heading_label(page, point_delta=1)
        self.chart = TrendChart(page)
        self.failed_heading = heading_label(page, point_delta=1)
        self.failed = _table(page, "clerkFailedItems", stretch_first=True)
        self.failed_model = failures_model()
        self.failed.setModel(self.failed_model)
        self.rates_heading = heading_label(page, point_delta=1)
        self.item_rates = _table(page, "hallItemFailureRates", stretch_first=True)
        self.item_rates_model = rates_model()
        self.item_rates.setModel(self.item_rates_model)
        self.section_rates = _table(page, "hallSectionFailureRates", stretch_first=True)
        self.section_rates_model = rates_model(N_("Section"))
        self.section_rates.setModel(self.section_rates_model)
        for view in (self.failed, self.item_rates, self.section_rates):
            _stretch_first(view)
        left = QWidget(page)
        left_layout = QVBoxLayout(left)
        bar = QHBoxLayout()
        bar.addWidget(self.report_clerk_label)
        bar.addWidget(self.report_clerk, 1)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.trend_heading)
        left_layout.addWidget(self.chart, 3)
        left_layout.addWidget(self.failed_heading)
        left_layout.addWidget(self.failed, 2)
        right = QWidget(page)
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.rates_heading)
        right_layout.addWidget(self.section_rates, 1)
        right_layout.addWidget(self.item_rates, 3)
        right.setVisible(leader)
        splitter = QSplitter(page)
        splitter.addWidget(left)
        splitter.addWidget(right)
        layout = QVBoxLayout(page)
        layout.addWidget(splitter)
        self.pages.addTab(page, "")

        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)
        self.retranslate_ui()

    # -- loading ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        """Fill every page (the first time it is shown, and after each signing)."""
        self._loaded = True
        try:
            if self.report_clerk.count() == 0:
                self._fill_choices()
            self.reload_inspections()
            self.reload_actions()
            self.reload_ranking()
            self.reload_clerk_report()
            self.reload_rates()
        except Exception as exc:  # shown, not swallowed: the tab stays usable
            show_error(self, exc)

    def _fill_choices(self) -> None:
        actor = self.ctx.actor
        self.report_clerk.blockSignals(True)
        if actor.is_leader:
            for staff in self._service.staff_choices(actor):
                self.report_clerk.addItem(staff.label, staff.staff_id)
        else:
            self.report_clerk.addItem(f"{actor.staff_no} {actor.name}", actor.staff_id)
        self.report_clerk.blockSignals(False)
        today = self._service.business_date(actor)
        self.week.blockSignals(True)
        for weeks_back in range(12):
            week = iso_week_of(today - timedelta(weeks=weeks_back))
            self.week.addItem(week, week)
        self.week.blockSignals(False)

    def reload_inspections(self) -> None:
        self.inspections_model.set_rows(self._reports.inspections(self.ctx.actor))

    def reload_actions(self) -> None:
        open_only = self.open_only.currentIndex() == 0
        self.actions_model.set_rows(self._service.actions(self.ctx.actor, open_only=open_only))

    def reload_ranking(self) -> None:
        week = self.week.currentData()
        if week:
            self.ranking_model.set_rows(self._reports.weekly_ranking(self.ctx.actor, week))

    def reload_clerk_report(self) -> None:
        clerk_id = self.report_clerk.currentData()
        if clerk_id is None:
            return
        actor = self.ctx.actor
        points = self._reports.clerk_trend(actor, int(clerk_id))
        templates = self._service.templates(actor, TemplateKind.INSPECTION)
        mark = templates[0].spec.pass_percent if templates else 85
        self.chart.set_points(points, mark)
        self.failed_model.set_rows(self._reports.most_failed_items(actor, int(clerk_id)))

    def reload_rates(self) -> None:
        if not self.ctx.actor.is_leader:
            return
        since = self._service.business_date(self.ctx.actor) - timedelta(days=RATES_DAYS)
        items, sections = self._reports.failure_rates(self.ctx.actor, since=since)
        self.item_rates_model.set_rows(items)
        self.section_rates_model.set_rows(sections)

    # -- actions ---------------------------------------------------------------------------

    def selected_inspection(self) -> InspectionRow | None:
        indexes = self.inspections.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.inspections_model.row_at(indexes[0].row())

    def select_row(self, row: int) -> None:
        self.inspections.selectRow(row)

    def _show_form(self, form: QDialog) -> None:
        form.finished.connect(lambda code: self._form_done(form, code))
        if self.form_opened is not None:
            self.form_opened(form)
        else:
            form.open()

    def _form_done(self, form: QDialog, code: int) -> None:
        if code == QDialog.DialogCode.Accepted:
            self.reload()
        form.deleteLater()

    def open_form(self, kind: TemplateKind) -> InspectionForm | None:
        try:
            form = InspectionForm(self.ctx, kind, photo_picker=self.photo_picker, parent=self)
        except Exception as exc:
            show_error(self, exc)
            return None
        self._show_form(form)
        return form

    def correct_selected(self) -> InspectionForm | None:
        row = self.selected_inspection()
        if row is None:
            return None
        try:
            detail = self._reports.inspection(self.ctx.actor, row.inspection_id)
            form = InspectionForm(
                self.ctx,
                row.kind,
                correction_of=detail,
                photo_picker=self.photo_picker,
                parent=self,
            )
        except Exception as exc:
            show_error(self, exc)
            return None
        self._show_form(form)
        return form

    def open_template_editor(self) -> TemplateEditor:
        editor = TemplateEditor(self.ctx, self)
        self._show_form(editor)
        return editor

    def print_selected(self) -> None:
        row = self.selected_inspection()
        if row is None:
            return
        reports, actor = self._reports, self.ctx.actor
        title = titles.inspection_report(row.business_date, row.clerk)
        self._render_and_print(
            lambda: reports.render_inspection_report(actor, row.inspection_id), title
        )

    def print_ranking(self) -> None:
        week = self.week.currentData()
        if not week:
            return
        reports, actor = self._reports, self.ctx.actor
        self._render_and_print(
            lambda: reports.render_weekly_ranking(actor, week), titles.simulation_ranking(week)
        )

    def _render_and_print(self, render: Callable[[], bytes], title: str) -> None:
        def rendered(pdf: bytes) -> None:
            try:
                print_document(self.print_function, pdf, title, self)
            except Exception as exc:
                show_error(self, exc)

        self.ctx.tasks.run(render, on_done=rendered, on_error=lambda exc: show_error(self, exc))

    # -- language --------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        for index, title in enumerate(_PAGES):
            self.pages.setTabText(index, _(title))
        self.new_button.setText(_("New inspection…"))
        self.self_check_button.setText(keyed_text(_("Self-check…"), SELF_CHECK_KEY))
        self.correct_button.setText(_("Correct…"))
        self.print_button.setText(_("Print report…"))
        self.templates_button.setText(_("Checklist templates…"))
        self.simulate_button.setText(_("Score a simulation…"))
        self.print_ranking_button.setText(_("Print ranking…"))
        self.week_label.setText(_("Week:"))
        self.report_clerk_label.setText(_("Clerk:"))
        self.trend_heading.setText(_("Inspection score trend"))
        self.failed_heading.setText(_("Items failed most"))
        self.rates_heading.setText(
            _("Hall failure rates per section and per item, last {days} days").format(
                days=RATES_DAYS
            )
        )
        current = max(0, self.open_only.currentIndex())
        self.open_only.blockSignals(True)
        self.open_only.clear()
        self.open_only.addItems([_("Open actions"), _("All actions")])
        self.open_only.setCurrentIndex(current)
        self.open_only.blockSignals(False)
        for model in (
            self.inspections_model,
            self.actions_model,
            self.ranking_model,
            self.failed_model,
            self.item_rates_model,
            self.section_rates_model,
        ):
            model.retranslate()
        self.chart.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
