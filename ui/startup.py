"""The start of the workbench: the first window painted before the store is open.

A clerk starts HallDesk to type a staff number. The login dialog needs Qt, the settings and
the catalogs only, so ``ui.app`` shows it first and imports nothing heavier before it is
painted: no SQLAlchemy, no models, no service (``tests/test_architecture.py`` keeps that
true). Once it is painted (:func:`after_first_paint`), :class:`StoreOpening` opens and
migrates the store on the task worker (``ui.tasks``), registers this PC and reads the hall,
while the clerk types; :meth:`ui.login_dialog.LoginDialog.store_ready` then hands the
dialog what it needs, and the worker goes on preparing the main window
(:func:`prepare_main_window`: its modules and the language's CLDR data) while the clerk
still types. ``bench/bench_startup.py`` measures the start to the first window and to the
main window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from ui.tasks import TaskRunner

if TYPE_CHECKING:  # imported on the worker, after the first window is painted
    from app.services.hall import HallInfo
    from app.services.staff.auth import AuthService
    from app.store.database import Store

log = logging.getLogger(__name__)

#: Start the work anyway if the window has not been painted by then (a hidden window).
PAINT_WAIT_MS: Final = 300


class FirstPaint(QObject):
    """Calls back once after a widget's first paint (:func:`after_first_paint`)."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)
        self._timer.start(PAINT_WAIT_MS)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            # After this paint has reached the screen: the next turn of the event loop.
            self._timer.start(0)
        return False

    def _fire(self) -> None:
        then = self._then
        self.cancel()
        if then is not None and self._widget.isVisible():
            then()

    def cancel(self) -> None:
        """Never call back (the widget closed before): a start that ended starts nothing."""
        self._then = None
        self._timer.stop()
        self._widget.removeEventFilter(self)


def after_first_paint(widget: QWidget, then: Callable[[], None]) -> FirstPaint:
    """Call ``then`` once, on the GUI thread, in the event loop's turn after ``widget``'s
    first paint (or :data:`PAINT_WAIT_MS` after this call if it is not painted by then).

    Work started there (the store's opening, on the worker) does not delay the paint: both
    threads share one interpreter lock, and the import of SQLAlchemy and the models would
    otherwise run while Qt lays the window out. Not called if the widget is hidden by then
    or the returned object's ``cancel()`` was called."""
    return FirstPaint(widget, then)


def prepare_main_window() -> None:
    """What building the main window would otherwise do first on the GUI thread, done on
    the worker behind the login once the store is open: import the window's modules (its
    services, the status bar, the lookup tab, the counter's devices: ~0.2 s) and load the
    current language's CLDR data (Babel: ~75 ms the first time a date is formatted).

    Only imports and data caches: no widget is made, nothing is read from the store. The
    GUI thread waits for it (:meth:`StoreOpening.wait`) before it builds the window, so
    the two threads never import one module at once."""
    from app import i18n
    from ui import main_window  # noqa: F401  (imported for its modules)
    from ui.devices import window  # noqa: F401  (the window installs it)

    i18n.load_locale_data()


@dataclass(frozen=True)
class LoginReady:
    """What the login dialog needs from the open store."""

    auth: AuthService
    hall: HallInfo


class StoreOpening:
    """The store of one start: opened once (on the task worker, or at once for a new store)
    and closed at the end of the start.

    ``store`` is set by the thread that opened it; the GUI thread reads it after ``tasks``
    is done (:meth:`close`) or in a callback of ``tasks``.
    """

    def __init__(self, db_path: Path, tasks: TaskRunner | None = None) -> None:
        self.db_path = db_path
        self.tasks = tasks if tasks is not None else TaskRunner()
        self.store: Store | None = None

    def open(self) -> Store:
        """The store, opened (and migrated) the first time; its page check started.

        Imports the store, the models and SQLAlchemy: the first call runs on the worker
        behind the first window (or before the wizard of a new store)."""
        if self.store is None:
            from app import bootstrap
            from app.store.database import open_store, sqlite_url

            bootstrap.install()
            store = open_store(sqlite_url(self.db_path))
            # The full page check in the background as soon as the store is open: payments
            # wait for its verdict (``app.store.health``).
            store.health.start()
            self.store = store
        return self.store

    def needs_setup(self) -> bool:
        from app.services.hall.setup import SetupService

        return SetupService(self.open()).needs_setup()

    def prepare_login(self) -> LoginReady | None:
        """Open the store if it is not yet; None if it is new (the set-up wizard comes
        first), else this PC on the hall's list and the login's service and hall.

        This PC is put on the hall's list, at the counter an administrator put it at, before
        each login shows the counter (it may have moved while a clerk was logged in)."""
        if self.needs_setup():
            return None
        from app.services.hall import HallService
        from app.services.hall.admin import HallAdminService
        from app.services.staff.auth import AuthService

        store = self.open()
        HallAdminService(store).register_this_pc()
        return LoginReady(AuthService(store), HallService(store).info())

    def wait(self) -> None:
        """Wait for the worker's start-up work (the store's opening, then
        :func:`prepare_main_window`)."""
        if not self.tasks.wait():
            log.warning("the start's work still running on the worker")

    def close(self) -> None:
        """Wait for the worker, then close the store if it was opened."""
        if not self.tasks.wait():
            log.warning("the store's opening still running at the end of the start")
        if self.store is not None:
            self.store.close()
