"""What the parts of the hall's sync share (``app.sync.client.HallSync`` is made of them):
the store, the transport and the knobs of one sync, the ``sync_state`` row, the call to
the centre with the protocol version, cancelling, and the report a sync fills.

The parts are :mod:`app.sync.push`, :mod:`app.sync.pull`, :mod:`app.sync.reset` and
:mod:`app.sync.sanity`; each is a mixin over :class:`HallSyncBase`, as the centre's
(``app.centre.base``). One part calls another through the methods declared here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.services.base import Clock, utc_now
from app.store.database import Store
from app.store.models.sync import (
    SyncState,
)
from app.sync.protocol import (
    PROTOCOL_VERSION,
    PULL_PAGE,
    PUSH_BATCH,
    SNAPSHOT_PAGE,
    NotEnrolled,
    SyncCancelled,
)
from app.sync.status import sync_state

if TYPE_CHECKING:  # the transport (ssl, urllib) loads with the client, at the first sync
    from app.sync.transport import Transport

Progress = Callable[[str, int], None]


@dataclass
class SyncReport:
    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    flagged: int = 0
    pulled: int = 0
    deleted: int = 0
    kept_local: int = 0
    reset: bool = False
    skew_seconds: float = 0.0
    skew_warning: bool = False
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    resent: int = 0
    mismatches_after_resend: list[dict[str, Any]] = field(default_factory=list)
    #: Operations the centre refused (parked, or sent again at the next sync).
    rejected: int = 0
    #: Operations held back because they point at a refused one.
    held: int = 0


def _noop(_point: str) -> None:
    return None


class HallSyncBase:
    def __init__(
        self,
        store: Store,
        transport: Transport | None,
        clock: Clock = utc_now,
        *,
        crash: Callable[[str], None] = _noop,
        progress: Progress | None = None,
        cancel: Callable[[], bool] | None = None,
        push_batch: int = PUSH_BATCH,
        pull_page: int = PULL_PAGE,
        snapshot_page: int = SNAPSHOT_PAGE,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.crash = crash
        self.progress = progress or (lambda _stage, _n: None)
        self.cancel = cancel or (lambda: False)
        self.push_batch = push_batch
        self.pull_page = pull_page
        self.snapshot_page = snapshot_page

    # --- state ----------------------------------------------------------------------------

    def state(self) -> SyncState:
        return sync_state(self.store)

    def _call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        if self.transport is None:
            raise NotEnrolled()
        body = {"protocol": PROTOCOL_VERSION, **body}
        return self.transport.call(endpoint, body, credential)

    def _check_cancel(self) -> None:
        if self.cancel():
            raise SyncCancelled()

    def push(self, credential: str, report: SyncReport) -> None:
        raise NotImplementedError  # app.sync.push

    def reset(self, credential: str, report: SyncReport) -> None:
        raise NotImplementedError  # app.sync.reset
