"""Background work with callbacks on the main thread (Anki's CollectionOp, in small).

Database work runs on one worker thread, so writes are serialised; the callbacks run on
the GUI thread through a queued signal, and worker code never touches a widget. Work a
widget started (``owner``) has its callbacks dropped if that widget is gone by then: a
late result never reaches a deleted label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    finished = Signal(object, object)  # (callback, value)


class _Job(QRunnable):
    def __init__(
        self,
        fn: Callable[[], Any],
        relay: _Relay,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay
        self._on_done = on_done
        self._on_error = on_error

    def run(self) -> None:
        try:
            value = self._fn()
        except BaseException as exc:  # handed to the GUI thread, never swallowed
            self._relay.finished.emit(self._on_error, exc)
            return
        self._relay.finished.emit(self._on_done, value)


class TaskRunner(QObject):
    """Runs callables on a single background thread; ``wait()`` drains it (tests, shutdown)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Run ``fn`` on the worker; ``on_done``/``on_error`` on the GUI thread, unless
        ``owner`` (the widget the callbacks touch) has been deleted meanwhile."""
        if owner is not None:
            on_done = _unless_gone(owner, on_done)
            on_error = _unless_gone(owner, on_error)
        self._pool.start(_Job(fn, self._relay, on_done, on_error))

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None] | None, value: Any) -> None:
        if callback is not None:
            callback(value)
        elif isinstance(value, BaseException):
            raise value

    def wait(self, msecs: int = 30000) -> bool:
        return self._pool.waitForDone(msecs)


def _unless_gone(
    owner: QObject, callback: Callable[[Any], None] | None
) -> Callable[[Any], None] | None:
    if callback is None:
        return None

    def call(value: Any) -> None:
        if shiboken6.isValid(owner):
            callback(value)

    return call
