"""The sync protocol: versions, endpoints, and the errors both transports raise.

Every request body carries ``protocol``; the centre serves versions
``PROTOCOL_MIN..PROTOCOL_MAX`` and answers anything else with 426 (upgrade required): the
client keeps its outbox and works offline. Endpoints (all ``POST /sync/<name>``, JSON):

- ``meta``: server time and supported versions (clock-skew check);
- ``enrol``: one-time code → device credential (the only call without a credential);
- ``push``: operations in outbox order → one result per operation;
- ``pull``: changes after a cursor, or ``reset_required``;
- ``snapshot``: the hall's whole data set, page by page (first sync and reset);
- ``sanity``: per-day payment counts and sums of the calling device, compared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from app.domain.errors import HallDeskError
from app.i18n import N_

#: 2: a push result may be ``rejected`` (refused alone, with ``reason``, ``retry`` and
#: ``detail``: see ``app.centre.push``); a protocol-1 push that holds such an operation is
#: answered 426 as a whole (its PC would have taken ``rejected`` for done).
PROTOCOL_VERSION: Final = 2
PROTOCOL_MIN: Final = 1
PROTOCOL_MAX: Final = 2

ENDPOINTS: Final = ("meta", "enrol", "push", "pull", "snapshot", "sanity")

#: Above this the sync warns; above BLOCK it refuses (the business date would be wrong).
SKEW_WARN: Final = timedelta(minutes=5)
SKEW_BLOCK: Final = timedelta(minutes=15)

#: The most operations in one push (the centre answers 413 above it) …
PUSH_BATCH: Final = 1000
#: … and the most bytes a PC puts in one push body (a batch is cut earlier when its
#: operations are large, e.g. inspection photos); the centre refuses bodies above
#: ``app.centre.api.MAX_BODY`` (8 MiB) while they stream in.
PUSH_BYTES: Final = 4 * 1024 * 1024
#: Rows per pull page: each page is one SQLite transaction (one WAL sync) at the hall.
PULL_PAGE: Final = 5000
#: The most the centre sends in one pull page, whatever a device asks for.
PULL_PAGE_MAX: Final = 5000
SNAPSHOT_PAGE: Final = 5000
#: Days of payments compared by the money sanity check.
SANITY_DAYS: Final = 40


class RawJSON(str):
    """JSON text the centre built already (in PostgreSQL): an answer carries it as is."""


def encode_answer(answer: Any) -> str:
    """An answer as the JSON both transports carry (HTTP and in-process alike): the values
    of a top-level :class:`RawJSON` are spliced in without being decoded and re-encoded."""
    if not isinstance(answer, Mapping) or not any(isinstance(v, RawJSON) for v in answer.values()):
        return json.dumps(answer, ensure_ascii=False, default=str)
    return (
        "{"
        + ",".join(
            json.dumps(str(k), ensure_ascii=False)
            + ":"
            + (v if isinstance(v, RawJSON) else json.dumps(v, ensure_ascii=False, default=str))
            for k, v in answer.items()
        )
        + "}"
    )


class SyncError(HallDeskError):
    """Sync could not finish; the outbox is intact and the next sync continues."""


class SyncOffline(SyncError):
    def __init__(self, reason: str) -> None:
        super().__init__(N_("The centre cannot be reached: {reason}"), reason=reason)


class UpgradeRequired(SyncError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "The centre no longer accepts this version of HallDesk. Install the update; "
                "unsynced work is kept."
            )
        )


class DeviceRefused(SyncError):
    def __init__(self, reason: str) -> None:
        super().__init__(N_("The centre refused this PC: {reason}"), reason=reason)


class ClockSkew(SyncError):
    def __init__(self, minutes: int) -> None:
        super().__init__(
            N_(
                "This PC's clock differs from the centre's by {minutes} minutes. "
                "Correct the clock, then sync again."
            ),
            minutes=minutes,
        )


class CentreFailure(SyncError):
    def __init__(self, reason: str) -> None:
        super().__init__(N_("The centre could not complete the sync: {reason}"), reason=reason)


class NotEnrolled(SyncError):
    def __init__(self) -> None:
        super().__init__(N_("This PC is not enrolled with a centre yet."))


class SyncCancelled(SyncError):
    def __init__(self) -> None:
        super().__init__(N_("Sync was cancelled; what was done so far is kept."))


def error_for_status(status: int, code: str, message: str) -> SyncError:
    """The client-side error for a centre's refusal (the same for HTTP and in-process)."""
    if status == 426:
        return UpgradeRequired()
    if status in (401, 403):
        return DeviceRefused(message or code)
    return CentreFailure(f"{status} {code}: {message}")
