"""One complaint: what was taken at intake, the clock and the appeal window, the event
history, the call-backs, and the steps the status allows now (objectName
``complaintCase``).

Each step opens a ``StepDialog`` asking what that step needs (a department and a note to
forward; way, content and satisfaction to feed back; a reason to pause or reopen …). A
refusal stays in the dialog with what was typed; the service records an event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, QEvent, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.complaint_deadline import due_text, period_text, statutory_period_text
from app.domain.complaint_flow import (
    CONTACT_WAY_LABELS,
    DEPARTMENT_LABELS,
    SATISFACTION_LABELS,
    SUBCATEGORIES,
    EventKind,
)
from app.domain.errors import ValidationError
from app.i18n import N_, _, format_date, format_datetime
from app.services.complaints import CallbackView, ComplaintCase, ComplaintService, EventView
from app.services.complaints.records import MAX_NOTE
from ui.complaints.intake_form import print_ack
from ui.complaints.labels import (
    category_text,
    channel_text,
    contact_way_text,
    department_text,
    event_text,
    level_colour,
    risk_text,
    satisfaction_text,
    status_text,
    subcategory_label,
    time_left_text,
    urgency_text,
)
from ui.context import AppContext
from ui.errors import error_text
from ui.printing import PrintFunction, default_print_function
from ui.widgets import (
    Column,
    Palette,
    RowTableModel,
    configure_table,
    heading_label,
    set_column_widths,
    set_text_colour,
)

#: The step buttons in their order: (event kind or "callback"/"print", objectName, msgid).
STEPS: Final[tuple[tuple[str, str, str], ...]] = (
    (EventKind.CLASSIFIED, "complaintClassify", N_("Classify")),
    (EventKind.FORWARDED, "complaintForward", N_("Forward")),
    (EventKind.PLANNED, "complaintPlan", N_("Handling plan")),
    (EventKind.HANDLED, "complaintHandle", N_("Handled")),
    (EventKind.FED_BACK, "complaintFeedBack", N_("Feed back")),
    (EventKind.ARCHIVED, "complaintArchive", N_("Archive")),
    (EventKind.REOPENED, "complaintReopen", N_("Reopen")),
    (EventKind.PAUSED, "complaintPause", N_("Pause clock")),
    (EventKind.RESUMED, "complaintResume", N_("Resume clock")),
    (EventKind.NOTE, "complaintNote", N_("Add note")),
    ("callback", "complaintCallback", N_("Promise call-back")),
    ("print", "complaintReprintAck", N_("Print acknowledgement")),
)
#: What the note field is called for each step, and whether it is required.
_NOTE_CAPTION: Final[dict[str, tuple[str, bool]]] = {
    EventKind.CLASSIFIED: (N_("Note"), False),
    EventKind.FORWARDED: (N_("What the department should do"), True),
    EventKind.PLANNED: (N_("Handling plan"), True),
    EventKind.HANDLED: (N_("What was done"), True),
    EventKind.FED_BACK: (N_("What the customer was told"), True),
    EventKind.ARCHIVED: (N_("Cause and lesson learnt"), False),
    EventKind.REOPENED: (N_("Why it is reopened"), True),
    EventKind.PAUSED: (N_("What we are waiting for from the customer"), True),
    EventKind.RESUMED: (N_("Note"), False),
    EventKind.NOTE: (N_("Note"), True),
    "callback": (N_("Note"), False),
}


def _event_detail(e: EventView) -> str:
    parts = []
    if not e.applied:
        parts.append(_conflict_text(e))
    if e.category:
        parts.append(category_text(e.category))
    if e.subcategory:
        parts.append(subcategory_label(e.subcategory))
    if e.department:
        parts.append(department_text(e.department))
    if e.way:
        parts.append(contact_way_text(e.way))
    if e.satisfaction:
        parts.append(satisfaction_text(e.satisfaction))
    if e.note:
        parts.append(e.note)
    return " · ".join(parts)


def _conflict_text(e: EventView) -> str:
    """The mark of a step that was not applied (two PCs acted on the complaint at once and
    the centre found it no longer valid): kept in the history, its effect left out."""
    if e.applied:
        return ""
    if e.conflict == "not_applied":
        return _("not applied — waiting for the centre")
    return _("conflict — not applied")


class StepDialog(QDialog):
    """Asks what one step needs and runs it; stays open with a message when refused."""

    def __init__(
        self,
        ctx: AppContext,
        case: ComplaintCase,
        kind: str,
        done: Callable[[ComplaintCase | None], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaintStepDialog")
        self._ctx = ctx
        self._case = case
        self.kind = kind
        self._done = done
        self._service = ctx.service(ComplaintService)
        self.form = QFormLayout()
        self.subcategory = QComboBox(self)
        self.subcategory.setObjectName("stepSubcategory")
        self.department = QComboBox(self)
        self.department.setObjectName("stepDepartment")
        self.way = QComboBox(self)
        self.way.setObjectName("stepWay")
        self.satisfaction = QComboBox(self)
        self.satisfaction.setObjectName("stepSatisfaction")
        self.due = QDateTimeEdit(self)
        self.due.setObjectName("stepDue")
        self.due.setCalendarPopup(True)
        zone = QTimeZone(ctx.hall.timezone.encode())
        self.due.setTimeZone(zone)
        soon = ctx.clock() + timedelta(hours=2)
        self.due.setDateTime(QDateTime.fromSecsSinceEpoch(int(soon.timestamp()), zone))
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("stepNote")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(110)
        self.error = QLabel(self)
        self.error.setObjectName("stepError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        title = next((_(m) for k, _n, m in STEPS if k == kind), kind)
        self.setWindowTitle(_("{step} — {number}").format(step=title, number=case.number))
        if kind == EventKind.CLASSIFIED:
            for category, subs in SUBCATEGORIES.items():
                for code, msgid in subs.items():
                    self.subcategory.addItem(f"{category_text(category)} / {_(msgid)}", code)
            found = self.subcategory.findData(case.state.subcategory)
            self.subcategory.setCurrentIndex(max(found, 0))
            self.form.addRow(_("Sub-category"), self.subcategory)
        if kind == EventKind.FORWARDED:
            for value, msgid in DEPARTMENT_LABELS.items():
                self.department.addItem(_(msgid), value.value)
            self.form.addRow(_("Department"), self.department)
        if kind == EventKind.FED_BACK:
            for value, msgid in CONTACT_WAY_LABELS.items():
                self.way.addItem(_(msgid), value.value)
            self.way.setCurrentIndex(max(0, self.way.findData(case.contact_way)))
            self.satisfaction.addItem(_("Choose…"), "")
            for value, msgid in SATISFACTION_LABELS.items():
                self.satisfaction.addItem(_(msgid), value.value)
            self.form.addRow(_("Answered by"), self.way)
            self.form.addRow(_("Customer's satisfaction"), self.satisfaction)
        if kind == "callback":
            self.form.addRow(_("Call back by"), self.due)
        caption, required = _NOTE_CAPTION.get(kind, (N_("Note"), False))
        self.form.addRow(_(caption) + (" *" if required else ""), self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def confirm(self) -> bool:
        """Run the step; True (and the dialog accepted) when the service recorded it."""
        actor, cid, note = self._ctx.actor, self._case.complaint_id, self.note.toPlainText()
        if len(note) > MAX_NOTE:
            self.error.setText(_("This text can be at most {max} characters.").format(max=MAX_NOTE))
            return False
        s = self._service
        try:
            result: ComplaintCase | None
            kind = self.kind
            if kind == EventKind.CLASSIFIED:
                result = s.classify(actor, cid, self.subcategory.currentData() or "", note)
            elif kind == EventKind.FORWARDED:
                result = s.forward(actor, cid, self.department.currentData() or "", note)
            elif kind == EventKind.PLANNED:
                result = s.plan(actor, cid, note)
            elif kind == EventKind.HANDLED:
                result = s.handle(actor, cid, note)
            elif kind == EventKind.FED_BACK:
                result = s.feed_back(
                    actor,
                    cid,
                    self.way.currentData() or "",
                    note,
                    self.satisfaction.currentData() or "",
                )
            elif kind == EventKind.ARCHIVED:
                result = s.archive(actor, cid, note)
            elif kind == EventKind.REOPENED:
                result = s.reopen(actor, cid, note)
            elif kind == EventKind.PAUSED:
                result = s.pause(actor, cid, note)
            elif kind == EventKind.RESUMED:
                result = s.resume(actor, cid, note)
            elif kind == EventKind.NOTE:
                result = s.add_note(actor, cid, note)
            else:
                due = datetime.fromtimestamp(
                    self.due.dateTime().toSecsSinceEpoch(), ZoneInfo(self._ctx.hall.timezone)
                )
                s.promise_callback(actor, cid, due, note)
                result = None
        except ValidationError as exc:
            self.error.setText(exc.user_message())
            return False
        except Exception as exc:
            self.error.setText(error_text(exc))
            return False
        self.accept()
        self._done(result)
        return True


class CaseView(QWidget):
    """See the module docstring. ``changed`` is emitted after a step was recorded."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        print_function: PrintFunction | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaintCase")
        self._ctx = ctx
        self._service = ctx.service(ComplaintService)
        self.print_function = print_function or default_print_function()
        self.case: ComplaintCase | None = None
        self.dialog: StepDialog | None = None

        self.title = heading_label(self)
        self.title.setObjectName("complaintCaseTitle")
        self.clock = QLabel(self)
        self.clock.setObjectName("complaintClock")
        self.clock.setWordWrap(True)
        self.risks = QLabel(self)
        self.risks.setObjectName("complaintRisks")
        self.risks.setWordWrap(True)
        set_text_colour(self.risks, Palette.DANGER)
        self.details = QLabel(self)
        self.details.setObjectName("complaintDetails")
        self.details.setWordWrap(True)
        self.show_phone = QPushButton(self)
        self.show_phone.setObjectName("complaintShowPhone")
        self.show_phone.clicked.connect(lambda *_a: self.reveal_phone())
        self.message = QLabel(self)
        self.message.setObjectName("complaintCaseMessage")
        self.message.setWordWrap(True)

        self.events = RowTableModel[EventView](
            [
                Column(
                    N_("Time"),
                    lambda e: format_datetime(e.at, self._ctx.hall.timezone, fmt="short"),
                ),
                Column(N_("Step"), lambda e: event_text(e.kind)),
                Column(N_("Staff"), lambda e: e.staff_no),
                Column(N_("Details"), _event_detail),
            ],
            self,
        )
        self.events_table = QTableView(self)
        self.events_table.setObjectName("complaintEvents")
        self.events_table.setModel(self.events)
        configure_table(self.events_table)
        set_column_widths(self.events_table, (16, 12, 8, 40))
        self.callbacks = RowTableModel[CallbackView](
            [
                Column(
                    N_("Call back by"),
                    lambda c: format_datetime(c.due_at, self._ctx.hall.timezone, fmt="short"),
                ),
                Column(
                    N_("Made"),
                    lambda c: (
                        format_datetime(c.done_at, self._ctx.hall.timezone, fmt="short")
                        if c.done_at
                        else _("Not yet made")
                    ),
                    foreground=lambda c: None if c.done_at else Palette.WARNING,
                ),
                Column(N_("Note"), lambda c: c.note),
            ],
            self,
        )
        self.callbacks_table = QTableView(self)
        self.callbacks_table.setObjectName("complaintCallbacks")
        self.callbacks_table.setModel(self.callbacks)
        configure_table(self.callbacks_table)
        self.callbacks_table.setMaximumHeight(110)
        self.callback_done = QPushButton(self)
        self.callback_done.setObjectName("complaintCallbackDone")
        self.callback_done.clicked.connect(lambda *_a: self.complete_callback())

        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for n, (kind, name, _msgid) in enumerate(STEPS):
            button = QPushButton(self)
            button.setObjectName(name)
            button.clicked.connect(lambda *_a, k=kind: self.run_step(k))
            self.buttons[kind] = button
            grid.addWidget(button, n // 6, n % 6)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.show_phone)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.clock)
        layout.addWidget(self.risks)
        layout.addWidget(self.details)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.events_table, 1)
        callbacks_row = QHBoxLayout()
        callbacks_row.addWidget(self.callbacks_table, 1)
        callbacks_row.addWidget(self.callback_done)
        layout.addLayout(callbacks_row)
        self.retranslate_ui()
        self._fill()

    # -- loading ---------------------------------------------------------------------------

    def show_complaint(self, complaint_id: uuid.UUID | None) -> None:
        self.message.clear()
        if complaint_id is None:
            self.case = None
        else:
            try:
                self.case = self._service.case(complaint_id)
            except Exception as exc:
                self.case = None
                self.message.setText(error_text(exc))
        self._fill()

    def _fill(self) -> None:
        case = self.case
        for kind, button in self.buttons.items():
            if case is None:
                button.setEnabled(False)
            elif kind == "print":
                button.setEnabled(True)
            elif kind == "callback":
                button.setEnabled(case.state.status != "archived")
            else:
                button.setEnabled(EventKind(kind) in case.allowed)
        self.show_phone.setEnabled(case is not None)
        if case is None:
            self.title.setText(_("No complaint selected"))
            for label in (self.clock, self.risks, self.details):
                label.clear()
            self.events.set_rows([])
            self.callbacks.set_rows([])
            self.callback_done.setEnabled(False)
            return
        tz = self._ctx.hall.timezone
        self.title.setText(
            _("{number} · {status}").format(
                number=case.number, status=status_text(case.state.status)
            )
        )
        reading = case.reading
        clock = _("{left}. Answer due {due} ({period}).").format(
            left=time_left_text(reading),
            due=due_text(reading.deadline.due_at, tz),
            period=period_text(case.day_count),
        )
        clock += " " + _(
            "Statutory date {date}: {period} from receipt; pauses do not stop it."
        ).format(date=due_text(reading.statutory_due, tz), period=statutory_period_text())
        if not reading.deadline.calendar_known:
            clock += " " + _(
                "The holiday calendar does not know this year yet: weekdays were counted."
            )
        clock += " " + _("The customer may appeal until {date}.").format(
            date=format_date(case.appeal_until)
        )
        self.clock.setText(clock)
        set_text_colour(self.clock, level_colour(reading.level))
        self.risks.setText(
            _("Appeal risk: {flags}").format(flags="、".join(risk_text(r) for r in case.risks))
            if case.risks
            else ""
        )
        category = category_text(case.state.category)
        if case.state.subcategory:
            category += " / " + subcategory_label(case.state.subcategory)
        lines = [
            _("Customer: {name}, {phone}; contact by {way}").format(
                name=case.customer_name,
                phone=case.contact_phone_masked,
                way=contact_way_text(case.contact_way),
            ),
            _("Received {at} by {staff} · {channel} · {urgency}").format(
                at=format_datetime(case.received_at, tz, fmt="short"),
                staff=case.staff_no,
                channel=channel_text(case.channel),
                urgency=urgency_text(case.urgency),
            ),
            _("Category: {category}").format(category=category),
        ]
        if case.state.department:
            lines.append(
                _("Department: {department}").format(
                    department=department_text(case.state.department)
                )
            )
        if case.service_number:
            lines.append(_("Service: {number}").format(number=case.service_number))
        lines.append(_("What happened: {text}").format(text=case.description))
        if case.request:
            lines.append(_("The customer wants: {text}").format(text=case.request))
        if case.fault_notice_id is not None:
            lines.append(_("Linked to an active fault notice."))
        self.details.setText("\n".join(lines))
        self.events.set_rows(case.events)
        self.callbacks.set_rows(case.callbacks)
        self.callback_done.setEnabled(any(c.done_at is None for c in case.callbacks))

    # -- actions ---------------------------------------------------------------------------

    def run_step(self, kind: str) -> StepDialog | None:
        """Open the dialog of one step (``print`` prints the slip again)."""
        case = self.case
        if case is None:
            return None
        if kind == "print":
            print_ack(
                self._ctx,
                case.complaint_id,
                case.number,
                self,
                self.print_function,
                on_error=lambda exc: self.message.setText(error_text(exc)),
            )
            return None
        dialog = StepDialog(self._ctx, case, kind, self._step_done, self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _step_done(self, result: ComplaintCase | None) -> None:
        if result is not None:
            self.case = result
            self._fill()
        elif self.case is not None:
            self.show_complaint(self.case.complaint_id)
        self.message.setText(_("Recorded."))
        set_text_colour(self.message, Palette.OK)
        self.changed.emit()

    def complete_callback(self) -> None:
        case = self.case
        if case is None:
            return
        rows = self.callbacks_table.selectionModel().selectedRows()
        candidates = [c for c in case.callbacks if c.done_at is None]
        chosen = self.callbacks.row_at(rows[0].row()) if rows else None
        target = chosen if chosen is not None and chosen.done_at is None else None
        target = target or (candidates[0] if candidates else None)
        if target is None:
            return
        try:
            self._service.complete_callback(self._ctx.actor, target.callback_id)
        except Exception as exc:
            self.message.setText(error_text(exc))
            set_text_colour(self.message, Palette.DANGER)
            return
        self.show_complaint(case.complaint_id)
        self.changed.emit()

    def reveal_phone(self) -> str:
        case = self.case
        if case is None:
            return ""
        try:
            phone = self._service.contact_phone(self._ctx.actor, case.complaint_id)
        except Exception as exc:
            self.message.setText(error_text(exc))
            return ""
        self.message.setText(_("Contact phone: {phone}").format(phone=phone))
        set_text_colour(self.message, None)
        return phone

    # -- language --------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        for kind, _name, msgid in STEPS:
            self.buttons[kind].setText(_(msgid))
        self.show_phone.setText(_("Show number"))
        self.callback_done.setText(_("Call-back made"))
        self.events.retranslate()
        self.callbacks.retranslate()
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
