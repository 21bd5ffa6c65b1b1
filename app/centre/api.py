"""The centre's HTTP face: ``POST /sync/<endpoint>`` with a JSON body and, except for
``enrol``, ``Authorization: Bearer <device credential>``. All logic is in
:class:`app.centre.service.Centre`; refusals keep their status (426, 401, 403, 404)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app.centre.service import Centre, CentreError
from app.sync.protocol import encode_answer

#: Largest request body accepted (a push batch of 1,000 operations is far below).
MAX_BODY = 8 * 1024 * 1024


def create_app(centre: Centre) -> FastAPI:
    app = FastAPI(title="HallDesk centre", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/sync/{endpoint}")
    async def sync_endpoint(endpoint: str, request: Request) -> Response:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return JSONResponse({"error": "too_large", "message": ""}, status_code=413)
        try:
            body: Any = await request.json()
        except ValueError:
            return JSONResponse({"error": "bad_json", "message": ""}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "bad_json", "message": ""}, status_code=400)
        auth = request.headers.get("authorization", "")
        credential = auth[7:] if auth.lower().startswith("bearer ") else None
        try:
            result = await run_in_threadpool(centre.handle, endpoint, body, credential)
        except CentreError as exc:
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)
        # The same encoder as the in-process transport (pull pages arrive as JSON text).
        return Response(encode_answer(result).encode("utf-8"), media_type="application/json")

    return app
