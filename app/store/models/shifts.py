"""Cash sessions (shifts), cash counts and movements, handovers and the hall day."""

from __future__ import annotations

__all__: list[str] = []
