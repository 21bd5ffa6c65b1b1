"""Use cases: each opens one unit of work, checks the actor, writes the audit event.

One package per area of the counter, mirroring ``ui/``: ``customers`` (lookup),
``arrears``, ``payments`` (payments, receipts), ``complaints``, ``shifts`` (shifts,
handover, hall day), ``etiquette``, ``staff`` (login, staff administration, own password),
``hall`` (the hall, first-run set-up, backups, hall details, counters and PCs) and
``audit`` (the audit trail viewer and its export). Beside them, the few pieces every area
shares: ``base`` (actor, clock, permissions, audit, this desk), ``listeners`` (after-commit
notifications) and ``pending`` (the pending-items collector the handover reads; the areas
register their providers).

Each area's ``__init__`` names its public services and types with :func:`lazy_exports`:
a name is imported from its module when first asked for, so importing one service never
loads a whole area (the main window's cold start stays small) and an area package never
imports its own modules at start (no hidden import circles through an ``__init__``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping


def lazy_exports(
    package: str, exports: Mapping[str, Iterable[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package ``package``.

    ``exports`` maps a module to the public names taken from it: a module of the package
    by its last name (``"worklist"``), any other by its full name. The package keeps the
    same names under ``if TYPE_CHECKING:`` for the type checker;
    ``tests/test_architecture.py`` checks that the two lists agree.
    """
    where = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        full = module if "." in module else f"{package}.{module}"
        value = getattr(importlib.import_module(full), name)
        setattr(sys.modules[package], name, value)  # asked once, then a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(where) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
