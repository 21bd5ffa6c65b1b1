"""The request bodies of the sync endpoints, as the centre checks them before any work.

One model per endpoint (:data:`REQUESTS`): a body that does not fit answers **422** with
what is wrong (never a 500), a body that is not JSON or nests too deep **400**, a push of
more than :data:`~app.sync.protocol.PUSH_BATCH` operations **413**. The models are also the
request bodies of the centre's OpenAPI schema (``/openapi.json``), which CI fuzzes.

Only the *shape* is checked here; what an operation's payload holds is checked per
operation by the push (:mod:`app.sync.checks`), so one bad record is refused alone.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.sync.protocol import PROTOCOL_MAX, PROTOCOL_MIN, PUSH_BATCH, SANITY_DAYS

#: A day's payment count and sum as the centre's bigint columns hold them.
_BIG: Final = 2**62


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    #: Checked before the model (a version the centre does not serve is a 426).
    protocol: int = Field(
        ge=PROTOCOL_MIN, le=PROTOCOL_MAX, description="protocol version of the client"
    )


class EnrolRequest(_Request):
    code: str = Field(max_length=64, description="the one-time enrolment code")


class MetaRequest(_Request):
    pass


class Operation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    op_id: uuid.UUID
    kind: str = Field(max_length=64)
    key: str = Field(default="", max_length=512)
    action: Literal["upsert", "delete"] = "upsert"
    payload_version: int = Field(default=1, ge=1, le=1000)
    payload: dict[str, Any] = Field(default_factory=dict)


class PushRequest(_Request):
    ops: list[Operation] = Field(max_length=PUSH_BATCH)


class PullRequest(_Request):
    cursor: dict[str, Any] | None = None
    epoch: int = Field(default=0, ge=0, le=2**31)
    limit: int = Field(default=5000, ge=1, le=1_000_000)


class SnapshotRequest(_Request):
    after: list[str] | None = Field(default=None, min_length=2, max_length=2)
    limit: int = Field(default=0, ge=0, le=1_000_000)


class SanityDay(BaseModel):
    day: date
    count: int = Field(ge=0, le=_BIG)
    sum: int = Field(ge=-_BIG, le=_BIG)


class SanityRequest(_Request):
    since: date
    days: list[SanityDay] = Field(default_factory=list, max_length=4 * SANITY_DAYS)


REQUESTS: Final[dict[str, type[_Request]]] = {
    "meta": MetaRequest,
    "enrol": EnrolRequest,
    "push": PushRequest,
    "pull": PullRequest,
    "snapshot": SnapshotRequest,
    "sanity": SanityRequest,
}


def problems(exc: ValidationError) -> str:
    """A short, stable text of what is wrong with a body (at most five errors)."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', '')}")
    return "; ".join(parts)
