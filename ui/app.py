"""Starting the workbench: the application object, the store, login, the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import __version__, i18n
from app.domain.errors import HallDeskError
from app.i18n import _
from app.services.auth import AuthService
from app.services.hall import HallService
from app.settings import LANGUAGE
from app.store.database import Store, open_store, sqlite_url
from ui.errors import error_text
from ui.fonts import register_bundled_fonts
from ui.language import apply_language
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow, create_main_window
from ui.qt_settings import APPLICATION, ORGANIZATION, QSettingsBackend

log = logging.getLogger(__name__)


def ensure_application() -> QApplication:
    """The running QApplication, created and prepared if there is none yet.

    Preparing means: organisation and application names (they place QSettings), the
    bundled font, and the language saved in the settings (Chinese by default).
    """
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationVersion(__version__)
    app = QApplication(sys.argv[:1])
    register_bundled_fonts()
    language = LANGUAGE.read(QSettingsBackend())
    apply_language(app, language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)
    return app


def _fatal(exc: BaseException) -> int:
    """Explain why the workbench cannot start (no traceback for a known refusal)."""
    log.error("cannot start: %s", exc)
    QMessageBox.critical(None, _("HallDesk cannot start"), error_text(exc))
    return 1


def _session(app: QApplication, store: Store, settings: QSettingsBackend) -> bool:
    """One login and its main window; True if the user logged out (show login again)."""
    hall = HallService(store).info()
    login = LoginDialog(AuthService(store), hall, settings)
    if login.exec() != QDialog.DialogCode.Accepted or login.actor is None:
        return False
    window: MainWindow = create_main_window(store, login.actor, settings)
    login.deleteLater()
    window.show()
    app.exec()
    logged_out = window.logout_requested
    window.deleteLater()
    return logged_out


def run_gui(db_path: Path) -> int:
    """Run the workbench on the store at ``db_path``; the process exit code.

    A store that cannot be opened (damaged, unreadable, written by a newer version, not set
    up for a hall) is explained in a message box in the user's language, and 1 returned.
    """
    logging.basicConfig(level=logging.INFO)
    app = ensure_application()
    settings = QSettingsBackend()
    try:
        store = open_store(sqlite_url(db_path))
    except HallDeskError as exc:
        return _fatal(exc)
    try:
        while _session(app, store, settings):
            log.info("logged out; back to the login dialog")
    except HallDeskError as exc:
        return _fatal(exc)
    finally:
        store.close()
    return 0
