"""HallDesk tests; a package so that ``ui`` and ``app`` always mean the real packages."""
