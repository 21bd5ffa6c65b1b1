"""The complaint acknowledgement slip on this PC's ESC/POS printer (the PDF path prints
it otherwise): built in the customers' language on the database worker, sent on the
device thread, the attempt recorded like a PDF print."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from app.documents.data import CUSTOMER_DOCUMENT_LANGUAGE, ReceiptLayout
from app.i18n import in_language
from app.services.complaints import ComplaintService
from ui.context import AppContext
from ui.devices.controller import devices_of


def print_ack_direct(
    ctx: AppContext,
    complaint_id: uuid.UUID,
    layout: str,
    record: Callable[[str], None],
    on_error: Callable[[BaseException], None] | None,
    on_printed: Callable[[], None],
) -> bool:
    """Print the slip on the ESC/POS printer; False (nothing done) when the PC prints
    through the PDF path or the slip is laid out on A5."""
    devices = devices_of(ctx)
    if ReceiptLayout(layout) is not ReceiptLayout.ROLL_80 or devices.escpos_printer() is None:
        return False
    service = ctx.service(ComplaintService)

    def build() -> object:
        with in_language(CUSTOMER_DOCUMENT_LANGUAGE):
            return service.acknowledgement(complaint_id)

    def printed(_status: object) -> None:
        record("printed")
        on_printed()

    def failed(exc: BaseException) -> None:
        record("failed")
        if on_error is not None:
            on_error(exc)

    def built(data: object) -> None:
        from app.documents.complaint_data import AckSlipData

        assert isinstance(data, AckSlipData)
        devices.print_ack(data, printed, failed)

    ctx.tasks.run(build, on_done=built, on_error=on_error)
    return True
