"""One typed registry of user preferences (window state is kept apart, by the UI).

Each option is declared once with its type and default. The storage backend is injected:
the UI passes a QSettings-backed one, tests a dictionary, so ``app/`` stays free of Qt.
Business configuration (hall name, policies) lives in the database, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

T = TypeVar("T", str, int, bool)


class SettingsBackend(Protocol):
    def value(self, key: str) -> object | None: ...

    def set_value(self, key: str, value: object) -> None: ...


class MemoryBackend:
    def __init__(self) -> None:
        self.data: dict[str, object] = {}

    def value(self, key: str) -> object | None:
        return self.data.get(key)

    def set_value(self, key: str, value: object) -> None:
        self.data[key] = value


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T

    def read(self, backend: SettingsBackend) -> T:
        raw = backend.value(self.key)
        if raw is None:
            return self.default
        default: object = self.default
        value: object
        try:
            if isinstance(default, bool):
                value = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true")
            elif isinstance(default, int):
                value = int(str(raw))
            else:
                value = str(raw)
        except ValueError:
            return self.default
        return value  # type: ignore[return-value]

    def write(self, backend: SettingsBackend, value: T) -> None:
        backend.set_value(self.key, value)


LANGUAGE = Option("ui/language", "zh_CN")
IDLE_LOCK_MINUTES = Option("security/idle_lock_minutes", 10)
LAST_STAFF_NO = Option("login/last_staff_no", "")
RECEIPT_ARCHIVE_DIR = Option("printing/receipt_archive_dir", "")
#: Where this PC's store backups go ("" = the data folder's ``backups``) and how many are kept.
BACKUP_DIR = Option("backup/folder", "")
BACKUP_KEEP = Option("backup/keep", 14)
