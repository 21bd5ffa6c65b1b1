"""Complaints, their event log, call-back promises and service-fault notices."""

from __future__ import annotations

__all__: list[str] = []
