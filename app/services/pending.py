"""What is pending at a counter: the list a shift hands over.

Each area of work contributes its own open items through a provider (a function of a
session and a :class:`PendingQuery`); the handover collects them all with :func:`collect`.
A provider reads only; it never writes.

The collector imports none of its providers: they sit in the areas and, for the unsent
operations, in ``app.sync`` (a layer above the services). Each provider module registers
itself with :func:`register_provider` when it is imported, naming the kinds it gives, and a
program imports them all once at start (``app.bootstrap.install``). :func:`collect`
refuses while a kind has no provider, so a program that skipped it fails at its first
handover instead of handing over less than is pending.

Providers:
- arrears (``app.services.arrears.pending``): restore requests not yet done, promises to
  pay that fall due;
- complaints (``app.services.complaints.pending``): complaints due within the warning
  window or overdue, call-back promises, open fault notices;
- sync (``app.sync.pending``): operations not yet sent to the centre.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy.orm import Session

from app.domain.complaint_flow import CATEGORY_LABELS
from app.i18n import N_, _


class PendingKind(StrEnum):
    COMPLAINT_DUE = "complaint_due"
    CALLBACK = "callback"
    FAULT_NOTICE = "fault_notice"
    RESTORE = "restore"
    PROMISE_TO_PAY = "promise_to_pay"
    UNSYNCED = "unsynced"


#: What each kind is called on screen and on the handover sheet (``N_`` msgids).
PENDING_KIND_LABELS: Final[dict[PendingKind, str]] = {
    PendingKind.COMPLAINT_DUE: N_("Complaint due"),
    PendingKind.CALLBACK: N_("Call-back promised"),
    PendingKind.FAULT_NOTICE: N_("Open fault notice"),
    PendingKind.RESTORE: N_("Service restore not done"),
    PendingKind.PROMISE_TO_PAY: N_("Promise to pay due"),
    PendingKind.UNSYNCED: N_("Not yet synced"),
}


#: Words an item may carry as ``tag`` (a code), translated when shown or printed: complaint
#: categories, and what the unsynced operations are.
PENDING_TAG_LABELS: Final[dict[str, str]] = {
    **{category.value: label for category, label in CATEGORY_LABELS.items()},
    "payments": N_("payments"),
    "operations": N_("other operations"),
}


@dataclass(frozen=True, slots=True)
class PendingQuery:
    """Which items to collect: those open at ``now`` or falling due before ``horizon``.

    ``counter_id`` and ``staff_id`` narrow to one counter or clerk where a kind knows them;
    ``None`` means the whole hall.
    """

    now: datetime
    horizon: timedelta = timedelta(days=2)
    counter_id: int | None = None
    staff_id: int | None = None

    @property
    def until(self) -> datetime:
        return self.now + self.horizon


@dataclass(frozen=True, slots=True)
class PendingItem:
    """One open item. ``ref`` and ``summary`` are data (numbers, names), not prose, and
    ``tag`` a code from :data:`PENDING_TAG_LABELS`, so the sheet can be printed in any
    language; ``kind`` gives the label."""

    kind: PendingKind
    ref: str
    summary: str
    due_at: datetime | None = None
    overdue: bool = False
    count: int = 1
    tag: str = ""

    def details(self) -> str:
        """``summary`` and the tag's word in the current language, for screen and paper."""
        label = PENDING_TAG_LABELS.get(self.tag)
        tag = _(label) if label else self.tag
        return " · ".join(part for part in (self.summary, tag) if part)


PendingProvider = Callable[[Session, PendingQuery], Sequence[PendingItem]]


#: Each registered provider (by its module and name) with the kinds it gives.
_PROVIDERS: dict[str, tuple[PendingProvider, frozenset[PendingKind]]] = {}


def register_provider(kinds: Iterable[PendingKind], provider: PendingProvider) -> None:
    """Add ``provider``, which gives items of ``kinds``. Registering it again (its module
    imported again) replaces it, so a provider never counts twice."""
    _PROVIDERS[f"{provider.__module__}.{provider.__qualname__}"] = (provider, frozenset(kinds))


def providers() -> tuple[PendingProvider, ...]:
    """Every registered provider; refuses while a kind has none (see the module's text)."""
    covered = {kind for _, kinds in _PROVIDERS.values() for kind in kinds}
    missing = sorted(kind.value for kind in PendingKind if kind not in covered)
    if missing:
        raise RuntimeError(
            f"no provider of pending items for {', '.join(missing)}: the program must call "
            "app.bootstrap.install() before it collects them"
        )
    return tuple(provider for provider, _ in _PROVIDERS.values())


def collect(session: Session, query: PendingQuery) -> list[PendingItem]:
    """All pending items, overdue first, then by due time (undated last), then by kind."""
    items = [item for provider in providers() for item in provider(session, query)]
    far = datetime.max.replace(tzinfo=query.now.tzinfo)
    items.sort(key=lambda i: (not i.overdue, i.due_at or far, i.kind.value, i.ref))
    return items
