"""The settings dialog: interface language, idle lock, receipt archive folder, backups, and
this PC's receipt printer, cash drawer and scanner (``ui.devices.settings_box``)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.i18n import N_, _
from app.services.hall.backups import backup_folder
from app.settings import (
    BACKUP_DIR,
    BACKUP_KEEP,
    IDLE_LOCK_MINUTES,
    LANGUAGE,
    RECEIPT_ARCHIVE_DIR,
    SettingsBackend,
)
from ui.errors import error_text
from ui.language import apply_language, fill_language_box

MAX_IDLE_MINUTES: Final = 120
MAX_BACKUPS_KEPT: Final = 365
BACKUPS_KEPT_RANGE: Final = N_("Keep a whole number of backups from 1 to {maximum}.")
IDLE_MINUTES_RANGE: Final = N_(
    "Enter the idle lock time as a whole number of minutes from 0 to {maximum} (0 never locks)."
)
_STYLE: Final = """
#settingsMessage { color: #b3261e; }
#settingsHint { color: #5f6368; }
QLineEdit[invalid="true"] { border: 1px solid #b3261e; border-radius: 2px; padding: 1px; }
"""


def parse_idle_minutes(text: str) -> int:
    """The idle lock time typed by the user, checked against its range."""
    value = text.strip()
    if not value.isdigit() or int(value) > MAX_IDLE_MINUTES:
        raise ValidationError("idle_minutes", IDLE_MINUTES_RANGE, maximum=MAX_IDLE_MINUTES)
    return int(value)


def check_archive_dir(text: str, field: str = "archive_dir") -> str:
    """A folder setting (receipt archive, backups): empty (not set) or an existing folder."""
    value = text.strip()
    if value and not Path(value).is_dir():
        raise ValidationError(field, N_("The folder {path} does not exist."), path=value)
    return value


def parse_backups_kept(text: str) -> int:
    """How many backups of the store to keep, checked against its range."""
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_BACKUPS_KEPT:
        raise ValidationError("backups_kept", BACKUPS_KEPT_RANGE, maximum=MAX_BACKUPS_KEPT)
    return int(value)


class SettingsDialog(QDialog):
    """Edits the user's preferences.

    The language applies and is saved the moment it is chosen (so the user sees the
    dialog itself switch); the other fields are checked and saved on OK.
    """

    def __init__(self, settings: SettingsBackend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setStyleSheet(_STYLE)
        self._settings = settings
        self._error: ValidationError | None = None

        self.language = QComboBox(self)
        self.language.setObjectName("settingsLanguage")
        fill_language_box(self.language)
        self.language.currentIndexChanged.connect(self._language_chosen)

        self.idle_minutes = QLineEdit(self)
        self.idle_minutes.setObjectName("settingsIdleMinutes")
        self.idle_minutes.setMaxLength(5)
        self.idle_minutes.setMaximumWidth(90)
        self.idle_minutes.setText(str(IDLE_LOCK_MINUTES.read(settings)))
        self.idle_minutes.textEdited.connect(self._clear_error)
        self._idle_hint = QLabel(self)
        self._idle_hint.setObjectName("settingsHint")
        idle_row = QHBoxLayout()
        idle_row.setSpacing(10)
        idle_row.addWidget(self.idle_minutes)
        idle_row.addWidget(self._idle_hint, 1)

        self.archive_dir = QLineEdit(self)
        self.archive_dir.setObjectName("settingsArchiveDir")
        self.archive_dir.setText(RECEIPT_ARCHIVE_DIR.read(settings))
        self.archive_dir.setMinimumWidth(320)
        self.archive_dir.textEdited.connect(self._clear_error)
        self._browse = QPushButton(self)
        self._browse.setObjectName("settingsBrowse")
        self._browse.clicked.connect(self.choose_archive_dir)
        archive_row = QHBoxLayout()
        archive_row.addWidget(self.archive_dir, 1)
        archive_row.addWidget(self._browse)

        self.backup_dir = QLineEdit(self)
        self.backup_dir.setObjectName("settingsBackupDir")
        self.backup_dir.setText(BACKUP_DIR.read(settings))
        self.backup_dir.setMinimumWidth(320)
        self.backup_dir.textEdited.connect(self._clear_error)
        self._browse_backups = QPushButton(self)
        self._browse_backups.setObjectName("settingsBrowseBackups")
        self._browse_backups.clicked.connect(self.choose_backup_dir)
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_dir, 1)
        backup_row.addWidget(self._browse_backups)

        self.backups_kept = QLineEdit(self)
        self.backups_kept.setObjectName("settingsBackupsKept")
        self.backups_kept.setMaxLength(4)
        self.backups_kept.setMaximumWidth(90)
        self.backups_kept.setText(str(BACKUP_KEEP.read(settings)))
        self.backups_kept.textEdited.connect(self._clear_error)
        self._kept_hint = QLabel(self)
        self._kept_hint.setObjectName("settingsHint")
        kept_row = QHBoxLayout()
        kept_row.setSpacing(10)
        kept_row.addWidget(self.backups_kept)
        kept_row.addWidget(self._kept_hint, 1)

        self._form = QFormLayout()
        self._form.setHorizontalSpacing(14)
        self._form.setVerticalSpacing(10)
        self._labels = [QLabel(self) for _field in range(5)]
        buddies = (
            self.language,
            self.idle_minutes,
            self.archive_dir,
            self.backup_dir,
            self.backups_kept,
        )
        for label, buddy in zip(self._labels, buddies, strict=True):
            label.setBuddy(buddy)
        rows = (self.language, idle_row, archive_row, backup_row, kept_row)
        for label, row in zip(self._labels, rows, strict=True):
            self._form.addRow(label, row)

        self.message = QLabel(self)
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        from ui.devices.settings_box import DeviceSettingsBox  # printer, drawer, scanner

        self.devices = DeviceSettingsBox(settings, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(12)
        layout.addLayout(self._form)
        layout.addWidget(self.devices)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self._buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Settings"))
        texts = (
            _("&Language"),
            _("&Idle lock (minutes)"),
            _("&Receipt archive folder"),
            _("&Backup folder"),
            _("Backups &kept"),
        )
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        self._idle_hint.setText(
            _("0 never locks; at most {maximum}.").format(maximum=MAX_IDLE_MINUTES)
        )
        self._kept_hint.setText(
            _("Taken at every shift close and daily; the oldest beyond this are removed.")
        )
        self.archive_dir.setPlaceholderText(_("Not set"))
        self.backup_dir.setPlaceholderText(_("Default: {path}").format(path=backup_folder("")))
        self._browse.setText(_("Browse…"))
        self._browse_backups.setText(_("Browse…"))
        ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = self._buttons.button(QDialogButtonBox.StandardButton.Cancel)
        ok.setText(_("OK"))
        cancel.setText(_("Cancel"))
        self.message.setText(error_text(self._error) if self._error is not None else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @Slot(int)
    def _language_chosen(self, index: int) -> None:
        code = self.language.itemData(index)
        if not code:
            return
        app = QApplication.instance()
        if app is not None:
            code = apply_language(app, code)
        LANGUAGE.write(self._settings, code)

    @Slot()
    def choose_archive_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, _("Receipt archive folder"), self.archive_dir.text() or str(Path.home())
        )
        if folder:
            self.archive_dir.setText(folder)
            self._clear_error()

    @Slot()
    def choose_backup_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, _("Backup folder"), self.backup_dir.text() or str(backup_folder(""))
        )
        if folder:
            self.backup_dir.setText(folder)
            self._clear_error()

    def _fields(self) -> dict[str, QLineEdit]:
        return {
            "idle_minutes": self.idle_minutes,
            "archive_dir": self.archive_dir,
            "backup_dir": self.backup_dir,
            "backups_kept": self.backups_kept,
            **self.devices.fields(),
        }

    def _show_error(self, error: ValidationError | None) -> None:
        self._error = error
        self.message.setText(error_text(error) if error is not None else "")
        for name, field in self._fields().items():
            field.setProperty("invalid", error is not None and error.field == name)
            field.style().unpolish(field)
            field.style().polish(field)

    @Slot()
    def _clear_error(self) -> None:
        if self._error is not None:
            self._show_error(None)

    def accept(self) -> None:
        """Check and save the fields; on a bad value, say so and keep the dialog open."""
        try:
            minutes = parse_idle_minutes(self.idle_minutes.text())
            archive = check_archive_dir(self.archive_dir.text())
            backups = check_archive_dir(self.backup_dir.text(), "backup_dir")
            kept = parse_backups_kept(self.backups_kept.text())
            printer, scanner = self.devices.checked()
        except ValidationError as exc:
            self._show_error(exc)
            field = self._fields().get(exc.field, self.idle_minutes)
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            field.selectAll()
            return
        self._show_error(None)
        IDLE_LOCK_MINUTES.write(self._settings, minutes)
        RECEIPT_ARCHIVE_DIR.write(self._settings, archive)
        BACKUP_DIR.write(self._settings, backups)
        BACKUP_KEEP.write(self._settings, kept)
        printer.write(self._settings)
        scanner.write(self._settings)
        super().accept()
