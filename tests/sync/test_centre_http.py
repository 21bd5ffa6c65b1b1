"""The centre's HTTP face refuses what it must with a 4xx, before spending on it (issue 13,
items 5 and 6), over real HTTP on loopback."""

from __future__ import annotations

import json
import socket
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.centre.service import Centre
from app.sync.protocol import PROTOCOL_VERSION
from tests.sync.conftest import load_hall


@pytest.fixture
def credential(centre: Centre, tiny_demo: Path) -> str:
    load_hall(centre, "H1", tiny_demo)
    _device, code = centre.enrol_device("H1")
    return str(
        centre.handle("enrol", {"protocol": PROTOCOL_VERSION, "code": code}, None)["credential"]
    )


def _head_only(server: str, path: str, headers: dict[str, str], sent: bytes) -> tuple[int, float]:
    """Announce a huge body, send only its first bytes, and time the centre's answer: a
    centre that reads the body first never answers (the test would time out)."""
    url = urlsplit(server)
    start = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        lines = [f"POST {path} HTTP/1.1", f"Host: {url.hostname}", "Content-Type: application/json"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + sent)
        answer = sock.recv(4096).decode("latin-1")
    return int(answer.split(" ", 2)[1]), time.monotonic() - start


def test_a_huge_body_without_credential_is_refused_before_it_is_read(server: str) -> None:
    """Issue 13, item 5: "one 300 MB body without a credential raised the centre's memory
    by 200 MiB" — the body was read before the credential was looked at."""
    status, seconds = _head_only(
        server,
        "/sync/push",
        {"Content-Length": str(300 * 1024 * 1024)},
        b'{"protocol": 2, "ops": [',
    )
    assert status == 401 and seconds < 5


def test_a_too_large_body_is_refused_while_it_streams(server: str, credential: str) -> None:
    auth = {"Authorization": f"Bearer {credential}"}
    status, _s = _head_only(
        server, "/sync/push", {**auth, "Content-Length": str(300 * 1024 * 1024)}, b"{"
    )
    assert status == 413

    def chunks() -> Any:  # no Content-Length: the cap applies as the bytes arrive
        yield b'{"protocol": 2, "ops": ["'
        for _ in range(10):
            yield b"x" * (1024 * 1024)
        yield b'"]}'

    with httpx.Client(timeout=30) as client:
        answer = client.post(f"{server}/sync/push", content=chunks(), headers=auth)
    assert answer.status_code == 413


def test_a_push_of_more_than_1000_operations_is_refused(server: str, credential: str) -> None:
    """docs/sync.md: "push: up to 1,000 operations"; 60,000 were accepted in one call."""
    ops = [
        {"op_id": str(uuid.uuid4()), "kind": "audit_event", "key": "x", "payload": {}}
        for _ in range(1001)
    ]
    answer = httpx.post(
        f"{server}/sync/push",
        json={"protocol": PROTOCOL_VERSION, "ops": ops},
        headers={"Authorization": f"Bearer {credential}"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_many_ops"


MALFORMED: list[tuple[str, Any]] = [
    ("push", {"ops": "x"}),
    ("push", {"ops": {"op_id": "x"}}),
    ("push", {"ops": [{"kind": "payment", "key": "k", "payload": {}}]}),
    ("push", {"ops": [{"op_id": "not-a-uuid", "kind": "payment", "payload": {}}]}),
    ("push", {"ops": [{"op_id": str(uuid.uuid4()), "kind": "payment", "payload": "x"}]}),
    ("pull", {"limit": -1}),
    ("pull", {"limit": 0}),
    ("pull", {"epoch": "x"}),
    ("pull", {"cursor": {"seen": "1:99999999999999999999999:"}}),
    ("pull", {"cursor": {"seen": "3:3:", "upto": "3:3:", "after": {"a": 1}}}),
    ("snapshot", {"limit": -5}),
    ("snapshot", {"after": "x"}),
    ("sanity", {"since": "not a date", "days": []}),
    ("sanity", {"since": "2026-01-01", "days": [{"day": "2026-02-30", "count": 1, "sum": 1}]}),
    ("sanity", {"since": "2026-01-01", "days": [{"day": "2026-01-02", "count": 1, "sum": 10**30}]}),
]


@pytest.mark.parametrize(("endpoint", "body"), MALFORMED)
def test_malformed_requests_are_4xx_not_500(
    server: str, credential: str, endpoint: str, body: dict[str, Any]
) -> None:
    """Issue 13, item 6: each of these answered 500."""
    answer = httpx.post(
        f"{server}/sync/{endpoint}",
        json={"protocol": PROTOCOL_VERSION, **body},
        headers={"Authorization": f"Bearer {credential}"},
        timeout=30,
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["error"]


def test_deep_nesting_and_broken_json_are_400(server: str, credential: str) -> None:
    headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}
    deep = b'{"protocol": 2, "ops": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for body in (deep, b"{", b'{"protocol": NaN}', b"\xff\xfe", b"[1, 2]"):
        answer = httpx.post(f"{server}/sync/push", content=body, headers=headers, timeout=30)
        assert answer.status_code == 400, (body[:20], answer.text)


def test_the_openapi_schema_describes_every_request_body(server: str) -> None:
    schema = httpx.get(f"{server}/openapi.json", timeout=30).json()
    for endpoint in ("meta", "enrol", "push", "pull", "snapshot", "sanity"):
        body = schema["paths"][f"/sync/{endpoint}"]["post"]["requestBody"]
        ref = body["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[1] in schema["components"]["schemas"]
    push = schema["components"]["schemas"]["PushRequest"]
    assert push["properties"]["ops"]["maxItems"] == 1000
    assert json.dumps(schema["components"]["schemas"]["Operation"]).count("uuid") >= 1
