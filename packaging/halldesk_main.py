"""The frozen program's entry point: the same ``halldesk`` command as the console script.

``freeze_support`` first: a report over many accounts shares the ladder's evaluation with
worker processes (``app.services.arrears.parallel``), and a frozen program started as
such a worker must run the worker, not the workbench."""

import multiprocessing
import sys

from app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
