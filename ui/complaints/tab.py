"""Complaint intake, the worklist by time left, follow-up and fault notices.

Four pages: the worklist (filters, the lazy table sorted by time left with amber and red
rows, and the case of the selected complaint with its history and steps), the intake form,
the fault notices, and the period reports. A leader or administrator chooses here whether
the 15 days are counted in calendar or working days (a hall setting). The tab queries
nothing until it is first shown.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.complaint_clock import DAY_COUNT_LABELS, DayCount
from app.domain.complaint_flow import CATEGORY_LABELS, DEPARTMENT_LABELS, STATUS_LABELS
from app.i18n import N_, _, ngettext
from app.services.complaints import (
    OPEN,
    ComplaintService,
    RecordedComplaint,
    WorklistFilter,
    WorklistSort,
)
from ui.complaints.case_view import CaseView
from ui.complaints.faults_view import FaultNoticesView
from ui.complaints.intake_form import ComplaintForm
from ui.complaints.reports_view import ComplaintReportsView
from ui.complaints.worklist_model import ComplaintWorklistModel
from ui.context import AppContext
from ui.errors import error_text
from ui.keyboard import NEW_COMPLAINT_KEY, keyed_text
from ui.printing import PrintFunction
from ui.widgets import (
    Palette,
    configure_table,
    scrolling,
    set_column_widths,
    set_text_colour,
    show_busy,
)

PAGE_WORKLIST, PAGE_INTAKE, PAGE_FAULTS, PAGE_REPORTS = range(4)
COLUMN_CHARS = (19, 15, 14, 8, 12, 10, 12, 6, 14, 14, 14, 30)


class DayCountDialog(QDialog):
    """How the 15 days are counted (leaders and administrators)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaintDayCountDialog")
        self._ctx = ctx
        self._service = ctx.service(ComplaintService)
        self.setWindowTitle(_("How complaint deadlines are counted"))
        self.choice = QComboBox(self)
        self.choice.setObjectName("complaintDayCount")
        for value, msgid in DAY_COUNT_LABELS.items():
            self.choice.addItem(_(msgid), value.value)
        self.choice.setCurrentIndex(max(0, self.choice.findData(self._service.day_count())))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        note = QLabel(
            _(
                "The operator answers within 15 days of receipt. Choosing working days skips "
                "weekends and public holidays and counts make-up workdays; the deadlines of "
                "open complaints are recomputed."
            ),
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.choice)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def confirm(self) -> bool:
        try:
            self._service.set_day_count(self._ctx.actor, DayCount(self.choice.currentData()))
        except Exception as exc:
            self.error.setText(error_text(exc))
            return False
        self.accept()
        return True


class ComplaintsTab(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        print_function: PrintFunction | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaintsTab")
        self.ctx = ctx
        self._service = ctx.service(ComplaintService)
        self._loaded = False
        self.dialog: QDialog | None = None

        self.pages = QTabWidget(self)
        self.pages.setObjectName("complaintPages")
        self.pages.setDocumentMode(True)

        # -- worklist page --
        worklist_page = QWidget(self)
        self.status_filter = QComboBox(worklist_page)
        self.status_filter.setObjectName("complaintStatusFilter")
        self.category_filter = QComboBox(worklist_page)
        self.category_filter.setObjectName("complaintCategoryFilter")
        self.department_filter = QComboBox(worklist_page)
        self.department_filter.setObjectName("complaintDepartmentFilter")
        self.staff_filter = QComboBox(worklist_page)
        self.staff_filter.setObjectName("complaintStaffFilter")
        for box in self._filters():
            box.currentIndexChanged.connect(lambda *_a: self.apply_filters())
        self.count_label = QLabel(worklist_page)
        self.count_label.setObjectName("complaintCount")
        self.day_count_label = QLabel(worklist_page)
        self.day_count_label.setObjectName("complaintDayCountLabel")
        self.day_count_button = QPushButton(worklist_page)
        self.day_count_button.setObjectName("complaintDayCountButton")
        self.day_count_button.setVisible(ctx.actor.is_leader)
        self.day_count_button.clicked.connect(lambda *_a: self.edit_day_count())
        self.new_button = QPushButton(worklist_page)
        self.new_button.setObjectName("complaintNewButton")
        self.new_button.clicked.connect(lambda *_a: self.start_intake())

        self.model = ComplaintWorklistModel(self._service, ctx.tasks, ctx.hall.timezone, self)
        self.table = QTableView(worklist_page)
        self.table.setObjectName("complaintWorklist")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_last=True)
        set_column_widths(self.table, COLUMN_CHARS)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selected())
        self.table.doubleClicked.connect(lambda _i: self._selected())
        # The worklist queries on the task worker: a busy cue meanwhile, the count and a
        # pending selection once the ids are in.
        self._pending_select: str | None = None
        self.model.busyChanged.connect(self._show_busy)
        self.model.loaded.connect(self._worklist_loaded)
        self.model.failed.connect(lambda exc: self.count_label.setText(error_text(exc)))

        self.case = CaseView(ctx, worklist_page, print_function=print_function)
        self.case.changed.connect(self._case_changed)
        splitter = QSplitter(Qt.Orientation.Horizontal, worklist_page)
        splitter.addWidget(self.table)
        splitter.addWidget(scrolling(self.case))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self._filter_labels: list[tuple[QLabel, str]] = []
        bar = QHBoxLayout()
        for msgid, box in zip(
            (N_("Status"), N_("Category"), N_("Department"), N_("Taken by")),
            self._filters(),
            strict=True,
        ):
            caption = QLabel(worklist_page)
            self._filter_labels.append((caption, msgid))
            bar.addWidget(caption)
            bar.addWidget(box)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.day_count_label)
        bar.addWidget(self.day_count_button)
        bar.addWidget(self.new_button)
        worklist_layout = QVBoxLayout(worklist_page)
        worklist_layout.addLayout(bar)
        worklist_layout.addWidget(splitter, 1)

        # -- other pages --
        self.form = ComplaintForm(ctx, self, print_function=print_function)
        self.form.submitted.connect(self._recorded)
        self.faults = FaultNoticesView(ctx, self)
        self.reports = ComplaintReportsView(ctx, self)
        for page in (worklist_page, scrolling(self.form), self.faults, self.reports):
            self.pages.addTab(page, "")
        self.pages.currentChanged.connect(self._page_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        self.retranslate_ui()

    # -- loading ---------------------------------------------------------------------------

    def _filters(self) -> tuple[QComboBox, ...]:
        return (self.status_filter, self.category_filter, self.department_filter, self.staff_filter)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded:
            self.load()

    def load(self) -> None:
        self._loaded = True
        self._fill_filters()
        self._show_day_count()
        self.apply_filters()
        self.faults.refresh()

    def current_filter(self) -> WorklistFilter:
        return WorklistFilter(
            status=self.status_filter.currentData(),
            category=self.category_filter.currentData(),
            department=self.department_filter.currentData(),
            staff_id=self.staff_filter.currentData(),
        )

    def apply_filters(self) -> None:
        if not self._loaded:
            return
        self.model.set_query(self.current_filter())
        self._show_count()
        self._show_sort_indicator()

    def reload(self) -> None:
        self._pending_select = self.case.case.complaint_id.hex if self.case.case else None
        self.model.reload()
        self._show_count()

    def _show_busy(self, busy: bool) -> None:
        show_busy(self.table, busy)
        self._show_count()

    def _worklist_loaded(self) -> None:
        self._show_count()
        selected, self._pending_select = self._pending_select, None
        if selected:
            self.select(selected)

    def _show_count(self) -> None:
        if self.model.busy:
            self.count_label.setText(_("Searching…"))
            return
        n = self.model.total_count()
        self.count_label.setText(ngettext("{n} complaint", "{n} complaints", n).format(n=n))

    def select(self, complaint_hex: str) -> bool:
        """Select the complaint's row; while the worklist is loading, once it is in."""
        row = self.model.row_of(complaint_hex)
        if row < 0:
            if self.model.busy:
                self._pending_select = complaint_hex
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.case.show_complaint(uuid.UUID(hex=self.model.key_at(rows[0].row())))

    def _header_clicked(self, column: int) -> None:
        key = self.model.sort_key_of(column)
        if key is None:
            self._show_sort_indicator()
            return
        current = self.model.worklist_sort
        descending = not current.descending if current.key == key else key == "received"
        self.model.set_query(sort=WorklistSort(key, descending))
        self._show_sort_indicator()

    def _show_sort_indicator(self) -> None:
        sort = self.model.worklist_sort
        order = Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(self.model.sort_column(), order)

    def _case_changed(self) -> None:
        self.reload()

    def _recorded(self, recorded: RecordedComplaint) -> None:
        if self._loaded:
            self.reload()
        self.case.show_complaint(recorded.complaint_id)
        self.faults.refresh()

    def _page_changed(self, index: int) -> None:
        if index == PAGE_FAULTS:
            self.faults.refresh()
        elif index == PAGE_INTAKE:
            self.form.refresh_notices()

    # -- commands --------------------------------------------------------------------------

    def start_intake(
        self,
        customer_id: int | None = None,
        name: str = "",
        phone: str = "",
        service: str = "",
    ) -> ComplaintForm:
        """Show the intake form, for a customer (from the customer panel) or a walk-in."""
        self.form.clear()
        self.form.set_customer(customer_id, name, phone, service)
        self.pages.setCurrentIndex(PAGE_INTAKE)
        self.form.first_field().setFocus(Qt.FocusReason.ShortcutFocusReason)
        return self.form

    def open_complaint(self, complaint_id: uuid.UUID) -> None:
        """Show one complaint's case (from the customer panel)."""
        self.pages.setCurrentIndex(PAGE_WORKLIST)
        if not self._loaded:
            self.load()
        if not self.select(complaint_id.hex):
            self.case.show_complaint(complaint_id)

    def edit_day_count(self) -> DayCountDialog | None:
        if not self.ctx.actor.is_leader:
            return None
        dialog = DayCountDialog(self.ctx, self)
        dialog.accepted.connect(self._day_count_changed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _day_count_changed(self) -> None:
        self._show_day_count()
        if self._loaded:
            self.reload()
        if self.case.case is not None:
            self.case.show_complaint(self.case.case.complaint_id)

    # -- language --------------------------------------------------------------------------

    def _fill_filters(self) -> None:
        def refill(box: QComboBox, items: list[tuple[str, Any]]) -> None:
            current, had_items = box.currentData(), box.count() > 0
            box.blockSignals(True)
            box.clear()
            for text, value in items:
                box.addItem(text, value)
            found = box.findData(current) if had_items else -1
            box.setCurrentIndex(found if found >= 0 else 0)
            box.blockSignals(False)

        refill(
            self.status_filter,
            [(_("Open (not archived)"), OPEN), (_("All"), None)]
            + [(_(m), s.value) for s, m in STATUS_LABELS.items()],
        )
        refill(
            self.category_filter,
            [(_("All"), None)] + [(_(m), c.value) for c, m in CATEGORY_LABELS.items()],
        )
        refill(
            self.department_filter,
            [(_("All"), None)] + [(_(m), d.value) for d, m in DEPARTMENT_LABELS.items()],
        )
        staff: list[tuple[str, Any]] = [(_("Anyone"), None)]
        if self._loaded:
            staff += [(f"{no} {name}", i) for i, no, name in self._service.staff_choices()]
        refill(self.staff_filter, staff)

    def _show_day_count(self) -> None:
        try:
            count = self._service.day_count()
        except Exception:
            count = DayCount.CALENDAR
        self.day_count_label.setText(
            _("Deadlines: {count}").format(count=_(DAY_COUNT_LABELS[count]))
        )

    def retranslate_ui(self) -> None:
        for position, msgid in enumerate(
            (N_("Worklist"), N_("New complaint"), N_("Fault notices"), N_("Reports"))
        ):
            self.pages.setTabText(position, _(msgid))
        for caption, msgid in self._filter_labels:
            caption.setText(_(msgid))
        self.new_button.setText(keyed_text(_("New complaint…"), NEW_COMPLAINT_KEY))
        self.day_count_button.setText(_("Change…"))
        self._fill_filters()
        self.model.retranslate()
        if self._loaded:
            self._show_count()
            self._show_day_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
