"""The counter's devices for one logged-in window: the ESC/POS printer and the drawer.

Device work (a network printer may take seconds to answer) runs on a thread of its own,
never on the database worker, so a printer that is off never holds up a payment; the
outcome is recorded through the database worker afterwards. The settings are read at each
use, so a change in the settings dialog applies to the next receipt.

The drawer opens (ESC/POS pulse) after a cash payment has been recorded and after each
cash movement of the shift has committed (``ShiftService.money_moved``); without a sale it
opens only through ``open_without_sale`` (a reason, the audit log, see
``app.services.shifts.drawer``). A pulse that fails is reported on ``drawerFailed`` and,
for a no-sale opening, appended to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.devices.settings import PrinterSettings, ScannerSettings
from app.domain.errors import HallDeskError
from app.services.shifts import ShiftService
from app.services.shifts.drawer import DrawerService, NoSaleOpen
from app.store.models import PaymentMethod
from ui.context import AppContext
from ui.errors import error_text
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.devices.printer import PrinterStatus, ReceiptPrinter
    from app.documents.complaint_data import AckSlipData
    from app.documents.data import ReceiptData

log = logging.getLogger(__name__)


class DeviceController(QObject):
    """Prints to and pulses this PC's devices; one per window (``devices_of``)."""

    #: A drawer pulse failed; the text says why, in the user's language.
    drawerFailed = Signal(str)
    #: A drawer pulse was sent (tests and the status bar).
    drawerOpened = Signal()
    _moneyMoved = Signal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.tasks = TaskRunner(self)
        self.drawer = ctx.service(DrawerService)
        self._moneyMoved.connect(self._cash_moved)
        ctx.service(ShiftService).money_moved.add(self._on_shift_money)

    # -- settings --

    def printer_settings(self) -> PrinterSettings:
        return PrinterSettings.read(self._ctx.settings)

    def scanner_settings(self) -> ScannerSettings:
        return ScannerSettings.read(self._ctx.settings)

    def escpos_printer(self) -> ReceiptPrinter | None:
        """This PC's ESC/POS printer, or None when receipts print through the PDF path."""
        from app.devices.printer import ReceiptPrinter  # the printer's code: when printing

        settings = self.printer_settings()
        return ReceiptPrinter(settings) if settings.escpos else None

    # -- printing --

    def print_receipt(
        self,
        data: ReceiptData,
        on_done: Callable[[PrinterStatus], None],
        on_error: Callable[[BaseException], None],
    ) -> bool:
        """Send a receipt to the ESC/POS printer; False when none is set up (nothing
        sent: the caller prints the PDF)."""
        printer = self.escpos_printer()
        if printer is None:
            return False
        self.tasks.run(lambda: printer.print_receipt(data), on_done=on_done, on_error=on_error)
        return True

    def print_ack(
        self,
        data: AckSlipData,
        on_done: Callable[[PrinterStatus], None],
        on_error: Callable[[BaseException], None],
    ) -> bool:
        printer = self.escpos_printer()
        if printer is None:
            return False
        self.tasks.run(lambda: printer.print_ack(data), on_done=on_done, on_error=on_error)
        return True

    # -- the drawer --

    def has_drawer(self) -> bool:
        return self.printer_settings().has_drawer

    def pulse(self, on_error: Callable[[BaseException], None] | None = None) -> bool:
        """Open the drawer now (after a recorded cash payment or movement); False when no
        drawer is set up."""
        settings = self.printer_settings()
        if not settings.has_drawer:
            return False
        from app.devices.printer import ReceiptPrinter

        printer = ReceiptPrinter(settings)

        def failed(exc: BaseException) -> None:
            log.warning("drawer did not open: %s", exc)
            self.drawerFailed.emit(error_text(exc))
            if on_error is not None:
                on_error(exc)

        self.tasks.run(
            printer.open_drawer, on_done=lambda _v: self.drawerOpened.emit(), on_error=failed
        )
        return True

    def payment_recorded(self, method: PaymentMethod | str) -> bool:
        """A payment has committed: a cash one opens the drawer."""
        if PaymentMethod(method) is not PaymentMethod.CASH:
            return False
        return self.pulse()

    def after_no_sale(self, opened: NoSaleOpen) -> bool:
        """Pulse the drawer for a no-sale opening just recorded (``DrawerService``); a
        pulse that fails is appended to the audit log after it."""
        drawer, actor = self.drawer, self._ctx.actor

        def failed(exc: BaseException) -> None:
            text = exc.user_message() if isinstance(exc, HallDeskError) else str(exc)
            self._ctx.tasks.run(lambda: drawer.pulse_failed(actor, opened, text))

        return self.pulse(on_error=failed)

    def _on_shift_money(self) -> None:
        self._moneyMoved.emit()  # from the database worker to this object's thread

    def _cash_moved(self) -> None:
        self.pulse()

    # -- shutdown --

    def wait(self, msecs: int = 15000) -> bool:
        return self.tasks.wait(msecs)


def devices_of(ctx: AppContext) -> DeviceController:
    """The window's device controller (built on first use)."""
    return ctx.shared(DeviceController, lambda: DeviceController(ctx))
