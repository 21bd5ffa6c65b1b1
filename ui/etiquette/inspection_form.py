"""The checklist form: a leader's inspection, a clerk's self-check or a weekly simulation.

Answering is made for the keyboard: the items are one table (``answer_grid``); on the
current row ``P`` answers pass, ``F`` fail, ``N`` not applicable, a digit gives a scale
score, and the cursor moves to the next item; ``Backspace`` clears the answer. The score is
computed live by the domain's scoring (``inspectionScore``) with unanswered mandatory items
counted. Signing an inspection or a simulation asks for a shift leader's credential
(``LeaderDialog``); the checklist is written only then, in one transaction, and the form
closes. A refusal keeps every answer.

Photos come from a file (``QFileDialog``): this build ships no QtMultimedia, so there is no
camera capture.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

from PySide6.QtCore import QDate, QEvent, QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.domain.etiquette_scoring import (
    TemplateKind,
    format_percent,
    percent_tenths,
    score_checklist,
)
from app.i18n import N_, _, current_language, ngettext
from app.services.etiquette import (
    ChecklistDraft,
    EtiquetteService,
    SignedChecklist,
    TemplateInfo,
)
from app.services.etiquette.reports import InspectionDetail
from ui.context import AppContext
from ui.errors import error_text
from ui.etiquette.answer_grid import AnswerGrid, AnswerRow, PhotoPicker, file_photo_picker
from ui.keyboard import starts_here
from ui.service_dialogs import LeaderDialog
from ui.widgets import BusyGuardDialog, Palette, fit_to_screen, heading_label, set_text_colour

_TITLES: Final = {
    TemplateKind.INSPECTION: N_("Service-standard inspection"),
    TemplateKind.SELF_CHECK: N_("Start-of-shift self-check"),
    TemplateKind.SIMULATION: N_("Weekly simulation scoring"),
}


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
        self._service = ctx.service(EtiquetteService)
        self._started_at: datetime = ctx.clock()
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

        self.grid = AnswerGrid(photo_picker, self)
        self.grid.changed.connect(self._answers_changed)
        self.grid.failed.connect(self.show_error)
        self.remarks = QLineEdit(self)
        self.remarks.setObjectName("inspectionRemarks")
        self.remarks.setMaxLength(500)

        self.score = QLabel(self)
        self.score.setObjectName("inspectionScore")
        font = self.score.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 2)
        self.score.setFont(font)
        self.error = QLabel(self)
        self.error.setObjectName("inspectionError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()
        self.sign_button = QPushButton(self)
        self.sign_button.setObjectName("inspectionSign")
        # Enter signs (the default), wherever the focus is but a text field: never the
        # photo button, which opens a file dialog.
        self.sign_button.setDefault(True)
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
        layout.addWidget(self.grid, 1)
        layout.addLayout(remarks)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        # Centred at 1000×720 where it fits; maximised on a 1366×768 counter monitor,
        # where 720 px and the frame would end under the panel.
        fit_to_screen(self, QSize(1000, 720))

        if kind is TemplateKind.SELF_CHECK and correction_of is None:
            # Nothing to choose above the items: the clerk answers them at once.
            starts_here(self.grid.items)
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
        rows: list[AnswerRow] = []
        if info is not None:
            for section in info.spec.sections:
                rows.extend(AnswerRow(item, section.title) for item in section.items)
            if self._kind is TemplateKind.SIMULATION and not self.scenario.count():
                for scenario in info.spec.scenarios:
                    self.scenario.addItem(scenario.pick(language))
                self.scenario.setEditText("")
        if self._correction is not None:
            previous = {a.item_key: a for a in self._correction.answers}
            for row in rows:
                found = previous.get(row.item.key)
                if found is not None:
                    row.value = found.value or None
                    row.comment = found.comment
        self.grid.load(rows)
        self._update_score()

    def _clerk_changed(self) -> None:
        clerk_id = self.clerk.currentData()
        if clerk_id is None or self._kind is not TemplateKind.INSPECTION:
            self.rechecks.hide()
            self.grid.recheck_keys = set()
            return
        actions = self._service.open_actions(self._ctx.actor, int(clerk_id))
        if actions:
            self.rechecks.setText(
                _("To recheck from earlier inspections: {items}").format(
                    items=pgettext_list([a.item_text for a in actions])
                )
            )
            self.rechecks.show()
        else:
            self.rechecks.hide()
        self.grid.set_recheck({a.item_key for a in actions})

    # -- score and signing -----------------------------------------------------------------

    def answers(self) -> dict[str, str | None]:
        return self.grid.answers()

    def _answers_changed(self) -> None:
        self._update_score()
        self.clear_error()

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
            answers=self.grid.inputs(),
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
            "remarks": _("Remarks:"),
        }
        for name, text in texts.items():
            self.labels[name].setText(text)
        self.sign_button.setText(
            _("Sign…") if self._kind is not TemplateKind.SELF_CHECK else _("Sign")
        )
        self.cancel_button.setText(_("Cancel"))
        self.grid.retranslate_ui()
        self._update_score()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def pgettext_list(parts: list[str]) -> str:
    from app.i18n import pgettext

    return pgettext("list separator", ", ").join(parts)
