"""The administrator's editor of the hall's arrears policy (欠费管理制度).

One page per amount tier: its code, the threshold in yuan from which it applies, and the
ladder's six possible steps, each switched on or off with its day offset (days after the
bill's due date) and whether it needs a shift leader. Above: the penalty per mille per day,
the restore deadline in hours, the grace days and the large-arrears threshold (the seed's
大额欠费: only a tier from it may restrict service before day 30).

The boxes allow more than the law does on purpose: ``ArrearsPolicy.validate()`` is the one
judge, and its refusal names the rule (Telecommunications Regulations art. 34) in the
user's language, where a spin box would only have stopped silently. Saving adds a new
policy version (``ArrearsService.save_policy``); the service checks the role again.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.arrears_policy import (
    SERVICE_ACTION_KINDS,
    ArrearsPolicy,
    LadderStep,
    StepKind,
    Tier,
)
from app.domain.errors import ValidationError
from app.domain.money import amount_text, parse_amount
from app.i18n import N_, _
from ui.arrears.labels import stage_text, tier_text
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import BusyGuardDialog, Palette, heading_label, set_text_colour

#: Ranges of the boxes: wider than the law allows, so ``validate()`` explains the limit.
MAX_PENALTY_BOX: Final = 10
MAX_RESTORE_HOURS_BOX: Final = 168
MAX_GRACE_BOX: Final = 90
MAX_OFFSET_BOX: Final = 999
SPIN_WIDTH: Final = 110
THRESHOLD_FORMAT: Final = N_(
    "Enter the threshold in yuan, for example 200 (0 for the lowest tier)."
)


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def parse_threshold(text: str) -> int:
    """A tier threshold in yuan; unlike a payment, zero is allowed (the lowest tier).
    Digits of other scripts are refused by ``amount_text`` before ``Decimal`` reads them."""
    value = amount_text(text, field="tiers").strip()
    try:
        if value and Decimal(value) == 0:
            return 0
    except InvalidOperation:
        pass
    try:
        return parse_amount(value, field="tiers")
    except ValidationError:
        raise ValidationError("tiers", THRESHOLD_FORMAT) from None


class TierEditor(QWidget):
    """One tier: code, threshold and the six steps of the ladder."""

    def __init__(self, tier: Tier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"tierEditor_{tier.code}")
        self.code = QLineEdit(tier.code, self)
        self.code.setObjectName("tierCode")
        self.code.setMaxLength(20)
        self.threshold = QLineEdit(_yuan(tier.min_fen), self)
        self.threshold.setObjectName("tierThreshold")
        self.threshold.setMaxLength(12)
        self.threshold.setMaximumWidth(2 * SPIN_WIDTH)
        self.code.setMaximumWidth(2 * SPIN_WIDTH)
        self.code_label = QLabel(self)
        self.threshold_label = QLabel(self)
        form = QFormLayout()
        form.addRow(self.code_label, self.code)
        form.addRow(self.threshold_label, self.threshold)

        self.step_header = QLabel(self)
        self.offset_header = QLabel(self)
        self.leader_header = QLabel(self)
        for label in (self.step_header, self.offset_header, self.leader_header):
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        grid = QGridLayout()
        grid.addWidget(self.step_header, 0, 0)
        grid.addWidget(self.offset_header, 0, 1)
        grid.addWidget(self.leader_header, 0, 2)
        self.enabled: dict[StepKind, QCheckBox] = {}
        self.offsets: dict[StepKind, QSpinBox] = {}
        self.leader: dict[StepKind, QCheckBox] = {}
        for row, kind in enumerate(StepKind, start=1):
            step = tier.step(kind)
            on = QCheckBox(self)
            on.setObjectName(f"step_{kind.value}")
            on.setChecked(step is not None)
            offset = QSpinBox(self)
            offset.setObjectName(f"offset_{kind.value}")
            offset.setRange(0, MAX_OFFSET_BOX)
            offset.setValue(step.day_offset if step else 0)
            offset.setMaximumWidth(SPIN_WIDTH)
            leader = QCheckBox(self)
            leader.setObjectName(f"leader_{kind.value}")
            leader.setChecked(step.needs_leader if step else kind in SERVICE_ACTION_KINDS)
            on.toggled.connect(self._update_enabled)
            self.enabled[kind], self.offsets[kind], self.leader[kind] = on, offset, leader
            grid.addWidget(on, row, 0)
            grid.addWidget(offset, row, 1)
            grid.addWidget(leader, row, 2)
        grid.setColumnStretch(0, 1)
        grid.setHorizontalSpacing(24)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addStretch(1)
        self._update_enabled()
        self.retranslate_ui()

    def _update_enabled(self) -> None:
        for kind, box in self.enabled.items():
            self.offsets[kind].setEnabled(box.isChecked())
            self.leader[kind].setEnabled(box.isChecked())

    def tier(self) -> Tier:
        """The tier as entered (not validated: the policy's ``validate()`` judges it)."""
        steps = tuple(
            LadderStep(kind, self.offsets[kind].value(), self.leader[kind].isChecked())
            for kind in StepKind
            if self.enabled[kind].isChecked()
        )
        return Tier(self.code.text().strip(), parse_threshold(self.threshold.text()), steps)

    def retranslate_ui(self) -> None:
        self.code_label.setText(_("Tier code:"))
        self.threshold_label.setText(_("Applies from (yuan overdue):"))
        self.step_header.setText(_("Step"))
        self.offset_header.setText(_("Days after the due date"))
        self.leader_header.setText(_("Needs a shift leader"))
        for kind, box in self.enabled.items():
            box.setText(stage_text(kind.value))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class PolicyDialog(BusyGuardDialog):
    """Edits the policy in force and saves it as a new version (administrators only)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyDialog")
        self.setModal(True)
        self._ctx = ctx
        self.saved_version: int | None = None
        self.version, policy = ctx.arrears.current_policy()

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.penalty = QSpinBox(self)
        self.penalty.setObjectName("policyPenalty")
        self.penalty.setRange(0, MAX_PENALTY_BOX)
        self.penalty.setValue(policy.penalty_per_mille_per_day)
        self.restore_hours = QSpinBox(self)
        self.restore_hours.setObjectName("policyRestoreHours")
        self.restore_hours.setRange(0, MAX_RESTORE_HOURS_BOX)
        self.restore_hours.setValue(policy.restore_hours)
        self.grace = QSpinBox(self)
        self.grace.setObjectName("policyGraceDays")
        self.grace.setRange(0, MAX_GRACE_BOX)
        self.grace.setValue(policy.grace_days)
        for box in (self.penalty, self.restore_hours, self.grace):
            box.setMaximumWidth(SPIN_WIDTH)
        self.large = QLineEdit(_yuan(policy.large_arrears_fen), self)
        self.large.setObjectName("policyLargeArrears")
        self.large.setMaxLength(12)
        self.large.setMaximumWidth(SPIN_WIDTH)
        self.penalty_label = QLabel(self)
        self.restore_label = QLabel(self)
        self.grace_label = QLabel(self)
        self.large_label = QLabel(self)
        form = QFormLayout()
        form.addRow(self.penalty_label, self.penalty)
        form.addRow(self.restore_label, self.restore_hours)
        form.addRow(self.grace_label, self.grace)
        form.addRow(self.large_label, self.large)

        self.tiers_title = heading_label(self, point_delta=0)
        self.tiers = QTabWidget(self)
        self.tiers.setObjectName("policyTiers")
        for tier in policy.tiers:
            self._add_tier_page(tier)
        self.add_tier_button = QPushButton(self)
        self.add_tier_button.setObjectName("policyAddTier")
        self.add_tier_button.clicked.connect(lambda *_a: self.add_tier())
        self.remove_tier_button = QPushButton(self)
        self.remove_tier_button.setObjectName("policyRemoveTier")
        self.remove_tier_button.clicked.connect(lambda *_a: self.remove_tier())
        tier_bar = QHBoxLayout()
        tier_bar.addWidget(self.tiers_title)
        tier_bar.addStretch(1)
        tier_bar.addWidget(self.add_tier_button)
        tier_bar.addWidget(self.remove_tier_button)

        self.error = QLabel(self)
        self.error.setObjectName("policyError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("policySave")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addLayout(tier_bar)
        layout.addWidget(self.tiers, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumSize(640, 620)
        self.retranslate_ui()

    # -- tiers ----------------------------------------------------------------------------

    def tier_editors(self) -> list[TierEditor]:
        return [self.tiers.widget(i) for i in range(self.tiers.count())]  # type: ignore[misc]

    def _add_tier_page(self, tier: Tier) -> TierEditor:
        editor = TierEditor(tier, self.tiers)
        self.tiers.addTab(editor, tier_text(tier.code) or tier.code)
        editor.code.textChanged.connect(self._retitle_tiers)
        return editor

    def add_tier(self) -> TierEditor:
        code = f"tier{self.tiers.count() + 1}"
        editor = self._add_tier_page(Tier(code, 0, ()))
        self.tiers.setCurrentWidget(editor)
        return editor

    def remove_tier(self) -> None:
        if self.tiers.count() > 1:
            self.tiers.removeTab(self.tiers.currentIndex())

    def _retitle_tiers(self) -> None:
        for index, editor in enumerate(self.tier_editors()):
            code = editor.code.text().strip()
            self.tiers.setTabText(index, tier_text(code) or code or "?")

    # -- saving ---------------------------------------------------------------------------

    def policy(self) -> ArrearsPolicy:
        """The policy as entered, validated (``ValidationError`` names the broken rule)."""
        policy = ArrearsPolicy(
            tiers=tuple(editor.tier() for editor in self.tier_editors()),
            penalty_per_mille_per_day=self.penalty.value(),
            restore_hours=self.restore_hours.value(),
            grace_days=self.grace.value(),
            large_arrears_fen=parse_amount(self.large.text(), field="large_arrears_fen"),
        )
        policy.validate()
        return policy

    def save(self) -> None:
        if self._busy:
            return
        self.error.hide()
        try:
            policy = self.policy()
        except ValidationError as exc:
            self._show_error(exc.user_message())
            return
        arrears, actor = self._ctx.arrears, self._ctx.actor
        self._set_busy(True)
        self._ctx.tasks.run(
            lambda: arrears.save_policy(actor, policy),
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, version: Any) -> None:
        self._set_busy(False)
        self.saved_version = int(version)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_error(error_text(exc))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    # -- language and closing -------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Arrears policy"))
        self.intro.setText(
            _(
                "Policy version {version} is in force. Saving makes a new version. The law "
                "sets the limits: suspension at least 30 days after the due date, "
                "termination at least 60 days after suspension, a penalty of at most 3‰ a "
                "day, service restored within 48 hours of full payment. Before day 30 only "
                "large arrears may be restricted, and only mobile lines."
            ).format(version=self.version)
        )
        self.penalty_label.setText(_("Late-payment penalty (‰ per day):"))
        self.restore_label.setText(_("Restore service within (hours):"))
        self.grace_label.setText(_("Grace days before the ladder starts:"))
        self.large_label.setText(_("Large arrears from (yuan):"))
        self.tiers_title.setText(_("Tiers by amount overdue"))
        self.add_tier_button.setText(_("Add tier"))
        self.remove_tier_button.setText(_("Remove tier"))
        self.save_button.setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self._retitle_tiers()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
