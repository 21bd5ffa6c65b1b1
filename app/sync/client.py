"""The hall side of sync: enrol, push the outbox, pull the centre's changes, check the money.

One :meth:`HallSync.sync` is: a ``meta`` call (protocol and clock check), push until the
outbox is empty, pull until the cursor is current (a full re-download when the centre says
the PC is too far behind), then the money sanity check. Every step commits on its own, so a
crash or a lost connection at any point leaves a state the next sync simply continues from:

- push: the results of a batch are recorded in one transaction; if that is lost the batch
  is sent again and answered ``duplicate``;
- pull: a page and the cursor move are one transaction; a row with a pending local
  operation is not overwritten (the centre's echo of that operation comes later);
- reset: the snapshot is staged in ``sync_stage`` page by page, then swapped in in one
  transaction; the outbox is never touched.

:class:`HallSync` is the entry point; its parts are mixins, one module each:
:mod:`app.sync.push`, :mod:`app.sync.pull` (with :mod:`app.sync.apply`, writing the
centre's rows), :mod:`app.sync.reset` and :mod:`app.sync.sanity`, over
:mod:`app.sync.hall_base`.

``crash`` is a test hook called at named points (``push.after_send``,
``push.before_ack_commit``, ``pull.before_page_commit``, ``pull.after_page_apply``,
``reset.after_stage``); raising there simulates the program dying at that moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from app.store.models import DeviceInfo
from app.store.models.sync import (
    OpState,
    SyncConflict,
    SyncOutbox,
    SyncRun,
    SyncState,
)
from app.store.number_marks import RECEIPTS, SERIES, NumberSeries, raise_floor
from app.sync import credentials
from app.sync.hall_base import HallSyncBase, Progress, SyncReport
from app.sync.protocol import (
    SKEW_BLOCK,
    SKEW_WARN,
    ClockSkew,
    NotEnrolled,
    SyncError,
)
from app.sync.pull import PullMixin
from app.sync.push import PushMixin
from app.sync.reset import ResetMixin
from app.sync.sanity import SanityMixin

__all__ = ["HallSync", "Progress", "Status", "SyncReport"]


@dataclass(frozen=True)
class Status:
    """What the status bar shows."""

    enrolled: bool
    url: str
    pending: int
    pending_payments: int
    last_success_at: datetime | None
    last_error: str
    open_conflicts: int


class HallSync(PushMixin, PullMixin, ResetMixin, SanityMixin, HallSyncBase):
    """The hall side of sync (see the module docstring)."""

    def status(self) -> Status:
        st = self.state()
        with self.store.read() as session:
            pending = session.scalar(
                select(func.count()).where(SyncOutbox.state == OpState.PENDING.value)
            )
            payments = session.scalar(
                select(func.count()).where(
                    SyncOutbox.state == OpState.PENDING.value, SyncOutbox.kind == "payment"
                )
            )
            conflicts = session.scalar(
                select(func.count()).where(SyncConflict.resolved_at.is_(None))
            )
        return Status(
            enrolled=bool(st.credential),
            url=st.url,
            pending=int(pending or 0),
            pending_payments=int(payments or 0),
            last_success_at=st.last_success_at,
            last_error=st.last_error,
            open_conflicts=int(conflicts or 0),
        )

    # --- enrolment --------------------------------------------------------------------------

    def enrol(self, url: str, code: str) -> str:
        """Exchange a one-time code for this PC's credential; returns the device code."""
        self.state()
        answer = self._call("enrol", {"code": code}, None)
        with self.store.unit_of_work() as session:
            session.execute(
                update(SyncState)
                .where(SyncState.id == 1)
                .values(
                    url=url,
                    device_code=str(answer["device_code"]),
                    # In the OS credential store where there is one (app.sync.credentials).
                    credential=credentials.save(str(answer["credential"])),
                    hall_code=str(answer["hall_code"]),
                    epoch=0,
                    pull_cursor="{}",
                    last_error="",
                )
            )
            # Receipts are numbered per device: the centre's device code keeps them unique.
            session.execute(update(DeviceInfo).values(device_code=str(answer["device_code"])))
        return str(answer["device_code"])

    # --- one sync -------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        st = self.state()
        if not st.credential:
            raise NotEnrolled()
        report = SyncReport()
        started = self.clock()
        with self.store.unit_of_work() as session:
            session.execute(
                update(SyncState).where(SyncState.id == 1).values(last_attempt_at=started)
            )
        try:
            credential = credentials.load(st.credential)
            self._meta(credential, report)
            self.push(credential, report)
            self.pull(credential, report)
            self.sanity(credential, report)
        except SyncError as exc:
            self._finish(started, report, "failed", exc.user_message())
            raise
        self._finish(started, report, "ok", "")
        return report

    def _finish(self, started: datetime, report: SyncReport, outcome: str, message: str) -> None:
        now = self.clock()
        with self.store.unit_of_work() as session:
            values: dict[str, Any] = {"last_error": message}
            if outcome == "ok":
                values["last_success_at"] = now
            session.execute(update(SyncState).where(SyncState.id == 1).values(**values))
            session.add(
                SyncRun(
                    started_at=started,
                    finished_at=now,
                    pushed=report.pushed,
                    pulled=report.pulled,
                    outcome=outcome,
                    message=message,
                )
            )

    def _meta(self, credential: str, report: SyncReport) -> None:
        before = self.clock()
        answer = self._call("meta", {}, credential)
        server = datetime.fromisoformat(str(answer["server_time"]))
        skew = (before - server).total_seconds()
        report.skew_seconds = skew
        if abs(skew) > SKEW_BLOCK.total_seconds():
            raise ClockSkew(round(abs(skew) / 60))
        report.skew_warning = abs(skew) > SKEW_WARN.total_seconds()
        device = answer.get("device_code")
        if device:
            highs = {s: answer.get(s.meta_key) for s in SERIES}
            self.raise_number_floors(
                str(device),
                {
                    s: high
                    for s, high in highs.items()
                    if isinstance(high, int) and not isinstance(high, bool) and high > 0
                },
            )

    def raise_number_floors(self, device_code: str, highs: Mapping[NumberSeries, int]) -> None:
        """Number this device's receipts and complaints after the highest the centre
        holds from it (``receipt_high``, ``complaint_high``): a PC put back on an older
        copy of its store (and of the mark beside it) then never issues a number twice
        from this sync on. Learnt at the sync's first call, before anything else can fail
        (an older centre gives no ``complaint_high``: that series is left as it is)."""
        if not highs:
            return
        with self.store.unit_of_work() as session:
            for series, number in highs.items():
                raise_floor(session, series, device_code, number)
            self.store.number_marks.raise_all({s.name: {device_code: n} for s, n in highs.items()})

    def raise_receipt_floor(self, device_code: str, number: int) -> None:
        """:meth:`raise_number_floors` for receipt numbers alone."""
        self.raise_number_floors(device_code, {RECEIPTS: number})
