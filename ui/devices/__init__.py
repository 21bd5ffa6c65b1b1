"""The Qt side of the counter's devices (``app.devices`` has the rest): the window's device
controller, the scanner's application-wide key filter and what a scan opens, the no-sale
drawer dialog and the devices' part of the settings dialog."""
