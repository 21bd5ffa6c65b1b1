"""HallDesk: the counter workbench of a telecom business hall (no Qt in this package)."""

__version__ = "0.1.0"
