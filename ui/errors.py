"""Showing refusals and failures to the user, in the user's language."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.errors import HallDeskError
from app.i18n import _

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """The message to show for ``exc``: a domain refusal speaks for itself; anything else is
    an unexpected fault, logged with its traceback and shown plainly."""
    if isinstance(exc, HallDeskError):
        return exc.user_message()
    log.error("unexpected error", exc_info=exc)
    return _("Something went wrong: {reason}").format(reason=str(exc) or type(exc).__name__)


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    QMessageBox.warning(parent, title or _("HallDesk"), error_text(exc))
