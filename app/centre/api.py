"""The centre's HTTP face: ``POST /sync/<endpoint>`` with a JSON body and, except for
``enrol``, ``Authorization: Bearer <device credential>``. All logic is in
:class:`app.centre.service.Centre`; refusals keep their status (400, 401, 403, 404, 413,
422, 426).

Order of work for a request (issue 13, item 5): the credential is checked **before** the
body is read, and the body is read as it streams in, refused (413) as soon as it passes the
endpoint's limit — a 300 MB body without a credential costs the centre nothing. The JSON
is parsed with a nesting limit (a 100,000-deep array is a 400, not a crash).

``/openapi.json`` describes every endpoint with its request body (the models of
:mod:`app.centre.wire`), so CI can fuzz the centre from it.

Production: ``halldesk centre serve --workers N`` runs N worker processes, each building
the app with :func:`app_from_environment` (see docs/sync.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic_core import from_json
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from app import __version__
from app.centre.base import CentreError, DeviceCtx
from app.centre.service import Centre
from app.centre.wire import REQUESTS
from app.sync.protocol import encode_answer

log = logging.getLogger(__name__)

#: Largest push body accepted (1,000 operations with inspection photos stay below).
MAX_BODY: Final = 8 * 1024 * 1024
#: Largest body of the other endpoints.
BODY_LIMITS: Final = {
    "push": MAX_BODY,
    "pull": 1024 * 1024,  # the cursor's list of open transactions can be long
    "sanity": 256 * 1024,
    "snapshot": 64 * 1024,
    "meta": 64 * 1024,
    "enrol": 16 * 1024,
}
#: The environment variable a worker process reads the centre's database URL from.
DB_ENV: Final = "HALLDESK_CENTRE_DB"


class _TooLarge(Exception):
    pass


def _refusal(status: int, code: str, message: str = "") -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, read as it streams in; :class:`_TooLarge` as soon as it passes ``limit``."""
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > limit):
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _credential(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return auth[7:] if auth.lower().startswith("bearer ") else None


def create_app(centre: Centre) -> FastAPI:
    app = FastAPI(
        title="HallDesk centre",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )

    def endpoint_handler(endpoint: str) -> Callable[[Request], Awaitable[Response]]:
        limit = BODY_LIMITS[endpoint]

        async def handler(request: Request) -> Response:
            try:
                dev: DeviceCtx | None = None
                if endpoint != "enrol":
                    dev = await run_in_threadpool(centre.authenticate, _credential(request))
                try:
                    raw = await _read_body(request, limit)
                except _TooLarge:
                    return _refusal(413, "too_large", f"at most {limit} bytes")
                try:
                    body: Any = from_json(raw, allow_inf_nan=False) if raw else None
                except ValueError as exc:
                    return _refusal(400, "bad_json", str(exc)[:200])
                if not isinstance(body, dict):
                    return _refusal(400, "bad_json", "the body must be a JSON object")
                result = await run_in_threadpool(centre.serve, endpoint, body, dev)
            except CentreError as exc:
                return _refusal(exc.status, exc.code, exc.message)
            except OperationalError:
                log.exception("the centre's database is unavailable")
                return _refusal(503, "unavailable", "the centre's database is unavailable")
            # The same encoder as the in-process transport (pull pages arrive as JSON text).
            return Response(encode_answer(result).encode("utf-8"), media_type="application/json")

        handler.__name__ = f"sync_{endpoint}"
        return handler

    for endpoint in REQUESTS:
        app.add_api_route(
            f"/sync/{endpoint}",
            endpoint_handler(endpoint),
            methods=["POST"],
            name=f"sync_{endpoint}",
            summary=f"sync: {endpoint}",
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi_schema(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _openapi_schema(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema of the routes, with each endpoint's request body and refusals (the
    handlers read their bodies themselves, after authentication, so FastAPI cannot see
    them)."""
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = schema.setdefault("components", {})
    models = components.setdefault("schemas", {})
    components["securitySchemes"] = {"device": {"type": "http", "scheme": "bearer"}}
    refusals = {
        "400": "not JSON, or nested too deep",
        "401": "no or unknown device credential",
        "403": "revoked device, or an unknown, used or expired enrolment code",
        "413": "body or batch too large",
        "422": "the body does not fit the request model",
        "426": "protocol version not served",
    }
    for endpoint, model in REQUESTS.items():
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        models.update(found.pop("$defs", {}))
        models[model.__name__] = found
        post = schema["paths"][f"/sync/{endpoint}"]["post"]
        post["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
        post["responses"].update(
            {status: {"description": text} for status, text in refusals.items()}
        )
        if endpoint != "enrol":
            post["security"] = [{"device": []}]
    return schema


def app_from_environment() -> FastAPI:
    """The app of one worker process (``uvicorn --factory``): the database URL from
    :data:`DB_ENV`; the schema was migrated by the parent command."""
    from app.centre.service import centre_engine

    return create_app(Centre(centre_engine(os.environ[DB_ENV])))
