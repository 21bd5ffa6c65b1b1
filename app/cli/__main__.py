"""``python -m app.cli``: the ``halldesk`` command."""

import sys

from app.cli import main

sys.exit(main())
