"""Service-etiquette checklists: inspections, self-checks, weekly simulations, trends."""
