"""The customer panel's "Complaint history" section: the customer's complaints and their
state, with buttons to start intake for this customer or open a complaint in the
Complaints tab (objectName ``customerComplaints``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

from PySide6.QtCore import QEvent, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.complaint_deadline import due_text
from app.i18n import N_, _, format_datetime
from app.services.complaints import ComplaintService, CustomerComplaintRow
from app.services.customers import CustomerDetail
from ui.complaints.labels import category_text, satisfaction_text, status_text
from ui.context import AppContext
from ui.errors import error_text
from ui.keyboard import NEW_COMPLAINT_KEY, keyed_text
from ui.widgets import Column, Palette, RowTableModel, configure_table, set_column_widths

if TYPE_CHECKING:
    from ui.complaints.tab import ComplaintsTab

TITLE: Final = N_("Complaint history")


class Panel(Protocol):
    customerChanged: SignalInstance

    @property
    def detail(self) -> CustomerDetail | None: ...


class ComplaintsSection(QWidget):
    def __init__(self, ctx: AppContext, panel: Panel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerComplaints")
        self._ctx = ctx
        self._panel = panel
        self._service = ctx.service(ComplaintService)
        self._customer_id: int | None = None
        tz = ctx.hall.timezone
        self.model = RowTableModel[CustomerComplaintRow](
            [
                Column(N_("Number"), lambda r: r.number),
                Column(
                    N_("Received at"), lambda r: format_datetime(r.received_at, tz, fmt="short")
                ),
                Column(N_("Category"), lambda r: category_text(r.category)),
                Column(
                    N_("Status"),
                    lambda r: status_text(r.status),
                    foreground=lambda r: (
                        Palette.WARNING
                        if r.answered_at is None and r.status != "archived"
                        else None
                    ),
                ),
                Column(
                    N_("Answer due"),
                    lambda r: due_text(r.due_at, tz) if r.answered_at is None else "",
                ),
                Column(
                    N_("Statutory date"),
                    lambda r: due_text(r.statutory_due_at, tz) if r.answered_at is None else "",
                ),
                Column(N_("Satisfaction"), lambda r: satisfaction_text(r.satisfaction)),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("customerComplaintsTable")
        self.table.setModel(self.model)
        configure_table(self.table)
        set_column_widths(self.table, (15, 14, 14, 10, 14, 14, 10))
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("customerNewComplaint")
        self.new_button.clicked.connect(lambda *_a: self.new_complaint())
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("customerOpenComplaint")
        self.open_button.clicked.connect(lambda *_a: self.open_selected())
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        bar.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        panel.customerChanged.connect(self.set_customer)
        self.retranslate_ui()

    def set_customer(self, customer_id: int | None) -> None:
        self._customer_id = customer_id
        self.refresh()

    def refresh(self) -> None:
        rows: list[CustomerComplaintRow] = []
        self.message.clear()
        if self._customer_id is not None:
            try:
                rows = self._service.customer_complaints(self._customer_id)
            except Exception as exc:
                self.message.setText(error_text(exc))
        self.model.set_rows(rows)
        self.new_button.setEnabled(self._customer_id is not None)
        self.open_button.setEnabled(bool(rows))

    def _complaints_tab(self) -> ComplaintsTab | None:
        from ui.complaints.tab import ComplaintsTab  # loaded with the tab, not at start-up

        window = self.window()
        finder = getattr(window, "tab", None)
        tab = finder(ComplaintsTab) if callable(finder) else None
        if isinstance(tab, ComplaintsTab):
            tabs = getattr(window, "tabs", None)
            if tabs is not None:
                tabs.setCurrentWidget(tab)
            return tab
        self.message.setText(_("The Complaints tab is not available."))
        return None

    def new_complaint(self) -> ComplaintsTab | None:
        """Switch to the Complaints tab with this customer filled in."""
        detail = self._panel.detail
        if detail is None:
            return None
        tab = self._complaints_tab()
        if tab is not None:
            tab.start_intake(detail.customer_id, detail.name_masked)
        return tab

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        if row is None and self.model.rows:
            row = self.model.rows[0]
        if row is None:
            return
        tab = self._complaints_tab()
        if tab is not None:
            tab.open_complaint(row.complaint_id)

    def retranslate_ui(self) -> None:
        self.new_button.setText(keyed_text(_("New complaint for this customer"), NEW_COMPLAINT_KEY))
        self.open_button.setText(_("Open in Complaints tab"))
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
