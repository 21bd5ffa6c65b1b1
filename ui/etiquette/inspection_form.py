"""The checklist form: a leader's inspection, a clerk's self-check or a weekly simulation.

Answering is made for the keyboard: the items are one table; on the current row ``P``
answers pass, ``F`` fail, ``N`` not applicable, a digit gives a scale score, and the cursor
moves to the next item; ``Backspace`` clears the answer. The answer box under the table and
a double click do the same with the mouse. The score is computed live by the domain's
scoring (``inspectionScore``) with unanswered mandatory items counted. Signing an inspection
or a simulation asks for a shift leader's credential (``LeaderDialog``); the checklist is
written only then, in one transaction, and the form closes. A refusal keeps every answer.

Photos come from a file (``QFileDialog``): this build ships no QtMultimedia, so there is no
camera capture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.domain.etiquette_scoring import (
    NOT_APPLICABLE,
    ItemSpec,
    LocalText,
    ResponseKind,
    TemplateKind,
    format_percent,
    percent_tenths,
    score_checklist,
)
from app.i18n import N_, _, current_language, ngettext
from app.services.etiquette import (
    MAX_PHOTO_BYTES,
    AnswerInput,
    ChecklistDraft,
    EtiquetteService,
    PhotoUpload,
    SignedChecklist,
    TemplateInfo,
)
from app.services.etiquette.reports import InspectionDetail, answer_text
from ui.arrears.action_dialogs import LeaderDialog
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import BusyGuardDialog, Palette, heading_label, set_text_colour

COL_SECTION, COL_ITEM, COL_ANSWER, COL_COMMENT, COL_PHOTO = range(5)
_HEADERS: Final = (N_("Section"), N_("Item"), N_("Answer"), N_("Comment"), N_("Photo"))
_TITLES: Final = {
    TemplateKind.INSPECTION: N_("Service-standard inspection"),
    TemplateKind.SELF_CHECK: N_("Start-of-shift self-check"),
    TemplateKind.SIMULATION: N_("Weekly simulation scoring"),
}

#: Picks a photo file: returns a path or None (a test injects one without a dialog).
PhotoPicker = Callable[[QWidget], str | None]


def file_photo_picker(parent: QWidget) -> str | None:
    path, _filter = QFileDialog.getOpenFileName(
        parent, _("Attach a photo"), "", _("Images (*.png *.jpg *.jpeg)")
    )
    return path or None


@dataclass
class _Row:
    item: ItemSpec
    section_title: LocalText
    value: str | None = None
    comment: str = ""
    photo: PhotoUpload | None = None


class InspectionForm(BusyGuardDialog):
    """One checklist being answered (see the module docstring). ``signed`` holds the
    service's answer once it was written."""

    def __init__(
        self,
        ctx: AppContext,
        kind: TemplateKind,
        *,
        correction_of: InspectionDetail | None = None,
        photo_picker: PhotoPicker = file_photo_picker,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inspectionForm")
        self.setModal(True)
        self._ctx = ctx
        self._kind = kind
        self._correction = correction_of
        self._pick_photo = photo_picker
        self._service = ctx.service(EtiquetteService)
        self._started_at: datetime = ctx.clock()
        self._rows: list[_Row] = []
        self.signed: SignedChecklist | None = None
        self.leader_dialog: LeaderDialog | None = None

        self.heading = heading_label(self)
        self.template = QComboBox(self)
        self.template.setObjectName("inspectionTemplate")
        self.clerk = QComboBox(self)
        self.clerk.setObjectName("inspectionClerk")
        self.counter = QComboBox(self)
        self.counter.setObjectName("inspectionCounter")
        self.scenario = QComboBox(self)
        self.scenario.setObjectName("inspectionScenario")
        self.scenario.setEditable(True)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("inspectionCorrectionReason")
        self.reason.setMaxLength(200)
        self.due = QDateEdit(self)
        self.due.setObjectName("inspectionActionsDue")
        self.due.setCalendarPopup(True)
        self.rechecks = QLabel(self)
        self.rechecks.setObjectName("inspectionRechecks")
        self.rechecks.setWordWrap(True)
        set_text_colour(self.rechecks, Palette.WARNING)

        self.labels = {
            name: QLabel(self)
            for name in (
                "template",
                "clerk",
                "counter",
                "scenario",
                "reason",
                "due",
                "answer",
                "comment",
                "remarks",
            )
        }
        form = QFormLayout()
        form.addRow(self.labels["template"], self.template)
        form.addRow(self.labels["clerk"], self.clerk)
        form.addRow(self.labels["counter"], self.counter)
        form.addRow(self.labels["scenario"], self.scenario)
        form.addRow(self.labels["reason"], self.reason)
        form.addRow(self.labels["due"], self.due)

        self.items = QTableWidget(0, len(_HEADERS), self)
        self.items.setObjectName("inspectionItems")
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.verticalHeader().setVisible(False)
        self.items.setWordWrap(False)
        self.items.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Stretch)
        for col in (COL_SECTION, COL_ANSWER, COL_COMMENT, COL_PHOTO):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.items.installEventFilter(self)
        self.items.currentCellChanged.connect(self._row_changed)
        self.items.cellDoubleClicked.connect(self._cycle)

        self.answer = QComboBox(self)
        self.answer.setObjectName("inspectionAnswer")
        self.answer.setMinimumContentsLength(8)
        self.answer.activated.connect(self._answer_chosen)
        self.comment = QLineEdit(self)
        self.comment.setObjectName("inspectionItemComment")
        self.comment.setMaxLength(500)
        self.comment.textEdited.connect(self._comment_edited)
        self.photo_button = QPushButton(self)
        self.photo_button.setObjectName("inspectionPhoto")
        self.photo_button.clicked.connect(self._attach_photo)
        self.remarks = QLineEdit(self)
        self.remarks.setObjectName("inspectionRemarks")
        self.remarks.setMaxLength(500)
        item_bar = QHBoxLayout()
        item_bar.addWidget(self.labels["answer"])
        item_bar.addWidget(self.answer)
        item_bar.addWidget(self.labels["comment"])
        item_bar.addWidget(self.comment, 1)
        item_bar.addWidget(self.photo_button)

        self.score = QLabel(self)
        self.score.setObjectName("inspectionScore")
        font = self.score.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 2)
        self.score.setFont(font)
        self.hint = QLabel(self)
        set_text_colour(self.hint, Palette.MUTED)
        self.error = QLabel(self)
        self.error.setObjectName("inspectionError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()
        self.sign_button = QPushButton(self)
        self.sign_button.setObjectName("inspectionSign")
        self.sign_button.setDefault(False)
        self.sign_button.setAutoDefault(False)
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.score, 1)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.cancel_button)
        remarks = QHBoxLayout()
        remarks.addWidget(self.labels["remarks"])
        remarks.addWidget(self.remarks, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.rechecks)
        layout.addWidget(self.items, 1)
        layout.addLayout(item_bar)
        layout.addWidget(self.hint)
        layout.addLayout(remarks)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(1000, 720)

        self._fill_choices()
        self.template.currentIndexChanged.connect(self._template_changed)
        self.clerk.currentIndexChanged.connect(self._clerk_changed)
        self.retranslate_ui()
        self._template_changed()
        self._clerk_changed()

    # -- set-up ----------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        actor = self._ctx.actor
        if self._correction is not None:
            templates = [self._service.template(actor, self._template_id_of_correction())]
        else:
            templates = self._service.templates(actor, self._kind)
        self._templates: list[TemplateInfo] = templates
        language = current_language()
        for info in templates:
            self.template.addItem(
                _("{title} (version {version})").format(
                    title=info.spec.title.pick(language), version=info.version
                ),
                info.id,
            )
        if self._kind is TemplateKind.SELF_CHECK:
            self.clerk.addItem(f"{actor.staff_no} {actor.name}", actor.staff_id)
        else:
            for staff in self._service.staff_choices(actor):
                self.clerk.addItem(staff.label, staff.staff_id)
        self.counter.addItem(_("(none)"), None)
        for counter in self._service.counters(actor):
            self.counter.addItem(f"{counter.code} {counter.name}", counter.counter_id)
        today = self._service.business_date(actor)
        due = today + timedelta(days=self._service.action_due_days())
        self.due.setDate(QDate(due.year, due.month, due.day))
        self.due.setMinimumDate(QDate(today.year, today.month, today.day))
        if self._correction is not None:
            row = self._correction.row
            self.clerk.setCurrentIndex(max(0, self.clerk.findData(row.clerk_id)))
            self.clerk.setEnabled(False)
            self.template.setEnabled(False)
            if row.scenario:
                self.scenario.setEditText(row.scenario)
        visible = {
            "scenario": self._kind is TemplateKind.SIMULATION,
            "reason": self._correction is not None,
            "due": self._kind is TemplateKind.INSPECTION,
            "counter": self._kind is not TemplateKind.SIMULATION,
        }
        widgets = {
            "scenario": self.scenario,
            "reason": self.reason,
            "due": self.due,
            "counter": self.counter,
        }
        for name, shown in visible.items():
            widgets[name].setVisible(shown)
            self.labels[name].setVisible(shown)
        if self._kind is TemplateKind.SELF_CHECK:
            self.clerk.setEnabled(False)

    def _template_id_of_correction(self) -> Any:
        assert self._correction is not None
        # The correction keeps the version of the inspection it corrects.
        spec = self._correction.spec
        for info in self._service.template_versions(self._ctx.actor, spec.code):
            if info.spec == spec and info.version == self._correction.row.template_version:
                return info.id
        raise ValidationError("template", N_("This checklist template does not exist."))

    @property
    def current_template(self) -> TemplateInfo | None:
        index = self.template.currentIndex()
        return self._templates[index] if 0 <= index < len(self._templates) else None

    def _template_changed(self) -> None:
        info = self.current_template
        language = current_language()
        self._rows = []
        if info is not None:
            for section in info.spec.sections:
                self._rows.extend(_Row(item, section.title) for item in section.items)
            if self._kind is TemplateKind.SIMULATION and not self.scenario.count():
                for scenario in info.spec.scenarios:
                    self.scenario.addItem(scenario.pick(language))
                self.scenario.setEditText("")
        if self._correction is not None:
            previous = {a.item_key: a for a in self._correction.answers}
            for row in self._rows:
                found = previous.get(row.item.key)
                if found is not None:
                    row.value = found.value or None
                    row.comment = found.comment
        self.items.setRowCount(len(self._rows))
        for r in range(len(self._rows)):
            self._paint_row(r)
        if self._rows:
            self.items.setCurrentCell(0, COL_ANSWER)
        self._update_score()

    def _clerk_changed(self) -> None:
        clerk_id = self.clerk.currentData()
        if clerk_id is None or self._kind is not TemplateKind.INSPECTION:
            self.rechecks.hide()
            self._recheck_keys: set[str] = set()
            return
        actions = self._service.open_actions(self._ctx.actor, int(clerk_id))
        self._recheck_keys = {a.item_key for a in actions}
        if actions:
            self.rechecks.setText(
                _("To recheck from earlier inspections: {items}").format(
                    items=pgettext_list([a.item_text for a in actions])
                )
            )
            self.rechecks.show()
        else:
            self.rechecks.hide()
        for r in range(len(self._rows)):
            self._paint_row(r)

    # -- rows ------------------------------------------------------------------------------

    def _paint_row(self, r: int) -> None:
        row = self._rows[r]
        item = row.item
        language = current_language()
        text = item.text.pick(language)
        marks = []
        if item.mandatory:
            marks.append("*")
        if item.critical:
            marks.append(_("[critical]"))
        if item.key in getattr(self, "_recheck_keys", set()):
            marks.append(_("[recheck]"))
        if marks:
            text = f"{text} {' '.join(marks)}"
        cells = [
            row.section_title.pick(language),
            text,
            answer_text(row.value or "", item.max_points, item.response),
            row.comment,
            "📷" if row.photo else "",
        ]
        scored = None
        if row.value is not None:
            from app.domain.etiquette_scoring import score_item

            scored = score_item(item, row.value)
        for col, value in enumerate(cells):
            cell = self.items.item(r, col)
            if cell is None:
                cell = QTableWidgetItem()
                self.items.setItem(r, col, cell)
            cell.setText(value)
            if col == COL_ITEM:
                tip = _("Answer with P (pass), F (fail), N (not applicable)")
                if item.response is ResponseKind.SCALE:
                    tip = _("Answer with a score from 0 to {max}, or N (not applicable)").format(
                        max=item.max_points
                    )
                cell.setToolTip(tip)
            colour: QColor | None = None
            if scored is not None and scored.failed:
                colour = Palette.DANGER
            elif col == COL_ITEM and item.critical:
                colour = Palette.WARNING
            cell.setForeground(colour if colour is not None else self.palette().text().color())

    def _row_changed(self, row: int, _col: int, _prev_row: int, _prev_col: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        current = self._rows[row]
        self.answer.blockSignals(True)
        self.answer.clear()
        self.answer.addItem("", None)
        for choice in current.item.choices():
            self.answer.addItem(
                answer_text(choice, current.item.max_points, current.item.response), choice
            )
        self.answer.setCurrentIndex(max(0, self.answer.findData(current.value)))
        self.answer.blockSignals(False)
        self.comment.setText(current.comment)
        self._update_photo_button()

    def current_row(self) -> int:
        return self.items.currentRow()

    def set_answer(self, row: int, value: str | None, *, advance: bool = False) -> None:
        """Answer item ``row`` (``None`` clears it); refuses silently what the item cannot
        take (the table's hint says what it can)."""
        if not 0 <= row < len(self._rows):
            return
        target = self._rows[row]
        if value is not None and value not in target.item.choices():
            cell = self.items.item(row, COL_ITEM)
            self.hint.setText(cell.toolTip() if cell else "")
            return
        target.value = value
        self._paint_row(row)
        self._update_score()
        self.clear_error()
        if row == self.items.currentRow():
            self.answer.setCurrentIndex(max(0, self.answer.findData(value)))
        if advance and row + 1 < len(self._rows):
            self.items.setCurrentCell(row + 1, COL_ANSWER)

    def _answer_chosen(self, index: int) -> None:
        self.set_answer(self.current_row(), self.answer.itemData(index))

    def _cycle(self, row: int, _col: int) -> None:
        choices = (None, *self._rows[row].item.choices())
        position = choices.index(self._rows[row].value)
        self.set_answer(row, choices[(position + 1) % len(choices)])

    def _comment_edited(self, text: str) -> None:
        row = self.current_row()
        if 0 <= row < len(self._rows):
            self._rows[row].comment = text
            self._paint_row(row)

    def _attach_photo(self) -> None:
        row = self.current_row()
        if not 0 <= row < len(self._rows):
            return
        target = self._rows[row]
        if target.photo is not None:
            target.photo = None
        else:
            path = self._pick_photo(self)
            if not path:
                return
            try:
                size = Path(path).stat().st_size
                if size > MAX_PHOTO_BYTES:
                    raise ValidationError(
                        "photo",
                        N_("A photo can be at most {size} MB."),
                        size=MAX_PHOTO_BYTES // (1024 * 1024),
                    )
                data = Path(path).read_bytes()
            except ValidationError as exc:
                self.show_error(exc.user_message())
                return
            except OSError as exc:
                self.show_error(
                    _("The file cannot be read: {reason}").format(reason=exc.strerror or exc)
                )
                return
            target.photo = PhotoUpload(Path(path).name, data)
        self._paint_row(row)
        self._update_photo_button()

    def _update_photo_button(self) -> None:
        row = self.current_row()
        has = 0 <= row < len(self._rows) and self._rows[row].photo is not None
        self.photo_button.setText(_("Remove photo") if has else _("Attach photo…"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.items and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self._handle_key(event):
                return True
        return super().eventFilter(watched, event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        row = self.current_row()
        if not 0 <= row < len(self._rows):
            return False
        key = event.key()
        item = self._rows[row].item
        value: str | None
        if key == Qt.Key.Key_P:
            value = "pass"
        elif key == Qt.Key.Key_F:
            value = "fail"
        elif key == Qt.Key.Key_N:
            value = NOT_APPLICABLE
        elif Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            value = str(int(key) - int(Qt.Key.Key_0))
            if item.max_points == 10 and value == "1" and self._rows[row].value == "1":
                value = "10"  # "1" twice on a 0–10 scale
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.set_answer(row, None)
            return True
        else:
            return False
        if item.response is ResponseKind.PASS_FAIL and value.isdigit():
            value = "pass" if value == "1" else "fail" if value == "0" else value
        self.set_answer(row, value, advance=value in item.choices())
        return True

    # -- score and signing -----------------------------------------------------------------

    def answers(self) -> dict[str, str | None]:
        return {row.item.key: row.value for row in self._rows if row.value is not None}

    def _update_score(self) -> None:
        info = self.current_template
        if info is None:
            self.score.setText("")
            return
        result = score_checklist(info.spec, self.answers())
        text = _("Score: {score}").format(score=format_percent(percent_tenths(result.score)))
        if result.critical_failed:
            text += " · " + _("critical item failed")
            set_text_colour(self.score, Palette.DANGER)
        elif result.passed is False:
            text += " · " + _("below the pass mark of {mark}%").format(mark=result.pass_percent)
            set_text_colour(self.score, Palette.DANGER)
        elif result.passed:
            set_text_colour(self.score, Palette.OK)
        else:
            set_text_colour(self.score, None)
        missing = len(result.missing_mandatory)
        if missing:
            text += " · " + ngettext(
                "{n} mandatory item unanswered", "{n} mandatory items unanswered", missing
            ).format(n=missing)
        self.score.setText(text)

    def draft(self) -> ChecklistDraft:
        info = self.current_template
        if info is None:
            raise ValidationError("template", N_("Choose a checklist."))
        clerk_id = self.clerk.currentData()
        if clerk_id is None:
            raise ValidationError("clerk", N_("Choose the clerk who was checked."))
        due = self.due.date()
        return ChecklistDraft(
            template_id=info.id,
            clerk_id=int(clerk_id),
            started_at=self._started_at,
            answers={
                row.item.key: AnswerInput(row.value, row.comment, row.photo)
                for row in self._rows
                if row.value is not None or row.comment or row.photo
            },
            counter_id=self.counter.currentData(),
            comment=self.remarks.text(),
            scenario=self.scenario.currentText() if self._kind is TemplateKind.SIMULATION else "",
            supersedes_id=self._correction.row.inspection_id if self._correction else None,
            correction_reason=self.reason.text(),
            action_due_on=date(due.year(), due.month(), due.day())
            if self._kind is TemplateKind.INSPECTION
            else None,
        )

    def sign(self) -> None:
        if self._busy:
            return
        self.clear_error()
        try:
            draft = self.draft()
            info = self.current_template
            assert info is not None
            from app.domain.etiquette_scoring import check_signable

            check_signable(info.spec, self.answers())
            if self._correction is not None and not draft.correction_reason.strip():
                raise ValidationError(
                    "correction_reason", N_("Give the reason for the correction.")
                )
            if self._kind is TemplateKind.SIMULATION and not draft.scenario.strip():
                raise ValidationError("scenario", N_("Describe the scenario that was simulated."))
        except ValidationError as exc:
            self.show_error(exc.user_message())
            return
        service, actor = self._service, self._ctx.actor
        if self._kind is TemplateKind.SELF_CHECK:
            self._set_busy(True)
            self._ctx.tasks.run(
                lambda: service.sign_self_check(actor, draft),
                on_done=self._signed,
                on_error=self._failed,
            )
            return
        signer = (
            service.sign_simulation
            if self._kind is TemplateKind.SIMULATION
            else service.sign_inspection
        )
        clerk = self.clerk.currentText()
        dialog = LeaderDialog(
            self._ctx,
            lambda: _("Sign the checklist of {clerk} as the inspecting shift leader.").format(
                clerk=clerk
            ),
            action=lambda leader, _reason: signer(actor, draft, leader),
            parent=self,
        )
        self.leader_dialog = dialog
        dialog.finished.connect(lambda _code: self._leader_done(dialog))
        dialog.open()

    def _leader_done(self, dialog: LeaderDialog) -> None:
        self.leader_dialog = None
        if dialog.result() == QDialog.DialogCode.Accepted and dialog.outcome is not None:
            self._signed(dialog.outcome)
        dialog.deleteLater()

    def _signed(self, outcome: SignedChecklist) -> None:
        self._set_busy(False)
        self.signed = outcome
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_error(error_text(exc))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def clear_error(self) -> None:
        self.error.hide()
        self.error.clear()

    # -- language --------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        language = current_language()
        for index, info in enumerate(getattr(self, "_templates", [])):
            self.template.setItemText(
                index,
                _("{title} (version {version})").format(
                    title=info.spec.title.pick(language), version=info.version
                ),
            )
        if self.counter.count():
            self.counter.setItemText(0, _("(none)"))
        title = _(_TITLES[self._kind])
        if self._correction is not None:
            title = _("Correction: {title}").format(title=title)
        self.setWindowTitle(title)
        self.heading.setText(title)
        texts = {
            "template": _("Checklist:"),
            "clerk": _("Clerk:") if self._kind is not TemplateKind.SELF_CHECK else _("Myself:"),
            "counter": _("Counter:"),
            "scenario": _("Scenario:"),
            "reason": _("Reason for the correction:"),
            "due": _("Corrective actions due:"),
            "answer": _("Answer:"),
            "comment": _("Comment:"),
            "remarks": _("Remarks:"),
        }
        for name, text in texts.items():
            self.labels[name].setText(text)
        self.items.setHorizontalHeaderLabels([_(h) for h in _HEADERS])
        self.hint.setText(
            _(
                "Keys on the list: P pass · F fail · N not applicable · 0–9 score · "
                "Backspace clears. * mandatory."
            )
        )
        self.sign_button.setText(
            _("Sign…") if self._kind is not TemplateKind.SELF_CHECK else _("Sign")
        )
        self.cancel_button.setText(_("Cancel"))
        self._update_photo_button()
        for r in range(len(self._rows)):
            self._paint_row(r)
        self._update_score()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def pgettext_list(parts: list[str]) -> str:
    from app.i18n import pgettext

    return pgettext("list separator", ", ").join(parts)
