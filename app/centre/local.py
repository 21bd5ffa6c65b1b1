"""An in-process transport to a :class:`Centre` (tests, benchmarks): the same JSON round
trip and the same errors as HTTP, without a server."""

from __future__ import annotations

import json
from typing import Any

from app.centre.service import Centre, CentreError
from app.sync.protocol import encode_answer, error_for_status


class LocalTransport:
    def __init__(self, centre: Centre) -> None:
        self.centre = centre
        self.calls: dict[str, int] = {}

    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        wire = json.loads(json.dumps(body))
        self.calls[endpoint] = self.calls.get(endpoint, 0) + 1
        try:
            answer = self.centre.handle(endpoint, wire, credential)
        except CentreError as exc:
            raise error_for_status(exc.status, exc.code, exc.message) from None
        return json.loads(encode_answer(answer))
