"""Guard against a reference-count bug of PySide6 6.12.0 on CPython 3.11.

There every call of a Qt method that returns nothing takes one reference from ``None``
without giving it back (measured: 1,000 ``QLabel.setText`` calls, ``None`` down 1,000;
6.11.3 is not affected). Python 3.12 made ``None``, ``True`` and ``False`` immortal, which
hides the bug; on 3.11, once the count reaches zero the interpreter aborts ("Fatal Python
error: none_dealloc"), at the latest when it exits. Importing ``ui`` gives these
singletons a reserve of 2**40 references that no session can use up. Remove this module
once PySide6 is fixed or Python 3.12 is the minimum.
"""

from __future__ import annotations

import ctypes
import sys

_applied = False


def keep_singletons_alive() -> None:
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    _applied = True
