"""The QSettings storage behind ``app.settings`` (preferences and, apart, window state)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import QByteArray, QSettings

from app.paths import APP_NAME

ORGANIZATION: Final = "HallDesk"
APPLICATION: Final = APP_NAME
#: Window geometry and state live under this group, apart from the preferences.
WINDOW_STATE_GROUP: Final = "window"


class QSettingsBackend:
    """``app.settings.SettingsBackend`` over QSettings.

    By default it uses the per-user store of organisation and application "HallDesk" in
    ``QSettings.defaultFormat()`` (the registry on Windows; tests switch to ini files in a
    temporary folder). ``ini_path`` points it at one ini file instead.
    """

    def __init__(self, ini_path: Path | None = None) -> None:
        if ini_path is not None:
            self._qs = QSettings(str(ini_path), QSettings.Format.IniFormat)
        else:
            self._qs = QSettings(
                QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
            )

    @property
    def file_name(self) -> str:
        return self._qs.fileName()

    def value(self, key: str) -> object | None:
        value: object | None = self._qs.value(key)
        return value

    def set_value(self, key: str, value: object) -> None:
        self._qs.setValue(key, value)
        # Written at once: a counter PC is often switched off at the wall.
        self._qs.sync()

    def window_state(self, name: str) -> QByteArray | None:
        """Saved geometry or dock state of a window (``None`` if never saved)."""
        value = self._qs.value(f"{WINDOW_STATE_GROUP}/{name}")
        return value if isinstance(value, QByteArray) else None

    def set_window_state(self, name: str, value: QByteArray) -> None:
        self._qs.setValue(f"{WINDOW_STATE_GROUP}/{name}", value)
        self._qs.sync()
