"""Locking an idle counter: after some minutes without input, the window is covered and
only the logged-in staff member's password opens it again."""

from __future__ import annotations

from typing import Final

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import HallDeskError
from app.i18n import _
from app.services.base import Actor
from app.services.staff.auth import AuthService
from ui.errors import error_text

#: The events that count as someone working at the counter.
_INPUT_EVENTS: Final = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)

_STYLE: Final = """
#idleLockTitle { font-size: 14pt; font-weight: bold; }
#idleLockMessage { color: #b3261e; }
"""
_COVER_STYLE: Final = """
#idleLockCover { background: #1f4e79; }
#idleLockCover QLabel { color: white; }
#idleLockCoverTitle { font-size: 20pt; font-weight: bold; }
"""


def minutes_to_ms(minutes: int) -> int:
    return max(0, minutes) * 60_000


class IdleLockDialog(QDialog):
    """The unlock prompt. It cannot be dismissed: it closes only by unlocking (or by the
    staff member logging out, which closes the whole window)."""

    unlocked = Signal()
    logout_requested = Signal()

    def __init__(self, auth: AuthService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("idleLockDialog")
        self.setStyleSheet(_STYLE)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlags(
            Qt.WindowType.Dialog | Qt.WindowType.CustomizeWindowHint | Qt.WindowType.WindowTitleHint
        )
        self._auth = auth
        self._actor = actor
        self._error: BaseException | None = None
        self._may_close = False

        self._title = QLabel(self)
        self._title.setObjectName("idleLockTitle")
        self._who = QLabel(self)
        self._who.setObjectName("idleLockStaff")
        self.password = QLineEdit(self)
        self.password.setObjectName("idleLockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(self)
        self.message.setObjectName("idleLockMessage")
        self.message.setWordWrap(True)
        self.unlock_button = QPushButton(self)
        self.unlock_button.setObjectName("idleLockUnlock")
        self.unlock_button.setDefault(True)
        self._logout_button = QPushButton(self)
        self._logout_button.setObjectName("idleLockLogout")
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self._logout_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.unlock_button.clicked.connect(self.try_unlock)
        self._logout_button.clicked.connect(self._log_out)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(self._title)
        layout.addWidget(self._who)
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)
        self.password.setFocus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Counter locked"))
        self._title.setText(_("This counter is locked"))
        self._who.setText(
            _("Staff {staff_no} {name}: enter your password to continue.").format(
                staff_no=self._actor.staff_no, name=self._actor.name
            )
        )
        self.password.setPlaceholderText(_("Password"))
        self.unlock_button.setText(_("Unlock"))
        self._logout_button.setText(_("Log out"))
        self.message.setText(error_text(self._error) if self._error is not None else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @Slot()
    def try_unlock(self) -> None:
        """Check the password with the service (which counts failures and audits)."""
        try:
            self._auth.confirm(self._actor, self.password.text())
        except HallDeskError as exc:
            self._error = exc
            self.message.setText(error_text(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self._error = None
        self._may_close = True
        self.accept()
        self.unlocked.emit()

    def _log_out(self) -> None:
        self._may_close = True
        self.reject()
        self.logout_requested.emit()

    def reject(self) -> None:
        # Escape must not open the counter.
        if self._may_close:
            super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not self._may_close:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            super().closeEvent(event)
        else:
            event.ignore()

    def force_close(self) -> None:
        """Close without unlocking (the window behind it is closing)."""
        self._may_close = True
        self.done(QDialog.DialogCode.Rejected)


class IdleLockCover(QWidget):
    """Stands in for the window's content while the counter is locked."""

    def __init__(self, staff: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("idleLockCover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(_COVER_STYLE)
        self._staff = staff
        self._title = QLabel(self)
        self._title.setObjectName("idleLockCoverTitle")
        self._detail = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self._title, self._detail):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self._title.setText(_("This counter is locked"))
        self._detail.setText(_("In use by {staff}").format(staff=self._staff))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class IdleLock(QObject):
    """Watches the application's input and locks ``window`` after ``timeout_ms`` without any.

    Installed as an application event filter, so input anywhere (dialogs included) counts.
    While locked, the window's central widget is hidden, so customer data is not left on
    screen, and an application-modal ``IdleLockDialog`` asks for the password. A timeout
    of 0 never locks; ``lock()`` locks at once (the Lock counter command).
    """

    locked = Signal()
    unlocked = Signal()
    logout_requested = Signal()

    def __init__(
        self,
        window: QWidget,
        auth: AuthService,
        actor: Actor,
        timeout_ms: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else window)
        self._window = window
        self._auth = auth
        self._actor = actor
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.lock)
        self.dialog: IdleLockDialog | None = None
        self._hidden: QWidget | None = None
        self._cover: IdleLockCover | None = None
        self._focus: QWidget | None = None
        self.set_timeout_ms(timeout_ms)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """Change the idle time (milliseconds; 0 turns the lock off) and restart counting."""
        self._timeout_ms = max(0, timeout_ms)
        self._restart()

    def _restart(self) -> None:
        if self._timeout_ms > 0 and not self.is_locked:
            self._timer.start(self._timeout_ms)
        else:
            self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT_EVENTS and self.dialog is None and self._timeout_ms > 0:
            self._timer.start(self._timeout_ms)
        elif kind == QEvent.Type.Resize and watched is self._window and self._cover is not None:
            self._place_cover()
        return False

    def _place_cover(self) -> None:
        if self._cover is not None and self._hidden is not None:
            self._cover.setGeometry(self._hidden.geometry())

    @Slot()
    def lock(self) -> None:
        """Cover the window and ask for the password (does nothing if already locked)."""
        if self.is_locked or not self._window.isVisible():
            return
        self._timer.stop()
        self._focus = QApplication.focusWidget()
        central = getattr(self._window, "centralWidget", None)
        content = central() if callable(central) else None
        if isinstance(content, QWidget) and content.isVisible():
            self._hidden = content
            self._cover = IdleLockCover(
                f"{self._actor.staff_no} {self._actor.name}",
                self._window,
            )
            self._place_cover()
            content.hide()
            self._cover.show()
        dialog = IdleLockDialog(self._auth, self._actor, self._window)
        dialog.unlocked.connect(self._on_unlocked)
        dialog.logout_requested.connect(self._on_logout)
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.password.setFocus()
        self.locked.emit()

    def _end_lock(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
        if self._cover is not None:
            self._cover.deleteLater()
            self._cover = None
        if self._hidden is not None:
            self._hidden.show()
            self._hidden = None

    @Slot()
    def _on_unlocked(self) -> None:
        self._end_lock()
        focus, self._focus = self._focus, None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisibleTo(self._window):
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._restart()
        self.unlocked.emit()

    @Slot()
    def _on_logout(self) -> None:
        self._end_lock()
        self.logout_requested.emit()

    def stop(self) -> None:
        """Stop watching for good (the window is closing)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.dialog is not None:
            self.dialog.force_close()
            self._end_lock()
