"""A demo store copy with a fortnight recorded on it (see ``scenario``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.reports.scenario import Fortnight, Hall, fortnight, open_hall


@pytest.fixture
def hall(demo_db_copy: Path) -> Iterator[Hall]:
    opened = open_hall(demo_db_copy)
    yield opened
    opened.store.close()


@pytest.fixture
def facts(hall: Hall) -> Fortnight:
    return fortnight(hall)
