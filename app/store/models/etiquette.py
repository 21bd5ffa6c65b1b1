"""Etiquette checklist templates (versioned), inspections, corrective actions, simulations."""

from __future__ import annotations

__all__: list[str] = []
