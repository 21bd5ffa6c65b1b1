"""The counter's own devices: the ESC/POS receipt printer, the cash drawer hung off it, and
the barcode/QR scanner that types like a keyboard. No Qt here (``ui.devices`` has the
screens); python-escpos is imported only when something prints. A no-sale opening of the
drawer is a fact of the shift (``app.services.shifts.drawer``); the ``printer-sim`` command is
``app.cli.devices``."""
