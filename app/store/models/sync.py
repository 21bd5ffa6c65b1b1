"""The sync outbox, pull cursors, sync runs and flagged conflicts."""

from __future__ import annotations

__all__: list[str] = []
