"""Opening the cash drawer without a sale: the clerk says why (recorded, then the pulse)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.domain.errors import ValidationError
from app.i18n import N_, _
from app.services.base import check_reason
from app.services.shifts.drawer import MAX_REASON, NoSaleOpen
from ui.context import AppContext
from ui.devices.controller import devices_of
from ui.service_dialogs import ServiceDialog

NO_REASON = N_("Say why the drawer is opened without a sale.")


class NoSaleDialog(ServiceDialog):
    """Asks the reason, records the opening in the open shift (audit log), then opens the
    drawer. ``outcome`` is the ``NoSaleOpen`` once recorded."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("noSaleDialog")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("drawerReason")
        self.reason.setMaxLength(MAX_REASON)
        self.reason_label = QLabel(self)
        self.reason_label.setBuddy(self.reason)
        self.form.addRow(self.reason_label, self.reason)
        self.reason.setFocus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Open the cash drawer"))
        self.intro.setText(
            _(
                "Opening the drawer without a sale is recorded with your name and the reason, "
                "and counted on this shift's X and Z reports."
            )
        )
        self.reason_label.setText(_("&Reason:"))
        self.reason.setPlaceholderText(_("for example: change for a 100-yuan note"))
        self.ok_button.setText(_("Open drawer"))

    def collect(self) -> Callable[[], Any]:
        text = self.reason.text()
        try:
            reason = check_reason(text, maximum=MAX_REASON)
        except ValidationError:
            raise ValidationError("reason", NO_REASON) from None
        drawer, actor = devices_of(self._ctx).drawer, self._ctx.actor
        return lambda: drawer.open_without_sale(actor, reason)

    def finished_ok(self, outcome: Any) -> None:
        assert isinstance(outcome, NoSaleOpen)
        devices_of(self._ctx).after_no_sale(outcome)
        super().finished_ok(outcome)


def open_no_sale_dialog(ctx: AppContext, parent: QWidget) -> NoSaleDialog | None:
    """The no-sale dialog (window-modal); None when this PC has no drawer set up."""
    from PySide6.QtCore import Qt

    from ui.errors import show_error

    if not devices_of(ctx).has_drawer():
        from app.devices.printer import NO_DRAWER, PrinterError

        show_error(parent, PrinterError(NO_DRAWER))
        return None
    dialog = NoSaleDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
