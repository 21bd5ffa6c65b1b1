"""The centre as a process of its own for the fault campaign (``test_fault_campaign``):
``python -m tests.sync.campaign_centre DB PORT FAULT_DIR``.

It serves the real app (``app.centre.api.create_app``) with one difference: at a fault
point (``push.before_commit``: the batch applied, not committed; ``pull.page``: a page
being read) for which the campaign left a ``<point>.hold`` file in FAULT_DIR, it writes
``<point>.reached`` and waits there, so the campaign can ``kill -9`` it at that very
moment.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import uvicorn

from app.centre.api import create_app
from app.centre.service import Centre, centre_engine


def main() -> None:
    db, port, fault_dir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    centre = Centre(centre_engine(db))

    def hold(point: str) -> None:
        if (fault_dir / f"{point}.hold").exists():
            (fault_dir / f"{point}.reached").write_text("")
            while True:
                time.sleep(1)

    centre.fault = hold
    uvicorn.run(create_app(centre), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
