"""Typed errors that carry a translatable message, shown by the UI in the user's language."""

from __future__ import annotations

from typing import Any

from app.i18n import _


class HallDeskError(Exception):
    """Base of every refusal the program explains to the user.

    ``message`` is an English msgid marked with ``N_``; ``params`` fill its named
    placeholders. ``user_message()`` translates at display time, so a language change
    between raising and showing is honoured.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params

    def user_message(self) -> str:
        text = _(self.message)
        return text.format(**self.params) if self.params else text


class ValidationError(HallDeskError):
    """Input that breaks a rule of form or range; ``field`` names the offending field."""

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field


class PermissionDenied(HallDeskError):
    """The actor's role does not allow the action."""


class AuthenticationError(HallDeskError):
    """Wrong credentials, or an account that is locked."""


class NotFound(HallDeskError):
    """The record asked for does not exist (or is not in this hall's scope)."""


class StoreError(HallDeskError):
    """The local database cannot be opened, migrated or trusted."""
