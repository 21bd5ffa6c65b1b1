"""The kinds registry under concurrency: the centre serves many devices at once from its
first second (issue 13, item 1: 50 PCs pushing right after a centre start had 323 valid
operations flagged ``kind_not_writable`` because the registry was still being filled)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

RACE = textwrap.dedent(
    """
    import sys, threading
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    from app.store import sync_registry
    barrier = threading.Barrier(32)
    seen = []
    def work():
        barrier.wait()
        kind = sync_registry.get("corrective_action_event")  # among the last registered
        seen.append((kind is not None, len(sync_registry.kinds())))
    threads = [threading.Thread(target=work) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = len(sync_registry.kinds())
    print(sum(1 for found, n in seen if not found or n != total))
    """
)


def test_32_threads_in_a_fresh_interpreter_all_see_the_whole_registry() -> None:
    """Each run is a fresh interpreter (the registry is filled on first use); before the
    fix most runs had threads that got ``None`` or a half-filled table."""
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", RACE], capture_output=True, text=True, check=True, timeout=120
        )
        assert out.stdout.strip() == "0", out.stdout + out.stderr
