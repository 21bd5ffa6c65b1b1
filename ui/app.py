"""Starting the workbench: the store, first-run set-up, login, the main window (the
application object itself: ``ui.qt_app``); the handler that logs unexpected exceptions; the
Qt half of the self-test."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import logs
from app.domain.errors import HallDeskError
from app.i18n import _
from app.selftest import GuiChecks
from app.services.hall import HallService
from app.services.hall.admin import HallAdminService
from app.services.hall.setup import SetupService
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from ui.errors import error_text
from ui.fonts import register_bundled_fonts
from ui.language import apply_language, qt_translator
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow, create_main_window
from ui.qt_app import ensure_application
from ui.qt_settings import QSettingsBackend
from ui.single_instance import bring_to_front, claim

log = logging.getLogger(__name__)


def _fatal(exc: BaseException) -> int:
    """Explain why the workbench cannot start (no traceback for a known refusal)."""
    log.error("cannot start: %s", exc)
    QMessageBox.critical(None, _("HallDesk cannot start"), error_text(exc))
    return 1


def _session(app: QApplication, store: Store, settings: QSettingsBackend) -> bool:
    """One login and its main window; True if the user logged out (show login again)."""
    # This PC on the hall's list, at the counter an administrator put it at (if no shift
    # of it is still open at its current one): before the login shows the counter.
    HallAdminService(store).register_this_pc()
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


def _first_run(store: Store, settings: QSettingsBackend) -> bool:
    """Set a new store up with the wizard; False if the user cancelled it."""
    from ui.first_run import FirstRunWizard

    setup = SetupService(store)
    if not setup.needs_setup():
        return True
    from app.sync.service import SyncService

    log.info("new store: showing the first-run wizard")
    wizard = FirstRunWizard(setup, settings, enrol=SyncService(store).enrol)
    accepted = wizard.exec() == QDialog.DialogCode.Accepted and wizard.actor is not None
    if accepted and wizard.enrolment_error:
        QMessageBox.warning(
            None,
            _("HallDesk"),
            _(
                "The hall is set up, but enrolling this PC with the centre failed: {reason}\n\n"
                "The hall works offline; an administrator can enrol it later from the File "
                "menu."
            ).format(reason=wizard.enrolment_error),
        )
    wizard.deleteLater()
    return accepted


def run_gui(db_path: Path, create_demo: Callable[[], object] | None = None) -> int:
    """Run the workbench on the store at ``db_path``; the process exit code.

    One workbench per store: if one already runs on it, it is brought to the front and
    this start exits with 0 (``ui.single_instance``). ``create_demo`` makes the store when
    the file does not exist yet (the first start's demo), once this start is the only one.
    A store that cannot be opened (damaged, unreadable, empty, written by a newer version)
    is explained in a message box in the user's language, and 1 returned. A new store is
    set up with the first-run wizard before the login (cancelling it exits with 0). The
    store's full page check starts in the background as soon as it is open.
    """
    app = ensure_application()
    try:
        primary = claim(db_path, bring_to_front, app)
    except OSError as exc:  # no lock file beside the store: opening it will say why
        log.warning("single instance: cannot lock %s: %s", db_path, exc)
        return _run_store(app, db_path)
    if primary is None:
        log.info("HallDesk already runs on %s: brought it to the front", db_path)
        print(
            _("HallDesk is already running on {path}: its window was brought to the front.").format(
                path=db_path
            ),
            file=sys.stderr,
        )
        return 0
    try:
        if create_demo is not None and not db_path.exists():
            create_demo()
        return _run_store(app, db_path)
    finally:
        primary.release()


def _run_store(app: QApplication, db_path: Path) -> int:
    previous_hook = sys.excepthook
    install_excepthook()
    settings = QSettingsBackend()
    try:
        try:
            store = open_store(sqlite_url(db_path))
        except HallDeskError as exc:
            return _fatal(exc)
        store.health.start()
        try:
            if not _first_run(store, settings):
                log.info("first-run set-up cancelled")
                return 0
            while _session(app, store, settings):
                log.info("logged out; back to the login dialog")
        except HallDeskError as exc:
            return _fatal(exc)
        finally:
            store.close()
        return 0
    finally:
        sys.excepthook = previous_hook


# -- unexpected exceptions -------------------------------------------------------------------

_reporting = False


def report_unhandled(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """``sys.excepthook`` of the workbench: log the traceback, tell the user in plain words.

    Qt calls it for an exception escaping a slot; the program keeps running (the action that
    failed did not complete, and a service's unit of work was rolled back).
    """
    global _reporting
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("unhandled exception", exc_info=(exc_type, exc, tb))
    if _reporting or QApplication.instance() is None:
        return
    _reporting = True
    try:
        QMessageBox.critical(
            None,
            _("HallDesk"),
            _(
                "An unexpected error stopped this action: {reason}\n\n"
                "What you saved before is safe. The details were written to the log file "
                "{path}; please tell your administrator."
            ).format(reason=str(exc) or exc_type.__name__, path=logs.log_file()),
        )
    finally:
        _reporting = False


def install_excepthook() -> None:
    sys.excepthook = report_unhandled


# -- the Qt half of ``halldesk --self-test`` ---------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The text of every page of ``pdf``, read by QtPdf (as a viewer would see it)."""
    from PySide6.QtPdf import QPdfDocument

    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise ValueError(f"QtPdf cannot read the PDF: {document.error()}")
    text = "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    return text


def _check_qt_translations() -> str:
    """Qt's own dialogs speak Chinese: qtbase_zh_CN loads and translates a standard button."""
    app = QCoreApplication.instance()
    assert app is not None
    code = apply_language(app, "zh_CN")
    translator = qt_translator()
    if code != "zh_CN" or translator is None:
        raise FileNotFoundError("Qt's qtbase_zh_CN.qm translations were not found")
    cancel = translator.translate("QPlatformTheme", "Cancel")
    if not cancel or cancel == "Cancel":
        raise AssertionError(f"qtbase_zh_CN does not translate 'Cancel' ({cancel!r})")
    return f"{translator.filePath()}: 'Cancel' -> {cancel!r}"


def self_test_checks() -> GuiChecks:
    """Start Qt (offscreen unless a platform was chosen) for the self-test's Qt checks."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    register_bundled_fonts()
    return GuiChecks(pdf_text=pdf_text, checks=(("qt-i18n", _check_qt_translations),))
