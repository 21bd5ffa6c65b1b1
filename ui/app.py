"""Starting the workbench: the login first, the store opened behind it, first-run set-up,
the main window (the application object itself: ``ui.qt_app``; the store's opening:
``ui.startup``); the handler that logs unexpected exceptions; the Qt half of the self-test.

Cold start (issue 17): this module imports no service, no store and no SQLAlchemy at
module level, so ``halldesk run`` paints the login dialog before any of them is imported
(``tests/test_architecture.py``); the main window's modules load after the login.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import logs
from app.domain.errors import HallDeskError
from app.i18n import _
from ui.errors import error_text
from ui.fonts import register_bundled_fonts
from ui.language import apply_language, qt_translator
from ui.login_dialog import LoginDialog
from ui.qt_app import ensure_application
from ui.qt_settings import QSettingsBackend
from ui.single_instance import bring_to_front, claim
from ui.startup import LoginReady, StoreOpening, after_first_paint, prepare_main_window

if TYPE_CHECKING:
    from app.selftest import GuiChecks
    from app.services.base import Actor
    from app.store.database import Store

log = logging.getLogger(__name__)


def _fatal(exc: BaseException) -> int:
    """Explain why the workbench cannot start (no traceback for a known refusal)."""
    log.error("cannot start: %s", exc)
    QMessageBox.critical(None, _("HallDesk cannot start"), error_text(exc))
    return 1


@dataclass
class _Login:
    """How one login dialog ended."""

    actor: Actor | None = None
    needs_setup: bool = False
    error: BaseException | None = None


def _log_in(opening: StoreOpening, settings: QSettingsBackend) -> _Login:
    """The login dialog, shown at once; the store opens on the worker once it is painted.

    A login asked for before the store is open runs when it is (``LoginDialog``). A store
    that turns out to be new closes the dialog with ``needs_setup``; one that cannot be
    opened with ``error`` (the caller explains it)."""
    login = LoginDialog(None, None, settings)
    ended = _Login()

    def ready(prepared: LoginReady | None) -> None:
        if not login.isVisible():  # quit before the store was open
            return
        if prepared is None:
            ended.needs_setup = True
            login.reject()
        else:
            # The main window's modules and data load on the worker while the clerk types
            # (first: a login asked for already runs now, and its window waits for them).
            opening.tasks.run(prepare_main_window, on_error=_not_prepared)
            login.store_ready(prepared.auth, prepared.hall)

    def failed(exc: BaseException) -> None:
        ended.error = exc
        login.reject()

    def open_store() -> None:
        opening.tasks.run(opening.prepare_login, ready, failed, owner=login)

    first_paint = after_first_paint(login, open_store)
    if login.exec() == QDialog.DialogCode.Accepted:
        ended.actor = login.actor
    first_paint.cancel()  # closed before it was painted: nothing to open for it
    login.deleteLater()
    return ended


def _not_prepared(exc: BaseException) -> None:
    """The main window is then built without the worker's help (and says why, if it must)."""
    log.warning("preparing the main window on the worker failed: %s", exc)


def _work(app: QApplication, store: Store, actor: Actor, settings: QSettingsBackend) -> bool:
    """The main window of ``actor`` until it closes; True if they logged out."""
    from ui.main_window import MainWindow, create_main_window

    window: MainWindow = create_main_window(store, actor, settings)
    window.show()
    app.exec()
    logged_out = window.logout_requested
    window.deleteLater()
    return logged_out


def _first_run(opening: StoreOpening, settings: QSettingsBackend) -> bool:
    """Set a new store up with the wizard; False if the user cancelled it."""
    if not opening.needs_setup():
        return True
    from app.services.hall.setup import SetupService
    from app.sync.service import SyncService
    from ui.first_run import FirstRunWizard

    store = opening.open()
    log.info("new store: showing the first-run wizard")
    wizard = FirstRunWizard(SetupService(store), settings, enrol=SyncService(store).enrol)
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
    The login dialog shows first and the store opens behind it (``ui.startup``); a store
    that cannot be opened (damaged, unreadable, empty, written by a newer version) is
    explained in a message box in the user's language, and 1 returned. A new store is set
    up with the first-run wizard before the login (cancelling it exits with 0). The store's
    full page check starts in the background as soon as it is open.
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
    opening = StoreOpening(db_path)
    try:
        try:
            if not db_path.exists():
                # A new store: the set-up wizard is its first window, so it opens here.
                opening.open()
            while True:
                if opening.store is not None and not _first_run(opening, settings):
                    log.info("first-run set-up cancelled")
                    return 0
                login = _log_in(opening, settings)
                if login.error is not None:
                    raise login.error
                if login.needs_setup:
                    continue
                if login.actor is None:
                    return 0
                assert opening.store is not None  # a login was checked on it
                opening.wait()  # the main window's preparation, if it still runs
                if not _work(app, opening.store, login.actor, settings):
                    return 0
                log.info("logged out; back to the login dialog")
        except HallDeskError as exc:
            return _fatal(exc)
        finally:
            opening.close()
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
    from app.selftest import GuiChecks

    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    register_bundled_fonts()
    return GuiChecks(pdf_text=pdf_text, checks=(("qt-i18n", _check_qt_translations),))
