"""The complaint intake form (objectName ``complaintForm``): from the customer panel (the
customer filled in) or for a walk-in (name and contact only).

A refusal names the field and says why, and focuses it; nothing typed is lost. After
intake the complaint number is shown and the acknowledgement slip (受理回执) is printed
through the receipts' print step.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.documents import titles
from app.domain.complaint_flow import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CONTACT_WAY_LABELS,
    SUBCATEGORIES,
    URGENCY_LABELS,
    Category,
)
from app.domain.errors import HallDeskError, ValidationError
from app.i18n import N_, _
from app.services.complaints import ComplaintRequest, ComplaintService, RecordedComplaint
from app.services.complaints.faults import FaultNoticeService
from app.services.complaints.records import MAX_DESCRIPTION, MAX_NAME, MAX_REQUEST
from ui.context import AppContext
from ui.errors import error_text
from ui.keyboard import enter_form, numbered_choice
from ui.printing import PrintFunction, default_print_function, print_document, saved_layout
from ui.widgets import Palette, heading_label, set_text_colour

_WALK_IN: Final = N_("Walk-in customer (no customer record)")


def _fill(box: QComboBox, items: dict[str, str] | dict[Category, str], *, blank: str = "") -> None:
    """Refill a combo box with (label, value) pairs, keeping the chosen value. The choices
    are numbered ("3 Service attitude"): a clerk answers the picker with one digit."""
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    if blank:
        box.addItem(_(blank), "")
    for number, (value, msgid) in enumerate(items.items(), start=1):
        box.addItem(numbered_choice(number, _(msgid)), str(value))
    found = box.findData(current)
    box.setCurrentIndex(found if found >= 0 else 0)
    box.blockSignals(False)


class ComplaintForm(QWidget):
    """See the module docstring. ``submitted`` carries the ``RecordedComplaint``."""

    submitted = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        print_function: PrintFunction | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaintForm")
        self._ctx = ctx
        self._service = ctx.service(ComplaintService)
        self._faults = ctx.service(FaultNoticeService)
        self.print_function = print_function or default_print_function()
        self.customer_id: int | None = None
        self.recorded: RecordedComplaint | None = None
        self.printed: list[str] = []

        self.heading = heading_label(self)
        self.customer_label = QLabel(self)
        self.customer_label.setObjectName("complaintCustomer")
        self.walk_in_button = QPushButton(self)
        self.walk_in_button.setObjectName("complaintWalkIn")
        self.walk_in_button.clicked.connect(lambda *_a: self.set_customer(None))
        self.name = QLineEdit(self)
        self.name.setObjectName("complaintContactName")
        self.name.setMaxLength(MAX_NAME)
        self.phone = QLineEdit(self)
        self.phone.setObjectName("complaintPhone")
        self.phone.setMaxLength(20)
        self.contact_way = QComboBox(self)
        self.contact_way.setObjectName("complaintContactWay")
        self.channel = QComboBox(self)
        self.channel.setObjectName("complaintChannel")
        self.category = QComboBox(self)
        self.category.setObjectName("complaintCategory")
        self.category.currentIndexChanged.connect(lambda *_a: self._fill_subcategories())
        self.subcategory = QComboBox(self)
        self.subcategory.setObjectName("complaintSubcategory")
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("complaintDescription")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(90)
        self.request = QLineEdit(self)
        self.request.setObjectName("complaintRequest")
        self.request.setMaxLength(MAX_REQUEST)
        # After what happened and what the customer wants (the Tab and Enter order follows
        # the order of creation): the service is usually filled in from the panel.
        self.service_number = QLineEdit(self)
        self.service_number.setObjectName("complaintServiceNumber")
        self.service_number.setMaxLength(30)
        self.urgency = QComboBox(self)
        self.urgency.setObjectName("complaintUrgency")
        self.appeal = QCheckBox(self)
        self.appeal.setObjectName("complaintWillAppeal")
        self.fault = QComboBox(self)
        self.fault.setObjectName("complaintFaultNotice")
        self.error = QLabel(self)
        self.error.setObjectName("complaintFormError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.result = QLabel(self)
        self.result.setObjectName("complaintFormResult")
        self.result.setWordWrap(True)
        set_text_colour(self.result, Palette.OK)
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("complaintSubmit")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(lambda *_a: self.submit())
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("complaintPrintAck")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(lambda *_a: self.print_ack())
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("complaintNew")
        self.new_button.clicked.connect(lambda *_a: self.clear())

        self.form = QFormLayout()
        self._labels: list[tuple[QLabel, str]] = []
        customer_row = QHBoxLayout()
        customer_row.addWidget(self.customer_label, 1)
        customer_row.addWidget(self.walk_in_button)
        for msgid, field in (
            (N_("Customer"), customer_row),
            (N_("Contact name"), self.name),
            (N_("Contact phone"), self.phone),
            (N_("Contact the customer by"), self.contact_way),
            (N_("Channel"), self.channel),
            (N_("Category"), self.category),
            (N_("Sub-category"), self.subcategory),
            (N_("What happened"), self.description),
            (N_("What the customer wants"), self.request),
            (N_("Service concerned"), self.service_number),
            (N_("Urgency"), self.urgency),
            (N_("Fault notice"), self.fault),
        ):
            caption = QLabel(self)
            self._labels.append((caption, msgid))
            self.form.addRow(caption, field)
        self.form.addRow("", self.appeal)
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._fields: dict[str, QWidget] = {
            "contact_name": self.name,
            "contact_phone": self.phone,
            "contact_way": self.contact_way,
            "channel": self.channel,
            "category": self.category,
            "subcategory": self.subcategory,
            "service_number": self.service_number,
            "description": self.description,
            "request": self.request,
            "urgency": self.urgency,
            "fault_notice": self.fault,
        }
        self._customer_text: Callable[[], str] = lambda: _(_WALK_IN)
        # Keys: Enter moves field to field and records on the last one, Ctrl+Enter records
        # from any field (the description included); the pickers answer by their number.
        enter_form(self, self.submit_button)
        self.retranslate_ui()

    # -- state -------------------------------------------------------------------------

    def set_customer(
        self, customer_id: int | None, name: str = "", phone: str = "", service: str = ""
    ) -> None:
        """Fill in the customer shown in the panel (None: a walk-in)."""
        self.customer_id = customer_id
        if customer_id is None:
            self._customer_text = lambda: _(_WALK_IN)
        else:
            shown = name or _("Customer {id}").format(id=customer_id)
            self._customer_text = lambda: _(
                "{name} (blank name and phone: those of the customer record)"
            ).format(name=shown)
            if phone and not self.phone.text():
                self.phone.setText(phone)
            if service and not self.service_number.text():
                self.service_number.setText(service)
        self.walk_in_button.setVisible(customer_id is not None)
        self.customer_label.setText(self._customer_text())

    def refresh_notices(self) -> None:
        current = self.fault.currentData()
        self.fault.clear()
        self.fault.addItem(_("None"), None)
        try:
            notices = self._faults.active()
        except HallDeskError:
            notices = []
        for notice in notices:
            self.fault.addItem(
                _("Level {level}: {services} — {areas}").format(
                    level=notice.roman, services=notice.services, areas=notice.areas
                ),
                notice.notice_id,
            )
        found = self.fault.findData(current)
        self.fault.setCurrentIndex(max(found, 0))

    def _fill_subcategories(self) -> None:
        value = self.category.currentData()
        subs = SUBCATEGORIES.get(Category(value), {}) if value else {}
        _fill(self.subcategory, subs, blank=N_("(not yet known)"))

    def request_value(self) -> ComplaintRequest:
        fault = self.fault.currentData()
        return ComplaintRequest(
            channel=self.channel.currentData() or "",
            category=self.category.currentData() or "",
            subcategory=self.subcategory.currentData() or "",
            description=self.description.toPlainText(),
            contact_phone=self.phone.text(),
            contact_name=self.name.text(),
            contact_way=self.contact_way.currentData() or "",
            request=self.request.text(),
            urgency=self.urgency.currentData() or "",
            customer_id=self.customer_id,
            service_number=self.service_number.text(),
            says_will_appeal=self.appeal.isChecked(),
            fault_notice_id=fault if isinstance(fault, uuid.UUID) else None,
        )

    # -- actions -------------------------------------------------------------------------

    def submit(self) -> RecordedComplaint | None:
        self.error.clear()
        self.result.clear()
        try:
            recorded = self._service.intake(self._ctx.actor, self.request_value())
        except ValidationError as exc:
            field = self._fields.get(exc.field)
            label = self.form.labelForField(field) if field is not None else None
            caption = label.text() if isinstance(label, QLabel) else ""
            self.error.setText(
                _("{field}: {message}").format(field=caption, message=exc.user_message())
                if caption
                else exc.user_message()
            )
            if field is not None:
                field.setFocus()
            return None
        except Exception as exc:
            self.error.setText(error_text(exc))
            return None
        self.recorded = recorded
        self.result.setText(
            _("Complaint {number} recorded. Give the customer the acknowledgement slip.").format(
                number=recorded.number
            )
        )
        self.print_button.setEnabled(True)
        self.submit_button.setEnabled(False)
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)  # Enter prints the slip
        self.submitted.emit(recorded)
        return recorded

    def print_ack(self) -> None:
        recorded = self.recorded
        if recorded is None:
            return
        print_ack(
            self._ctx,
            recorded.complaint_id,
            recorded.number,
            self,
            self.print_function,
            on_error=lambda exc: self.error.setText(error_text(exc)),
            on_printed=self.printed.append,
        )

    def first_field(self) -> QWidget:
        """Where the clerk starts: a walk-in's name, else the category (the customer
        record gives the name and phone)."""
        return self.name if self.customer_id is None else self.category

    def clear(self) -> None:
        for edit in (self.name, self.phone, self.service_number, self.request):
            edit.clear()
        self.description.clear()
        self.appeal.setChecked(False)
        self.category.setCurrentIndex(0)
        self.error.clear()
        self.result.clear()
        self.recorded = None
        self.print_button.setEnabled(False)
        self.submit_button.setEnabled(True)
        self.set_customer(None)
        self.refresh_notices()

    # -- language ----------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.heading.setText(_("New complaint"))
        for caption, msgid in self._labels:
            caption.setText(_(msgid))
        self.walk_in_button.setText(_("Walk-in instead"))
        self.appeal.setText(_("The customer says they will appeal to 12300"))
        self.submit_button.setText(_("Record complaint"))
        self.print_button.setText(_("Print acknowledgement"))
        self.new_button.setText(_("New form"))
        self.phone.setPlaceholderText(_("Mobile or fixed line with area code"))
        self.description.setPlaceholderText(
            _("What happened, when and where (at most {max} characters)").format(
                max=MAX_DESCRIPTION
            )
        )
        _fill(self.contact_way, CONTACT_WAY_LABELS)
        _fill(self.channel, CHANNEL_LABELS)
        _fill(self.category, CATEGORY_LABELS, blank=N_("Choose…"))
        self._fill_subcategories()
        _fill(self.urgency, URGENCY_LABELS)
        self.customer_label.setText(self._customer_text())
        self.refresh_notices()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def print_ack(
    ctx: AppContext,
    complaint_id: uuid.UUID,
    number: str,
    parent: QWidget,
    print_function: PrintFunction,
    on_error: Callable[[BaseException], None] | None = None,
    on_printed: Callable[[str], None] | None = None,
) -> None:
    """Render the slip on the task worker in the receipt layout chosen at this PC, then
    print it through the receipts' print step."""
    service = ctx.service(ComplaintService)
    layout = saved_layout(ctx.settings).value

    def record(outcome: str) -> None:
        actor = ctx.actor
        ctx.tasks.run(lambda: service.record_ack_print(actor, complaint_id, outcome))

    from ui.devices.slips import print_ack_direct  # the ESC/POS printer, if set up

    def direct_printed() -> None:
        if on_printed is not None:
            on_printed(number)

    if print_ack_direct(ctx, complaint_id, layout, record, on_error, direct_printed):
        return

    def done(pdf: bytes) -> None:
        try:
            printed = print_document(print_function, pdf, titles.complaint_slip(number), parent)
        except Exception as exc:  # a printer fault: shown, the complaint stays recorded
            record("failed")
            if on_error is not None:
                on_error(exc)
            return
        record("printed" if printed else "cancelled")
        if printed and on_printed is not None:
            on_printed(number)

    ctx.tasks.run(
        lambda: service.render_ack(complaint_id, layout),
        on_done=done,
        on_error=on_error,
    )
