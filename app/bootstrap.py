"""What a program does once, before it uses the services: the wiring the layers cannot do.

Imports run one way (domain, store, services, sync, then the programs), so a mechanism in
a lower layer never imports its parts from above: they register with it when imported, and
this module is where every program imports them.

* The pending-items collector (``app.services.pending``) reads a provider per area: the
  complaints' and the arrears' (``app.services.complaints.pending``,
  ``app.services.arrears.pending``) and sync's (``app.sync.pending``: the operations not
  yet sent). ``collect`` refuses while a kind has no provider, so a program that forgot
  :func:`install` fails at its first handover instead of handing over less.

Called by ``app.cli.main`` (every command, the workbench included), by
``ui.context.AppContext.create`` (a window a script or a test builds itself), by the test
suite's ``conftest`` and by the benchmarks; calling it again changes nothing.
"""

from __future__ import annotations


def install() -> None:
    """Import every provider of pending items; each registers itself on import."""
    import app.services.arrears.pending
    import app.services.complaints.pending
    import app.sync.pending  # noqa: F401
