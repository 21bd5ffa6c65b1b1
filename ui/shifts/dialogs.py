"""The dialogs of a shift: open (float count), cash in, cash out (leader), close (blind count,
difference, leader), and a handover signature (a credential at that moment).

Each is a ``ServiceDialog``: it checks what was typed, runs the service call on the task
worker, shows a refusal inside the dialog in the user's language and stays open, so
nothing typed is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.domain.cash import DIFFERENCE_LABELS, MethodTally, MethodTotal
from app.domain.errors import ValidationError
from app.domain.handover import SIGNER_LABELS, Signer
from app.domain.money import parse_amount
from app.i18n import N_, _, format_money
from app.services.shifts import ClosePreview, DeskShift, ShiftService
from app.services.shifts.handover import HandoverService
from app.store.models.shifts import CashMovementKind
from ui.arrears.labels import yuan_text
from ui.context import AppContext
from ui.service_dialogs import MAX_REASON, LeaderDialog, ServiceDialog
from ui.shifts.counting import DenominationGrid, MethodTotalsBox, difference_text
from ui.widgets import Palette, set_text_colour


def _reason_field(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setMaxLength(MAX_REASON)
    return edit


class OpenShiftDialog(ServiceDialog):
    """Count the opening float by note and coin; a float different from the one the
    previous shift left needs a reason."""

    def __init__(self, ctx: AppContext, desk: DeskShift, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("openShiftDialog")
        self._desk = desk
        self.grid = DenominationGrid(self, prefix="openCount")
        self.expected = QLabel(self)
        self.expected.setObjectName("openExpectedFloat")
        self.reason = _reason_field(self, "floatReason")
        self.reason_label = QLabel(self)
        self.form.addRow(self.grid)
        self.form.addRow(self.expected)
        self.form.addRow(self.reason_label, self.reason)
        self.grid.changed.connect(self._update)
        self.reason.textEdited.connect(self.clear_error)
        self.retranslate_ui()

    def _update(self) -> None:
        expected = self._desk.expected_float_fen
        total = self.grid.total_fen()
        if expected is None:
            self.expected.setText(_("No float was handed over at this counter before."))
            set_text_colour(self.expected, Palette.MUTED)
            return
        text = _("Float handed over by the previous shift: {amount}.").format(
            amount=format_money(expected)
        )
        if total is not None and total != expected:
            text += " " + _("Difference: {difference}. Give a reason.").format(
                difference=difference_text(total - expected)
            )
            set_text_colour(self.expected, Palette.WARNING)
        else:
            set_text_colour(self.expected, Palette.OK)
        self.expected.setText(text)

    def collect(self) -> Callable[[], Any]:
        counts = self.grid.counts()
        reason = self.reason.text()
        shifts, actor = self._ctx.service(ShiftService), self._ctx.actor
        return lambda: shifts.open(actor, counts, reason)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Open shift"))
        self.intro.setText(
            _("Open your shift at counter {counter}: count the float in the drawer.").format(
                counter=self._desk.counter_code
            )
        )
        self.reason_label.setText(_("Reason for a difference:"))
        self.ok_button.setText(_("Open shift"))
        if hasattr(self, "grid"):
            self._update()


class CashInDialog(ServiceDialog):
    """Cash put into the drawer (change from the safe), with a reason."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("cashInDialog")
        self.amount = QLineEdit(self)
        self.amount.setObjectName("cashAmount")
        self.amount.setMaxLength(20)
        self.reason = _reason_field(self, "cashReason")
        self.amount_label, self.reason_label = QLabel(self), QLabel(self)
        self.form.addRow(self.amount_label, self.amount)
        self.form.addRow(self.reason_label, self.reason)
        self.retranslate_ui()

    def collect(self) -> Callable[[], Any]:
        amount = parse_amount(self.amount.text(), field="amount")
        reason = self.reason.text().strip()
        if not reason:
            raise ValidationError("reason", N_("Enter a reason."))
        shifts, actor = self._ctx.service(ShiftService), self._ctx.actor
        return lambda: shifts.cash_movement(actor, CashMovementKind.CASH_IN, amount, reason)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Cash in"))
        self.intro.setText(_("Cash put into the drawer, for example change from the safe."))
        self.amount_label.setText(_("Amount (yuan):"))
        self.reason_label.setText(_("Reason:"))


class CashOutDialog(LeaderDialog):
    """Cash taken out of the drawer (to the safe): amount, reason and a shift leader."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        shifts, actor = ctx.service(ShiftService), ctx.actor
        super().__init__(
            ctx,
            lambda: _("Take cash out of the drawer, for example to the safe."),
            action=lambda leader, reason: None,
            reason=True,
            parent=parent,
        )
        self.setObjectName("cashOutDialog")
        self._move = lambda leader, reason, amount: shifts.cash_movement(
            actor, CashMovementKind.CASH_OUT, amount, reason, leader
        )

    def build_fields(self) -> None:
        self.amount = QLineEdit(self)
        self.amount.setObjectName("cashAmount")
        self.amount.setMaxLength(20)
        self.amount_label = QLabel(self)
        self.form.addRow(self.amount_label, self.amount)

    def collect_input(self) -> Any:
        return parse_amount(self.amount.text(), field="amount")

    def call_action(
        self, action: Callable[..., Any], leader: Any, reason: str, payload: Any
    ) -> Any:
        return self._move(leader, reason, payload)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Cash out"))
        self.amount_label.setText(_("Amount (yuan):"))


class CloseShiftDialog(ServiceDialog):
    """Close the shift: count the drawer and type each card and electronic method's total
    from its settlement slip or statement (blind: before the expected figures are shown),
    see the differences, give a reason and, over the hall's limit (in the drawer or on any
    method), a leader's credential; say how much float stays for the next shift.

    Two steps: ``check`` computes the difference (``preview_close``); OK closes.
    """

    def __init__(
        self,
        ctx: AppContext,
        blind: bool,
        expected_cash_fen: int | None,
        opening_float_fen: int | None,
        parent: QWidget | None = None,
        methods: Sequence[MethodTotal | MethodTally] = (),
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("closeShiftDialog")
        self.preview: ClosePreview | None = None
        self._expected = expected_cash_fen
        self._methods = tuple(methods)
        self.blind = QCheckBox(self)
        self.blind.setObjectName("blindCount")
        self.blind.setChecked(blind or expected_cash_fen is None)
        self.blind.setEnabled(expected_cash_fen is not None and not blind)
        self.expected = QLabel(self)
        self.expected.setObjectName("closeExpected")
        self.grid = DenominationGrid(self, prefix="closeCount")
        self.methods_box = MethodTotalsBox(self._methods, self, prefix="closeMethod")
        counting = QWidget(self)
        row = QHBoxLayout(counting)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(18)
        row.addWidget(self.grid, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.methods_box, 1, Qt.AlignmentFlag.AlignTop)
        # The count grid keeps its full width (its amounts must not clip) beside the box.
        counting.setMinimumWidth(
            self.grid.sizeHint().width()
            + row.spacing()
            + self.methods_box.minimumSizeHint().width()
        )
        self.check_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.setObjectName("closeCheckButton")
        self.check_button.clicked.connect(self.check)
        self.difference_label = QLabel(self)
        self.difference_label.setObjectName("closeDifference")
        self.difference_label.setWordWrap(True)
        self.float_left = QLineEdit(self)
        self.float_left.setObjectName("floatLeft")
        # Under a blind count the clerk has no float figure: they count out what stays.
        if opening_float_fen is not None:
            self.float_left.setText(yuan_text(opening_float_fen) if opening_float_fen else "0")
        self.reason = _reason_field(self, "closeReason")
        self.leader_no = QLineEdit(self)
        self.leader_no.setObjectName("closeLeaderStaffNo")
        self.leader_no.setMaxLength(16)
        self.leader_password = QLineEdit(self)
        self.leader_password.setObjectName("closeLeaderPassword")
        self.leader_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.labels = {name: QLabel(self) for name in ("float", "reason", "leader", "password")}
        self.form.addRow(self.blind)
        self.form.addRow(self.expected)
        self.form.addRow(counting)
        self.form.addRow(self.difference_label)
        self.form.addRow(self.labels["float"], self.float_left)
        self.form.addRow(self.labels["reason"], self.reason)
        self.form.addRow(self.labels["leader"], self.leader_no)
        self.form.addRow(self.labels["password"], self.leader_password)
        self.blind.toggled.connect(self._show_expected)
        self.grid.changed.connect(self._counts_changed)
        self.methods_box.changed.connect(self._counts_changed)
        self.retranslate_ui()
        self._show_expected()
        self._counts_changed()

    def _show_expected(self) -> None:
        if self.blind.isChecked() or self._expected is None:
            self.expected.setText(
                _(
                    "Blind count: count the drawer and type the card and electronic totals "
                    "first; the expected figures are shown after Check."
                )
            )
            self.methods_box.show_expected({})
        else:
            self.expected.setText(
                _("Expected cash: {amount}").format(amount=format_money(self._expected))
            )
            self.methods_box.show_expected(
                {m.method: m.net_fen for m in self._methods if isinstance(m, MethodTotal)}
            )
        if self.preview is not None:
            self.methods_box.show_result(self.preview.methods)

    def _counts_changed(self) -> None:
        self.preview = None
        self.difference_label.setText(
            _("Count the cash, type the card and electronic totals, then press Check.")
        )
        set_text_colour(self.difference_label, Palette.MUTED)
        self.ok_button.setEnabled(False)
        # Until checked, Enter on the last field and Ctrl+Enter anywhere press Check.
        self.check_button.setDefault(True)

    def check(self) -> None:
        """Ask the service for the difference the counts give (nothing is written)."""
        self.clear_error()
        try:
            counts = self.grid.counts()
            totals = self.methods_box.totals()
        except ValidationError as exc:
            self.show_error(exc.user_message())
            return
        shifts, actor = self._ctx.service(ShiftService), self._ctx.actor
        self._set_busy(True)
        self._ctx.tasks.run(
            lambda: shifts.preview_close(actor, counts, totals),
            on_done=self._checked,
            on_error=self._failed,
        )

    def _checked(self, preview: ClosePreview) -> None:
        self._set_busy(False)
        self.preview = preview
        diff = preview.difference
        lines = [
            _("Expected cash: {amount}").format(amount=format_money(preview.expected_cash_fen)),
            _("Counted cash: {amount}").format(amount=format_money(preview.counted_cash_fen)),
            _("Difference: {difference}").format(difference=difference_text(diff.difference_fen)),
        ]
        for m in preview.methods:
            if not (m.expected_fen or m.counted_fen or m.method in self.methods_box.required):
                continue  # nothing taken, nothing counted
            lines.append(
                _("{method}: expected {expected}, counted {counted}, {difference}").format(
                    method=_(self.methods_box.label_msgid(m.method)),
                    expected=format_money(m.expected_fen),
                    counted=format_money(m.counted_fen),
                    difference=difference_text(m.difference_fen),
                )
            )
        self.methods_box.show_result(preview.methods)
        if preview.needs_leader:
            lines.append(
                _("Over the hall's limit of {limit}: a shift leader must approve.").format(
                    limit=format_money(preview.limit_fen)
                )
            )
        elif preview.needs_reason:
            lines.append(_("Give a reason for the difference."))
        if preview.unsynced:
            lines.append(_("{count} payments are not yet synced.").format(count=preview.unsynced))
        self.difference_label.setText("\n".join(lines))
        set_text_colour(
            self.difference_label,
            Palette.OK
            if not preview.needs_reason
            else Palette.DANGER
            if preview.needs_leader
            else Palette.WARNING,
        )
        self.difference_label.setAccessibleName(_(DIFFERENCE_LABELS[diff.kind]))
        self.ok_button.setEnabled(True)
        self.ok_button.setDefault(True)  # checked: Enter / Ctrl+Enter closes
        # What the difference asks for next takes the focus (a reason, the leader).
        needs_leader = preview.needs_leader or preview.unsynced > 0
        if needs_leader and not self.reason.text().strip():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        elif needs_leader:
            self.leader_no.setFocus(Qt.FocusReason.OtherFocusReason)
        elif preview.needs_reason:
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def collect(self) -> Callable[[], Any]:
        if self.preview is None:
            raise ValidationError("counts", N_("Press Check to see the difference first."))
        counts = self.grid.counts()
        totals = self.methods_box.totals()
        float_text = self.float_left.text().strip()
        float_left = 0 if float_text in ("", "0") else parse_amount(float_text, field="float_left")
        reason = self.reason.text()
        needs_leader = self.preview.needs_leader or self.preview.unsynced > 0
        staff_no, password = self.leader_no.text().strip(), self.leader_password.text()
        if needs_leader and not (staff_no and password):
            raise ValidationError(
                "leader", N_("Enter the shift leader's staff number and password.")
            )
        shifts, actor, auth = self._ctx.service(ShiftService), self._ctx.actor, self._ctx.auth
        blind = self.blind.isChecked()
        unsynced = self.preview.unsynced > 0

        def run() -> Any:
            leader = auth.leader_credential(staff_no, password) if needs_leader else None
            return shifts.close(
                actor,
                counts,
                method_totals=totals,
                float_left_fen=float_left,
                blind=blind,
                reason=reason,
                leader=leader,
                unsynced_override=leader if unsynced else None,
            )

        return run

    def show_failure(self, exc: BaseException) -> None:
        self.leader_password.clear()
        super().show_failure(exc)

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        if not busy:
            self.ok_button.setEnabled(self.preview is not None)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Close shift"))
        self.intro.setText(
            _(
                "Count the cash in the drawer by note and coin, and type the total of each "
                "card and electronic method from its settlement slip or statement."
            )
        )
        self.blind.setText(_("Blind count (count before seeing the expected figures)"))
        self.check_button.setText(_("Check"))
        self.labels["float"].setText(_("Float to leave (yuan):"))
        self.labels["reason"].setText(_("Reason for a difference:"))
        self.labels["leader"].setText(_("Shift leader's staff number:"))
        self.labels["password"].setText(_("Shift leader's password:"))
        self.ok_button.setText(_("Close shift"))
        if hasattr(self, "grid"):
            self._show_expected()


class SignDialog(ServiceDialog):
    """A signature on a handover revision: the signer types their staff number and
    password here, at that moment (the leader's countersign needs a leader; a one-time
    password signs nothing: ``AuthService.credential``)."""

    def __init__(
        self,
        ctx: AppContext,
        revision_id: uuid.UUID,
        role: Signer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("signDialog")
        self._revision_id = revision_id
        self._role = role
        self.staff_no = QLineEdit(self)
        self.staff_no.setObjectName("signStaffNo")
        self.staff_no.setMaxLength(16)
        self.password = QLineEdit(self)
        self.password.setObjectName("signPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(64)
        self.staff_label, self.password_label = QLabel(self), QLabel(self)
        self.form.addRow(self.staff_label, self.staff_no)
        self.form.addRow(self.password_label, self.password)
        self.retranslate_ui()

    def collect(self) -> Callable[[], Any]:
        staff_no, password = self.staff_no.text().strip(), self.password.text()
        if not staff_no:
            raise ValidationError("staff_no", N_("Enter your staff number."))
        if not password:
            raise ValidationError("password", N_("Enter your password."))
        auth, actor = self._ctx.auth, self._ctx.actor
        handovers = self._ctx.service(HandoverService)
        role, revision = self._role, self._revision_id

        def run() -> Any:
            if role is Signer.LEADER:
                signer = auth.leader_credential(staff_no, password)
            else:
                signer = auth.credential(staff_no, password)
            return handovers.sign(actor, revision, role, signer)

        return run

    def show_failure(self, exc: BaseException) -> None:
        self.password.clear()
        super().show_failure(exc)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Sign the handover"))
        self.intro.setText(
            _("Sign as: {role}. Type your own staff number and password.").format(
                role=_(SIGNER_LABELS[self._role])
            )
        )
        self.staff_label.setText(_("Staff number:"))
        self.password_label.setText(_("Password:"))
        self.ok_button.setText(_("Sign"))
