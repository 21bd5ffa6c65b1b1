"""Callbacks a service runs after a write has committed, so screens of this PC follow it.

``PaymentService.money_moved`` and ``ShiftService.money_moved`` tell, for example, the
Shift tab that a payment, a void, a reversal or a cash movement was recorded, whichever
screen recorded it: the X report is read again at once instead of when someone presses its
button. The service knows nothing of screens; a listener that must touch widgets hands the
call over to its own thread (a Qt signal does that).

A bound method is held weakly, so a screen that is gone drops out by itself. A listener
that fails is logged and skipped: the write it follows has already committed, so a screen's
fault must never look like a failed payment.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from types import MethodType

log = logging.getLogger(__name__)

Listener = Callable[[], object]


class Listeners:
    """A set of callbacks, called in the order added (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refs: list[Callable[[], Listener | None]] = []

    def add(self, callback: Listener) -> None:
        if isinstance(callback, MethodType):
            ref: Callable[[], Listener | None] = weakref.WeakMethod(callback)
        else:

            def ref() -> Listener | None:
                return callback

        with self._lock:
            self._refs.append(ref)

    def remove(self, callback: Listener) -> None:
        with self._lock:
            self._refs = [r for r in self._refs if r() not in (None, callback)]

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for r in self._refs if r() is not None)

    def notify(self) -> None:
        with self._lock:
            self._refs = [r for r in self._refs if r() is not None]
            callbacks = [r() for r in self._refs]
        for callback in callbacks:
            if callback is None:
                continue
            try:
                callback()
            except Exception:
                log.exception("a listener failed after a committed write")
