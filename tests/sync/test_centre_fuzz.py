"""Fuzz the centre from its own OpenAPI schema (issue 13, item 6): whatever the body, the
centre answers below 500. Schemathesis generates valid and invalid bodies for every
endpoint (the schema describes each request body, see ``app.centre.api``) and sends them
with a real device credential, so they reach the push, pull, snapshot and money check
against the real PostgreSQL. Sized to run in well under a minute in CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine

from app.centre.api import create_app
from app.centre.service import Centre
from app.sync.protocol import PROTOCOL_VERSION
from tests.sync.conftest import load_hall

#: Examples per endpoint: about 60 s for the six endpoints on CI's two cores at most.
EXAMPLES = 80


@pytest.fixture
def fuzz_credential(centre: Centre, tiny_demo: Path) -> str:
    load_hall(centre, "H1", tiny_demo)
    _device, code = centre.enrol_device("H1")
    answer = centre.handle("enrol", {"protocol": PROTOCOL_VERSION, "code": code}, None)
    return str(answer["credential"])


def _schema() -> Any:
    """The schema as the centre serves it at ``/openapi.json`` (it does not depend on the
    database: the engine below never connects)."""
    offline = Centre(create_engine("postgresql+psycopg://schema@127.0.0.1:1/schema"))
    loaded = schemathesis.openapi.from_dict(create_app(offline).openapi())
    loaded.config.generation.update(modes=list(schemathesis.GenerationMode), max_examples=EXAMPLES)
    return loaded


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_body_makes_the_centre_fail(
    case: Any, server: str, fuzz_credential: str
) -> None:
    response = case.call(base_url=server, headers={"Authorization": f"Bearer {fuzz_credential}"})
    assert response.status_code < 500, (case.body, response.text)
