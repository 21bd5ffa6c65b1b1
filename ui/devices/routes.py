"""What a scan does where it lands (routes for ``ui.devices.scanner.ScannerFilter``).

* In the payment dialog's entry page, a customer's payment code (WeChat Pay, Alipay) picks
  the method and fills the reference with the code.
* In the lookup tab's search box, a phone or ID number searches and opens the customer, as
  Enter after typing it would.
* Anywhere, a HallDesk receipt's QR code opens its payment (reprint, void) once verified.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from app.devices.scanner import Scan, ScanKind
from ui.context import AppContext
from ui.devices.scanner import ScanAction, ScannerFilter, ScanRoute


def _ancestor(widget: QWidget | None, kind: type) -> QWidget | None:
    while widget is not None:
        if isinstance(widget, kind):
            return widget
        widget = widget.parentWidget()
    return None


def payment_code_route(scan: Scan, focus: QWidget | None) -> ScanAction | None:
    method = scan.payment_method
    if method is None:
        return None
    from ui.arrears.payment_dialog import PAGE_ENTRY, PaymentDialog

    dialog = _ancestor(focus, PaymentDialog) or QApplication.activeModalWidget()
    if not isinstance(dialog, PaymentDialog) or dialog.page() != PAGE_ENTRY:
        return None

    entry = dialog.entry_page

    def fill() -> None:
        entry.set_method(method)
        entry.reference.setText(scan.text)
        entry.reference.setFocus()

    return fill


def search_route(scan: Scan, focus: QWidget | None) -> ScanAction | None:
    if not (scan.is_a(ScanKind.PHONE) or scan.is_a(ScanKind.ID_NUMBER)):
        return None
    from ui.lookup.tab import LookupTab

    tab = _ancestor(focus, LookupTab)
    if not isinstance(tab, LookupTab) or focus is not tab.search:
        return None

    def search() -> None:
        tab.search.setText(scan.text)
        tab.run_search()
        tab.open_row(0)

    return search


def receipt_route(ctx: AppContext) -> ScanRoute:
    """The route that opens a scanned receipt's payment, for the window of ``ctx``."""

    def route(scan: Scan, focus: QWidget | None) -> ScanAction | None:
        if not scan.is_a(ScanKind.RECEIPT):
            return None

        def show() -> None:
            from ui.devices.receipt_dialog import open_scanned_receipt

            parent = QApplication.activeModalWidget() or (focus.window() if focus else None)
            open_scanned_receipt(ctx, scan.text, parent)

        return show

    return route


def add_routes(scanner: ScannerFilter, ctx: AppContext) -> None:
    """The counter's routes, most specific first."""
    scanner.add_route(payment_code_route)
    scanner.add_route(search_route)
    scanner.add_route(receipt_route(ctx))
