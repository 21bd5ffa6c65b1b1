"""The pending-items collector imports none of its providers: they register with it, and a
program installs them all at start (``app.bootstrap``). A program that did not is refused
at its first collection rather than handing over less than is pending."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.services.pending import (
    PendingItem,
    PendingKind,
    PendingQuery,
    providers,
    register_provider,
)

ROOT = Path(__file__).resolve().parents[2]


def _fresh(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a new interpreter (the registry is per process)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_without_the_bootstrap_collecting_is_refused_and_names_what_is_missing() -> None:
    done = _fresh(
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from app.services.pending import PendingQuery, collect\n"
        "assert not any(m.endswith('.pending') and m != 'app.services.pending' "
        "for m in sys.modules), 'the collector imported a provider'\n"
        "try:\n"
        "    collect(None, PendingQuery(now=datetime.now(UTC)))\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    assert done.returncode == 0, done.stderr
    message = done.stdout
    for kind in PendingKind:
        assert kind.value in message
    assert "app.bootstrap.install()" in message


def test_the_bootstrap_registers_a_provider_for_every_kind_once() -> None:
    done = _fresh(
        "from app import bootstrap\n"
        "from app.services import pending\n"
        "bootstrap.install(); bootstrap.install()\n"
        "print(len(pending.providers()))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"  # complaints, arrears, sync


def test_registering_a_provider_again_replaces_it() -> None:
    def nothing(_session: object, _query: PendingQuery) -> list[PendingItem]:
        return []

    before = len(providers())
    register_provider((PendingKind.UNSYNCED,), nothing)
    register_provider((PendingKind.UNSYNCED,), nothing)
    assert len(providers()) == before + 1
    from app.services import pending

    del pending._PROVIDERS[f"{nothing.__module__}.{nothing.__qualname__}"]
    assert len(providers()) == before
