"""One workbench per store: a second start on the same store brings the first to the front.

The first start takes the store's instance lock (``app.store.instance``: an operating-system
lock the system drops when the process ends, so a crash leaves nothing stale) and listens
on a local socket named after the store. A later start finds the lock taken, connects to
that socket, asks the first to show itself and exits. The lock decides who is first, so
two starts at the same moment cannot both win; the socket is only the message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

from app.store.instance import InstanceLock, server_name

log = logging.getLogger(__name__)

ACTIVATE: Final = b"activate\n"
ACKNOWLEDGED: Final = b"ok\n"
#: How long a second start keeps trying to reach the first one (it may be starting).
CONNECT_SECONDS: Final = 5.0


class PrimaryInstance(QObject):
    """The running workbench's lock and socket; ``activate`` runs when another start asks."""

    def __init__(
        self, lock: InstanceLock, name: str, activate: Callable[[], None], parent: QObject | None
    ) -> None:
        super().__init__(parent)
        self.lock = lock
        self.name = name
        self._activate = activate
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # A socket left by a process that crashed: we hold the lock, so it is not in use.
        QLocalServer.removeServer(name)
        if not self.server.listen(name):
            log.warning("single instance: cannot listen on %s: %s", name, self.server.errorString())
        self.server.newConnection.connect(self._connected)

    @Slot()
    def _connected(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(ACTIVATE):
            log.info("another start on this store: bringing this window to the front")
            socket.write(ACKNOWLEDGED)
            socket.flush()
            self._activate()

    def release(self) -> None:
        self.server.close()
        self.lock.release()
        self.deleteLater()


def ask_first_to_show(name: str, seconds: float = CONNECT_SECONDS) -> bool:
    """Ask the workbench listening on ``name`` to come to the front; True once it said so."""
    deadline = time.monotonic() + seconds
    while True:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(500):
            socket.write(ACTIVATE)
            socket.flush()
            socket.waitForBytesWritten(1000)
            answered = socket.waitForReadyRead(2000) and bytes(socket.readAll().data()).startswith(
                ACKNOWLEDGED
            )
            socket.disconnectFromServer()
            if answered:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def claim(
    store_path: Path, activate: Callable[[], None], parent: QObject | None = None
) -> PrimaryInstance | None:
    """This process becomes the store's workbench (the returned object holds the lock for
    as long as it lives), or None: another one runs and was asked to come forward."""
    lock = InstanceLock(store_path)
    name = server_name(store_path)
    if lock.acquire():
        return PrimaryInstance(lock, name, activate, parent)
    if not ask_first_to_show(name):
        log.warning("single instance: the workbench on %s did not answer", store_path)
    return None


def bring_to_front() -> None:
    """Show the workbench's visible window (the login or the main window) on top."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    window: QWidget | None = app.activeModalWidget() or app.activeWindow()
    if window is None:
        shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]
        window = shown[-1] if shown else None
    if window is None:
        return
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()
